// Switchboard's browser client, as one namespace: a WebSocket to /ws that comes back by itself, a room's transcript
// kept by seq and the typing signal (view-kit.js adds the view helpers to the same namespace). Shared by the agent
// console and the guest widget (both bundled by the server). No dependencies.
"use strict";

const Switchboard = (() => {
  /** Messages in one history reply at most (the server's page): a full page means there may be more. */
  const HISTORY_PAGE = 500;

  class Client {
    /**
     * @param {string} url ws:// or wss:// URL of /ws
     * @param {object} handlers onWelcome(client): sign in again after every (re)connection; onMessage(message);
     *     onState(state): "connecting", "open", "reconnecting", "closed", or "moved" (the session was taken over
     *     by another connection, close 4000: this one does not come back)
     */
    constructor(url, handlers) {
      this.url = url;
      this.handlers = handlers;
      this.pending = new Map();
      this.refs = 0;
      this.retryMs = 500;
      this.stopped = true;
      this.socket = null;
      this.heartbeat = null;
      this.lastHeard = 0;
      this.welcomed = false;
      this.retryTimer = null;
    }

    /** Connects (again after {@link stop}); a client that is running already is left alone. */
    start() {
      if (!this.stopped) {
        return;
      }
      this.stopped = false;
      this.connect();
    }

    /** Whether the connection is open and welcomed: requests can be sent now. */
    isOpen() {
      return !this.stopped && this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.welcomed;
    }

    /** Runs the sign-in of onWelcome again on the open connection (a guest starts a new chat). */
    resendWelcome() {
      if (this.isOpen()) {
        this.handlers.onWelcome(this);
      } else {
        this.start();
      }
    }

    /**
     * The page is back (visible again, the network returned, restored from the back-forward cache): a connection that
     * is down is made now rather than after its backoff, and one that may have died while the page slept is checked
     * with a ping and replaced if nothing answers within 5 s.
     */
    wake() {
      if (this.stopped) {
        return;
      }
      const socket = this.socket;
      if (socket && socket.readyState === WebSocket.OPEN) {
        const heard = this.lastHeard;
        socket.send(JSON.stringify({ type: "ping" }));
        setTimeout(() => {
          if (this.socket === socket && this.lastHeard === heard && socket.readyState === WebSocket.OPEN) {
            socket.close();
          }
        }, 5000);
        return;
      }
      if (socket && socket.readyState === WebSocket.CONNECTING) {
        return;
      }
      clearTimeout(this.retryTimer);
      this.retryMs = 500;
      this.connect();
    }

    /** Closes for good: no reconnection. */
    stop() {
      this.stopped = true;
      clearTimeout(this.retryTimer);
      clearInterval(this.heartbeat);
      if (this.socket) {
        this.socket.close(1000, "bye");
      }
      this.handlers.onState("closed");
    }

    connect() {
      this.handlers.onState(this.socket ? "reconnecting" : "connecting");
      const socket = new WebSocket(this.url);
      this.socket = socket;
      this.welcomed = false;
      socket.onmessage = (event) => {
        this.lastHeard = Date.now();
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (message.type === "welcome") {
          this.retryMs = 500;
          this.welcomed = true;
          this.handlers.onState("open");
          this.handlers.onWelcome(this);
          return;
        }
        if ((message.type === "ack" || message.type === "error") && message.ref && this.pending.has(message.ref)) {
          const { resolve, reject } = this.pending.get(message.ref);
          this.pending.delete(message.ref);
          if (message.type === "ack") {
            resolve(message);
          } else {
            const failure = new Error(message.message);
            failure.code = message.code;
            reject(failure);
          }
          return;
        }
        this.handlers.onMessage(message);
      };
      socket.onclose = (event) => {
        if (this.socket !== socket) {
          return;
        }
        if (event && event.code === 4000) {
          // Another connection took the session (the same agent signed in elsewhere): do not fight over it.
          this.stopped = true;
        }
        this.welcomed = false;
        clearInterval(this.heartbeat);
        for (const { reject } of this.pending.values()) {
          const failure = new Error("connection lost");
          failure.code = "disconnected";
          reject(failure);
        }
        this.pending.clear();
        if (this.stopped) {
          if (event && event.code === 4000) {
            this.handlers.onState("moved");
          }
          return;
        }
        this.handlers.onState("reconnecting");
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 8000);
      };
      // Browsers cannot send ping frames: a "ping" request every 20 s, and a connection silent for 45 s is replaced.
      clearInterval(this.heartbeat);
      this.lastHeard = Date.now();
      this.heartbeat = setInterval(() => {
        if (socket.readyState !== WebSocket.OPEN) {
          return;
        }
        if (Date.now() - this.lastHeard > 45000) {
          socket.close();
          return;
        }
        socket.send(JSON.stringify({ type: "ping" }));
      }, 20000);
    }

    /** Sends a request; the promise settles with its ack, or fails with its error (err.code). */
    request(type, fields) {
      const ref = "r" + (++this.refs);
      const frame = Object.assign({ type, ref }, fields || {});
      return new Promise((resolve, reject) => {
        if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
          const failure = new Error("not connected");
          failure.code = "disconnected";
          reject(failure);
          return;
        }
        this.pending.set(ref, { resolve, reject });
        this.socket.send(JSON.stringify(frame));
      });
    }

    /** Sends a request whose answer does not matter (typing). */
    notify(type, fields) {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify(Object.assign({ type }, fields || {})));
      }
    }
  }

  /**
   * A room's transcript as a value: its messages in seq order, each once, and the last seq seen without a gap.
   * Messages arrive live, from history after a reconnection, or both.
   */
  const Transcript = {
    empty() {
      return { messages: [], contiguous: 0 };
    },

    /**
     * Takes messages in; returns the new transcript and the seq to ask history after, or null: asked when a gap
     * remains, or when a history reply was a full page (there may be more). History is always asked after {@code
     * contiguous}, so a reply covers everything up to its last message.
     */
    receive(transcript, incoming, fromHistory) {
      const messages = transcript.messages.slice();
      for (const message of incoming) {
        let at = messages.length;
        while (at > 0 && messages[at - 1].seq > message.seq) {
          at--;
        }
        if (at > 0 && messages[at - 1].seq === message.seq) {
          continue;
        }
        messages.splice(at, 0, message);
      }
      let contiguous = transcript.contiguous;
      if (fromHistory === true && incoming.length > 0) {
        // A history reply holds every message after what was asked for, up to its last one: a seq it skips is one
        // this reader does not get (a note for agents), not a gap.
        contiguous = Math.max(contiguous, incoming[incoming.length - 1].seq);
      }
      const seqs = new Set(messages.map((message) => message.seq));
      while (seqs.has(contiguous + 1)) {
        contiguous++;
      }
      const gap = messages.length > 0 && messages[messages.length - 1].seq > contiguous;
      const full = fromHistory === true && incoming.length >= HISTORY_PAGE;
      return { transcript: { messages, contiguous }, askHistoryAfter: gap || full ? contiguous : null };
    },
  };

  /**
   * Tells the other members of a room that this user is typing: "true" at the first keystroke, "false" three seconds
   * after the last one or when the message is sent. {@code room} returns the room's id, or null when there is none.
   */
  class TypingSignal {
    constructor(client, room) {
      this.client = client;
      this.room = room;
      this.sent = null;
      this.timer = null;
    }

    /** A keystroke. */
    input() {
      const room = this.room();
      if (!room) {
        return;
      }
      if (this.sent !== room) {
        this.stop();
        this.sent = room;
        this.client.notify("status", { room, of: "typing", is: "true" });
      }
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.stop(), 3000);
    }

    /** The user stopped (or sent the message). */
    stop() {
      clearTimeout(this.timer);
      if (this.sent) {
        this.client.notify("status", { room: this.sent, of: "typing", is: "false" });
        this.sent = null;
      }
    }
  }

  return { HISTORY_PAGE, Client, Transcript, TypingSignal };
})();
