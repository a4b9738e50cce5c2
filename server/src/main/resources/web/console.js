// The agent console's glue: the connection, the sign-in, and the loop that feeds what the server says and what the
// agent does to ConsoleState, runs the effects it asks for, and draws the result with ConsoleView. Sign in,
// availability, the live queue, rooms as tabs with chat and typing, end and transfer, and for supervisors every
// agent's load and limit and every open room. After a dropped connection it resumes its session and rebuilds its view
// from snapshot, joined and history, each message once.
"use strict";

(function () {
  const SESSION_KEY = "switchboard.console.session";
  const $ = (id) => document.getElementById(id);
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  let state = ConsoleState.initial();
  let pendingLogin = null;
  let refreshTimer = null;
  const typing = new Map();

  const client = new Switchboard.Client(url, {
    onState: showConnection,
    onWelcome: signInAgain,
    onMessage: dispatch,
  });

  /** Runs a request; a failure is told to the agent in the console's words. */
  function act(type, fields) {
    return client.request(type, fields).catch((e) => {
      view.notice(ConsoleState.errorText(e.code));
      throw e;
    });
  }

  const quietly = (promise) => promise.catch(() => { });

  const view = ConsoleView.create(document, {
    select: (room) => dispatch({ type: "select", room }),
    send: (room, body) => {
      typingOf(room).stop();
      return act("message", { room, body });
    },
    typing: (room) => typingOf(room).input(),
    end: (room) => quietly(act("end", { room })),
    transfer: (room, agent) => quietly(act("transfer", { room, agent })),
    join: (room) => quietly(act("join", { room })),
    limit: (agent, limit) => quietly(act("limit", { limit, agent })),
  });

  function typingOf(room) {
    if (!typing.has(room)) {
      typing.set(room, new Switchboard.TypingSignal(client, () => {
        const known = state.byId[room];
        return known && !known.ended ? room : null;
      }));
    }
    return typing.get(room);
  }

  /** One event through the state, its effects run, and the page drawn again. */
  function dispatch(event) {
    const result = ConsoleState.next(state, event, Date.now());
    state = result.state;
    for (const effect of result.effects) {
      run(effect);
    }
    view.render(state, Date.now());
  }

  function run(effect) {
    switch (effect.kind) {
      case "session":
        sessionStorage.setItem(SESSION_KEY, effect.session);
        break;
      case "refresh":
        refreshSnapshot();
        break;
      case "history":
        quietly(client.request("history", { room: effect.room, after: effect.after }));
        break;
      case "notice":
        view.notice(effect.text);
        break;
      default:
        break;
    }
  }

  /** Asks for a fresh snapshot, at most about four times a second. */
  function refreshSnapshot() {
    if (refreshTimer) {
      return;
    }
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      quietly(client.request("snapshot", {}));
    }, 250);
  }

  function showConnection(connection) {
    const text = { connecting: "Connecting…", open: "Connected", reconnecting: "Reconnecting…", closed: "Signed out" };
    $("connection").textContent = text[connection] || "";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Signing in, and back in after a reconnection

  function signInAgain() {
    const session = sessionStorage.getItem(SESSION_KEY);
    if (pendingLogin) {
      const { user, token } = pendingLogin;
      pendingLogin = null;
      client.request("login", { user, token }).catch((e) => {
        client.stop();
        view.showSignIn(ConsoleState.errorText(e.code));
      });
    } else if (session) {
      client.request("resume", { session }).catch((e) => {
        if (e.code === "auth_failed") {
          sessionStorage.removeItem(SESSION_KEY);
          client.stop();
          dispatch({ type: "signed-out" });
          view.showSignIn("Your session has expired: please sign in again.");
        }
      });
    }
  }

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    pendingLogin = { user: $("user").value.trim(), token: $("token").value };
    client.resendWelcome();
  });

  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(SESSION_KEY);
    client.stop();
    dispatch({ type: "signed-out" });
    view.showSignIn();
  });

  $("availability").addEventListener("change", (event) => {
    quietly(act("status", { of: "availability", is: event.target.value }));
  });

  $("assist").addEventListener("click", () => quietly(act("assist", {})));

  setInterval(() => view.tick(Date.now()), 1000);

  // A console that was signed in comes back by itself after a reload.
  if (sessionStorage.getItem(SESSION_KEY)) {
    $("sign-in").hidden = true;
    client.start();
  } else {
    view.showSignIn();
  }
})();
