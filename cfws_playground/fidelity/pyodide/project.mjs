// A Python Workers project on real workerd through stock Pyodide: its folder is written into
// Pyodide's file system (python-files.json), its main module imported once, its `Default`
// WorkerEntrypoint called for each request, and each Durable Object class it declares served by
// this project's own glue (glue.mjs). main.mjs, generated for the project, exports them.
import { python } from "./load.mjs";
import project from "./project.json"; // {"folder": ..., "module": ...}

let mainModule;
/** The project's main module, imported once (its folder on sys.path, as Python Workers have it). */
export function entry(py) {
  if (!mainModule) {
    py.pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(project.folder)})`);
    mainModule = py.pyodide.pyimport(project.module);
  }
  return mainModule;
}

export default {
  async fetch(request, env, ctx) {
    // The launcher's probes, not the project's traffic: "is workerd up" (answered without
    // loading Pyodide), then "load Pyodide and import the project" before the first client.
    if (request.headers.has("X-Cfws-Ready")) return new Response("ready");
    if (request.headers.has("X-Cfws-Warm")) {
      entry(await python(env));
      return new Response("warm");
    }
    const py = await python(env);
    const instance = entry(py).Default(ctx, env);
    const result = await instance.fetch(py.sdk.Request(request));
    return result?.js_object ?? result;
  },
};
