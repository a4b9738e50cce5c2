// The guest widget's view of "nobody can answer now": what it says of the group before the guest types (open, busy,
// closed until when, nobody available), leaving a message and its confirmation, keeping one's place by email (and Web
// Push), and the kept place. Made once inside the widget's panel by WidgetView, brought up to date with it.
"use strict";

const WidgetAwayView = (() => {
  const { element, setText, formatDuration, field, button, labelled } = Switchboard;

  /**
   * The parts, with their handlers: {@code actions} writeMessage(), chatInstead(), sendMessage(user, email, body),
   * keepForm(), keepPlace(email, notify), comeBack(), pushPossible().
   */
  function create(actions) {
    const infoLine = element("p", "info-line");
    infoLine.setAttribute("aria-live", "polite");
    const writeInstead = button("quiet write-instead", "Leave a message instead");

    const messageForm = element("form", "start message-form");
    const [nameLabel, nameInput] = field("input", "sb-m-name", "Your name", 64);
    nameInput.autocomplete = "name";
    const [emailLabel, emailInput] = field("input", "sb-m-email", "Your email address", 254);
    emailInput.type = "email";
    emailInput.autocomplete = "email";
    const [bodyLabel, bodyInput] = field("textarea", "sb-m-body", "Your message", 4000);
    bodyInput.rows = 4;
    const send = button("primary", "Send message", "submit");
    const messageError = element("p", "error");
    messageError.setAttribute("role", "alert");
    const chatInstead = button("quiet chat-instead", "Start a chat instead");
    messageForm.append(element("p", "facts", "Leave us a message and we will answer you by email."), nameLabel,
      nameInput, emailLabel, emailInput, bodyLabel, bodyInput, send, messageError, chatInstead);
    const messageSent = element("div", "message-sent");
    const messageSentHeading = element("h3", null, "Message sent");
    messageSentHeading.tabIndex = -1;
    const messageSentLine = element("p");
    messageSent.append(messageSentHeading, messageSentLine);

    // Keep my place, offered while waiting.
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

    // A place kept by email.
    const keptBox = element("div", "kept");
    const keptHeading = element("h3", null, "We are keeping your place");
    keptHeading.tabIndex = -1;
    const keptLine = element("p");
    const keptPlace = element("p", "facts");
    const keptEstimate = element("p", "facts");
    const comeBack = button("primary", "Come back to the line now");
    keptBox.append(keptHeading, keptLine, keptPlace, keptEstimate, comeBack);

    writeInstead.addEventListener("click", () => actions.writeMessage());
    chatInstead.addEventListener("click", () => actions.chatInstead());
    messageForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const user = nameInput.value.trim();
      const email = emailInput.value.trim();
      const text = bodyInput.value.trim();
      if (!user || !email || !text || !emailInput.checkValidity()) {
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

    /**
     * Brings the parts up to date; {@code shownPhase}: the phase drawn before; {@code chatForm}: the chat form's
     * name and question, which a message starts from.
     */
    function render(state, now, shownPhase, chatForm) {
      const phase = state.phase;
      const waiting = phase === "waiting";
      const info = state.info;
      const email = Boolean(info && info.email);
      writeInstead.hidden = !email;
      messageForm.hidden = phase !== "message";
      chatInstead.hidden = Boolean(info && info.state === "closed");
      send.disabled = state.sending;
      messageSent.hidden = phase !== "message-sent";
      setText(messageSentLine, "Thank you" + (state.name ? ", " + state.name : "") + ". We received your message "
        + "and will answer you at " + state.email + ". We sent you a confirmation: to add something, just reply to "
        + "it.");
      setText(messageError, phase === "message" ? state.messageError : "");
      const said = infoText(info, email);
      infoLine.hidden = !(phase === "form" || phase === "message") || !said;
      setText(infoLine, said);
      keptBox.hidden = phase !== "kept";
      if (phase === "kept") {
        renderKept(state, now);
      }
      keepToggle.hidden = !waiting || !email || state.keepForm;
      keepForm.hidden = !waiting || !state.keepForm;
      notifyLabel.hidden = !(info && info.push_key && actions.pushPossible());
      setText(keepError, state.keepError);
      if (!state.keepForm && keepInput.value === "" && state.email) {
        keepInput.value = state.email;
      }
      if (phase === "message" && shownPhase !== "message") {
        nameInput.value = nameInput.value || state.name || chatForm.name.value;
        emailInput.value = emailInput.value || state.email;
        bodyInput.value = bodyInput.value || chatForm.question.value;
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

    /** Where the keyboard goes when the phase became one of these parts' (null: not theirs). */
    function focusTarget(phase) {
      switch (phase) {
        case "message-sent":
          return messageSentHeading;
        case "kept":
          return keptHeading;
        case "message":
          return [nameInput, emailInput, bodyInput].find((input) => !input.value) || send;
        default:
          return null;
      }
    }

    return { infoLine, writeInstead, messageForm, messageSent, keepToggle, keepForm, keptBox, render, focusTarget };
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
