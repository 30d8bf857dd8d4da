// Stock Pyodide (npm) loaded inside workerd, offline, once per isolate: what both the scenario
// worker (worker.mjs) and the project worker (project.mjs) import.
import "./shim.mjs";
import "./pyodide.asm.js"; // defines _createPyodideModule, so the loader loads no script
import { loadPyodide } from "./pyodide.mjs";
import wasmModule from "./pyodide.asm.wasm"; // compiled by workerd when the config is loaded
import stdlib from "./python_stdlib.zip";
import lockText from "./pyodide-lock.json";
import pythonFiles from "./python-files.json"; // {path in Pyodide's file system: source}

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
  return { pyodide, harness: pyodide.pyimport("_cfws_harness"), sdk: pyodide.pyimport("workers") };
}

let loaded;

/** Pyodide, the harness, and the SDK's modules: loaded on first use, then shared by every request. */
export const python = (env) => (loaded ??= load(env));
