"""The browser client: a real JavaScript ``WebSocket``, opened by the notebook page itself.

A served Worker (:func:`cfws_playground.serve`) listens on the kernel's
loopback, 127.0.0.1. Whether the page can reach that address depends on where
JupyterLab runs:

* **locally** the page and the kernel are on the same machine, so the page
  connects straight to ``ws://127.0.0.1:PORT/path``;
* **on Binder or JupyterHub** the kernel's loopback is a container somewhere
  else. Only the notebook server is reachable, so the page goes through
  `jupyter-server-proxy <https://jupyter-server-proxy.readthedocs.io/>`_,
  which forwards ``{base_url}proxy/PORT/path`` on the notebook server's own
  address (WebSockets included) to ``localhost:PORT/path``.

:func:`client_route` decides which, from the port, the path, the environment
and whether jupyter-server-proxy is installed; it is pure, so the rules are
tested without a browser. The front end then builds the URL from the parts
only the page knows: its scheme (``ws`` or ``wss``), host and the server's base
URL (JupyterLab's page config).

The widget shows a send box, a close button and a log of what the page saw:
``open``, each message, ``close`` with code, reason and ``wasClean``, and
``error``. The log is bounded on both sides; the page reports new entries to
the kernel in batches (:attr:`BrowserClient.log`), never one message per frame.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import pathlib
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import anywidget
import traitlets

from ..bridge import Server
from ..recorder import Record
from ._common import STYLE

__all__ = ["MODES", "BrowserClient", "Route", "client_route"]

_HERE = pathlib.Path(__file__).parent

#: The ways a page can reach the served Worker: decide, straight to the port, or through the proxy.
MODES = ("auto", "direct", "proxy")

# Set in a single-user server spawned by JupyterHub, which is also what Binder runs.
_HUB_VARIABLES = ("JUPYTERHUB_SERVICE_PREFIX", "BINDER_LAUNCH_HOST", "BINDER_REPO_URL")


@dataclass(frozen=True)
class Route:
    """How the page reaches the Worker: what :func:`client_route` decided, and why.

    Attributes:
        mode: ``"direct"`` or ``"proxy"``.
        url: for ``"direct"``, the whole URL (``ws://127.0.0.1:PORT/path``); else ``""``.
        proxy_path: for ``"proxy"``, the path below the notebook server's base
            URL (``proxy/PORT/path``); else ``""``.
        base_url: the notebook server's base URL as the kernel knows it (the
            page prefers its own, from JupyterLab's page config).
        reason: one sentence saying why this route was chosen.
    """

    mode: str
    url: str
    proxy_path: str
    base_url: str
    reason: str


def _proxy_installed() -> bool:
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def client_route(
    port: int,
    path: str = "/",
    *,
    mode: str = "auto",
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    proxy_installed: bool | None = None,
) -> Route:
    """Decide how a notebook page reaches a Worker served by the kernel on ``port``.

    The rules:

    * ``mode="direct"``: ``ws://HOST:PORT/path`` (a wildcard host becomes 127.0.0.1).
    * ``mode="proxy"``: ``{base_url}proxy/PORT/path`` on the page's own host;
      needs jupyter-server-proxy installed in the notebook server's environment.
    * ``mode="auto"``: the proxy when the kernel runs under JupyterHub or
      Binder (``JUPYTERHUB_SERVICE_PREFIX`` or a ``BINDER_*`` variable is set)
      and jupyter-server-proxy is installed; direct otherwise (a local
      JupyterLab, where the page and the kernel share 127.0.0.1).

    Args:
        port: the port the Worker is served on (``server.port``).
        path: the request path (and query) the page asks for.
        mode: ``"auto"``, ``"direct"`` or ``"proxy"``.
        host: the address the Worker listens on (``server.host``).
        env: the environment to read; ``os.environ`` by default.
        proxy_installed: whether jupyter-server-proxy is installed; looked up by default.

    Raises:
        ValueError: an unknown mode, a bad port, or ``mode="proxy"`` without
            jupyter-server-proxy.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, not {mode!r}")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be a TCP port number (1-65535), not {port!r}")
    env = os.environ if env is None else env
    installed = _proxy_installed() if proxy_installed is None else proxy_installed
    path = path if path.startswith("/") else "/" + path
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
    base_url = prefix if prefix.endswith("/") else prefix + "/"
    hub = next((name for name in _HUB_VARIABLES if env.get(name)), None)

    if mode == "proxy" and not installed:
        raise ValueError(
            "mode='proxy' needs jupyter-server-proxy in the notebook server's environment "
            "(pip install jupyter-server-proxy, then restart the server), or use mode='direct'"
        )
    if mode == "auto":
        if hub and installed:
            mode, reason = "proxy", f"{hub} is set: the page is not on the kernel's machine"
        elif hub:
            mode, reason = (
                "direct",
                (f"{hub} is set but jupyter-server-proxy is not installed: the page may not reach the port"),
            )
        else:
            mode, reason = "direct", "a local notebook server: the page shares the kernel's 127.0.0.1"
    else:
        reason = f"mode={mode!r} was asked for"
    if mode == "proxy":
        return Route("proxy", "", f"proxy/{port}{path}", base_url, reason)
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return Route("direct", f"ws://{shown}:{port}{path}", "", base_url, reason)


