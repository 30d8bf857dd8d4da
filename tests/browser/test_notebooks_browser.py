"""Every workshop notebook, run with *Run All* in a real JupyterLab and a real chromium.

One JupyterLab serves a copy of ``notebooks/`` (outputs and execution counts
cleared, so a count proves the cell ran here); the committed notebooks are
never touched. For each ``notebooks/NN-*.ipynb`` the test opens the copy, uses
*Run All* — the command a learner uses — and checks that every code cell ran
once, in order, that the kernel is idle, and that no cell shows an error
(cells tagged ``raises-exception`` may). A screenshot per notebook goes to
``artifacts/``.

Chapter 06b also shows the browser client: its JavaScript ``WebSocket`` in this
page must have connected to the Worker the kernel serves and received the
Worker's answer. A last test does the same through jupyter-server-proxy
(``mode="proxy"``), the route Binder and JupyterHub use.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import KERNEL_IDLE, Lab, jupyterlab, run_all, shut_down_kernel

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"), key=lambda p: p.stem.split("-")[0])
#: The chapter whose page holds the browser client.
BROWSER_CHAPTER = "06b-"
ARTIFACTS = ROOT / "artifacts"

PROXY_NOTEBOOK = [
    "from IPython.display import display\n"
    "from cfws_playground import Response, WebSocketPair, serve\n"
    "from cfws_playground.widgets import BrowserClient\n"
    "\n"
    "async def fetch(request, env, ctx):\n"
    "    client, server = WebSocketPair()\n"
    "    server.accept()\n"
    "    server.addEventListener('message', lambda e: server.send(f'echo: {e.data}'))\n"
    "    return Response(None, status=101, webSocket=client)\n"
    "\n"
    "server = await serve(fetch)\n"
    "explicit = BrowserClient(server, '/explicit', mode='proxy', hello='through the proxy')\n"
    "# auto: what the kit decides in a JupyterHub or Binder server\n"
    "hub = {'JUPYTERHUB_SERVICE_PREFIX': '/user/learner/'}\n"
    "auto = BrowserClient(server, '/auto', hello='auto', env=hub)\n"
    "display(explicit, auto)",
    "print('explicit answered:', await explicit.wait_for_reply(timeout=60))\n"
    "print('auto answered:', await auto.wait_for_reply(timeout=60))\n"
    "print('routes:', explicit.route.mode, auto.route.mode)\n"
    "print('port:', server.port)",
]
#: The notebook server sits under a prefix, as on JupyterHub: the page must take the
#: base URL from JupyterLab's page config to reach the proxy.
BASE_URL = "/user/learner/"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One JupyterLab for the module, serving fresh copies of the notebooks."""
    chromium_executable()  # skips locally without chromium (before starting anything), fails in CI
    work = tmp_path_factory.mktemp("lab")
    root = work / "notebooks"
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(ROOT / "notebooks", root, ignore=skip)
    for path in root.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, path)
    proxy = nbformat.v4.new_notebook()
    proxy.cells = [nbformat.v4.new_code_cell(src) for src in PROXY_NOTEBOOK]
    proxy.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(proxy, work / "proxy-check.ipynb")
    shutil.move(str(work / "proxy-check.ipynb"), root / "proxy-check.ipynb")
    # The notebooks as committed (outputs and all), for what a learner sees on opening one.
    shutil.copytree(ROOT / "notebooks", root / "fresh", ignore=skip)
    with jupyterlab(root, work, base_url=BASE_URL) as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


#: The code cells tagged ``predict`` whose output area shows on the page: index and text.
SHOWN_PREDICTIONS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets.map((c, i) => [c, i])
    .filter(([c]) => c.model.type === 'code' && (c.model.getMetadata('tags') || []).includes('predict'))
    .filter(([c]) => c.outputHidden === false || (c.node.querySelector('.jp-OutputArea-output') &&
                                                   c.node.querySelector('.jp-OutputArea-output').offsetParent))
    .map(([c, i]) => [i, c.node.innerText.slice(0, 80)]);
}"""

#: The code cells whose outputs are folded (index and source), after they ran.
HIDDEN_OUTPUTS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  return nb.content.widgets.map((c, i) => [c, i])
    .filter(([c]) => c.model.type === 'code' && c.outputHidden)
    .map(([c, i]) => [i, c.model.sharedModel.getSource().slice(0, 60)]);
}"""


