// The agent console's glue: the connection, the sign-in, the dialogs (ending a conversation, signing out with
// conversations open), and the loop that feeds what the server says and what the agent does to ConsoleState, runs
// the effects it asks for, and draws the result with ConsoleView. After a dropped connection it resumes its session
// and rebuilds its view from snapshot, joined and history, each message once. The server serves this file after
// client.js, console-state.js and console-view.js as one script, /console.js.
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

  const alerts = ConsoleWorkspace.alerts(document, window, (room) => dispatch({ type: "select", room }));

  const view = ConsoleView.create(document, {
    select: (room) => dispatch({ type: "select", room }),
    closeTab: (room) => dispatch({ type: "close-tab", room }),
    send: (room, body, note) => {
      typingOf(room).stop();
      return act("message", note ? { room, body, private: true } : { room, body });
    },
    typing: (room) => typingOf(room).input(),
    end: (room) => endConversation(room),
    leave: (room) => quietly(act("leave", { room })),
    transfer: (room, agent, note) => transfer(room, agent, note),
    join: (room, silent) => quietly(act("join", silent ? { room, silent: true } : { room }).then(() => {
      if (silent) {
        dispatch({ type: "silent", room });
      }
    })),
    accept: (offer) => quietly(act("accept", { offer })),
    pass: (offer) => quietly(act("pass", { offer })),
    saveReply: (reply) => act("reply_save", reply),
    deleteReply: (id) => quietly(act("reply_delete", { id })),
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

  /** A note for the next agent (only agents see it), then the transfer. */
  async function transfer(room, agent, note) {
    if (note) {
      await act("message", { room, body: note, private: true });
    }
    await act("transfer", { room, agent });
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
        if (document.visibilityState === "hidden") {
          reportActivity();
        }
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
      case "alert":
        alerts.alert(effect);
        break;
      case "context":
        quietly(client.request("context", { room: effect.room }));
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
    const text = { connecting: "Connecting…", open: "Connected", reconnecting: "Reconnecting…", closed: "Signed out",
      moved: "Signed in elsewhere" };
    $("connection").textContent = text[connection] || "";
    view.offline(connection === "reconnecting");
    if (connection === "moved") {
      // The same agent signed in on another page: this one stops, and says so.
      sessionStorage.removeItem(SESSION_KEY);
      dispatch({ type: "signed-out" });
      view.showSignIn("You signed in on another page, so this one is signed out.");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Dialogs

  /**
   * Asks in the page's dialog; resolves with the dialog's form, or null when the agent said no. {@code body} builds
   * the dialog's content (the sign-out dialog's choices).
   */
  function ask(title, yes, body) {
    const dialog = $("confirm");
    $("confirm-title").textContent = title;
    $("confirm-yes").textContent = yes;
    const content = $("confirm-body");
    content.replaceChildren();
    if (body) {
      body(content);
    }
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes" ? content : null), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
      $("confirm-no").focus();
    });
  }

  async function endConversation(room) {
    const known = state.byId[room];
    if (await ask("End the conversation with " + (known ? known.guest : "this guest") + "?", "End it") !== null) {
      quietly(act("end", { room }));
    }
  }

  /**
   * Signing out: the agent's open conversations go to colleagues who can take them, or back to the queue (their
   * guests first in line, the conversation carried to the next agent), as the agent chooses; then the session ends.
   */
  async function signOut() {
    const rooms = ConsoleState.ownOpenRooms(state);
    if (rooms.length > 0) {
      const choices = await ask("Sign out: who takes your " + (rooms.length === 1 ? "conversation" : rooms.length
        + " conversations") + "?", "Hand over and sign out", (content) => {
        for (const room of rooms) {
          const label = Switchboard.element("label", "handover", room.guest + " ");
          const select = Switchboard.element("select");
          select.dataset.room = room.id;
          select.append(new Option("Back to the queue (first in line)", ""));
          for (const agent of ConsoleState.transferTargets(state, room)) {
            select.append(new Option(agent.user + " (" + agent.guests + "/" + agent.limit + ")", agent.user));
          }
          label.append(select);
          content.append(label);
        }
      });
      if (choices === null) {
        return;
      }
      for (const select of choices.querySelectorAll("select")) {
        if (select.value) {
          await quietly(act("transfer", { room: select.dataset.room, agent: select.value }));
        }
      }
    }
    await quietly(client.request("logout", {}));
    sessionStorage.removeItem(SESSION_KEY);
    client.stop();
    dispatch({ type: "signed-out" });
    view.showSignIn();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Signing in, and back in after a reconnection

  function signInAgain() {
    const session = sessionStorage.getItem(SESSION_KEY);
    if (pendingLogin) {
      const { user, token } = pendingLogin;
      pendingLogin = null;
      client.request("login", { user, token, console: true }).catch((e) => {
        client.stop();
        view.showSignIn(ConsoleState.signInText(e.code));
      });
    } else if (session) {
      client.request("resume", { session, console: true }).catch((e) => {
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
    // The click that signs in is what lets the page play sounds (and ask to show notifications).
    alerts.unlock();
    $("sign-in-error").textContent = "";
    pendingLogin = { user: $("user").value.trim(), token: $("token").value };
    client.resendWelcome();
  });

  $("sign-out").addEventListener("click", () => signOut());

  $("availability").addEventListener("change", (event) => {
    quietly(act("status", { of: "availability", is: event.target.value }));
  });

  $("assist").addEventListener("click", () => quietly(act("assist", {})));

  alerts.muteSwitch($("sound"));
  // Any click on a page that was reloaded while signed in unlocks sound too.
  document.addEventListener("pointerdown", () => alerts.unlock(), { once: true });

  /** The server sets away an agent whose page stays hidden (a group's auto_away_seconds): it is told when. */
  function reportActivity() {
    dispatch({ type: "page", hidden: document.visibilityState === "hidden" });
    if (state.signedIn) {
      quietly(client.request("activity", { hidden: document.visibilityState === "hidden" }));
    }
  }
  document.addEventListener("visibilitychange", reportActivity);
  state = Object.assign({}, state, { hidden: document.visibilityState === "hidden" });

  setInterval(() => view.tick(Date.now()), 1000);

  // A console that was signed in comes back by itself after a reload.
  if (sessionStorage.getItem(SESSION_KEY)) {
    $("sign-in").hidden = true;
    client.start();
  } else {
    view.showSignIn();
  }
})();
