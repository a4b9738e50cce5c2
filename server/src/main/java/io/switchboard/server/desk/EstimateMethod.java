package io.switchboard.server.desk;

/** The ways the desk can estimate a waiting guest's wait: Switchboard's own, and the three it replaces (§1). */
public enum EstimateMethod {
    /** Switchboard's: the agents' slots, the rooms in progress, learned handle times and abandonment. */
    SWITCHBOARD("switchboard", CapacityEstimator.INSTANCE),
    /** The same before the correction learned from the group's own errors (reports show what it changes). */
    SWITCHBOARD_RAW("switchboard_raw", CapacityEstimator.RAW),
    /** The 2010 chat server's mean gap between the last 5 assignments. */
    MEAN_GAP_LAST5("mean_gap_last5", WaitEstimator.MEAN_GAP_LAST5),
    /** The video-chat vendor's mean of past waits. */
    MEAN_PAST_WAITS("mean_past_waits", WaitEstimator.MEAN_PAST_WAITS),
    /** The messaging vendor's velocity times position. */
    VELOCITY("velocity", WaitEstimator.VELOCITY);

    private final String id;
    final WaitEstimator estimator;

    EstimateMethod(String id, WaitEstimator estimator) {
        this.id = id;
        this.estimator = estimator;
    }

    /** Its name in reports. */
    public String id() {
        return id;
    }

    /** One of the three methods Switchboard replaces (the seed methods the reports compare with). */
    public boolean baseline() {
        return this != SWITCHBOARD && this != SWITCHBOARD_RAW;
    }
}
