// The guest widget's state, as a pure function: next(state, event, now) gives the next state and the effects to run.
// Events are what the server says and what the guest does; no DOM, no socket, no clock of its own. What survives a
// page reload is saved(state), and initial(saved) starts from it.
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

  /**
   * A widget as the page left it: a guest with a session (or one who was starting) reconnects at once, open unless
   * they had closed it; one who only had the form open sees it again.
   */
  function initial(saved) {
    const kept = saved || {};
    const resuming = Boolean(kept.session || kept.starting);
    return {
      phase: resuming ? "connecting" : kept.open ? "form" : "idle",
      open: resuming ? kept.open !== false : kept.open === true,
      name: kept.name || "",
      session: kept.session || null,
      starting: kept.starting || null,
      room: kept.room || null,
      agent: kept.agent || null,
      connecting: resuming ? "Reconnecting to your chat…" : "",
      queuepos: null,
      queueposAt: 0,
      transcript: Transcript.empty(),
      typing: "",
      formError: "",
      endLine: "",
      statusLine: "",
    };
  }

  /** What is kept in sessionStorage: a finished chat keeps only the guest's name. */
  function saved(state) {
    if (state.phase === "ended" || state.phase === "form" || state.phase === "idle") {
      return { name: state.name, open: state.open };
    }
    return { name: state.name, open: state.open, session: state.session, starting: state.starting, room: state.room,
      agent: state.agent };
  }

  function set(state, change) {
    return Object.assign({}, state, change);
  }

  /** The chat is over: nothing of it can be resumed, but the transcript stays on screen. */
  function ended(state, line) {
    return set(state, { phase: "ended", session: null, starting: null, typing: "", endLine: line, statusLine: "" });
  }

  function form(state, error) {
    return set(state, { phase: "form", session: null, starting: null, room: null, agent: null, queuepos: null,
      transcript: Transcript.empty(), typing: "", endLine: "", formError: error || "", statusLine: "" });
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

  /**
   * The next state after an event, and the effects to run: {kind: "sign-in"} (identify or resume now), {kind:
   * "history", room, after}, {kind: "stop"} (close the connection for good). What the guest does comes as {type:
   * "open"}, {type: "close"}, {type: "start", user, question}, {type: "failed", code}, {type: "resumed"}, {type:
   * "resume-failed"}, {type: "left"}, {type: "new-chat"}, {type: "not-sent", code} and {type: "connection", state}.
   */
  function next(state, event, now) {
    const effects = [];
    let after = state;
    switch (event.type) {
      case "open":
        after = set(state, { open: true, phase: state.phase === "idle" ? "form" : state.phase });
        break;
      case "close":
        after = set(state, { open: false });
        break;
      case "start":
        after = set(form(state), { phase: "connecting", connecting: "Connecting…", name: event.user,
          starting: { user: event.user, question: event.question }, open: true });
        effects.push({ kind: "sign-in" });
        break;
      case "failed":
        after = form(state, guestText(event.code));
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
        }
        break;
      case "left":
        after = ended(set(state, { room: null }), "You left the queue.");
        break;
      case "new-chat":
        after = form(state);
        effects.push({ kind: "stop" });
        break;
      case "not-sent":
        after = set(state, { statusLine: "Not sent: " + guestText(event.code) });
        break;
      case "connection":
        after = set(state, { statusLine: event.state === "reconnecting" ? "Connection lost, reconnecting…" : "" });
        break;
      case "identified":
        after = set(state, { session: event.session, starting: null });
        break;
      case "queuepos":
        after = set(state, { phase: "waiting", queuepos: event, queueposAt: now });
        break;
      case "joined": {
        const sameRoom = state.phase === "chat" && state.room === event.room;
        const transcript = sameRoom ? state.transcript : Transcript.empty();
        after = set(state, { phase: "chat", room: event.room, agent: event.agent, transcript, endLine: "" });
        effects.push({ kind: "history", room: event.room, after: transcript.contiguous });
        break;
      }
      case "message":
      case "history":
        after = receive(state, event, effects);
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
          after = ended(state, event.reason === "guest_gone" ? "The conversation ended while you were away."
            : "The conversation has ended.");
        }
        break;
      default:
        break;
    }
    return { state: after, effects };
  }

  return { initial, saved, next, guestText };
})();
