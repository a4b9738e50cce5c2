// The guest widget's view: a launcher and a panel in a shadow root, made once, then brought up to date from a
// WidgetState at every event (and every second, for the countdown). Nothing is rebuilt: what the guest is typing in
// the form or the composer stays as it is.
"use strict";

const WidgetView = (() => {
  const { element, setText, formatDuration, reconcile, markdown, composer: wireComposer, field, button, labelled }
    = Switchboard;

  /** Whether an element is on screen (neither it nor a parent is hidden). */
  function shown(node) {
    return node.getClientRects().length > 0;
  }

  /**
   * Builds the widget in {@code host}'s shadow root. {@code actions}: open(), close(), start(user, question) (the
   * form checked both are given), leave(), end(), newChat(), send(body) → promise (a message in a room, or an
   * addition to the question while waiting), typing(), and those of {@link WidgetAwayView#create}.
   */
  function create(host, css, title, actions) {
    const root = host.attachShadow({ mode: "open" });
    const style = element("style");
    style.textContent = css;

    const launcher = button("launcher", "");
    const launcherTitle = element("span", "launcher-title", title);
    const badge = element("span", "badge");
    badge.hidden = true;
    launcher.append(launcherTitle, badge);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "switchboard-panel");
    const preview = element("p", "preview");
    preview.hidden = true;
    preview.setAttribute("aria-live", "polite");
    const panel = element("div", "panel");
    panel.id = "switchboard-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    const head = element("div", "head");
    const close = button(null, "×");
    close.setAttribute("aria-label", "Minimise the chat");
    const endChat = button("end-chat", "End chat");
    const headActions = element("div", "head-actions");
    headActions.append(endChat, close);
    head.append(element("h2", null, title), headActions);
    const confirmBox = element("div", "confirm");
    confirmBox.setAttribute("role", "alertdialog");
    confirmBox.setAttribute("aria-label", "End the chat?");
    const confirmYes = button("primary", "Yes, end it");
    const confirmNo = button("quiet", "Keep chatting");
    confirmBox.append(element("p", null, "End the chat? You cannot write in it afterwards."), confirmYes, confirmNo);
    confirmBox.hidden = true;

    // The form.
    const form = element("form", "start");
    const [nameLabel, nameInput] = field("input", "sb-name", "Your name", 64);
    nameInput.autocomplete = "name";
    const [questionLabel, questionInput] = field("textarea", "sb-question", "How can we help?", 2000);
    questionInput.rows = 3;
    const start = button("primary", "Start chat", "submit");
    const formError = element("p", "error");
    formError.setAttribute("role", "alert");
    form.append(nameLabel, nameInput, questionLabel, questionInput, start, formError);

    // When nobody can answer now: what the widget says first, a message instead, a place kept by email.
    const away = WidgetAwayView.create(actions);
    form.append(away.writeInstead);

    // Waiting in line: the place is announced when it changes; the countdown is not (it changes every second).
    const queue = element("div", "queue");
    const queueHeading = element("h3", "queue-heading");
    queueHeading.tabIndex = -1;
    const noticeLine = element("p", "notice");
    const placeCaption = element("p", "facts");
    const place = element("p", "place");
    const average = element("p", "facts");
    const estimate = element("p", "facts");
    const announce = element("p", "visually-hidden");
    announce.setAttribute("aria-live", "polite");
    const additions = element("ul", "additions");
    const leave = button("quiet", "Leave the queue");
    queue.append(queueHeading, noticeLine, placeCaption, place, average, estimate, additions, leave, away.keepToggle,
      away.keepForm, announce);

    // The chat, and its end.
    const chat = element("div", "chat");
    const agentLine = element("p", "agent-line");
    agentLine.tabIndex = -1;
    const messages = element("ol", "messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", "Messages");
    chat.append(agentLine, messages);
    const endedLine = element("p", "ended-line");
    const again = button("primary", "Start a new chat");
    const status = element("p", "status");
    status.tabIndex = -1;
    const body = element("div", "body");
    body.append(away.infoLine, form, away.messageForm, away.messageSent, chat, queue, away.keptBox, endedLine, again,
      status);

    const typingLine = element("p", "typing");
    typingLine.setAttribute("aria-live", "polite");
    const sendError = element("p", "send-error");
    sendError.setAttribute("role", "alert");
    const composer = element("form", "composer");
    const text = element("textarea");
    text.rows = 2;
    text.setAttribute("aria-label", "Your message");
    const send = button("primary", "Send", "submit");
    const counter = element("span", "counter");
    counter.setAttribute("aria-live", "polite");
    const sendBox = element("div", "send-box");
    sendBox.append(send, counter);
    composer.append(text, sendBox);
    panel.append(head, confirmBox, body, typingLine, sendError, composer);
    root.append(style, preview, launcher, panel);

    const items = new Map();
    let shownState = { phase: null, open: false, place: null };

    launcher.addEventListener("click", () => (panel.hidden ? actions.open() : actions.close()));
    close.addEventListener("click", () => {
      actions.close();
      launcher.focus();
    });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        actions.close();
        launcher.focus();
      }
    });
    endChat.addEventListener("click", () => {
      confirmBox.hidden = false;
      confirmNo.focus();
    });
    confirmNo.addEventListener("click", () => {
      confirmBox.hidden = true;
      endChat.focus();
    });
    confirmYes.addEventListener("click", () => {
      confirmBox.hidden = true;
      actions.end();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const user = nameInput.value.trim();
      const question = questionInput.value.trim();
      if (!user || !question) {
        formError.textContent = "Please give your name and your question.";
        return;
      }
      actions.start(user, question);
    });
    leave.addEventListener("click", () => actions.leave());
    again.addEventListener("click", () => actions.newChat());
    wireComposer(composer, text, () => !text.disabled, (value) => actions.send(value), () => actions.typing(),
      counter);

    function render(state, now, unread) {
      const phase = state.phase;
      const inChat = phase === "chat";
      const waiting = phase === "waiting";
      const hasTranscript = state.transcript.messages.length > 0 || inChat;
      panel.hidden = !state.open;
      launcher.setAttribute("aria-expanded", String(state.open));
      form.hidden = phase !== "form" || Boolean(state.info && state.info.state === "closed");
      away.render(state, now, shownState.phase, { name: nameInput, question: questionInput });
      queue.hidden = !waiting;
      chat.hidden = !(inChat || (phase === "ended" || waiting) && hasTranscript);
      endedLine.hidden = !(phase === "ended" && chat.hidden);
      again.hidden = phase !== "ended" && phase !== "message-sent";
      endChat.hidden = !inChat;
      if (!inChat) {
        confirmBox.hidden = true;
      }
      composer.hidden = !(inChat || waiting);
      typingLine.hidden = !inChat;
      text.disabled = !(inChat || waiting);
      send.disabled = text.disabled;
      text.placeholder = waiting ? "Add to your question while you wait" : "Write a message (**bold**, _italic_, "
        + "links)";
      text.setAttribute("aria-label", waiting ? "Add to your question" : "Your message");
      start.disabled = phase !== "form";
      if (phase === "form" && shownState.phase !== "form") {
        nameInput.value = nameInput.value || state.name;
        if (shownState.phase === "ended") {
          questionInput.value = "";
        }
      }
      setText(formError, phase === "form" ? state.formError : "");
      setText(status, phase === "connecting" ? state.connecting : state.statusLine);
      setText(sendError, state.sendError);
      sendError.hidden = !state.sendError;
      if (waiting) {
        renderWaiting(state, now);
      }
      if (!chat.hidden) {
        setText(agentLine, inChat && state.agent ? "You are chatting with " + state.agent + "." : "");
        agentLine.hidden = !inChat;
        renderMessages(state);
      }
      setText(endedLine, state.endLine);
      setText(typingLine, state.typing);
      renderLauncher(state, unread);
      focusOnChange(state, phase);
      shownState = { phase, open: state.open, place: shownState.place };
    }

    /** Where the keyboard goes when the view changes: into the panel when it opens, to what is new. */
    function focusOnChange(state, phase) {
      if (!state.open) {
        return;
      }
      const opened = !shownState.open;
      const changed = shownState.phase !== phase;
      if (!opened && !changed) {
        return;
      }
      let target = changed ? away.focusTarget(phase) : null;
      if (target === null) {
        if (phase === "chat" && changed) {
          target = text;
        } else if (phase === "waiting" && changed) {
          target = queueHeading;
        } else if (phase === "connecting") {
          target = status;
        } else {
          target = [nameInput, text, again, leave, close].find((c) => shown(c) && !c.disabled);
        }
      }
      if (target && shown(target)) {
        target.focus();
      }
    }

    function renderWaiting(state, now) {
      const queuepos = state.queuepos;
      setText(queueHeading, state.notice ? "Back in line" : "You are in line");
      setText(noticeLine, state.notice);
      noticeLine.hidden = !state.notice;
      if (!queuepos) {
        setText(placeCaption, "Finding your place…");
        setText(place, "");
        return;
      }
      setText(placeCaption, queuepos.position === 0 ? "You are next in line" : "Your place in line");
      setText(place, String(queuepos.position + 1));
      if (shownState.place !== queuepos.position) {
        setText(announce, queuepos.position === 0 ? "You are next in line." : "Your place in line: "
          + (queuepos.position + 1) + ".");
        shownState.place = queuepos.position;
      }
      labelled(average, "Average wait: ", null, queuepos.wait === null ? "not known yet"
        : formatDuration(queuepos.wait));
      let value = "not known yet";
      if (queuepos.estimated_wait !== null) {
        const left = queuepos.estimated_wait - (now - state.queueposAt) / 1000;
        value = left > 0 ? formatDuration(left) : "any moment now";
      }
      labelled(estimate, "Your estimated wait: ", "estimate", value);
      const shownAdditions = additions.children.length;
      for (let i = shownAdditions; i < state.added.length; i++) {
        additions.append(element("li", null, "Added to your question: " + state.added[i]));
      }
      while (additions.children.length > state.added.length) {
        additions.lastChild.remove();
      }
    }

    function renderMessages(state) {
      const list = state.transcript.messages;
      const entries = [];
      let event = 0;
      for (const message of list) {
        while (event < state.events.length && state.events[event].afterSeq < message.seq) {
          entries.push({ key: state.events[event].key, text: state.events[event++].text });
        }
        entries.push({ key: "m" + message.seq, message });
      }
      while (event < state.events.length) {
        entries.push({ key: state.events[event].key, text: state.events[event++].text });
      }
      if (state.phase === "ended") {
        entries.push({ key: "end", text: state.endLine });
      }
      const before = messages.childElementCount;
      reconcile(messages, items, entries.map((entry) => entry.key), (key, index) => {
        const entry = entries[index];
        return entry.message ? bubble(entry.message) : element("li", "system");
      }, (item, key, index) => {
        const entry = entries[index];
        if (!entry.message) {
          setText(item, entry.text);
        }
      });
      if (messages.childElementCount !== before) {
        body.scrollTop = body.scrollHeight;
      }
    }

    /** A message with who wrote it and when; who is told by the message's role, never its name. */
    function bubble(message) {
      const mine = message.role === "guest";
      const item = element("li", mine ? "mine" : "");
      item.dataset.seq = message.seq;
      const when = new Date(message.sent).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      item.append(element("span", "from", (mine ? "You" : message.user) + " · " + when));
      const content = element("div", "text");
      content.append(markdown(message.body));
      item.append(content);
      return item;
    }

    /** A minimised widget says how many messages came and shows the newest. */
    function renderLauncher(state, unread) {
      const count = !state.open && unread ? unread.count : 0;
      badge.hidden = count === 0;
      setText(badge, String(count));
      setText(launcherTitle, title);
      launcher.setAttribute("aria-label", count > 0 ? title + ": " + count + " new message" + (count > 1 ? "s" : "")
        : title);
      preview.hidden = count === 0;
      if (count > 0) {
        setText(preview, unread.newest.user + ": " + unread.newest.body.slice(0, 140));
      }
    }

    return { render };
  }

  return { create };
})();
