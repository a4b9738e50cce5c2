// The agent console's view: draws a ConsoleState into the page with keyed updates. Each queue entry, agent, open
// room, tab, panel and message is made once and then only changed where the state changed, so nothing an agent is
// doing is replaced under them (a half-typed limit, a chosen transfer target, the scroll of a transcript).
"use strict";

const ConsoleView = (() => {
  const { element, setText, formatDuration, reconcile, keyed, composer, markdown } = Switchboard;

  /** A guest limit as the contract allows it. */
  const LIMIT_MIN = 1;
  const LIMIT_MAX = 10;

  function create(doc, actions) {
    const $ = (id) => doc.getElementById(id);
    const queueItems = new Map();
    const agentRows = new Map();
    const openRoomItems = new Map();
    const offerItems = new Map();
    const replies = ConsoleWorkspace.repliesDialog(doc, actions);
    const tabs = new Map();
    const panels = new Map();
    let current = null;

    function notice(text) {
      const box = $("notice");
      box.textContent = text;
      box.hidden = false;
      clearTimeout(notice.timer);
      notice.timer = setTimeout(() => { box.hidden = true; }, 6000);
    }

    function showSignIn(message) {
      $("sign-in").hidden = false;
      $("sign-in-error").textContent = message || "";
      $("user").focus();
    }

    /** The connection lost: a banner until it is back. */
    function offline(lost) {
      $("offline").hidden = !lost;
      doc.body.classList.toggle("is-offline", lost);
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
      $("sound-box").hidden = !signedIn;
      $("replies-open").hidden = !signedIn;
      ConsoleWorkspace.title(doc, ConsoleState.unreadTotal(state));
      ConsoleWorkspace.renderOffers($("offers"), offerItems, state.offers, now, actions);
      replies.render(state);
      const away = state.availability !== "available" ? ConsoleState.ownOpenRooms(state).length : 0;
      $("away-rooms").hidden = away === 0;
      setText($("away-rooms"), "You are away with " + away + " open conversation" + (away === 1 ? "" : "s")
        + ": your guests still wait for your answers.");
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
      const keys = keyed(queue, (entry) => (entry.kind || "chat") + "\u0000" + entry.group + "\u0000" + entry.user
        + "\u0000" + entry.question);
      reconcile($("queue"), queueItems, keys, () => {
        const item = element("li");
        item.append(element("span", "kind"), element("strong"), " ", element("span", "meta"), element("p", "q"));
        return item;
      }, (item, key, index) => {
        const entry = queue[index];
        const message = entry.kind === "message";
        item.classList.toggle("by-email", message);
        setText(item.querySelector(".kind"), message ? "Message by email · " : "");
        setText(item.querySelector("strong"), entry.user);
        setText(item.querySelector(".q"), entry.question);
        const meta = item.querySelector(".meta");
        meta.dataset.since = entry.since;
        meta.dataset.group = entry.group;
        meta.dataset.replyBy = message ? entry.reply_by : "";
      });
      renderStats(state);
      const waiting = ConsoleState.waiting(state);
      setText($("queue-count"), String(waiting));
      $("queue-empty").hidden = waiting > 0;
      $("queue-more").hidden = waiting <= queue.length;
      setText($("queue-more"), "Showing the first " + queue.length + " of " + waiting + ".");
      tick(now);
    }

    /**
     * For supervisors: each group's average wait beside how far its estimates were off over the last hour. Drawn when
     * the stats changed (a new object then), not at every event.
     */
    function renderStats(state) {
      if (renderStats.shown === state.stats) {
        return;
      }
      renderStats.shown = state.stats;
      const groups = Object.keys(state.stats);
      $("stats").replaceChildren(...groups.map((name) => {
        const group = state.stats[name];
        const wait = group.average_wait === null || group.average_wait === undefined ? "no wait yet"
          : "average wait " + formatDuration(group.average_wait);
        const error = group.estimates > 0 ? "estimates off by " + formatDuration(group.estimate_mae)
          + " on average (last hour, " + group.estimates + ")" : "no estimate checked in the last hour";
        return element("li", null, name + ": " + wait + " · " + error);
      }));
    }

    /** The waiting times count up between changes. */
    function tick(now) {
      if (!current) {
        return;
      }
      ConsoleWorkspace.tickOffers($("offers"), now);
      for (const meta of $("queue").querySelectorAll(".meta")) {
        const waited = formatDuration(Math.max(0, (now - Number(meta.dataset.since)) / 1000));
        if (!meta.dataset.replyBy) {
          setText(meta, meta.dataset.group + " · waiting " + waited);
          continue;
        }
        // A message's SLA clock: how long until it should be answered, or how late it is.
        const left = (Number(meta.dataset.replyBy) - now) / 1000;
        meta.classList.toggle("late", left < 0);
        setText(meta, meta.dataset.group + " · left " + waited + " ago · " + (left >= 0 ? "answer within "
          + formatDuration(left) : "answer overdue by " + formatDuration(-left)));
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
        if (input) {
          input.dataset.limit = String(agent.limit);
        }
      });
    }

    function limitInput(user) {
      const input = element("input");
      input.type = "number";
      input.min = String(LIMIT_MIN);
      input.max = String(LIMIT_MAX);
      input.setAttribute("aria-label", "Limit of " + user);
      const commit = (leaving) => {
        if (input.value === input.dataset.limit || input.value === "" && leaving) {
          // Nothing asked for (an emptied field shows the limit again at the next update).
          return;
        }
        const limit = Number(input.value);
        if (input.value === "" || !Number.isInteger(limit) || limit < LIMIT_MIN || limit > LIMIT_MAX) {
          notice("A guest limit is a whole number from " + LIMIT_MIN + " to " + LIMIT_MAX + ".");
          return;
        }
        actions.limit(user, limit);
      };
      input.addEventListener("change", () => commit(doc.activeElement !== input));
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          commit(false);
        } else if (event.key === "Escape") {
          input.value = input.dataset.limit || "";
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
          join.addEventListener("click", () => actions.join(id, false));
          const silent = element("button", "secondary silent", "Join silently");
          silent.type = "button";
          silent.title = "The guest does not see you until you write to them";
          silent.addEventListener("click", () => actions.join(id, true));
          item.append(join, silent);
        } else if (mine && join) {
          for (const button of item.querySelectorAll("button")) {
            button.remove();
          }
        }
        if (join && !mine) {
          join.setAttribute("aria-label", "Join the conversation of " + room.guest);
          item.querySelector(".silent").setAttribute("aria-label", "Join the conversation of " + room.guest
            + " silently");
        }
      });
    }

    function renderRooms(state) {
      reconcile($("tabs"), tabs, state.rooms, makeTab, (wrap, id) => {
        const room = state.byId[id];
        const chosen = id === state.selected;
        const tab = wrap.firstChild;
        const unread = chosen ? 0 : room.unread;
        setText(tab, room.guest + (unread > 0 ? " (" + unread + ")" : ""));
        tab.dataset.unread = String(unread);
        tab.classList.toggle("ended", room.ended);
        tab.classList.toggle("unread", unread > 0);
        tab.setAttribute("aria-selected", String(chosen));
        tab.tabIndex = chosen ? 0 : -1;
        const close = wrap.lastChild;
        close.hidden = !room.ended;
        close.setAttribute("aria-label", "Close the ended conversation with " + room.guest);
      });
      reconcile($("panels"), panels, state.rooms, makePanel, (panel, id) => updatePanel(panel, state, state.byId[id]));
      $("no-rooms").hidden = state.rooms.length > 0;
    }

    function makeTab(id) {
      const wrap = element("span", "tab-wrap");
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
        tabs.get(next).firstChild.focus();
      });
      const close = element("button", "close-tab", "×");
      close.type = "button";
      close.addEventListener("click", () => actions.closeTab(id));
      wrap.append(tab, close);
      return wrap;
    }

    function makePanel(id) {
      const panel = $("panel-template").content.firstElementChild.cloneNode(true);
      panel.id = "panel-" + id;
      panel.setAttribute("aria-labelledby", "tab-" + id);
      panel.messageItems = new Map();
      const text = panel.querySelector(".composer textarea");
      const note = panel.querySelector(".composer .private");
      ConsoleWorkspace.slashPicker(text, panel.querySelector(".slash"), () => current.replies, () => {
        const room = current.byId[id];
        return { guest: room ? room.guest : "", agent: current.me, group: room && room.context ? room.context.group
          : "" };
      });
      composer(panel.querySelector(".composer"), text, () => {
        const room = current.byId[id];
        return Boolean(room) && !room.ended;
      }, (body) => actions.send(id, body, note.checked), () => actions.typing(id), panel.querySelector(".counter"));
      note.addEventListener("change", () => panel.classList.toggle("writing-note", note.checked));
      const list = panel.querySelector(".messages");
      const marker = panel.querySelector(".new-messages");
      list.addEventListener("scroll", () => {
        if (atBottom(list)) {
          marker.hidden = true;
        }
      });
      marker.addEventListener("click", () => {
        list.scrollTop = list.scrollHeight;
        marker.hidden = true;
      });
      panel.querySelector(".end").addEventListener("click", () => actions.end(id));
      panel.querySelector(".leave").addEventListener("click", () => actions.leave(id));
      panel.querySelector(".transfer").addEventListener("click", () => {
        const to = panel.querySelector(".transfer-to").value;
        const note = panel.querySelector(".transfer-note");
        if (to) {
          actions.transfer(id, to, note.value.trim()).then(() => {
            note.value = "";
          }, () => { });
        }
      });
      return panel;
    }

    function atBottom(list) {
      return list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    }

    function updatePanel(panel, state, room) {
      panel.hidden = room.id !== state.selected;
      setText(panel.querySelector(".guest-name"), room.guest);
      setText(panel.querySelector(".question"), room.email ? "A message by email: what you write here is emailed to "
        + room.email + ", and their answers by email appear here." : room.question);
      panel.querySelector(".composer textarea").disabled = room.ended;
      panel.querySelector(".composer button").disabled = room.ended;
      panel.querySelector(".end").disabled = room.ended;
      const joinedOnly = room.agent !== state.me;
      panel.querySelector(".leave").hidden = !joinedOnly || room.ended;
      panel.querySelector(".silent-note").hidden = !room.silent || room.ended;
      ConsoleWorkspace.renderContext(panel.querySelector(".context"), room.context);
      setText(panel.querySelector(".typing"), room.typing);
      renderMessages(panel, state, room);
      renderTransferChoices(panel, state, room);
    }

    /** Messages by seq, with the lines of who joined or left after the message they followed. */
    function renderMessages(panel, state, room) {
      const list = panel.querySelector(".messages");
      const messages = room.transcript.messages;
      const entries = [];
      let event = 0;
      for (const message of messages) {
        while (event < room.events.length && room.events[event].afterSeq < message.seq) {
          entries.push({ key: room.events[event].key, event: room.events[event++] });
        }
        entries.push({ key: "m" + message.seq, message });
      }
      while (event < room.events.length) {
        entries.push({ key: room.events[event].key, event: room.events[event++] });
      }
      if (room.endLine) {
        entries.push({ key: "end", line: room.endLine });
      }
      const wasAtBottom = atBottom(list);
      const before = list.childElementCount;
      reconcile(list, panel.messageItems, entries.map((entry) => entry.key), (key, index) => {
        const entry = entries[index];
        if (!entry.message) {
          return element("li", "system");
        }
        return messageItem(state, entry.message);
      }, (item, key, index) => {
        const entry = entries[index];
        if (!entry.message) {
          setText(item, entry.event ? entry.event.text : entry.line);
        }
      });
      if (list.childElementCount !== before && !panel.hidden) {
        if (wasAtBottom) {
          list.scrollTop = list.scrollHeight;
        } else {
          panel.querySelector(".new-messages").hidden = false;
        }
      }
    }

    function messageItem(state, message) {
      const note = message.private === true;
      const item = element("li", (ConsoleState.isMine(state, message) ? "mine" : message.role === "guest" ? "guest"
        : "") + (note ? " note" : ""));
      item.dataset.seq = message.seq;
      item.append(element("span", "from", (note ? "Note from " : "") + message.user + " · "
        + new Date(message.sent).toLocaleTimeString()));
      const body = element("div", "body");
      body.append(markdown(message.body));
      item.append(body);
      return item;
    }

    function renderTransferChoices(panel, state, room) {
      const select = panel.querySelector(".transfer-to");
      const choices = ConsoleState.transferTargets(state, room);
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
      panel.querySelector(".transfer-label").classList.toggle("muted", !canTransfer);
      panel.querySelector(".transfer-note-label").hidden = !canTransfer;
    }

    return { render, tick, notice, showSignIn, offline };
  }

  return { create };
})();
