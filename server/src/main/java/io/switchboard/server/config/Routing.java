package io.switchboard.server.config;

import io.switchboard.protocol.WireEnum;

/** How a group's guests reach agents: automatically, or only when an agent sends {@code assist}. */
public enum Routing implements WireEnum {
    AUTO, MANUAL
}
