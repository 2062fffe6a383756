// The "Sell something" chat: speaks the Vercel AI UI message stream protocol (v6) to POST /chat.
// Everything the seller or the agent wrote is put on the page as text (textContent), never as HTML.
(() => {
  "use strict";
  const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  const PHOTO_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  const CONDITIONS = ["new", "like_new", "excellent", "good", "fair", "for_parts"];
  const TITLE_MIN = 5, TITLE_MAX = 80, MAX_PRICE = 1000000;  // the marketplace's limits (marketplace/schemas.py)
  const TOOL_LABELS = {
    search_categories: "Looking up the category",
    compare_prices: "Comparing prices with similar listings",
    create_listing: "Drafting the listing",
  };
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), form = $("composer"), input = $("message"), errorBox = $("error");
  const state = { chatId: null, conversationId: null, messages: [], busy: false, photo: null, toolEls: {} };

  const uid = () => Math.random().toString(36).slice(2, 12);
  const money = (v) => (v == null || isNaN(v)) ? "?" : "$" + Number(v).toLocaleString("en-US",
    { minimumFractionDigits: Number.isInteger(Number(v)) ? 0 : 2, maximumFractionDigits: 2 });
  // Half to even, as the agent rounds (Python's round), so the tool line and the agent's text agree.
  const whole = (v) => { const f = Math.floor(v), d = v - f; return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f; };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }
  function scroll() { chat.scrollTop = chat.scrollHeight; }
  function setBusy(busy) {
    state.busy = busy;
    $("send").disabled = busy;
    chat.classList.toggle("busy", busy);
    // While a turn runs, no draft can be answered; after it, the ones still waiting can again.
    document.querySelectorAll(".draft").forEach((card) => {
      if (busy || !card.classList.contains("waiting")) card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      else card.querySelectorAll("button").forEach((b) => { b.disabled = b.classList.contains("edit") && card.classList.contains("editing"); });
    });
  }

  function bubble(role, text) {
    const node = el("div", "msg " + role);
    node.appendChild(el("div", "text", text));
    chat.appendChild(node);
    scroll();
    return node;
  }

  function categoryPath(id) {
    for (const m of state.messages) for (const p of m.parts || [])
      if (p.type === "tool-search_categories" && p.output && p.output.matches)
        for (const match of p.output.matches) if (match.id === id) return match.path;
    return "category #" + id;
  }

  function toolSummary(name, part) {
    const out = part.output;
    if (part.state === "output-error") return "failed: " + (part.errorText || "error");
    if (part.state === "output-denied") return "not approved";
    if (name === "create_listing" && !out) return part.state === "approval-requested" ? "waiting for your approval" : "…";
    if (!out) return part.input ? JSON.stringify(part.input) : "…";
    if (name === "search_categories") {
      const m = out.matches || [];
      return m.length ? "found " + m.slice(0, 3).map((x) => x.path.split(" > ").pop()).join(", ") : "no matching category";
    }
    if (name === "compare_prices") {
      return out.count
        ? `${out.count} similar listings, middle half ${money(whole(out.p25))}–${money(whole(out.p75))} (median ${money(whole(out.median))})`
        : "no comparable listings";
    }
    if (name === "create_listing") return `listing #${out.id} created`;
    return "done";
  }

  function toolLine(part) {
    const name = part.type.slice(5);
    let node = state.toolEls[part.toolCallId];
    if (!node) {
      node = el("div", "tool");
      node.dataset.tool = name;
      node.dataset.callId = part.toolCallId;
      chat.appendChild(node);
      state.toolEls[part.toolCallId] = node;
    }
    node.classList.toggle("failed", part.state === "output-error");
    node.textContent = (TOOL_LABELS[name] || name) + ": " + toolSummary(name, part);
    if (name === "create_listing" && part.output && part.output.id) {
      node.textContent = "";
      node.appendChild(el("span", null, "Listed: "));
      const link = el("a", "created", part.output.title + " — " + money(part.output.price));
      link.href = "/listings/" + encodeURIComponent(part.output.id);
      node.appendChild(link);
    }
    if (name === "compare_prices" && part.output && (part.output.examples || []).length) comps(node, part.output.examples);
    if (part.state === "approval-requested") draftCard(part);
    scroll();
  }

  // The comparable listings found, under the price line: titles are other sellers' words, so text only.
  function comps(node, examples) {
    const list = el("ul", "comps");
    list.setAttribute("aria-label", "Comparable listings");
    for (const c of examples) {
      const item = el("li");
      const link = el("a", null, c.title);
      link.href = "/listings/" + encodeURIComponent(c.id);
      item.appendChild(link);
      item.appendChild(document.createTextNode(` — ${money(c.price)}, ${String(c.condition || "").replace("_", " ")}`));
      list.appendChild(item);
    }
    node.appendChild(list);
  }

  function field(label, control) {
    const row = el("label", "field");
    row.appendChild(el("span", null, label));
    row.appendChild(control);
    return row;
  }

  function draftCard(part) {
    const args = part.input || {};
    const card = el("div", "draft waiting");
    card.dataset.callId = part.toolCallId;
    card.appendChild(el("h3", null, "Draft listing"));
    const title = el("input"); title.name = "title"; title.value = args.title || ""; title.required = true;
    title.minLength = TITLE_MIN; title.maxLength = TITLE_MAX;
    const price = el("input"); price.name = "price"; price.type = "number"; price.required = true;
    price.min = "0.01"; price.max = String(MAX_PRICE); price.step = "0.01"; price.value = args.price;
    const condition = el("select"); condition.name = "condition";
    for (const c of CONDITIONS) { const o = el("option", null, c.replace("_", " ")); o.value = c; o.selected = c === args.condition; condition.appendChild(o); }
    const description = el("textarea"); description.name = "description"; description.rows = 4; description.value = args.description || "";
    const controls = [title, price, condition, description];
    controls.forEach((c) => { c.disabled = true; });
    card.appendChild(field("Title", title));
    card.appendChild(field("Price (USD)", price));
    card.appendChild(field("Condition", condition));
    card.appendChild(field("Category", el("span", "category", categoryPath(args.category_id))));
    card.appendChild(field("Description", description));
    const actions = el("div", "actions");
    const approve = el("button", "approve", "Approve"), edit = el("button", "edit", "Edit"), cancel = el("button", "cancel", "Cancel");
    [approve, edit, cancel].forEach((b) => { b.type = "button"; actions.appendChild(b); });
    card.appendChild(actions);
    edit.addEventListener("click", () => {
      controls.forEach((c) => { c.disabled = false; }); card.classList.add("editing"); title.focus(); edit.disabled = true;
    });
    approve.addEventListener("click", () => {
      title.value = title.value.trim();
      // The marketplace's own limits, checked here so that an edit is never dropped for being invalid.
      const invalid = controls.find((c) => !c.checkValidity());
      if (invalid) { showError(`${invalid.name}: ${invalid.validationMessage}`); invalid.reportValidity(); return; }
      const edited = { ...args, title: title.value, price: Number(price.value), condition: condition.value, description: description.value.trim() };
      answer(part, card, true, null, edited);
    });
    cancel.addEventListener("click", () => answer(part, card, false, "cancel", null));
    chat.appendChild(card);
    scroll();
  }

  async function answer(part, card, approved, reason, edited) {
    if (state.busy) return;
    const before = { state: part.state, approval: part.approval, input: part.input };
    const fields = [...card.querySelectorAll("input, select, textarea")];
    const wasEditing = card.classList.contains("editing");
    fields.forEach((c) => { c.disabled = true; });
    card.classList.remove("waiting");
    card.classList.add(approved ? "approved" : "cancelled");
    const decision = el("p", "decision", approved ? "Approved — posting…" : "Cancelled");
    card.appendChild(decision);
    part.state = "approval-responded";
    part.approval = { id: part.approval.id, approved, ...(reason ? { reason } : {}) };
    if (edited) part.input = edited;
    // The button pressed is about to be disabled, which would drop the keyboard focus on <body>: the
    // message box is where the seller goes on from.
    input.focus();
    const result = await send();
    if (result.ok) {
      if (approved) decision.textContent = "Approved";
      return;
    }
    if (result.started) {  // the server took the answer; what became of it shows after a reload
      decision.textContent = "Sent, but the connection dropped; reload the page to see the result.";
      return;
    }
    // Not taken: the draft is still the seller's to answer (or, if the server has moved on, say so).
    Object.assign(part, before);
    card.classList.remove("approved", "cancelled");
    if (/no longer waiting/.test(result.detail || "")) {
      decision.textContent = "This draft is no longer waiting for an answer; reload the page.";
      card.classList.add("stale");
      card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      return;
    }
    decision.remove();
    card.classList.add("waiting");
    if (wasEditing) fields.forEach((c) => { c.disabled = false; });
    setBusy(false);
  }

  function handleChunk(chunk, message) {
    const parts = message.parts;
    // A chunk may be about a tool call of an earlier message: a draft denied by Cancel is answered in
    // a new reply, whose only word about that call is its tool-output-denied.
    const find = (id) => {
      for (let i = state.messages.length - 1; i >= 0; i--) {
        const part = (state.messages[i].parts || []).find((p) => p.toolCallId === id);
        if (part) return part;
      }
      return undefined;
    };
    switch (chunk.type) {
      case "start": if (chunk.messageId) message.id = chunk.messageId; break;
      case "start-step": parts.push({ type: "step-start" }); break;
      case "text-start": {
        const part = { type: "text", text: "", state: "streaming" };
        parts.push(part);
        part.el = bubble("assistant", "").querySelector(".text");
        break;
      }
      case "text-delta": {
        const part = [...parts].reverse().find((p) => p.type === "text");
        if (part) { part.text += chunk.delta; part.el.textContent = part.text; scroll(); }
        break;
      }
      case "text-end": { const part = [...parts].reverse().find((p) => p.type === "text"); if (part) part.state = "done"; break; }
      case "tool-input-start": {
        const part = { type: "tool-" + chunk.toolName, toolCallId: chunk.toolCallId, state: "input-streaming" };
        parts.push(part); toolLine(part); break;
      }
      case "tool-input-available": {
        let part = find(chunk.toolCallId);
        if (!part) { part = { type: "tool-" + chunk.toolName, toolCallId: chunk.toolCallId }; parts.push(part); }
        part.state = "input-available"; part.input = chunk.input; toolLine(part); break;
      }
      case "tool-output-available": {
        const part = find(chunk.toolCallId) || { type: "tool-unknown", toolCallId: chunk.toolCallId };
        part.state = "output-available"; part.output = chunk.output; toolLine(part); break;
      }
      case "tool-output-error": case "tool-input-error": {
        const part = find(chunk.toolCallId);
        if (part) { part.state = "output-error"; part.errorText = chunk.errorText; toolLine(part); }
        break;
      }
      case "tool-output-denied": { const part = find(chunk.toolCallId); if (part) { part.state = "output-denied"; toolLine(part); } break; }
      case "tool-approval-request": {
        const part = find(chunk.toolCallId);
        if (part) { part.state = "approval-requested"; part.approval = { id: chunk.approvalId }; toolLine(part); }
        break;
      }
      case "error": showError(chunk.errorText || "Something went wrong."); break;
      default: break;
    }
  }

  function wire(messages) {
    // What goes over the wire: the UI messages without DOM references, and photos only in the newest
    // message (the server keeps the conversation; a photo already sent need not travel again).
    const last = messages.length - 1;
    return messages.map((m, i) => ({
      id: m.id, role: m.role,
      parts: m.parts.filter((p) => i === last || p.type !== "file").map(({ el: _el, ...rest }) => rest),
    }));
  }

  async function send() {
    const waitingBefore = [...document.querySelectorAll(".draft.waiting")];
    let sent = false;  // true once the server has accepted the request and begun its reply
    setBusy(true);
    showError("");
    $("feedback-status").textContent = "";  // e.g. "no conversation to rate yet": not true once it starts
    try {
      const res = await fetch("/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ trigger: "submit-message", id: state.chatId, messages: wire(state.messages) }),
      });
      if (!res.ok) {
        let detail = res.statusText;
        try { detail = (await res.json()).detail || detail; } catch (_) { /* not JSON */ }
        showError(detail);
        return { ok: false, detail };
      }
      sent = true;
      state.conversationId = res.headers.get("X-Trova-Conversation") || state.conversationId;
      const message = { id: uid(), role: "assistant", parts: [] };
      state.messages.push(message);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          for (const line of event.split("\n")) {
            if (!line.startsWith("data: ")) continue;
            const data = line.slice(6);
            if (data === "[DONE]") continue;
            handleChunk(JSON.parse(data), message);
          }
        }
      }
      // A draft still shown as waiting was answered by this turn's message ("yes", "make it $150").
      for (const card of waitingBefore) {
        if (!card.classList.contains("waiting")) continue;
        card.classList.remove("waiting"); card.classList.add("answered");
        card.querySelectorAll("input, select, textarea").forEach((c) => { c.disabled = true; });
        card.appendChild(el("p", "decision", "Answered in the chat"));
      }
      return { ok: true };
    } catch (e) {
      // Once the reply has begun, the server has the message: it must not be undone or sent again.
      const started = sent;
      showError("Connection problem: " + e.message + (started ? " (reload the page to see where the conversation stands)" : ""));
      return { ok: false, started, detail: e.message };
    } finally {
      setBusy(false);
    }
  }

  function readPhoto(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  $("photo").addEventListener("change", () => {
    const file = $("photo").files[0];
    state.photo = null;
    $("photo-name").textContent = "";
    if (!file) return;
    if (!PHOTO_TYPES.includes(file.type)) { showError(`${file.name} is not a photo (PNG, JPEG, GIF or WebP).`); $("photo").value = ""; return; }
    if (file.size > MAX_PHOTO_BYTES) { showError(`${file.name} is ${(file.size / 1048576).toFixed(1)} MB; photos can be at most 5 MB.`); $("photo").value = ""; return; }
    showError("");
    state.photo = file;
    $("photo-name").textContent = file.name;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (state.busy) return;
    const text = input.value.trim();
    if (!text && !state.photo) { showError("Type a message first."); return; }
    const parts = [];
    if (text) parts.push({ type: "text", text });
    if (state.photo) {
      parts.push({ type: "file", mediaType: state.photo.type, filename: state.photo.name, url: await readPhoto(state.photo) });
    }
    const message = { id: uid(), role: "user", parts };
    state.messages.push(message);
    const node = bubble("user", text || "(photo)");
    if (state.photo) node.appendChild(el("div", "attachment", "Photo: " + state.photo.name));
    input.value = "";
    state.photo = null; $("photo").value = ""; $("photo-name").textContent = "";
    const result = await send();
    if (!result.ok && !result.started) {  // refused or never arrived: give the seller their words back
      state.messages.pop(); node.classList.add("failed");
      if (!input.value) input.value = text;
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  // One rating per conversation: the button pressed shows it, and a later click replaces it.
  function showRating(rating) {
    $("thumbs-up").setAttribute("aria-pressed", String(rating === "up"));
    $("thumbs-down").setAttribute("aria-pressed", String(rating === "down"));
  }
  async function rate(rating) {
    const res = await fetch("/feedback", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ rating, comment: $("feedback-comment").value || null, conversation_id: state.conversationId }),
    });
    if (res.ok) showRating(rating);
    $("feedback-status").textContent = res.ok ? "Thanks, noted." : ((await res.json()).detail || "Could not save that.");
  }
  $("thumbs-up").addEventListener("click", () => rate("up"));
  $("thumbs-down").addEventListener("click", () => rate("down"));
  $("new-chat").addEventListener("click", async () => {
    const res = await fetch("/chat/new", { method: "POST" });
    if (!res.ok) {  // refused (a turn still running): the conversation goes on, so it stays on screen
      let detail = res.statusText;
      try { detail = (await res.json()).detail || detail; } catch (_) { /* not JSON */ }
      showError("Could not start over: " + detail);
      return;
    }
    state.conversationId = (await res.json()).conversation_id;
    state.messages = []; state.toolEls = {}; state.chatId = uid(); chat.textContent = ""; showError("");
    $("feedback-status").textContent = ""; $("feedback-comment").value = ""; showRating(null);
  });

  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function fetchState() {
    // The page may have been reloaded while a turn was running: the server finishes it whoever listens,
    // so wait for it rather than show the conversation as it was before that turn.
    for (let waited = 0; ; waited++) {
      const res = await fetch("/chat/state", { cache: "no-store" });
      if (!res.ok) return null;
      const data = await res.json();
      if (!data.busy || waited >= 120) return data;
      if (!waited) {
        setBusy(true);
        chat.textContent = "";
        chat.appendChild(el("p", "note", "The assistant is still answering your last message…"));
      }
      await pause(500);
    }
  }

  function draw(data) {
    state.conversationId = data.conversation_id;
    showRating(data.rating);
    const pending = new Set((data.pending || []).map((d) => d.call_id));
    for (const message of data.messages || []) {
      if (message.role === "system") continue;
      state.messages.push(message);
      for (const part of message.parts) {
        if (part.type === "text") bubble(message.role, part.text);
        else if (part.type && part.type.startsWith("tool-")) {
          if (pending.has(part.toolCallId)) { part.state = "approval-requested"; part.approval = { id: part.toolCallId }; }
          toolLine(part);
        }
      }
    }
  }

  async function restore() {
    const data = await fetchState();
    state.chatId = uid(); state.messages = []; state.toolEls = {}; chat.textContent = ""; showError("");
    if (data) draw(data);
    setBusy(false);  // also makes the drafts just drawn that still wait answerable
  }
  restore();
  // Back to this page from the browser's back-forward cache: the page is as it was left, the
  // conversation may have moved on since (approved on another page, started over): draw it anew.
  window.addEventListener("pageshow", (event) => { if (event.persisted && !state.busy) restore(); });
})();
