// What stock Pyodide (npm) needs from its surroundings to load inside workerd, offline.
// Imported before pyodide.mjs, which detects its environment while the module is evaluated.
// Production Python Workers need none of this: they load a patched Pyodide through
// workerd-internal modules (see README, "Python on real workerd").

// Pyodide takes a scope with `importScripts` for a web worker (the loader never calls it: the
// Emscripten module is imported ahead of it by worker.mjs).
globalThis.importScripts = function () {
  throw new Error("importScripts is not available here: pyodide.asm.js is imported as a module");
};

// The loader resolves its index URL against `location`, and Emscripten's worker branch reads
// `self.location.href`. Nothing is ever fetched from it (worker.mjs serves the two files).
globalThis.location ??= {
  href: "https://pyodide.invalid/worker.js",
  toString() {
    return this.href;
  },
};

// Emscripten's fallback for a missing setImmediate listens for "message" with useCapture=true,
// which workerd refuses. Pyodide's WebLoop prefers MessageChannel outside Node, so this does not
// change the order of asyncio's callbacks.
globalThis.setImmediate ??= (f, ...args) => setTimeout(f, 0, ...args);
globalThis.clearImmediate ??= (id) => clearTimeout(id);

// From the compatibility dates where workerd exposes a Node-style `process`, Pyodide would take
// workerd for Node and call `require`. Hide it from the loader.
try {
  Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
} catch {
  // not configurable at this date: nothing to hide
}
