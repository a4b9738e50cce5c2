package io.switchboard.server.config;

/** A configuration that cannot run; the message names the problem and where it is. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
