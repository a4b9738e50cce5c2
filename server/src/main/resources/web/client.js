// Switchboard's browser client: one WebSocket to /ws that comes back by itself. Shared by the agent console (loaded
// as /client.js) and the guest widget (bundled into /widget.js by the server). No dependencies.
"use strict";

class SwitchboardClient {
  /**
   * @param {string} url ws:// or wss:// URL of /ws
   * @param {object} handlers onWelcome(client): sign in again after every (re)connection; onMessage(message);
   *     onState(state): "connecting", "open", "reconnecting" or "closed"
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.pending = new Map();
    this.refs = 0;
    this.retryMs = 500;
    this.stopped = false;
    this.socket = null;
    this.heartbeat = null;
    this.lastHeard = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good: no reconnection. */
  stop() {
    this.stopped = true;
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
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }
      clearInterval(this.heartbeat);
      for (const { reject } of this.pending.values()) {
        const failure = new Error("connection lost");
        failure.code = "disconnected";
        reject(failure);
      }
      this.pending.clear();
      if (this.stopped) {
        return;
      }
      this.handlers.onState("reconnecting");
      setTimeout(() => this.connect(), this.retryMs);
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
 * A room's transcript kept by seq: messages arrive live, from history after a reconnection, or both; each seq is
 * shown once and in order, and a gap asks for the history after the last seq seen without a gap.
 */
class Transcript {
  constructor(onInsert) {
    this.bySeq = new Map();
    this.contiguous = 0;
    this.onInsert = onInsert;
  }

  /** Adds messages; returns true when a gap remains (ask for history after {@link #contiguous}). */
  add(messages) {
    for (const message of messages) {
      if (this.bySeq.has(message.seq)) {
        continue;
      }
      this.bySeq.set(message.seq, message);
      let before = null;
      for (const seq of this.bySeq.keys()) {
        if (seq > message.seq && (before === null || seq < before)) {
          before = seq;
        }
      }
      this.onInsert(message, before);
    }
    while (this.bySeq.has(this.contiguous + 1)) {
      this.contiguous++;
    }
    return this.bySeq.size > this.contiguous;
  }
}

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

/** Seconds as "m:ss" or "h:mm:ss". */
function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
}

/** An element with a class and text (never HTML: message bodies are text). */
function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}
