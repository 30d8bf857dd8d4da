"""Predictions stay folded in Notebook 7 too: a fresh open of a chapter shows no answer.

JupyterLab's case is ``test_notebooks_browser.py``; this opens the same committed
chapter in Notebook 7's own interface (``/notebooks/NAME``), runs nothing, and checks
that every cell tagged ``predict`` hides its stored output (``jupyter.outputs_hidden``)
and that no line of a stored answer is on the page. The README's table of front ends
rests on this test and on JupyterLab's. The server is stopped by its PID.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from chromium import CHROMIUM_ARGS, chromium_executable
from lab import KERNEL_IDLE, Lab, notebook7, shut_down_kernel

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent.parent
CHAPTER = ROOT / "notebooks" / "02-accept.ipynb"

#: The page is Notebook 7's: its shell, not JupyterLab's, holds the open notebook.
IS_NOTEBOOK7 = "() => window.jupyterapp.name === 'Jupyter Notebook'"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Lab]:
    """Notebook 7 on 127.0.0.1 serving the notebooks folder's copy; stopped by PID."""
    root = tmp_path / "root"
    shutil.copytree(
        ROOT / "notebooks", root, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    )
    with notebook7(root, tmp_path) as running:
        yield running


def test_a_fresh_open_in_notebook7_shows_no_answer_to_a_prediction(server: Lab) -> None:
    executable = chromium_executable()  # skips locally without chromium, fails when CI is set
    from playwright.sync_api import sync_playwright

    committed = nbformat.read(CHAPTER, as_version=4)
    predictions = [
        i for i, c in enumerate(committed.cells) if "predict" in c.metadata.get("tags", []) and c.outputs
    ]
    assert predictions
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 4000})
            page.goto(server.url(CHAPTER.name))
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            assert page.evaluate(IS_NOTEBOOK7), page.evaluate("() => window.jupyterapp.name")
            folded = page.evaluate(
                """() => window.jupyterapp.shell.currentWidget.content.widgets
                     .map((c, i) => [c, i]).filter(([c]) => c.model.type === 'code' && c.outputHidden)
                     .map(([c, i]) => i)"""
            )
            assert folded == predictions, (folded, predictions)
            shown = page.evaluate(
                """(indexes) => indexes.map(i =>
                     window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerText)""",
                predictions,
            )
            for i, cell_text in zip(predictions, shown, strict=True):
                text = "".join(
                    out.get("text", "") or out.get("data", {}).get("text/plain", "")
                    for out in committed.cells[i].outputs
                )
                heading, *answer = [line for line in text.splitlines() if line]
                for line in answer:
                    if len(line.strip()) > 3 and line.strip() not in committed.cells[i].source + heading:
                        assert line.strip() not in cell_text, f"cell {i} shows its answer: {line!r}"
            shut_down_kernel(page)
        finally:
            browser.close()
