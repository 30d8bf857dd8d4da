"""The live widgets in a real Notebook 7 and a real chromium, driven by Run All.

The same fixture notebook as ``test_widgets_browser.py`` (JupyterLab), opened
in Notebook 7's own interface (``/notebooks/NAME``). The test starts Notebook 7
on 127.0.0.1 (a free port, a token, the news pop-up off), runs *Run All* and
checks that:

- every code cell finished, once and in order, without an error output;
- the event stream shows the rows the kernel printed from the same recorder;
- the sequence diagram has an arrow per frame, close handshake included;
- rows keep arriving from a background task after all cells finished;
- a click on the pair console shows the runtime's error inside the widget.

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
from widget_checks import (
    check_cells_finished,
    check_console_shows_error,
    check_diagram,
    check_stream_matches_kernel,
    check_stream_stays_live,
)

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

            check_cells_finished(cells)
            check_stream_matches_kernel(page, cells)
            check_diagram(page, cells)
            check_stream_stays_live(page)
            check_console_shows_error(page)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0
