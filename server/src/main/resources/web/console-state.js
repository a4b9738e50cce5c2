// The agent console's state, as a pure function: next(state, event, now) gives the next state and the effects to
// run (requests to make, the session to keep, a notice to show). No DOM, no socket, no clock of its own: the page's
// glue (console-main.js) feeds it what the server says and what the agent does, and tests feed it by hand.
"use strict";

const ConsoleState = (() => {
  const { Transcript } = Switchboard;
  const Board = ConsoleBoard;

  /** What an agent reads when a request fails: by the error's code, never the server's own text. */
  const ERROR_TEXTS = {
    auth_failed: "User or token not recognised.",
    not_allowed: "That is not allowed for you here.",
    no_guests: "Nobody is waiting.",
    at_limit: "That agent has as many guests as their limit allows.",
    unknown_room: "That conversation has ended or is no longer yours.",
    unknown_agent: "There is no such agent.",
    conflict: "This changed meanwhile: look again and retry.",
    rate_limited: "Too many actions at once: wait a moment, then try again.",
    too_large: "That is too long to send.",
    invalid_field: "That could not be taken as it is: check what you entered.",
    disconnected: "The connection was lost. It comes back by itself: try again in a moment.",
  };

  /** At sign-in, a refusal for too many tries means failed sign-ins, not actions. */
  const SIGN_IN_TEXTS = Object.assign({}, ERROR_TEXTS, {
    rate_limited: "Too many failed sign-ins from here: wait a few minutes, then try again.",
  });

  const END_REASONS = {
    ended: "ended",
    guest_gone: "ended: the guest left",
    agent_gone: "ended: the agent left",
    expired: "expired",
    transferred: "handed over",
  };

  function errorText(code) {
    return ERROR_TEXTS[code] || "Something went wrong on the server. Please try again shortly.";
  }

  function signInText(code) {
    return SIGN_IN_TEXTS[code] || errorText(code);
  }

  function initial() {
    return {
      me: null,
      role: null,
      signedIn: false,
      availability: "away",
      /** The account as the console shows it: agents, the waiting entries (flat, in order), open rooms. */
      snapshot: { agents: [], queue: [], rooms: [] },
      snapshotAt: 0,
      /** The waiting entries by group and kind (a prefix of each: the first ones), and how many wait in each. */
      board: { lists: {}, keys: [], totals: {} },
      /** Guests offered to this agent now, by offer id. */
      offers: {},
      /** The canned replies this agent may use. */
      replies: [],
      /** Each group's average wait and its estimates' error over the last hour, by group. */
      stats: {},
      /** Room ids in the order they opened; byId holds each room. */
      rooms: [],
      byId: {},
      selected: null,
      /** Whether the page is hidden (another tab, minimised): then even the selected room's messages are unread. */
      hidden: false,
      eventCount: 0,
    };
  }

  /** Whether this agent wrote a message (or is its subject): by role, then by name, unique among agents. */
  function isMine(state, message) {
    return message.role !== "guest" && message.user === state.me;
  }

  /** Agents who can take a room now: available, below their limit, neither this agent nor the room's. */
  function transferTargets(state, room) {
    return state.snapshot.agents.filter((agent) => agent.user !== state.me && agent.user !== room.agent
      && agent.availability === "available" && agent.guests < agent.limit);
  }

  /** This agent's own open rooms (the ones a sign-out hands over). */
  function ownOpenRooms(state) {
    return state.rooms.map((id) => state.byId[id]).filter((room) => !room.ended && room.agent === state.me);
  }

  function withRoom(state, id, change) {
    const room = state.byId[id];
    if (!room) {
      return state;
    }
    return Object.assign({}, state, { byId: Object.assign({}, state.byId, { [id]: Object.assign({}, room, change) }) });
  }

  /** A line in a room between its messages (someone joined or left), after the newest message so far. */
  function withEvent(state, id, text) {
    const room = state.byId[id];
    if (!room) {
      return state;
    }
    const seqs = room.transcript.messages;
    const event = { key: "e" + (state.eventCount + 1), afterSeq: seqs.length ? seqs[seqs.length - 1].seq : 0, text };
    return Object.assign(withRoom(state, id, { events: room.events.concat([event]) }),
      { eventCount: state.eventCount + 1 });
  }

  function open(state, joined, effects) {
    const existing = state.byId[joined.room];
    const room = existing
      ? Object.assign({}, existing, { agent: joined.agent, ended: false, endLine: null,
        email: joined.guest.email || null, silent: joined.silent === true })
      : {
        id: joined.room,
        guest: joined.guest.user,
        question: joined.guest.question || "",
        email: joined.guest.email || null,
        agent: joined.agent,
        ended: false,
        endLine: null,
        transcript: Transcript.empty(),
        events: [],
        unread: 0,
        typing: "",
        context: null,
        silent: joined.silent === true,
      };
    if (!existing && state.selected) {
      room.unread = 1;
    }
    // After a reconnection, what was missed: the history after the last message seen without a gap.
    effects.push({ kind: "history", room: room.id, after: room.transcript.contiguous });
    effects.push({ kind: "context", room: room.id });
    if (!existing && joined.agent === state.me) {
      effects.push({ kind: "alert", room: room.id, inView: false, title: "New conversation",
        text: joined.guest.user + ": " + (joined.guest.question || "") });
    }
    return Object.assign({}, state, {
      rooms: existing ? state.rooms : state.rooms.concat([room.id]),
      byId: Object.assign({}, state.byId, { [room.id]: room }),
      selected: state.selected || room.id,
    });
  }

  function receive(state, id, messages, fromHistory, effects) {
    const room = state.byId[id];
    if (!room) {
      return state;
    }
    const { transcript, askHistoryAfter } = Transcript.receive(room.transcript, messages, fromHistory);
    const change = { transcript };
    const fresh = fromHistory ? [] : messages.filter((message) => message.role === "guest");
    if (fresh.length > 0) {
      // Only what the guest says is unread: the agents' own lines and notes are not waiting for an answer.
      if (id !== state.selected || state.hidden) {
        change.unread = room.unread + fresh.length;
      }
      if (room.agent === state.me) {
        // Only the agent concerned: a supervisor who joined reads along, unalarmed.
        effects.push({ kind: "alert", room: id, inView: id === state.selected && !state.hidden,
          title: room.guest + " wrote", text: fresh[fresh.length - 1].body });
      }
    }
    if (messages.length > 0 && !isMine(state, messages[messages.length - 1])) {
      change.typing = "";
    }
    if (room.silent && messages.some((message) => isMine(state, message) && message.private !== true)) {
      // A supervisor who joined silently wrote to the guest: they are seen now.
      change.silent = false;
    }
    if (askHistoryAfter !== null) {
      effects.push({ kind: "history", room: id, after: askHistoryAfter });
    }
    return withRoom(state, id, change);
  }

  function end(state, ended, effects) {
    if (!state.byId[ended.room]) {
      return state;
    }
    const line = ended.reason === "left" ? "You left the conversation." : "Conversation "
      + (END_REASONS[ended.reason] || "ended") + (ended.user ? " by " + ended.user : "") + ".";
    return withRoom(state, ended.room, { ended: true, typing: "", endLine: line });
  }

  function notification(state, event, effects) {
    if (event.role === "guest") {
      return state;
    }
    if (event.details === "left" && isMine(state, event)) {
      const room = state.byId[event.room];
      // A supervisor who joined leaves; the room's agent who left handed it over.
      return end(state, { room: event.room, user: null, reason: room && room.agent !== state.me ? "left"
        : "transferred" }, effects);
    }
    if (isMine(state, event)) {
      return state;
    }
    const who = event.user + (event.role === "supervisor" ? " (supervisor)" : "");
    return withEvent(state, event.room, who + (event.details === "joined" ? " joined the conversation."
      : " left the conversation."));
  }

  function closeTab(state, id) {
    const room = state.byId[id];
    if (!room || !room.ended) {
      return state;
    }
    const rooms = state.rooms.filter((other) => other !== id);
    const byId = Object.assign({}, state.byId);
    delete byId[id];
    const at = state.rooms.indexOf(id);
    const selected = state.selected !== id ? state.selected : rooms[Math.min(at, rooms.length - 1)] || null;
    return Object.assign({}, state, { rooms, byId, selected });
  }

  /**
   * The next state after an event, and the effects to run. Server messages come as they are; what the agent does
   * comes as {type: "select", room}, {type: "close-tab", room}, {type: "silent", room} (this supervisor joined it
   * silently), {type: "page", hidden} (the page went to the background or came back) or {type: "signed-out"}. {@code now} is the page's
   * clock in milliseconds.
   */
  function next(state, event, now) {
    const effects = [];
    let after = state;
    switch (event.type) {
      case "identified":
        effects.push({ kind: "session", session: event.session });
        // Offers that ended while the connection was away are gone: the server sends the open ones again.
        after = Object.assign({}, state, { me: event.user, role: event.role, signedIn: true, offers: {} });
        break;
      case "snapshot":
        after = Board.snapshot(state, event, now);
        break;
      case "queue":
        after = Board.queue(state, event, now, effects);
        break;
      case "team":
        after = Board.team(state, event.agent);
        break;
      case "stats":
        after = Object.assign({}, state, { stats: Object.assign({}, state.stats, { [event.group]: event }) });
        break;
      case "rooms":
        after = Board.rooms(state, event);
        break;
      case "update":
        // The board's changes (queue, team, rooms) tell the console everything an update would.
        break;
      case "offer":
        after = Object.assign({}, state, { offers: Object.assign({}, state.offers, { [event.offer]: event }) });
        effects.push({ kind: "alert", room: null, inView: false, title: "A guest for you",
          text: event.guest.user + ": " + event.guest.question });
        break;
      case "offer_end": {
        const offers = Object.assign({}, state.offers);
        delete offers[event.offer];
        after = Object.assign({}, state, { offers });
        if (event.reason === "missed") {
          effects.push({ kind: "notice", text: "The time to take that guest ran out: they went to a colleague." });
        }
        break;
      }
      case "alert":
        alerted(state, event, now, effects);
        break;
      case "context":
        after = withRoom(state, event.room, { context: event });
        break;
      case "replies":
        after = Object.assign({}, state, { replies: event.replies });
        break;
      case "reply": {
        const others = state.replies.filter((reply) => reply.id !== (event.reply ? event.reply.id : event.id));
        const replies = event.reply ? others.concat([event.reply]) : others;
        replies.sort((a, b) => a.title.toLowerCase().localeCompare(b.title.toLowerCase()) || a.id.localeCompare(b.id));
        after = Object.assign({}, state, { replies });
        break;
      }
      case "notification":
        after = notification(state, event, effects);
        break;
      case "status":
        if (event.of === "typing") {
          after = withRoom(state, event.room, { typing: event.is === "true" ? event.user + " is typing…" : "" });
        } else {
          if (event.room === null && isMine(state, event)) {
            after = Object.assign({}, state, { availability: event.is === "available" ? "available" : "away" });
          }
        }
        break;
      case "joined":
        after = open(state, event, effects);
        break;
      case "message":
        after = receive(state, event.room, [event], false, effects);
        break;
      case "history":
        after = receive(state, event.room, event.messages, true, effects);
        break;
      case "end":
        after = end(state, event, effects);
        break;
      case "error":
        effects.push({ kind: "notice", text: errorText(event.code) });
        break;
      case "select":
        after = state.byId[event.room] ? withRoom(Object.assign({}, state, { selected: event.room }), event.room,
          { unread: 0 }) : state;
        break;
      case "page":
        after = Object.assign({}, state, { hidden: event.hidden });
        if (!event.hidden && state.selected && state.byId[state.selected]) {
          after = withRoom(after, state.selected, { unread: 0 });
        }
        break;
      case "silent":
        after = withRoom(state, event.room, { silent: true });
        break;
      case "close-tab":
        after = closeTab(state, event.room);
        break;
      case "signed-out":
        after = Object.assign(initial(), { hidden: state.hidden });
        break;
      default:
        break;
    }
    return { state: after, effects };
  }

  /**
   * What the server's alerts say. For this agent: a sound and (page hidden) a notification when a guest waits for
   * their answer, and a line when they were set away. For a supervisor about someone else: a line.
   */
  function alerted(state, alert, now, effects) {
    const mine = alert.agent === state.me;
    const room = alert.room ? state.byId[alert.room] : null;
    const guest = room ? room.guest : "A guest";
    const waited = alert.since ? Switchboard.formatDuration(Math.max(0, (now - alert.since) / 1000)) : "";
    const plural = (count, word) => count + " open " + word + (count === 1 ? "" : "s");
    switch (alert.kind) {
      case "unanswered":
        if (mine) {
          effects.push({ kind: "alert", room: alert.room, inView: false, repeat: true, title: "Waiting for you",
            text: guest + " has waited " + waited + " for your answer." });
        } else {
          effects.push({ kind: "notice", text: (room ? guest : "A guest") + " has waited " + waited
            + " for an answer from " + alert.agent + "." });
        }
        break;
      case "missed_offers":
        effects.push({ kind: "notice", text: mine ? "You are now away: " + alert.count + " guests offered to you "
          + "went unanswered. Set yourself available when you are back." : alert.agent + " is now away after "
          + alert.count + " offers went unanswered." });
        break;
      case "auto_away":
        effects.push({ kind: "notice", text: mine ? "You are now away: this page was in the background with "
          + "nothing done for a while." : alert.agent + " is now away: their console was in the background." });
        break;
      case "away_with_rooms":
        effects.push({ kind: "notice", text: mine ? "You are away with " + plural(alert.count, "conversation")
          + ": those guests still wait for your answers." : alert.agent + " is away with "
          + plural(alert.count, "conversation") + "." });
        break;
      default:
        break;
    }
  }

  /** Canned replies whose title (first) or text holds the query, for the composer's "/" search. */
  function findReplies(replies, query) {
    const q = query.trim().toLowerCase();
    const byTitle = replies.filter((reply) => reply.title.toLowerCase().includes(q));
    const byText = replies.filter((reply) => !byTitle.includes(reply) && reply.body.toLowerCase().includes(q));
    return byTitle.concat(byText);
  }

  /** A canned reply's text with its placeholders filled in; an unknown value leaves nothing behind. */
  function fill(body, values) {
    return body.replace(/\{(guest|agent|group)\}/g, (all, name) => values[name] || "");
  }

  /** How many guest messages wait unread in every room (the page title shows it). */
  function unreadTotal(state) {
    return state.rooms.reduce((sum, id) => sum + (state.byId[id].unread || 0), 0);
  }

  return { initial, next, errorText, signInText, isMine, transferTargets, ownOpenRooms, findReplies, fill,
    unreadTotal, waiting: Board.waiting };
})();
