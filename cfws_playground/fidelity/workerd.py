"""Real workerd, run locally: find or install the pinned binary, serve the scenario driver, stop it.

The npm package ``workerd`` carries Cloudflare's runtime as a binary; Node and
npm are only needed to install it. One ``workerd serve`` process runs one copy
of ``driver.js`` per configuration (compatibility date and flags), each on its
own socket. The sockets are opened here, on 127.0.0.1 with port 0, and handed
to workerd with ``--socket-fd``, so no port is ever guessed. The process is
stopped by its PID when the ``with`` block ends, also on failure.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "WORKERD_VERSION",
    "WorkerdNotFound",
    "WorkerdServer",
    "find_workerd",
    "install_workerd",
    "npm_install",
    "workerd_version",
]

#: The npm package version the recorded references were made with.
WORKERD_VERSION = "1.20261123.1"

_HERE = Path(__file__).parent
_NPM_PLATFORM = {
    ("Linux", "x86_64"): "linux-64",
    ("Linux", "aarch64"): "linux-arm64",
    ("Darwin", "arm64"): "darwin-arm64",
    ("Darwin", "x86_64"): "darwin-64",
    ("Windows", "AMD64"): "windows-64",
}


class WorkerdNotFound(RuntimeError):  # noqa: N818 - reads as what happened
    """No workerd binary here; the message says how to get one."""


def cache_dir() -> Path:
    """Where :func:`install_workerd` puts the npm package (``CFWS_PLAYGROUND_CACHE`` overrides)."""
    base = os.environ.get("CFWS_PLAYGROUND_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cfws-playground"
    )
    return Path(base) / f"workerd-{WORKERD_VERSION}"


def _binary_in(prefix: Path) -> Path | None:
    plat = _NPM_PLATFORM.get((platform.system(), platform.machine()))
    if plat is None:
        return None
    exe = "workerd.exe" if platform.system() == "Windows" else "workerd"
    path = prefix / "node_modules" / "@cloudflare" / f"workerd-{plat}" / "bin" / exe
    return path if path.is_file() else None


def find_workerd() -> Path | None:
    """The workerd binary to use: ``CFWS_WORKERD``, then ``MINIFLARE_WORKERD_PATH``, then the cache."""
    for var in ("CFWS_WORKERD", "MINIFLARE_WORKERD_PATH"):
        value = os.environ.get(var)
        if value and Path(value).is_file():
            return Path(value)
    return _binary_in(cache_dir())


def install_workerd(*, quiet: bool = True) -> Path:
    """Install the pinned npm ``workerd`` into the cache with npm, and return its binary.

    Raises:
        WorkerdNotFound: npm is missing, or the install did not produce a binary.
    """
    return npm_install("workerd", WORKERD_VERSION, cache_dir(), _binary_in, quiet=quiet)


def npm_install(
    package: str, version: str, prefix: Path, installed: Callable[[Path], Path | None], *, quiet: bool = True
) -> Path:
    """Install npm ``package@version`` under ``prefix`` with npm, unless it is there already.

    ``installed(prefix)`` finds what the caller needs in an install (a binary, a
    package folder), or None; it is what this returns.

    Raises:
        WorkerdNotFound: npm is missing, or the install did not produce what ``installed`` finds.
    """
    found = installed(prefix)
    if found:
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise WorkerdNotFound(
            f"installing {package} needs Node.js and npm (https://nodejs.org); npm is not on PATH"
        )
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "package.json").write_text('{"private": true}\n')
    cmd = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"{package}@{version}"]
    out = subprocess.run(cmd, capture_output=quiet, text=True, timeout=600, check=False)
    found = installed(prefix)
    if out.returncode != 0 or found is None:
        detail = (out.stderr or "").strip().splitlines()[-3:] if quiet else []
        raise WorkerdNotFound(f"npm install {package}@{version} failed: " + " / ".join(detail))
    return found


def workerd_version(binary: Path) -> str:
    """What ``workerd --version`` prints, e.g. ``"workerd 2026-11-17"``."""
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.strip() or out.stderr.strip()


Config = tuple[str, tuple[str, ...]]  # (compatibility date, flags)

#: Sent with the start-up probe (``GET /``): a served project answers it without running.
READY_HEADER = "X-Cfws-Ready"


def _capnp_config(configs: Sequence[Config]) -> str:
    services, sockets = [], []
    for i, (date, flags) in enumerate(configs):
        flag_list = ", ".join(json.dumps(f) for f in flags)
        # ScenarioObject is the driver's Durable Object class (Durable Object scenarios),
        # bound as env.OBJECT; SqlScenarioObject is the same class SQLite-backed (enableSql, as
        # new_sqlite_classes makes it), bound as env.SQL_OBJECT. Storage is on disk, in the run's
        # own folder: workerd backs objects by SQLite only there (in memory, `sql` always
        # throws "not backed by SQLite storage").
        services.append(
            f'    (name = "d{i}", worker = (modules = [(name = "driver.js", esModule = embed "driver.js")], '
            f'compatibilityDate = "{date}", compatibilityFlags = [{flag_list}], '
            f'durableObjectNamespaces = [(className = "ScenarioObject", uniqueKey = "cfws-scenario-{i}"), '
            f'(className = "SqlScenarioObject", uniqueKey = "cfws-sql-scenario-{i}", enableSql = true)], '
            'durableObjectStorage = (localDisk = "storage"), '
            'bindings = [(name = "OBJECT", durableObjectNamespace = "ScenarioObject"), '
            '(name = "SQL_OBJECT", durableObjectNamespace = "SqlScenarioObject")])),'
        )
        sockets.append(f'    (name = "s{i}", address = "127.0.0.1:0", http = (), service = "d{i}"),')
    return (
        'using Workerd = import "/workerd/workerd.capnp";\n'
        "const config :Workerd.Config = (\n  services = [\n"
        + "\n".join(services)
        + '\n    (name = "storage", disk = (path = "storage", writable = true)),'
        + "\n  ],\n  sockets = [\n"
        + "\n".join(sockets)
        + "\n  ],\n);\n"
    )


_RUNNING: set[WorkerdServer] = set()


def stop_all() -> None:
    """Stop every workerd process this process started and has not stopped yet (on SIGTERM)."""
    for server in list(_RUNNING):
        server.stop()


class WorkerdServer:
    """A running ``workerd serve`` with one scenario driver per configuration.

    Use :meth:`start` as a context manager; :meth:`run` sends one scenario's
    operations to the driver for a configuration and returns its transcript.
    """

    def __init__(self, binary: Path, configs: Sequence[Config]) -> None:
        self.binary = binary
        self.configs = list(configs)
        self.ports: dict[Config, int] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.version = workerd_version(binary)

    @classmethod
    @contextmanager
    def start(
        cls, binary: Path, configs: Sequence[Config], *, timeout: float = 30
    ) -> Iterator[WorkerdServer]:
        server = cls(binary, configs)
        with tempfile.TemporaryDirectory(prefix="cfws-workerd-") as tmp:
            shutil.copy(_HERE / "driver.js", Path(tmp) / "driver.js")
            (Path(tmp) / "storage").mkdir()
            (Path(tmp) / "config.capnp").write_text(_capnp_config(server.configs))
            with server.serve(Path(tmp), timeout=timeout):
                yield server

    @contextmanager
    def serve(self, work: Path, *, timeout: float = 30, experimental: bool = False) -> Iterator[None]:
        """Run ``workerd serve config.capnp`` in ``work``, one socket per configuration (``s0``,
        ``s1``, ...), until the block ends; ``experimental`` allows experimental features."""
        socks = []
        try:
            args = [str(self.binary), "serve", "config.capnp", "--verbose"]
            if experimental:
                args.append("--experimental")
            for i, config in enumerate(self.configs):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                s.listen(128)
                socks.append(s)
                self.ports[config] = s.getsockname()[1]
                args += ["--socket-fd", f"s{i}={s.fileno()}"]
            self.log_path = work / "workerd.log"
            with open(self.log_path, "wb") as log_file:
                self.proc = subprocess.Popen(
                    args,
                    cwd=work,
                    pass_fds=[s.fileno() for s in socks],
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            _RUNNING.add(self)
            for s in socks:
                s.close()  # workerd holds its own copies
            self._wait_ready(timeout)
            yield
        finally:
            for s in socks:
                s.close()
            self.stop()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        port = next(iter(self.ports.values()))
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                err = self.log_path.read_text(errors="replace") if self.log_path else ""
                raise RuntimeError(f"workerd exited with {self.proc.returncode}: {err.strip()[-2000:]}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                # The header lets a Worker that would do real work for "/" answer at once.
                conn.request("GET", "/", headers={READY_HEADER: "1"})
                conn.getresponse().read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("workerd did not answer within the start-up timeout") from None
                time.sleep(0.05)
            finally:
                conn.close()

    def run(
        self,
        ops: list[dict[str, Any]],
        config: Config,
        *,
        timeout: float = 30,
        durable: bool = False,
        sqlite: bool = False,
    ) -> list[str]:
        """Run one scenario on the driver for ``config`` (in its Durable Object if ``durable``,
        a SQLite-backed one if ``sqlite``)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[config], timeout=timeout)
        try:
            conn.request(
                "POST",
                "/do/run" if durable else "/run",
                body=json.dumps({"ops": ops, "sqlite": sqlite}),
                headers={"Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            payload = json.loads(resp.read())
        finally:
            conn.close()
        if "error" in payload:
            raise RuntimeError(f"the scenario driver failed in workerd: {payload['error']}")
        log: list[str] = payload["log"]
        return log

    def run_batch(
        self, programs: Sequence[tuple[list[dict[str, Any]], bool]], config: Config, *, timeout: float = 600
    ) -> list[list[str] | str]:
        """Run many scenarios in one request, one after another: for each, its rows or the driver's error.

        ``programs``: ``(ops, durable)`` pairs. One request instead of one per program
        is what makes a campaign of thousands of generated programs cheap.
        """
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[config], timeout=timeout)
        try:
            body = json.dumps({"programs": [{"ops": ops, "durable": durable} for ops, durable in programs]})
            conn.request("POST", "/batch", body=body, headers={"Content-Type": "application/json"})
            payload = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        return [a["log"] if "log" in a else str(a["error"]) for a in payload["answers"]]

    def run_wire(
        self,
        worker_ops: list[dict[str, Any]],
        client_ops: list[dict[str, Any]],
        options: dict[str, Any],
        config: Config,
        *,
        durable: bool = False,
    ) -> list[str]:
        """Run a wire scenario against the driver: the client's rows, then the Worker's (or object's)."""
        import asyncio
        import uuid

        from .wire import _quiet, run_client

        port = self.ports[config]
        key = uuid.uuid4().hex
        route, separator = ("/do/", "-- object --") if durable else ("/", "-- worker --")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            body = json.dumps({"key": key, "ops": worker_ops})
            conn.request("POST", f"{route}prepare", body=body, headers={"Content-Type": "application/json"})
            conn.getresponse().read()
        finally:
            conn.close()

        async def scenario() -> list[str]:
            client = await run_client(f"ws://127.0.0.1:{port}{route}ws?key={key}", client_ops, options)
            worker: list[str] = []

            async def poll() -> None:
                worker[:] = await asyncio.to_thread(self._get_json, port, f"{route}log?key={key}")

            await _quiet(worker, poll)
            return client + [separator] + worker

        return asyncio.run(scenario())

    @staticmethod
    def _get_json(port: int, path: str) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the process by its PID: SIGTERM, then SIGKILL after 5 s (workerd can linger)."""
        _RUNNING.discard(self)
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM) if sys.platform != "win32" else proc.terminate()
            proc.wait(5)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
