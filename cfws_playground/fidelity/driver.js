// The scenario interpreter inside real workerd: the twin of cfws_playground/fidelity/kit.py.
// POST /run with {"ops": [...]} runs one scenario on a fresh WebSocketPair and answers
// {"log": [...]}, in the transcript format kit.py writes. The operations come from
// cfws_playground/fidelity/dsl.py; nothing here knows any scenario.

import { DurableObject } from "cloudflare:workers";

const LONG = 64;

function quote(s) {
  let out = '"';
  const body = s.length <= LONG ? s : s.slice(0, 32);
  for (const ch of body) {
    // for..of walks code points; a lone surrogate comes through as one unit.
    const o = ch.codePointAt(0);
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (o < 0x20 || o === 0x7f || (o >= 0xd800 && o <= 0xdfff)) out += "\\u" + o.toString(16).padStart(4, "0");
    else out += ch;
  }
  out += '"';
  if (s.length > LONG) out += `…(${s.length} chars)`;
  return out;
}

function hex(bytes) {
  const n = Math.min(bytes.length, 32);
  let out = "";
  for (let i = 0; i < n; i++) out += bytes[i].toString(16).padStart(2, "0");
  return bytes.length > 32 ? out + "…" : out;
}

function render(v) {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return quote(v);
  if (v instanceof ArrayBuffer) return `ArrayBuffer[${v.byteLength}] ${hex(new Uint8Array(v))}`.trimEnd();
  if (ArrayBuffer.isView(v)) {
    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return `ArrayBuffer[${b.length}] ${hex(b)}`.trimEnd();
  }
  if (v instanceof Blob) return `Blob[${v.size}]` + (v.type ? ` ${v.type}` : "");
  if (v instanceof WebSocket) return "WebSocket";
  if (v instanceof Response) return `Response(${v.status})`;
  if (v instanceof ReadableStream) return "ReadableStream";
  if (v instanceof Event) return `${v.constructor.name}(${v.type})`;
  if (v instanceof Error || (v && typeof v === "object" && "message" in v && "name" in v)) return errorText(v);
  if (Array.isArray(v)) return "[" + v.map(render).join(", ") + "]";
  if (typeof v === "object") return "{" + Object.entries(v).map(([k, x]) => `${k}: ${render(x)}`).join(", ") + "}";
  return `<${typeof v}>`;
}

function errorText(e) {
  if (e instanceof DOMException) return `DOMException(${e.name}): ${e.message}`;
  return `${e.name}: ${e.message}`;
}

function eventText(e) {
  if (e instanceof MessageEvent) return render(e.data);
  if (e instanceof CloseEvent) return `${e.code} ${render(e.reason)} wasClean=${render(e.wasClean)}`;
  if (e instanceof ErrorEvent) return `${render(e.message)} ${e.error === undefined ? "undefined" : render(e.error)}`;
  return e.constructor.name;
}

const ERRORS = { Error, TypeError, RangeError };

