"""Shared fixtures; the recording listeners live in listeners.py."""

from __future__ import annotations

import logging

import pytest
from listeners import SIDES


@pytest.fixture(params=SIDES)
def side(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _quiet_runtime_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cfws_playground")


# Notebooks under tests/ are fixtures for the browser tests, not workshop
# notebooks: nbval collects only notebooks/.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb"]
