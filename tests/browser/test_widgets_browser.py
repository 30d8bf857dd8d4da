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

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import ALL_FINISHED, CELLS_STATE, jupyterlab

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


#: A row of the recorder's table as the kernel prints it: "#  end  client  server  step".
TABLE_ROW = re.compile(r"^\s*\d+  (?:client|server)\s+\d [A-Z]+\s+\d [A-Z]+\s+(.*)$")


def printed_steps(text: str) -> list[str]:
    """The ``step`` column of every row of a recorder table printed by the kernel."""
    return [m.group(1) for line in text.splitlines() if (m := TABLE_ROW.match(line))]


def _stream_rows(page: Any, index: int) -> list[dict[str, str]]:
    return page.evaluate(
        """(i) => [...document.querySelectorAll('.cfws-stream')[i].querySelectorAll('tr.cfws-row')]
              .map(tr => ({seq: tr.dataset.seq, end: tr.dataset.end,
                           step: tr.querySelector('.cfws-step').firstChild.textContent}))""",
        index,
    )


def _counter(page: Any, index: int) -> int:
    return int(page.evaluate(
        "(i) => document.querySelectorAll('.cfws-stream')[i].querySelector('.cfws-counters')"
        ".dataset.total || '0'", index))


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
            # Every cell ran once, in order, without an error.
            assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), cells
            assert [c["errors"] for c in cells] == [[]] * len(cells), cells
            assert any("allow_asyncio_run()\nasyncio.run(main())" in c["source"] for c in cells)

            # The event stream shows the rows the kernel printed from the same recorder.
            # The recorder's table: "#  end  client  server  step".
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

            # Filtering by end in the front end: the kernel resends the window, filtered.
            client_box = page.locator(".cfws-stream").first.locator(
                'input[data-filter="ends"][value="client"]')
            client_box.uncheck()
            server_rows = sum(1 for line in cells[-1]["text"].splitlines()
                              if TABLE_ROW.match(line) and "  server  " in line[:16])
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
            kernel_arrows = [line for line in printed.splitlines() if "──" in line]
            assert len(kernel_arrows) == len(arrows)

            # Rows keep arriving from the background task after every cell finished.
            live = 1  # the second event stream on the page
            page.wait_for_function(
                f"() => Number(document.querySelectorAll('.cfws-stream')[{live}]"
                ".querySelector('.cfws-counters').dataset.total || 0) > 0", timeout=15_000)
            first = _counter(page, live)
            page.wait_for_timeout(1500)
            second = _counter(page, live)
            assert second > first, (first, second)
            assert page.evaluate("() => !window.jupyterapp.shell.currentWidget.sessionContext"
                                 ".session.kernel.status.includes('busy')")
            ticks = [r["step"] for r in _stream_rows(page, live)]
            assert ticks and all("tick" in s for s in ticks)
            assert len(ticks) <= 50  # the window

            # The pair console: send() before accept() shows the runtime's error in the widget.
            console = page.locator(".widget-vbox", has=page.locator("button", has_text="new pair"))
            console.locator("button", has_text="send()").first.click()
            error = console.locator(".cfws-console-error").first
            error.wait_for(timeout=10_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.cfws-console-error')]"
                ".some(e => e.textContent.includes('TypeError'))", timeout=10_000)
            text = page.evaluate("() => [...document.querySelectorAll('.cfws-console-error')]"
                                 ".map(e => e.textContent).join(' ')")
            assert "TypeError: You must call one of accept()" in text
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