class Run {
  constructor(pair) {
    this.ends = { a: pair[0], b: pair[1] };
    this.log = [];
    this.listeners = {};
    this.timers = 0;
  }
  rs() {
    return `a=${this.ends.a.readyState} b=${this.ends.b.readyState}`;
  }
  end(name, event) {
    // ws: the socket of the handler running, in a Durable Object
    return name === "ws" ? event.ws : this.ends[name];
  }
  show(v) {
    return render(v);
  }
  value(e, event) {
    if ("v" in e) return e.num ? NaN : e.v;
    if ("undef" in e) return undefined;
    if ("null" in e) return null;
    if ("request" in e) return this.request;
    if ("bytes" in e) {
      const h = e.bytes;
      const b = new Uint8Array(h.length / 2);
      for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
      return b.buffer;
    }
    if ("end" in e) return this.end(e.end, event);
    if ("ev" in e) return event[e.ev];
    if ("event" in e) return event;
    if ("add" in e) return this.value(e.add[0], event) + this.value(e.add[1], event);
    if ("obj" in e) {
      const o = {};
      for (const [k, v] of Object.entries(e.obj)) o[k] = this.value(v, event);
      return o;
    }
    if ("arr" in e) return e.arr.map((v) => this.value(v, event));
    if ("scratch" in e) {
      this.scratch = new Uint8Array(this.value(e.scratch, event));
      return this.scratch;
    }
    if ("zeros" in e) return new ArrayBuffer(e.zeros);
    if ("xs" in e) return "x".repeat(e.xs);
    if ("method" in e) {
      const of = this.value(e.of, event);
      return of[e.method](...e.args.map((v) => this.value(v, event)));
    }
    if ("attr" in e) return this.value(e.of, event)[e.attr];
    if ("new" in e) {
      const args = e.args.map((v) => this.value(v, event));
      const cls = { Event, MessageEvent, CloseEvent, ErrorEvent, Uint8Array, Blob }[e.new];
      if (e.new === "Uint8Array") return new Uint8Array(args[0] ?? 0);
      if (e.new === "Blob") return new Blob(args[0] === undefined ? [] : [args[0]], args[1]);
      return new cls(...args);
    }
    throw new Error("unknown value " + JSON.stringify(e));
  }
  runOps(ops, event) {
    for (const op of ops) this.runOp(op, event);
  }
  runOp(op, event) {
    const log = this.log;
    switch (op.do) {
      case "call": {
        const end = this.end(op.end, event);
        const args = op.args.map((a) => this.value(a, event));
        try {
          const result = end[op.name](...args);
          log.push(`${op.text} -> ${this.show(result)}`);
        } catch (err) {
          log.push(`${op.text} -> throws ${errorText(err)}`);
          if (op.rethrow) throw err;
        }
        break;
      }
      case "get":
        log.push(`${op.text} -> ${this.show(this.end(op.end, event)[op.name])}`);
        break;
      case "set":
        try {
          this.end(op.end, event)[op.name] = this.value(op.value, event);
          log.push(op.text);
        } catch (err) {
          log.push(`${op.text} -> throws ${errorText(err)}`);
        }
        break;
      case "scribble":
        this.scratch.fill(255);
        log.push(op.text);
        break;
      case "state":
        log.push(`state: ${this.rs()}`);
        break;
      case "watch":
        for (const name of ["a", "b"])
          for (const type of ["message", "close", "error"])
            this.ends[name].addEventListener(type, this.listener(name, type, "W", []));
        log.push("watch");
        break;
      case "on": {
        let fn = this.listener(op.end, op.type, op.id, op.body);
        if (op.object) fn = { handleEvent: fn };
        this.listeners[op.id] = fn;
        const args = [op.type, fn];
        if (op.options !== null) args.push(this.value(op.options, event));
        try {
          this.end(op.end, event).addEventListener(...args);
          log.push(op.text);
        } catch (err) {
          log.push(`${op.text} -> throws ${errorText(err)}`);
        }
        break;
      }
      case "log":
        log.push(`${op.text} -> ${this.show(this.value(op.value, event))}`);
        break;
      case "off":
      case "add": {
        const args = [op.type, this.listeners[op.id]];
        if (op.options !== null) args.push(this.value(op.options, event));
        try {
          if (op.do === "off") this.end(op.end, event).removeEventListener(...args);
          else this.end(op.end, event).addEventListener(...args);
          log.push(op.text);
        } catch (err) {
          log.push(`${op.text} -> throws ${errorText(err)}`);
        }
        break;
      }
      case "onprop":
        this.end(op.end, event)["on" + op.type] = op.body === null ? null : this.listener(op.end, op.type, "on" + op.type, op.body);
        log.push(op.text);
        break;
      case "throw":
        log.push(op.text);
        throw new (ERRORS[op.cls] || Error)(op.message);
      case "timeout":
        this.timers++;
        setTimeout(() => this.fire(op, event), op.ms);
        break;
      case "microtask":
        queueMicrotask(() => this.fire(op, event));
        break;
      case "response": {
        const args = op.args.map((a) => this.value(a, event));
        try {
          const r = new Response(...args);
          this.response = r;
          log.push(`${op.text} -> ${render(r)} statusText=${render(r.statusText)}`);
        } catch (err) {
          log.push(`${op.text} -> throws ${errorText(err)}`);
        }
        break;
      }
      default:
        if (!this.runOther(op, event)) throw new Error("operation cannot run here: " + op.do);
    }
  }
  runOther(op, event) {
    return false;
  }
  fire(op, event) {
    if (op.do === "timeout") this.timers--;
    this.log.push(`${op.text} ran`);
    this.runOps(op.body, event);
  }
  listener(end, type, id, body) {
    return (event) => {
      this.log.push(`${end} ${type} ${id}: ${eventText(event)} | ${this.rs()}`);
      this.runOps(body, event);
    };
  }
  async settle() {
    // Nothing in a pair runs on its own clock: wait until the log stops growing
    // (at most 10 s, so that a program that never ends cannot stall a batch).
    let quiet = 0;
    let last = -1;
    const deadline = Date.now() + 10000;
    while (quiet < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
      if (this.log.length === last && this.timers === 0) quiet++;
      else quiet = 0;
      last = this.log.length;
    }
  }
}

