// Phone-first without a network (a plain module, no framework; a static file for the CSP).
// - registers the service worker (/sw.js: the app shell and the few form pages marked for offline use);
// - forms marked data-offline keep a draft in IndexedDB as the person types (photos too, size-limited), offered
//   back when the form is opened again;
// - a submitted form is queued and sent with an Idempotency-Key (the same key on every retry: the server does the
//   work once and answers a retry with the first answer), now, when the network is back, on the next page load,
//   or when the person presses 重新送出;
// - the badge "n 筆待送出" and each item's state: waiting, sending, sent (with its reference number), failed (with
//   the reason, and a way to fix and resend, or to sign in again and send);
// - a report of a restricted category (leak, national security) is never written to the device: it waits in this
//   page's memory only (docs/security.md, "Offline drafts and the queue");
// - signing out deletes this person's drafts, queue and cached pages; another person signing in on the same
//   browser finds none of them.
// Without JavaScript every form posts as before.

const DB_NAME = "anwei-offline";
const MAX_PHOTO_MB = 5;
const MAX_PHOTO = MAX_PHOTO_MB * 1024 * 1024;
const body = document.body;
const user = body.dataset.user || "";
const memory = new Map(); // restricted reports: never in IndexedDB
let sending = false;

function text(key, values) {
  const template = document.getElementById("offline-strings");
  const node = template && template.content.querySelector('[data-key="' + key + '"]');
  let value = node ? node.textContent.trim() : key;
  Object.entries(values || {}).forEach(([name, v]) => { value = value.replace("{" + name + "}", v); });
  return value;
}

function newKey() {
  if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- IndexedDB -------------------------------------------------------------------------------------------------
let opened = null;
function db() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const d = request.result;
        d.createObjectStore("drafts", { keyPath: "id" });
        d.createObjectStore("queue", { keyPath: "key" });
        d.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = () => {
        const d = request.result;
        d.onversionchange = () => { // signed out in another tab: let the database go
          d.close();
          opened = null;
        };
        resolve(d);
      };
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}
async function store(name, mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(name, mode);
    const result = fn(tx.objectStore(name));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
const get = (name, key) => store(name, "readonly", (s) => s.get(key));
const all = (name) => store(name, "readonly", (s) => s.getAll());
const put = (name, value) => store(name, "readwrite", (s) => s.put(value));
const remove = (name, key) => store(name, "readwrite", (s) => s.delete(key));

async function clearAll() {
  if (opened) {
    (await opened).close();
    opened = null;
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
  if (self.caches) await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "clear" });
  }
}

// --- the queue ---------------------------------------------------------------------------------------------------
async function items() {
  const kept = (await all("queue")).filter((item) => item.user === user);
  return kept.concat(Array.from(memory.values())).sort((a, b) => a.created - b.created);
}
async function save(item) {
  if (item.restricted) memory.set(item.key, item);
  else await put("queue", item);
}
async function drop(item) {
  memory.delete(item.key);
  await remove("queue", item.key);
}

function errorsIn(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const lists = Array.from(page.querySelectorAll("main .errorlist"));
  return lists.map((node) => node.textContent.replace(/\s+/g, " ").trim()).filter(Boolean).join(" ");
}

async function sendOne(item) {
  item.state = "sending";
  await save(item);
  render();
  const data = new FormData();
  item.entries.forEach(([name, value]) => {
    if (name === "csrfmiddlewaretoken") return; // in the header: the body must be the same on every retry
    if (value instanceof Blob) data.append(name, value, value.name || "");
    else data.append(name, value);
  });
  let response;
  try {
    response = await fetch(item.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Idempotency-Key": item.key, "X-CSRFToken": body.dataset.csrf || "" },
    });
  } catch (error) {
    item.state = "pending";
    item.reason = "";
    await save(item);
    return item;
  }
  const type = response.headers.get("Content-Type") || "";
  if (response.type === "opaqueredirect" || response.status === 401) {
    item.state = "failed";
    item.reason = "signin";
  } else if (response.ok && type.startsWith("application/json")) {
    const answer = await response.json();
    item.state = "sent";
    item.reason = "";
    item.reference = answer.reference || "";
    item.location = answer.location || "";
    item.entries = []; // sent: nothing of the form stays on the device
    item.sent = Date.now();
  } else if (response.status === 409 || response.status === 429 || response.status >= 500) {
    item.state = "pending";
    item.reason = "server";
    item.status = response.status; // too many filings (429): the form shows the wait and the phone number
  } else {
    item.state = "failed";
    const detail = type.startsWith("application/json") ? (await response.json()).detail : errorsIn(await response.text());
    item.reason = detail || response.statusText || String(response.status);
  }
  await save(item);
  return item;
}

