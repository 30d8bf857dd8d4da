// Python scenarios on real workerd: stock Pyodide (npm) loaded once per isolate, then each
// scenario run by the harness (harness.py, the same file the kit runs) in that interpreter.
//
//   GET  /          ready (does not load Pyodide)
//   POST /run       {"code": ..., "settle": seconds}
//                   -> {"rows": [...]} or {"error": ...}
//
// A scenario's Durable Object (env.OBJECT) is ScenarioObject: the first DurableObject class the
// scenario defines, behind this project's own glue (glue.mjs).
import { pythonObjectClass } from "./glue.mjs";
import { python } from "./load.mjs";

export class ScenarioObject extends pythonObjectClass((py, ctx, env) => py.harness.make_object(ctx, env)) {}

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
