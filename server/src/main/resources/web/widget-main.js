// The guest widget's glue: reads how the page embedded it, keeps the visitor's conversation in localStorage (per site,
// account and group: a reload, a new tab or a return within the grace takes it up again), and feeds what the server
// says and what the guest does to WidgetState, running the effects it asks for and drawing the result with
// WidgetView. Of several tabs of one visitor, one holds the connection (a Web Lock); the others follow it over a
// BroadcastChannel and hand it what their guest does, so no two tabs take the session from each other. Embed it with
//   <script src="https://SWITCHBOARD/widget.js" data-account="default" data-group="default" async></script>
// The server serves this file after client.js, widget-state.js and widget-view.js, with widget.css, all inside one
// function: nothing leaks into the page.

const script = document.currentScript;
const origin = new URL(script ? script.src : location.href).origin;
const settings = {
  account: script && script.dataset.account || "default",
  group: script && script.dataset.group || "default",
  title: script && script.dataset.title || "Chat with us",
  // The page's push worker (switchboard-push.js served from the page's own origin), for Web Push; none: email only.
  pushWorker: script && script.dataset.pushWorker || null,
};
const KEY = "switchboard.widget." + origin + "." + settings.account + "." + settings.group;
/** What this tab alone keeps: whether its panel is open. */
const TAB_KEY = KEY + ".tab";
/** The newest message the visitor has seen, in any tab (the launcher counts what came after it). */
const SEEN_KEY = KEY + ".seen";

/** What the agent's console shows of where the guest is: this page, and the page that led here. */
function pageDetails() {
  const details = { page: location.href.slice(0, 500) };
  if (document.referrer) {
    details.referrer = document.referrer.slice(0, 500);
  }
  return details;
}

function read(storage, key) {
  try {
    return JSON.parse(storage.getItem(key)) || {};
  } catch (e) {
    return {};
  }
}

function write(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch (e) {
    // Storage full or refused (private mode): the chat works, it just does not survive a reload.
  }
}

/**
 * A link from an email ("come back to your place"): #sb-account=…&sb-group=…&sb-conversation=…&sb-key=… for this
 * widget's account and group. It is taken out of the address bar at once, so it is not bookmarked or shared.
 */
function linkFromEmail() {
  const fields = new URLSearchParams(location.hash.slice(1));
  const reservation = fields.get("sb-conversation");
  const key = fields.get("sb-key");
  if (!reservation || !key || fields.get("sb-account") !== settings.account
    || fields.get("sb-group") !== settings.group) {
    return null;
  }
  try {
    history.replaceState(null, "", location.pathname + location.search);
  } catch (e) {
    // A page that does not allow it keeps the fragment; nothing else changes.
  }
  return { reservation, key };
}

const returning = linkFromEmail();
if (returning) {
  const saved = read(localStorage, KEY);
  write(localStorage, KEY, { name: saved.name, email: saved.email, open: true, attaching: returning });
}
const tab = Object.assign({ open: false }, read(sessionStorage, TAB_KEY));
if (returning) {
  tab.open = true;
}
let seenSeq = read(localStorage, SEEN_KEY).seq || 0;
let state = WidgetState.initial(Object.assign(read(localStorage, KEY), { open: tab.open }));
let leader = false;
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(KEY) : null;
let pageTitle = document.title;
let titled = false;

const client = new Switchboard.Client(origin.replace(/^http/, "ws") + "/ws", {
  onState: (connection) => dispatch({ type: "connection", state: connection }),
  onWelcome: signIn,
  onMessage: dispatch,
});
const typing = new Switchboard.TypingSignal(client, () => (state.phase === "chat" ? state.room : null));

/** After every (re)connection: the session is taken back, or the chat being started is asked for. */
function signIn() {
  if (state.attaching) {
    const { reservation, key } = state.attaching;
    client.request("identify", { reservation, key, account: settings.account, group: settings.group })
      .catch((e) => dispatch({ type: "failed", code: e.code }));
  } else if (state.session) {
    client.request("resume", { session: state.session }).then(() => dispatch({ type: "resumed" }), (e) => {
      if (e.code === "auth_failed") {
        dispatch({ type: "resume-failed" });
      }
    });
  } else if (state.starting) {
    const { user, question } = state.starting;
    client.request("identify", { user, question, account: settings.account, group: settings.group,
      details: pageDetails() }).catch((e) => dispatch({ type: "failed", code: e.code }));
  }
}

