/**
 * Web Push (RFC 8030): a guest whose place is kept may also be told in their browser when an agent is ready.
 * {@link io.switchboard.server.push.PushCrypto} encrypts a message for a browser's subscription (RFC 8291,
 * aes128gcm) and signs the server's VAPID token (RFC 8292) with the JDK's own elliptic-curve code;
 * {@link io.switchboard.server.push.PushSender} posts it to the browser's push service.
 */
package io.switchboard.server.push;
