"""A real browser talks to a served Worker: chromium's JavaScript ``WebSocket`` on one side,
the Worker's ``WebSocket`` end on the other, and both sides' views checked.

The Worker serves the page itself (a plain GET) and the WebSocket (the upgrade),
as a Worker with static HTML would.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from chromium import CHROMIUM_ARGS, chromium_executable

from cfws_playground import Recorder, Request, Response, WebSocketPair, serve

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>cfws-playground browser check</title>
<script>
window.seen = [];
window.done = false;
function open(path) {
  const ws = new WebSocket(`ws://${location.host}${path}`);
  ws.binaryType = "arraybuffer";
  return ws;
}
// 1. echo, then the browser closes.
const a = open("/echo");
a.onopen = () => {
  seen.push("a:open");
  a.send("hello from the browser");
  a.send(new Uint8Array([1, 2, 3]));
};
a.onmessage = (e) => {
  seen.push(typeof e.data === "string" ? `a:text:${e.data}`
                                       : `a:binary:${Array.from(new Uint8Array(e.data)).join(",")}`);
  if (seen.length === 3) a.close(4001, "bye from the browser");
};
a.onclose = (e) => {
  seen.push(`a:close:${e.code}:${e.reason}:${e.wasClean}`);
  // 2. the Worker closes.
  const b = open("/closer");
  b.onopen = () => b.send("please close");
  b.onclose = (e) => { seen.push(`b:close:${e.code}:${e.reason}:${e.wasClean}`); window.done = true; };
};
</script>
"""


class PageWorker:
    """Serves the page, echoes on /echo, and closes on request on /closer; logs its ends' events."""

    def __init__(self) -> None:
        self.events: dict[str, list[tuple[Any, ...]]] = {"echo": [], "closer": []}

    async def fetch(self, request: Request) -> Response:
        if not request.is_websocket_upgrade:
            return Response(PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
        name = "echo" if request.url.endswith("/echo") else "closer"
        log = self.events[name]
        client, server = WebSocketPair()
        server.accept()
        server.binaryType = "arraybuffer"

        def on_message(e: Any) -> None:
            log.append(("message", e.data))
            if name == "echo":
                server.send(e.data)
            else:
                server.close(4000, "worker says bye")

        server.addEventListener("message", on_message)
        server.addEventListener(
            "close", lambda e: log.append(("close", e.code, e.reason, e.wasClean, server.readyState))
        )
        server.addEventListener("error", lambda e: log.append(("error", e.message)))
        return Response(None, status=101, webSocket=client)


@pytest.mark.browser
async def test_chromium_and_the_worker_each_see_the_conversation() -> None:
    executable = chromium_executable()
    from playwright.async_api import async_playwright

    worker = PageWorker()
    rec = Recorder()
    async with asyncio.timeout(90), serve(worker, recorder=rec) as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.goto(server.http_url)
                await page.wait_for_function("() => window.done === true", timeout=30_000)
                seen = await page.evaluate("() => window.seen")
            finally:
                await browser.close()
        for _ in range(200):  # the Worker's trailing events arrive just after the page's
            if len(worker.events["echo"]) >= 4 and worker.events["closer"][-1][0] == "close":
                break
            await asyncio.sleep(0.01)

    assert seen == [
        "a:open",
        "a:text:hello from the browser",
        "a:binary:1,2,3",
        "a:close:4001:bye from the browser:true",
        "b:close:4000:worker says bye:true",
    ]
    assert worker.events["echo"] == [
        ("message", "hello from the browser"),
        ("message", b"\x01\x02\x03"),
        ("close", 4001, "bye from the browser", True, 3),  # auto-reply: CLOSED inside the event
        ("error", "Uncaught Error: Network connection lost."),
    ]
    assert worker.events["closer"] == [
        ("message", "please close"),
        ("close", 4000, "worker says bye", True, 3),  # the side that closed first: no error event
    ]
    steps = [r.step for r in rec.records]
    assert steps.index("[network] send('hello from the browser')") < steps.index(
        "← message 'hello from the browser'"
    )


@pytest.mark.parametrize("ci, outcome", [(None, "skipped"), ("1", "failed")])
def test_a_missing_chromium_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str | None, outcome: str
) -> None:
    import shutil

    import chromium

    real_exists = os.path.exists
    monkeypatch.setattr(
        chromium.os.path, "exists", lambda p: False if "chromium" in str(p) else real_exists(p)
    )
    monkeypatch.setattr(shutil, "which", lambda name: None)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(BaseException) as info:
        chromium.chromium_executable()
    kind = "skipped" if isinstance(info.value, pytest.skip.Exception) else "failed"
    assert kind == outcome and "apt-get install -y chromium" in str(info.value)
