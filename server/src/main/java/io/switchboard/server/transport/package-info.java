/**
 * The Netty transport: the only package that imports Netty. It turns WebSocket frames into typed requests for the
 * desk and the desk's messages into frames; it decides nothing. Handler names and their order are in {@link
 * io.switchboard.server.transport.ServerPipeline}.
 */
package io.switchboard.server.transport;