async function send() {
  if (!user || sending) return;
  sending = true;
  try {
    for (const item of await items()) {
      const due = item.state === "pending" || item.state === "sending" || (item.state === "failed" && item.reason === "signin");
      if (due) {
        await sendOne(item);
        if (item.state === "pending" && !navigator.onLine) break;
      }
    }
  } finally {
    sending = false;
    render();
  }
}

// --- what the person sees ---------------------------------------------------------------------------------------
function button(label, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link";
  b.textContent = label;
  b.addEventListener("click", onclick);
  return b;
}

async function render() {
  if (!user) return;
  const section = document.getElementById("offline-queue");
  const badge = document.querySelector("[data-offline-badge]");
  if (!section) return;
  const list = section.querySelector("[data-offline-list]");
  const kept = await items();
  const waiting = kept.filter((item) => item.state !== "sent").length;
  if (badge) {
    badge.hidden = waiting === 0;
    badge.textContent = text("waiting", { n: waiting });
  }
  section.hidden = kept.length === 0;
  list.replaceChildren();
  kept.forEach((item) => {
    const li = document.createElement("li");
    li.className = "offline-item " + item.state;
    li.dataset.key = item.key;
    const title = document.createElement("strong");
    title.textContent = item.label;
    const state = document.createElement("span");
    state.className = "badge" + (item.state === "failed" ? " bad" : item.state === "sent" ? " ok" : " warn");
    state.dataset.state = item.state;
    state.textContent = text(item.state);
    li.append(title, " ", state);
    if (item.state === "sent" && item.reference) {
      const ref = document.createElement("span");
      ref.className = "reference";
      ref.textContent = " " + text("reference") + " " + item.reference;
      li.append(ref);
    }
    const reason = item.reason === "signin" ? text("signin") : item.reason === "server" ? text("server") : item.reason;
    if (reason) {
      const p = document.createElement("p");
      p.className = "reason";
      p.textContent = reason;
      li.append(p);
    }
    if (item.state === "failed" && item.reason === "signin") {
      const a = document.createElement("a");
      a.href = (body.dataset.login || "/accounts/login/") + "?next=" + encodeURIComponent(location.pathname);
      a.textContent = text("signin-link");
      li.append(a, " ");
    } else if (item.state === "failed") {
      const a = document.createElement("a");
      a.href = item.page + "?resend=" + encodeURIComponent(item.key);
      a.textContent = text("fix");
      li.append(a, " ");
    }
    if (item.state === "failed" || item.state === "sent") {
      li.append(button(text("remove"), async () => { await drop(item); render(); }));
    }
    list.append(li);
  });
}

function note(form, message, alert) {
  let p = form.parentElement.querySelector(".offline-note");
  if (!p) {
    p = document.createElement("p");
    p.className = "offline-note";
    form.before(p);
  }
  p.setAttribute("role", alert ? "alert" : "status");
  p.classList.toggle("error", Boolean(alert));
  p.textContent = message;
  return p;
}

// --- forms ---------------------------------------------------------------------------------------------------------
function restrictedOf(form) {
  const [field, ...codes] = (form.dataset.offlineRestricted || "").split(/\s+/).filter(Boolean);
  return () => Boolean(field && form.elements[field] && codes.includes(form.elements[field].value));
}

function tooLarge(entries) {
  return entries.find(([, value]) => value instanceof Blob && value.size > MAX_PHOTO);
}

function fill(form, entries) {
  const byName = new Map();
  entries.forEach(([name, value]) => byName.set(name, (byName.get(name) || []).concat([value])));
  Array.from(form.elements).forEach((field) => {
    if (!field.name || !byName.has(field.name) || field.name === "csrfmiddlewaretoken") return;
    const values = byName.get(field.name);
    if (field.type === "file") {
      const transfer = new DataTransfer();
      values.filter((v) => v instanceof Blob && v.size).forEach((v) => transfer.items.add(v));
      field.files = transfer.files;
    } else if (field.type === "checkbox" || field.type === "radio") {
      field.checked = values.includes(field.value);
    } else if (field.type === "submit" || field.type === "button") {
      // not a value the person typed
    } else if (field.tagName === "SELECT" && field.multiple) {
      Array.from(field.options).forEach((o) => { o.selected = values.includes(o.value); });
    } else {
      field.value = values[0];
    }
  });
}

