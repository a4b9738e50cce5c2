// The guest widget's state, as a pure function: next(state, event, now) gives the next state and the effects to run.
// Events are what the server says and what the guest does; no DOM, no socket, no clock of its own. What survives a
// page reload, a new tab and a return within the grace is saved(state), and initial(saved) starts from it.
"use strict";

const WidgetState = (() => {
  const { Transcript } = Switchboard;

  /** What a guest is told when something fails: in their words, by the error's code, never the server's text. */
  function guestText(code) {
    switch (code) {
      case "rate_limited":
        return "A lot of people are asking right now. Please try again in a few minutes.";
      case "internal":
        return "Chat is not available at the moment. Please try again shortly.";
      case "invalid_field":
      case "too_large":
        return "Please check your name and question: they could not be sent as they are.";
      case "disconnected":
        return "The connection was lost. It will come back by itself; please try again then.";
      default:
        return "Something went wrong. Please try again.";
    }
  }

  /** When a message (or an addition to the question) could not be sent. */
  function sendText(code) {
    switch (code) {
      case "too_large":
        return "Not sent: your message is too long (at most 4,000 characters; your question at most 2,000).";
      case "disconnected":
        return "Not sent: the connection was lost. It comes back by itself; please send it again then.";
      case "rate_limited":
        return "Not sent: you are writing very fast. Please wait a moment.";
      case "not_allowed":
      case "unknown_room":
        return "Not sent: this conversation has ended.";
      default:
        return "Not sent: something went wrong. Please try again.";
    }
  }

  /** When leaving a message failed: in the guest's words. */
  function messageText(code) {
    switch (code) {
      case "rate_limited":
        return "A lot of messages are arriving right now. Please try again in a few minutes.";
      case "invalid_field":
      case "too_large":
      case "bad_json":
        return "Please check your name, email address and message: they could not be sent as they are.";
      case "not_allowed":
        return "Messages by email are not available here. Please start a chat instead.";
      default:
        return "Your message could not be sent just now. Please try again in a moment.";
    }
  }

  /**
   * A widget as the page left it: a guest with a session (or one who was starting, or coming back through an email
   * link) reconnects at once, open unless they had closed it; one whose place is kept by email sees that; one who
   * only had the form open sees it again.
   */
  function initial(saved) {
    const kept = saved || {};
    const resuming = Boolean(kept.session || kept.starting || kept.attaching);
    return {
      phase: resuming ? "connecting" : kept.kept ? "kept" : kept.open ? "form" : "idle",
      open: resuming || kept.kept ? kept.open !== false : kept.open === true,
      name: kept.name || "",
      email: kept.email || "",
      info: null,
      kept: kept.kept || null,
      keptInfo: null,
      attaching: kept.attaching || null,
      keepForm: false,
      keepError: "",
      messageError: "",
      sending: false,
      session: kept.session || null,
      starting: kept.starting || null,
      room: kept.room || null,
      agent: kept.agent || null,
      connecting: resuming ? "Reconnecting to your chat…" : "",
      queuepos: null,
      queueposAt: 0,
      transcript: Transcript.empty(),
      events: [],
      eventCount: 0,
      added: [],
      notice: kept.notice || "",
      typing: "",
      formError: "",
      endLine: "",
      statusLine: "",
      sendError: "",
    };
  }

  /**
   * What is kept in storage: a chat in progress, a place kept by email (with its key), or, once it is over, only the
   * guest's name and email address.
   */
  function saved(state) {
    if (state.phase === "kept") {
      return { name: state.name, email: state.email, open: state.open, kept: state.kept };
    }
    if (state.phase === "ended" || state.phase === "form" || state.phase === "idle" || state.phase === "message"
      || state.phase === "message-sent") {
      return { name: state.name, email: state.email, open: state.open };
    }
    return { name: state.name, email: state.email, open: state.open, session: state.session,
      starting: state.starting, attaching: state.attaching, room: state.room, agent: state.agent,
      notice: state.notice };
  }

  function set(state, change) {
    return Object.assign({}, state, change);
  }

  /** The chat is over: nothing of it can be resumed, but the transcript stays on screen. */
  function ended(state, line) {
    return set(state, { phase: "ended", session: null, starting: null, typing: "", endLine: line, statusLine: "",
      notice: "" });
  }

  function form(state, error) {
    return set(state, { phase: "form", session: null, starting: null, attaching: null, kept: null, keptInfo: null,
      room: null, agent: null, queuepos: null, transcript: Transcript.empty(), events: [], added: [], typing: "",
      endLine: "", formError: error || "", statusLine: "", sendError: "", notice: "", keepForm: false,
      keepError: "", messageError: "", sending: false });
  }

  /** Whether nobody can chat now (closed, or nobody available) while messages by email are possible. */
  function suggestsMessage(info) {
    return Boolean(info && info.email && (info.state === "closed" || info.state === "offline"));
  }

  /** A line between the messages (who joined or left), after the newest message so far. */
  function withEvent(state, text) {
    const messages = state.transcript.messages;
    const event = { key: "e" + (state.eventCount + 1), afterSeq: messages.length
      ? messages[messages.length - 1].seq : 0, text };
    return set(state, { events: state.events.concat([event]), eventCount: state.eventCount + 1 });
  }

  function receive(state, event, effects) {
    if (!state.room || event.room !== state.room) {
      return state;
    }
    const messages = event.type === "message" ? [event] : event.messages;
    const { transcript, askHistoryAfter } = Transcript.receive(state.transcript, messages, event.type === "history");
    if (askHistoryAfter !== null) {
      effects.push({ kind: "history", room: state.room, after: askHistoryAfter });
    }
    const typing = event.type === "message" && event.role !== "guest" ? "" : state.typing;
    return set(state, { transcript, typing });
  }

  /** Someone joined or left the room: the line says so, and the guest's agent is the one who joined last. */
  function notification(state, event) {
    if (event.room !== state.room || event.role === "guest") {
      return state;
    }
    const who = event.role === "supervisor" ? event.user + ", a supervisor," : event.user;
    if (event.details === "joined") {
      const after = withEvent(state, who + " joined the conversation.");
      return event.role === "agent" ? set(after, { agent: event.user }) : after;
    }
    return withEvent(state, who + " left the conversation.");
  }

  /** The agent was gone: the guest keeps their session, transcript and place (the front of the queue). */
  function agentGone(state) {
    const who = state.agent || "Your agent";
    return set(state, { phase: "waiting", typing: "", notice: who + " left. You keep your place: you are first in "
      + "line for another agent, who will see this conversation." });
  }

  /**
   * The next state after an event, and the effects to run: {kind: "sign-in"} (identify or resume now), {kind:
   * "history", room, after}, {kind: "stop"} (close the connection for good). What the guest does comes as {type:
   * "open"}, {type: "close"}, {type: "start", user, question}, {type: "failed", code}, {type: "resumed"}, {type:
   * "resume-failed"}, {type: "left"}, {type: "leave-failed", code}, {type: "new-chat"}, {type: "sent"}, {type:
   * "not-sent", code}, {type: "added", body} (to the question), {type: "connection", state}; and for email: {type:
   * "info", info} (GET /v1/widget), {type: "write-message"}, {type: "chat-instead"}, {type: "message-sending"},
   * {type: "message-sent", user, email}, {type: "message-failed", code}, {type: "keep-form"}, {type: "keep-failed",
   * code}, {type: "reservation", view} (the kept place's event stream) and {type: "return", attaching}; effects
   * {kind: "watch", reservation} and {kind: "unwatch"} follow a kept place.
   */
  function next(state, event, now) {
    const effects = [];
    let after = state;
    switch (event.type) {
      case "open":
        after = set(state, { open: true, phase: state.phase !== "idle" ? state.phase
          : suggestsMessage(state.info) ? "message" : "form" });
        break;
      case "close":
        after = set(state, { open: false });
        break;
      case "start":
        after = set(form(state), { phase: "connecting", connecting: "Connecting…", name: event.user,
          starting: { user: event.user, question: event.question }, open: true, info: state.info });
        effects.push({ kind: "sign-in" });
        break;
      case "failed":
        after = set(form(state, state.attaching && event.code === "unknown_reservation"
          ? "This link is no longer valid: your place was not kept. Start a new chat?" : guestText(event.code)),
        { info: state.info });
        break;
      case "info":
        // What the widget knows before the guest types anything: when nobody can chat, a message is suggested.
        after = set(state, { info: event.info });
        if (state.phase === "form" && suggestsMessage(event.info) && !state.formError) {
          after = set(after, { phase: "message" });
        }
        break;
      case "write-message":
        after = set(state, { phase: "message", messageError: "", open: true });
        break;
      case "chat-instead":
        after = set(state, { phase: "form", formError: "" });
        break;
      case "message-sending":
        after = set(state, { sending: true, messageError: "" });
        break;
      case "message-sent":
        after = set(state, { phase: "message-sent", sending: false, name: event.user, email: event.email });
        break;
      case "message-failed":
        after = set(state, { sending: false, messageError: messageText(event.code) });
        break;
      case "keep-form":
        after = set(state, { keepForm: !state.keepForm, keepError: "" });
        break;
      case "keep-failed":
        after = set(state, { keepError: event.code === "disconnected"
          ? "Not connected just now: please try again in a moment." : event.code === "invalid_field"
            ? "Please check your email address." : "Your place could not be kept by email. You are still in line." });
        break;
      case "kept":
        // The place is kept by email: the connection goes; the page follows the place and comes back by itself.
        after = set(state, { phase: "kept", session: null, email: event.email, keepForm: false,
          kept: { reservation: event.reservation, key: event.key, email: event.email }, keptInfo: null,
          statusLine: "" });
        effects.push({ kind: "stop" }, { kind: "watch", reservation: event.reservation });
        break;
      case "reservation":
        if (state.phase === "kept" && state.kept && event.view.reservation_sid === state.kept.reservation) {
          const status = event.view.reservation_status;
          if (status === "GROUP_RESERVATION_STATUS_MATCHED") {
            after = set(state, { phase: "connecting", connecting: "Someone is ready for you: connecting…",
              attaching: state.kept, open: true });
            effects.push({ kind: "unwatch" }, { kind: "sign-in" });
          } else if (status === "GROUP_RESERVATION_STATUS_QUEUED") {
            after = set(state, { keptInfo: { position: event.view.queue_position,
              until: event.view.estimated_wait_until } });
          } else {
            effects.push({ kind: "unwatch" });
            after = ended(set(state, { kept: null }), "Your place in line is no longer kept.");
          }
        }
        break;
      case "return":
        after = set(state, { phase: "connecting", connecting: "Coming back to your place…",
          attaching: event.attaching || state.kept, open: true, keptInfo: null });
        effects.push({ kind: "unwatch" }, { kind: "sign-in" });
        break;
      case "resume-failed":
        after = form(state, "Your previous chat has expired. Start a new one?");
        break;
      case "resumed":
        // A waiting guest was told queuepos and one in a room joined before the ack: anything else ended meanwhile.
        if (state.phase !== "waiting" && state.phase !== "chat") {
          if (state.room) {
            effects.push({ kind: "history", room: state.room, after: 0 });
          }
          after = ended(set(state, { transcript: Transcript.empty() }), "The conversation has ended.");
        } else if (state.phase === "waiting" && state.room && state.transcript.messages.length === 0) {
          // Back in line after an agent left, and the page was reloaded: the conversation so far, to read.
          effects.push({ kind: "history", room: state.room, after: 0 });
        }
        break;
      case "left":
        after = ended(set(state, { room: null }), "You left the queue.");
        break;
      case "leave-failed":
        // Still in line: the session is kept and the guest may try again.
        after = set(state, { statusLine: event.code === "disconnected"
          ? "Not connected just now: please try again in a moment." : guestText(event.code) });
        break;
      case "new-chat":
        after = form(state);
        if (suggestsMessage(state.info)) {
          after = set(after, { phase: "message" });
        }
        effects.push({ kind: "stop" });
        break;
      case "sent":
        after = state.sendError ? set(state, { sendError: "" }) : state;
        break;
      case "not-sent":
        after = set(state, { sendError: sendText(event.code) });
        break;
      case "added":
        after = set(state, { added: state.added.concat([event.body]), sendError: "" });
        break;
      case "connection":
        after = set(state, { statusLine: event.state === "reconnecting" ? "Connection lost, reconnecting…" : "" });
        break;
      case "identified":
        after = set(state, { session: event.session, starting: null, attaching: null, kept: null });
        break;
      case "queuepos":
        after = set(state, { phase: "waiting", queuepos: event, queueposAt: now });
        break;
      case "joined": {
        // The same conversation, or the next room of one whose agent was gone: it starts with the same messages at
        // the same seqs, so the transcript on screen stays and only what is new is fetched.
        const carried = state.phase === "chat" && state.room === event.room || state.transcript.messages.length > 0
          && state.phase === "waiting";
        const transcript = carried ? state.transcript : Transcript.empty();
        after = set(state, { phase: "chat", room: event.room, agent: event.agent, transcript, endLine: "",
          notice: "", events: carried ? state.events : [] });
        effects.push({ kind: "history", room: event.room, after: transcript.contiguous });
        break;
      }
      case "message":
      case "history":
        after = receive(state, event, effects);
        break;
      case "notification":
        after = notification(state, event);
        break;
      case "status":
        if (event.room === state.room && event.of === "typing") {
          after = set(state, { typing: event.is === "true" ? event.user + " is typing…" : "" });
        } else if (event.room === state.room && event.of === "availability") {
          after = set(state, { typing: event.is === "away" ? event.user + " lost the connection for a moment…" : "" });
        }
        break;
      case "end":
        if (event.room === state.room && state.phase !== "ended") {
          if (event.reason === "agent_gone") {
            after = agentGone(state);
          } else if (event.reason === "guest_gone") {
            after = ended(state, "The conversation ended while you were away.");
          } else {
            after = ended(state, event.user && event.user === state.name && event.user !== state.agent
              ? "You ended the conversation." : "The conversation has ended.");
          }
        }
        break;
      default:
        break;
    }
    return { state: after, effects };
  }

  /** Messages from the agent side newer than {@code seenSeq}: how many, and the newest one's text. */
  function unread(state, seenSeq) {
    const fresh = state.transcript.messages.filter((message) => message.role !== "guest" && message.seq > seenSeq);
    return { count: fresh.length, newest: fresh.length ? fresh[fresh.length - 1] : null };
  }

  return { initial, saved, next, guestText, sendText, messageText, unread, suggestsMessage };
})();
