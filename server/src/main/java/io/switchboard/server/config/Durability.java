package io.switchboard.server.config;

import io.switchboard.protocol.WireEnum;

/**
 * What an acknowledgement promises. {@code fsync}: the change is on the disk (each commit is synced), so it survives a
 * power loss or an operating-system crash. {@code process}: the change is in the operating system's hands (written, not
 * synced), so it survives a crash or kill of the server process but maybe not a power loss.
 */
public enum Durability implements WireEnum {
    FSYNC, PROCESS
}
