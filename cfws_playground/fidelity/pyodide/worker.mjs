// Python scenarios on real workerd: stock Pyodide (npm) loaded once per isolate, then each
// scenario run by the harness (harness.py, the same file the kit runs) in that interpreter.
//
//   GET  /          ready (does not load Pyodide)
//   POST /run       {"code": ..., "settle": seconds, "durable": class name or null}
//                   -> {"rows": [...]} or {"error": ...}
//
// A scenario's Durable Object runs in ScenarioObject below: the project's own glue, a JS class
// that forwards to the Python class, kept close to what workerd's python-entrypoint-helper.ts
// does for a Python Durable Object (the Python instance is made in the constructor; `fetch`
// gets the SDK's Request and its Response's `js_object` goes back; the hibernation handlers
// get their arguments as they are).
import "./shim.mjs";
import "./pyodide.asm.js"; // defines _createPyodideModule, so the loader loads no script
import { loadPyodide } from "./pyodide.mjs";
import wasmModule from "./pyodide.asm.wasm"; // compiled by workerd when the config is loaded
import stdlib from "./python_stdlib.zip";
import lockText from "./pyodide-lock.json";
import pythonFiles from "./python-files.json"; // {path in Pyodide's file system: source}
import { DurableObject } from "cloudflare:workers";

const INDEX = "https://pyodide.invalid/";

// Emscripten builds small adapter modules with `new WebAssembly.Module(bytes)`, which workerd
// refuses to user code; production Python Workers route these same calls through UnsafeEval.
function routeWasmCompiles(unsafeEval) {
  if (WebAssembly.Module.__routed) return;
  WebAssembly.Module = new Proxy(WebAssembly.Module, {
    construct: (_target, [bytes]) => unsafeEval.newWasmModule(bytes),
    get: (target, key, receiver) => (key === "__routed" ? true : Reflect.get(target, key, receiver)),
  });
}

// The runtime modules Cloudflare's SDK imports (registered as JS modules, as workerd does).
function entrypointHelper() {
  return {
    patchWaitUntil() {},
    cloudflareWorkersModule: null,
    cloudflareSocketsModule: null,
    doAnImport: (name) => import(name),
    *patch_env_helper() {},
  };
}
const compatFlags = { python_workflows_implicit_dependencies: false };

async function load(env) {
  routeWasmCompiles(env.UNSAFE_EVAL);
  const realFetch = globalThis.fetch;
  const realStreaming = WebAssembly.instantiateStreaming;
  // The loader fetches the standard library and the wasm; serve both from the bundle.
  globalThis.fetch = async (url) => {
    const u = String(url);
    if (u === INDEX + "python_stdlib.zip") return { ok: true, arrayBuffer: async () => stdlib };
    if (u === INDEX + "pyodide.asm.wasm") return { ok: true };
    throw new Error("no network here: refusing to fetch " + u);
  };
  WebAssembly.instantiateStreaming = async (_response, imports) => ({
    instance: await WebAssembly.instantiate(wasmModule, imports),
    module: wasmModule,
  });
  let pyodide;
  try {
    pyodide = await loadPyodide({ indexURL: INDEX, lockFileContents: lockText, packageBaseUrl: INDEX });
  } finally {
    globalThis.fetch = realFetch;
    WebAssembly.instantiateStreaming = realStreaming;
  }
  for (const [path, source] of Object.entries(pythonFiles)) {
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    pyodide.FS.writeFile(path, source);
  }
  pyodide.registerJsModule("_pyodide_entrypoint_helper", entrypointHelper());
  pyodide.registerJsModule("_cloudflare_compat_flags", compatFlags);
  return { pyodide, harness: pyodide.pyimport("_cfws_harness") };
}

let loaded;
const python = (env) => (loaded ??= load(env));

export class ScenarioObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.instance = python(env).then(({ harness }) => harness.make_object(ctx, env));
  }
  async fetch(request) {
    const { harness } = await python(this.env);
    const result = await harness.object_fetch(await this.instance, request);
    return result?.js_object ?? result;
  }
  async webSocketMessage(ws, message) {
    return (await this.instance).webSocketMessage?.(ws, message);
  }
  async webSocketClose(ws, code, reason, wasClean) {
    return (await this.instance).webSocketClose?.(ws, code, reason, wasClean);
  }
  async webSocketError(ws, error) {
    return (await this.instance).webSocketError?.(ws, error);
  }
}

export default {
  async fetch(request, env) {
    if (request.method === "GET") return new Response("ready");
    try {
      const { code, settle } = await request.json();
      const { harness } = await python(env);
      const rows = JSON.parse(await harness.run_json(code, settle, env));
      return Response.json({ rows });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
