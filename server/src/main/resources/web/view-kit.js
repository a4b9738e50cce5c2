// Switchboard's view helpers, added to the namespace of client.js: elements and keyed lists that keep what did not
// change, the composer with its length counter, Markdown made safe, durations. Every user-supplied string reaches the
// page as text. Shared by the console and the widget; no dependencies but client.js before it.
"use strict";

Object.assign(Switchboard, (() => {
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

  /** A line of a caption and a value in bold, the value changed in place. */
  function labelled(line, caption, className, value) {
    if (!line.firstChild) {
      line.append(caption, element("strong", className));
    }
    setText(line.lastChild, value);
  }

  return { BODY_MAX, formatDuration, element, setText, reconcile, keyed, composer, markdown, lengthNote, field, button,
    labelled };
})());