class BrowserClient(anywidget.AnyWidget):
    """A WebSocket client that runs in the notebook page, with a send box and its own log.

    Example::

        server = await serve(fetch)
        browser = BrowserClient(server, "/chat", hello="hi from the page")
        browser                          # the page connects when the widget appears

    The page opens one ``WebSocket`` per widget (however many times it is
    displayed) as soon as the widget reaches the page, unless
    ``autoconnect=False``; the *connect* button opens a new one.

    Args:
        server: the :class:`~cfws_playground.bridge.Server` to connect to, or
            its port as an ``int``.
        path: the path (and query) to ask for.
        mode: ``"auto"``, ``"direct"`` or ``"proxy"`` (see :func:`client_route`).
        hello: a text message the page sends as soon as it is connected ("" for none).
        autoconnect: connect as soon as the widget reaches the page.
        window: how many log entries to keep (page and kernel).
        env: the environment :func:`client_route` reads; ``os.environ`` by default.

    Attributes:
        route: the :class:`Route` the page uses.
        server: the server given, or None.
    """

    _esm = _HERE / "browser_client.js"
    _css = STYLE + (_HERE / "browser_client.css").read_text()

    route_info = traitlets.Dict().tag(sync=True)
    hello = traitlets.Unicode("").tag(sync=True)
    autoconnect = traitlets.Bool(True).tag(sync=True)
    window = traitlets.Int(100).tag(sync=True)
    #: What the page last reported: "", "connecting", "open", "closing" or "closed".
    status = traitlets.Unicode("").tag(sync=True)
    # Names this widget's connection in the page, where each view gets its own model wrapper.
    _client_id = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        server: Server | int,
        path: str = "/",
        *,
        mode: str = "auto",
        hello: str = "",
        autoconnect: bool = True,
        window: int = 100,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window!r}")
        if isinstance(server, Server):
            if server.port == 0:
                raise ValueError("the server is not listening yet: `await server.start()`, or `async with`")
            port, host = server.port, server.host
        else:
            port, host = server, "127.0.0.1"
        route = client_route(port, path, mode=mode, host=host, env=env)
        super().__init__(
            route_info=asdict(route),
            hello=hello,
            autoconnect=autoconnect,
            window=window,
            _client_id=uuid.uuid4().hex,
        )
        self.route = route
        self.path = path if path.startswith("/") else "/" + path
        self.server = server if isinstance(server, Server) else None
        self._log: deque[str] = deque(maxlen=window)
        self._logged = 0
        self.on_msg(self._on_front_end_msg)

    # ------------------------------------------------------------------ commands to the page

    def connect(self) -> None:
        """Ask the page to open a new connection (closing the current one first)."""
        self.send({"type": "connect"})

    def send_text(self, text: str) -> None:
        """Ask the page to send ``text`` over its connection, as if typed in the send box."""
        self.send({"type": "send", "data": str(text)})

    def close_socket(self, code: int | None = 1000, reason: str = "") -> None:
        """Ask the page to close its connection (``code=None`` closes without a code)."""
        self.send({"type": "close", "code": code, "reason": reason})

    # ------------------------------------------------------------------ what the page saw

    def _on_front_end_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "log":
            entries = [str(e) for e in content.get("entries", [])]
            self._log.extend(entries)
            self._logged += len(entries)

    @property
    def log(self) -> list[str]:
        """The page's log entries the kernel has received, oldest first (bounded by ``window``)."""
        return list(self._log)

    async def wait_for_reply(self, timeout: float = 5.0) -> bool:
        """Wait until the Worker has answered the page's ``hello``, or ``timeout`` seconds.

        The kernel cannot hear from the page while cells are queued (*Run All*
        queues them all), so this watches the server's recorder instead: it
        returns True once a connection whose first message was ``hello`` got
        something back from the Worker. Without a page (nbclient, nbval, a
        page that has not loaded the widget) it returns False after ``timeout``.

        Raises:
            ValueError: the widget was made from a port, not a server, or without ``hello``.
        """
        if self.server is None or not self.hello:
            raise ValueError("wait_for_reply() needs a BrowserClient made from a Server, with hello=...")
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        first: dict[int, Any] = {}

        def seen(r: Record) -> None:
            if r.name != "send" or not r.args:
                return
            if r.end == "client" and r.kind == "net":  # what the page sent, as the Worker got it
                first.setdefault(r.pair, r.args[0])
            elif r.end == "server" and first.get(r.pair) == self.hello and not done.done():
                done.set_result(True)

        for r in self.server.recorder.records:
            seen(r)
        unsubscribe = self.server.recorder.subscribe(seen)
        try:
            if not done.done():
                await asyncio.wait_for(asyncio.shield(done), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            unsubscribe()

    # ------------------------------------------------------------------ text

    def text(self) -> str:
        """What the widget is set to do, as deterministic text (no ports, no page state)."""
        how = "straight to the port" if self.route.mode == "direct" else "through jupyter-server-proxy"
        lines = [f"BrowserClient: path {self.path}, {self.route.mode} ({how})"]
        if self.hello:
            lines.append(f"  sends {self.hello!r} once connected")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.text())
