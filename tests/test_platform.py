"""In a browser kernel (Pyodide, JupyterLite): what needs a socket says so; the rest works.

``sys.platform`` is ``"emscripten"`` there; these tests set it for their own
duration only, and check the kit's behaviour through its public functions.
"""

from __future__ import annotations

import asyncio
import sys

import pytest

from cfws_playground import Response, WebSocketPair, connect, serve
from cfws_playground._platform import NEEDS_NETWORK, in_browser, require_network
from cfws_playground.notebook import _patched, allow_asyncio_run


@pytest.fixture
def browser_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "emscripten")


async def echo(request, env, ctx):  # type: ignore[no-untyped-def]
    client, server = WebSocketPair()
    server.accept()
    server.addEventListener("message", lambda e: server.send(f"echo: {e.data}"))
    return Response(None, status=101, webSocket=client)


def test_on_this_machine_nothing_is_refused() -> None:
    assert not in_browser()
    require_network("serve()")  # no error


def test_serve_says_it_needs_network_access(browser_kernel: None) -> None:
    with pytest.raises(NotImplementedError) as caught:
        serve(echo)
    assert str(caught.value).startswith("serve() opens a listening socket")
    assert str(caught.value).endswith(NEEDS_NETWORK)
    assert NEEDS_NETWORK == "this needs a kernel with network access: run it in JupyterLab or on Binder"


async def test_allow_asyncio_run_says_it_is_unnecessary_and_patches_nothing(browser_kernel: None) -> None:
    loop = asyncio.get_running_loop()
    with pytest.warns(RuntimeWarning, match=r"unnecessary in the browser"):
        assert allow_asyncio_run() is loop
    assert loop not in _patched


async def test_the_in_process_client_works(browser_kernel: None) -> None:
    async with await connect(echo) as client:
        await client.send("hi")
        assert await client.recv() == "echo: hi"
