// The "Sell something" chat: speaks the Vercel AI UI message stream protocol (v6) to POST /chat.
// Everything the seller or the agent wrote is put on the page as text (textContent), never as HTML.
(() => {
  "use strict";
  const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
  const MAX_PHOTOS = 10;
  const PHOTO_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
  const CONDITIONS = ["new", "like_new", "excellent", "good", "fair", "for_parts"];
  const TOOL_LABELS = {
    search_categories: "Looking up the category",
    compare_prices: "Comparing prices with similar listings",
    create_listing: "Drafting the listing",
  };
  // What the working indicator says while a tool runs.
  const STEPS = {
    search_categories: "Looking up the category…",
    compare_prices: "Comparing prices…",
    create_listing: "Preparing your draft…",
  };
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), form = $("composer"), input = $("message"), errorBox = $("error");
  const state = {
    chatId: null, conversationId: null, messages: [], busy: true, ready: false, approving: false,
    tray: [], photos: [], toolEls: {}, cards: {}, created: [],
  };

  const uid = () => Math.random().toString(36).slice(2, 12);
  const money = (v) => (v == null || v === "" || isNaN(v)) ? "?" : "$" + Number(v).toLocaleString("en-US",
    { minimumFractionDigits: Number.isInteger(Number(v)) ? 0 : 2, maximumFractionDigits: 2 });
  // Half to even, as the agent rounds (Python's round), so the tool line and the agent's text agree.
  const whole = (v) => { const f = Math.floor(v), d = v - f; return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f; };
  // "1 similar listing", "3 similar listings": a count agrees with its noun (regular plurals only).
  const conditionLabel = (c) => { const s = String(c || "").replace("_", " "); return s.charAt(0).toUpperCase() + s.slice(1); };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  // Words someone typed (the seller, another seller, the model): shown in their own direction, isolated
  // from what is around them, so a right-to-left title cannot reorder a price beside it.
  function words(tag, cls, text) {
    const node = el(tag, cls, text);
    node.dir = "auto";
    return node;
  }
  function button(cls, text) {
    const b = el("button", "button " + cls, text);
    b.type = "button";
    return b;
  }
  // The server's reasons start in lower case (they are written to follow "409: "); a sentence here.
  const sentence = (text) => text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  function showError(text) { errorBox.textContent = sentence(text); errorBox.hidden = !text; }
  function showPhotoError(text) { $("photo-error").textContent = text || ""; $("photo-error").hidden = !text; }
  async function detailOf(res) {
    try { const body = await res.json(); return { detail: body.detail || res.statusText, fields: body.fields || null }; }
    catch (_) { return { detail: res.statusText || "Something went wrong.", fields: null }; }
  }
  function jsonPost(url, body) {
    return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) });
  }

  // Follow the conversation down the page, unless the seller has scrolled up to read.
  let follow = true;
  window.addEventListener("scroll", () => {
    follow = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
  }, { passive: true });
  function scroll() { if (follow) window.scrollTo(0, document.documentElement.scrollHeight); }

  // Whether there is a conversation on screen: the greeting gives way to it, rating and starting over appear.
  function refreshChrome() {
    const started = chat.querySelector(".msg") !== null;
    const replied = chat.querySelector(".msg.assistant") !== null;
    $("greeting").hidden = started;
    $("new-chat").hidden = !started;
    $("feedback").hidden = !replied;
  }

  function setBusy(busy, step) {
    state.busy = busy;
    $("send").disabled = busy;
    chat.setAttribute("aria-busy", String(busy));  // the finished reply is announced once, not word by word
    $("working").hidden = !busy;
    if (busy) $("working-step").textContent = step || "Thinking…";
    else $("busy-note") && $("busy-note").remove();
    // While a turn runs, no draft can be answered; after it, the ones still waiting can again.
    for (const card of Object.values(state.cards)) card.sync();
  }
  function working(step) { if (state.busy) $("working-step").textContent = step; }

  function photoStrip(photos, cls) {
    const strip = el("div", cls || "photos");
    photos.forEach((p, i) => {
      const img = el("img");
      img.src = p.thumb_url || p.thumbUrl || p.url;
      img.alt = `Photo ${i + 1}${p.name ? " (" + p.name + ")" : ""}`;
      strip.appendChild(img);
    });
    return strip;
  }

  function bubble(role, text, photos) {
    const node = el("div", "msg " + role);
    if (photos && photos.length) node.appendChild(photoStrip(photos));
    if (text) node.appendChild(words("div", "text", text));
    chat.appendChild(node);
    refreshChrome();
    scroll();
    return node;
  }

  function categoryPath(id) {
    for (const m of state.messages) for (const p of m.parts || [])
      if (p.type === "tool-search_categories" && p.output && p.output.matches)
        for (const match of p.output.matches) if (match.id === id) return match.path;
    return "category #" + id;
  }

  // A tool's error is written for the model (the API's field list, what to tell the seller): the seller
  // reads what happened in plain words, and the text itself only if they open "Details".
  function failure(name, errorText) {
    if (/^MARKETPLACE UNAVAILABLE/.test(errorText || "")) return "the marketplace didn't answer";
    return name === "create_listing" ? "the marketplace didn't accept the draft as it was" : "that didn't work";
  }

  function toolSummary(name, part) {
    const out = part.output;
    if (part.state === "output-error") return failure(name, part.errorText);
    if (part.state === "output-denied") return "not approved";
    if (name === "create_listing" && !out) return part.state === "approval-requested" ? "waiting for your approval" : "…";
    if (!out) return "…";
    if (name === "search_categories") {
      const m = out.matches || [];
      return m.length ? "found " + m.slice(0, 3).map((x) => x.path.split(" > ").pop()).join(", ") : "no matching category";
    }
    if (name === "compare_prices") {
      if (!out.count) return "no comparable listings";
      // One listing has a price, not a spread: a "middle half" of one would be that price three times.
      if (out.count === 1) return `1 similar listing at ${money(whole(out.median))}`;
      return `${Number(out.count).toLocaleString("en-US")} similar listings, middle half ${money(whole(out.p25))}–${money(whole(out.p75))} (median ${money(whole(out.median))})`;
    }
    if (name === "create_listing") return `posted as listing #${out.id}`;
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
    if (part.state === "output-error" && part.errorText) {
      const more = el("details", "why");
      more.append(el("summary", null, "Details"), words("p", null, part.errorText));
      node.appendChild(more);
    }
    if (name === "compare_prices" && part.output && (part.output.examples || []).length) comps(node, part.output.examples);
    if (name === "create_listing") {
      const card = state.cards[part.toolCallId];
      if (card) card.update(part);
      else if (part.input && typeof part.input === "object" && part.state !== "input-streaming") state.cards[part.toolCallId] = draftCard(part);
      if (part.output && part.output.id && !state.created.some((c) => c.id === part.output.id)) state.created.push(part.output);
    }
    scroll();
  }

  // The comparable listings found, under the price line: titles are other sellers' words, so text only.
  function comps(node, examples) {
    const list = el("ul", "comps");
    list.setAttribute("aria-label", "Comparable listings");
    for (const c of examples) {
      const item = el("li");
      const link = words("a", null, c.title);
      link.href = "/listings/" + encodeURIComponent(c.id);
      item.appendChild(link);
      item.appendChild(document.createTextNode(` — ${money(c.price)}, ${String(c.condition || "").replace("_", " ")}`));
      list.appendChild(item);
    }
    node.appendChild(list);
  }

  function listingLink(listing, cls, text) {
    const link = el("a", cls, text);
    link.href = "/listings/" + encodeURIComponent(listing.id);
    return link;
  }

  // A draft is shown as the listing card it will become; Edit turns it into a form.
  const UNSENT_PHOTOS = "Your new photos aren't sent yet: send them first (then ask the assistant for the draft again), or remove them to post without.";
  function draftCard(part) {
    const id = part.toolCallId;
    const card = el("article", "draft");
    card.dataset.callId = id;
    card.setAttribute("aria-labelledby", "draft-title-" + id);
    const badge = el("p", "draft-badge", "Draft · not posted yet");
    const photos = el("div", "draft-photos");
    const body = el("div", "draft-body");
    const formEl = el("div", "draft-form");
    formEl.hidden = true;
    const actions = el("div", "actions");
    const approve = button("primary approve", "Approve and post"), edit = button("edit", "Edit"), cancel = button("danger cancel", "Cancel");
    actions.append(approve, edit, cancel);
    card.append(badge, photos, body, formEl, actions);
    let args = { ...(part.input || {}) }, status = "waiting", listing = null, editing = false;
    const controls = {};
    const errors = {};

    function preview() {
      body.textContent = "";
      const title = words("h3", "draft-title", (listing || args).title || "");
      title.id = "draft-title-" + id;
      const shown = listing || args;
      body.append(title, el("p", "draft-price", money(shown.price)));
      const meta = el("p", "draft-meta");
      meta.append(el("span", "draft-condition", conditionLabel(shown.condition)), document.createTextNode(" · "),
        el("span", "category", categoryPath(shown.category_id).split(" > ").join(" › ")));
      body.append(meta, words("p", "draft-description", shown.description || ""));
    }
    function drawPhotos() {
      photos.textContent = "";
      // A posted draft shows its listing's photos; any other, the conversation's, which its listing gets.
      const list = listing ? (listing.photos || []).map((pid) => ({ id: pid, url: `/photos/${pid}.jpg`, thumb_url: `/photos/${pid}.thumb.jpg` }))
        : state.photos;
      if (!list.length && status !== "waiting") {  // answered: a line, not a placeholder to scroll past
        photos.appendChild(el("p", "none", "No photos."));
        return;
      }
      if (!list.length) {
        // Where the cover photo goes, as on the listing it will become, with a way to add one.
        const empty = el("div", "no-cover");
        const icon = el("img"); icon.src = "/static/no-photo.svg"; icon.alt = "";
        const add = button("add-photos", "Add photos");
        add.addEventListener("click", () => $("photo").click());
        empty.append(icon, el("p", "none", "No photos yet. Add some and send them: they go with the listing."), add);
        photos.appendChild(empty);
        return;
      }
      const cover = el("img", "cover");
      cover.src = list[0].thumb_url || list[0].url;
      cover.alt = "Cover photo of the listing";
      photos.appendChild(cover);
      if (list.length > 1 || editing) {
        const rest = el("ul");
        rest.setAttribute("aria-label", "Photos of the listing");
        list.forEach((p, i) => {
          const li = el("li");
          const img = el("img"); img.src = p.thumb_url; img.alt = `Photo ${i + 1}`;
          li.appendChild(img);
          if (editing) {
            const remove = button("remove-photo", "×");
            remove.setAttribute("aria-label", `Remove photo ${i + 1}`);
            remove.addEventListener("click", () => removePhoto(p.id));
            li.appendChild(remove);
          }
          rest.appendChild(li);
        });
        photos.appendChild(rest);
      }
    }
    function field(name, label, control) {
      const wrap = el("label");
      wrap.appendChild(document.createTextNode(label));
      control.name = name;
      control.id = `draft-${id}-${name}`;
      const err = el("p", "field-error");
      err.id = `draft-${id}-${name}-error`;
      err.hidden = true;
      control.setAttribute("aria-describedby", err.id);
      wrap.append(control, err);
      controls[name] = control; errors[name] = err;
      formEl.appendChild(wrap);
    }
    function buildForm() {
      const title = el("input"); title.value = args.title || ""; title.autocomplete = "off";
      const price = el("input"); price.value = args.price == null ? "" : String(args.price); price.inputMode = "decimal";
      const condition = el("select");
      for (const c of CONDITIONS) { const o = el("option", null, conditionLabel(c)); o.value = c; o.selected = c === args.condition; condition.appendChild(o); }
      const description = el("textarea"); description.value = args.description || "";
      field("title", "Title", title);
      field("price", "Price (USD)", price);
      field("condition", "Condition", condition);
      field("description", "Description", description);
      // The whole description in sight, however long: the box grows with it (no scrolling inside it).
      const grow = () => { description.style.height = "auto"; description.style.height = description.scrollHeight + 4 + "px"; };
      description.addEventListener("input", grow);
      requestAnimationFrame(grow);
    }
    buildForm();

    function fieldErrors(fields) {
      for (const [name, err] of Object.entries(errors)) {
        const text = fields && fields[name];
        err.textContent = text || ""; err.hidden = !text;
        controls[name].setAttribute("aria-invalid", String(Boolean(text)));
      }
    }
    function setEditing(on) {
      editing = on;
      if (on) { controls.title.value = args.title || ""; }
      formEl.hidden = !on; body.hidden = on;
      edit.textContent = on ? "Done editing" : "Edit";
      if (on) { controls.description.dispatchEvent(new Event("input")); controls.title.focus(); }
      else { Object.assign(args, edited()); preview(); }
      drawPhotos();
    }
    function edited() {
      const raw = controls.price.value.trim();
      const n = Number(raw);
      return {
        title: controls.title.value.trim(), price: raw === "" || isNaN(n) ? raw : n,
        condition: controls.condition.value, description: controls.description.value.trim(),
      };
    }
    function sync() {
      const live = status === "waiting";
      card.className = "draft " + status + (editing ? " editing" : "");
      if (!live && status !== "sending") actions.remove();  // answered for good: no buttons left to press
      [approve, edit, cancel].forEach((b) => { b.disabled = !live || state.busy; });
      badge.textContent = {
        waiting: "Draft · not posted yet", sending: "Draft · sending…", posted: "Posted", cancelled: "Draft · cancelled",
        answered: "Draft · answered in the chat", stale: "Draft · no longer waiting", failed: "Draft · not posted",
      }[status] || "Draft";
    }
    function decide(text, link) {
      let decision = card.querySelector(".decision");
      if (!decision) { decision = el("p", "decision"); card.appendChild(decision); }
      decision.textContent = text;
      if (link) { decision.append(" "); decision.appendChild(link); }
    }

    edit.addEventListener("click", () => setEditing(!editing));
    approve.addEventListener("click", async () => {
      // Photos in the tray reach the conversation only with a message: posted now, the listing would go
      // without them while they sat there, to turn up on the next listing instead.
      if (state.tray.length) { showError(UNSENT_PHOTOS); return; }
      const changes = editing ? edited() : {};
      fieldErrors(null);
      const result = await answer(part, card, true, null, { ...args, ...changes });
      if (!result.ok && result.fields) {
        if (!editing) setEditing(true);
        fieldErrors(result.fields);
        const first = Object.keys(result.fields).find((k) => controls[k]);
        if (first) controls[first].focus();
      }
    });
    cancel.addEventListener("click", () => answer(part, card, false, "cancel", null));

    const api = {
      card, sync,
      get status() { return status; },
      set status(value) { status = value; sync(); drawPhotos(); },
      decide,
      update(p) {
        if (p.input && typeof p.input === "object") args = { ...args, ...p.input };
        if (p.state === "output-available" && p.output && p.output.id) {
          listing = p.output; status = "posted"; editing = false;
          formEl.hidden = true; body.hidden = false;
          decide("Posted.", listingLink(listing, "view-listing", "View your listing"));
        } else if (p.state === "output-denied") {
          // Denied by the Cancel button just pressed, or by a reply typed in the chat ("make it $150").
          if (status === "sending") { status = "cancelled"; decide("Cancelled: nothing was posted."); }
          else if (status !== "cancelled") { status = "answered"; decide("Answered in the chat: not posted as drafted."); }
        }
        else if (p.state === "output-error") { status = "failed"; decide("Not posted: " + failure("create_listing", p.errorText) + "."); }
        else if (p.state === "approval-requested" && status !== "sending") status = "waiting";
        preview(); drawPhotos(); sync();
      },
      redrawPhotos: drawPhotos,
      fieldErrors,
    };
    preview(); drawPhotos(); sync();
    chat.appendChild(card);
    api.update(part);
    return api;
  }

  async function removePhoto(photoId) {
    const res = await fetch("/photos/" + encodeURIComponent(photoId), { method: "DELETE" });
    if (!res.ok && res.status !== 404) { showError("Could not remove that photo: " + (await detailOf(res)).detail); return; }
    state.photos = state.photos.filter((p) => p.id !== photoId);
    for (const c of Object.values(state.cards)) if (c.status === "waiting") c.redrawPhotos();
  }

  async function answer(part, card, approved, reason, edited) {
    if (state.busy) return { ok: false };
    const api = state.cards[part.toolCallId];
    const before = { state: part.state, approval: part.approval, input: part.input };
    api.status = "sending";
    part.state = "approval-responded";
    part.approval = { id: part.approval.id, approved, ...(reason ? { reason } : {}) };
    if (edited) part.input = edited;
    // The button pressed is about to be disabled, which would drop the keyboard focus on <body>: the
    // message box is where the seller goes on from.
    input.focus();
    state.approving = approved;
    const result = await send();
    if (result.ok) {
      if (api.status === "sending") api.status = approved ? "failed" : "cancelled";
      return result;
    }
    if (result.started) {  // the server took the answer; what became of it shows after a reload
      api.status = "stale";
      api.decide("Sent, but the connection dropped; reload the page to see the result.");
      return result;
    }
    // Not taken: the draft is still the seller's to answer (or, if the server has moved on, say so).
    Object.assign(part, before);
    if (/no longer waiting/.test(result.detail || "")) {  // answered in another tab or window
      await restore();
      showError(MOVED_ON);
      return result;
    }
    api.status = "waiting";
    if (result.fields) showError("");  // said next to the fields instead
    return result;
  }

  function finishText(part) {
    // The streamed text was hidden from screen readers while it grew; the finished reply replaces it
    // as one new node, which the log announces once.
    if (!part.el) return;
    const done = words("div", "text", part.text);
    part.el.replaceWith(done);
    part.el = done;
    part.state = "done";
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
        const node = bubble("assistant", "");
        part.el = words("div", "text");
        part.el.setAttribute("aria-hidden", "true");
        node.appendChild(part.el);
        part.bubble = node;
        working("Writing…");
        break;
      }
      case "text-delta": {
        const part = [...parts].reverse().find((p) => p.type === "text");
        if (part) { part.text += chunk.delta; if (part.state === "streaming") part.el.textContent = part.text; scroll(); }
        break;
      }
      case "text-end": { const part = [...parts].reverse().find((p) => p.type === "text"); if (part) finishText(part); break; }
      case "tool-input-start": {
        const part = { type: "tool-" + chunk.toolName, toolCallId: chunk.toolCallId, state: "input-streaming" };
        parts.push(part); toolLine(part);
        working(chunk.toolName === "create_listing" && state.approving ? "Posting your listing…" : (STEPS[chunk.toolName] || "Working…"));
        break;
      }
      case "tool-input-available": {
        let part = find(chunk.toolCallId);
        if (!part) { part = { type: "tool-" + chunk.toolName, toolCallId: chunk.toolCallId }; parts.push(part); }
        part.state = "input-available"; part.input = chunk.input; toolLine(part);
        working(chunk.toolName === "create_listing" && state.approving ? "Posting your listing…" : (STEPS[chunk.toolName] || "Working…"));
        break;
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

  // The message that follows a new listing links to it.
  function linkCreated(createdBefore, lastBubble) {
    const fresh = state.created.slice(createdBefore);
    if (!fresh.length) return;
    const target = lastBubble || bubble("assistant", "");
    for (const listing of fresh) {
      const link = listingLink(listing, "created", "See your listing: ");
      link.append(el("bdi", null, listing.title), ` — ${money(listing.price)}`);
      target.appendChild(link);
    }
    state.photos = [];  // they are the listing's now
  }

  function wire(messages) {
    // What goes over the wire: the UI messages without DOM references, and photos only in the newest
    // message (the server keeps the conversation; a photo already sent need not travel again).
    const last = messages.length - 1;
    return messages.map((m, i) => ({
      id: m.id, role: m.role,
      parts: m.parts.filter((p) => i === last || p.type !== "file")
        .map(({ el: _el, bubble: _b, thumbUrl: _t, photoId: _p, ...rest }) => rest),
    }));
  }

  async function send() {
    const waitingBefore = Object.values(state.cards).filter((c) => c.status === "waiting");
    const createdBefore = state.created.length;
    let sent = false;  // true once the server has accepted the request and begun its reply
    follow = true;
    setBusy(true);
    showError("");
    $("feedback-status").textContent = "";  // e.g. "no conversation to rate yet": not true once it starts
    try {
      const res = await jsonPost("/chat", { trigger: "submit-message", id: state.chatId, messages: wire(state.messages) });
      if (!res.ok) {
        const { detail, fields } = await detailOf(res);
        if (!fields) showError(detail);
        return { ok: false, detail, fields };
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
      for (const part of message.parts) if (part.type === "text" && part.state === "streaming") finishText(part);
      const texts = message.parts.filter((p) => p.type === "text" && p.bubble);
      linkCreated(createdBefore, texts.length ? texts[texts.length - 1].bubble : null);
      // A draft still shown as waiting was answered by this turn's message ("yes", "make it $150").
      for (const card of waitingBefore) {
        if (card.status !== "waiting") continue;
        card.status = "answered";
        card.decide("Answered in the chat: not posted as drafted.");
      }
      return { ok: true };
    } catch (e) {
      // Once the reply has begun, the server has the message: it must not be undone or sent again.
      const started = sent;
      showError("Connection problem: " + e.message + (started ? " (reload the page to see where the conversation stands)" : ""));
      return { ok: false, started, detail: e.message };
    } finally {
      state.approving = false;
      setBusy(false);
      refreshChrome();
      remember();
    }
  }

  // Photos: each is uploaded as soon as it is picked (the server checks and re-encodes it), shown in the
  // tray above the message box with a way to take it back, and sent with the next message.
  function drawTray() {
    const tray = $("tray");
    tray.textContent = "";
    tray.hidden = state.tray.length === 0;
    state.tray.forEach((p, i) => {
      const li = el("li");
      if (p.uploading) li.appendChild(el("span", "uploading", "Uploading…"));
      else {
        const img = el("img"); img.src = p.thumb_url; img.alt = `Photo ${i + 1} (${p.name})`;
        li.appendChild(img);
        const remove = button("remove-photo", "×");
        remove.setAttribute("aria-label", `Remove photo ${p.name}`);
        remove.addEventListener("click", async () => {
          state.tray = state.tray.filter((t) => t !== p);
          drawTray();
          await fetch("/photos/" + encodeURIComponent(p.id), { method: "DELETE" });
          input.focus();
        });
        li.appendChild(remove);
      }
      tray.appendChild(li);
    });
  }

  async function upload(file) {
    const entry = { name: file.name, uploading: true };
    state.tray.push(entry);
    drawTray();
    try {
      const res = await fetch("/photos", { method: "POST", headers: { "content-type": file.type }, body: file });
      if (!res.ok) {
        state.tray = state.tray.filter((t) => t !== entry);
        return `${file.name}: ${(await detailOf(res)).detail}`;
      }
      Object.assign(entry, await res.json(), { uploading: false });
      return null;
    } catch (e) {
      state.tray = state.tray.filter((t) => t !== entry);
      return `${file.name} could not be uploaded (${e.message}); try again.`;
    } finally {
      drawTray();
    }
  }

  $("photo").addEventListener("change", async () => {
    const files = [...$("photo").files];
    $("photo").value = "";
    const problems = [];
    for (const file of files) {
      if (state.tray.length + state.photos.length >= MAX_PHOTOS) { problems.push(`A listing can have at most ${MAX_PHOTOS} photos.`); break; }
      if (!PHOTO_TYPES.includes(file.type)) { problems.push(`${file.name} is not a photo we can use: send a PNG, JPEG, GIF or WebP.`); continue; }
      if (file.size > MAX_PHOTO_BYTES) { problems.push(`${file.name} is ${(file.size / 1048576).toFixed(1)} MB; photos can be at most 10 MB.`); continue; }
      const problem = await upload(file);
      if (problem) problems.push(problem);
    }
    showPhotoError(problems.join(" "));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.ready) return;  // the conversation is still being drawn (Send is disabled until then)
    if (state.busy) {  // never a silent no: say why nothing happens, and keep what they typed
      if (!$("busy-note")) { const note = el("span", "busy-note", " Still answering your last message; send this when it's done."); note.id = "busy-note"; $("working").appendChild(note); }
      return;
    }
    if (state.tray.some((p) => p.uploading)) { showError("Wait a moment: a photo is still uploading."); return; }
    const text = input.value.trim();
    const photos = state.tray.filter((p) => !p.uploading);
    if (!text && !photos.length) { showError("Type a message first, or add a photo."); input.focus(); return; }
    const parts = [];
    if (text) parts.push({ type: "text", text });
    for (const p of photos) parts.push({ type: "file", mediaType: "image/jpeg", filename: p.name, url: p.url });
    const message = { id: uid(), role: "user", parts };
    state.messages.push(message);
    const node = bubble("user", text || "", photos);
    input.value = ""; autosize();
    state.tray = []; drawTray(); showPhotoError("");
    const result = await send();
    if (result.ok || result.started) {
      state.photos = state.photos.concat(photos.map(({ id, url, thumb_url }) => ({ id, url, thumb_url })));
      for (const c of Object.values(state.cards)) if (c.status === "waiting") c.redrawPhotos();
      if (!result.ok) return;
      return;
    }
    // Refused or never arrived: give the seller their words and photos back.
    state.messages.pop(); node.classList.add("failed");
    if (!input.value) { input.value = text; autosize(); }
    state.tray = photos.concat(state.tray); drawTray();
  });

  function autosize() { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight + 2, window.innerHeight * 0.3) + "px"; }
  input.addEventListener("input", autosize);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  for (const example of document.querySelectorAll(".example")) {
    example.addEventListener("click", () => { input.value = example.textContent; autosize(); input.focus(); });
  }

  // One rating per conversation: the button pressed shows it, and a later click replaces it.
  function showRating(rating) {
    $("thumbs-up").setAttribute("aria-pressed", String(rating === "up"));
    $("thumbs-down").setAttribute("aria-pressed", String(rating === "down"));
  }
  async function rate(rating) {
    const res = await jsonPost("/feedback", { rating, comment: $("feedback-comment").value || null, conversation_id: state.conversationId });
    if (res.ok) showRating(rating);
    $("feedback-status").textContent = res.ok ? "Thanks, noted." : (await detailOf(res)).detail;
  }
  $("thumbs-up").addEventListener("click", () => rate("up"));
  $("thumbs-down").addEventListener("click", () => rate("down"));

  async function startOver() {
    $("confirm-new").hidden = true;
    const res = await jsonPost("/chat/new", {});
    if (!res.ok) {  // refused (a turn still running): the conversation goes on, so it stays on screen
      showError("Could not start over: " + (await detailOf(res)).detail);
      return;
    }
    state.conversationId = (await res.json()).conversation_id;
    reset();
    $("feedback-comment").value = ""; showRating(null);
    refreshChrome();
    input.focus();
    remember();
  }
  $("new-chat").addEventListener("click", () => {
    // A draft waiting for an answer is not dropped without asking.
    if (Object.values(state.cards).some((c) => c.status === "waiting")) { $("confirm-new").hidden = false; $("confirm-new-no").focus(); }
    else startOver();
  });
  $("confirm-new-yes").addEventListener("click", startOver);
  $("confirm-new-no").addEventListener("click", () => { $("confirm-new").hidden = true; $("new-chat").focus(); });

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
        setBusy(true, "Still answering your last message…");
        chat.textContent = "";
        chat.appendChild(el("p", "note", "The assistant is still answering your last message…"));
      }
      await pause(500);
    }
  }

  function reset() {
    state.chatId = uid(); state.messages = []; state.toolEls = {}; state.cards = {}; state.created = []; state.photos = [];
    chat.textContent = ""; showError("");
    $("feedback-status").textContent = "";
  }

  function draw(data) {
    state.conversationId = data.conversation_id;
    state.photos = data.photos || [];
    showRating(data.rating);
    const pending = new Set((data.pending || []).map((d) => d.call_id));
    for (const message of data.messages || []) {
      if (message.role === "system") continue;
      state.messages.push(message);
      const createdBefore = state.created.length;
      let lastBubble = null;
      if (message.role === "user") {
        const text = message.parts.filter((p) => p.type === "text").map((p) => p.text).join(" ");
        const photos = message.parts.filter((p) => p.type === "file");
        bubble("user", text, photos);
        continue;
      }
      for (const part of message.parts) {
        if (part.type === "text") { lastBubble = bubble(message.role, part.text); }
        else if (part.type && part.type.startsWith("tool-")) {
          if (pending.has(part.toolCallId)) { part.state = "approval-requested"; part.approval = { id: part.toolCallId }; }
          else if (part.type === "tool-create_listing" && part.state === "input-available") part.state = "output-denied";
          toolLine(part);
        }
      }
      linkCreated(createdBefore, lastBubble);
    }
    state.photos = data.photos || [];
    for (const c of Object.values(state.cards)) if (c.status === "waiting") c.redrawPhotos();
  }

  async function restore() {
    const data = await fetchState();
    reset();
    if (data) { draw(data); seen = signature(data); }
    state.ready = true;
    setBusy(false);  // also makes the drafts just drawn that still wait answerable
    refreshChrome();
    if (input.value) {  // opened from "Sell something like it": the seller finishes the sentence
      autosize(); input.focus(); input.setSelectionRange(input.value.length, input.value.length);
    }
  }

  // The same conversation may be open in another tab or window, where the seller may have approved a
  // draft or started over: coming back to this one shows the conversation as it is now, not as it was.
  const MOVED_ON = "This conversation moved on in another tab or window; here it is as it is now.";
  const signature = (data) => JSON.stringify([data.conversation_id, (data.messages || []).length,
    (data.pending || []).map((d) => d.call_id), data.busy]);
  let seen = null, checking = false;
  async function remember() {  // what the server holds after a turn of this page's own
    seen = null;  // until it is known, coming back checks nothing (rather than compare with the old state)
    try {
      // The server may still be saving the turn just streamed: what it holds once it is done.
      for (let tries = 0; tries < 20; tries++) {
        const res = await fetch("/chat/state", { cache: "no-store" });
        if (!res.ok) return;
        const data = await res.json();
        if (!data.busy) { if (!state.busy) seen = signature(data); return; }
        await pause(150);
      }
    } catch (_) { seen = null; }
  }
  async function catchUp() {
    if (!state.ready || state.busy || checking || seen === null) return;
    checking = true;
    try {
      const res = await fetch("/chat/state", { cache: "no-store" });
      if (!res.ok || state.busy) return;  // a turn began here meanwhile: it draws itself
      if (signature(await res.json()) !== seen) { await restore(); showError(MOVED_ON); }
    } catch (_) {
      // offline for a moment: the next visit checks again
    } finally {
      checking = false;
    }
  }
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") catchUp(); });
  window.addEventListener("focus", catchUp);
  restore();
  // Back to this page from the browser's back-forward cache: the page is as it was left, the
  // conversation may have moved on since (approved on another page, started over): draw it anew.
  window.addEventListener("pageshow", (event) => { if (event.persisted && !state.busy) restore(); });
})();
