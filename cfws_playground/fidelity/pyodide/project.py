"""A Python Workers project folder on real workerd, through stock Pyodide: the deploy check.

``cfws-playground serve DIR`` runs a project on the kit; :func:`serve_project`
runs the same folder, unchanged, in Pyodide inside workerd, so that the same
real ``websockets`` clients can be pointed at both and their transcripts
compared. Its ``wrangler`` file gives the main module, the compatibility date
and flags, ``vars`` and the Durable Object bindings; the classes are served by
this project's own glue (``glue.mjs``, not Cloudflare's), the Worker's
``Default`` entrypoint by ``project.mjs``.
"""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...pyworkers.project import ProjectError, find_config, read_config
from .loader import _HERE, _PYODIDE_FILES, PyodideServer, python_files

__all__ = ["serve_project"]

#: Where the project's folder is in Pyodide's file system.
_FOLDER = "/session/project"
#: Flags for Pyodide in workerd that workerd itself does not need here (no Python module type).
_NOT_FOR_WORKERD = {"python_workers"}


def _capnp(config: dict[str, Any], date: str, flags: list[str], storage: Path) -> str:
    objects = (config.get("durable_objects") or {}).get("bindings") or []
    sqlite = {c for m in config.get("migrations") or [] for c in m.get("new_sqlite_classes") or []}
    namespaces = ", ".join(
        f'(className = "{b["class_name"]}", uniqueKey = "cfws-project-{b["class_name"]}"'
        + (", enableSql = true)" if b["class_name"] in sqlite else ")")
        for b in objects
    )
    bindings = ['(name = "UNSAFE_EVAL", unsafeEval = void)']
    bindings += [f'(name = "{b["name"]}", durableObjectNamespace = "{b["class_name"]}")' for b in objects]
    for key, value in (config.get("vars") or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        kind = "text" if isinstance(value, str) else "json"
        bindings.append(f"(name = {json.dumps(key)}, {kind} = {json.dumps(text)})")
    modules = ["main.mjs", "project.mjs", "glue.mjs", "load.mjs", "shim.mjs", "pyodide.mjs", "pyodide.asm.js"]
    module_list = [f'(name = "{m}", esModule = embed "{m}")' for m in modules] + [
        '(name = "pyodide.asm.wasm", wasm = embed "pyodide.asm.wasm")',
        '(name = "python_stdlib.zip", data = embed "python_stdlib.zip")',
        '(name = "pyodide-lock.json", text = embed "pyodide-lock.json")',
        '(name = "python-files.json", json = embed "python-files.json")',
        '(name = "project.json", json = embed "project.json")',
    ]
    flag_list = ", ".join(json.dumps(f) for f in flags)
    return (
        'using Workerd = import "/workerd/workerd.capnp";\n'
        "const config :Workerd.Config = (\n"
        f'  services = [(name = "main", worker = (modules = [{", ".join(module_list)}], '
        f'compatibilityDate = "{date}", compatibilityFlags = [{flag_list}], '
        f'durableObjectNamespaces = [{namespaces}], durableObjectStorage = (localDisk = "storage"), '
        f"bindings = [{', '.join(bindings)}])),\n"
        # SQLite-backed objects (new_sqlite_classes) need storage on disk: a fresh folder per run.
        f'    (name = "storage", disk = (path = {json.dumps(str(storage))}, writable = true))],\n'
        '  sockets = [(name = "s0", address = "127.0.0.1:0", http = (), service = "main")],\n'
        ");\n"
    )


def _main_module(config: dict[str, Any]) -> str:
    objects = (config.get("durable_objects") or {}).get("bindings") or []
    lines = [
        'import { pythonObjectClass } from "./glue.mjs";',
        'import { entry } from "./project.mjs";',
        'export { default } from "./project.mjs";',
    ]
    for name in sorted({str(b["class_name"]) for b in objects}):
        make = f"(py, ctx, env) => entry(py).{name}(ctx, env)"
        lines.append(f"export class {name} extends pythonObjectClass({make}) {{}}")
    return "\n".join(lines) + "\n"


@contextmanager
def serve_project(binary: Path, pyodide: Path, root: str | Path) -> Iterator[PyodideServer]:
    """Serve the project in ``root`` on real workerd in Pyodide until the block ends.

    The server's ``ports[config]`` (its only configuration) is where clients connect.

    Raises:
        ProjectError: no wrangler file, or no Python ``main``.
    """
    root = Path(root)
    config_path = find_config(root)
    if config_path is None:
        raise ProjectError(f"{root} has no wrangler.jsonc or wrangler.toml")
    config = read_config(config_path)
    main = (root / str(config.get("main", ""))).resolve()
    if main.suffix != ".py" or not main.is_file():
        raise ProjectError(f"{config_path.name}: main must be the project's Python entry module")
    date = str(config.get("compatibility_date") or "2026-11-17")
    flags = [str(f) for f in config.get("compatibility_flags", []) if f not in _NOT_FOR_WORKERD]
    server = PyodideServer(binary, [(date, tuple(flags))])
    files = python_files()
    folder = main.parent
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"{_FOLDER}/{path.relative_to(folder).as_posix()}"] = path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="cfws-pyodide-project-") as tmp:
        work = Path(tmp)
        for name in ("project.mjs", "glue.mjs", "load.mjs", "shim.mjs"):
            shutil.copy(_HERE / name, work / name)
        for name in _PYODIDE_FILES:
            (work / name).symlink_to(pyodide / name)
        (work / "python-files.json").write_text(json.dumps(files), encoding="utf-8")
        (work / "project.json").write_text(json.dumps({"folder": _FOLDER, "module": main.stem}))
        (work / "main.mjs").write_text(_main_module(config))
        (work / "storage").mkdir()
        (work / "config.capnp").write_text(_capnp(config, date, flags, work / "storage"))
        with server.serve(work, experimental=True):
            _warm(next(iter(server.ports.values())))
            yield server


def _warm(port: int) -> None:
    """Load Pyodide and import the project before the first client (seconds, not a client's timeout)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", "/", headers={"X-Cfws-Warm": "1"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise ProjectError(f"the project did not load in Pyodide: {body.decode(errors='replace')[:2000]}")
