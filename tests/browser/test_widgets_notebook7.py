"""The live widgets in a real Notebook 7 and a real chromium, driven by Run All.

The same fixture notebook as ``test_widgets_browser.py`` (JupyterLab), opened
in Notebook 7's own interface (``/notebooks/NAME``). The test starts Notebook 7
on 127.0.0.1 (a free port, a token, the news pop-up off), runs *Run All* and
checks that:

- every code cell finished, once and in order, without an error output;
- the event stream shows the rows the kernel printed from the same recorder;
- the sequence diagram has an arrow per frame, close handshake included;
- rows keep arriving from a background task after all cells finished.

A screenshot is saved to ``artifacts/notebook7-run-all.png`` and its path
printed. The server (``lab.notebook7``) is stopped by its PID.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import Lab, notebook7, run_all
from test_widgets_browser import _counter, _stream_rows, printed_steps

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
NOTEBOOK = HERE / "notebooks" / "live_widgets.ipynb"
ARTIFACTS = ROOT / "artifacts"

#: The page is Notebook 7's: its shell, not JupyterLab's, holds the open notebook.
IS_NOTEBOOK7 = "() => window.jupyterapp.name === 'Jupyter Notebook'"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Lab]:
    """Notebook 7 on 127.0.0.1 serving a copy of the fixture notebook; stopped by PID."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    with notebook7(root, tmp_path) as running:
        yield running


def test_run_all_shows_live_widgets_in_notebook7(server: Lab) -> None:
    executable = chromium_executable()  # skips locally without chromium, fails when CI is set
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "notebook7-run-all.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            page.goto(server.url(NOTEBOOK.name))
            cells = run_all(page, shot)
            assert page.evaluate(IS_NOTEBOOK7), page.evaluate("() => window.jupyterapp.name")

            # Every code cell ran once, in order, without an error.
            assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), cells
            assert [c["errors"] for c in cells] == [[]] * len(cells), cells
            assert any("allow_asyncio_run()\nasyncio.run(main())" in c["source"] for c in cells)

            # The event stream shows the rows the kernel printed from the same recorder.
            expected_steps = printed_steps(cells[-1]["text"])
            assert "send('from asyncio.run')" in expected_steps
            page.wait_for_function(
                f"() => document.querySelectorAll('.cfws-stream')[0]"
                f".querySelectorAll('tr.cfws-row').length === {len(expected_steps)}",
                timeout=15_000,
            )
            rows = _stream_rows(page, 0)
            assert [r["step"] for r in rows] == expected_steps
            assert [r["seq"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]

            # The sequence diagram: one arrow per frame, in order, close handshake last.
            arrows = page.evaluate(
                """() => [...document.querySelectorAll('.cfws-sequence svg g.arrow')]
                      .map(g => [g.dataset.kind, g.dataset.from, g.dataset.to])""")
            assert arrows == [
                ["message", "client", "server"],
                ["message", "server", "client"],
                ["message", "client", "server"],
                ["message", "server", "client"],
                ["close", "client", "server"],
                ["close", "server", "client"],
            ]
            printed = next(c["text"] for c in cells if "print(diagram.text())" in c["source"])
            assert len([line for line in printed.splitlines() if "──" in line]) == len(arrows)

            # Rows keep arriving from the background task after every cell finished.
            live = 1  # the second event stream on the page
            page.wait_for_function(
                f"() => Number(document.querySelectorAll('.cfws-stream')[{live}]"
                ".querySelector('.cfws-counters').dataset.total || 0) > 0", timeout=15_000)
            first = _counter(page, live)
            page.wait_for_timeout(1500)
            second = _counter(page, live)
            assert second > first, (first, second)
            ticks = [r["step"] for r in _stream_rows(page, live)]
            assert ticks and all("tick" in s for s in ticks)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0