def _browser_log(page: Any, index: int = 0) -> list[str]:
    """The log of the ``index``-th browser client on the page, as it shows it."""
    entries: list[str] = page.evaluate(
        "(i) => [...document.querySelectorAll('.cfws-browser-log')[i].querySelectorAll('li')]"
        ".map(li => li.textContent)",
        index,
    )
    return entries


def _wait_for_entry(page: Any, index: int, text: str) -> None:
    page.wait_for_function(
        "([i, text]) => { const log = document.querySelectorAll('.cfws-browser-log')[i];"
        " return log && [...log.querySelectorAll('li')].some(li => li.textContent === text); }",
        arg=[index, text],
        timeout=30_000,
    )


def test_there_are_notebooks_to_run() -> None:
    assert NOTEBOOKS, "no notebooks/NN-*.ipynb found"
    assert any(p.name.startswith(BROWSER_CHAPTER) for p in NOTEBOOKS)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_completes(path: Path, lab: Lab, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"run-all-{path.stem}.png"
    page = browser.new_page(viewport={"width": 1280, "height": 2000})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        page.goto(lab.url(path.name))
        cells = run_all(page, shot)
        # Every code cell ran once, in order, in a fresh kernel.
        assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), [
            (c["count"], c["source"][:40]) for c in cells
        ]
        failed = [
            (c["source"][:60], c["errors"])
            for c in cells
            if c["errors"] and "raises-exception" not in c["tags"]
        ]
        assert not failed, failed
        committed = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert len(cells) == len(committed)

        # Running a cell shows the output that was folded until then.
        assert not page.evaluate(HIDDEN_OUTPUTS), page.evaluate(HIDDEN_OUTPUTS)

        if path.name.startswith(BROWSER_CHAPTER):
            # The browser client in this page connected to the Worker the kernel serves,
            # sent its hello, and received the Worker's answer.
            _wait_for_entry(page, 0, "message 'echo: hello from the page'")
            log = _browser_log(page)
            assert log[:4] == [
                "connecting (direct)",
                "open",
                "sent 'hello from the page'",
                "message 'echo: hello from the page'",
            ], log
            # The page dialled the kernel's loopback directly (a local JupyterLab).
            # One connection, straight to the kernel's loopback (a local JupyterLab).
            direct = [url for url in sockets if not url.startswith(f"ws://127.0.0.1:{lab.port}/")]
            assert len(direct) == 1 and re.fullmatch(r"ws://127\.0\.0\.1:\d+/", direct[0]), sockets
            # The notebook closed its server at the end: the page saw the close, 1001 going away.
            page.wait_for_function(
                "() => [...document.querySelectorAll('.cfws-browser-log li')]"
                ".some(li => li.textContent.startsWith('close '))",
                timeout=30_000,
            )
            assert any(e.startswith("close 1001 ") for e in _browser_log(page)), _browser_log(page)
            # The event stream beside it showed the Worker's side of that connection, live.
            steps_js = (
                "() => [...document.querySelectorAll('.cfws-stream tr.cfws-row .cfws-step')]"
                ".map(td => td.firstChild.textContent)"
            )
            try:
                page.wait_for_function(
                    f"""() => {{ const steps = ({steps_js})();
                               return steps.includes("[network] send('hello from the page')") &&
                                      steps.includes("send('echo: hello from the page')"); }}""",
                    timeout=30_000,
                )
            except Exception as exc:  # say what the stream showed instead
                raise AssertionError(f"the event stream shows {page.evaluate(steps_js)}") from exc
            # The kernel's transcript cell printed the same exchange.
            sent = 'await ws.send("hello from the page")'
            transcript = next(c["text"] for c in cells if sent in c["source"])
            assert "send('echo: hello from the page')" in transcript
            page.locator(".cfws-browser").first.screenshot(path=str(ARTIFACTS / "run-all-browser-client.png"))
            print(f"screenshot: {ARTIFACTS / 'run-all-browser-client.png'}")
        page.screenshot(path=str(shot), full_page=True)
        shut_down_kernel(page)  # one kernel at a time: the next notebook gets the machine
    finally:
        page.close()
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_fresh_open_shows_no_answer_to_a_prediction(path: Path, lab: Lab, browser: Any) -> None:
    """Open a chapter as committed, run nothing: every prediction's stored output stays folded."""
    committed = nbformat.read(path, as_version=4)
    predictions = [
        i for i, c in enumerate(committed.cells) if "predict" in c.metadata.get("tags", []) and c.outputs
    ]
    page = browser.new_page(viewport={"width": 1280, "height": 2000})
    try:
        page.goto(lab.url(f"fresh/{path.name}"))
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        folded = page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                 .map((c, i) => [c, i]).filter(([c]) => c.model.type === 'code' && c.outputHidden)
                 .map(([c, i]) => i)"""
        )
        assert folded == predictions, (folded, predictions)
        assert not page.evaluate(SHOWN_PREDICTIONS), page.evaluate(SHOWN_PREDICTIONS)
        # And no prediction cell shows its stored answer as text on the page.
        shown = page.evaluate(
            """(indexes) => indexes.map(i =>
                 window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerText)""",
            predictions,
        )
        # (JupyterLab previews a folded output by its first line, which is a heading.)
        for i, cell_text in zip(predictions, shown, strict=True):
            outputs = committed.cells[i].outputs
            text = "".join(
                out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in outputs
            )
            heading, *answer = [line for line in text.splitlines() if line]
            for line in answer:
                if len(line.strip()) > 3 and line.strip() not in committed.cells[i].source + heading:
                    assert line.strip() not in cell_text, f"cell {i} shows its answer: {line!r}"
        # The check-yourself answers are folded too (those the page has rendered).
        opened = page.evaluate("() => [...document.querySelectorAll('details')].filter(d => d.open).length")
        assert opened == 0
        if path.name.startswith("00-"):
            page.screenshot(path=str(ARTIFACTS / "fresh-open-00.png"))
        shut_down_kernel(page)
    finally:
        page.close()


@pytest.mark.timeout(240)
def test_browser_client_through_jupyter_server_proxy(lab: Lab, browser: Any) -> None:
    """What Binder does: the page reaches the kernel's port only through the notebook server."""
    import jupyter_server_proxy  # noqa: F401 - in the test extra, as binder/requirements.txt has it

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "run-all-proxy.png"
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        page.goto(lab.url("proxy-check.ipynb"))
        cells = run_all(page, shot)
        assert [c["errors"] for c in cells] == [[], []], cells
        printed = cells[1]["text"]
        # The Worker answered both pages' hellos (seen from the kernel's side).
        assert "explicit answered: True" in printed and "auto answered: True" in printed, printed
        assert "routes: proxy proxy" in printed, printed
        port = int(re.search(r"port: (\d+)", printed).group(1))  # type: ignore[union-attr]
        for index, hello in ((0, "through the proxy"), (1, "auto")):
            _wait_for_entry(page, index, f"message 'echo: {hello}'")
            log = _browser_log(page, index)
            expected = ["connecting (proxy)", "open", f"sent '{hello}'", f"message 'echo: {hello}'"]
            assert log[:4] == expected, log
        # One WebSocket per widget, to the notebook server's own port, under BASE_URL/proxy/PORT/
        # (the base URL comes from the page: the kernel of the explicit one was told nothing).
        proxied = sorted(u for u in sockets if "/proxy/" in u)
        prefix = f"ws://127.0.0.1:{lab.port}{BASE_URL}proxy/{port}"
        assert proxied == [f"{prefix}/auto", f"{prefix}/explicit"], sockets
        page.screenshot(path=str(shot), full_page=True)
        shut_down_kernel(page)  # one kernel at a time: the next notebook gets the machine
    finally:
        page.close()
    print(f"screenshot: {shot}")
    print(json.dumps({"page WebSockets": sockets}))
