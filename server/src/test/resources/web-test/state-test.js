// Tests of the browser's pure modules: the transcript, the console's state and the widget's state, fed by hand.
// BrowserTest opens this page in headless Chromium and reads window.stateTests: {passed, failures}.
"use strict";

(function () {
  const passed = [];
  const failures = [];

  function test(name, body) {
    try {
      body();
      passed.push(name);
    } catch (e) {
      failures.push(name + ": " + (e && e.message ? e.message : String(e)));
    }
  }

  function eq(actual, expected, what) {
    const a = JSON.stringify(actual);
    const b = JSON.stringify(expected);
    if (a !== b) {
      throw new Error((what || "value") + ": expected " + b + " but was " + a);
    }
  }

  function ok(condition, what) {
    if (!condition) {
      throw new Error(what);
    }
  }

  /** Freezes a value and everything in it: a pure next() that changed its input would throw (strict mode). */
  function frozen(value) {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
      Object.freeze(value);
      Object.values(value).forEach(frozen);
    }
    return value;
  }

  /** Runs events through a module's next(), frozen at every step; returns the last state and every effect. */
  function run(module, state, events, now) {
    const effects = [];
    let current = frozen(state);
    for (const event of events) {
      const result = module.next(current, event, now === undefined ? 1000 : now);
      effects.push(...result.effects);
      current = frozen(result.state);
    }
    return { state: current, effects };
  }

  const message = (room, seq, user, role, body) => ({ type: "message", room, user, role, body: body || "line " + seq,
    sent: 1700000000000 + seq, seq });

  // -------------------------------------------------------------------------------------------------------------
  // Transcript

  const T = Switchboard.Transcript;

  test("a transcript keeps live messages in order, each once", () => {
    let t = T.empty();
    for (const seq of [1, 2, 2, 3]) {
      const result = T.receive(t, [message("r", seq, "ann", "agent")], false);
      eq(result.askHistoryAfter, null, "no history asked for seq " + seq);
      t = result.transcript;
    }
    eq(t.messages.map((m) => m.seq), [1, 2, 3]);
    eq(t.contiguous, 3);
  });

  test("a gap asks for the history after the last seq without one, and closes when it is filled", () => {
    const first = T.receive(T.empty(), [message("r", 1), message("r", 4)], false);
    eq(first.askHistoryAfter, 1);
    eq(first.transcript.messages.map((m) => m.seq), [1, 4]);
    const filled = T.receive(first.transcript, [message("r", 3), message("r", 2)], true);
    eq(filled.askHistoryAfter, null);
    eq(filled.transcript.messages.map((m) => m.seq), [1, 2, 3, 4]);
    eq(filled.transcript.contiguous, 4);
  });

  test("a full page of history asks for the next one", () => {
    const page = [];
    for (let seq = 1; seq <= Switchboard.HISTORY_PAGE; seq++) {
      page.push(message("r", seq));
    }
    eq(T.receive(T.empty(), page, true).askHistoryAfter, Switchboard.HISTORY_PAGE);
    eq(T.receive(T.empty(), page.slice(0, 10), true).askHistoryAfter, null);
  });

  test("a history reply covers every seq up to its last: a note the guest does not get is no gap", () => {
    // Live: 5 then 7 (6 is a note for agents): a gap, so history after 5 is asked; it returns 7 alone.
    let t = T.receive(T.empty(), [1, 2, 3, 4, 5].map((seq) => message("r", seq)), false).transcript;
    const live = T.receive(t, [message("r", 7)], false);
    eq(live.askHistoryAfter, 5);
    const reply = T.receive(live.transcript, [message("r", 7)], true);
    eq(reply.askHistoryAfter, null, "asked once, not again and again");
    eq(reply.transcript.contiguous, 7);
  });

  test("Markdown: a safe subset as elements, and HTML stays text", () => {
    const html = (text) => {
      const box = document.createElement("div");
      box.append(Switchboard.markdown(text));
      return box.innerHTML;
    };
    eq(html("**bold** and _it_ and *it* and `a<b>`"), "<p><strong>bold</strong> and <em>it</em> and <em>it</em> "
      + "and <code>a&lt;b&gt;</code></p>");
    eq(html("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    eq(html("- one\n- two\n\n1. first"), "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>");
    eq(html("see [the docs](https://example.com/a?b=1) or https://example.org."), "<p>see <a href=\"https://"
      + "example.com/a?b=1\" rel=\"noopener noreferrer\" target=\"_blank\">the docs</a> or <a href=\"https://"
      + "example.org\" rel=\"noopener noreferrer\" target=\"_blank\">https://example.org</a>.</p>");
    eq(html("[bad](javascript:alert(1))"), "<p>[bad](javascript:alert(1))</p>", "only http(s) and mailto links");
    eq(html("line one\nline two"), "<p>line one<br>line two</p>");
    eq(html("```\n<b>code</b>\n```"), "<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre>");
    eq(html("snake_case_name stays"), "<p>snake_case_name stays</p>");
  });

  test("the composer counts near the limit and refuses past it", () => {
    eq(Switchboard.lengthNote("hello").text, "");
    eq(Switchboard.lengthNote("x".repeat(3600)).text, "3,600 / 4,000");
    const over = Switchboard.lengthNote("x".repeat(4100));
    eq(over.over, true);
    eq(over.text, "Too long by 100 characters (at most 4,000)");
  });

  test("durations read as m:ss and h:mm:ss", () => {
    eq(Switchboard.formatDuration(0), "0:00");
    eq(Switchboard.formatDuration(75.4), "1:15");
    eq(Switchboard.formatDuration(3725), "1:02:05");
    eq(Switchboard.formatDuration(-3), "0:00");
  });

  test("keys of repeated entries are numbered", () => {
    eq(Switchboard.keyed(["a", "b", "a"], (x) => x), ["a#1", "b#1", "a#2"]);
  });

  // -------------------------------------------------------------------------------------------------------------
  // The console

  const C = ConsoleState;
  const signedIn = run(C, C.initial(), [{ type: "identified", role: "supervisor", user: "admin", session: "ses_1" }]);
  const joined = (room, guest) => ({ type: "joined", room, guest: { user: guest, question: "q of " + guest,
    details: {} }, agent: "admin" });

  test("identified signs the console in and keeps the session", () => {
    eq(signedIn.state.signedIn, true);
    eq(signedIn.state.me, "admin");
    eq(signedIn.state.role, "supervisor");
    eq(signedIn.effects, [{ kind: "session", session: "ses_1" }]);
  });

  test("a joined room opens once, is selected first, and asks for what it missed", () => {
    const one = run(C, signedIn.state, [joined("rm_1", "Ada"), message("rm_1", 1, "Ada", "guest"),
      message("rm_1", 2, "admin", "supervisor"), joined("rm_2", "Bo")]);
    eq(one.state.rooms, ["rm_1", "rm_2"]);
    eq(one.state.selected, "rm_1");
    eq(one.effects.filter((e) => e.kind === "history"), [{ kind: "history", room: "rm_1", after: 0 },
      { kind: "history", room: "rm_2", after: 0 }]);
    // After a reconnection the same room is joined again: still one room, history after what it has.
    const back = run(C, one.state, [joined("rm_1", "Ada")]);
    eq(back.state.rooms, ["rm_1", "rm_2"]);
    eq(back.effects[0], { kind: "history", room: "rm_1", after: 2 });
  });

  test("a message in another room marks it unread until it is selected", () => {
    const two = run(C, signedIn.state, [joined("rm_1", "Ada"), joined("rm_2", "Bo"),
      message("rm_2", 1, "Bo", "guest")]);
    eq(two.state.byId.rm_2.unread, 2, "opened behind the other, then a message");
    eq(two.state.byId.rm_1.unread, 0);
    const chosen = run(C, two.state, [{ type: "select", room: "rm_2" }]);
    eq(chosen.state.selected, "rm_2");
    eq(chosen.state.byId.rm_2.unread, 0);
  });

  test("typing shows until the typist's message comes", () => {
    const typing = run(C, signedIn.state, [joined("rm_1", "Ada"),
      { type: "status", room: "rm_1", user: "Ada", role: "guest", of: "typing", is: "true" }]);
    eq(typing.state.byId.rm_1.typing, "Ada is typing…");
    eq(run(C, typing.state, [message("rm_1", 1, "Ada", "guest")]).state.byId.rm_1.typing, "");
  });

  test("a room ends with a line that says how, and a handed-over room ends for the one who left", () => {
    const ended = run(C, signedIn.state, [joined("rm_1", "Ada"),
      { type: "end", room: "rm_1", user: "bob", reason: "ended" }]);
    eq(ended.state.byId.rm_1.ended, true);
    eq(ended.state.byId.rm_1.endLine, "Conversation ended by bob.");
    const handed = run(C, signedIn.state, [joined("rm_1", "Ada"),
      { type: "notification", room: "rm_1", user: "admin", role: "supervisor", details: "left" }]);
    eq(handed.state.byId.rm_1.endLine, "Conversation handed over.");
    // A guest named like the agent is not the agent: their leaving ends nothing.
    const guest = run(C, signedIn.state, [joined("rm_1", "Ada"),
      { type: "notification", room: "rm_1", user: "admin", role: "guest", details: "left" }]);
    eq(guest.state.byId.rm_1.ended, false);
  });

  test("a snapshot is kept with its time and tells this agent's availability", () => {
    const snap = run(C, signedIn.state, [{ type: "snapshot", agents: [{ user: "admin", availability: "available",
      guests: 0, limit: 5 }], queue: [{ user: "Ada", group: "default", position: 0, waited: 12, question: "?" }],
      rooms: [] }], 4242);
    eq(snap.state.availability, "available");
    eq(snap.state.snapshotAt, 4242);
    eq(snap.state.snapshot.queue.length, 1);
  });

  test("the queue, the team and the open rooms follow the changes after one snapshot", () => {
    const entry = (id, user, position, waited) => ({ id, user, group: "default", position, waited: waited || 0,
      question: "q" });
    const start = run(C, signedIn.state, [{ type: "snapshot", agents: [{ user: "admin", availability: "away",
      guests: 0, limit: 2 }], queue: [entry("q1", "Ada", 0, 30), entry("q2", "Bo", 1, 20)], rooms: [],
      queue_totals: [{ group: "default", total: 2 }] }], 10000);
    const after = run(C, start.state, [
      { type: "queue", change: "queued", entry: entry("q3", "Cy", 1) },
      { type: "queue", change: "left", id: "q1", group: "default" },
      { type: "queue", change: "moved", entry: Object.assign(entry("q2", "Bo", 1, 21), { question: "more" }) },
      { type: "team", agent: { user: "admin", availability: "available", guests: 1, limit: 2 } },
      { type: "team", agent: { user: "bob", availability: "away", guests: 0, limit: 3 } },
      { type: "rooms", change: "opened", room: { room: "rm_1", guest: "Ada", agent: "admin" } },
      { type: "update", users: ["Ada"], details: "dequeued" }], 11000);
    eq(after.state.snapshot.queue.map((e) => [e.id, e.question, e.since]), [["q3", "q", 11000],
      ["q2", "more", 11000 - 21000]]);
    eq(C.waiting(after.state), 2);
    eq(after.state.availability, "available");
    eq(after.state.snapshot.agents.map((a) => a.user + ":" + a.guests), ["admin:1", "bob:0"]);
    eq(after.state.snapshot.rooms, [{ room: "rm_1", guest: "Ada", agent: "admin" }]);
    eq(after.effects, [], "no snapshot asked for, not even after an update");
    const closed = run(C, after.state, [{ type: "rooms", change: "closed", room: { room: "rm_1", guest: "Ada",
      agent: "admin" } }]);
    eq(closed.state.snapshot.rooms, []);
  });

  test("a console that lists the first entries counts the others, and asks again when its list ran short", () => {
    const first = [];
    for (let i = 0; i < 100; i++) {
      first.push({ id: "q" + i, user: "g" + i, group: "default", position: i, waited: 0, question: "q" });
    }
    const start = run(C, signedIn.state, [{ type: "snapshot", agents: [], queue: first, rooms: [],
      queue_totals: [{ group: "default", total: 1500 }] }]);
    const beyond = run(C, start.state, [{ type: "queue", change: "queued", entry: { id: "x", user: "late",
      group: "default", position: 1500, waited: 0, question: "q" } }]);
    eq(beyond.state.snapshot.queue.length, 100, "beyond the list: counted, not listed");
    eq(C.waiting(beyond.state), 1501);
    const events = [];
    for (let i = 0; i < 51; i++) {
      events.push({ type: "queue", change: "left", id: "q" + i, group: "default" });
    }
    const short = run(C, beyond.state, events);
    eq(short.effects.filter((e) => e.kind === "refresh").length, 1, "one refresh, when half the list is gone");
  });

  test("a guest's message is counted unread where it is not in view and alerts; the agent's own lines do not", () => {
    const two = run(C, signedIn.state, [joined("rm_1", "Ada"), joined("rm_2", "Bo"),
      message("rm_2", 1, "Bo", "guest"), message("rm_2", 2, "Bo", "guest"), message("rm_2", 3, "admin",
        "supervisor"), message("rm_1", 1, "Ada", "guest")]);
    eq(two.state.byId.rm_2.unread, 3, "opened behind the selected one, then two messages");
    eq(C.unreadTotal(two.state), 3, "the selected room's messages are read");
    const alerts = two.effects.filter((e) => e.kind === "alert");
    eq(alerts.map((e) => [e.room, e.inView, e.title]), [["rm_1", false, "New conversation"], ["rm_2", false,
      "New conversation"], ["rm_2", false, "Bo wrote"], ["rm_2", false, "Bo wrote"], ["rm_1", true, "Ada wrote"]]);
    const fromHistory = run(C, two.state, [{ type: "history", room: "rm_2", messages: [message("rm_2", 4, "Bo",
      "guest")] }]);
    eq(fromHistory.effects.filter((e) => e.kind === "alert"), [], "history is not news");
  });

  test("the server's alerts become a sound for this agent and lines for a supervisor", () => {
    const state = run(C, signedIn.state, [joined("rm_1", "Ada")]).state;
    const mine = run(C, state, [{ type: "alert", kind: "unanswered", agent: "admin", room: "rm_1",
      since: 1000 - 125000 }]);
    eq(mine.effects.map((e) => [e.kind, e.repeat, e.text]), [["alert", true, "Ada has waited 2:05 for your answer."]]);
    const other = run(C, state, [{ type: "alert", kind: "missed_offers", agent: "bob", count: 3 },
      { type: "alert", kind: "away_with_rooms", agent: "bob", count: 1 }]);
    eq(other.effects.map((e) => e.text), ["bob is now away after 3 offers went unanswered.",
      "bob is away with 1 open conversation."]);
  });

  test("an offer stays until it ends; a missed one says the guest went to a colleague", () => {
    const offered = run(C, signedIn.state, [{ type: "offer", offer: "q_1", group: "sales", expires: 31000,
      guest: { user: "Ada", question: "hi", details: {} } }]);
    eq(Object.keys(offered.state.offers), ["q_1"]);
    eq(offered.effects.map((e) => e.kind), ["alert"]);
    const missed = run(C, offered.state, [{ type: "offer_end", offer: "q_1", reason: "missed" }]);
    eq(missed.state.offers, {});
    eq(missed.effects.map((e) => e.kind), ["notice"]);
  });

  test("canned replies are found by title first, then by text, and filled in", () => {
    const replies = [{ id: "1", title: "Refunds", body: "Refunds take five days, {guest}.", shared: true },
      { id: "2", title: "Welcome", body: "Hello {guest}, I am {agent} from {group}. Refunds?", shared: false }];
    eq(C.findReplies(replies, "ref").map((r) => r.id), ["1", "2"]);
    eq(C.findReplies(replies, "WEL").map((r) => r.id), ["2"]);
    eq(C.findReplies(replies, "").length, 2);
    eq(C.fill(replies[1].body, { guest: "Ada", agent: "bob", group: "billing" }),
      "Hello Ada, I am bob from billing. Refunds?");
    eq(C.fill("{guest} {unknown}", {}), " {unknown}");
  });

  test("a canned reply changes one at a time, in title order", () => {
    const start = run(C, signedIn.state, [{ type: "replies", replies: [{ id: "2", title: "Welcome", body: "Hi",
      shared: true, owner: null }] }]);
    const added = run(C, start.state, [{ type: "reply", reply: { id: "1", title: "bye", body: "Bye", shared: false,
      owner: "admin" } }, { type: "reply", reply: { id: "2", title: "Welcome", body: "Hello", shared: true,
      owner: null } }]);
    eq(added.state.replies.map((r) => r.id + ":" + r.body), ["1:Bye", "2:Hello"]);
    eq(run(C, added.state, [{ type: "reply", id: "1", deleted: true }]).state.replies.map((r) => r.id), ["2"]);
  });

  test("offers that ended while the connection was away do not outlive a new sign-in", () => {
    const offered = run(C, signedIn.state, [{ type: "offer", offer: "q_1", group: "sales", expires: 31000,
      guest: { user: "Ada", question: "hi", details: {} } }]);
    eq(run(C, offered.state, [{ type: "identified", role: "agent", user: "admin", session: "ses_2" }]).state.offers,
      {});
  });

  test("a supervisor who joined silently is seen once they write to the guest, not after a note", () => {
    const resumed = run(C, signedIn.state, [Object.assign(joined("rm_1", "Ada"), { silent: true })]);
    eq(resumed.state.byId.rm_1.silent, true, "joined says so after a reload");
    const silent = run(C, signedIn.state, [joined("rm_1", "Ada"), { type: "silent", room: "rm_1" },
      Object.assign(message("rm_1", 1, "admin", "supervisor"), { private: true })]);
    eq(silent.state.byId.rm_1.silent, true);
    eq(run(C, silent.state, [message("rm_1", 2, "admin", "supervisor")]).state.byId.rm_1.silent, false);
  });

  test("errors are told in the console's words, never the server's", () => {
    const told = run(C, signedIn.state, [{ type: "error", ref: null, code: "not_allowed",
      message: "transfer: internal detail" }, { type: "error", ref: null, code: "whatever", message: "x" }]);
    eq(told.effects.map((e) => e.kind), ["notice", "notice"]);
    eq(told.effects[0].text, C.errorText("not_allowed"));
    ok(!told.effects[0].text.includes("internal detail"), "the server's text is not shown");
    ok(told.effects[1].text.length > 10, "an unknown code still reads as a sentence");
  });

  test("who joins or leaves is a line in the room, after the message it followed", () => {
    const joinedBy = run(C, signedIn.state, [joined("rm_1", "Ada"), message("rm_1", 1, "Ada", "guest"),
      { type: "notification", room: "rm_1", user: "sue", role: "supervisor", details: "joined" },
      { type: "notification", room: "rm_1", user: "sue", role: "supervisor", details: "left" }]);
    eq(joinedBy.state.byId.rm_1.events.map((e) => [e.afterSeq, e.text]), [[1, "sue (supervisor) joined the "
      + "conversation."], [1, "sue (supervisor) left the conversation."]]);
  });

  test("a new conversation opened behind another is marked unread; an ended one can be closed", () => {
    const two = run(C, signedIn.state, [joined("rm_1", "Ada"), joined("rm_2", "Bo")]);
    eq(two.state.byId.rm_2.unread, 1);
    eq(run(C, two.state, [{ type: "close-tab", room: "rm_1" }]).state.rooms, ["rm_1", "rm_2"], "not while open");
    const closed = run(C, two.state, [{ type: "end", room: "rm_1", user: "Ada", reason: "ended" },
      { type: "close-tab", room: "rm_1" }]);
    eq(closed.state.rooms, ["rm_2"]);
    eq(closed.state.selected, "rm_2");
  });

  test("transfers go to agents who can take the room; a sign-out hands over the agent's own rooms", () => {
    const snap = run(C, signedIn.state, [joined("rm_1", "Ada"), { type: "snapshot", agents: [
      { user: "admin", availability: "available", guests: 1, limit: 5 },
      { user: "bob", availability: "available", guests: 1, limit: 2 },
      { user: "cy", availability: "away", guests: 0, limit: 2 },
      { user: "di", availability: "available", guests: 2, limit: 2 }], queue: [], rooms: [] }]);
    eq(C.transferTargets(snap.state, snap.state.byId.rm_1).map((a) => a.user), ["bob"]);
    eq(C.ownOpenRooms(snap.state).map((r) => r.id), ["rm_1"]);
    eq(C.signInText("rate_limited"), "Too many failed sign-ins from here: wait a few minutes, then try again.");
  });

  test("signing out forgets everything", () => {
    const out = run(C, signedIn.state, [joined("rm_1", "Ada"), { type: "signed-out" }]);
    eq(out.state, C.initial());
  });

  // -------------------------------------------------------------------------------------------------------------
  // The widget

  const W = WidgetState;
  const started = run(W, W.initial({}), [{ type: "open" }, { type: "start", user: "Ada", question: "Order?" },
    { type: "identified", role: "guest", user: "Ada", session: "ses_g", reservation: "rsv_1" }]);

  test("a widget starts closed, or reconnecting when the page had a session", () => {
    eq(W.initial({}).phase, "idle");
    eq(W.initial({}).open, false);
    const back = W.initial({ name: "Ada", session: "ses_g", room: "rm_1" });
    eq(back.phase, "connecting");
    eq(back.open, true);
    eq(W.initial({ session: "ses_g", open: false }).open, false);
  });

  test("starting a chat signs in, and identified keeps the session for a reload", () => {
    eq(started.effects, [{ kind: "sign-in" }]);
    eq(started.state.session, "ses_g");
    eq(started.state.starting, null);
    eq(W.saved(started.state).session, "ses_g");
    eq(W.saved(started.state).name, "Ada");
  });

  test("queuepos shows the place with the time it came, for the countdown", () => {
    const waiting = run(W, started.state, [{ type: "queuepos", position: 0, wait: 0, estimated_wait: 30 }], 5000);
    eq(waiting.state.phase, "waiting");
    eq(waiting.state.queueposAt, 5000);
    eq(waiting.state.queuepos.estimated_wait, 30);
  });

  test("joined opens the chat and asks for history; the agent's message ends their typing", () => {
    const chat = run(W, started.state, [{ type: "joined", room: "rm_1", guest: { user: "Ada", question: "Order?",
      details: {} }, agent: "admin" }, { type: "status", room: "rm_1", user: "admin", role: "supervisor",
      of: "typing", is: "true" }]);
    eq(chat.state.phase, "chat");
    eq(chat.effects, [{ kind: "history", room: "rm_1", after: 0 }]);
    eq(chat.state.typing, "admin is typing…");
    const said = run(W, chat.state, [message("rm_1", 1, "admin", "supervisor"), message("rm_9", 1, "x", "agent")]);
    eq(said.state.typing, "");
    eq(said.state.transcript.messages.length, 1, "a message of another room is not shown");
  });

  test("an ended chat keeps its transcript on screen but nothing to resume", () => {
    const end = run(W, started.state, [{ type: "joined", room: "rm_1", guest: { user: "Ada", question: "Order?",
      details: {} }, agent: "admin" }, message("rm_1", 1, "Ada", "guest"),
      { type: "end", room: "rm_1", user: null, reason: "guest_gone" }]);
    eq(end.state.phase, "ended");
    eq(end.state.endLine, "The conversation ended while you were away.");
    eq(end.state.transcript.messages.length, 1);
    eq(W.saved(end.state), { name: "Ada", email: "", open: true });
  });

  test("a resume that finds the chat over shows its end and fetches its transcript", () => {
    const back = run(W, W.initial({ name: "Ada", session: "ses_g", room: "rm_1", agent: "admin" }),
      [{ type: "identified", role: "guest", user: "Ada", session: "ses_h", reservation: "rsv_1" },
        { type: "resumed" }]);
    eq(back.state.phase, "ended");
    eq(back.effects, [{ kind: "history", room: "rm_1", after: 0 }]);
    const alive = run(W, W.initial({ name: "Ada", session: "ses_g" }), [{ type: "queuepos", position: 2, wait: null,
      estimated_wait: null }, { type: "resumed" }]);
    eq(alive.state.phase, "waiting", "a guest still in line stays in line");
  });

  test("failures are told in the guest's words and keep the form", () => {
    const refused = run(W, started.state, [{ type: "failed", code: "rate_limited" }]);
    eq(refused.state.phase, "form");
    eq(refused.state.formError, W.guestText("rate_limited"));
    eq(refused.state.name, "Ada");
    const expired = run(W, W.initial({ session: "ses_old" }), [{ type: "resume-failed" }]);
    eq(expired.state.phase, "form");
    eq(expired.state.session, null);
  });

  const inRoom = (state) => run(W, state, [{ type: "joined", room: "rm_1", guest: { user: "Ada",
    question: "Order?", details: {} }, agent: "bob" }, message("rm_1", 1, "Ada", "guest"),
    message("rm_1", 2, "bob", "agent")]);

  test("when the agent is gone, the guest keeps session, transcript and place, and the next room goes on", () => {
    const gone = run(W, inRoom(started.state).state, [{ type: "end", room: "rm_1", user: null,
      reason: "agent_gone" }, { type: "queuepos", position: 0, wait: 10, estimated_wait: 5 }]);
    eq(gone.state.phase, "waiting");
    eq(gone.state.session, "ses_g", "the session is kept");
    eq(W.saved(gone.state).session, "ses_g", "and survives a reload");
    ok(gone.state.notice.startsWith("bob left."), gone.state.notice);
    eq(gone.state.transcript.messages.length, 2, "the conversation stays on screen");
    const next = run(W, gone.state, [{ type: "joined", room: "rm_2", guest: { user: "Ada", question: "Order?",
      details: {} }, agent: "cy" }]);
    eq(next.state.phase, "chat");
    eq(next.state.agent, "cy");
    eq(next.state.transcript.messages.length, 2, "carried: the new room starts with the same messages");
    eq(next.effects, [{ kind: "history", room: "rm_2", after: 2 }]);
  });

  test("after a reload while back in line, the conversation so far is fetched to read", () => {
    const back = run(W, W.initial({ name: "Ada", session: "ses_g", room: "rm_1", agent: "bob",
      notice: "bob left." }), [{ type: "queuepos", position: 0, wait: null, estimated_wait: null },
      { type: "resumed" }]);
    eq(back.state.phase, "waiting");
    eq(back.effects, [{ kind: "history", room: "rm_1", after: 0 }]);
  });

  test("a transfer changes the guest's agent at once and says so", () => {
    const moved = run(W, inRoom(started.state).state, [
      { type: "notification", room: "rm_1", user: "bob", role: "agent", details: "left" },
      { type: "notification", room: "rm_1", user: "cy", role: "agent", details: "joined" },
      { type: "notification", room: "rm_1", user: "sue", role: "supervisor", details: "joined" }]);
    eq(moved.state.agent, "cy");
    eq(moved.state.events.map((e) => e.text), ["bob left the conversation.", "cy joined the conversation.",
      "sue, a supervisor, joined the conversation."]);
  });

  test("what could not be sent says why, and the next message clears it; a waiting guest adds to the question", () => {
    const failed = run(W, inRoom(started.state).state, [{ type: "not-sent", code: "too_large" }]);
    ok(failed.state.sendError.includes("too long"), failed.state.sendError);
    eq(run(W, failed.state, [{ type: "sent" }]).state.sendError, "");
    const added = run(W, started.state, [{ type: "queuepos", position: 1, wait: null, estimated_wait: null },
      { type: "added", body: "blue box" }]);
    eq(added.state.added, ["blue box"]);
    const stillWaiting = run(W, added.state, [{ type: "leave-failed", code: "disconnected" }]);
    eq(stillWaiting.state.phase, "waiting", "a failed leave keeps the guest in line");
    eq(stillWaiting.state.session, "ses_g");
  });

  test("the launcher counts the agent's messages the guest has not seen", () => {
    const state = inRoom(started.state).state;
    eq(W.unread(state, 0).count, 1, "the guest's own do not count");
    eq(W.unread(state, 2).count, 0);
    eq(W.unread(state, 0).newest.body, "line 2");
  });

  test("leaving the queue, then a new chat", () => {
    const left = run(W, started.state, [{ type: "queuepos", position: 0, wait: 0, estimated_wait: null },
      { type: "left" }]);
    eq(left.state.phase, "ended");
    eq(left.state.endLine, "You left the queue.");
    const again = run(W, left.state, [{ type: "new-chat" }]);
    eq(again.state.phase, "form");
    eq(again.effects, [{ kind: "stop" }]);
  });

  test("closed with email: opening the widget offers a message; a message sent is confirmed", () => {
    const closed = { state: "closed", next_open: "2026-12-07T08:00:00Z", estimated_wait: null, email: true };
    const offered = run(W, W.initial({}), [{ type: "info", info: closed }, { type: "open" }]);
    eq(offered.state.phase, "message");
    const open = run(W, W.initial({}), [{ type: "info", info: { state: "open", next_open: null,
      estimated_wait: 20, email: true } }, { type: "open" }]);
    eq(open.state.phase, "form", "open: a chat first");
    const noEmail = run(W, W.initial({}), [{ type: "info", info: Object.assign({}, closed, { email: false }) },
      { type: "open" }]);
    eq(noEmail.state.phase, "form", "no message without email");
    const sent = run(W, offered.state, [{ type: "message-sending" }, { type: "message-sent", user: "Lena",
      email: "lena@example.com" }]);
    eq(sent.state.phase, "message-sent");
    eq(W.saved(sent.state), { name: "Lena", email: "lena@example.com", open: true });
    const another = run(W, sent.state, [{ type: "new-chat" }]);
    eq(another.state.phase, "message", "still closed: a new conversation is a message again");
    const failed = run(W, offered.state, [{ type: "message-sending" }, { type: "message-failed",
      code: "rate_limited" }]);
    eq(failed.state.sending, false);
    eq(failed.state.messageError, W.messageText("rate_limited"));
  });

  test("a kept place closes the connection, follows the event stream, and comes back when matched", () => {
    const kept = run(W, started.state, [{ type: "queuepos", position: 2, wait: 60, estimated_wait: 300 },
      { type: "kept", reservation: "rsv_1", email: "ada@example.com", key: "mkey" }]);
    eq(kept.state.phase, "kept");
    eq(kept.state.session, null);
    eq(kept.effects, [{ kind: "stop" }, { kind: "watch", reservation: "rsv_1" }]);
    eq(W.saved(kept.state).kept, { reservation: "rsv_1", key: "mkey", email: "ada@example.com" });
    eq(W.initial(W.saved(kept.state)).phase, "kept", "a reload shows the kept place");
    const view = { reservation_sid: "rsv_1", reservation_status: "GROUP_RESERVATION_STATUS_QUEUED",
      queue_position: 1, estimated_wait_until: "2026-12-07T08:05:00Z" };
    const moved = run(W, kept.state, [{ type: "reservation", view }]);
    eq(moved.state.keptInfo, { position: 1, until: "2026-12-07T08:05:00Z" });
    const matched = run(W, moved.state, [{ type: "reservation", view: Object.assign({}, view,
      { reservation_status: "GROUP_RESERVATION_STATUS_MATCHED" }) }]);
    eq(matched.state.phase, "connecting");
    eq(matched.state.attaching, { reservation: "rsv_1", key: "mkey", email: "ada@example.com" });
    eq(matched.effects, [{ kind: "unwatch" }, { kind: "sign-in" }]);
    const back = run(W, matched.state, [{ type: "identified", role: "guest", user: "Ada", session: "ses_2",
      reservation: "rsv_1" }]);
    eq(back.state.attaching, null);
    eq(back.state.session, "ses_2");
    const expired = run(W, kept.state, [{ type: "reservation", view: Object.assign({}, view,
      { reservation_status: "GROUP_RESERVATION_STATUS_EXPIRED" }) }]);
    eq(expired.state.phase, "ended");
    const stale = run(W, matched.state, [{ type: "failed", code: "unknown_reservation" }]);
    eq(stale.state.phase, "form");
    ok(stale.state.formError.indexOf("no longer valid") >= 0, stale.state.formError);
  });

  test("a link from an email starts by coming back", () => {
    const linked = W.initial({ name: "Ada", attaching: { reservation: "rsv_1", key: "mkey" } });
    eq(linked.phase, "connecting");
    eq(W.saved(linked).attaching, { reservation: "rsv_1", key: "mkey" });
  });

  window.stateTests = { passed: passed.length, failures };
  document.getElementById("results").textContent = passed.length + " passed, " + failures.length + " failed\n"
    + failures.join("\n");
})();
