"""A JupyterLite site in chromium, with every request to another host blocked and counted.

::

    manifest = build_site(tmp / "_site", extra=[widget_notebook])   # scripts/build_lite.py
    expose_app(tmp / "_site")                                     # window.jupyterapp, for the driver
    with static_server(tmp / "_site") as base, outside_requests() as outside:
        browser = p.chromium.launch(executable_path=..., args=CHROMIUM_ARGS + outside.args)
        with open_chapter(browser, base, "01-pairs.ipynb", outside) as (page, tried):
            idle, ran, cells, outputs = run_chapter(page, "01-pairs.ipynb", shot)
        outside.count  # 0 unless a page or a worker asked another host

Outside requests are stopped twice over: chromium sends every request for a
host other than the loopback (from the page, its workers and its service
worker alike) to a proxy on 127.0.0.1 that counts it and answers 403, and each
page's context aborts and counts them too. chromium's own services, which no
page asks for, are kept quiet (``QUIET_ARGS``), so the count is the site's. The site is served by a plain
static file server on 127.0.0.1, as ``python3 -m http.server`` does, stopped
by its PID.
"""

from __future__ import annotations

import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab import ALL_FINISHED, CELLS_STATE, KERNEL_IDLE

__all__ = [
    "QUIET_ARGS",
    "OutsideRequests",
    "build_site",
    "expose_app",
    "open_chapter",
    "outside_requests",
    "run_chapter",
    "site_size",
    "static_server",
]

ROOT = Path(__file__).resolve().parent.parent.parent
BUILD = ROOT / "scripts" / "build_lite.py"

#: The static server: http.server with the types module scripts and WebAssembly need.
_SERVE = """
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.func.extensions_map.update({".mjs": "text/javascript", ".wasm": "application/wasm"})
handler.func.log_message = lambda *args: None
with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
"""

#: The accept button of JupyterLab's "Select Kernel" dialog.
KERNEL_DIALOG = ".jp-Dialog .jp-mod-accept"

#: Every code cell's outputs as the notebook model holds them (nbformat JSON).
OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code').map(c => c.model.outputs.toJSON())"""


def build_site(output: Path, *, extra: list[Path] = (), timeout: float = 540) -> dict[str, Any]:  # type: ignore[assignment]
    """Build the site with the README's command into ``output``; return its manifest."""
    args = [sys.executable, str(BUILD), "--output", str(output)]
    for path in extra:
        args += ["--extra", str(path)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise AssertionError(f"the site build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    manifest: dict[str, Any] = json.loads((output / "cfws-lite.json").read_text())
    manifest["log"] = [line for line in done.stdout.splitlines() if line.startswith("build_lite:")]
    return manifest


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


@contextmanager
def static_server(root: Path, startup: float = 20) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port); yield ``http://127.0.0.1:PORT/``."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + startup
        while True:
            try:
                urllib.request.urlopen(base + "jupyter-lite.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the static server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(10)
        if server.stdout is not None:
            server.stdout.close()


@dataclass
class OutsideRequests:
    """Requests for hosts other than 127.0.0.1: refused by the proxy or aborted by a page."""

    port: int
    seen: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def args(self) -> list[str]:
        """chromium's flags: every non-loopback request to the counting proxy; its own services quiet."""
        return [f"--proxy-server=http://127.0.0.1:{self.port}", *QUIET_ARGS]

    def add(self, what: str) -> None:
        with self._lock:
            self.seen.append(what)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.seen)


@contextmanager
def outside_requests() -> Iterator[OutsideRequests]:
    """A proxy on 127.0.0.1 that refuses (403) and records every request it is sent."""
    outside: OutsideRequests

    class Refuse(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline(8192).decode("latin-1").strip()
            outside.add(f"proxy: {line}")
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Refuse) as proxy:
        outside = OutsideRequests(proxy.server_address[1])
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            yield outside
        finally:
            proxy.shutdown()
            thread.join(10)


#: chromium's own services (component updates, sign-in, network time, field trials,
#: optimization hints, autofill) would still call home through the proxy, though no
#: page asked: they are switched off or pointed at a closed loopback port, so what
#: the proxy sees is what the site's pages and workers ask for.
QUIET_ARGS = [
    "--disable-features=AutofillServerCommunication,OptimizationHintsFetching,"
    "OptimizationGuideModelDownloading,OptimizationHints,MediaRouter,Translate,DialMediaRouteProvider,"
    "NetworkTimeServiceQuerying,PrivacySandboxSettings4,ChromeLabs,Signin,AccountConsistency,"
    "DiceWebSigninInterception",
    "--disable-field-trial-config",
    "--no-service-autorun",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-pings",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--safebrowsing-disable-auto-update",
    "--allow-browser-signin=false",
    "--google-base-url=http://127.0.0.1:9",
    "--gaia-url=http://127.0.0.1:9",
    "--lso-url=http://127.0.0.1:9",
    "--variations-server-url=http://127.0.0.1:9",
    "--component-updater=url-source=http://127.0.0.1:9",
]


def _loopback(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:"))


@contextmanager
def open_chapter(
    browser: Any, base: str, name: str, outside: OutsideRequests
) -> Iterator[tuple[Any, list[str]]]:
    """A fresh context (no stored workspace or kernels) with ``name`` open; closed on exit."""
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    tried: list[str] = []

    def refuse(route: Any) -> None:
        tried.append(route.request.url)
        outside.add(f"page: {route.request.url}")
        route.abort()

    context.route(lambda url: not _loopback(url), refuse)
    page = context.new_page()
    try:
        page.goto(f"{base}lab/index.html?path={name}")
        yield page, tried
    finally:
        context.close()


def run_chapter(
    page: Any, name: str, shot: Path, *, timeout: float = 240
) -> tuple[float, float, list[Any], list[Any]]:
    """Wait for the kernel, use *Run All*, wait for every cell: (kernel idle s, Run All s, cells, outputs)."""
    start = time.monotonic()
    # A notebook that names no language asks which kernel to start: the one there is.
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() || !!document.querySelector('{KERNEL_DIALOG}')", timeout=timeout * 1000
    )
    if page.query_selector(KERNEL_DIALOG):
        page.click(KERNEL_DIALOG)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)
    idle = time.monotonic() - start
    start = time.monotonic()
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    try:
        page.wait_for_function(ALL_FINISHED, timeout=timeout * 1000)
    except Exception as exc:
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(
            f"{name}: Run All did not finish ({exc}): {page.evaluate(CELLS_STATE)}"
        ) from None
    ran = time.monotonic() - start
    return idle, ran, page.evaluate(CELLS_STATE), page.evaluate(OUTPUTS)


def expose_app(site: Path) -> None:
    """Let the test's copy of the site expose ``window.jupyterapp``, as the JupyterLab tests do."""
    path = site / "jupyter-lite.json"
    config = json.loads(path.read_text())
    config["jupyter-config-data"]["exposeAppInBrowser"] = True
    path.write_text(json.dumps(config, indent=2))
