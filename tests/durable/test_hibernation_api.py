"""The Hibernation API on ``ctx``: table-driven limits with workerd's classes and texts, and its rules."""

from __future__ import annotations

from typing import Any

import pytest
from do_harness import fresh_class, join, namespace

from cfws_playground import RangeError, Response, WebSocketPair, WorkersError, settle
from cfws_playground.durable import WebSocketRequestResponsePair, texts
from cfws_playground.errors import ACCEPT_HIBERNATABLE


def _ctx() -> Any:
    ns, _ = namespace()
    return ns.host(ns.idFromName("lobby")).ctx


def _server() -> Any:
    return WebSocketPair()[1]


# ---------------------------------------------------------------------- tags

TAG_CASES = [
    # (tags, error class or None, text)
    ([f"t{i}" for i in range(10)], None, None),
    ([f"t{i}" for i in range(11)], WorkersError, texts.TOO_MANY_TAGS),
    # workerd counts distinct tags *before* each one, so a duplicate after ten distinct ones fails too
    ([f"t{i}" for i in range(10)] + ["t0"], WorkersError, texts.TOO_MANY_TAGS),
    (["a", "a", "b"], None, None),
    (["x" * 256], None, None),
    (["x" * 257], WorkersError, '"' + "x" * 257 + '" is longer than the max tag length (256 characters).'),
    (["é" * 128], None, None),  # 256 bytes in UTF-8
    (["é" * 129], WorkersError, '"' + "é" * 129 + '" is longer than the max tag length (256 characters).'),
    ([], None, None),
]


@pytest.mark.parametrize(("tags", "error", "text"), TAG_CASES)
def test_acceptWebSocket_tags(tags: list[str], error: type[Exception] | None, text: str | None) -> None:
    ctx, ws = _ctx(), _server()
    if error is None:
        ctx.acceptWebSocket(ws, tags)
        assert ctx.getTags(ws) == list(dict.fromkeys(tags))  # distinct, first occurrence order
    else:
        with pytest.raises(error) as info:
            ctx.acceptWebSocket(ws, tags)
        assert str(info.value) == text
        assert ctx.getWebSockets() == []  # nothing half-accepted
        ws.accept()  # and the end is still free


# ---------------------------------------------------------------------- auto-response and timeout

AUTO_CASES = [
    ("p" * 2048, "q", None, None),
    (
        "p" * 2049,
        "q",
        RangeError,
        "Request cannot be larger than 2048 bytes. A request of size 2049 was provided.",
    ),
    ("p", "q" * 2048, None, None),
    (
        "p",
        "q" * 2049,
        RangeError,
        "Response cannot be larger than 2048 bytes. A response of size 2049 was provided.",
    ),
    (
        "é" * 1025,
        "q",
        RangeError,
        "Request cannot be larger than 2048 bytes. A request of size 2050 was provided.",
    ),
]


@pytest.mark.parametrize(("req", "resp", "error", "text"), AUTO_CASES)
def test_setWebSocketAutoResponse_limits(
    req: str, resp: str, error: type[Exception] | None, text: str | None
) -> None:
    ctx = _ctx()
    pair = WebSocketRequestResponsePair(req, resp)
    if error is None:
        ctx.setWebSocketAutoResponse(pair)
        got = ctx.getWebSocketAutoResponse()
        assert (got.request, got.response) == (req, resp)
    else:
        with pytest.raises(error) as info:
            ctx.setWebSocketAutoResponse(pair)
        assert str(info.value) == text
        assert ctx.getWebSocketAutoResponse() is None


def test_setWebSocketAutoResponse_without_argument_clears_it() -> None:
    ctx = _ctx()
    ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))
    ctx.setWebSocketAutoResponse()
    assert ctx.getWebSocketAutoResponse() is None


