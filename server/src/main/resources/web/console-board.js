// The agent console's board, as pure functions of the console's state: the waiting entries, the agents and the open
// rooms, from one snapshot and then the changes the server sends (queue, team, rooms), so that no console needs a
// snapshot after an update. Served with console-state.js (which uses it) as one file.
"use strict";

/**
 * The board: the account's waiting entries, agents and open rooms, from one snapshot and then the changes the
 * server sends (queue, team, rooms). Each group and kind holds its first entries (a snapshot lists the first
 * {@link PAGE}); an entry queued or moved within them is placed, one beyond them only counted.
 */
const ConsoleBoard = (() => {
  /** How many entries of each group and kind a snapshot lists (the server's default). */
  const PAGE = 100;
  const keyOf = (group, kind) => group + (kind ? "\u0000" + kind : "");
  const timed = (entry, now) => Object.assign({}, entry, { since: now - entry.waited * 1000 });

  function flat(board) {
    const queue = [];
    for (const key of board.keys) {
      for (const entry of board.lists[key] || []) {
        queue.push(entry);
      }
    }
    return queue;
  }

  function availabilityOf(state, agents) {
    const mine = agents.find((agent) => agent.user === state.me);
    return mine ? (mine.availability === "available" ? "available" : "away") : state.availability;
  }

  function snapshot(state, event, now) {
    const board = { lists: {}, keys: [], totals: {} };
    for (const total of event.queue_totals || []) {
      const key = keyOf(total.group, total.kind);
      board.keys.push(key);
      board.totals[key] = total.total;
    }
    for (const entry of event.queue) {
      const key = keyOf(entry.group, entry.kind);
      if (!board.lists[key]) {
        board.lists[key] = [];
        if (!board.keys.includes(key)) {
          board.keys.push(key);
        }
      }
      board.lists[key].push(timed(entry, now));
      if (!event.queue_totals) {
        board.totals[key] = (board.totals[key] || 0) + 1;
      }
    }
    const stats = {};
    for (const group of event.stats || []) {
      stats[group.group] = group;
    }
    return Object.assign({}, state, { board, snapshotAt: now, availability: availabilityOf(state, event.agents),
      snapshot: { agents: event.agents, queue: flat(board), rooms: event.rooms }, stats });
  }

  function queue(state, change, now, effects) {
    const entry = change.entry;
    const key = entry ? keyOf(entry.group, entry.kind) : keyOf(change.group, change.kind);
    const id = entry ? entry.id : change.id;
    const lists = Object.assign({}, state.board.lists);
    const totals = Object.assign({}, state.board.totals);
    const list = (lists[key] || []).filter((held) => held.id !== id);
    if (change.change === "queued") {
      totals[key] = (totals[key] || 0) + 1;
    } else if (change.change === "left") {
      totals[key] = Math.max(0, (totals[key] || 0) - 1);
    }
    if (entry && entry.position <= list.length && entry.position < PAGE) {
      list.splice(entry.position, 0, timed(entry, now));
      list.length = Math.min(list.length, PAGE);
    }
    lists[key] = list;
    const keys = state.board.keys.includes(key) ? state.board.keys : state.board.keys.concat([key]);
    if (list.length < Math.min(PAGE, totals[key]) - PAGE / 2) {
      // Many left from the first page: the console asks for the list again.
      effects.push({ kind: "refresh" });
    }
    const board = { lists, keys, totals };
    return Object.assign({}, state, { board, snapshot: Object.assign({}, state.snapshot, { queue: flat(board) }) });
  }

  function team(state, agent) {
    const agents = state.snapshot.agents.some((known) => known.user === agent.user)
      ? state.snapshot.agents.map((known) => (known.user === agent.user ? agent : known))
      : state.snapshot.agents.concat([agent]);
    return Object.assign({}, state, { availability: availabilityOf(state, agents),
      snapshot: Object.assign({}, state.snapshot, { agents }) });
  }

  function rooms(state, event) {
    const others = state.snapshot.rooms.filter((room) => room.room !== event.room.room);
    let list = others;
    if (event.change !== "closed") {
      const at = state.snapshot.rooms.findIndex((room) => room.room === event.room.room);
      list = at < 0 ? others.concat([event.room]) : state.snapshot.rooms.map((room) => (room.room === event.room.room
        ? event.room : room));
    }
    return Object.assign({}, state, { snapshot: Object.assign({}, state.snapshot, { rooms: list }) });
  }

  /** How many wait in all (the queue's count), listed or not. */
  function waiting(state) {
    return Object.values(state.board.totals).reduce((sum, total) => sum + total, 0);
  }

  return { snapshot, queue, team, rooms, waiting };
})();
