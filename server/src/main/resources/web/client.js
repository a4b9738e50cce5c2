// Switchboard's browser client, as one namespace: a WebSocket to /ws that comes back by itself, a room's transcript
// kept by seq, the typing signal and two small helpers. Shared by the agent console (loaded as /client.js) and the
// guest widget (bundled into /widget.js by the server). No dependencies.
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

  /** Sets a node's text only when it differs (an update touches nothing that did not change). */
  function setText(node, text) {
    if (node.textContent !== text) {
      node.textContent = text;
    }
  }

  /**
   * Makes the children of {@code parent} the nodes of {@code keys}, in order: {@code make(key, index)} makes a
   * missing one, {@code update(node, key, index)} brings each up to date; nodes of keys no longer there go.
   */
  function reconcile(parent, cache, keys, make, update) {
    const wanted = new Set(keys);
    for (const [key, node] of cache) {
      if (!wanted.has(key)) {
        node.remove();
        cache.delete(key);
      }
    }
    let previous = null;
    keys.forEach((key, index) => {
      let node = cache.get(key);
      if (!node) {
        node = make(key, index);
        cache.set(key, node);
      }
      update(node, key, index);
      const expected = previous ? previous.nextSibling : parent.firstChild;
      if (node !== expected) {
        parent.insertBefore(node, expected);
      }
      previous = node;
    });
  }

  /**
   * Wires a message box: Enter (without Shift) or the form's submit sends the trimmed text through {@code send(body)}
   * (a promise) unless {@code canSend()} says no or it is too long; the box is emptied at once and given the text back
   * if it failed and nothing new was typed meanwhile. Each keystroke calls {@code onInput()} and updates {@code
   * counter} (an element, optional) with {@link lengthNote}.
   */
  function composer(form, text, canSend, send, onInput, counter) {
    const check = () => {
      const note = lengthNote(text.value);
      if (counter) {
        setText(counter, note.text);
        counter.classList.toggle("over", note.over);
      }
      text.setAttribute("aria-invalid", String(note.over));
      return note;
    };
    const submit = () => {
      const body = text.value.trim();
      if (!body || !canSend() || check().over) {
        return;
      }
      text.value = "";
      check();
      send(body).catch(() => {
        if (!text.value) {
          text.value = body;
          check();
        }
      });
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        submit();
      }
    });
    text.addEventListener("input", () => {
      check();
      onInput();
    });
  }

  /** The longest message body (contract: 1-4000 characters); the composer counts from {@link LENGTH_WARNING}. */
  const BODY_MAX = 4000;
  const LENGTH_WARNING = 3500;

  /**
   * What a composer says about its text's length: nothing while it is short, a count near the limit, and over it a
   * warning (and it may not be sent). Counts characters as the server does (UTF-16 units).
   */
  function lengthNote(text, max) {
    const limit = max || BODY_MAX;
    const length = text.length;
    if (length > limit) {
      return { over: true, text: "Too long by " + (length - limit).toLocaleString("en") + " characters (at most "
        + limit.toLocaleString("en") + ")" };
    }
    if (length >= Math.min(LENGTH_WARNING, limit * 0.875)) {
      return { over: false, text: length.toLocaleString("en") + " / " + limit.toLocaleString("en") };
    }
    return { over: false, text: "" };
  }

  /** Links are made only to these schemes; anything else stays text. */
  const LINK = /^(https?:\/\/|mailto:)/i;

  /**
   * A message body as a safe subset of Markdown, built as DOM nodes (never parsed as HTML): paragraphs and line
   * breaks, **bold**, *italic* or _italic_, `code`, fenced code blocks, lists (- or 1.), [links](https://...) and bare
   * http(s) links, opened with rel="noopener noreferrer". Anything else, HTML included, is shown as the text it is.
   */
  function markdown(body) {
    const fragment = document.createDocumentFragment();
    const lines = String(body).replace(/\r\n?/g, "\n").split("\n");
    let paragraph = null;
    let list = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (/^```/.test(line)) {
        const code = [];
        i++;
        while (i < lines.length && !/^```/.test(lines[i])) {
          code.push(lines[i]);
          i++;
        }
        const pre = document.createElement("pre");
        pre.append(element("code", null, code.join("\n")));
        fragment.append(pre);
        paragraph = null;
        list = null;
        continue;
      }
      const bullet = /^\s*[-*] +(.*)$/.exec(line);
      const number = /^\s*\d{1,3}[.)] +(.*)$/.exec(line);
      if (bullet || number) {
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = document.createElement(tag);
          fragment.append(list);
        }
        const item = document.createElement("li");
        inline(item, (bullet || number)[1]);
        list.append(item);
        paragraph = null;
        continue;
      }
      list = null;
      if (line.trim() === "") {
        paragraph = null;
        continue;
      }
      if (paragraph) {
        paragraph.append(document.createElement("br"));
      } else {
        paragraph = document.createElement("p");
        fragment.append(paragraph);
      }
      inline(paragraph, line);
    }
    return fragment;
  }

  /** The inline rules of {@link markdown}, appended to {@code parent}. */
  function inline(parent, text) {
    const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|\b_[^_\s][^_]*_\b)|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]])/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) {
        parent.append(text.slice(last, match.index));
      }
      const token = match[0];
      if (match[1]) {
        parent.append(element("code", null, token.slice(1, -1)));
      } else if (match[2]) {
        const strong = document.createElement("strong");
        inline(strong, token.slice(2, -2));
        parent.append(strong);
      } else if (match[3]) {
        const em = document.createElement("em");
        inline(em, token.slice(1, -1));
        parent.append(em);
      } else if (match[4]) {
        const split = token.indexOf("](");
        const label = token.slice(1, split);
        const href = token.slice(split + 2, -1);
        parent.append(LINK.test(href) ? link(href, label) : token);
      } else {
        parent.append(link(token, token));
      }
      last = match.index + token.length;
    }
    if (last < text.length) {
      parent.append(text.slice(last));
    }
  }

  function link(href, label) {
    const a = element("a", null, label);
    a.href = href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }

  /** Keys for a list whose entries may repeat: the entry's own key, numbered when it comes again. */
  function keyed(entries, keyOf) {
    const seen = new Map();
    return entries.map((entry) => {
      const base = keyOf(entry);
      const count = (seen.get(base) || 0) + 1;
      seen.set(base, count);
      return base + "#" + count;
    });
  }

  return { HISTORY_PAGE, BODY_MAX, Client, Transcript, TypingSignal, formatDuration, element, setText, reconcile,
    keyed, composer, markdown, lengthNote };
})();
