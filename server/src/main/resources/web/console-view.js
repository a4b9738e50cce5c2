// The agent console's view: draws a ConsoleState into the page with keyed updates. Each queue entry, agent, open
// room, tab, panel and message is made once and then only changed where the state changed, so nothing an agent is
// doing is replaced under them (a half-typed limit, a chosen transfer target, the scroll of a transcript).
"use strict";

const ConsoleView = (() => {
  const { element, setText, formatDuration, reconcile, keyed, composer } = Switchboard;

  function create(doc, actions) {
    const $ = (id) => doc.getElementById(id);
    const queueItems = new Map();
    const agentRows = new Map();
    const openRoomItems = new Map();
    const tabs = new Map();
    const panels = new Map();
    let current = null;

    function notice(text) {
      const box = $("notice");
      box.textContent = text;
      box.hidden = false;
      clearTimeout(notice.timer);
      notice.timer = setTimeout(() => { box.hidden = true; }, 5000);
    }

    function showSignIn(message) {
      $("sign-in").hidden = false;
      $("sign-in-error").textContent = message || "";
      $("user").focus();
    }

    function render(state, now) {
      current = state;
      const signedIn = state.signedIn;
      doc.body.classList.toggle("supervisor", state.role === "supervisor");
      if (signedIn) {
        $("sign-in").hidden = true;
      }
      $("desk").hidden = !signedIn;
      $("who").hidden = !signedIn;
      $("availability-box").hidden = !signedIn;
      $("sign-out").hidden = !signedIn;
      setText($("who"), state.me ? state.me + (state.role === "supervisor" ? " (supervisor)" : "") : "");
      const availability = $("availability");
      if (doc.activeElement !== availability && availability.value !== state.availability) {
        availability.value = state.availability;
      }
      renderQueue(state, now);
      renderAgents(state);
      renderOpenRooms(state);
      renderRooms(state);
    }

    function renderQueue(state, now) {
      const queue = state.snapshot.queue;
      const keys = keyed(queue, (entry) => entry.group + "\u0000" + entry.user + "\u0000" + entry.question);
      reconcile($("queue"), queueItems, keys, () => {
        const item = element("li");
        item.append(element("strong"), " ", element("span", "meta"), element("p", "q"));
        return item;
      }, (item, key, index) => {
        const entry = queue[index];
        setText(item.querySelector("strong"), entry.user);
        setText(item.querySelector(".q"), entry.question);
        const meta = item.querySelector(".meta");
        meta.dataset.waited = entry.waited;
        meta.dataset.group = entry.group;
      });
      setText($("queue-count"), String(queue.length));
      $("queue-empty").hidden = queue.length > 0;
      tick(now);
    }

    /** The waiting times count up between snapshots. */
    function tick(now) {
      if (!current) {
        return;
      }
      const elapsed = (now - current.snapshotAt) / 1000;
      for (const meta of $("queue").querySelectorAll(".meta")) {
        setText(meta, meta.dataset.group + " · waiting " + formatDuration(Number(meta.dataset.waited) + elapsed));
      }
    }

    function renderAgents(state) {
      const agents = state.snapshot.agents;
      const supervisor = state.role === "supervisor";
      reconcile($("agents"), agentRows, agents.map((agent) => agent.user), (user) => {
        const row = element("tr");
        row.append(element("td", null, user), element("td"), element("td"), element("td", "supervisor-only"));
        return row;
      }, (row, user, index) => {
        const agent = agents[index];
        const cells = row.children;
        setText(cells[1], agent.availability);
        cells[1].className = "status-" + agent.availability;
        setText(cells[2], agent.guests + " / " + agent.limit);
        let input = cells[3].querySelector("input");
        if (supervisor && !input) {
          input = limitInput(user);
          cells[3].append(input);
        } else if (!supervisor && input) {
          input.remove();
          input = null;
        }
        // What a supervisor is typing stays: the server's value is shown only while the field is not in use.
        if (input && doc.activeElement !== input && input.value !== String(agent.limit)) {
          input.value = String(agent.limit);
        }
      });
    }

    function limitInput(user) {
      const input = element("input");
      input.type = "number";
      input.min = "1";
      input.max = "10";
      input.setAttribute("aria-label", "Limit of " + user);
      input.addEventListener("change", () => {
        const limit = Number(input.value);
        if (Number.isInteger(limit) && limit >= 1 && limit <= 10) {
          actions.limit(user, limit);
        }
      });
      return input;
    }

    function renderOpenRooms(state) {
      const rooms = state.snapshot.rooms;
      reconcile($("open-rooms"), openRoomItems, rooms.map((room) => room.room), () => {
        const item = element("li");
        item.append(element("span"));
        return item;
      }, (item, id, index) => {
        const room = rooms[index];
        setText(item.firstChild, room.guest + " with " + room.agent);
        const mine = room.agent === state.me || state.byId[id] && !state.byId[id].ended;
        let join = item.querySelector("button");
        if (!mine && !join) {
          join = element("button", "secondary", "Join");
          join.type = "button";
          join.addEventListener("click", () => actions.join(id));
          item.append(join);
        } else if (mine && join) {
          join.remove();
        }
        if (join && !mine) {
          join.setAttribute("aria-label", "Join the conversation of " + room.guest);
        }
      });
    }

    function renderRooms(state) {
      reconcile($("tabs"), tabs, state.rooms, makeTab, (tab, id) => {
        const room = state.byId[id];
        const chosen = id === state.selected;
        setText(tab, room.guest);
        tab.classList.toggle("ended", room.ended);
        tab.classList.toggle("unread", room.unread && !chosen);
        tab.setAttribute("aria-selected", String(chosen));
        tab.tabIndex = chosen ? 0 : -1;
      });
      reconcile($("panels"), panels, state.rooms, makePanel, (panel, id) => updatePanel(panel, state, state.byId[id]));
      $("no-rooms").hidden = state.rooms.length > 0;
    }

    function makeTab(id) {
      const tab = element("button");
      tab.type = "button";
      tab.id = "tab-" + id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", "panel-" + id);
      tab.addEventListener("click", () => actions.select(id));
      tab.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") {
          return;
        }
        const ids = current.rooms;
        const at = ids.indexOf(id);
        const next = ids[(at + (event.key === "ArrowRight" ? 1 : ids.length - 1)) % ids.length];
        actions.select(next);
        tabs.get(next).focus();
      });
      return tab;
    }

    function makePanel(id) {
      const panel = $("panel-template").content.firstElementChild.cloneNode(true);
      panel.id = "panel-" + id;
      panel.setAttribute("aria-labelledby", "tab-" + id);
      panel.messageItems = new Map();
      composer(panel.querySelector(".composer"), panel.querySelector("textarea"), () => {
        const room = current.byId[id];
        return Boolean(room) && !room.ended;
      }, (body) => actions.send(id, body), () => actions.typing(id));
      panel.querySelector(".end").addEventListener("click", () => actions.end(id));
      panel.querySelector(".transfer").addEventListener("click", () => {
        const to = panel.querySelector(".transfer-to").value;
        if (to) {
          actions.transfer(id, to);
        }
      });
      return panel;
    }

    function updatePanel(panel, state, room) {
      panel.hidden = room.id !== state.selected;
      setText(panel.querySelector(".guest-name"), room.guest);
      setText(panel.querySelector(".question"), room.question);
      panel.querySelector("textarea").disabled = room.ended;
      panel.querySelector(".end").disabled = room.ended;
      setText(panel.querySelector(".typing"), room.typing);
      renderMessages(panel, state, room);
      renderTransferChoices(panel, state, room);
    }

    function renderMessages(panel, state, room) {
      const list = panel.querySelector(".messages");
      const messages = room.transcript.messages;
      const keys = messages.map((message) => "m" + message.seq);
      if (room.endLine) {
        keys.push("end");
      }
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
      const before = list.childElementCount;
      reconcile(list, panel.messageItems, keys, (key, index) => {
        if (key === "end") {
          return element("li", "system");
        }
        const message = messages[index];
        const item = element("li", ConsoleState.isMine(state, message) ? "mine"
          : message.role === "guest" ? "guest" : "");
        item.dataset.seq = message.seq;
        item.append(element("span", "from", message.user + " · " + new Date(message.sent).toLocaleTimeString()));
        item.append(element("span", "body", message.body));
        return item;
      }, (item, key) => {
        if (key === "end") {
          setText(item, room.endLine);
        }
      });
      if (list.childElementCount !== before && atBottom) {
        list.scrollTop = list.scrollHeight;
      }
    }

    function renderTransferChoices(panel, state, room) {
      const select = panel.querySelector(".transfer-to");
      const choices = state.snapshot.agents.filter((agent) => agent.user !== room.agent
        && agent.availability !== "offline");
      select.optionItems = select.optionItems || new Map();
      reconcile(select, select.optionItems, choices.map((agent) => agent.user), (user) => {
        const option = element("option");
        option.value = user;
        return option;
      }, (option, user, index) => {
        const agent = choices[index];
        setText(option, agent.user + " (" + agent.guests + "/" + agent.limit + ")");
      });
      const canTransfer = choices.length > 0 && !room.ended
        && (room.agent === state.me || state.role === "supervisor");
      panel.querySelector(".transfer").disabled = !canTransfer;
    }

    return { render, tick, notice, showSignIn };
  }

  return { create };
})();
