/**
 * The Switchboard wire contract as Java types: the requests a client sends ({@link io.switchboard.protocol.Request}),
 * the messages the server sends ({@link io.switchboard.protocol.ServerMessage}), and the one strict JSON codec that
 * reads and writes them ({@link io.switchboard.protocol.Codec}).
 *
 * <p>Validation lives in the records' compact constructors and throws {@link io.switchboard.protocol.ProtocolException}
 * naming the bad value and what was expected. Jackson only: nothing here knows about Netty or the server.
 */
package io.switchboard.protocol;
