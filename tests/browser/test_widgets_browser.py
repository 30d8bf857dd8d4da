"""The live widgets in a real JupyterLab and a real chromium, driven by Run All.

The test starts JupyterLab on 127.0.0.1 (a free port, a token, settings that
turn the news pop-up off), opens ``notebooks/live_widgets.ipynb`` in headless
chromium and runs *Run All*, the command a learner uses. It then checks that:

- every cell finished: an execution count, no error output. The notebook has
  a script-style ``asyncio.run(main())`` cell after ``allow_asyncio_run()``;
  the archived nest-asyncio wedged ipykernel 7 on exactly this;
- the event stream shows the rows the cells made (the same steps the kernel
  prints from the same recorder);
- the sequence diagram has an arrow per frame, in order, including the close
  handshake;
- rows keep arriving from a background task after all cells finished;
- a click on the pair console shows the runtime's error inside the widget.

A screenshot is saved under ``artifacts/`` and its path printed. The server
(``lab.jupyterlab``, shared with the other browser tests) is stopped by its PID.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import ALL_FINISHED, CELLS_STATE, jupyterlab
from widget_checks import (
    TABLE_ROW,
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


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on 127.0.0.1 serving a copy of the fixture notebook; stopped by PID."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    with jupyterlab(root, tmp_path) as server:
        yield server.url(NOTEBOOK.name), server.log


def test_run_all_shows_live_widgets(lab: tuple[str, Path]) -> None:
    executable = chromium_executable()  # skips locally without chromium, fails when CI is set
    from playwright.sync_api import sync_playwright

    url, log = lab
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "widgets-run-all.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            page.goto(url)
            page.wait_for_function(
                """() => { const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                   const k = nb && nb.sessionContext && nb.sessionContext.session &&
                             nb.sessionContext.session.kernel;
                   return k && k.status === 'idle'; }""",
                timeout=90_000,
            )
            # Run All, as a learner does (not awaited: the command resolves when cells finish).
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            try:
                page.wait_for_function(ALL_FINISHED, timeout=90_000)
            except Exception:
                state = page.evaluate(CELLS_STATE)
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")
                raise AssertionError(f"Run All did not finish every cell: {state}") from None
            cells = page.evaluate(CELLS_STATE)
            check_cells_finished(cells)
            expected_steps = check_stream_matches_kernel(page, cells)

            # Filtering by end in the front end: the kernel resends the window, filtered.
            client_box = page.locator(".cfws-stream").first.locator(
                'input[data-filter="ends"][value="client"]'
            )
            client_box.uncheck()
            server_rows = sum(
                1
                for line in cells[-1]["text"].splitlines()
                if TABLE_ROW.match(line) and "  server  " in line[:16]
            )
            assert 0 < server_rows < len(expected_steps)
            page.wait_for_function(
                f"""() => {{ const rows = [...document.querySelectorAll('.cfws-stream')[0]
                               .querySelectorAll('tr.cfws-row')];
                   return rows.length === {server_rows} &&
                          rows.every(r => r.dataset.end === 'server'); }}""",
                timeout=15_000,
            )
            client_box.check()
            page.wait_for_function(
                f"() => document.querySelectorAll('.cfws-stream')[0]"
                f".querySelectorAll('tr.cfws-row').length === {len(expected_steps)}",
                timeout=15_000,
            )

            check_diagram(page, cells)
            check_stream_stays_live(page)
            assert page.evaluate(
                "() => !window.jupyterapp.shell.currentWidget.sessionContext"
                ".session.kernel.status.includes('busy')"
            )

            check_console_shows_error(page)
            page.screenshot(path=str(shot), full_page=True)
            # The notebook scrolls inside the page: one picture per widget as well.
            for name, selector in (("sequence", ".cfws-sequence"), ("stream", ".cfws-stream")):
                part = ARTIFACTS / f"widgets-run-all-{name}.png"
                page.locator(selector).first.screenshot(path=str(part))
                print(f"screenshot: {part}")
        finally:
            browser.close()
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0