/** What the guest does: done here by the tab that holds the connection, or handed to it. */
const actions = {
  start: (user, question) => dispatch({ type: "start", user, question }),
  leave: () => client.request("cancel", {}).then(() => dispatch({ type: "left" }),
    (e) => dispatch({ type: "leave-failed", code: e.code })),
  end: () => client.request("end", { room: state.room }).catch((e) => dispatch({ type: "not-sent", code: e.code })),
  newChat: () => dispatch({ type: "new-chat" }),
  send: (body) => {
    typing.stop();
    if (state.phase === "waiting") {
      return client.request("question", { body }).then(() => dispatch({ type: "added", body }), (e) => {
        dispatch({ type: "not-sent", code: e.code });
        throw e;
      });
    }
    return client.request("message", { room: state.room, body }).then(() => dispatch({ type: "sent" }), (e) => {
      dispatch({ type: "not-sent", code: e.code });
      throw e;
    });
  },
  typing: () => typing.input(),
  writeMessage: () => dispatch({ type: "write-message" }),
  chatInstead: () => dispatch({ type: "chat-instead" }),
  sendMessage: (user, email, body) => {
    dispatch({ type: "message-sending" });
    fetch(widgetUrl("/messages"), { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user, email, body, details: pageDetails() }) })
      .then((response) => response.json().then((answer) => {
        if (response.ok) {
          dispatch({ type: "message-sent", user, email });
        } else {
          dispatch({ type: "message-failed", code: answer.error });
        }
      }))
      .catch(() => dispatch({ type: "message-failed", code: "disconnected" }));
  },
  keepForm: () => dispatch({ type: "keep-form" }),
  keepPlace: (email, notify) => subscribe(notify).then((push) => client.request("keep_place",
    push ? { email, push } : { email })).catch((e) => {
    // Once the place is kept the connection closes at once, and its ack may be lost with it: that is no failure.
    if (state.phase !== "kept") {
      dispatch({ type: "keep-failed", code: e.code });
    }
  }),
  comeBack: () => dispatch({ type: "return" }),
};

/**
 * A Web Push subscription for this browser, when the guest asked for one, the server sends them and the page has a
 * push worker: the browser asks for permission (the guest's own click started this); anything refused or missing
 * gives null, and the place is kept by email alone.
 */
function subscribe(notify) {
  const key = state.info && state.info.push_key;
  if (!notify || !pushPossible() || !key) {
    return Promise.resolve(null);
  }
  return Notification.requestPermission().then((permission) => {
    if (permission !== "granted") {
      return null;
    }
    return navigator.serviceWorker.register(settings.pushWorker).then((registration) => navigator.serviceWorker
      .ready.then(() => registration.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: base64url(key) }))).then((subscription) => subscription.toJSON());
  }).catch(() => null);
}

function pushPossible() {
  return Boolean(settings.pushWorker && "serviceWorker" in navigator && "PushManager" in window
    && typeof Notification === "function");
}

