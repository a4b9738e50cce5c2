// The guest widget's view: a launcher and a panel in a shadow root, made once, then brought up to date from a
// WidgetState at every event (and every second, for the countdown). Nothing is rebuilt: what the guest is typing in
// the form or the composer stays as it is.
"use strict";

const WidgetView = (() => {
  const { element, setText, formatDuration, reconcile, markdown, composer: wireComposer } = Switchboard;

  /** A required form field and its label. */
  function field(tag, id, label, maxLength) {
    const caption = element("label", null, label);
    const input = element(tag);
    input.id = id;
    caption.htmlFor = id;
    input.required = true;
    input.maxLength = maxLength;
    return [caption, input];
  }

  function button(className, text, type) {
    const made = element("button", className, text);
    made.type = type || "button";
    return made;
  }

  /** Whether an element is on screen (neither it nor a parent is hidden). */
  function shown(node) {
    return node.getClientRects().length > 0;
  }

  /**
   * Builds the widget in {@code host}'s shadow root. {@code actions}: open(), close(), start(user, question) (the
   * form checked both are given), leave(), end(), newChat(), send(body) → promise (a message in a room, or an
   * addition to the question while waiting), typing().
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

    // What the widget knows before the guest types anything: open, busy, closed (until when), nobody available.
    const infoLine = element("p", "info-line");
    infoLine.setAttribute("aria-live", "polite");
    const writeInstead = button("quiet write-instead", "Leave a message instead");
    form.append(writeInstead);

    // Leave a message, answered by email.
    const messageForm = element("form", "start message-form");
    const [mNameLabel, mNameInput] = field("input", "sb-m-name", "Your name", 64);
    mNameInput.autocomplete = "name";
    const [mEmailLabel, mEmailInput] = field("input", "sb-m-email", "Your email address", 254);
    mEmailInput.type = "email";
    mEmailInput.autocomplete = "email";
    const [mBodyLabel, mBodyInput] = field("textarea", "sb-m-body", "Your message", 4000);
    mBodyInput.rows = 4;
    const mSend = button("primary", "Send message", "submit");
    const messageError = element("p", "error");
    messageError.setAttribute("role", "alert");
    const chatInstead = button("quiet chat-instead", "Start a chat instead");
    messageForm.append(element("p", "facts", "Leave us a message and we will answer you by email."), mNameLabel,
      mNameInput, mEmailLabel, mEmailInput, mBodyLabel, mBodyInput, mSend, messageError, chatInstead);
    const messageSent = element("div", "message-sent");
    const messageSentHeading = element("h3", null, "Message sent");
    messageSentHeading.tabIndex = -1;
    const messageSentLine = element("p");
    messageSent.append(messageSentHeading, messageSentLine);

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
    const keepToggle = button("quiet keep-toggle", "Email me when it is my turn");
    const keepForm = element("form", "keep-form");
    const [keepLabel, keepInput] = field("input", "sb-keep-email", "Your email address", 254);
    keepInput.type = "email";
    keepInput.autocomplete = "email";
    const notifyLabel = element("label", "notify");
    const notifyBox = element("input");
    notifyBox.type = "checkbox";
    notifyBox.id = "sb-keep-notify";
    notifyLabel.htmlFor = "sb-keep-notify";
    notifyLabel.append(notifyBox, " Also notify me in this browser");
    const keepSubmit = button("primary", "Keep my place", "submit");
    const keepError = element("p", "error");
    keepError.setAttribute("role", "alert");
    keepForm.append(element("p", "facts", "We keep your place and email you when someone is ready. You can close "
      + "this page meanwhile."), keepLabel, keepInput, notifyLabel, keepSubmit, keepError);
    queue.append(queueHeading, noticeLine, placeCaption, place, average, estimate, additions, leave, keepToggle,
      keepForm, announce);

    // A place kept by email.
    const keptBox = element("div", "kept");
    const keptHeading = element("h3", null, "We are keeping your place");
    keptHeading.tabIndex = -1;
    const keptLine = element("p");
    const keptPlace = element("p", "facts");
    const keptEstimate = element("p", "facts");
    const comeBack = button("primary", "Come back to the line now");
    keptBox.append(keptHeading, keptLine, keptPlace, keptEstimate, comeBack);

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
    body.append(infoLine, form, messageForm, messageSent, chat, queue, keptBox, endedLine, again, status);

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
    writeInstead.addEventListener("click", () => actions.writeMessage());
    chatInstead.addEventListener("click", () => actions.chatInstead());
    messageForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const user = mNameInput.value.trim();
      const email = mEmailInput.value.trim();
      const text = mBodyInput.value.trim();
      if (!user || !email || !text || !mEmailInput.checkValidity()) {
        messageError.textContent = "Please give your name, a valid email address and your message.";
        return;
      }
      actions.sendMessage(user, email, text);
    });
    keepToggle.addEventListener("click", () => actions.keepForm());
    keepForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const email = keepInput.value.trim();
      if (!email || !keepInput.checkValidity()) {
        keepError.textContent = "Please give a valid email address.";
        return;
      }
      actions.keepPlace(email, !notifyLabel.hidden && notifyBox.checked);
    });
    comeBack.addEventListener("click", () => actions.comeBack());
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
      const info = state.info;
      const email = Boolean(info && info.email);
      const closedNow = Boolean(info && info.state === "closed");
      form.hidden = phase !== "form" || closedNow;
      writeInstead.hidden = !email;
      messageForm.hidden = phase !== "message";
      chatInstead.hidden = closedNow;
      mSend.disabled = state.sending;
      messageSent.hidden = phase !== "message-sent";
      setText(messageSentLine, "Thank you" + (state.name ? ", " + state.name : "") + ". We received your message "
        + "and will answer you at " + state.email + ". We sent you a confirmation: to add something, just reply to "
        + "it.");
      setText(messageError, phase === "message" ? state.messageError : "");
      infoLine.hidden = !(phase === "form" || phase === "message") || !infoText(info, email);
      setText(infoLine, infoText(info, email));
      keptBox.hidden = phase !== "kept";
      if (phase === "kept") {
        renderKept(state, now);
      }
      keepToggle.hidden = !waiting || !email || state.keepForm;
      keepForm.hidden = !waiting || !state.keepForm;
      notifyLabel.hidden = !(info && info.push_key && actions.pushPossible && actions.pushPossible());
      setText(keepError, state.keepError);
      if (!state.keepForm && keepInput.value === "" && state.email) {
        keepInput.value = state.email;
      }
      if (phase === "message" && shownState.phase !== "message") {
        mNameInput.value = mNameInput.value || state.name || nameInput.value;
        mEmailInput.value = mEmailInput.value || state.email;
        mBodyInput.value = mBodyInput.value || questionInput.value;
      }
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
      let target = null;
      if (phase === "message-sent" && changed) {
        target = messageSentHeading;
      } else if (phase === "kept" && changed) {
        target = keptHeading;
      } else if (phase === "message" && changed) {
        target = [mNameInput, mEmailInput, mBodyInput].find((input) => !input.value) || mSend;
      } else if (phase === "chat" && changed) {
        target = text;
      } else if (phase === "waiting" && changed) {
        target = queueHeading;
      } else if (phase === "connecting") {
        target = status;
      } else {
        target = [nameInput, text, again, leave, close].find((candidate) => shown(candidate) && !candidate.disabled);
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

    /** A place kept by email: where it is now (from its event stream), and the way back. */
    function renderKept(state, now) {
      const kept = state.kept || {};
      setText(keptLine, "We will email " + (kept.email || "you") + " as soon as someone is ready for you. You can "
        + "close this page; if it stays open, it brings you into the chat by itself.");
      const keptInfo = state.keptInfo;
      keptPlace.hidden = !keptInfo;
      keptEstimate.hidden = !keptInfo;
      if (keptInfo) {
        labelled(keptPlace, "Your place in line: ", null, String(keptInfo.position + 1));
        const until = keptInfo.until ? (Date.parse(keptInfo.until) - now) / 1000 : null;
        labelled(keptEstimate, "Your estimated wait: ", null, until === null ? "not known yet"
          : until > 0 ? formatDuration(until) : "any moment now");
      }
    }

    /** A line of a caption and a value in bold, the value changed in place. */
    function labelled(line, caption, className, value) {
      if (!line.firstChild) {
        line.append(caption, element("strong", className));
      }
      setText(line.lastChild, value);
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

  /** When the group opens again, in the guest's own time zone and language ("today at 09:00", "Monday at 09:00"). */
  function opening(iso) {
    const when = new Date(iso);
    const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const today = new Date();
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    if (when.toDateString() === today.toDateString()) {
      return "today at " + time;
    }
    if (when.toDateString() === tomorrow.toDateString()) {
      return "tomorrow at " + time;
    }
    const days = (when - today) / 86400000;
    const day = when.toLocaleDateString([], days < 6 ? { weekday: "long" }
      : { weekday: "long", day: "numeric", month: "long" });
    return "on " + day + " at " + time;
  }

  /** What the widget says of the group's state, in the guest's words; "" when there is nothing to say. */
  function infoText(info, email) {
    if (!info) {
      return "";
    }
    const byEmail = " Leave us a message and we will answer you by email.";
    switch (info.state) {
      case "closed":
        return "We are closed right now." + (info.next_open ? " We open again " + opening(info.next_open) + "."
          : "") + (email ? byEmail : "");
      case "offline":
        return "Nobody is available to chat right now." + (email ? byEmail
          : " You can start a chat and wait for someone.");
      case "busy":
        return "We are busy right now: the wait is about " + formatDuration(info.estimated_wait) + "."
          + (email ? " You can wait, or leave us a message and we will answer you by email." : "");
      default:
        return info.estimated_wait ? "The wait right now: about " + formatDuration(info.estimated_wait) + "." : "";
    }
  }

  return { create, infoText, opening };
})();
