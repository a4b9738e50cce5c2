package io.switchboard.protocol;

/** What a room {@code notification} says of a user. */
public enum NotificationDetails implements WireEnum {
    JOINED, LEFT;
}
