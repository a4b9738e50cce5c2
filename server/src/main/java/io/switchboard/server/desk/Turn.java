package io.switchboard.server.desk;

/**
 * One desk turn's bookkeeping: every state change is recorded here by the method that makes it, and the turn does
 * what follows once, at its end. A reservation that changed ({@link #changed}) gets a new version, a row to store and
 * an SSE event; an agent whose capacity or presence changed ({@link #capacityChanged}) is announced free or not free
 * at once, and marks its groups' estimates, its row and the account for assignment; a queue that grew marks
 * assignment too. {@link #settle} runs assignment now (before a request's {@code ack}, so the ack follows every
 * effect); {@link #end} settles, tells waiting guests and streams what changed, and hands the turn's rows to the
 * journal. Desk thread only.
 */
final class Turn {
    private final Account account;
    private final Fanout fanout;
    private final QueuePositions positions;
    private final ReservationFeed feed;
    private final Dirty dirty;
    private final Journal journal;
    final Board board;
    private final DeskClock clock;
    private Assignment assignment;
    private Rooms rooms;
    private boolean assign;

    Turn(Account account, Fanout fanout, QueuePositions positions, ReservationFeed feed, Dirty dirty,
         Journal journal, Board board, DeskClock clock) {
        this.board = board;
        this.clock = clock;
        this.account = account;
        this.fanout = fanout;
        this.positions = positions;
        this.feed = feed;
        this.dirty = dirty;
        this.journal = journal;
    }

    /** The parts the turn runs at its end (built after it, since they record into it). */
    void runs(Assignment assignment, Rooms rooms) {
        this.assignment = assignment;
        this.rooms = rooms;
    }

    /** A reservation changed in a way a REST caller can see: version, row, SSE event. */
    void changed(Reservation reservation) {
        feed.changed(reservation);
    }

    /** A reservation's stored fields changed, but nothing a caller sees (its session, its forget time). */
    void stored(Reservation reservation) {
        dirty.reservation(reservation);
    }

    /** A room's stored fields changed (members, status, forget time). */
    void stored(Room room) {
        dirty.room(room);
    }

    /** A session's stored fields changed (its token, its grace). */
    void stored(Session session) {
        dirty.session(session);
    }

    /** A session ended for good. */
    void ended(Session session) {
        dirty.sessionEnded(session);
    }

    /** A message was said in a room: it is stored with the turn. */
    void said(io.switchboard.protocol.ServerMessage.Message message) {
        dirty.message(message);
    }

    /** An email is due to be sent: its row is stored with the turn. */
    void mail(Stored.MailRow mail) {
        dirty.mail(mail);
    }

    /** An email was sent, or never can be: its row goes. */
    void mailDone(String id) {
        dirty.mailDone(id);
    }

    /** A canned reply was saved: its row is stored with the turn. */
    void reply(Stored.ReplyRow reply) {
        dirty.reply(reply);
    }

    /** A canned reply was deleted. */
    void replyDeleted(String id) {
        dirty.replyDeleted(id);
    }

    /** A room's retention ran out. */
    void forgotten(Room room) {
        dirty.forgotten(room);
    }

    /** A reservation's retention ran out: its stream ends and its row goes. */
    void forgotten(Reservation reservation) {
        feed.forget(reservation);
        dirty.forgotten(reservation);
    }

    /**
     * An agent's capacity or presence may have changed (availability, connection, limit, a room or a hold gained or
     * lost): the account's agents hear it if the agent became free or stopped being free, the estimates of the
     * agent's groups are due again, the agent's row is stored, and assignment runs at the end of the turn.
     */
    void capacityChanged(Agent agent) {
        agent.presenceChanged(clock.now());
        positions.agentChanged(agent);
        dirty.agent(agent);
        fanout.announceFree(agent);
        board.agent(agent);
        assign = true;
    }

    /** A guest joined (or went back to) a queue: assignment runs at the end of the turn. */
    void queued(Group group) {
        positions.changed(group);
        board.queue(group);
        assign = true;
    }

    /** A guest or message left a queue (assigned, canceled, expired): the agents are shown it. */
    void dequeued(Group group) {
        board.queue(group);
    }

    /** A room opened, changed its agent or closed: the agents' list of open rooms shows it. */
    void roomChanged(Room room) {
        board.room(room);
    }

    /** Runs the assignment the turn's changes call for, now (it runs to a fixed point: what it changes is done), and
     * shows the agents what changed ({@link Board}). */
    void settle() {
        if (assign) {
            assignment.assignWhereFree();
            assign = false;
        }
        board.publish();
    }

    /**
     * Ends the turn: assignment, then waiting guests told their new places, the rows of what changed handed to the
     * journal, durable transcripts let go from memory, SSE streams told. Returns whether anything was handed to the
     * journal (what the turn said then waits for it to be durable).
     */
    boolean end() {
        settle();
        positions.publishChanged();
        Stored.Changes changes = dirty.collect();
        if (changes != null) {
            rooms.written(journal.write(changes));
        }
        rooms.offloadDurable();
        feed.flush();
        return changes != null;
    }

    Account account() {
        return account;
    }
}
