"""RPC to a WorkerEntrypoint over a service binding; to_js(bytes), run_sync, HTMLRewriter."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from harness import http, served

from cfws_playground.pyworkers import ProjectError, load_project
from cfws_playground.pyworkers.ffi import RUN_SYNC_PENDING, run_sync


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/add", b"5"),
        ("/describe", b'{"name": "pens", "total": 3}'),
        ("/fetch", b"the calculator's own fetch"),
        ("/missing", b'TypeError: The RPC receiver does not implement the method "nothing".'),
        ("/bytes", b"3 3 [2, 3]"),
        ("/run-sync", b"42"),
    ],
)
async def test_rpc_over_a_service_binding_and_the_dialects_small_items(path: str, answer: bytes) -> None:
    async with served("rpc") as server:
        status, _, body = await http(server, path)
        assert (status, body) == (200, answer)


async def test_html_rewriter_transforms_a_response_from_python_workers_code() -> None:
    async with served("rpc") as server:
        status, headers, body = await http(server, "/rewriter")
    assert (status, headers["content-type"]) == (200, "text/html")
    assert body == b'<p>Hi <a href="https://example.com/x">there</a> (external)</p>'


async def test_run_sync_refuses_what_would_have_to_wait() -> None:
    with pytest.raises(RuntimeError, match="run_sync\\(\\) of an awaitable that has to wait"):
        run_sync(asyncio.sleep(0.01))
    assert RUN_SYNC_PENDING.startswith("run_sync()")


async def test_run_sync_returns_what_needs_no_waiting() -> None:
    from cfws_playground.pyworkers.jsasync import Promise

    async def twice() -> str:
        await asyncio.sleep(0)  # a bare yield: ready again at once
        await asyncio.sleep(0)
        return "done"

    done = asyncio.get_running_loop().create_future()
    done.set_result("future")
    assert run_sync(twice()) == "done"
    assert run_sync(Promise.resolve(5)) == 5
    assert run_sync(asyncio.sleep(0, "slept")) == "slept"
    assert run_sync(done) == "future"


def test_a_service_of_another_worker_is_refused(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text(
        'name = "me"\nmain = "entry.py"\n[[services]]\nbinding = "AUTH"\nservice = "auth-worker"\n'
    )
    (tmp_path / "entry.py").write_text("def fetch(request): ...\n")
    with pytest.raises(
        ProjectError, match="service binding 'AUTH' \\(services\\) to another Worker, 'auth-worker'"
    ):
        load_project(tmp_path)
