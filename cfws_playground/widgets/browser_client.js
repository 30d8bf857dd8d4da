// The browser client: a real WebSocket opened by this page, one per widget model.
// The connection lives in initialize() (once per model), so displaying the widget
// twice shows the same connection twice; render() draws a view of it.
// Kernel -> page messages: {type: "connect"}, {type: "send", data}, {type: "close", code, reason}.
// Page -> kernel: {type: "log", entries} in batches, at most every 100 ms.

const REPORT_MS = 100;

// The URL the page connects to, from the route the kernel decided (see client_route()).
export function socketUrl(route, loc = window.location) {
  if (route.mode === "direct") return route.url;
  let base = route.base_url || "/";
  const config = document.getElementById("jupyter-config-data");
  if (config) {
    try {
      const data = JSON.parse(config.textContent);
      if (data.baseUrl) base = data.baseUrl;
    } catch (e) { /* keep the kernel's idea of the base URL */ }
  }
  if (!base.endsWith("/")) base += "/";
  if (!base.startsWith("/")) base = "/" + base;
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}${base}${route.proxy_path}`;
}

function quote(text) {
  return `'${String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function describe(data) {
  if (typeof data === "string") return quote(data.length > 200 ? data.slice(0, 200) + "…" : data);
  return `<binary ${data.byteLength} bytes>`;
}

const STATES = ["connecting", "open", "closing", "closed"];

function connection(model) {
  const self = { ws: null, log: [], views: new Set(), pending: [], timer: null };

  function changed() {
    for (const view of self.views) view();
  }

  function report() {
    self.timer = null;
    if (!self.pending.length) return;
    const entries = self.pending;
    self.pending = [];
    model.send({ type: "log", entries });
  }

  function note(text) {
    const limit = Math.max(1, model.get("window") || 100);
    self.log.push(text);
    if (self.log.length > limit) self.log.splice(0, self.log.length - limit);
    self.pending.push(text);
    if (self.pending.length > limit) self.pending.splice(0, self.pending.length - limit);
    if (self.timer === null) self.timer = setTimeout(report, REPORT_MS);
    changed();
  }

  function setStatus() {
    const ws = self.ws;
    model.set("status", ws ? STATES[ws.readyState] : "");
    model.save_changes();
    changed();
  }

  self.connect = () => {
    if (self.ws && self.ws.readyState < 2) self.ws.close(1000, "reconnecting");
    const url = socketUrl(model.get("route_info"));
    note(`connecting (${model.get("route_info").mode})`);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      note(`error: ${e.message}`);
      return;
    }
    ws.binaryType = "arraybuffer";
    self.ws = ws;
    setStatus();
    ws.onopen = () => {
      note("open");
      setStatus();
      const hello = model.get("hello");
      if (hello) self.send(hello);
    };
    ws.onmessage = (e) => note(`message ${describe(e.data)}`);
    ws.onerror = () => note("error");
    ws.onclose = (e) => {
      note(`close ${e.code} reason=${quote(e.reason)} wasClean=${e.wasClean}`);
      setStatus();
    };
  };

  self.send = (text) => {
    const ws = self.ws;
    if (!ws || ws.readyState !== 1) {
      note(`not sent (${ws ? STATES[ws.readyState] : "not connected"}): ${quote(text)}`);
      return;
    }
    ws.send(text);
    note(`sent ${describe(text)}`);
  };

  self.close = (code, reason) => {
    const ws = self.ws;
    if (!ws) return;
    try {
      if (code === null || code === undefined) ws.close();
      else ws.close(code, reason || "");
      setStatus();
    } catch (e) {
      note(`close() threw ${e.name}: ${e.message}`);
    }
  };

  model.on("msg:custom", (msg) => {
    if (msg.type === "connect") self.connect();
    else if (msg.type === "send") self.send(msg.data);
    else if (msg.type === "close") self.close(msg.code, msg.reason);
  });

  self.dispose = () => {
    if (self.timer !== null) clearTimeout(self.timer);
    report();
    if (self.ws && self.ws.readyState < 2) self.ws.close(1001, "widget closed");
  };
  return self;
}

// anywidget hands initialize() and each render() its own wrapper of the model,
// so the connection is found by the id the kernel gave the widget.
const connections = new Map();

function connectionOf(model) {
  const id = model.get("_client_id");
  let conn = connections.get(id);
  if (!conn) {
    conn = connection(model);
    connections.set(id, conn);
    if (model.get("autoconnect")) conn.connect();
  }
  return conn;
}

function initialize({ model }) {
  const id = model.get("_client_id");
  connectionOf(model);
  return () => {
    const conn = connections.get(id);
    connections.delete(id);
    if (conn) conn.dispose();
  };
}

function render({ model, el }) {
  const conn = connectionOf(model);
  el.classList.add("cfws-browser");
  const bar = document.createElement("div");
  bar.className = "cfws-bar";
  const status = document.createElement("span");
  status.className = "cfws-browser-status";
  const input = document.createElement("input");
  input.type = "text";
  input.placeholder = "a message for the Worker";
  input.className = "cfws-browser-input";
  const sendButton = document.createElement("button");
  sendButton.textContent = "send";
  sendButton.className = "cfws-browser-send";
  const closeButton = document.createElement("button");
  closeButton.textContent = "close";
  closeButton.className = "cfws-browser-close";
  const connectButton = document.createElement("button");
  connectButton.textContent = "connect";
  connectButton.className = "cfws-browser-connect";
  bar.append(status, input, sendButton, closeButton, connectButton);
  const log = document.createElement("ol");
  log.className = "cfws-browser-log";
  el.append(bar, log);

  const sendInput = () => {
    conn.send(input.value);
    input.value = "";
  };
  sendButton.addEventListener("click", sendInput);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") sendInput(); });
  closeButton.addEventListener("click", () => conn.close(1000, "closed from the page"));
  connectButton.addEventListener("click", () => conn.connect());

  let frame = null;
  const draw = () => {
    frame = null;
    const state = conn.ws ? STATES[conn.ws.readyState] : "not connected";
    status.textContent = `page WebSocket: ${state}`;
    status.dataset.state = state;
    const open = state === "open";
    sendButton.disabled = !open;
    closeButton.disabled = !open;
    log.replaceChildren(...conn.log.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      li.className = `cfws-browser-entry cfws-browser-${text.split(" ")[0]}`;
      return li;
    }));
    log.scrollTop = log.scrollHeight;
  };
  // Redraw at most once a frame, however many frames the socket gets.
  const view = () => { if (frame === null) frame = requestAnimationFrame(draw); };
  conn.views.add(view);
  draw();
  return () => conn.views.delete(view);
}

export default { initialize, render };
