// This project's own glue between workerd and a Python Durable Object class, written after what
// workerd's python-entrypoint-helper.ts does (it is not Cloudflare's): the Python instance is
// made in the constructor with (ctx, env); `fetch` gets the SDK's Request around the runtime's and
// returns its Response's `js_object`; the hibernation handlers and `alarm` get as many of their
// arguments as the Python method declares (as the kit calls them); any other method is an RPC call
// forwarded to the Python method of that name, its result converted to a JS value.
import { DurableObject } from "cloudflare:workers";
import { python } from "./load.mjs";

const OWN = new Set(["fetch", "webSocketMessage", "webSocketClose", "webSocketError", "alarm", "handler", "then"]);

function jsValue(value) {
  return value?.toJs ? value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false }) : value;
}

/** A DurableObject class forwarding to the Python instance `make(py, ctx, env)` returns. */
export function pythonObjectClass(make) {
  return class PythonObject extends DurableObject {
    constructor(ctx, env) {
      super(ctx, env);
      this.instance = python(env).then((py) => make(py, ctx, env));
      return new Proxy(this, {
        get(target, prop, receiver) {
          if (typeof prop !== "string" || OWN.has(prop) || prop in target) {
            return Reflect.get(target, prop, receiver);
          }
          return async (...args) => {
            const instance = await target.instance;
            if (typeof instance[prop] !== "function") throw new TypeError(`Method ${prop} does not exist`);
            return jsValue(await instance[prop](...args));
          };
        },
      });
    }
    async fetch(request) {
      const { sdk } = await python(this.env);
      const result = await (await this.instance).fetch(sdk.Request(request));
      return result?.js_object ?? result;
    }
    async handler(name, ...args) {
      const { harness } = await python(this.env);
      const instance = await this.instance;
      if (typeof instance[name] === "function") return harness.call_declared(instance[name], ...args);
    }
    async webSocketMessage(ws, message) {
      return this.handler("webSocketMessage", ws, message);
    }
    async webSocketClose(ws, code, reason, wasClean) {
      return this.handler("webSocketClose", ws, code, reason, wasClean);
    }
    async webSocketError(ws, error) {
      return this.handler("webSocketError", ws, error);
    }
    async alarm(info) {
      return this.handler("alarm", info);
    }
  };
}
