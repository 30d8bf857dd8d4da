"""The browser client without a browser: the route rules, the kernel side, and waiting for the page."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets

from cfws_playground import Response, WebSocketPair, serve, settle
from cfws_playground.widgets import BrowserClient, client_route
from cfws_playground.widgets.browser_client import Route

HUB = {"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}


# ---------------------------------------------------------------- the route rules


def test_local_server_connects_straight_to_the_port() -> None:
    route = client_route(8787, "/chat", env={}, proxy_installed=True)
    assert route == Route("direct", "ws://127.0.0.1:8787/chat", "", "/", route.reason)
    assert "local" in route.reason


def test_jupyterhub_goes_through_the_proxy_under_the_base_url() -> None:
    route = client_route(8787, "/chat?name=ada", env=HUB, proxy_installed=True)
    assert (route.mode, route.url, route.proxy_path, route.base_url) == (
        "proxy",
        "",
        "proxy/8787/chat?name=ada",
        "/user/ada/",
    )
    assert "JUPYTERHUB_SERVICE_PREFIX" in route.reason


@pytest.mark.parametrize("name", ["BINDER_LAUNCH_HOST", "BINDER_REPO_URL"])
def test_binder_variables_mean_a_remote_page(name: str) -> None:
    route = client_route(9000, env={name: "https://mybinder.org/"}, proxy_installed=True)
    assert (route.mode, route.proxy_path, route.base_url) == ("proxy", "proxy/9000/", "/")


def test_hub_without_the_proxy_falls_back_to_direct_and_says_why() -> None:
    route = client_route(8787, env=HUB, proxy_installed=False)
    assert route.mode == "direct"
    assert "jupyter-server-proxy is not installed" in route.reason


def test_an_explicit_mode_wins_over_the_environment() -> None:
    assert client_route(8787, env=HUB, mode="direct", proxy_installed=True).mode == "direct"
    local_proxy = client_route(8787, "x", env={}, mode="proxy", proxy_installed=True)
    assert (local_proxy.mode, local_proxy.proxy_path, local_proxy.base_url) == ("proxy", "proxy/8787/x", "/")


def test_proxy_mode_without_the_proxy_is_an_error() -> None:
    with pytest.raises(ValueError, match="jupyter-server-proxy"):
        client_route(8787, mode="proxy", env={}, proxy_installed=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "tunnel"}, "mode must be one of"),
        ({"port": 0}, "port must be"),
        ({"port": 70000}, "port must be"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"port": 8787, "env": {}, "proxy_installed": True} | kwargs
    with pytest.raises(ValueError, match=message):
        client_route(**args)


def test_hosts_the_page_can_dial() -> None:
    assert client_route(1, env={}, host="0.0.0.0").url == "ws://127.0.0.1:1/"
    assert client_route(1, env={}, host="::1").url == "ws://[::1]:1/"
    hub = client_route(1, env={"JUPYTERHUB_SERVICE_PREFIX": "/user/x"}, proxy_installed=True)
    assert hub.base_url == "/user/x/"


# ---------------------------------------------------------------- the widget, kernel side


async def echo(request: Any, env: Any, ctx: Any) -> Response:
    client, server = WebSocketPair()
    server.accept()
    server.addEventListener("message", lambda e: server.send(f"echo: {e.data}"))
    return Response(None, status=101, webSocket=client)


async def test_made_from_a_server_it_syncs_its_route_and_renders_as_text() -> None:
    async with serve(echo) as server:
        browser = BrowserClient(server, "echo", hello="hi", env={})
        assert browser.route_info == {
            "mode": "direct",
            "url": f"ws://127.0.0.1:{server.port}/echo",
            "proxy_path": "",
            "base_url": "/",
            "reason": browser.route.reason,
        }
        assert browser.text() == (
            "BrowserClient: path /echo, direct (straight to the port)\n  sends 'hi' once connected"
        )
        assert repr(browser) == browser.text()
        assert str(server.port) not in browser.text()
        proxied = BrowserClient(server.port, mode="proxy", env={})
        assert proxied.route_info["proxy_path"] == f"proxy/{server.port}/"
        assert "through jupyter-server-proxy" in proxied.text()


def test_a_server_that_is_not_listening_is_refused() -> None:
    with pytest.raises(ValueError, match="not listening"):
        BrowserClient(serve(echo))


def test_commands_go_to_the_page_and_the_log_is_bounded() -> None:
    browser = BrowserClient(8787, window=3, env={})
    browser.connect()
    browser.send_text("typed")
    browser.close_socket(None)
    assert browser.comm.custom() == [
        {"type": "connect"},
        {"type": "send", "data": "typed"},
        {"type": "close", "code": None, "reason": ""},
    ]
    # The page reports its entries in batches; the kernel keeps the newest `window`.
    browser._handle_custom_msg({"type": "log", "entries": ["open", "sent 'a'"]}, [])
    closed = "close 1000 reason='' wasClean=true"
    browser._handle_custom_msg({"type": "log", "entries": ["message 'b'", closed]}, [])
    browser._handle_custom_msg({"type": "something else"}, [])
    assert browser.log == ["sent 'a'", "message 'b'", closed]


async def test_wait_for_reply_returns_when_the_worker_answered_the_hello() -> None:
    async with serve(echo) as server:
        browser = BrowserClient(server, hello="from the page", env={})
        waiting = asyncio.ensure_future(browser.wait_for_reply(timeout=30))
        async with websockets.connect(server.url) as ws:  # another client first: not the page
            await ws.send("someone else")
            await ws.recv()
        await settle()
        assert not waiting.done()
        async with websockets.connect(server.url) as ws:  # what the page does
            await ws.send("from the page")
            assert await ws.recv() == "echo: from the page"
        assert await waiting is True
        # Already answered: returns at once.
        assert await browser.wait_for_reply(timeout=30) is True


async def test_wait_for_reply_gives_up_without_a_page() -> None:
    async with serve(echo) as server:
        assert await BrowserClient(server, hello="x", env={}).wait_for_reply(timeout=0.05) is False
        with pytest.raises(ValueError, match="hello"):
            await BrowserClient(server, env={}).wait_for_reply()