async function run(ops) {
  const run = new Run(new WebSocketPair());
  for (const op of ops) {
    if (op.do === "settle") await run.settle();
    else if (op.do === "sleep") await new Promise((r) => setTimeout(r, op.ms));
    else run.runOp(op, undefined);
  }
  await run.settle();
  return run.log;
}

// Wire scenarios: POST /prepare {key, ops} stores the Worker's steps; a WebSocket
// request to /ws?key=K runs them on a new pair and returns pair[0] (or the Response a
// `response(...)` step built); GET /log?key=K reads what the Worker's listeners logged.
const programs = new Map();
const logs = new Map();

function serveWire(request, key) {
  const ops = programs.get(key);
  if (!ops) return new Response("unknown scenario key", { status: 404 });
  const pair = new WebSocketPair();
  const run = new Run(pair);
  run.log = logs.get(key);
  run.request = request;
  for (const op of ops) run.runOp(op, undefined);
  return run.response || new Response(null, { status: 101, webSocket: pair[0] });
}

// Durable Object scenarios: the steps run in ScenarioObject's fetch, one object per run
// (named by the run's key), where `ctx` is the object's state; its handlers run the steps
// the scenario gave them. POST /do/run {"ops"} answers {"log"}; for wire scenarios
// /do/prepare, /do/ws?key=K (the object returns a in the 101) and /do/log?key=K.
// The transcript reads values as a Python Worker sees them (fidelity/durable.py):
// sockets by name, null and undefined both None, a Date as Date(recent).
const doEntries = new Map(); // key -> {ops, log}
const doById = new Map(); // the object's id -> its entry

function stamp(ms) {
  return Math.abs(Date.now() - ms) < 60000 ? "Date(recent)" : `Date(${new Date(ms).toISOString()})`;
}

function isSqlCursor(v) {
  return v && typeof v === "object" && typeof v.toArray === "function" && "rowsRead" in v && "columnNames" in v;
}

function showDo(v, names) {
  if (v === undefined || v === null) return "None";
  if (v instanceof WebSocket) return names.get(v) || "WebSocket";
  if (v instanceof WebSocketRequestResponsePair)
    return `WebSocketRequestResponsePair(${render(v.request)}, ${render(v.response)})`;
  if (v instanceof Date) return stamp(v.getTime());
  if (isSqlCursor(v)) {
    // A SqlStorageCursor: read to its end, then its counters (fidelity/durable.py shows the kit's so).
    const rows = v.toArray();
    return `Cursor(columns=${showDo(v.columnNames, names)}, rows=${showDo(rows, names)}, rowsRead=${v.rowsRead}, rowsWritten=${v.rowsWritten})`;
  }
  if (Array.isArray(v)) return "[" + v.map((x) => showDo(x, names)).join(", ") + "]";
  if (v instanceof Map) return "Map{" + [...v].map(([k, x]) => `${k}: ${showDo(x, names)}`).join(", ") + "}";
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return "{" + Object.entries(v).map(([k, x]) => `${k}: ${showDo(x, names)}`).join(", ") + "}";
  return render(v);
}

