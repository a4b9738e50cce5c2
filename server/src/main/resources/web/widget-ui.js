// The guest widget: a chat button that asks for a name and a question, shows the place in line, the average wait and
// the guest's own estimate (counting down between updates), then the chat with the agent. It keeps its session in
// sessionStorage, so a page reload or a dropped network resumes the same conversation. Embed it with
//   <script src="https://SWITCHBOARD/widget.js" data-account="default" data-group="default" async></script>
// The server serves this file after client.js, both inside one function: nothing leaks into the page.

const script = document.currentScript;
const origin = new URL(script ? script.src : location.href).origin;
const settings = {
  account: script && script.dataset.account || "default",
  group: script && script.dataset.group || "default",
  title: script && script.dataset.title || "Chat with us",
};
const STORE_KEY = "switchboard.widget." + origin + "." + settings.account + "." + settings.group;
const wsUrl = origin.replace(/^http/, "ws") + "/ws";

const CSS = `
:host { all: initial; }
[hidden] { display: none !important; }
* { box-sizing: border-box; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; background: #0a55c4; color: #fff;
  border: 0; border-radius: 999px; padding: 12px 20px; font-weight: 600; cursor: pointer;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible {
  outline: 3px solid #f0b400; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 360px; max-height: min(620px, 80vh);
  display: flex; flex-direction: column; background: #fff; color: #1b1f24; border: 1px solid #d0d7de;
  border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: #0d1117;
  color: #fff; }
.head h2 { margin: 0; font-size: 16px; font-weight: 600; color: #fff; }
.head button { background: transparent; color: #fff; border: 0; font-size: 20px; cursor: pointer; padding: 0 4px; }
.body { padding: 14px; overflow-y: auto; flex: 1; display: flex; flex-direction: column; gap: 10px; }
form.start { display: grid; gap: 6px; }
label { font-weight: 600; font-size: 14px; }
input, textarea { width: 100%; padding: 8px; border: 1px solid #57606a; border-radius: 6px; color: #1b1f24;
  background: #fff; }
button.primary { background: #0a55c4; color: #fff; border: 0; border-radius: 6px; padding: 8px 14px; cursor: pointer;
  font-weight: 600; }
button.quiet { background: transparent; color: #0a55c4; border: 1px solid #0a55c4; border-radius: 6px;
  padding: 6px 12px; cursor: pointer; }
button:disabled { background: #d0d7de; color: #57606a; border-color: #d0d7de; cursor: default; }
.queue { text-align: center; display: grid; gap: 6px; }
.place { font-size: 34px; font-weight: 700; margin: 0; color: #0a55c4; }
.facts { margin: 0; color: #57606a; }
.facts strong { color: #1b1f24; }
.messages { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.messages li { max-width: 85%; padding: 6px 10px; border-radius: 10px; background: #f6f8fa; border: 1px solid #d0d7de;
  align-self: flex-start; white-space: pre-wrap; overflow-wrap: anywhere; }
.messages li.mine { align-self: flex-end; background: #dbe9ff; border-color: #b6d0f7; }
.messages li.system { align-self: center; background: transparent; border: 0; color: #57606a; font-style: italic; }
.agent-line { margin: 0; color: #57606a; }
.typing { min-height: 20px; margin: 0 14px; color: #57606a; font-style: italic; font-size: 14px; }
.composer { display: flex; gap: 6px; padding: 10px 14px; border-top: 1px solid #d0d7de; }
.composer textarea { resize: none; }
.error { color: #a40e26; margin: 0; }
.status { color: #57606a; font-size: 13px; margin: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }
  .launcher { right: 12px; bottom: 12px; }
}
`;

const host = document.createElement("div");
host.id = "switchboard-widget";
const root = host.attachShadow({ mode: "open" });
const style = document.createElement("style");
style.textContent = CSS;
root.append(style);

const launcher = element("button", "launcher", settings.title);
launcher.type = "button";
launcher.setAttribute("aria-expanded", "false");
launcher.setAttribute("aria-controls", "switchboard-panel");
const panel = element("div", "panel");
panel.id = "switchboard-panel";
panel.hidden = true;
panel.setAttribute("role", "dialog");
panel.setAttribute("aria-label", settings.title);
const head = element("div", "head");
const title = element("h2", null, settings.title);
const close = element("button", null, "×");
close.type = "button";
close.setAttribute("aria-label", "Minimise the chat");
head.append(title, close);
const body = element("div", "body");
const typingLine = element("p", "typing");
typingLine.setAttribute("aria-live", "polite");
const composer = element("form", "composer");
const text = element("textarea");
text.rows = 2;
text.maxLength = 4000;
text.setAttribute("aria-label", "Your message");
text.placeholder = "Write a message";
const sendButton = element("button", "primary", "Send");
sendButton.type = "submit";
composer.append(text, sendButton);
composer.hidden = true;
typingLine.hidden = true;
panel.append(head, body, typingLine, composer);
root.append(launcher, panel);

let saved = load();
let view = null;
let transcript = null;
let messageList = null;
let countdown = null;
let name = saved.name || "";

