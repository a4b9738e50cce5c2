// The agent's workspace parts of the console's view: alerts (a sound, a desktop notification while the page is hidden,
// the unread count in the title), offers to accept or pass, a room's context (who the guest is, where they came
// from, their earlier conversations, the room's timeline), and canned replies (found by typing "/" in the composer,
// managed in a dialog). console-view.js and console-main.js use them; no socket here.
"use strict";

const ConsoleWorkspace = (() => {
  const { element, setText, formatDuration, reconcile } = Switchboard;
  const MUTE_KEY = "switchboard.console.muted";

  /**
   * Sounds and notifications. Browsers let a page play sound only after the person did something on it, so the
   * sign-in click unlocks it ({@link #unlock}); notifications need the permission, asked for at the same click.
   */
  function alerts(doc, win, focusRoom) {
    let audio = null;
    const muted = () => win.localStorage.getItem(MUTE_KEY) === "1";

    function unlock() {
      const Context = win.AudioContext || win.webkitAudioContext;
      if (!audio && Context) {
        audio = new Context();
      }
      if (audio && audio.state === "suspended") {
        audio.resume();
      }
      if (win.Notification && win.Notification.permission === "default") {
        win.Notification.requestPermission().catch(() => { });
      }
    }

    /** Two short tones: noticeable, not alarming. */
    function chime() {
      if (!audio || muted()) {
        return;
      }
      const start = audio.currentTime;
      for (const [offset, pitch] of [[0, 880], [0.18, 1175]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = pitch;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + offset);
        tone.stop(start + offset + 0.18);
      }
      chime.count = (chime.count || 0) + 1;
      doc.body.dataset.chimes = String(chime.count);
    }

    /**
     * An alert from the state: a sound unless the room is in view on a visible page, and a desktop notification
     * while the page is hidden (a click brings the page and the room forward).
     */
    function alert(effect) {
      const hidden = doc.visibilityState === "hidden";
      if (hidden || !effect.inView) {
        chime();
      }
      if (hidden && win.Notification && win.Notification.permission === "granted") {
        const shown = new win.Notification(effect.title, { body: effect.text, tag: effect.room || effect.title,
          renotify: Boolean(effect.repeat) });
        shown.onclick = () => {
          win.focus();
          if (effect.room) {
            focusRoom(effect.room);
          }
          shown.close();
        };
        alert.shown = (alert.shown || 0) + 1;
        doc.body.dataset.notifications = String(alert.shown);
      }
    }

    function muteSwitch(box) {
      box.checked = !muted();
      box.addEventListener("change", () => {
        win.localStorage.setItem(MUTE_KEY, box.checked ? "0" : "1");
        if (box.checked) {
          unlock();
        }
      });
    }

    return { unlock, alert, muteSwitch };
  }

  /** The page title with how many guest messages are unread. */
  function title(doc, unread) {
    const base = "Switchboard console";
    const text = unread > 0 ? "(" + unread + ") " + base : base;
    if (doc.title !== text) {
      doc.title = text;
    }
  }

  /** The guests offered to this agent: each with its countdown, Accept and Pass. */
  function renderOffers(list, items, offers, now, actions) {
    const ids = Object.keys(offers);
    reconcile(list, items, ids, (id) => {
      const item = element("li", "offer");
      const accept = element("button", null, "Accept");
      accept.type = "button";
      accept.addEventListener("click", () => actions.accept(id));
      const pass = element("button", "secondary", "Pass");
      pass.type = "button";
      pass.addEventListener("click", () => actions.pass(id));
      item.append(element("strong"), " ", element("span", "meta"), element("p", "q"), accept, pass);
      return item;
    }, (item, id) => {
      const offer = offers[id];
      setText(item.querySelector("strong"), offer.guest.user);
      setText(item.querySelector(".q"), offer.guest.question);
      item.dataset.expires = String(offer.expires);
      item.querySelector("button").setAttribute("aria-label", "Accept " + offer.guest.user);
    });
    list.hidden = ids.length === 0;
    tickOffers(list, now);
  }

  function tickOffers(list, now) {
    for (const item of list.querySelectorAll(".offer")) {
      const left = Math.max(0, (Number(item.dataset.expires) - now) / 1000);
      setText(item.querySelector(".meta"), "wants to chat · " + formatDuration(left) + " left to accept");
    }
  }

  const EVENTS = {
    queued: "Waited in the queue",
    assigned: "Assigned to",
    transferred: "Handed over to",
    joined: "Joined:",
    joined_silently: "Joined silently:",
    left: "Left:",
    ended: "Ended",
  };

  /** A room's context: details the site passed (page, referrer…), the wait, earlier conversations, the timeline. */
  function renderContext(box, context) {
    box.hidden = !context;
    if (!context || box.shown === context) {
      return;
    }
    box.shown = context;
    box.replaceChildren(element("h3", null, "About " + context.guest.user));
    const facts = element("dl");
    const fact = (term, value, href) => {
      facts.append(element("dt", null, term));
      const cell = element("dd");
      if (href && /^https?:\/\//i.test(value)) {
        const link = element("a", null, value);
        link.href = value;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        cell.append(link);
      } else {
        cell.textContent = value;
      }
      facts.append(cell);
    };
    fact("Group", context.group);
    fact("Waited", formatDuration(context.waited));
    if (context.guest.email) {
      fact("Email", context.guest.email);
    }
    const details = context.guest.details || {};
    for (const name of Object.keys(details)) {
      const labels = { page: "Page", url: "Page", referrer: "Came from", title: "Page title" };
      fact(Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : name, details[name], true);
    }
    box.append(facts);
    if (Object.keys(details).length) {
      box.append(element("p", "muted", "Page, referrer and other details come from the guest's browser: the guest "
        + "could have changed them."));
    }
    box.append(element("h4", null, context.earlier.length ? "Earlier conversations" : "No earlier conversation"));
    if (context.earlier.length) {
      const earlier = element("ul", "earlier");
      for (const past of context.earlier) {
        earlier.append(element("li", null, new Date(past.started).toLocaleString() + " with " + past.agent + ": "
          + (past.question || "")));
      }
      box.append(earlier);
    }
    box.append(element("h4", null, "Timeline"));
    const steps = element("ol", "timeline");
    for (const step of context.timeline) {
      steps.append(element("li", null, new Date(step.at).toLocaleTimeString() + " · " + (EVENTS[step.event]
        || step.event) + (step.user ? " " + step.user : "")));
    }
    box.append(steps);
  }

  /**
   * The composer's "/" search: typing "/" and a few letters lists the canned replies that match; arrows choose,
   * Enter or a click puts the reply (placeholders filled in) into the composer, Escape closes. Registered before the
   * composer's own keys, so Enter picks instead of sending while the list is open.
   */
  function slashPicker(text, list, replies, values) {
    let matches = [];
    let chosen = 0;
    const close = () => {
      matches = [];
      list.hidden = true;
      list.replaceChildren();
    };
    const pick = (reply) => {
      text.value = ConsoleState.fill(reply.body, values());
      close();
      text.focus();
      text.dispatchEvent(new Event("input"));
    };
    const draw = () => {
      list.replaceChildren(...matches.map((reply, index) => {
        const item = element("li", index === chosen ? "chosen" : null);
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", String(index === chosen));
        item.append(element("strong", null, reply.title), " ", element("span", "muted",
          reply.shared ? "team" : "yours"), element("p", null, ConsoleState.fill(reply.body, values())));
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(reply);
        });
        return item;
      }));
      list.hidden = matches.length === 0;
    };
    text.addEventListener("input", () => {
      const value = text.value;
      if (!value.startsWith("/") || value.includes("\n")) {
        close();
        return;
      }
      matches = ConsoleState.findReplies(replies(), value.slice(1)).slice(0, 8);
      chosen = 0;
      draw();
    });
    text.addEventListener("keydown", (event) => {
      if (matches.length === 0) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        chosen = (chosen + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        draw();
      } else if (event.key === "Enter" || event.key === "Tab") {
        pick(matches[chosen]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    });
    text.addEventListener("blur", () => setTimeout(close, 150));
  }

  /** The canned replies dialog: every reply this agent may use, each to edit or delete, and a form for a new one. */
  function repliesDialog(doc, actions) {
    const $ = (id) => doc.getElementById(id);
    const dialog = $("replies");
    const form = $("reply-form");
    let editing = null;

    function reset() {
      editing = null;
      form.reset();
      setText($("reply-save"), "Add reply");
    }

    let shown = null;
    let shownRole = null;

    /** Draws the list when the replies (a new array after every change) or the role changed: not at every event. */
    function render(state) {
      if (state.replies === shown && state.role === shownRole) {
        return;
      }
      shown = state.replies;
      shownRole = state.role;
      $("reply-shared-box").hidden = state.role !== "supervisor";
      const list = $("reply-list");
      list.replaceChildren(...state.replies.map((reply) => {
        const item = element("li");
        item.append(element("strong", null, reply.title), " ", element("span", "muted", reply.shared
          ? "for the team" : "yours"), element("p", null, reply.body));
        const mayChange = !reply.shared || state.role === "supervisor";
        if (mayChange) {
          const edit = element("button", "secondary", "Edit");
          edit.type = "button";
          edit.addEventListener("click", () => {
            editing = reply.id;
            $("reply-title").value = reply.title;
            $("reply-body").value = reply.body;
            $("reply-shared").checked = reply.shared;
            setText($("reply-save"), "Save changes");
            $("reply-title").focus();
          });
          const remove = element("button", "secondary", "Delete");
          remove.type = "button";
          remove.addEventListener("click", () => actions.deleteReply(reply.id));
          item.append(edit, remove);
        }
        return item;
      }));
      $("reply-empty").hidden = state.replies.length > 0;
    }

    form.addEventListener("submit", (event) => {
      if (event.submitter && event.submitter.getAttribute("formmethod") === "dialog") {
        return;
      }
      event.preventDefault();
      const title = $("reply-title").value.trim();
      const body = $("reply-body").value.trim();
      if (!title || !body) {
        return;
      }
      actions.saveReply({ id: editing || undefined, title, body, shared: $("reply-shared").checked || undefined })
        .then(reset, () => { });
    });
    $("reply-cancel").addEventListener("click", reset);
    $("replies-open").addEventListener("click", () => {
      reset();
      dialog.showModal();
    });
    return { render };
  }

  return { alerts, title, renderOffers, tickOffers, renderContext, slashPicker, repliesDialog };
})();