class DoRun extends Run {
  constructor(ctx, env, log) {
    super(new WebSocketPair());
    this.ctx = ctx;
    this.env = env;
    this.log = log;
    this.handlers = {};
    this.names = new Map([
      [this.ends.a, "a"],
      [this.ends.b, "b"],
    ]);
  }
  rs() {
    return Object.entries(this.ends)
      .map(([n, ws]) => `${n}=${ws.readyState}`)
      .join(" ");
  }
  show(v) {
    return showDo(v, this.names);
  }
  value(e, event) {
    if (e.new === "WebSocketRequestResponsePair")
      return new WebSocketRequestResponsePair(...e.args.map((v) => this.value(v, event)));
    if ("path" in e) {
      let target = e.path === "ctx" ? this.ctx : this.env;
      for (const step of e.steps) {
        if ("get" in step) target = target[step.get];
        else target = target[step.call](...step.args.map((a) => this.value(a, event)));
      }
      return target;
    }
    if ("all" in e) return Promise.all(e.all.map((v) => this.value(v, event)));
    return super.value(e, event);
  }
  logged(op, result, err) {
    if (err !== undefined) this.log.push(`${op.text} -> throws ${errorText(err)}`);
    else this.log.push(`${op.text} -> ${this.show(result)}`);
  }
  async runAwait(op) {
    let result;
    try {
      result = await this.value(op.value, undefined);
    } catch (err) {
      this.logged(op, undefined, err);
      return;
    }
    this.logged(op, result);
  }
  runOther(op, event) {
    switch (op.do) {
      case "pair": {
        const pair = new WebSocketPair();
        op.ends.forEach((name, i) => {
          this.ends[name] = pair[i];
          this.names.set(pair[i], name);
        });
        this.log.push(op.text);
        return true;
      }
      case "ctx": {
        try {
          // the arguments too: new WebSocketRequestResponsePair(...) may throw
          const args = op.args.map((a) => this.value(a, event));
          const result = this.ctx[op.name](...args);
          this.log.push(`${op.text} -> ${this.show(result)}`);
        } catch (err) {
          this.log.push(`${op.text} -> throws ${errorText(err)}`);
          if (op.rethrow) throw err;
        }
        return true;
      }
      case "handler":
        this.handlers[op.name] = op.body;
        return true;
      case "eval": {
        let result;
        try {
          result = this.value(op.value, event);
        } catch (err) {
          this.logged(op, undefined, err);
          return true;
        }
        this.logged(op, result);
        return true;
      }
    }
    return false;
  }
  handle(name, ws, fields, args) {
    const shown = [ws, ...args].map((v) => this.show(v)).join(", ");
    this.log.push(`${name}(${shown}) | ${this.names.get(ws) || "ws"}=${ws.readyState}`);
    const body = this.handlers[name] || [];
    const event = { ws, ...fields };
    // A body with `sleep N` steps makes the handler async: it awaits a timer at each.
    if (body.some((op) => op.do === "sleep")) return this.handleAsync(body, event);
    this.runOps(body, event);
    return undefined;
  }
  async handleAsync(body, event) {
    for (const op of body) {
      if (op.do === "sleep") {
        this.timers++;
        try {
          await new Promise((r) => setTimeout(r, op.ms));
        } finally {
          this.timers--;
        }
      } else this.runOp(op, event);
    }
  }
}

export class ScenarioObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.ctx = ctx;
    this.env = env;
    this.gateLog = [];
    this.inGate = 0;
  }
  async fetch(request) {
    const url = new URL(request.url);
    const entry = doEntries.get(url.searchParams.get("key"));
    if (!entry) return new Response("unknown scenario key", { status: 404 });
    doById.set(this.ctx.id.toString(), entry);
    const run = (entry.run = new DoRun(this.ctx, this.env, entry.log));
    if (url.pathname === "/do/ws") {
      for (const op of entry.ops) run.runOp(op, undefined);
      return run.response || new Response(null, { status: 101, webSocket: run.ends.a });
    }
    for (const op of entry.ops) {
      if (op.do === "settle") await run.settle();
      else if (op.do === "sleep") await new Promise((r) => setTimeout(r, op.ms));
      else if (op.do === "await") await run.runAwait(op);
      else run.runOp(op, undefined);
    }
    await run.settle();
    return new Response("ok");
  }
  handle(name, ws, fields, args) {
    const entry = doById.get(this.ctx.id.toString());
    if (entry && entry.run) return entry.run.handle(name, ws, fields, args);
    return undefined;
  }
  webSocketMessage(ws, message) {
    return this.handle("webSocketMessage", ws, { message }, [message]);
  }
  webSocketClose(ws, code, reason, wasClean) {
    return this.handle("webSocketClose", ws, { code, reason, wasClean }, [code, reason, wasClean]);
  }
  webSocketError(ws, error) {
    return this.handle("webSocketError", ws, { error }, [error]);
  }
  // Present so that setAlarm() checks its argument.
  alarm() {}
  // An RPC method for the input gate: its rows while concurrent calls overlap.
  async gate(label, how) {
    if (!this.inGate) this.gateLog = [];
    this.inGate++;
    this.gateLog.push(`in ${label}`);
    if (how === "timer") await new Promise((r) => setTimeout(r, 50));
    else for (let i = 0; i < 20; i++) await this.ctx.storage.put(`k${i}`, i);
    this.gateLog.push(`out ${label}`);
    this.inGate--;
    return this.gateLog.slice();
  }
}

