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


@pytest.mark.parametrize(
    ("path", "answer"),
    [("/run-sync-timer", b"42"), ("/run-sync-future", b"settled by another task")],
)
async def test_run_sync_in_a_handler_waits_for_a_timer_or_another_task(path: str, answer: bytes) -> None:
    async with served("rpc") as server:
        status, _, body = await http(server, path)
    assert (status, body) == (200, answer)


async def test_other_requests_are_served_while_run_sync_waits() -> None:
    async with served("rpc") as server:
        waiting = asyncio.ensure_future(http(server, "/run-sync-request"))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # it waits for the next request
        status, _, body = await http(server, "/settle")
        assert (status, body) == (200, b"ok")
        status, _, body = await waiting
        assert (status, body) == (200, b"settled by another request")


async def test_run_sync_inside_a_runtime_task_lets_the_next_tasks_run() -> None:
    from cfws_playground import dispatch

    loop = asyncio.get_running_loop()
    rt = dispatch.runtime(loop)
    seen: list[str] = []
    fut = loop.create_future()
    rt.add(lambda: seen.append(run_sync(fut)))  # a synchronous listener that waits
    rt.add(lambda: seen.append("next task"))
    rt.add(lambda: fut.set_result("settled by a later task"))
    await dispatch.settle()
    assert seen == ["next task", "settled by a later task"]


async def test_run_sync_that_waits_leaves_asyncio_run_as_it_was() -> None:
    run = asyncio.run
    assert run_sync(asyncio.sleep(0.01, "slept")) == "slept"
    assert asyncio.run is run  # a later asyncio.run() still gets a loop of its own


def test_run_sync_on_a_loop_that_cannot_run_re_entrantly_refuses() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> None:
        with pytest.raises(RuntimeError, match="run_sync\\(\\) of an awaitable that has to wait"):
            run_sync(asyncio.sleep(0.01))
        fut = asyncio.get_running_loop().create_future()
        with pytest.raises(RuntimeError, match="re-entrantly"):
            run_sync(fut)
        assert not fut.cancelled()  # a future handed over is the caller's: left as it was

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
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