async function setUpForm(form) {
  const restricted = restrictedOf(form);
  const draftId = user + " " + location.pathname;
  let timer = null;
  let replaces = null;
  const saveDraft = async () => {
    if (restricted()) {
      await remove("drafts", draftId);
      return;
    }
    let entries = Array.from(new FormData(form).entries());
    const big = tooLarge(entries);
    if (big) {
      note(form, text("too-large", { mb: MAX_PHOTO_MB, name: big[1].name }), true);
      entries = entries.filter(([, value]) => !(value instanceof Blob && value.size > MAX_PHOTO));
    }
    await put("drafts", { id: draftId, user, entries, saved: Date.now() });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(saveDraft, 300);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  const resend = new URLSearchParams(location.search).get("resend");
  const failed = resend && ((await get("queue", resend)) || memory.get(resend));
  if (failed && failed.user === user && failed.entries.length) {
    fill(form, failed.entries);
    replaces = failed;
  } else {
    const draft = await get("drafts", draftId);
    if (draft && draft.user === user) {
      const p = note(form, text("draft") + " ", false);
      p.append(
        button(text("restore"), () => { fill(form, draft.entries); p.remove(); }),
        " ",
        button(text("discard"), async () => { await remove("drafts", draftId); p.remove(); })
      );
    }
  }

  form.addEventListener("submit", async (event) => {
    const submitter = event.submitter;
    const only = form.dataset.offlineSubmitter;
    if (only && (!submitter || submitter.name !== only)) return;
    if (form.dataset.offlinePass) return; // shown again by the server itself (below)
    event.preventDefault();
    clearTimeout(timer);
    const entries = Array.from(new FormData(form, submitter).entries());
    const big = tooLarge(entries);
    if (big && navigator.onLine) {
      // too large to keep on the device, but there is a network: post it as a form does (the server's own limit)
      form.dataset.offlinePass = "1";
      form.requestSubmit(submitter);
      return;
    }
    if (big) {
      note(form, text("too-large", { mb: MAX_PHOTO_MB, name: big[1].name }), true);
      return;
    }
    const heading = document.querySelector("main h1");
    const item = {
      key: newKey(),
      user,
      action: form.action,
      page: location.pathname,
      label: (heading ? heading.textContent.trim() : document.title),
      entries,
      state: "pending",
      reason: "",
      restricted: restricted(),
      created: Date.now(),
    };
    await save(item);
    await remove("drafts", draftId);
    if (replaces) {
      await drop(replaces);
      replaces = null;
    }
    render();
    if (navigator.onLine) await sendOne(item);
    if (item.state === "sent" && item.location) {
      await drop(item); // the next page says what was filed, with its reference number
      location.assign(item.location);
      return;
    }
    if ((item.state === "failed" && item.reason !== "signin") || item.status === 429) {
      // refused with the form's errors (nothing was done): post it as a form does, so the server shows the form
      // again with its errors beside the fields
      await drop(item);
      form.dataset.offlinePass = "1";
      form.requestSubmit(submitter);
      return;
    }
    render();
    note(form, item.restricted ? text("memory") : text("queued"), false);
    if (navigator.serviceWorker) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register("anwei-queue")).catch(() => {});
    }
  });
}

function setUpSignOut(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const waiting = user ? (await items()).filter((item) => item.state !== "sent").length : 0;
    if (waiting && !window.confirm(text("signout"))) return;
    await clearAll();
    form.submit();
  });
}

async function start() {
  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(() => {});
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "send") send();
    });
  }
  document.querySelectorAll("form[data-signout]").forEach(setUpSignOut);
  if (!user || !self.indexedDB) return;
  const last = await get("meta", "user");
  if (last && last.value !== user) await clearAll(); // another person signed in on this browser
  await put("meta", { name: "user", value: user });
  for (const form of document.querySelectorAll("form[data-offline]")) await setUpForm(form);
  document.querySelectorAll("[data-offline-send]").forEach((b) => b.addEventListener("click", send));
  window.addEventListener("online", send);
  await render();
  if (navigator.onLine) await send();
}

start();
