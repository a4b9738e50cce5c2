package io.switchboard.protocol;

/** What an {@code update} to the account's agents says. */
public enum UpdateDetails implements WireEnum {
    ASSIGNED, AVAILABLE, UNAVAILABLE, QUEUED, DEQUEUED, UNASSIGNED, CANCELED, EXPIRED;
}
