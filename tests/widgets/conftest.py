"""Widgets under a recording comm (see comm_double.py), so tests can read what reached the front end."""

from __future__ import annotations

from collections.abc import Iterator

import comm
import pytest
from comm_double import RecordingComm


@pytest.fixture(autouse=True)
def recording_comm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    yield
