// The agent console: sign in, availability, the live queue, rooms as tabs with chat and typing, end and transfer, and
// for supervisors every agent's load and limit and every open room. After a dropped connection it resumes its
// session and rebuilds its view from snapshot, joined and history, each message once.
"use strict";

(function () {
  const SESSION_KEY = "switchboard.console.session";
  const $ = (id) => document.getElementById(id);
  const state = {
    me: null,
    role: null,
    rooms: new Map(),
    selected: null,
    snapshot: { agents: [], queue: [], rooms: [] },
    snapshotAt: Date.now(),
    snapshotTimer: null,
  };
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  let pendingLogin = null;

  const client = new SwitchboardClient(url, {
    onState: showConnection,
    onWelcome: signInAgain,
    onMessage: handle,
  });

  function showConnection(connection) {
    const text = { connecting: "Connecting…", open: "Connected", reconnecting: "Reconnecting…", closed: "Signed out" };
    $("connection").textContent = text[connection] || connection;
  }

  function notice(text) {
    const box = $("notice");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Signing in, and back in after a reconnection

  function signInAgain() {
    const session = sessionStorage.getItem(SESSION_KEY);
    if (pendingLogin) {
      const { user, token } = pendingLogin;
      pendingLogin = null;
      client.request("login", { user, token }).catch((e) => {
        $("sign-in-error").textContent = e.code === "auth_failed" ? "User or token not recognised." : e.message;
        client.stop();
      });
    } else if (session) {
      client.request("resume", { session }).catch((e) => {
        if (e.code === "auth_failed") {
          sessionStorage.removeItem(SESSION_KEY);
          client.stop();
          showSignIn("Your session has expired: please sign in again.");
        }
      });
    }
  }

  function showSignIn(message) {
    $("sign-in").hidden = false;
    $("desk").hidden = true;
    $("who").hidden = true;
    $("availability-box").hidden = true;
    $("sign-out").hidden = true;
    $("sign-in-error").textContent = message || "";
    $("user").focus();
  }

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    pendingLogin = { user: $("user").value.trim(), token: $("token").value };
    client.start();
  });

  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(SESSION_KEY);
    client.stop();
    for (const room of state.rooms.values()) {
      room.tab.remove();
      room.panel.remove();
    }
    state.rooms.clear();
    state.selected = null;
    showSignIn();
  });

  $("availability").addEventListener("change", (event) => {
    client.request("status", { of: "availability", is: event.target.value }).catch((e) => notice(e.message));
  });

  $("assist").addEventListener("click", () => {
    client.request("assist", {}).catch((e) => notice(e.code === "no_guests" ? "Nobody is waiting." : e.message));
  });

  // ---------------------------------------------------------------------------------------------------------------
  // What the server says

  /**
   * Whether this signed-in agent wrote a message (or is the subject of a notification or status): by role first, then
   * by name among agents, whose names are unique in the account. A guest named like an agent is refused by the server,
   * and even one that got through would carry the role guest.
   */
  function isMe(message) {
    return message.role !== "guest" && message.user === state.me;
  }

  function handle(message) {
    switch (message.type) {
      case "identified":
        sessionStorage.setItem(SESSION_KEY, message.session);
        state.me = message.user;
        state.role = message.role;
        document.body.classList.toggle("supervisor", message.role === "supervisor");
        $("who").textContent = message.user + (message.role === "supervisor" ? " (supervisor)" : "");
        $("who").hidden = false;
        $("availability-box").hidden = false;
        $("sign-out").hidden = false;
        $("sign-in").hidden = true;
        $("desk").hidden = false;
        break;
      case "snapshot":
        state.snapshot = message;
        state.snapshotAt = Date.now();
        renderSnapshot();
        break;
      case "update":
        refreshSnapshot();
        break;
      case "notification":
        if (message.details === "left" && isMe(message)) {
          endRoom({ room: message.room, user: null, reason: "transferred" });
        }
        refreshSnapshot();
        break;
      case "status":
        if (message.of === "typing") {
          showTyping(message);
        } else {
          refreshSnapshot();
          if (message.room === null && isMe(message)) {
            $("availability").value = message.is === "available" ? "available" : "away";
          }
        }
        break;
      case "joined":
        openRoom(message);
        refreshSnapshot();
        break;
      case "message":
        receive(message.room, [message]);
        break;
      case "history":
        receive(message.room, message.messages, true);
        break;
      case "end":
        endRoom(message);
        break;
      case "error":
        notice(message.message);
        break;
      default:
        break;
    }
  }

  /** Asks for a fresh snapshot, at most about four times a second. */
  function refreshSnapshot() {
    if (state.snapshotTimer) {
      return;
    }
    state.snapshotTimer = setTimeout(() => {
      state.snapshotTimer = null;
      client.request("snapshot", {}).catch(() => { });
    }, 250);
  }

  function renderSnapshot() {
    const { agents, queue, rooms } = state.snapshot;
    const list = $("queue");
    list.replaceChildren();
    for (const entry of queue) {
      const item = element("li");
      const name = element("strong", null, entry.user);
      const meta = element("span", "meta");
      meta.dataset.waited = entry.waited;
      meta.dataset.group = entry.group;
      item.append(name, " ", meta, element("p", "q", entry.question));
      list.append(item);
    }
    $("queue-count").textContent = String(queue.length);
    $("queue-empty").hidden = queue.length > 0;
    tick();

    const me = agents.find((agent) => agent.user === state.me);
    if (me) {
      $("availability").value = me.availability === "available" ? "available" : "away";
    }
    const table = $("agents");
    table.replaceChildren();
    for (const agent of agents) {
      const row = element("tr");
      row.append(element("td", null, agent.user));
      row.append(element("td", "status-" + agent.availability, agent.availability));
      row.append(element("td", null, agent.guests + " / " + agent.limit));
      const limitCell = element("td", "supervisor-only");
      if (state.role === "supervisor") {
        const input = element("input");
        input.type = "number";
        input.min = "1";
        input.max = "10";
        input.value = String(agent.limit);
        input.setAttribute("aria-label", "Limit of " + agent.user);
        input.addEventListener("change", () => {
          const limit = Number(input.value);
          if (Number.isInteger(limit) && limit >= 1 && limit <= 10) {
            client.request("limit", { limit, agent: agent.user }).catch((e) => notice(e.message));
          }
        });
        limitCell.append(input);
      }
      row.append(limitCell);
      table.append(row);
    }

    const open = $("open-rooms");
    open.replaceChildren();
    for (const room of rooms) {
      const item = element("li");
      item.append(element("span", null, room.guest + " with " + room.agent));
      const mine = room.agent === state.me || state.rooms.has(room.room) && !state.rooms.get(room.room).ended;
      if (!mine) {
        const join = element("button", "secondary", "Join");
        join.type = "button";
        join.setAttribute("aria-label", "Join the conversation of " + room.guest);
        join.addEventListener("click", () => client.request("join", { room: room.room }).catch((e) => notice(e.message)));
        item.append(join);
      }
      open.append(item);
    }
    for (const room of state.rooms.values()) {
      fillTransferChoices(room);
    }
  }

  /** The waiting times count up between snapshots. */
  function tick() {
    const elapsed = (Date.now() - state.snapshotAt) / 1000;
    for (const meta of document.querySelectorAll("#queue .meta")) {
      meta.textContent = meta.dataset.group + " · waiting " + formatDuration(Number(meta.dataset.waited) + elapsed);
    }
  }
  setInterval(tick, 1000);

  // ---------------------------------------------------------------------------------------------------------------
  // Rooms

  function openRoom(joined) {
    let room = state.rooms.get(joined.room);
    if (!room) {
      room = createRoom(joined);
      state.rooms.set(joined.room, room);
    }
    room.agent = joined.agent;
    room.ended = false;
    room.tab.classList.remove("ended");
    room.panel.querySelector("textarea").disabled = false;
    room.panel.querySelector(".end").disabled = false;
    fillTransferChoices(room);
    // After a reconnection, what was missed: the history after the last message seen without a gap.
    client.request("history", { room: joined.room, after: room.transcript.contiguous }).catch(() => { });
    if (!state.selected) {
      select(joined.room);
    }
    $("no-rooms").hidden = true;
    renderSnapshot();
  }

  function createRoom(joined) {
    const panel = $("panel-template").content.firstElementChild.cloneNode(true);
    panel.id = "panel-" + joined.room;
    panel.hidden = true;
    panel.querySelector(".guest-name").textContent = joined.guest.user;
    panel.querySelector(".question").textContent = joined.guest.question || "";
    const list = panel.querySelector(".messages");
    const room = {
      id: joined.room,
      guest: joined.guest.user,
      agent: joined.agent,
      ended: false,
      panel,
      typing: new TypingSignal(client, () => (room.ended ? null : room.id)),
      transcript: new Transcript((message, beforeSeq) => {
        const item = element("li", isMe(message) ? "mine" : message.role === "guest" ? "guest" : "");
        item.dataset.seq = message.seq;
        item.append(element("span", "from", message.user + " · " + new Date(message.sent).toLocaleTimeString()));
        item.append(element("span", "body", message.body));
        const before = beforeSeq === null ? null : list.querySelector("li[data-seq='" + beforeSeq + "']");
        list.insertBefore(item, before);
        list.scrollTop = list.scrollHeight;
      }),
    };
    const tab = element("button", null, joined.guest.user);
    tab.type = "button";
    tab.id = "tab-" + joined.room;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    tab.setAttribute("aria-selected", "false");
    tab.addEventListener("click", () => select(joined.room));
    tab.addEventListener("keydown", (event) => {
      const tabs = [...document.querySelectorAll("#tabs [role=tab]")];
      const at = tabs.indexOf(tab);
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        next.focus();
        next.click();
      }
    });
    panel.setAttribute("aria-labelledby", tab.id);
    room.tab = tab;
    $("tabs").append(tab);
    $("panels").append(panel);

    const text = panel.querySelector("textarea");
    panel.querySelector(".composer").addEventListener("submit", (event) => {
      event.preventDefault();
      send(room, text);
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send(room, text);
      }
    });
    text.addEventListener("input", () => room.typing.input());
    panel.querySelector(".end").addEventListener("click", () => {
      client.request("end", { room: room.id }).catch((e) => notice(e.message));
    });
    panel.querySelector(".transfer").addEventListener("click", () => {
      const to = panel.querySelector(".transfer-to").value;
      if (to) {
        client.request("transfer", { room: room.id, agent: to }).catch((e) => notice(e.message));
      }
    });
    return room;
  }

  function fillTransferChoices(room) {
    const select = room.panel.querySelector(".transfer-to");
    const chosen = select.value;
    select.replaceChildren();
    for (const agent of state.snapshot.agents) {
      if (agent.user !== room.agent && agent.availability !== "offline") {
        const option = element("option", null, agent.user + " (" + agent.guests + "/" + agent.limit + ")");
        option.value = agent.user;
        select.append(option);
      }
    }
    if (chosen) {
      select.value = chosen;
    }
    const canTransfer = select.options.length > 0 && !room.ended
        && (room.agent === state.me || state.role === "supervisor");
    room.panel.querySelector(".transfer").disabled = !canTransfer;
  }

  function select(id) {
    state.selected = id;
    for (const room of state.rooms.values()) {
      const chosen = room.id === id;
      room.panel.hidden = !chosen;
      room.tab.setAttribute("aria-selected", String(chosen));
      room.tab.tabIndex = chosen ? 0 : -1;
      if (chosen) {
        room.tab.classList.remove("unread");
      }
    }
  }

  function receive(id, messages, fromHistory) {
    const room = state.rooms.get(id);
    if (!room) {
      return;
    }
    const gap = room.transcript.add(messages);
    if (messages.length > 0 && id !== state.selected && !fromHistory) {
      room.tab.classList.add("unread");
    }
    if (messages.length > 0 && !isMe(messages[messages.length - 1])) {
      room.panel.querySelector(".typing").textContent = "";
    }
    if (gap || fromHistory && messages.length === 500) {
      client.request("history", { room: id, after: room.transcript.contiguous }).catch(() => { });
    }
  }

  function send(room, text) {
    const body = text.value.trim();
    if (!body || room.ended) {
      return;
    }
    text.value = "";
    room.typing.stop();
    client.request("message", { room: room.id, body }).catch((e) => {
      text.value = body;
      notice("Not sent: " + e.message);
    });
  }

  function showTyping(status) {
    const room = state.rooms.get(status.room);
    if (room) {
      room.panel.querySelector(".typing").textContent = status.is === "true" ? status.user + " is typing…" : "";
    }
  }

  function endRoom(end) {
    const room = state.rooms.get(end.room);
    if (!room) {
      return;
    }
    room.ended = true;
    room.tab.classList.add("ended");
    room.panel.querySelector("textarea").disabled = true;
    room.panel.querySelector(".transfer").disabled = true;
    room.panel.querySelector(".end").disabled = true;
    room.panel.querySelector(".typing").textContent = "";
    const reasons = { ended: "ended", guest_gone: "ended: the guest left", agent_gone: "ended: the agent left",
      expired: "expired", transferred: "handed over" };
    const line = element("li", "system", "Conversation " + (reasons[end.reason] || end.reason)
        + (end.user ? " by " + end.user : "") + ".");
    room.panel.querySelector(".messages").append(line);
    refreshSnapshot();
  }

  // A console that was signed in comes back by itself after a reload.
  if (sessionStorage.getItem(SESSION_KEY)) {
    $("sign-in").hidden = true;
    client.start();
  } else {
    showSignIn();
  }
})();