// The same class, SQLite-backed (the config gives it enableSql): env.SQL_OBJECT.
export class SqlScenarioObject extends ScenarioObject {}

// One Durable Object scenario, in a new object (SQLite-backed if `sqlite`): {log} or {error}.
async function runDurable(env, ops, sqlite = false) {
  const key = crypto.randomUUID();
  const entry = { ops, log: [] };
  doEntries.set(key, entry);
  const namespace = sqlite ? env.SQL_OBJECT : env.OBJECT;
  const object = namespace.get(namespace.idFromName(key));
  try {
    const answer = await object.fetch(`http://do/do/run?key=${key}`, { method: "POST" });
    await answer.text();
    return { log: entry.log };
  } catch (err) {
    return { error: errorText(err) };
  } finally {
    doEntries.delete(key);
    doById.delete(object.id.toString());
  }
}

// Many scenarios in one request (a generated campaign): POST /batch
// {"programs": [{"ops", "durable"}]} answers {"answers": [{log} or {error}, ...]}, in order,
// each run alone as /run or /do/run would run it.
async function runBatch(env, programs) {
  const answers = [];
  for (const p of programs) {
    if (p.durable) answers.push(await runDurable(env, p.ops));
    else {
      try {
        answers.push({ log: await run(p.ops) });
      } catch (err) {
        answers.push({ error: errorText(err) });
      }
    }
  }
  return answers;
}

async function durableRoute(request, env, url) {
  const stub = (key) => env.OBJECT.get(env.OBJECT.idFromName(key));
  if (url.pathname === "/do/run" && request.method === "POST") {
    const { ops, sqlite } = await request.json();
    const answer = await runDurable(env, ops, Boolean(sqlite));
    return Response.json(answer, { status: answer.error ? 500 : 200 });
  }
  const key = url.searchParams.get("key");
  if (url.pathname === "/do/prepare" && request.method === "POST") {
    const body = await request.json();
    doEntries.set(body.key, { ops: body.ops, log: [] });
    return new Response("ok");
  }
  if (url.pathname === "/do/log") return Response.json((doEntries.get(key) || { log: [] }).log);
  if (url.pathname === "/do/ws") return stub(key).fetch(request);
  return new Response("unknown route", { status: 404 });
}

// Routes read the path and query only: the authority is whatever the client's Host said
// (workerd joins two Host headers into "x, y", which no URL parser takes), and a
// scenario about it must still reach its Worker.
function routeOf(request) {
  return new URL(request.url.replace(/^([a-z]+:\/\/)[^/?#]*/i, "$1driver"));
}

export default {
  async fetch(request, env) {
    const url = routeOf(request);
    if (url.pathname.startsWith("/do/")) return durableRoute(request, env, url);
    const key = url.searchParams.get("key");
    if (url.pathname === "/prepare" && request.method === "POST") {
      const body = await request.json();
      programs.set(body.key, body.ops);
      logs.set(body.key, []);
      return new Response("ok");
    }
    if (url.pathname === "/log") return Response.json(logs.get(key) || []);
    if (url.pathname === "/batch" && request.method === "POST") {
      const { programs } = await request.json();
      return Response.json({ answers: await runBatch(env, programs) });
    }
    if (url.pathname === "/ws") return serveWire(request, key);
    if (url.pathname === "/run" && request.method === "POST") {
      const { ops } = await request.json();
      try {
        return Response.json({ log: await run(ops) });
      } catch (err) {
        return Response.json({ error: errorText(err) }, { status: 500 });
      }
    }
    return new Response("cfws-playground scenario driver", { status: 200 });
  },
};
