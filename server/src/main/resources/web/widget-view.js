// The guest widget's view: a launcher and a panel in a shadow root, made once, then brought up to date from a
// WidgetState at every event (and every second, for the countdown). Nothing is rebuilt: what the guest is typing in
// the form or the composer stays as it is.
"use strict";

const WidgetView = (() => {
  const { element, setText, formatDuration, reconcile } = Switchboard;

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

  /**
   * Builds the widget in {@code host}'s shadow root. {@code actions}: open(), close(), start(user, question) (the
   * form checked both are given), leave(), newChat(), send(body) → promise, typing().
   */
  function create(host, css, title, actions) {
    const root = host.attachShadow({ mode: "open" });
    const style = element("style");
    style.textContent = css;

    const launcher = button("launcher", title);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "switchboard-panel");
    const panel = element("div", "panel");
    panel.id = "switchboard-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    const head = element("div", "head");
    const close = button(null, "×");
    close.setAttribute("aria-label", "Minimise the chat");
    head.append(element("h2", null, title), close);

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

    // Waiting in line.
    const queue = element("div", "queue");
    queue.setAttribute("aria-live", "polite");
    const placeCaption = element("p", "facts");
    const place = element("p", "place");
    const average = element("p", "facts");
    const estimate = element("p", "facts");
    const leave = button("quiet", "Leave the queue");
    queue.append(placeCaption, place, average, estimate, leave);

    // The chat, and its end.
    const chat = element("div", "chat");
    const agentLine = element("p", "agent-line");
    const messages = element("ol", "messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", "Messages");
    chat.append(agentLine, messages);
    const endedLine = element("p", "ended-line");
    const again = button("primary", "Start a new chat");
    const status = element("p", "status");
    const body = element("div", "body");
    body.append(form, queue, chat, endedLine, again, status);

    const typingLine = element("p", "typing");
    typingLine.setAttribute("aria-live", "polite");
    const composer = element("form", "composer");
    const text = element("textarea");
    text.rows = 2;
    text.maxLength = 4000;
    text.setAttribute("aria-label", "Your message");
    text.placeholder = "Write a message";
    const send = button("primary", "Send", "submit");
    composer.append(text, send);
    panel.append(head, body, typingLine, composer);
    root.append(style, launcher, panel);

    const items = new Map();
    let shown = { phase: null, open: false };

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
    Switchboard.composer(composer, text, () => !text.disabled, actions.send, actions.typing);

    function render(state, now) {
      const phase = state.phase;
      panel.hidden = !state.open;
      launcher.setAttribute("aria-expanded", String(state.open));
      form.hidden = phase !== "form";
      queue.hidden = phase !== "waiting";
      const hasChat = phase === "chat" || phase === "ended" && state.room !== null;
      chat.hidden = !hasChat;
      endedLine.hidden = !(phase === "ended" && state.room === null);
      again.hidden = phase !== "ended";
      composer.hidden = !(phase === "chat" || phase === "ended" && state.room !== null);
      typingLine.hidden = composer.hidden;
      text.disabled = phase !== "chat";
      send.disabled = phase !== "chat";
      start.disabled = phase !== "form";
      if (phase === "form" && shown.phase !== "form") {
        nameInput.value = nameInput.value || state.name;
        if (shown.phase === "ended") {
          questionInput.value = "";
        }
      }
      setText(formError, phase === "form" ? state.formError : "");
      setText(status, phase === "connecting" ? state.connecting : state.statusLine);
      if (phase === "waiting") {
        renderWaiting(state, now);
      }
      if (hasChat) {
        setText(agentLine, state.agent ? "You are chatting with " + state.agent + "." : "");
        renderMessages(state);
      }
      setText(endedLine, state.endLine);
      setText(typingLine, state.typing);
      const opened = state.open && (!shown.open || shown.phase !== phase);
      shown = { phase, open: state.open };
      if (opened) {
        const first = panel.querySelector("form.start:not([hidden]) input, .composer:not([hidden]) "
          + "textarea:not([disabled]), button.primary:not([hidden])");
        if (first) {
          first.focus();
        }
      }
    }

    function renderWaiting(state, now) {
      const queuepos = state.queuepos;
      setText(placeCaption, queuepos.position === 0 ? "You are next in line" : "Your place in line");
      setText(place, String(queuepos.position + 1));
      labelled(average, "Average wait: ", null, queuepos.wait === null ? "not known yet" : formatDuration(queuepos.wait));
      let value = "not known yet";
      if (queuepos.estimated_wait !== null) {
        const left = queuepos.estimated_wait - (now - state.queueposAt) / 1000;
        value = left > 0 ? formatDuration(left) : "any moment now";
      }
      labelled(estimate, "Your estimated wait: ", "estimate", value);
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
      const keys = list.map((message) => "m" + message.seq);
      if (state.phase === "ended") {
        keys.push("end");
      }
      const before = messages.childElementCount;
      reconcile(messages, items, keys, (key, index) => {
        if (key === "end") {
          return element("li", "system");
        }
        const message = list[index];
        // Who wrote it is the message's role, never its name: a guest may share a name with anybody.
        const item = element("li", message.role === "guest" ? "mine" : "", message.body);
        item.dataset.seq = message.seq;
        item.setAttribute("aria-label", message.user + ": " + message.body);
        return item;
      }, (item, key) => {
        if (key === "end") {
          setText(item, state.endLine);
        }
      });
      if (messages.childElementCount !== before) {
        body.scrollTop = body.scrollHeight;
      }
    }

    return { render };
  }

  return { create };
})();
