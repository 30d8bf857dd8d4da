"""A JupyterLab or Notebook 7 server and Run All, for the browser tests.

::

    with jupyterlab(root, workdir) as lab:         # 127.0.0.1, a free port, a token
        page.goto(lab.url("notebook.ipynb"))
        run_all(page)                             # waits until every code cell has finished
        cells = page.evaluate(CELLS_STATE)

``notebook7(root, workdir)`` does the same with Notebook 7: ``url`` opens its
``/notebooks/`` page, and ``window.jupyterapp`` exposes the same shell, cells
and commands, so ``run_all`` and the scripts below work in both.

The server gets its own settings, workspaces, config and runtime folders under
``workdir`` (the news pop-up turned off), and is stopped by its PID: SIGTERM,
which shuts its kernels down, then SIGKILL if it has not exited after 20 s.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ALL_FINISHED",
    "CELLS_STATE",
    "KERNEL_IDLE",
    "Lab",
    "free_port",
    "jupyterlab",
    "notebook7",
    "run_all",
    "shut_down_kernel",
]

TOKEN = "cfws-browser-test"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """A running JupyterLab (or Notebook 7): where it listens and where it logs."""

    port: int
    token: str
    log: Path
    pid: int
    base_url: str = "/"
    #: The page that opens a notebook, and what its query adds after the token.
    page: str = "lab/tree/"
    query: str = "&reset"

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT/BASE_URL`` (ends with a slash)."""
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def url(self, notebook: str) -> str:
        """The page that opens ``notebook`` (relative to the root), logged in by the token."""
        return f"{self.base}{self.page}{notebook}?token={self.token}{self.query}"


@contextmanager
def jupyterlab(root: Path, workdir: Path, *, base_url: str = "/", startup: float = 60) -> Iterator[Lab]:
    """Run JupyterLab on 127.0.0.1 serving ``root``; stop it by PID on exit.

    ``base_url`` puts the server under a prefix, as JupyterHub does (``/user/NAME/``).
    """
    with _serve(
        "jupyterlab", "LabApp", "JupyterLab", root, workdir, base_url=base_url, startup=startup
    ) as lab:
        yield lab


@contextmanager
def notebook7(root: Path, workdir: Path, *, base_url: str = "/", startup: float = 60) -> Iterator[Lab]:
    """Run Notebook 7 on 127.0.0.1 serving ``root``; stop it by PID on exit.

    The same settings as :func:`jupyterlab`; ``url`` opens ``/notebooks/NAME``.
    """
    with _serve(
        "notebook",
        "JupyterNotebookApp",
        "Notebook 7",
        root,
        workdir,
        base_url=base_url,
        startup=startup,
        page="notebooks/",
        query="",
    ) as lab:
        yield lab


@contextmanager
def _serve(
    module: str,
    app: str,
    name: str,
    root: Path,
    workdir: Path,
    *,
    base_url: str,
    startup: float,
    page: str = "lab/tree/",
    query: str = "&reset",
) -> Iterator[Lab]:
    """Run ``python -m module`` (a jupyter_server application) as described above."""
    settings = workdir / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port = free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(workdir / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
        JUPYTER_CONFIG_DIR=tempfile.mkdtemp(dir=workdir),
        JUPYTER_RUNTIME_DIR=tempfile.mkdtemp(dir=workdir),
    )
    log_path = workdir / f"{module}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            f"--ServerApp.base_url={base_url}",
            f"--{app}.expose_app_in_browser=True",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    lab = Lab(port, TOKEN, log_path, server.pid, base_url, page, query)
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                urllib.request.urlopen(f"{lab.base}api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(f"{name} did not start:\n{log_path.read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield lab
    finally:
        if server.poll() is None:
            # SIGTERM: jupyter_server shuts its kernels down, then exits.
            os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()
        print(f"{name} (pid {server.pid}) stopped, rc {server.returncode}")


#: Every code cell of the open notebook: count, source, tags, errors, stream text.
CELLS_STATE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets.filter(c => c.model.type === 'code').map(c => ({
    count: c.model.executionCount,
    source: c.model.sharedModel.getSource(),
    tags: c.model.getMetadata('tags') || [],
    errors: c.model.outputs.toJSON().filter(o => o.output_type === 'error')
              .map(o => o.ename + ': ' + o.evalue),
    text: c.model.outputs.toJSON().filter(o => o.output_type === 'stream')
              .map(o => Array.isArray(o.text) ? o.text.join('') : o.text).join(''),
  }));
}"""

#: True once the kernel is idle and every code cell has run (a count, no ``[*]`` prompt).
ALL_FINISHED = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  return kernel && kernel.status === 'idle' && cells.length > 0 &&
         cells.every(c => {
           // A long notebook renders only the cells near the viewport: no prompt node yet.
           const prompt = c.node.querySelector('.jp-InputArea-prompt');
           return c.model.executionCount !== null && !(prompt && prompt.textContent.includes('*'));
         });
}"""

#: True once the open notebook's kernel has started and is idle.
KERNEL_IDLE = """() => { const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
   const k = nb && nb.sessionContext && nb.sessionContext.session &&
             nb.sessionContext.session.kernel;
   return k && k.status === 'idle'; }"""


def run_all(page: Any, shot: Path, *, timeout: float = 120) -> list[dict[str, Any]]:
    """Wait for the kernel, use *Run All*, wait until every cell finished; return the cells.

    On a timeout, saves a screenshot to ``shot`` and fails with the cells' state.
    """
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    # Run All, as a learner does (not awaited: the command resolves when cells finish).
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    try:
        page.wait_for_function(ALL_FINISHED, timeout=timeout * 1000)
    except Exception as exc:
        state = page.evaluate(CELLS_STATE)
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        raise AssertionError(f"Run All did not finish every cell ({exc}): {state}") from None
    cells: list[dict[str, Any]] = page.evaluate(CELLS_STATE)
    return cells


def shut_down_kernel(page: Any) -> None:
    """Shut the open notebook's kernel down (and whatever it serves), as *Kernel → Shut Down* does."""
    page.evaluate("""async () => { const nb = window.jupyterapp.shell.currentWidget;
        if (nb && nb.sessionContext && nb.sessionContext.session) await nb.sessionContext.shutdown(); }""")