const client = new SwitchboardClient(wsUrl, {
  onState: (connection) => {
    const line = root.querySelector(".status");
    if (line) {
      line.textContent = connection === "reconnecting" ? "Connection lost, reconnecting…" : "";
    }
  },
  onWelcome: () => {
    if (saved.session) {
      client.request("resume", { session: saved.session }).then(afterResume, (e) => {
        if (e.code === "auth_failed") {
          forget();
          showForm("Your previous chat has expired. Start a new one?");
        }
      });
    } else if (saved.starting) {
      const { user, question } = saved.starting;
      client.request("identify", { user, question, account: settings.account, group: settings.group,
        details: { page: location.href.slice(0, 500) } }).catch((e) => showForm(guestText(e)));
    }
  },
  onMessage: handle,
});

/** What a guest is told when a request fails: in their words, never the server's text. */
function guestText(failure) {
  switch (failure.code) {
    case "rate_limited":
      return "A lot of people are asking right now. Please try again in a few minutes.";
    case "internal":
      return "Chat is not available at the moment. Please try again shortly.";
    case "invalid_field":
    case "too_large":
      return "Please check your name and question: they could not be sent as they are.";
    case "disconnected":
      return "The connection was lost. It will come back by itself; please try again then.";
    default:
      return "Something went wrong. Please try again.";
  }
}

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY)) || {};
  } catch (e) {
    return {};
  }
}

function save() {
  sessionStorage.setItem(STORE_KEY, JSON.stringify(saved));
}

function forget() {
  saved = { name };
  save();
}

function setOpen(open) {
  panel.hidden = !open;
  launcher.setAttribute("aria-expanded", String(open));
  saved.open = open;
  save();
  if (open) {
    const first = panel.querySelector("input, textarea:not([disabled]), button.primary");
    if (first) {
      first.focus();
    }
  }
}

launcher.addEventListener("click", () => {
  setOpen(panel.hidden);
  if (!panel.hidden && !view) {
    showForm();
  }
});
close.addEventListener("click", () => {
  setOpen(false);
  launcher.focus();
});
panel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    setOpen(false);
    launcher.focus();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Views

function showForm(message) {
  view = "form";
  composer.hidden = true;
  typingLine.hidden = true;
  clearInterval(countdown);
  const form = element("form", "start");
  const [nameLabel, nameInput] = field("input", "sb-name", "Your name", 64);
  nameInput.autocomplete = "name";
  nameInput.value = name;
  const [questionLabel, questionInput] = field("textarea", "sb-question", "How can we help?", 2000);
  questionInput.rows = 3;
  const start = element("button", "primary", "Start chat");
  start.type = "submit";
  const error = element("p", "error", message || "");
  error.setAttribute("role", "alert");
  form.append(nameLabel, nameInput, questionLabel, questionInput, start, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    name = nameInput.value.trim();
    const question = questionInput.value.trim();
    if (!name || !question) {
      error.textContent = "Please give your name and your question.";
      return;
    }
    start.disabled = true;
    saved = { name, open: true, starting: { user: name, question } };
    save();
    body.replaceChildren(element("p", "status", "Connecting…"));
    if (client.socket && client.socket.readyState === WebSocket.OPEN) {
      client.handlers.onWelcome();
    } else {
      client.start();
    }
  });
  body.replaceChildren(form);
  if (!panel.hidden) {
    nameInput.focus();
  }
}

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

function showWaiting(queuepos) {
  if (view !== "waiting") {
    view = "waiting";
    composer.hidden = true;
    typingLine.hidden = true;
    const box = element("div", "queue");
    box.setAttribute("aria-live", "polite");
    const place = element("p", "place");
    const placeCaption = element("p", "facts");
    const average = element("p", "facts");
    const estimate = element("p", "facts");
    const leave = element("button", "quiet", "Leave the queue");
    leave.type = "button";
    leave.addEventListener("click", () => {
      client.request("cancel", {}).then(() => {
        forget();
        showEnded("You left the queue.");
      }, (e) => showForm(guestText(e)));
    });
    box.append(placeCaption, place, average, estimate, leave, element("p", "status"));
    body.replaceChildren(box);
    showWaiting.parts = { place, placeCaption, average, estimate };
  }
  const parts = showWaiting.parts;
  parts.placeCaption.textContent = queuepos.position === 0 ? "You are next in line" : "Your place in line";
  parts.place.textContent = String(queuepos.position + 1);
  parts.average.replaceChildren("Average wait: ",
      element("strong", null, queuepos.wait === null ? "not known yet" : formatDuration(queuepos.wait)));
  const received = Date.now();
  const renderEstimate = () => {
    if (queuepos.estimated_wait === null) {
      parts.estimate.replaceChildren("Your estimated wait: ", element("strong", null, "not known yet"));
      return;
    }
    const left = queuepos.estimated_wait - (Date.now() - received) / 1000;
    parts.estimate.replaceChildren("Your estimated wait: ",
        element("strong", "estimate", left > 0 ? formatDuration(left) : "any moment now"));
  };
  renderEstimate();
  clearInterval(countdown);
  countdown = setInterval(renderEstimate, 1000);
}

