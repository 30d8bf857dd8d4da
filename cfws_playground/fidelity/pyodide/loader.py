"""Stock Pyodide inside real workerd: install the pinned npm package, serve it, stop it.

Real Python Workers run Pyodide inside workerd, but workerd fetches its own
Pyodide bundle from a Cloudflare host. Here the npm ``pyodide`` package
(:data:`PYODIDE_VERSION`, the Pyodide of ``python_workers_20250116``) is
loaded by ``worker.mjs`` inside the pinned workerd, offline: its files are
modules of the Worker, Cloudflare's SDK (``workers-runtime-sdk``, the
installed package) and :mod:`.harness` are written into its file system.

One ``workerd serve`` runs one copy per configuration (compatibility date and
flags), each on a socket opened here on 127.0.0.1, port 0, and handed over
with ``--socket-fd``; Pyodide loads once per copy, on the first scenario. The
process is stopped by its PID when the ``with`` block ends, also on failure.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..workerd import Config, WorkerdNotFound, WorkerdServer, cache_dir as _workerd_cache_dir, npm_install

__all__ = ["PYODIDE_VERSION", "PyodideServer", "find_pyodide", "install_pyodide", "python_files"]

#: The npm ``pyodide`` version the Python references were recorded with.
PYODIDE_VERSION = "0.28.2"

_HERE = Path(__file__).parent
_PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
#: Pyodide needs FinalizationRegistry: a flag before 2025-05-05, the default from then on.
_WEAK_REF = ("enable_weak_ref", "2025-05-05")
_SITE_PACKAGES = "/lib/python3.13/site-packages"


def cache_dir() -> Path:
    """Where :func:`install_pyodide` puts the npm package: next to workerd's."""
    return _workerd_cache_dir().parent / f"pyodide-{PYODIDE_VERSION}"


def _package_in(prefix: Path) -> Path | None:
    path = prefix / "node_modules" / "pyodide"
    return path if all((path / f).is_file() for f in _PYODIDE_FILES) else None


def find_pyodide() -> Path | None:
    """The npm ``pyodide`` package folder: ``CFWS_PYODIDE``, then the cache."""
    value = os.environ.get("CFWS_PYODIDE")
    if value and _package_in(Path(value)) is None and (Path(value) / "pyodide.asm.wasm").is_file():
        return Path(value)
    return _package_in(cache_dir())


def install_pyodide(*, quiet: bool = True) -> Path:
    """Install the pinned npm ``pyodide`` into the cache with npm, and return its folder.

    Raises:
        WorkerdNotFound: npm is missing, or the install did not produce the package.
    """
    return npm_install("pyodide", PYODIDE_VERSION, cache_dir(), _package_in, quiet=quiet)


def python_files() -> dict[str, str]:
    """What is written into Pyodide's file system: the SDK's ``workers`` package and the harness."""
    spec = importlib.util.find_spec("workers")
    if spec is None or not spec.submodule_search_locations:
        raise WorkerdNotFound("Cloudflare's SDK (pip workers-runtime-sdk) is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    files = {
        f"{_SITE_PACKAGES}/workers/{path.relative_to(root).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.suffix in (".py", ".js") and "__pycache__" not in path.parts
    }
    files[f"{_SITE_PACKAGES}/_cfws_harness.py"] = (_HERE / "harness.py").read_text(encoding="utf-8")
    return files


def _capnp_config(configs: Sequence[Config]) -> str:
    modules = (
        '(name = "worker.mjs", esModule = embed "worker.mjs"), '
        '(name = "glue.mjs", esModule = embed "glue.mjs"), '
        '(name = "load.mjs", esModule = embed "load.mjs"), '
        '(name = "shim.mjs", esModule = embed "shim.mjs"), '
        '(name = "pyodide.mjs", esModule = embed "pyodide.mjs"), '
        '(name = "pyodide.asm.js", esModule = embed "pyodide.asm.js"), '
        '(name = "pyodide.asm.wasm", wasm = embed "pyodide.asm.wasm"), '
        '(name = "python_stdlib.zip", data = embed "python_stdlib.zip"), '
        '(name = "pyodide-lock.json", text = embed "pyodide-lock.json"), '
        '(name = "python-files.json", json = embed "python-files.json")'
    )
    services, sockets = [], []
    for i, (date, flags) in enumerate(configs):
        runtime = (_WEAK_REF[0],) if date < _WEAK_REF[1] else ()
        flag_list = ", ".join(json.dumps(f) for f in (*runtime, *flags))
        services.append(
            f'    (name = "p{i}", worker = (modules = [{modules}], '
            f'compatibilityDate = "{date}", compatibilityFlags = [{flag_list}], '
            f'durableObjectNamespaces = [(className = "ScenarioObject", uniqueKey = "cfws-python-{i}")], '
            "durableObjectStorage = (inMemory = void), "
            'bindings = [(name = "UNSAFE_EVAL", unsafeEval = void), '
            '(name = "OBJECT", durableObjectNamespace = "ScenarioObject")])),'
        )
        sockets.append(f'    (name = "s{i}", address = "127.0.0.1:0", http = (), service = "p{i}"),')
    return (
        'using Workerd = import "/workerd/workerd.capnp";\n'
        "const config :Workerd.Config = (\n  services = [\n"
        + "\n".join(services)
        + "\n  ],\n  sockets = [\n"
        + "\n".join(sockets)
        + "\n  ],\n);\n"
    )


class PyodideServer(WorkerdServer):
    """A running ``workerd serve`` with Pyodide and the harness, one copy per configuration.

    :meth:`run_python` runs one scenario's program and returns its transcript.
    """

    #: Seconds the harness waits after a program returns, for events still on their way.
    SETTLE = 0.05

    @classmethod
    @contextmanager
    def start_python(
        cls, binary: Path, pyodide: Path, configs: Sequence[Config], *, timeout: float = 30
    ) -> Iterator[PyodideServer]:
        server = cls(binary, configs)
        with tempfile.TemporaryDirectory(prefix="cfws-pyodide-") as tmp:
            work = Path(tmp)
            for name in ("worker.mjs", "glue.mjs", "load.mjs", "shim.mjs"):
                shutil.copy(_HERE / name, work / name)
            for name in _PYODIDE_FILES:
                (work / name).symlink_to(pyodide / name)
            (work / "python-files.json").write_text(json.dumps(python_files()), encoding="utf-8")
            (work / "config.capnp").write_text(_capnp_config(server.configs))
            # the unsafeEval binding (Emscripten's adapter modules) is an experimental feature
            with server.serve(work, timeout=timeout, experimental=True):
                yield server

    def run_python(self, code: str, config: Config, *, timeout: float = 120) -> list[str]:
        """Run one scenario program in Pyodide on the copy for ``config``; its transcript rows."""
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[config], timeout=timeout)
        started = time.monotonic()
        try:
            body = json.dumps({"code": code, "settle": self.SETTLE})
            conn.request("POST", "/run", body=body, headers={"Content-Type": "application/json"})
            payload = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        if "error" in payload:
            raise RuntimeError(
                f"the Python scenario failed in workerd after {time.monotonic() - started:.1f} s: "
                f"{payload['error']}"
            )
        rows: list[str] = payload["rows"]
        return rows

    def log_text(self) -> str:
        """What workerd has logged so far (uncaught errors from listeners are only here)."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""
