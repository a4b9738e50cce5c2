// The guest widget's glue: reads how the page embedded it, keeps its state in sessionStorage (a reload or a dropped
// network resumes the same conversation), and feeds what the server says and what the guest does to WidgetState,
// running the effects it asks for and drawing the result with WidgetView. Embed it with
//   <script src="https://SWITCHBOARD/widget.js" data-account="default" data-group="default" async></script>
// The server serves this file after client.js, widget-state.js and widget-view.js, with widget.css, all inside one
// function: nothing leaks into the page.

const script = document.currentScript;
const origin = new URL(script ? script.src : location.href).origin;
const settings = {
  account: script && script.dataset.account || "default",
  group: script && script.dataset.group || "default",
  title: script && script.dataset.title || "Chat with us",
};
const STORE_KEY = "switchboard.widget." + origin + "." + settings.account + "." + settings.group;

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY)) || {};
  } catch (e) {
    return {};
  }
}

let state = WidgetState.initial(load());

const client = new Switchboard.Client(origin.replace(/^http/, "ws") + "/ws", {
  onState: (connection) => dispatch({ type: "connection", state: connection }),
  onWelcome: signIn,
  onMessage: dispatch,
});
const typing = new Switchboard.TypingSignal(client, () => (state.phase === "chat" ? state.room : null));

/** After every (re)connection: the session is taken back, or the chat being started is asked for. */
function signIn() {
  if (state.session) {
    client.request("resume", { session: state.session }).then(() => dispatch({ type: "resumed" }), (e) => {
      if (e.code === "auth_failed") {
        dispatch({ type: "resume-failed" });
      }
    });
  } else if (state.starting) {
    const { user, question } = state.starting;
    client.request("identify", { user, question, account: settings.account, group: settings.group,
      details: { page: location.href.slice(0, 500) } }).catch((e) => dispatch({ type: "failed", code: e.code }));
  }
}

const host = document.createElement("div");
host.id = "switchboard-widget";
const view = WidgetView.create(host, WIDGET_CSS, settings.title, {
  open: () => dispatch({ type: "open" }),
  close: () => dispatch({ type: "close" }),
  start: (user, question) => dispatch({ type: "start", user, question }),
  leave: () => client.request("cancel", {}).then(() => dispatch({ type: "left" }),
    (e) => dispatch({ type: "failed", code: e.code })),
  newChat: () => dispatch({ type: "new-chat" }),
  send: (body) => {
    typing.stop();
    return client.request("message", { room: state.room, body }).catch((e) => {
      dispatch({ type: "not-sent", code: e.code });
      throw e;
    });
  },
  typing: () => typing.input(),
});

/** One event through the state, its effects run, what must survive a reload kept, and the widget drawn again. */
function dispatch(event) {
  const result = WidgetState.next(state, event, Date.now());
  state = result.state;
  for (const effect of result.effects) {
    if (effect.kind === "sign-in") {
      client.resendWelcome();
    } else if (effect.kind === "history") {
      client.request("history", { room: effect.room, after: effect.after }).catch(() => { });
    } else if (effect.kind === "stop") {
      client.stop();
    }
  }
  sessionStorage.setItem(STORE_KEY, JSON.stringify(WidgetState.saved(state)));
  view.render(state, Date.now());
}

// The estimate counts down between the server's updates.
setInterval(() => {
  if (state.phase === "waiting" && state.open) {
    view.render(state, Date.now());
  }
}, 1000);

function mount() {
  document.body.append(host);
  view.render(state, Date.now());
  if (state.phase === "connecting") {
    client.start();
  }
}

if (document.body) {
  mount();
} else {
  document.addEventListener("DOMContentLoaded", mount);
}