function base64url(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function widgetUrl(suffix) {
  return origin + "/v1/widget/" + encodeURIComponent(settings.account) + "/" + encodeURIComponent(settings.group)
    + (suffix || "");
}

/** What the widget knows before a guest types anything (open, busy, closed, offline), asked again every minute. */
let infoAskedAt = 0;
function askInfo() {
  infoAskedAt = Date.now();
  fetch(widgetUrl(), { cache: "no-store" }).then((response) => (response.ok ? response.json() : null))
    .then((info) => {
      if (info) {
        dispatch({ type: "info", info });
      }
    }).catch(() => { });
}

/** A kept place: its event stream tells the page where it is, and when someone is ready. */
let stream = null;
function watch(reservation) {
  unwatch();
  stream = new EventSource(origin + "/events/g/" + encodeURIComponent(settings.group) + "/r/"
    + encodeURIComponent(reservation));
  stream.onmessage = (event) => {
    try {
      dispatch({ type: "reservation", view: JSON.parse(event.data) });
    } catch (e) {
      // Not one of ours: ignored.
    }
  };
}

function unwatch() {
  if (stream) {
    stream.close();
    stream = null;
  }
}

function act(name, args) {
  if (leader) {
    return Promise.resolve(actions[name](...args));
  }
  if (channel) {
    channel.postMessage({ kind: "action", name, args });
  }
  return Promise.resolve();
}

const host = document.createElement("div");
host.id = "switchboard-widget";
const view = WidgetView.create(host, WIDGET_CSS, settings.title, {
  open: () => dispatch({ type: "open" }),
  close: () => dispatch({ type: "close" }),
  start: (user, question) => act("start", [user, question]),
  leave: () => act("leave", []),
  end: () => act("end", []),
  newChat: () => act("newChat", []),
  send: (body) => act("send", [body]),
  typing: () => act("typing", []),
  writeMessage: () => act("writeMessage", []),
  chatInstead: () => act("chatInstead", []),
  sendMessage: (user, email, body) => act("sendMessage", [user, email, body]),
  keepForm: () => act("keepForm", []),
  keepPlace: (email, notify) => act("keepPlace", [email, notify]),
  pushPossible,
  comeBack: () => act("comeBack", []),
});

/** One event through the state, its effects run, what must survive kept and shared, and the widget drawn again. */
function dispatch(event) {
  if (!leader && event.type !== "open" && event.type !== "close") {
    return;
  }
  const result = WidgetState.next(state, event, Date.now());
  state = result.state;
  for (const effect of result.effects) {
    if (effect.kind === "sign-in") {
      client.resendWelcome();
    } else if (effect.kind === "history") {
      client.request("history", { room: effect.room, after: effect.after }).catch(() => { });
    } else if (effect.kind === "stop") {
      client.stop();
    } else if (effect.kind === "watch") {
      watch(effect.reservation);
    } else if (effect.kind === "unwatch") {
      unwatch();
    }
  }
  if (event.type === "open" || event.type === "close") {
    tab.open = state.open;
  }
  if (event.type === "start") {
    seenSeq = 0;
    write(localStorage, SEEN_KEY, { seq: 0 });
  }
  if (leader) {
    write(localStorage, KEY, WidgetState.saved(state));
    if (channel) {
      channel.postMessage({ kind: "state", state });
    }
  }
  draw();
}

/** Draws this tab: the shared state with this tab's own panel, its unread count and the page title. */
function draw() {
  const mine = Object.assign({}, state, { open: tab.open });
  const messages = state.transcript.messages;
  const newest = messages.length ? messages[messages.length - 1].seq : 0;
  if (tab.open && !document.hidden && (state.phase === "chat" || state.phase === "ended") && newest > seenSeq) {
    seenSeq = newest;
    write(localStorage, SEEN_KEY, { seq: seenSeq });
  }
  write(sessionStorage, TAB_KEY, tab);
  const unread = WidgetState.unread(state, seenSeq);
  view.render(mine, Date.now(), unread);
  const count = tab.open && !document.hidden ? 0 : unread.count;
  if (count > 0) {
    if (!titled) {
      pageTitle = document.title;
      titled = true;
    }
    document.title = "(" + count + ") New message · " + pageTitle;
  } else if (titled) {
    document.title = pageTitle;
    titled = false;
  }
}

if (channel) {
  channel.onmessage = (event) => {
    const message = event.data;
    if (message.kind === "state" && !leader) {
      state = message.state;
      draw();
    } else if (message.kind === "action" && leader && actions[message.name]) {
      actions[message.name](...message.args);
    } else if (message.kind === "hello" && leader) {
      channel.postMessage({ kind: "state", state });
    }
  };
}

/** This tab holds the connection now: it takes the conversation up from storage and connects. */
function lead() {
  leader = true;
  state = WidgetState.initial(Object.assign(read(localStorage, KEY), { open: tab.open }));
  draw();
  if (state.phase === "connecting") {
    client.start();
  } else if (state.phase === "kept" && state.kept) {
    watch(state.kept.reservation);
  }
  askInfo();
}

// The estimate counts down between the server's updates; the opening state is asked again every minute.
setInterval(() => {
  if ((state.phase === "waiting" || state.phase === "kept") && tab.open) {
    draw();
  }
  if (leader && Date.now() - infoAskedAt > 60000 && !document.hidden) {
    askInfo();
  }
}, 1000);
// A phone that locked, a tab in the background, a network that went: when the page is back, so is the chat, at once
// (the server kept the place for waiting_grace_ms).
document.addEventListener("visibilitychange", () => {
  draw();
  if (!document.hidden && leader) {
    client.wake();
    if (Date.now() - infoAskedAt > 10000) {
      askInfo();
    }
  }
});
window.addEventListener("online", () => {
  if (leader) {
    client.wake();
  }
});
// A phone's browser freezes a page in the background and says "resume" when it thaws it.
document.addEventListener("resume", () => {
  if (leader) {
    client.wake();
  }
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted && leader) {
    client.wake();
  }
});
// What the visitor read in another tab is read here too.
window.addEventListener("storage", (event) => {
  if (event.key === SEEN_KEY) {
    seenSeq = read(localStorage, SEEN_KEY).seq || 0;
    draw();
  }
});

function mount() {
  document.body.append(host);
  draw();
  if (navigator.locks && channel) {
    // The first tab of the visitor leads; the others wait for the lock, and the next one leads when it goes.
    navigator.locks.request(KEY, () => new Promise(() => lead()));
    channel.postMessage({ kind: "hello" });
  } else {
    lead();
  }
}

if (document.body) {
  mount();
} else {
  document.addEventListener("DOMContentLoaded", mount);
}