function showChat(joined) {
  clearInterval(countdown);
  if (view !== "chat" || saved.room !== joined.room) {
    view = "chat";
    saved.room = joined.room;
    saved.agent = joined.agent;
    save();
    const line = element("p", "agent-line", "You are chatting with " + joined.agent + ".");
    messageList = element("ol", "messages");
    messageList.setAttribute("role", "log");
    messageList.setAttribute("aria-live", "polite");
    messageList.setAttribute("aria-label", "Messages");
    transcript = newTranscript();
    body.replaceChildren(line, messageList, element("p", "status"));
  } else {
    body.querySelector(".agent-line").textContent = "You are chatting with " + joined.agent + ".";
  }
  composer.hidden = false;
  typingLine.hidden = false;
  text.disabled = false;
  sendButton.disabled = false;
  client.request("history", { room: joined.room, after: transcript.contiguous }).catch(() => { });
}

function newTranscript() {
  return new Transcript((message, beforeSeq) => {
    // Who wrote it is the message's role, never its name: a guest may share a name with anybody.
    const item = element("li", message.role === "guest" ? "mine" : "", message.body);
    item.dataset.seq = message.seq;
    item.setAttribute("aria-label", message.user + ": " + message.body);
    const before = beforeSeq === null ? null : messageList.querySelector("li[data-seq='" + beforeSeq + "']");
    messageList.insertBefore(item, before);
    body.scrollTop = body.scrollHeight;
  });
}

function showEnded(line) {
  clearInterval(countdown);
  view = "ended";
  text.disabled = true;
  sendButton.disabled = true;
  typingLine.textContent = "";
  const again = element("button", "primary", "Start a new chat");
  again.type = "button";
  again.addEventListener("click", () => {
    forget();
    client.stop();
    showForm();
  });
  if (messageList) {
    messageList.append(element("li", "system", line));
    body.append(again);
  } else {
    body.replaceChildren(element("p", null, line), again);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the server says

function handle(message) {
  switch (message.type) {
    case "identified":
      saved.session = message.session;
      delete saved.starting;
      save();
      break;
    case "queuepos":
      showWaiting(message);
      break;
    case "joined":
      showChat(message);
      break;
    case "message":
    case "history": {
      const messages = message.type === "message" ? [message] : message.messages;
      if (transcript && message.room === saved.room) {
        const gap = transcript.add(messages);
        if (message.type === "message" && message.role !== "guest") {
          typingLine.textContent = "";
        }
        if (gap || message.type === "history" && messages.length === 500) {
          client.request("history", { room: saved.room, after: transcript.contiguous }).catch(() => { });
        }
      }
      break;
    }
    case "status":
      if (message.of === "typing" && message.room === saved.room) {
        typingLine.textContent = message.is === "true" ? message.user + " is typing…" : "";
      } else if (message.of === "availability" && message.room === saved.room) {
        typingLine.textContent = message.is === "away" ? message.user + " lost the connection for a moment…" : "";
      }
      break;
    case "end":
      if (message.room === saved.room) {
        const room = saved.room;
        forget();
        saved.endedRoom = room;
        save();
        showEnded(message.reason === "guest_gone" ? "The conversation ended while you were away."
            : "The conversation has ended.");
      }
      break;
    default:
      break;
  }
}

/** After resume: a waiting guest got queuepos and a guest in a room joined; otherwise the chat ended meanwhile. */
function afterResume() {
  if (view === "waiting" || view === "chat") {
    return;
  }
  const room = saved.room;
  forget();
  if (room) {
    view = "chat";
    saved.room = room;
    messageList = element("ol", "messages");
    messageList.setAttribute("role", "log");
    transcript = newTranscript();
    body.replaceChildren(messageList);
    client.request("history", { room, after: 0 }).catch(() => { });
    saved = { name };
    save();
  }
  showEnded("The conversation has ended.");
}

// ---------------------------------------------------------------------------------------------------------------
// Sending and typing

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    send();
  }
});
const typing = new TypingSignal(client, () => (view === "chat" ? saved.room : null));
text.addEventListener("input", () => typing.input());

function send() {
  const value = text.value.trim();
  if (!value || !saved.room || view !== "chat") {
    return;
  }
  text.value = "";
  typing.stop();
  client.request("message", { room: saved.room, body: value }).catch((e) => {
    text.value = value;
    const line = root.querySelector(".status");
    if (line) {
      line.textContent = "Not sent: " + guestText(e);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------

function mount() {
  document.body.append(host);
  if (saved.session || saved.starting) {
    body.replaceChildren(element("p", "status", "Reconnecting to your chat…"));
    view = null;
    client.start();
    setOpen(saved.open !== false);
  } else if (saved.open) {
    showForm();
    setOpen(true);
  }
}

if (document.body) {
  mount();
} else {
  document.addEventListener("DOMContentLoaded", mount);
}
