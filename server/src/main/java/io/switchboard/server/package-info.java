/**
 * Start-up and wiring: {@link io.switchboard.server.Main} reads the command line and the configuration, {@link
 * io.switchboard.server.SwitchboardServer} starts the desk on its own thread ({@link io.switchboard.server.DeskLoop})
 * and the Netty transport around it.
 */
package io.switchboard.server;
