"""What the widget browser tests check in any front end (JupyterLab 4, Notebook 7).

Each function takes the Playwright page after *Run All* on
``notebooks/live_widgets.ipynb`` and the cells' state from ``lab.CELLS_STATE``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "TABLE_ROW",
    "check_cells_finished",
    "check_console_shows_error",
    "check_diagram",
    "check_stream_matches_kernel",
    "check_stream_stays_live",
    "counter",
    "printed_steps",
    "stream_rows",
]

#: A row of the recorder's table as the kernel prints it: "#  end  client  server  step".
TABLE_ROW = re.compile(r"^\s*\d+  (?:client|server)\s+\d [A-Z]+\s+\d [A-Z]+\s+(.*)$")

#: The fixture's frames, in order: four messages, then the close handshake.
EXPECTED_ARROWS = [
    ["message", "client", "server"],
    ["message", "server", "client"],
    ["message", "client", "server"],
    ["message", "server", "client"],
    ["close", "client", "server"],
    ["close", "server", "client"],
]


def printed_steps(text: str) -> list[str]:
    """The ``step`` column of every row of a recorder table printed by the kernel."""
    return [m.group(1) for line in text.splitlines() if (m := TABLE_ROW.match(line))]


def stream_rows(page: Any, index: int) -> list[dict[str, str]]:
    """The rows an event stream shows: sequence number, end and step."""
    rows: list[dict[str, str]] = page.evaluate(
        """(i) => [...document.querySelectorAll('.cfws-stream')[i].querySelectorAll('tr.cfws-row')]
              .map(tr => ({seq: tr.dataset.seq, end: tr.dataset.end,
                           step: tr.querySelector('.cfws-step').firstChild.textContent}))""",
        index,
    )
    return rows


def counter(page: Any, index: int) -> int:
    """The total an event stream's counters show."""
    return int(
        page.evaluate(
            "(i) => document.querySelectorAll('.cfws-stream')[i].querySelector('.cfws-counters')"
            ".dataset.total || '0'",
            index,
        )
    )


def check_cells_finished(cells: list[dict[str, Any]]) -> None:
    """Every code cell ran once, in order, without an error, the script-style cell included."""
    assert [c["count"] for c in cells] == list(range(1, len(cells) + 1)), cells
    assert [c["errors"] for c in cells] == [[]] * len(cells), cells
    assert any("allow_asyncio_run()\nasyncio.run(main())" in c["source"] for c in cells)


def check_stream_matches_kernel(page: Any, cells: list[dict[str, Any]]) -> list[str]:
    """The first event stream shows the steps the kernel printed from the same recorder."""
    expected = printed_steps(cells[-1]["text"])
    assert "send('from asyncio.run')" in expected
    page.wait_for_function(
        f"() => document.querySelectorAll('.cfws-stream')[0]"
        f".querySelectorAll('tr.cfws-row').length === {len(expected)}",
        timeout=15_000,
    )
    rows = stream_rows(page, 0)
    assert [r["step"] for r in rows] == expected
    assert [r["seq"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    return expected


def check_diagram(page: Any, cells: list[dict[str, Any]]) -> None:
    """One arrow per frame, in order, close handshake last; as many as the kernel printed."""
    arrows = page.evaluate(
        """() => [...document.querySelectorAll('.cfws-sequence svg g.arrow')]
              .map(g => [g.dataset.kind, g.dataset.from, g.dataset.to])"""
    )
    assert arrows == EXPECTED_ARROWS
    printed = next(c["text"] for c in cells if "print(diagram.text())" in c["source"])
    assert len([line for line in printed.splitlines() if "──" in line]) == len(arrows)


def check_stream_stays_live(page: Any, live: int = 1, window: int = 50) -> None:
    """A stream fed by a background task keeps counting after every cell finished."""
    page.wait_for_function(
        f"() => Number(document.querySelectorAll('.cfws-stream')[{live}]"
        ".querySelector('.cfws-counters').dataset.total || 0) > 0",
        timeout=15_000,
    )
    first = counter(page, live)
    page.wait_for_timeout(1500)
    second = counter(page, live)
    assert second > first, (first, second)
    ticks = [r["step"] for r in stream_rows(page, live)]
    assert ticks and all("tick" in s for s in ticks)
    assert len(ticks) <= window


def check_console_shows_error(page: Any) -> None:
    """A click on the pair console's send() before accept() shows the runtime's error in the widget."""
    console = page.locator(".widget-vbox", has=page.locator("button", has_text="new pair"))
    console.locator("button", has_text="send()").first.click()
    console.locator(".cfws-console-error").first.wait_for(timeout=10_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cfws-console-error')]"
        ".some(e => e.textContent.includes('TypeError'))",
        timeout=10_000,
    )
    text = page.evaluate(
        "() => [...document.querySelectorAll('.cfws-console-error')].map(e => e.textContent).join(' ')"
    )
    assert "TypeError: You must call one of accept()" in text
