package io.switchboard.server.desk;

import io.switchboard.server.config.ServerConfig;

/** How a desk is built; everything but the configuration, the account, the clock and the outbox is optional. */
public final class DeskBuilder {
    final ServerConfig config;
    final ServerConfig.AccountConfig account;
    final DeskClock clock;
    final Outbox outbox;
    MailSink mail = MailSink.NONE;
    PushSink push = PushSink.NONE;
    Ids ids = Ids.secure();
    int generation;
    DeskMetrics metrics = DeskMetrics.NONE;
    EstimateMethod method = EstimateMethod.SWITCHBOARD;
    Journal journal = Journal.NONE;
    AddressLimits limits;
    Handover handover = Handover.NONE;
    Desk.TurnEnd turnEnd = Desk.TurnEnd.NONE;

    DeskBuilder(ServerConfig config, ServerConfig.AccountConfig account, DeskClock clock, Outbox outbox) {
        this.config = config;
        this.account = account;
        this.clock = clock;
        this.outbox = outbox;
    }

    /** Where ids come from ({@link Ids#seeded} for a repeatable run), and which desk of the account this is. */
    public DeskBuilder ids(Ids value, int deskGeneration) {
        this.ids = value;
        this.generation = deskGeneration;
        return this;
    }

    public DeskBuilder metrics(DeskMetrics value) {
        this.metrics = value;
        return this;
    }

    /** The estimate waiting guests are told (the simulator compares the methods this way). */
    public DeskBuilder estimator(EstimateMethod value) {
        this.method = value;
        return this;
    }

    /** Where the desk's changes go to be kept; without one nothing is collected at all. */
    /** Where the desk's emails go to be sent (default: nowhere; a server without smtp makes none). */
    public DeskBuilder mail(MailSink value) {
        mail = value;
        return this;
    }

    /** Where the desk's Web Push notifications go (default: nowhere). */
    public DeskBuilder push(PushSink value) {
        push = value;
        return this;
    }

    public DeskBuilder journal(Journal value) {
        this.journal = value;
        return this;
    }

    /** The per-address rules shared with other accounts' desks (each desk has its own otherwise). */
    public DeskBuilder limits(AddressLimits value) {
        this.limits = value;
        return this;
    }

    public DeskBuilder handover(Handover value) {
        this.handover = value;
        return this;
    }

    public DeskBuilder turnEnd(Desk.TurnEnd value) {
        this.turnEnd = value;
        return this;
    }

    public Desk build() {
        if (limits == null) {
            limits = new AddressLimits(clock::now, config.limits());
        }
        return new Desk(this);
    }
}