TIMEOUT_CASES = [
    (1, 1, None),
    (604_800_000, 604_800_000, None),
    (604_800_001, None, "Event timeout should not exceed 604800000 ms."),
    (0, None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("ms", "expected", "text"), TIMEOUT_CASES)
def test_hibernatable_event_timeout(ms: int | None, expected: int | None, text: str | None) -> None:
    ctx = _ctx()
    if text is None:
        ctx.setHibernatableWebSocketEventTimeout(ms)
        assert ctx.getHibernatableWebSocketEventTimeout() == expected
    else:
        with pytest.raises(WorkersError) as info:
            ctx.setHibernatableWebSocketEventTimeout(ms)
        assert str(info.value) == text


def test_attachment_limit_is_16_KiB_with_workerds_text() -> None:
    ctx, ws = _ctx(), _server()
    ctx.acceptWebSocket(ws)
    ws.serializeAttachment("a" * 16_000)  # 16,003 bytes serialized
    with pytest.raises(WorkersError) as info:
        ws.serializeAttachment("a" * 16_380)  # 2 header + 1 tag + 2 length + 16,380
    assert (
        str(info.value)
        == "A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was 16385 bytes."
    )
    assert ws.deserializeAttachment() == "a" * 16_000


@pytest.mark.slow
def test_32768_sockets_per_object_then_workerds_error() -> None:
    ctx = _ctx()
    for _ in range(texts.ACTIVE_CONNECTION_LIMIT):
        ctx.acceptWebSocket(_server())
    with pytest.raises(WorkersError) as info:
        ctx.acceptWebSocket(_server())
    assert str(info.value) == "only 32768 websockets can be accepted on a single Durable Object instance"
    assert len(ctx.getWebSockets()) == 32768


# ---------------------------------------------------------------------- accept() versus acceptWebSocket()


def _accepted(ws: Any) -> None:
    ws.accept()


def _hibernatable(ws: Any) -> None:
    _ctx().acceptWebSocket(ws)


ACCEPT_CASES = [
    # (what happens to the end first, the call, error class, text)
    (_accepted, "acceptWebSocket", WorkersError, texts.ALREADY_ACCEPTED),
    (_hibernatable, "acceptWebSocket", WorkersError, texts.ALREADY_ACCEPTED),
    (_hibernatable, "accept", TypeError, ACCEPT_HIBERNATABLE),
]


@pytest.mark.parametrize(("first", "call", "error", "text"), ACCEPT_CASES)
def test_accept_and_acceptWebSocket_on_one_socket(first: Any, call: str, error: type, text: str) -> None:
    ws = _server()
    first(ws)
    with pytest.raises(error) as info:
        if call == "accept":
            ws.accept()
        else:
            _ctx().acceptWebSocket(ws)
    assert str(info.value) == text


def test_acceptWebSocket_when_the_peer_was_accepted() -> None:
    client, server = WebSocketPair()
    client.accept()
    with pytest.raises(WorkersError) as info:
        _ctx().acceptWebSocket(server)
    assert str(info.value) == texts.PEER_NOT_AWAITING


@pytest.mark.parametrize(
    ("prepare", "text"),
    [(lambda ws: None, texts.TAGS_BEFORE_ACCEPT), (lambda ws: ws.accept(), texts.TAGS_NOT_HIBERNATABLE)],
)
def test_getTags_needs_a_hibernatable_socket(prepare: Any, text: str) -> None:
    ws = _server()
    prepare(ws)
    with pytest.raises(WorkersError) as info:
        _ctx().getTags(ws)
    assert str(info.value) == text


# ---------------------------------------------------------------------- events and sockets


async def test_listeners_never_fire_on_an_accepted_socket_events_go_to_the_handlers() -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    client = await join(env)
    ws = ns.host(ns.idFromName("lobby")).sockets()[0]
    heard: list[Any] = []
    ws.addEventListener("message", heard.append)
    ws.onmessage = heard.append
    await client.send("hello")
    await settle()
    assert heard == []
    assert cls.calls == [("message", "hello")]


@pytest.mark.parametrize("binary_type", ["blob", "arraybuffer"])
async def test_binary_messages_arrive_as_bytes_whatever_binaryType_is(binary_type: str) -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    client = await join(env)
    ns.host(ns.idFromName("lobby")).sockets()[0].binaryType = binary_type
    await client.send(b"\x00\x01")
    await settle()
    assert cls.calls == [("message", b"\x00\x01")]


async def test_getWebSockets_newest_first_by_tag_in_accept_order_and_closing_ones_stay() -> None:
    ns, env = namespace()
    clients = [await join(env, f"tags=all,n{i}") for i in range(3)]
    host = ns.host(ns.idFromName("lobby"))
    ctx = host.ctx
    first, second, third = host.sockets()[::-1]  # accept order
    assert ctx.getWebSockets() == [third, second, first]
    assert ctx.getWebSockets("all") == [first, second, third]
    assert ctx.getWebSockets("n1") == [second]
    assert ctx.getWebSockets("nobody") == []
    second.close(1000, "bye")  # CLOSING until the client answers
    assert second.readyState == 2
    assert second in ctx.getWebSockets()
    await settle()
    assert clients[1].close_code == 1000
    await settle()
    assert ctx.getWebSockets() == [third, first]


async def test_webSocketClose_for_a_clean_close_and_1006_for_a_drop_and_no_error_after_close() -> None:
    cls = fresh_class()
    _, env = namespace(cls)
    polite, rude = await join(env), await join(env)
    await polite.close(4000, "done")
    rude.abort()
    await settle()
    assert ("close", 4000, "done", True) in cls.calls
    assert ("close", 1006, "WebSocket disconnected without sending Close frame.", False) in cls.calls
    assert [c for c in cls.calls if c[0] == "error"] == []


async def test_a_raising_handler_is_reported_and_the_socket_stays_open() -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    client = await join(env)
    await client.send("raise")
    await client.send("echo")
    assert await client.recv() == "echo #2"
    assert ("handler raised", "webSocketMessage: Uncaught ValueError: handler failed") in ns.hosts[0].history


async def test_handler_errors_read_as_listener_errors_do() -> None:
    """One form for both: a DOMException is labelled with its name, as in a listener's note."""

    class Echo1005:
        def __init__(self, ctx: Any, env: Any) -> None:
            self.ctx = ctx

        async def fetch(self, request: Any) -> Response:
            client, server = WebSocketPair()
            self.ctx.acceptWebSocket(server)
            return Response(None, status=101, webSocket=client)

        async def webSocketMessage(self, ws: Any, message: Any) -> None:
            ws.close(1005, "")

    ns, env = namespace(Echo1005)
    client = await join(env)
    await client.send("x")
    await settle()
    assert (
        "handler raised",
        "webSocketMessage: Uncaught InvalidAccessError: Invalid WebSocket close code: 1005.",
    ) in ns.hosts[0].history


async def test_auto_response_answers_without_webSocketMessage_and_sets_the_timestamp() -> None:
    cls = fresh_class()
    ns, env = namespace(cls)
    client = await join(env)
    host = ns.hosts[0]
    ws = host.sockets()[0]
    assert host.ctx.getWebSocketAutoResponseTimestamp(ws) is None
    host.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))
    await client.send("ping")
    assert await client.recv() == "pong"
    await client.send(b"ping")  # binary never matches
    await settle()
    assert cls.calls == [("message", b"ping")]
    stamp = host.ctx.getWebSocketAutoResponseTimestamp(ws)
    assert isinstance(stamp, float) and stamp > 1.7e12  # ms since the epoch


