"""Serve a project folder as ``cfws-playground serve DIR`` does, for real clients in tests."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from cfws_playground import serve
from cfws_playground.bridge import Server
from cfws_playground.pyworkers import disable, enable, enabled, load_project

PROJECTS = Path(__file__).resolve().parent / "projects"


@contextlib.asynccontextmanager
async def served(name: str | Path, **options: Any) -> AsyncIterator[Server]:
    """The project ``tests/apps/projects/<name>`` (or a folder), on 127.0.0.1 port 0."""
    root = name if isinstance(name, Path) else PROJECTS / name
    was_enabled = enabled()
    enable()  # as in a `serve DIR` process: `js` and `workers` stay importable while it runs
    try:
        project = load_project(root, **options)
        for ns in project.namespaces.values():
            ns.resume_alarms()
        async with serve(
            project.worker, port=0, env=project.env, compatibility=project.compatibility
        ) as server:
            server.project = project  # type: ignore[attr-defined]
            yield server
    finally:
        if not was_enabled:
            disable()


async def http(
    server: Server,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request over a real socket: (status, headers, body)."""

    def run() -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            server.http_url.rstrip("/") + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    return await asyncio.to_thread(run)
