"""Cron triggers: ``scheduled()`` fired at ``/__scheduled``, as ``wrangler dev`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.pyworkers import ProjectError, load_project


async def test_scheduled_runs_when_fired() -> None:
    async with served("cron") as server:
        assert (await http(server, "/"))[2] == b"never"
        status, _, body = await http(server, "/__scheduled?cron=*/5+*+*+*+*")
        assert (status, body) == (200, b"Ran scheduled event")
        assert (await http(server, "/"))[2] == b"*/5 * * * * at True"
        status, _, body = await http(server, "/cdn-cgi/handler/scheduled?cron=fail")
        assert (status, body) == (500, b"RuntimeError: the job failed")


def test_a_bad_cron_stops_the_project(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text('main = "entry.py"\n[triggers]\ncrons = ["* * *"]\n')
    (tmp_path / "entry.py").write_text("def fetch(request): ...\n")
    with pytest.raises(ProjectError, match=r"triggers.crons: cron '\* \* \*' must have 5 fields"):
        load_project(tmp_path)