async def test_a_handler_awaiting_a_timer_lets_the_next_message_in() -> None:
    # Measured on workerd 2026-11-23 (scenario do-handler-awaits-timer-next-message-enters):
    # only storage operations hold the input gate, so while one call awaits a timer the
    # socket's next message starts its own.
    order: list[str] = []

    class Slow(fresh_class()):  # type: ignore[misc]
        async def webSocketMessage(self, ws: Any, message: Any) -> None:
            import asyncio

            order.append(f"start {message}")
            await asyncio.sleep(0.01)
            order.append(f"end {message}")

    _, env = namespace(Slow)
    client = await join(env)
    for m in ("a", "b", "c"):
        await client.send(m)
    for _ in range(20):
        await settle()
        if len(order) == 6:
            break
        import asyncio

        await asyncio.sleep(0.01)
    assert order == ["start a", "start b", "start c", "end a", "end b", "end c"]


@pytest.mark.parametrize("date", ["2026-03-01", None])
async def test_no_automatic_reply_to_close_at_any_date_the_object_answers(date: str | None) -> None:
    # Observed on workerd 2026-11-17: readyState 2 inside webSocketClose, and the
    # client gets the Close the handler sends (4001), not an echo of its own.
    from cfws_playground import compatibility

    seen: list[Any] = []

    class Closer(fresh_class()):  # type: ignore[misc]
        async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
            seen.append(ws.readyState)
            if code == 1005:
                with pytest.raises(Exception) as info:  # echoing 1005 throws, as on a plain socket
                    ws.close(code, reason)
                seen.append(type(info.value).__name__)
            ws.close(4001, "answered by the object")
            seen.append(ws.readyState)

    _, env = namespace(Closer, compatibility=compatibility(date=date))
    client = await join(env)
    await client.close(4000, "bye")
    assert (client.close_code, client.close_reason) == (4001, "answered by the object")
    other = await join(env)
    await other.close(None)  # an empty Close frame: the object sees 1005
    assert seen == [2, 3, 2, "DOMException", 3]


async def test_a_close_the_object_never_answers_leaves_the_client_waiting() -> None:
    import asyncio

    class Silent(fresh_class()):  # type: ignore[misc]
        async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
            type(self).calls.append(("close", ws.readyState))

    cls = Silent
    ns, env = namespace(cls)
    client = await join(env)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.close(1000, "bye"), 0.2)
    assert cls.calls == [("close", 2)]
    assert ns.hosts[0].sockets() == []  # gone from getWebSockets() once webSocketClose has run
    client.abort()  # the client gives up (a real one reports 1006)
    await settle()


async def test_an_event_that_outlasts_the_event_timeout_is_canceled() -> None:
    import asyncio

    class Slow(fresh_class()):  # type: ignore[misc]
        async def webSocketMessage(self, ws: Any, message: Any) -> None:
            if message == "slow":
                await asyncio.sleep(10)
            ws.send(f"done {message}")

    ns, env = namespace(Slow)
    client = await join(env)
    ns.hosts[0].ctx.setHibernatableWebSocketEventTimeout(20)
    await client.send("slow")
    await client.send("fast")
    assert await client.recv() == "done fast"
    timed_out = ("event timed out", "webSocketMessage outlasted the event timeout: canceled")
    for _ in range(50):  # the slow call is canceled 20 ms after it started
        if timed_out in ns.hosts[0].history:
            break
        await asyncio.sleep(0.01)
    assert ("event timed out", "webSocketMessage outlasted the event timeout: canceled") in ns.hosts[
        0
    ].history
