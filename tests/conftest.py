"""Shared fixtures; the recording listeners live in listeners.py."""

from __future__ import annotations

import logging
import os
import pathlib
import time

import pytest
from listeners import SIDES

from cfws_playground.fidelity import find_workerd, install_workerd
from cfws_playground.fidelity.pyodide import find_pyodide, install_pyodide


@pytest.fixture(params=SIDES)
def side(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _quiet_runtime_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cfws_playground")


# Notebooks under tests/ are fixtures for the browser tests, not workshop
# notebooks: nbval collects only notebooks/.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]


_SESSION_START = time.time()
_ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that runs real workerd is also `slow`: `-m "not slow"` leaves it out."""
    for item in items:
        if item.get_closest_marker("workerd") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the screenshots this run saved, so CI's log names its artifacts."""
    if not _ARTIFACTS.is_dir():
        return
    fresh = sorted(p for p in _ARTIFACTS.iterdir() if p.is_file() and p.stat().st_mtime >= _SESSION_START)
    if fresh:
        terminalreporter.write_sep("-", "artifacts saved by this run")
        for path in fresh:
            terminalreporter.write_line(str(path))


@pytest.fixture(scope="session")
def pyodide_setup() -> tuple[pathlib.Path, pathlib.Path]:
    """The workerd binary and the Pyodide package to run Python Workers on (installed when ``CI`` is set)."""
    binary, pyodide = find_workerd(), find_pyodide()
    if (binary is None or pyodide is None) and os.environ.get("CI"):
        binary, pyodide = install_workerd(), install_pyodide()
    if binary is None or pyodide is None:
        pytest.skip("no workerd and Pyodide: `cfws-playground verify --python --install` (needs npm)")
    return binary, pyodide
