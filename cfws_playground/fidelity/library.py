"""The scenario library: every behaviour the kit claims, as a scenario replayed on workerd.

Names are cited by the notebooks (``scenario: name``) and by the README. Each
scenario runs under :data:`~cfws_playground.fidelity.scenario.CONFIGS` unless
it names its own configurations. Grouped as the semantics checklist is:
construction, accept, send, close, disconnect and errors, dispatch, the
Response, and event order.
"""

from __future__ import annotations

from typing import Any

from .dsl import handler, microtask, on, timeout
from .scenario import Scenario

__all__ = ["SCENARIOS", "by_name"]

SCENARIOS: list[Scenario] = []

ACCEPTED = ("watch", "a.accept()", "b.accept()")
OLD, NEW = ("2025-09-01", ()), ("2026-11-17", ())
MANUAL = ("2026-11-17", ("web_socket_manual_reply_to_close",))

PYTHON_NONE = (
    "Python has one None for JS null and undefined (Pyodide converts both to None), "
    "so the kit's transcript reads undefined where workerd's reads null"
)
SEND_VALUES = (
    "kit-decisions 1: send() of a value that is not text, bytes-like, a number or a bool raises "
    "TypeError saying what workerd would send (and pointing to json.dumps) instead of sending it"
)


def S(name: str, about: str, *steps: str | dict[str, Any], **kw: Any) -> None:  # noqa: N802 - reads as a table
    SCENARIOS.append(Scenario(name, about, tuple(steps), **kw))


# ---------------------------------------------------------------------- construction

S("pair-fresh-ready-state", "Both ends of a new pair read readyState 1 (OPEN) before any accept().", "state")
S(
    "pair-fresh-protocol-extensions",
    "A fresh end has protocol '' and extensions ''.",
    "a.protocol",
    "a.extensions",
)
S("pair-url-is-null", "A pair end's url is null.", "a.url", deliberate=PYTHON_NONE)
S("pair-buffered-amount-zero", "bufferedAmount reads 0.", "a.bufferedAmount")
S(
    "pair-ready-state-constants",
    "The readyState constants are 0..3 on instances.",
    "a.CONNECTING",
    "a.OPEN",
    "a.CLOSING",
    "a.CLOSED",
    "a.READY_STATE_OPEN",
    "a.READY_STATE_CLOSED",
)
S(
    "binary-type-default",
    "binaryType defaults to 'arraybuffer' before 2026-03-17 and to 'blob' after.",
    "a.binaryType",
    "b.binaryType",
)
S(
    "no-open-event",
    "A pair never dispatches an open event, on either end.",
    "on a open: a.send('opened')",
    "on b open: b.send('opened')",
    *ACCEPTED,
    "a.send('x')",
    "settle",
)

# ---------------------------------------------------------------------- accept

S("send-before-accept-throws", "send() before accept() throws workerd's TypeError.", "a.send('x')")
S("close-before-accept-throws", "close() before accept() throws the same TypeError.", "a.close(1000, 'x')")
S(
    "accept-twice-is-noop",
    "A second accept() does nothing and throws nothing.",
    "a.accept()",
    "a.accept()",
    "state",
)
S(
    "accept-half-open-second-call-ignored",
    "A second accept({allowHalfOpen: true}) does not change the mode the first accept() chose.",
    "watch",
    "a.accept()",
    "b.accept()",
    "b.accept({'allowHalfOpen': True})",
    "a.close(1000, 'bye')",
    "settle",
)
S("accept-empty-list", "accept([]) is accepted (an empty options value).", "a.accept([])", "state")
S(
    "accept-then-listeners-see-everything",
    "Listeners added right after accept() see every message.",
    "a.accept()",
    "a.send('m1')",
    "a.send('m2')",
    "b.accept()",
    "on b message: b.send('got ' + data)",
    "watch",
    "settle",
)
S(
    "listeners-before-accept",
    "Listeners added before accept() receive later messages.",
    "on b message: b.send('got ' + data)",
    "watch",
    "a.accept()",
    "a.send('x')",
    "b.accept()",
    "settle",
)
S(
    "messages-held-until-accept",
    "Messages sent before the peer accepts wait, in order, and arrive after accept().",
    "watch",
    "a.accept()",
    "a.send('m1')",
    "a.send(b'\\x07')",
    "a.send('m3')",
    "settle",
    "b.binaryType = 'arraybuffer'",
    "b.accept()",
    "settle",
)
S(
    "accept-dispatches-nothing-synchronously",
    "No event runs inside accept(): the state after it is unchanged.",
    "watch",
    "a.accept()",
    "a.send('x')",
    "b.accept()",
    "state",
    "settle",
)
S(
    "send-close-before-accept-delivered-in-order",
    "Sent, then closed, before the peer accepts: after accept() the peer gets the messages then the close.",
    "watch",
    "a.accept()",
    "a.send('m1')",
    "a.send(b'\\x07')",
    "a.close(4001, 'early')",
    "b.binaryType = 'arraybuffer'",
    "b.accept()",
    "settle",
)
S(
    "late-listener-misses-messages",
    "An accepted end with no listener loses the messages that arrive meanwhile.",
    "a.accept()",
    "b.accept()",
    "a.send('lost')",
    "settle",
    "on b message: b.send('seen ' + data)",
    "watch",
    "a.send('kept')",
    "settle",
)
S(
    "accept-after-close-received",
    "accept() after the peer's Close arrived delivers the close.",
    "watch",
    "a.accept()",
    "a.close(1000, 'x')",
    "settle",
    "b.accept()",
    "settle",
)
S(
    "accept-in-timer",
    "accept() later, in a timer, still gets the messages sent before.",
    "watch",
    "a.accept()",
    "a.send('early')",
    timeout(5, "b.accept()"),
    "settle",
)

# ---------------------------------------------------------------------- send

S(
    "send-text",
    "send('x') gives the peer one message event with data 'x'.",
    *ACCEPTED,
    "a.send('x')",
    "settle",
)
S("send-empty-text", "An empty string is a text message.", *ACCEPTED, "a.send('')", "settle")
S("send-unicode-text", "Non-ASCII text arrives unchanged.", *ACCEPTED, "a.send('héllo €😀')", "settle")
S(
    "send-lone-surrogate-internal",
    "A lone surrogate reaches an in-worker peer as U+FFFD replacement characters.",
    *ACCEPTED,
    "a.send('a\\ud800b')",
    "settle",
)
S(
    "send-surrogate-pair",
    "A surrogate pair is one character on arrival.",
    *ACCEPTED,
    "a.send('\\ud83d\\ude00')",
    "settle",
)
S(
    "send-binary-arraybuffer",
    "With binaryType 'arraybuffer' binary data arrives as an ArrayBuffer.",
    *ACCEPTED,
    "b.binaryType = 'arraybuffer'",
    "a.send(b'\\x01\\x02\\x03')",
    "settle",
)
S(
    "send-binary-default-type",
    "Binary data arrives as a Blob from 2026-03-17 and as an ArrayBuffer before.",
    *ACCEPTED,
    "a.send(b'\\x01\\x02')",
    "settle",
)
S(
    "send-empty-binary",
    "An empty buffer is a binary message.",
    *ACCEPTED,
    "b.binaryType = 'arraybuffer'",
    "a.send(b'')",
    "settle",
)
S(
    "send-uint8array",
    "A Uint8Array sends its bytes.",
    *ACCEPTED,
    "b.binaryType = 'arraybuffer'",
    "a.send(Uint8Array([1, 2, 255]))",
    "settle",
)
S("send-integer", "A number is sent as its JS string: 42 -> '42'.", *ACCEPTED, "a.send(42)", "settle")
S("send-float-integral", "1.0 is sent as '1', as JS prints it.", *ACCEPTED, "a.send(1.0)", "settle")
S("send-float", "3.5 is sent as '3.5'.", *ACCEPTED, "a.send(3.5)", "settle")
S("send-large-float", "1e21 is sent as '1e+21'.", *ACCEPTED, "a.send(1e21)", "settle")
S("send-bool", "true is sent as 'true'.", *ACCEPTED, "a.send(True)", "a.send(False)", "settle")
S("send-nan", "NaN is sent as 'NaN'.", *ACCEPTED, "a.send(NaN)", "settle")
S(
    "send-object-as-text",
    "An object is sent as '[object Object]' by workerd.",
    *ACCEPTED,
    "a.send({'a': 1})",
    "settle",
    deliberate=SEND_VALUES,
)
S(
    "send-array-as-text",
    "An array is sent as its joined string by workerd.",
    *ACCEPTED,
    "a.send([1, 2])",
    "settle",
    deliberate=SEND_VALUES,
)
S(
    "send-undefined-as-text",
    "undefined (Python None) is sent as 'undefined' by workerd.",
    *ACCEPTED,
    "a.send(None)",
    "settle",
    deliberate=SEND_VALUES,
)
S(
    "send-blob-as-text",
    "A Blob is not a buffer: workerd sends the text '[object Blob]'.",
    *ACCEPTED,
    "a.send(Blob(b'xy'))",
    "settle",
    deliberate=SEND_VALUES,
)
S("send-no-argument", "send() with no argument throws workerd's TypeError.", *ACCEPTED, "a.send()")
S(
    "send-order",
    "Messages arrive in the order they were sent.",
    *ACCEPTED,
    "a.send('1')",
    "a.send('2')",
    "a.send('3')",
    "a.send('4')",
    "a.send('5')",
    "settle",
)
S(
    "send-both-directions",
    "Each direction keeps its own order.",
    *ACCEPTED,
    "a.send('a1')",
    "b.send('b1')",
    "a.send('a2')",
    "b.send('b2')",
    "settle",
)
S(
    "send-not-synchronous",
    "send() never dispatches inside the call: readyState and log are unchanged after it.",
    *ACCEPTED,
    "a.send('x')",
    "state",
    "settle",
)
S(
    "send-after-own-close-throws",
    "After its own close(), send() throws 'Can't call WebSocket send() after close().'",
    *ACCEPTED,
    "a.close(1000, 'x')",
    "a.send('late')",
    "settle",
)
S(
    "send-after-received-close",
    "After receiving a Close: auto-reply dates throw on send(), older dates send.",
    "watch",
    "a.accept()",
    "b.accept()",
    "on b close: b.send('after')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "send-half-open-after-close",
    "With allowHalfOpen the receiver can still send and the closer receives it.",
    "watch",
    "a.accept()",
    "b.accept({'allowHalfOpen': True})",
    "on b close: b.send('still here'); b.close(4000, 'done')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "send-after-error-ignored",
    "After an error event, send() is silently ignored.",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "a.send('x')",
    "settle",
    "b.send('ignored')",
    "a.send('too')",
    "settle",
)
S(
    "binary-type-change-between-messages",
    "Changing binaryType affects only later messages.",
    *ACCEPTED,
    "b.binaryType = 'arraybuffer'",
    "a.send(b'\\x01')",
    "settle",
    "b.binaryType = 'blob'",
    "a.send(b'\\x02')",
    "settle",
)
S(
    "binary-type-invalid-ignored",
    "Setting binaryType to another value is ignored without an error.",
    "a.binaryType = 'text'",
    "a.binaryType",
    "a.binaryType = 'arraybuffer'",
    "a.binaryType = 'Blob'",
    "a.binaryType",
)
S(
    "send-large-internal",
    "The in-worker pair has no size limit: 33,554,433 bytes arrive.",
    *ACCEPTED,
    "b.binaryType = 'arraybuffer'",
    "a.send(ab(33554433))",
    "settle",
)
S("send-large-text-internal", "A long text arrives whole.", *ACCEPTED, "a.send(text(100000))", "settle")
S(
    "send-blob-default-size",
    "A Blob message reports its size.",
    *ACCEPTED,
    "b.binaryType = 'blob'",
    "a.send(b'abcdef')",
    "settle",
)

# ---------------------------------------------------------------------- close


S(
    "close-handshake",
    "a.close(1000,'bye'): the peer's close event, the echo, and the trailing error, by date.",
    *ACCEPTED,
    "a.close(1000, 'bye')",
    "state",
    "settle",
)
S(
    "close-sets-closing-synchronously",
    "close() makes the caller CLOSING at once; the peer stays OPEN until its event.",
    *ACCEPTED,
    "a.close(1000, 'bye')",
    "a.readyState",
    "b.readyState",
    "settle",
)
S(
    "close-no-code-1005",
    "close() with no code: the peer sees 1005 and an empty reason.",
    *ACCEPTED,
    "a.close()",
    "settle",
)
S("close-code-only", "close(4000): the reason is empty.", *ACCEPTED, "a.close(4000)", "settle")
S(
    "close-receiver-replies-with-event-values",
    "Answering a Close with close(code, reason) inside the close listener, under each close mode.",
    *ACCEPTED,
    "on b close: b.close(code, reason)",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-receiver-replies-other-code",
    "The reply need not echo: close(4002,'other') in the listener.",
    *ACCEPTED,
    "on b close: b.close(4002, 'other')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-reply-1005-throws",
    "Echoing a 1005 with close(code, reason) throws InvalidAccessError.",
    *ACCEPTED,
    "on b close: b.close(code, reason)",
    "a.close()",
    "settle",
)
S(
    "close-half-open-waits",
    "With allowHalfOpen the closer gets no close event until the receiver closes.",
    "watch",
    "a.accept()",
    "b.accept({'allowHalfOpen': True})",
    "a.close(1000, 'bye')",
    "settle",
    "state",
    "b.close(4000, 'done')",
    "settle",
)
S(
    "close-half-open-no-reply",
    "Half-open and never answered: both ends stay CLOSING.",
    "watch",
    "a.accept()",
    "b.accept({'allowHalfOpen': True})",
    "a.close(1000, 'bye')",
    "settle",
    "state",
)
S(
    "close-manual-no-reply",
    "Without auto-reply, an unanswered Close leaves the closer CLOSING.",
    *ACCEPTED,
    "a.close(1000, 'bye')",
    "settle",
    "state",
)
for _code in (1000, 1001, 1011, 1012, 1014, 1016, 2000, 2999, 3000, 4999):
    S(
        f"close-code-{_code}-accepted",
        f"close({_code}) is a valid code.",
        *ACCEPTED,
        f"a.close({_code}, 'r')",
        "settle",
        configs=(NEW,),
    )
for _code in (999, 1004, 1005, 1006, 1015, 5000, 0, -1, 65535, 66536):
    S(
        f"close-code-{_code}-rejected".replace("--", "-minus-"),
        f"close({_code}) throws InvalidAccessError and leaves the socket open.",
        *ACCEPTED,
        f"a.close({_code}, 'r')",
        "state",
        configs=(OLD, NEW),
    )
S("close-code-nan", "close(NaN) is code 0: 'Invalid WebSocket close code: 0.'", *ACCEPTED, "a.close(NaN)")
S(
    "close-code-float-truncates",
    "close(3000.9) uses code 3000.",
    *ACCEPTED,
    "a.close(3000.9, 'f')",
    "settle",
    configs=(NEW,),
)
S(
    "close-code-numeric-string",
    "close('1000', 'x') uses code 1000.",
    *ACCEPTED,
    "a.close('1000', 'x')",
    "settle",
    configs=(NEW,),
)
S(
    "close-reason-without-code",
    "close(undefined, 'r') throws 'If you specify a WebSocket close reason, ...'",
    *ACCEPTED,
    "a.close(None, 'r')",
)
S(
    "close-reason-number",
    "close(1000, 42) sends the reason '42'.",
    *ACCEPTED,
    "a.close(1000, 42)",
    "settle",
    configs=(NEW,),
)
S(
    "close-reason-bool",
    "close(1000, true) sends the reason 'true'.",
    *ACCEPTED,
    "a.close(1000, True)",
    "settle",
    configs=(NEW,),
)
S(
    "close-reason-undefined",
    "close(1000, undefined) sends no reason.",
    *ACCEPTED,
    "a.close(1000, None)",
    "settle",
    configs=(NEW,),
)
S(
    "close-reason-123-bytes",
    "A 123-byte reason is always accepted.",
    *ACCEPTED,
    "a.close(1000, text(123))",
    "settle",
    configs=(OLD, NEW),
)
S(
    "close-reason-123-bytes-multibyte",
    "123 bytes of multibyte text (é x 61 + 'a') is accepted.",
    *ACCEPTED,
    "a.close(1000, 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééa')",
    "settle",
    configs=(OLD, NEW),
)
S(
    "close-reason-124-bytes",
    "A 124-byte reason throws SyntaxError from 2026-03-03, and is sent before.",
    *ACCEPTED,
    "a.close(1000, text(124))",
    "settle",
)
S(
    "close-reason-124-bytes-multibyte",
    "é x 62 (124 bytes) throws SyntaxError from 2026-03-03.",
    *ACCEPTED,
    "a.close(1000, 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé')",
    "settle",
)
S(
    "close-reason-lone-surrogate",
    "A lone surrogate in a reason becomes U+FFFD.",
    *ACCEPTED,
    "a.close(1000, 'x\\ud800')",
    "settle",
    configs=(NEW,),
)
S(
    "close-reason-nul",
    "A NUL inside a reason is kept.",
    *ACCEPTED,
    "a.close(1000, 'a\\x00b')",
    "settle",
    configs=(NEW,),
)
S(
    "close-twice-ignored",
    "A second valid close() is ignored, even with another code.",
    *ACCEPTED,
    "a.close(1000, 'first')",
    "a.close(4000, 'second')",
    "settle",
)
S(
    "close-invalid-after-close-throws",
    "An invalid code throws even on a closed socket: validation comes first.",
    *ACCEPTED,
    "a.close(1000, 'x')",
    "settle",
    "a.close(999)",
    "a.close(None, 'r')",
)
S(
    "close-in-close-listener-after-auto-reply",
    "close() in the close listener after an auto-reply is ignored.",
    *ACCEPTED,
    "on b close: b.close(4002, 'ignored?')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-messages-before-close",
    "Messages queued before close() arrive before the close event.",
    *ACCEPTED,
    "a.send('m1')",
    "a.send('m2')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-no-messages-after-close-received",
    "After receiving a Close, an end gets no further messages.",
    "watch",
    "a.accept()",
    "b.accept({'allowHalfOpen': True})",
    "a.close(1000, 'bye')",
    "settle",
    "a.send('late')",
    "settle",
)
S(
    "close-initiator-receives-while-closing",
    "The closer still receives messages while CLOSING.",
    "watch",
    "a.accept()",
    "b.accept({'allowHalfOpen': True})",
    "on b close: b.send('reply'); b.close(1000, 'ok')",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-both-same-turn",
    "Both ends close in the same turn: where the close events and the error land.",
    *ACCEPTED,
    "a.close(1000, 'a')",
    "b.close(1001, 'b')",
    "settle",
)
S(
    "close-b-in-message-listener-while-a-close-queued",
    "b closes inside its message listener while a's Close is queued: b's error comes before its close event today.",
    *ACCEPTED,
    "on b message: b.close(1000, 'from b')",
    "a.send('x')",
    "a.close(1000, 'from a')",
    "settle",
)
S(
    "close-initiator-close-listener-acts",
    "The closer's close listener sends and closes again: both are refused or ignored.",
    *ACCEPTED,
    "on a close: a.send('x'); a.close(4000)",
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-in-timer-after-received",
    "Answering a Close later, from a timer.",
    *ACCEPTED,
    "on b close: b.readyState",
    timeout(5, "b.close(1000, 'later')"),
    "a.close(1000, 'bye')",
    "settle",
)
S(
    "close-both-initiate-then-settle-state",
    "Both ends CLOSED after a full handshake.",
    *ACCEPTED,
    "a.close(1000, 'bye')",
    "settle",
    "state",
)
S(
    "close-event-ready-state-receiver",
    "Inside the receiver's close event readyState is 3 with auto-reply, 2 without.",
    *ACCEPTED,
    "on b close: b.readyState; a.readyState",
    "a.close(1000, 'x')",
    "settle",
)
S(
    "close-code-1005-reply-no-code",
    "Answering a 1005 with close() (no code) completes the handshake.",
    *ACCEPTED,
    "on b close: b.close()",
    "a.close()",
    "settle",
)
S(
    "close-safe-reply-pattern",
    "The safe reply: close(1000) when the code is 1005 or 1006.",
    *ACCEPTED,
    "on b close: b.close(1000, 'ok')",
    "a.close()",
    "settle",
)
S(
    "close-after-peer-errored",
    "close() on the peer of an errored end does nothing visible.",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "a.send('x')",
    "settle",
    "a.close(1000, 'late')",
    "settle",
)
S(
    "close-reply-cancelled-by-earlier-send",
    "An end whose send's pump has not finished in JavaScript yet answers a Close: that pump's "
    "continuation releases the end while the answer's pump is still running, cancelling it, so the "
    "closer gets 'Network connection lost.' before its close event and the answerer after it "
    "(auto-reply dates; before them the answer is never sent).",
    *ACCEPTED,
    "b.send('x')",
    "a.close()",
    "settle",
)
S(
    "close-in-listener-cancelled-by-earlier-send",
    "The same with close() called in the close listener, at every date and with manual reply: the "
    "earlier send's continuation still cancels the pump that sends the answer.",
    *ACCEPTED,
    "on b close: b.close()",
    "b.send('x')",
    "a.close()",
    "settle",
)
S(
    "close-listener-sends-then-error-before-next-message",
    "Without the automatic reply, b's close listener sends and closes while its earlier message "
    "waits for a: the earlier send's continuation cancels the pump with the listener's frames "
    "after a dispatched that message, and b's 'Network connection lost.' comes before a "
    "dispatches the listener's message, which a's read loop had taken already; a then gets 1006.",
    *ACCEPTED,
    "a.close()",
    "b.send(1)",
    on("on b close as L2", "b.send('x')", "b.close()"),
    configs=(("2026-03-01", ()), MANUAL),
)
# Found by generated Python programs (pygen-3-982, pygen-3-263): a's listener sends from b,
# which the JavaScript generator's programs never do.
S(
    "cancelled-pump-error-behind-peer-pump-continuation",
    "a closes while b's message waits; a's listener sends from b: b's earlier pump's continuation "
    "runs after b's close event and cancels the pump with that message and the automatic reply. "
    "a's own pump continuation was already waiting ahead of a's read loop: a's 'Network "
    "connection lost.' comes first, then b's, then a's message and close 1006.",
    *ACCEPTED,
    on("on a message as L2 once", "b.send('x')"),
    "b.send('m')",
    "a.close(1000)",
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "cancelled-pump-error-after-microtasks",
    "The same with a second message listener that queues a microtask: a's read loop comes back "
    "for b's message once that microtask ran, and b's error still comes right after a's.",
    *ACCEPTED,
    on("on a message as L2 once", "b.send('x')"),
    "b.send('m')",
    on("on a message as L3", microtask("a.accept()")),
    "a.close(1000, 'r')",
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "reply-cancelled-by-pump-started-in-peer-listener",
    "b answers a's message; a's listener sends from b while b's first pump's continuation still "
    "waits: that continuation does nothing, and the new pump's own continuation runs after b's "
    "close event: it cancels the automatic reply, b errors and a gets close 1006.",
    *ACCEPTED,
    on("on a message as L2 once", "b.send('z')"),
    "a.send(1)",
    "a.close(1000)",
    on("on b message as L6", "b.send('')"),
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "microtask-way-back-behind-peer-dispatch-error",
    "a's listener closes a in a microtask while b's read loop already waits to dispatch a's "
    "message, whose listener raises: a's read loop, back after the microtask with b's second "
    "message, dispatches it only after b's error event. Found by the generator (gen-c3696096).",
    *ACCEPTED,
    on("b.onmessage", "raise TypeError('x')"),
    "b.send(False)",
    "b.send(2.5)",
    on("on a message as L3 once", microtask("a.close(4999, 'r')")),
    "a.send(b'x')",
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "microtask-send-way-back-behind-peer-dispatch-error",
    "The same with a send in the microtask instead of a close.",
    *ACCEPTED,
    on("b.onmessage", "raise TypeError('x')"),
    "b.send(False)",
    "b.send(2.5)",
    on("on a message as L3 once", microtask("a.send('m')")),
    "a.send(b'x')",
    configs=(OLD, NEW),
)
S(
    "microtask-way-back-behind-peer-dispatch-timer",
    "The same with a timer set in b's listener before it raises: the timer and b's error event "
    "both come before a dispatches b's second message.",
    *ACCEPTED,
    on("b.onmessage", timeout(0, "state"), "raise TypeError('x')"),
    "b.send(False)",
    "b.send(2.5)",
    on("on a message as L3 once", microtask("a.close(4999, 'r')")),
    "a.send(b'x')",
    configs=(OLD, NEW),
)
S(
    "listener-close-way-back-behind-peer-dispatch-error",
    "Contrast: with the close in a's listener itself (no microtask), b's error event also comes "
    "before a dispatches b's second message.",
    *ACCEPTED,
    on("b.onmessage", "raise TypeError('x')"),
    "b.send(False)",
    "b.send(2.5)",
    on("on a message as L3 once", "a.close(4999, 'r')"),
    "a.send(b'x')",
    configs=(OLD, NEW),
)
S(
    "close-in-microtask-reply-joins-running-pump",
    "a's listener closes b in a microtask while a's last message waits for b: a's read loop, "
    "back after the microtask, takes b's Close before b's read loop comes back for that "
    "message, so a's pump still runs when a answers the Close: the reply joins it, and both "
    "close cleanly.",
    *ACCEPTED,
    on("on a message as L1 once", microtask("b.close(1000)")),
    "b.send('x')",
    "a.send(1)",
    "a.send('y')",
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "close-in-nested-microtask-reply-joins-running-pump",
    "The same with the close two microtasks deep.",
    *ACCEPTED,
    on("on a message as L1 once", microtask(microtask("b.close(1000)"))),
    "b.send('x')",
    "a.send(1)",
    "a.send('y')",
    configs=(NEW,),
)
S(
    "close-in-microtask-reply-cancelled-by-pump-started-in-peer-listener",
    "Contrast: b's listener closes a in a microtask while a's listener sends from b: a's read "
    "loop takes that message, queued in its own dispatch, at once, so b's pump has finished "
    "before b answers the Close, and its continuation cancels the reply: b errors and a gets "
    "close 1006. Found by the Python generator (pygen-20261205-69).",
    *ACCEPTED,
    "b.send('s')",
    "a.send('o')",
    on("on a message as L1", "b.send('t')"),
    on("on b message as L2", microtask("a.close(1000, 'bye')")),
    configs=(NEW,),  # (without the automatic reply, a's listener would answer for ever)
)
S(
    "close-in-microtask-reply-cancelled-by-pump-handed-in-listener",
    "b's listener sends a message, which a's waiting read loop takes at once, then closes a and "
    "sends again in a microtask: that second message rides the pump the first started, and a, "
    "after its dispatch, takes it before b's close event, so b's pump has finished before b "
    "answers the Close: its continuation cancels the reply, b errors and a gets 1006. Found by "
    "the generator (gen-db9935e8).",
    *ACCEPTED,
    on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")),
    "a.send('m')",
    configs=(NEW, MANUAL),
)
S(
    "close-in-microtask-reply-cancelled-by-pump-handed-in-listener-sends-in-listener",
    "The same with both messages sent in the listener itself and the close in its microtask.",
    *ACCEPTED,
    on("on b message as L1", "b.send('x')", "b.send(2)", microtask("a.close(1000, 'r')")),
    "a.send('m')",
    configs=(NEW,),
)
S(
    "close-in-microtask-reply-cancelled-by-pump-handed-in-microtask",
    "The same with the first message sent in the microtask too.",
    *ACCEPTED,
    on("on b message as L1", microtask("b.send('x')", "a.close(1000, 'r')", "b.send(2)")),
    "a.send('m')",
    configs=(NEW,),
)
S(
    "close-in-listener-reply-cancelled-by-pump-handed-in-listener",
    "The same with the close in the listener and the second message in a microtask.",
    *ACCEPTED,
    on("on b message as L1", "b.send('x')", "a.close(1000, 'r')", microtask("b.send(2)")),
    "a.send('m')",
    configs=(NEW,),
)
S(
    "close-in-microtask-reply-joins-pump-handed-at-top-level",
    "Contrast: b's first message was handed over at top level, before b's dispatch: the one "
    "b's listener sends waits for a's way back, and b's reply joins its pump: both close cleanly.",
    *ACCEPTED,
    on("on b message as L2", "b.send(1)", microtask("a.close(1000, 'r')")),
    "a.send('m')",
    "b.send(2.5)",
    configs=(NEW,),
)
S(
    "close-in-listener-reply-after-pump-finished",
    "Contrast: with the close in the listener itself, b's read loop takes a's last message first "
    "and a's pump finishes before a answers the Close: both still close cleanly.",
    *ACCEPTED,
    on("on a message as L1 once", "b.close(1000)"),
    "b.send('x')",
    "a.send(1)",
    "a.send('y')",
    configs=(OLD, NEW, MANUAL),
)
S(
    "close-listener-sends-two-then-error-before-next-message",
    "The same with two sends in the listener: only the first was taken before the cancel.",
    *ACCEPTED,
    "a.close()",
    "b.send(1)",
    on("on b close as L2", "b.send('x')", "b.send('y')", "b.close()"),
    configs=(("2026-03-01", ()),),
)
S(
    "close-in-microtask-then-error-before-next-message",
    "The same with close() in a microtask of the close listener.",
    *ACCEPTED,
    "a.close()",
    "b.send(1)",
    on("on b close as L2", "b.send('x')", microtask("b.close()")),
    configs=(("2026-03-01", ()),),
)
S(
    "close-listener-sends-error-after-peer-listener-sends",
    "The same while a answers b's first message in its listener: b's error still comes first.",
    *ACCEPTED,
    "a.close()",
    "b.send(1)",
    on("on b close as L2", "b.send('x')", "b.close()"),
    on("on a message as L3", "a.send('r')"),
    configs=(("2026-03-01", ()),),
)
S(
    "close-in-microtask-of-listener-then-close-from-peer",
    "a closes in its message listener, and b closes in a microtask of it: b's Close waits in the "
    "pipe until a's read loop comes back from the dispatch, so a's pump continuation reports "
    "'Network connection lost.' before a's close event, at every date.",
    *ACCEPTED,
    "b.send('x')",
    on("on a message as L2", microtask("b.close()"), "a.close()"),
    configs=(OLD, ("2026-03-01", ()), NEW, MANUAL),
)
S(
    "send-in-microtask-of-listener-then-close",
    "b sends in a microtask of a's listener and a closes in a later one: b's message waits in the "
    "pipe for a's read loop, so b's close event, and a's error, come before a dispatches it; b "
    "errors and a gets 1006 (the automatic reply is cancelled).",
    *ACCEPTED,
    "b.send('x')",
    on("on a message as L2 once", microtask("b.send('y')"), microtask("a.close()")),
    configs=(NEW,),
)
S(
    "woken-raising-peer-reports-own-error-not-lost",
    "b's listener sends to a and raises while a's second message waits; a's listener raises on "
    "b's message: b is let go of after its error, but a reports its own exception, not "
    "'Network connection lost.' for the message its pump could not hand over.",
    *ACCEPTED,
    on("on a message as L1", "raise Error('boom')"),
    on("on b message as L3 once", "b.send('')", "raise TypeError('x')"),
    "a.send('x')",
    "a.send(NaN)",
    "sleep 5",
    "state",
    configs=(OLD, ("2026-03-01", ()), NEW),
)
S(
    "woken-raising-peer-reports-own-error-close-waiting",
    "The same with a's Close waiting instead of a message.",
    *ACCEPTED,
    on("on a message as L1", "raise Error('boom')"),
    on("on b message as L3 once", "b.send('')", "raise TypeError('x')"),
    "a.send('x')",
    "a.close()",
    configs=(NEW,),
)
S(
    "woken-raising-peer-error-listener-sends",
    "The same with a's error listener sending: the send throws nothing and goes nowhere.",
    *ACCEPTED,
    on("on a error as L2", "a.send('e')"),
    on("on a message as L1", "raise Error('boom')"),
    on("on b message as L3 once", "b.send('')", "raise TypeError('x')"),
    "a.send('x')",
    "a.send(NaN)",
    configs=(NEW,),
)
S(
    "close-reply-after-send-finished",
    "A send made in a message listener has finished before the Close arrives: the answer's pump "
    "runs alone, and only the answerer gets the trailing 'Network connection lost.'.",
    *ACCEPTED,
    "on b message: b.send('re')",
    "a.send('x')",
    "a.close()",
    "settle",
)

# ---------------------------------------------------------------------- listeners that raise, errors


S(
    "listener-raises-message",
    "A raising message listener errors its socket; the peer sees the pipe break (1006).",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "a.send('x')",
    "a.send('y')",
    "settle",
)
S(
    "listener-raises-stops-or-continues",
    "Before 2026-09-15 a raising listener stops the rest; from then they still run; the socket errors either way.",
    "a.accept()",
    "b.accept()",
    "on b message as L1: raise Error('first')",
    "on b message as L2: b.readyState",
    "watch",
    "a.send('x')",
    "settle",
)
S(
    "listener-raises-type-error",
    "A TypeError from a listener reads 'Uncaught TypeError: ...'.",
    *ACCEPTED,
    "on b message: raise TypeError('bad')",
    "a.send('x')",
    "settle",
)
S(
    "listener-raises-close",
    "A raising close listener: the error, and what the peer sees by date.",
    *ACCEPTED,
    "on b close: raise TypeError('close-boom')",
    "a.close(1000, 'x')",
    "settle",
)
S(
    "listener-raises-error-listener",
    "An error listener that itself throws, after a message listener threw.",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "on b error: raise Error('again')",
    "a.send('x')",
    "settle",
    "a.close(1000, 'after')",
    "settle",
)
S(
    "listener-raises-later-messages-lost",
    "After a listener raised, later messages are never delivered.",
    *ACCEPTED,
    "on b message once: raise Error('boom')",
    "a.send('1')",
    "a.send('2')",
    "settle",
    "a.send('3')",
    "settle",
)
S(
    "listener-raises-onmessage",
    "A raising onmessage handler errors the socket like a listener.",
    "a.accept()",
    "b.accept()",
    "b.onmessage: raise Error('boom')",
    "watch",
    "a.send('x')",
    "settle",
)
S(
    "listener-raises-peer-sends-after",
    "The peer of an errored end can still call send() without an error.",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "a.send('x')",
    "settle",
    "a.send('after')",
    "state",
)
S(
    "listener-raises-after-sending",
    "A listener that sends, then raises: the peer gets the message, then close 1006 alone.",
    *ACCEPTED,
    "on b message: b.send('last words'); raise Error('boom')",
    "a.send('x')",
    "settle",
)
S(
    "error-listener-raises-then-close-rethrows",
    "Before 2026-09-15 an error listener that raises leaves the end unreleased: close() rethrows the reported error.",
    *ACCEPTED,
    "on b message: raise Error('boom')",
    "on b error: raise Error('again')",
    "a.send('x')",
    "settle",
    "b.close(1000, 'late')",
    "b.send('late')",
    "state",
    "settle",
)
S(
    "listener-raises-close-1006",
    "A close listener that raises on a 1006 close.",
    *ACCEPTED,
    "on a message: raise Error('boom')",
    "on b close: raise Error('close-boom')",
    "b.send('x')",
    "settle",
)
S(
    "listener-raises-spec-compliant-flag-off",
    "no_spec_compliant_dispatch_exceptions brings back the old stop-at-first rule.",
    "a.accept()",
    "b.accept()",
    "on b message as L1: raise Error('first')",
    "on b message as L2: b.readyState",
    "watch",
    "a.send('x')",
    "settle",
    configs=(("2026-11-17", ("no_spec_compliant_dispatch_exceptions",)),),
)
S(
    "listener-raises-spec-compliant-flag-on",
    "spec_compliant_dispatch_exceptions turned on at an older date.",
    "a.accept()",
    "b.accept()",
    "on b message as L1: raise Error('first')",
    "on b message as L2: b.readyState",
    "watch",
    "a.send('x')",
    "settle",
    configs=(("2026-04-26", ("spec_compliant_dispatch_exceptions",)),),
)
S(
    "error-event-fields",
    "An ErrorEvent's error is an Error by name.",
    *ACCEPTED,
    "on b error: log(error)",
    "on b message: raise Error('boom')",
    "a.send('x')",
    "settle",
)
S(
    "dispatch-event-listener-raises",
    "dispatchEvent() with a raising listener: thrown to the caller before 2026-09-15.",
    "a.accept()",
    "on a ping: raise Error('boom')",
    "a.dispatchEvent(Event('ping'))",
    "state",
)

# ---------------------------------------------------------------------- listeners and dispatch

S(
    "onmessage-before-listeners",
    "onmessage runs before addEventListener listeners, even ones added first.",
    "a.accept()",
    "b.accept()",
    "on b message as L1: b.readyState",
    "b.onmessage: b.readyState",
    "a.send('x')",
    "settle",
)
S(
    "onmessage-cleared",
    "Setting onmessage to null stops it.",
    "a.accept()",
    "b.accept()",
    "b.onmessage: b.readyState",
    "b.onmessage = None",
    "watch",
    "a.send('x')",
    "settle",
)
S(
    "listener-once",
    "A once listener runs once.",
    "a.accept()",
    "b.accept()",
    "on b message once: b.readyState",
    "a.send('1')",
    "a.send('2')",
    "settle",
)
S(
    "listener-removed",
    "removeEventListener stops delivery.",
    "a.accept()",
    "b.accept()",
    "on b message as L: b.readyState",
    "a.send('1')",
    "settle",
    "off b message L",
    "a.send('2')",
    "settle",
)
S(
    "listener-removed-during-dispatch",
    "A listener removed by an earlier one in the same dispatch is not called.",
    "a.accept()",
    "b.accept()",
    on("b message as L1", "off b message L2"),
    "on b message as L2: b.readyState",
    "a.send('x')",
    "settle",
)
S(
    "listener-added-twice",
    "Adding the same listener twice calls it once.",
    "a.accept()",
    "b.accept()",
    "on b message as L: b.readyState",
    "add b message L",
    "a.send('x')",
    "settle",
)
S(
    "listener-capture-throws",
    "addEventListener with {capture: true} throws TypeError.",
    "a.accept()",
    "on a message {'capture': True}: a.readyState",
)
S(
    "listener-passive-accepted",
    "addEventListener with {passive: true} is accepted.",
    "a.accept()",
    "b.accept()",
    "on b message {'passive': True}: b.readyState",
    "a.send('x')",
    "settle",
)
S(
    "listener-remove-capture-throws",
    "removeEventListener with {capture: true} throws and keeps the listener.",
    "a.accept()",
    "b.accept()",
    "on b message as L: b.readyState",
    "off b message L {'capture': True}",
    "a.send('x')",
    "settle",
)
S(
    "listener-remove-use-capture-throws",
    "removeEventListener(type, f, true) throws and keeps the listener.",
    "a.accept()",
    "b.accept()",
    "on b message as L: b.readyState",
    "off b message L True",
    "a.send('x')",
    "settle",
)
S(
    "listener-use-capture-true-throws",
    "addEventListener(type, f, true) throws TypeError.",
    "a.accept()",
    "on a message True: a.readyState",
)
S(
    "listener-order",
    "Listeners run in the order they were added.",
    "a.accept()",
    "b.accept()",
    "on b message as L1: b.readyState",
    "on b message as L2: b.readyState",
    "on b message as L3: b.readyState",
    "a.send('x')",
    "settle",
)
S(
    "dispatch-event-custom",
    "dispatchEvent() calls the listeners synchronously and returns true.",
    "on a ping: a.readyState",
    "a.dispatchEvent(Event('ping'))",
)
S(
    "dispatch-event-message",
    "dispatchEvent(MessageEvent) reaches message listeners with its data.",
    "on a message: a.readyState",
    "a.dispatchEvent(MessageEvent('message', {'data': 'synthetic'}))",
)
S(
    "dispatch-event-close-no-state-change",
    "A synthetic close event changes no readyState.",
    "a.accept()",
    "on a close: a.readyState",
    "a.dispatchEvent(CloseEvent('close', {'code': 1000}))",
    "state",
)
S(
    "close-event-defaults",
    "CloseEvent('close') defaults: code 0, reason '', wasClean false.",
    "on a close: a.readyState",
    "a.dispatchEvent(CloseEvent('close'))",
)
S(
    "listener-on-client-end",
    "The client end (pair[0]) can be accepted and listened to like the server end.",
    *ACCEPTED,
    "on a message: a.send('back')",
    "b.send('hello')",
    "settle",
)
S(
    "listener-ping-pong",
    "Two listeners answering each other alternate one step at a time.",
    *ACCEPTED,
    "on a message once: a.send('pong ' + data)",
    "on b message once: b.send('ping again')",
    "b.send('ping')",
    "a.send('a-first')",
    "settle",
)

# ---------------------------------------------------------------------- event order


S(
    "order-burst-before-timer",
    "Queued messages are delivered before a setTimeout(0) set before the burst.",
    *ACCEPTED,
    timeout(0, "a.readyState"),
    "a.send('1')",
    "a.send('2')",
    "a.send('3')",
    "settle",
)
S(
    "order-timer-after-sends",
    "A setTimeout(0) set after the sends runs after their messages.",
    *ACCEPTED,
    "a.send('1')",
    "a.send('2')",
    timeout(0, "a.readyState"),
    "settle",
)
S(
    "order-microtask-before-events",
    "Every event runs after the caller's own microtasks.",
    *ACCEPTED,
    "a.send('1')",
    "microtask: a.readyState",
    "settle",
)
S(
    "order-microtask-from-listener",
    "A microtask queued by a listener runs before the next message event.",
    *ACCEPTED,
    on("b message", microtask("log(data)")),
    "a.send('1')",
    "a.send('2')",
    "settle",
)
S(
    "order-send-from-listener-interleaves",
    "Replies from a listener interleave with the incoming burst as workerd does.",
    *ACCEPTED,
    "on b message: b.send('re:' + data)",
    "a.send('1')",
    "a.send('2')",
    "a.send('3')",
    "settle",
)
S(
    "order-two-directions-same-turn",
    "Messages sent both ways in one turn: the delivery order.",
    *ACCEPTED,
    "a.send('a1')",
    "a.send('a2')",
    "b.send('b1')",
    "b.send('b2')",
    "settle",
)
S(
    "order-close-before-peer-accepts",
    "a sends and closes before b accepts: a's close event comes before b's message.",
    "watch",
    "a.accept()",
    "a.send('x')",
    "a.close(1000, 'bye')",
    "b.accept()",
    "settle",
)
S(
    "order-timers-between-bursts",
    "Timers set between two bursts run after both bursts already queued.",
    *ACCEPTED,
    "a.send('1')",
    timeout(0, "a.readyState"),
    "a.send('2')",
    timeout(0, "b.readyState"),
    "settle",
)
S(
    "order-timer-after-close-handshake",
    "A setTimeout(0) set right after close() runs after the whole handshake: both close events and the trailing error.",
    *ACCEPTED,
    "a.close(1000, 'bye')",
    timeout(0, "a.readyState", "b.readyState"),
    "settle",
)
S(
    "order-timer-after-close-from-listener",
    "A setTimeout(0) set in a message listener right after close() runs after the peer's close event and the answer.",
    *ACCEPTED,
    on("b message", "b.close(1000, 'done')", timeout(0, "a.readyState", "b.readyState")),
    "a.send('x')",
    "settle",
)
S(
    "order-listener-sends-and-closes",
    "A listener that answers and closes: the peer's message then close.",
    *ACCEPTED,
    "on b message: b.send('bye ' + data); b.close(1000, 'done')",
    "a.send('x')",
    "settle",
)
S(
    "order-close-event-vs-error",
    "The peer's close event, the echo and the trailing error, in order.",
    *ACCEPTED,
    "b.close(4000, 'server')",
    "settle",
)

# ---------------------------------------------------------------------- Response

S(
    "response-101-with-socket",
    "new Response(null, {status: 101, webSocket}) builds; its statusText is ''.",
    "response(None, {'status': 101, 'webSocket': a})",
)
S(
    "response-200-with-socket",
    "A WebSocket with status 200 throws RangeError.",
    "response(None, {'status': 200, 'webSocket': a})",
)
S(
    "response-101-without-socket",
    "Status 101 without a WebSocket throws RangeError (200-599 only).",
    "response(None, {'status': 101})",
)
S(
    "response-101-with-body",
    "A 101 with a body throws 'Response with null body status ... cannot have a body.'",
    "response('body', {'status': 101, 'webSocket': a})",
)
S(
    "response-204-with-body",
    "A 204 with a body throws the null-body TypeError.",
    "response('x', {'status': 204})",
)
S(
    "response-accepted-end-builds",
    "Building a Response with an accepted end does not throw (the check is later).",
    "a.accept()",
    "response(None, {'status': 101, 'webSocket': a})",
)
S("response-600", "Status 600 throws RangeError.", "response('x', {'status': 600})")

# ---------------------------------------------------------------------- attachments

S(
    "attachment-roundtrip",
    "serializeAttachment then deserializeAttachment returns a copy.",
    "a.serializeAttachment({'n': 1, 'tags': ['x']})",
    "a.deserializeAttachment()",
)
S(
    "attachment-too-large",
    "An attachment over 16,384 bytes throws workerd's Error.",
    "a.serializeAttachment(text(20000))",
)
S(
    "attachment-at-limit",
    "An attachment of 16,000 characters is accepted.",
    "a.serializeAttachment(text(16000))",
    "a.deserializeAttachment()",
)

# ---------------------------------------------------------------------- Blob

S(
    "blob-message-size",
    "A binary message under binaryType 'blob' is a Blob with its size and no type.",
    *ACCEPTED,
    "b.binaryType = 'blob'",
    "a.send(b'\\x00\\x01\\x02\\x03')",
    "settle",
)

# ---------------------------------------------------------------------- on the wire
#
# A real `websockets` client over 127.0.0.1 against a Worker that makes a pair,
# keeps b and returns a in a 101 (see cfws_playground.fidelity.wire).

WIRE = (OLD, NEW, MANUAL)
SERVER = ("b.accept()", "watch")
ECHO = (*SERVER, "b.binaryType = 'arraybuffer'", "on b message: b.send(data)")
UPGRADE = (
    "Host: 127.0.0.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n"
)


def W(
    name: str, about: str, worker: tuple[str | dict[str, Any], ...], client: tuple[str, ...], **kw: Any
) -> None:  # noqa: N802
    kw.setdefault("configs", WIRE)
    SCENARIOS.append(Scenario(name, about, tuple(worker), client=client, **kw))


W(
    "wire-echo-text",
    "Text stays text on the wire, and the client's Close is answered (or not) by date.",
    ECHO,
    ("send 'hi'", "recv", "close 1000, 'bye'"),
)
W(
    "wire-echo-binary",
    "Binary stays binary on the wire.",
    ECHO,
    ("send b'\\x01\\x02\\x03'", "recv", "close 1000, 'bye'"),
)
W(
    "wire-echo-order",
    "Messages come back in order.",
    ECHO,
    ("send '1'", "send '2'", "send '3'", "recv", "recv", "recv", "close 1000, 'bye'"),
)
W(
    "wire-client-close-no-code",
    "A Close without a code reaches the Worker as 1005; the echo is an empty Close.",
    SERVER,
    ("close None",),
)
W(
    "wire-client-close-4001",
    "The auto-reply echoes the client's code and reason.",
    SERVER,
    ("close 4001, 'x'",),
)
W(
    "wire-client-close-unicode-reason",
    "A multibyte reason crosses the wire whole.",
    SERVER,
    ("close 4000, 'ü€'",),
)
W(
    "wire-client-close-worker-echoes",
    "The Worker answers the Close with close(code, reason) in its listener.",
    (*SERVER, "on b close: b.close(code, reason)"),
    ("close 1000, 'bye'",),
)
W(
    "wire-client-close-worker-answers-other",
    "The Worker's answer need not echo: close(4002, 'other').",
    (*SERVER, "on b close: b.close(4002, 'other')"),
    ("close 1000, 'bye'",),
)
W(
    "wire-client-close-worker-sends",
    "send() inside the close listener: refused with auto-reply, sent before it.",
    (*SERVER, "on b close: b.send('after')"),
    ("close 1000, 'bye'", "recv"),
)
W(
    "wire-worker-closes-first",
    "The Worker closes: the client gets the code and reason and echoes them; no error.",
    (*SERVER, "on b message: b.close(4000, 'x')"),
    ("send 'go'", "recv", "wait"),
)
W(
    "wire-worker-close-no-code",
    "The Worker's close() without a code: the client sees 1005.",
    (*SERVER, "on b message: b.close()"),
    ("send 'go'", "recv", "wait"),
)
W(
    "wire-worker-close-123-byte-reason",
    "A 123-byte reason fits in a Close frame.",
    (*SERVER, "on b message: b.close(1000, text(123))"),
    ("send 'go'", "recv", "wait"),
    configs=(NEW,),
)
W(
    "wire-worker-close-124-byte-reason-old",
    "Before 2026-03-03 a 124-byte reason is sent: an invalid frame (1002).",
    (*SERVER, "on b message: b.close(1000, text(124))"),
    ("send 'go'", "recv", "wait"),
    configs=(OLD,),
)
W(
    "wire-client-drop",
    "A dropped TCP connection is close 1006 at the Worker, with readyState 1 inside it.",
    (*SERVER, "on b close: b.readyState; b.send('into the void')"),
    ("send 'x'", "sleep 50", "drop"),
)
W(
    "wire-client-drop-half-open",
    "A drop after the Worker's own close(): close 1006 with readyState 2.",
    (*SERVER, "on b message: b.close(4000, 'x')"),
    ("send 'x'", "sleep 50", "drop"),
    configs=(NEW,),
)
W(
    "wire-listener-raises-drops-client",
    "A raising listener drops the client without a Close frame (1006).",
    (*SERVER, "on b message: raise Error('listener-boom')"),
    ("send 'x'", "wait"),
)
W(
    "wire-listener-raises-after-sending",
    "What the listener sent before raising still reaches the client.",
    (*SERVER, "on b message: b.send('before'); raise Error('boom')"),
    ("send 'x'", "recv", "wait"),
)
W(
    "wire-message-32mib-arrives",
    "A 33,554,432-byte message arrives whole.",
    (*SERVER, "b.binaryType = 'arraybuffer'"),
    ("send bytes(33554432)", "sleep 100", "close 1000, 'ok'"),
    configs=(NEW,),
    client_options={"compression": None},
)
W(
    "wire-message-over-32mib-1009",
    "A 33,554,433-byte message: close 1009 to the client, only an error event at the Worker.",
    SERVER,
    ("send bytes(33554433)", "wait"),
    configs=(NEW,),
    client_options={"compression": None},
)
W(
    "wire-message-over-32mib-deflated-1009",
    "Over 32 MiB after inflation: 1009 'Message is too large'.",
    SERVER,
    ("send bytes(41943040)", "wait"),
    configs=(NEW,),
)
W("wire-ping-answered", "The runtime answers pings itself.", SERVER, ("ping", "close 1000, 'bye'"))
W(
    "wire-subprotocol-not-selected",
    "A subprotocol the client offers is not selected unless the Worker names it.",
    SERVER,
    ("close 1000, 'x'",),
    client_options={"subprotocols": ["chat"]},
    configs=(NEW,),
)
W(
    "wire-subprotocol-worker-names-offered",
    "The Worker names the offered subprotocol on its 101.",
    (
        "b.accept()",
        "response(None, {'status': 101, 'webSocket': a, 'headers': {'Sec-WebSocket-Protocol': 'chat'}})",
    ),
    ("close 1000, 'x'",),
    client_options={"subprotocols": ["chat"]},
    configs=(NEW,),
)
W(
    "wire-subprotocol-worker-names-unoffered",
    "A subprotocol the client never offered is passed through: the client fails.",
    (
        "b.accept()",
        "response(None, {'status': 101, 'webSocket': a, 'headers': {'Sec-WebSocket-Protocol': 'chat'}})",
    ),
    ("close 1000, 'x'",),
    configs=(NEW,),
)
W(
    "wire-no-compression-offered",
    "Without the client's offer there is no permessage-deflate.",
    SERVER,
    ("close 1000, 'x'",),
    client_options={"compression": None},
    configs=(NEW,),
)
W(
    "wire-post-upgrade-400",
    "A POST with Upgrade: websocket gets 400.",
    SERVER,
    (f"http 'POST {{path}} HTTP/1.1\\r\\n{UPGRADE}Content-Length: 0\\r\\n\\r\\n'",),
    configs=(NEW,),
)
W(
    "wire-head-upgrade-400",
    "A HEAD with Upgrade: websocket gets 400.",
    SERVER,
    (f"http 'HEAD {{path}} HTTP/1.1\\r\\n{UPGRADE}\\r\\n'",),
    configs=(NEW,),
)
W(
    "wire-accepted-end-returned",
    "Returning an accepted end: a 101, then the connection drops.",
    ("a.accept()", "b.accept()"),
    ("wait",),
    configs=(NEW,),
)
W(
    "wire-server-end-never-accepted",
    "The Worker never accepts its end: the client's messages go nowhere.",
    ("watch",),
    ("send 'x'", "close 1000, 'bye'"),
    configs=(NEW,),
)
W(
    "wire-lone-surrogate-to-client",
    "A lone surrogate goes out as WTF-8: the client fails the connection (1007).",
    (*SERVER, "on b message: b.send('a\\ud800b')"),
    ("send 'go'", "recv", "wait"),
    configs=(NEW,),
)
W(
    "wire-blob-echo-is-text",
    "With the blob default, echoing event.data sends a Blob: workerd sends '[object Blob]'.",
    (*SERVER, "on b message: b.send(data)"),
    ("send b'\\x01'", "recv", "close 1000, 'x'"),
    configs=(NEW,),
    deliberate=SEND_VALUES,
)
W(
    "wire-timer-after-request-end",
    "A timer set during the request does not fire after the connection ended.",
    (*SERVER, timeout(300, "b.send('late')")),
    ("drop", "sleep 600"),
    configs=(NEW,),
)
W(
    "wire-worker-sends-many",
    "A burst from the Worker arrives in order.",
    (*SERVER, "on b message: b.send('1'); b.send('2'); b.send('3')"),
    ("send 'go'", "recv", "recv", "recv", "close 1000, 'bye'"),
    configs=(NEW,),
)
W(
    "wire-manual-close-then-worker-answers-late",
    "At manual-reply dates the Worker may answer the Close from a timer.",
    (*SERVER, on("b close", timeout(50, "b.close(1000, 'late')"))),
    ("close 1000, 'bye'",),
    configs=(OLD, MANUAL),
)


# ---------------------------------------------------------------------- on the wire, frame by frame
#
# A raw RFC 6455 client (cfws_playground.fidelity.rawclient) sends what the
# `websockets` client never would. workerd reads client frames with kj's WebSocket:
# lenient where RFC 6455 says fail, its own words where it refuses, and after a
# refusal its Close goes out and the connection ends (the client's Close is not
# waited for). bridge/websocket.py follows these.

RAW_BYE = "close 1000, 'bye'"


def R(name: str, about: str, client: tuple[str, ...], **kw: Any) -> None:  # noqa: N802
    """A raw-client wire scenario against the echoing Worker, at today's date unless told."""
    kw.setdefault("configs", (NEW,))
    W(name, about, ECHO, client, **kw)


R("wire-raw-text-invalid-utf8", "Text that is not UTF-8 is not refused: the Worker gets U+FFFD in place of the bad byte.",
  ("frame text b'a\\xffb'", "recv", RAW_BYE, "wait"))
R("wire-raw-text-invalid-utf8-sequences", "A truncated sequence, a surrogate, an overlong form and a code point past U+10FFFF: one U+FFFD per maximal bad part.",
  ("frame text b'\\xf0\\x9f\\x98'", "frame text b'\\xed\\xa0\\x80'", "frame text b'\\xc0\\xaf\\xe0\\x80'",
   "frame text b'\\xf4\\x90\\x80\\x80z'", "recv", "recv", "recv", "recv", RAW_BYE, "wait"))
R("wire-raw-close-1-byte", "A 1-byte Close payload is a Close without a code: 1005 at the Worker, an empty Close back.",
  ("frame close b'\\x03'", "wait"))
R("wire-raw-close-reason-invalid-utf8", "A Close reason that is not UTF-8 reaches the Worker as U+FFFD; the automatic reply echoes the original bytes.",
  ("frame close b'\\x03\\xe8\\xff'", "wait"))
R("wire-raw-close-code-1005", "1005 on the wire (which RFC 6455 forbids) is taken as no code: 1005 at the Worker, an empty Close back.",
  ("frame close b'\\x03\\xed'", "wait"))
R("wire-raw-close-code-1006", "1006 on the wire is passed on: close 1006 wasClean true at the Worker, and echoed.",
  ("frame close b'\\x03\\xeex'", "wait"))
R("wire-raw-close-code-1015", "1015 on the wire is passed on and echoed.", ("frame close b'\\x03\\xf7'", "wait"))
R("wire-raw-close-code-999", "999 on the wire is passed on and echoed.", ("frame close b'\\x03\\xe7'", "wait"))
R("wire-raw-close-code-5000", "5000 on the wire is passed on and echoed.", ("frame close b'\\x13\\x88x'", "wait"))
R("wire-raw-close-code-0", "Code 0 on the wire is passed on and echoed.", ("frame close b'\\x00\\x00'", "wait"))
R("wire-raw-unmasked-frames", "Unmasked client frames are accepted: the message is echoed and the Close answered.",
  ("frame text 'hi' mask=0", "recv", "frame close b'\\x03\\xe8bye' mask=0", "wait"), configs=WIRE)
R("wire-raw-ping-over-125-bytes", "A 126-byte ping (a control frame over 125 bytes) is answered with a 126-byte pong.",
  ("frame ping bytes(126)", "recv", RAW_BYE, "wait"))
R("wire-raw-close-over-125-bytes", "A 126-byte Close is accepted: code 0 and 124 NULs, echoed whole.", ("frame close bytes(126)", "wait"))
R("wire-raw-pong-over-125-bytes", "An unsolicited 200-byte pong is ignored.",
  ("frame pong bytes(200)", "send 'x'", "recv", RAW_BYE, "wait"))
R("wire-raw-rsv1-without-deflate", "RSV1 without permessage-deflate: 1002 with kj's text (over 125 bytes), then the connection ends.",
  ("frame text 'hi' rsv=4", "wait"))
R("wire-raw-rsv1-on-a-close", "RSV1 on a Close is refused like on a message.", ("frame close b'\\x03\\xe8' rsv=4", "wait"))
R("wire-raw-rsv1-on-a-first-fragment", "RSV1 on a fragmented message's first frame is refused when the message ends.",
  ("frame text 'a' fin=0 rsv=4", "frame cont b'b'", "wait"))
R("wire-raw-rsv2", "RSV2 set: 1002 'Received frame had RSV bits 2 or 3 set', then the connection ends.",
  ("frame text 'hi' rsv=2", "wait"))
R("wire-raw-rsv3", "RSV3 set: the same 1002.", ("frame text 'hi' rsv=1", "wait"))
R("wire-raw-reserved-opcode", "Opcode 3: 1002 'Unknown opcode 3'; the connection ends at once, before the client's Close.",
  ("frame 3 b'x'", "recv", "sleep 200", RAW_BYE, "wait"), configs=WIRE)
R("wire-raw-reserved-control-opcode", "Opcode 11: 1002 'Unknown opcode 11', then the connection ends.", ("frame 11 b'x'", "wait"))
R("wire-raw-reserved-opcode-fragmented", "A fragmented message with opcode 3 is refused when its last fragment arrives.",
  ("frame 3 b'a' fin=0", "frame cont b'b'", "wait"))
R("wire-raw-reserved-opcode-then-text", "Opcode 3 without FIN, then a text frame: 'Missing continuation frame'.",
  ("frame 3 b'a' fin=0", "frame text b'b'", "wait"))
R("wire-raw-fragmented-ping", "A ping without FIN: 1002 'Received fragmented control frame'.", ("frame ping b'x' fin=0", "wait"))
R("wire-raw-continuation-without-start", "A continuation with nothing to continue: 1002 'Unexpected continuation frame'.",
  ("frame cont b'x'", "wait"))
R("wire-raw-text-inside-fragmented-message", "A new text frame inside a fragmented message: 1002 'Missing continuation frame'.",
  ("frame text 'a' fin=0", "frame text 'b'", "wait"))
R("wire-raw-ping-inside-fragmented-message", "A ping between fragments is answered, and the message arrives whole.",
  ("frame text 'a' fin=0", "frame ping b'p'", "frame cont 'b'", "recv", "recv", "close 1000, 'x'", "wait"))
R("wire-raw-close-inside-fragmented-message", "A Close in the middle of a fragmented message is an ordinary Close.",
  ("frame text 'a' fin=0", RAW_BYE, "wait"))
R("wire-raw-frames-after-close-ignored", "Frames after the client's Close are never read, not even a refused one (sent in one write with the Close, so they wait in the server's read buffer and the connection ends without a reset).",
  (r"raw b'\x88\x857\xfa!=4\x12CDR\x83\x817\xfa!=O\x81\x847\xfa!=[\x9bUX'", "wait"))
R("wire-raw-ping-with-rsv1", "A ping with RSV1 set is answered (kj answers a buffered ping before it looks at the bit).",
  ("frame ping b'x' rsv=4", "recv size", RAW_BYE, "wait"),
  deliberate="workerd's pong carries 4 more bytes after the ping's payload, uninitialised memory (kj allocates "
  "room for a deflate tail); the kit answers with the ping's payload alone")
# Frames in one write (kj reads them from one buffer).
PING_1, PING_2, PING_3 = (r"\x89\x817\xfa!=\x06", r"\x89\x817\xfa!=\x05", r"\x89\x817\xfa!=\x04")
TEXT_X = r"\x81\x817\xfa!=O"
R("wire-raw-three-pings-in-one-write", "Three pings in one write: workerd answers the first and the last; a queued pong is replaced by a newer one.",
  (f"raw b'{PING_1}{PING_2}{PING_3}'", "recv", "recv", "recv", "close 1000, 'x'", "wait"))
R("wire-raw-pings-around-a-message-in-one-write", "Ping, ping, text, ping in one write: the ping after the message is read only once the Worker has had the message, so its pong follows the echo.",
  (f"raw b'{PING_1}{PING_2}{TEXT_X}{PING_3}'", "recv", "recv", "recv", "recv", "close 1000, 'x'", "wait"))
R("wire-raw-text-then-ping-in-one-write", "Text, then a ping, in one write: the ping is read only when the Worker asks for its next message, so its pong follows the echo; a pong after the Worker's last message then spares it the trailing 'Network connection lost.'",
  (f"raw b'{TEXT_X}{PING_3}'", "recv", "recv", "close 1000, 'bye'", "wait"))
R("wire-raw-ping-after-echo", "A ping after the echo has arrived: the pong is the last frame before the Close, and the Worker gets no trailing 'Network connection lost.' (kj's Close waits a turn for the pong's write); a ping before the message changes nothing.",
  ("frame text 'x'", "recv", "frame ping b'p'", "recv", "close 1000, 'bye'", "wait"))
R("wire-raw-ping-before-message", "A ping, then a message in another write: pong, echo, and the trailing 'Network connection lost.' as after any echo.",
  ("frame ping b'p'", "recv", "frame text 'x'", "recv", "close 1000, 'bye'", "wait"))
R("wire-raw-refusal-replaces-a-queued-pong", "Two pings and an unknown opcode in one write: the first pong goes out, the Close for the refusal takes the place of the second (kj's queueClose). Found by the generator.",
  ("frames ping b'q' mask=0 + ping b'p' mask=0 + 3 b'x'", "wait"))
R("wire-raw-pings-after-an-answered-ping", "Once a pong has gone out since the Worker's last message, pings read together get only the last pong: kj chains the next control write behind the first, and a newer pong replaces it. Found by the generator.",
  ("frame ping b'p'", "sleep 30", "frames ping b'' + ping b'q' mask=0", "sleep 30", "close 1000, 'x'", "wait"))
R("wire-raw-pings-after-the-echo", "A message the Worker echoes ends the chain: pings read together after it get the first pong and the last again.",
  ("frame ping b'p'", "sleep 30", "frame text 'x'", "sleep 30", "frames ping b'a' + ping b'b' + ping b'c'", "sleep 30", "close 1000, 'x'", "wait"))
R("wire-raw-refusal-after-a-message-waits-for-the-worker", "A message and a refused frame in one write: kj reads the refused frame only when the Worker asks for its next message, so the Worker's echo goes out before the 1002. Found by the generator.",
  ("frames text b'x' + 3 b'p'", "wait"))
W("wire-raw-refusal-never-read-after-a-raising-listener", "A message, then a stray continuation, in one write: the Worker's listener raises, its read loop never asks for more, and the client gets no 1002, only the end of the connection. Found by the generator.",
  ("b.accept()", on("b message", "raise Error('x')")), ("frames text b'x' mask=0 + cont b'x'", "wait"), configs=(NEW,))
W("wire-raw-refusal-while-the-worker-closes", "A message, then a fragmented ping, in one write, and the Worker closes on the message: the 1002 goes out instead of the Worker's Close, whose pump then fails, so the Worker's error is 'Network connection lost.', not the protocol error. Found by the generator.",
  ("b.accept()", "watch", on("b message", "b.close(1000, 'x')")), ("frames ping b'p' + text b'x' mask=0 + ping b'p' fin=0", "wait"),
  configs=(NEW,))
W("wire-raw-refusal-after-the-worker-closes", "A message, then an unknown opcode, in one write, and the Worker closes on the message: its Close is sent before kj reads the refused frame, and kj writes no control frame after a Close (hasSentClose), so the client gets the Worker's 1000, never the 1002, and the Worker the protocol error.",
  ("b.accept()", "watch", on("b message", "b.close(1000, 'x')")), ("frames binary bytes(130) + 3 b'x'", "wait"), configs=(NEW,))
W("wire-raw-refusal-between-the-worker-sends", "A message, then an unknown opcode, in one write, and the Worker sends twice on the message: kj writes the 1002 as it reads the frame, after the send in progress and before the next, which still goes out; the Worker's pump is running when the read fails, so its error is 'Network connection lost.'.",
  ("b.accept()", "watch", "on b message: b.send('a'); b.send('b')"), ("frames binary bytes(130) + 3 b'x'", "wait"), configs=(NEW,))
W("wire-raw-refusal-between-a-send-and-the-close", "As wire-raw-refusal-between-the-worker-sends, with a close() after the send: the Worker's Close follows the 1002 on the wire.",
  ("b.accept()", "watch", "on b message: b.send('a'); b.close(1000, 'x')"), ("frames binary bytes(130) + 3 b'x'", "wait"), configs=(NEW,))
W("wire-raw-refusal-before-a-timer-close", "A close() from a 0 ms timer set on the message comes too late: kj reads the refused frame as the Worker asks for its next message, so the 1002 goes out and the Worker's error is the protocol error.",
  ("b.accept()", "watch", on("b message", timeout(0, "b.close(1000, 'x')"))), ("frames binary bytes(130) + 3 b'x'", "wait"), configs=(NEW,))
R("wire-raw-refusal-after-three-echoed-messages", "Three messages and a stray continuation in one write: each echo is written while the next message is dispatched, so all three go out before the 1002 (only what the Worker sent on the last message can be behind it).",
  ("frames text b'a' + text b'b' + text b'c' + cont b''", "wait"))
W("wire-raw-refusal-overtakes-a-send-after-an-earlier-pong", "A pong answered long before, with no message of the Worker's since: kj's next send still waits on that control write, so a refused frame read after a message overtakes the Worker's echo, which never goes out; the Worker's pump fails ('Network connection lost.').",
  ("b.accept()", "watch", on("b message", "b.send('a')")), ("frame ping b'p'", "sleep 30", "frames text b'x' + 3 b'y'", "wait"), configs=(NEW,))
W("wire-raw-timer-canceled-when-the-handshake-ends", "A 0 ms timer set on a message never fires when the client's Close follows in the same write: the request ends as the close handshake completes. Found by the generator.",
  ("b.accept()", "watch", on("b message", timeout(0, "b.close(4000, 'x')"))), ("frames binary b'' + close b'\\x03\\xe8'", "wait"),
  configs=(NEW,))
R("wire-raw-refusal-after-a-pong-and-two-messages", "A ping, two messages and a refused frame in one write: the first echo takes the pong's chained write, long done when the refusal is read, so both echoes go out before the 1002. Found by the generator (gen-3caff2c8).",
  ("frames ping b'p' + text b'x' + text b'y' + text b'hi' rsv=1", "wait"))
R("wire-raw-refusal-after-a-ping-between-messages", "A message, a ping, two messages and a refused frame in one write: the pong waits for the first echo, the second echo waits for the pong, and all go out before the 1002.",
  ("frames text b'a' + ping b'p' + text b'x' + text b'y' + text b'hi' rsv=1", "wait"))
W("wire-raw-refusal-after-the-workers-close", "A ping, two messages and a refused frame in one write; the Worker sends and closes on the first: its Close went out while the second was dispatched, so the client gets it and never the 1002.",
  (*SERVER, "on b message: b.send('x'); b.close(1000)"),
  ("frames ping b'p' + text b'x' + text b'y' + text b'hi' rsv=1", "wait"), configs=(NEW,))
R("wire-raw-unsolicited-pong", "An unsolicited pong is ignored.", ("frame pong b'x'", "send 'after'", "recv", RAW_BYE, "wait"))
R("wire-raw-declared-length-over-limit", "A frame header declaring 2**40 bytes: 1009 'Message is too large: 1099511627776 > 33554432' at once.",
  ("raw b'\\x82\\xff\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00'", "wait"))

# HTTP/1.1 requests that are not upgrades: what the Worker saw (its request.url, echoed),
# or what the server answered instead, and how the connection ended.
ECHO_URL = ("response(request.url, {'status': 200})",)


def H(name: str, about: str, request: str, **kw: Any) -> None:  # noqa: N802
    """A raw HTTP request to a Worker that answers 200 with the URL it was given."""
    kw.setdefault("configs", (NEW,))
    W(name, about, ECHO_URL, (f"request '{request}'",), **kw)


def STRICT(rule: str) -> str:  # noqa: N802 - reads as a constant
    """A deliberate difference of serve()'s HTTP/1.1 reading: the rule it follows, and why."""
    return (
        f"{rule}; serve() faces untrusted clients, so it reads HTTP/1.1 as RFC 9112 says and refuses "
        "what a hostile client could use to smuggle a request or name another host, where local "
        "workerd is laxer"
    )


H("wire-http-origin-form-url", "A GET in origin-form: the Worker's URL is the Host header's authority and the path.",
  "GET {path} HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n")
H("wire-http-host-with-userinfo", "Host: x@evil.invalid: workerd hands the Worker http://x@evil.invalid/...",
  "GET {path} HTTP/1.1\\r\\nHost: x@evil.invalid\\r\\n\\r\\n",
  deliberate=STRICT("RFC 9112 §3.2 and RFC 9110 §7.2: Host is uri-host [':' port], with no userinfo, "
                    "and an invalid Host is 400"))
H("wire-http-two-host-headers", "Two Host headers: workerd hands the Worker their values joined, http://x, y/...",
  "GET {path} HTTP/1.1\\r\\nHost: x\\r\\nHost: y\\r\\n\\r\\n",
  deliberate=STRICT("RFC 9112 §3.2: a server MUST answer 400 to a request with more than one Host header"))
H("wire-http-version-2", "A request line saying HTTP/2.0: workerd answers 400 'invalid HTTP version parsed'.",
  "GET {path} HTTP/2.0\\r\\nHost: {host}\\r\\n\\r\\n",
  deliberate=STRICT("RFC 9110 §15.6.6 (and RFC 9112 §2.3): a major version the server does not "
                    "support is 505 HTTP Version Not Supported"))
H("wire-http-absolute-form-target", "An absolute-form request-target naming another host: workerd takes the Host header's.",
  "GET http://other.invalid{path} HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n",
  deliberate=STRICT("RFC 9112 §3.2.2: with an absolute-form request-target the server MUST ignore "
                    "the Host header and use the target's authority"))
H("wire-http-chunk-size-19-digits", "A chunk size of 19 hex digits (over 64 bits): workerd runs the Worker, "
  "sends its answer and ends the connection when it reads on.",
  "POST {path} HTTP/1.1\\r\\nHost: {host}\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1000000000000000000\\r\\nx",
  deliberate=STRICT("RFC 9112 §7.1: recipients MUST guard against chunk sizes that overflow; the "
                    "kit answers 400 as soon as the size's line arrives, before the Worker runs"))
H("wire-http-head-200kb", "A request head of 200 KB (one 200,000-byte header): workerd serves it.",
  "GET {path} HTTP/1.1\\r\\nHost: {host}\\r\\nX-Big: {200000 bytes}\\r\\n\\r\\n",
  deliberate=STRICT("Workers' platform limits: request headers have a total limit of 128 KB, which "
                    "Cloudflare's edge enforces and `workerd serve` does not; the kit answers 431 "
                    "(RFC 6585 §5) past it"))
H("wire-http-content-length-and-chunked", "Content-Length and Transfer-Encoding: chunked together: the body is "
  "read as chunked, and the connection closes after the answer.",
  "POST {path} HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n")

# ---------------------------------------------------------------------- the workshop's claims
#
# Each notebook cell that states an order, a text or a code names one of these
# (``scenario: name``); notebooks/scenarios.txt lists them with the claim.

S("echo-then-close-1000", "a sends 'hello' and closes 1000 'bye' while b echoes: message, echo, both closes, then b's trailing error.",
  *ACCEPTED, "on b message: b.send('echo: ' + data)", "a.send('hello')", "a.close(1000, 'bye')", "settle")
S("network-lost-after-clean-close", "After a clean handshake the end that answered the Close gets 'Uncaught Error: Network connection lost.' and nothing else.",
  *ACCEPTED, "a.close(1000, 'done')", "settle", "a.send('late')", "b.send('late')", "settle")
S("reply-follows-message", "A reply sent from a message listener arrives in a later turn, after the message event, whichever end sends first.",
  *ACCEPTED, "on b message: b.send('re: ' + data)", "on a message: a.readyState", "a.send('ping')", "state", "settle",
  "b.send('from b')", "settle")
S("messages-wait-until-accept", "Messages and a Close sent before accept() wait, then arrive in send order, the Close last.",
  "watch", "a.accept()", "a.send('one')", "a.send('two')", "a.close(1000, 'bye')", "settle", "state", "b.accept()", "settle")
S("listener-before-accept-sees-queued", "A listener added before accept() sees a message queued before accept(); a second accept() is a no-op.",
  "a.accept()", "a.send('queued')", "on b message: b.readyState", "b.accept()", "b.accept()", "settle")
S("await-before-listener-loses-message", "A message delivered during a wait between accept() and addEventListener() reaches no listener.",
  "a.accept()", "b.accept()", "a.send('one')", "sleep 10", "on b message: b.readyState", "a.send('two')", "settle")
S("await-without-suspending-keeps-message", "An await that only runs microtasks (no timer, no I/O) does not let a message through before the listener is added.",
  "a.accept()", "b.accept()", "a.send('one')", "microtask: b.readyState", "on b message: b.readyState", "settle")
S("binary-kinds-arrive-as-bytes", "With binaryType 'arraybuffer' text arrives as text and every buffer kind as exactly its bytes.",
  *ACCEPTED, "b.binaryType = 'arraybuffer'", "a.send('text')", "a.send(b'\\x00\\x01')", "a.send(Uint8Array([7, 8]))", "settle")
S("send-numbers-and-booleans-as-text", "send(42), send(1.0), send(1e21), send(True) send '42', '1', '1e+21', 'true'.",
  *ACCEPTED, "a.send(42)", "a.send(1.0)", "a.send(1e21)", "a.send(True)", "settle")
S("send-object-sends-object-object", "workerd sends a plain object as the text '[object Object]' without an error.",
  *ACCEPTED, "a.send({'hello': 'world'})", "settle", deliberate=SEND_VALUES)
S("send-copies-data", "A buffer changed right after send() arrives with the bytes it had at send() (workerd 2026-11-17 copies).",
  *ACCEPTED, "b.binaryType = 'arraybuffer'", "a.send(scratch(b'\\x01\\x02\\x03'))", "scribble()", "settle")
S("broadcast-to-closed-socket-errors-sender", "A listener whose send() hits a closed end throws TypeError, which errors the listener's own end; its peer sees 1006.",
  *ACCEPTED, "on b message: b.close(1000, 'done'); !b.send('to a closed end')", "a.send('x')", "settle")
S("room-leave-on-close", "Messages sent before a Close are handled before the close listener runs.",
  *ACCEPTED, "on b message: log(data)", "on b close: log(code)", "a.send('hello')", "a.send('bye for now')", "a.close(1000, 'leaving')", "settle")
S("each-direction-keeps-order", "Messages from each end arrive in send order.",
  *ACCEPTED, "a.send('a1')", "a.send('a2')", "a.send('a3')", "b.send('b1')", "b.send('b2')", "b.send('b3')", "settle")
S("binary-type-blob-default", "From 2026-03-17 a new end's binaryType is 'blob' and binary messages arrive as Blob.",
  *ACCEPTED, "b.binaryType", "a.send(b'\\x01\\x02\\x03')", "settle")
S("binary-type-read-at-dispatch", "binaryType is read as each message is dispatched; an invalid value is ignored.",
  *ACCEPTED, "a.send(b'\\x01')", "b.binaryType = 'arraybuffer'", "settle", "b.binaryType = 'bytes'", "b.binaryType",
  "a.send(b'\\x02')", "settle")
S("close-code-validation", "close() rejects 999, 1004, 1005, 1006, 1015 and 5000 with InvalidAccessError and accepts 1001 and 4999.",
  *ACCEPTED, "a.close(999)", "a.close(1004)", "a.close(1005)", "a.close(1006)", "a.close(1015)", "a.close(5000)",
  "a.close(4999, 'ok')", "settle")
S("close-codes-accepted", "close() accepts 3000 and 4000, and each arrives at the peer when both ends close in the same turn.",
  *ACCEPTED, "a.close(3000)", "b.close(4000)", "settle")
S("close-reason-needs-code-and-fits-123-bytes", "A reason without a code is InvalidAccessError; over 123 bytes is SyntaxError (from 2026-03-03).",
  *ACCEPTED, "a.close(None, 'why')", "a.close(1000, text(124))", "a.close(1000, text(123))", "settle")
S("close-auto-reply-handshake", "A message sent before close() arrives first; the receiver is CLOSED in its close event; the echo; the replier's trailing error.",
  *ACCEPTED, "on b close: b.readyState", "a.send('last')", "a.close(1000, 'bye')", "settle")
S("half-open-close-listener-sends-goodbye", "With allowHalfOpen the receiver is CLOSING in its close event, can send, and its close() finishes with its own code.",
  "watch", "a.accept()", "b.accept({'allowHalfOpen': True})", "on b close: b.readyState; b.send('goodbye'); b.close(4000, 'done')",
  "a.close(1000, 'bye')", "settle")
S("close-unanswered-in-worker-stays-closing", "A Close that a half-open end never answers leaves both ends CLOSING.",
  "watch", "a.accept()", "b.accept({'allowHalfOpen': True})", "a.close(1000, 'bye')", "settle", "state")
S("close-without-code-arrives-as-1005", "close() without a code gives close 1005 with an empty reason and wasClean true on both ends.",
  *ACCEPTED, "a.close()", "settle")
S("echo-1005-throws-peer-sees-1006", "A half-open close listener that echoes 1005 throws InvalidAccessError; what that does to each end, by date.",
  "watch", "a.accept()", "b.accept({'allowHalfOpen': True})", "on b close: !b.close(code, reason)", "a.close()", "settle", "state")
S("listener-raises-errors-socket-peer-sees-1006", "A raising message listener errors its end; the peer sees 1006 (and 'Network connection lost.' if it was still sending).",
  *ACCEPTED, "on b message as L1: raise Error('bad')", "on b message as L2: b.readyState", "a.send('one')", "a.send('two')", "settle")
S("calls-after-error-ignored", "After an end errored, send() and close() on either end are silently ignored.",
  *ACCEPTED, "on b message: raise Error('bad')", "a.send('x')", "settle", "b.send('1')", "b.close(1000)", "a.send('2')",
  "a.close(1000)", "settle")
S("dispatch-exceptions-flag-reports-and-continues", "With spec_compliant_dispatch_exceptions (default from 2026-09-15) the other listeners run and the socket still errors.",
  "a.accept()", "b.accept()", "on b message as L1: raise Error('first')", "on b message as L2: b.readyState", "watch",
  "a.send('x')", "settle")
S("manual-reply-flag-keeps-closing", "With web_socket_manual_reply_to_close the receiver is CLOSING (2) in its close event; CLOSED (3) without it.",
  *ACCEPTED, "on b close: b.readyState", "a.close(1000)", "settle")
S("compat-binary-type-and-auto-reply-by-date", "At 2026-03-01 bytes and a manual close; at 2026-04-26 a Blob and an automatic reply that makes close() a no-op.",
  *ACCEPTED, "on b message: b.send('got one')", "on b close: b.readyState; b.close(code, reason)", "a.send(b'\\x01')", "a.close(1000, 'bye')",
  "settle", configs=(("2026-03-01", ()), ("2026-04-26", ())))
S("compat-close-reason-limit-by-date", "A 124-byte reason is accepted at 2026-03-01 and throws SyntaxError at 2026-04-26.",
  *ACCEPTED, "a.close(1000, text(124))", "settle", configs=(("2026-03-01", ()), ("2026-04-26", ())))
S("echo-1005-1006-in-close-listener-throws", "Echoing a received 1005 with close(code, reason) throws InvalidAccessError, so the rest of the listener never runs.",
  *ACCEPTED, "on b close: !b.close(code, reason); b.readyState", "a.close()", "settle")
S("leave-first-then-safe-close", "A close listener that answers 1005 with close(1000) runs to the end.",
  "watch", "a.accept()", "b.accept({'allowHalfOpen': True})", "on b close: b.close(1000, 'ok'); b.readyState", "a.close()", "settle")
S("broadcast-to-closed-socket-throws", "A listener that sends to an end whose Close arrived (auto-reply) throws 'Can't call WebSocket send() after close().'",
  *ACCEPTED, "a.close(1000, 'leaving')", "settle", "b.send('to nobody')", "state")
W("worker-echo-over-a-connection", "A returned end's Worker echoes, the client's close 1000 is answered automatically, then 'Network connection lost.'.",
  ECHO, ("send 'hi'", "recv", "close 1000, 'bye'"), configs=(NEW,))
W("close-unanswered-client-waits", "A client Close the Worker never answers (manual reply): workerd keeps the connection open until the client gives up.",
  ("b.accept({'allowHalfOpen': True})", "watch"), ("close 1000, 'bye'",), configs=(OLD, MANUAL))
W("client-drop-is-close-1006-without-error", "A client that drops its connection gives the Worker close 1006 wasClean false, and no error event.",
  SERVER, ("drop", "sleep 50"), configs=(NEW,))
W("room-over-real-connections", "Messages a Worker sends on one connection arrive in the order it sent them.",
  (*SERVER, "on b message: b.send('1 ' + data); b.send('2 ' + data)"), ("send 'a'", "recv", "recv", "close 1000, 'x'"),
  configs=(NEW,))
W("fetch-plain-426-upgrade-101", "A 101 Response carries the WebSocket and no body; the client connects.",
  SERVER, ("close 1000, 'x'",), configs=(NEW,))


# ---------------------------------------------------------------------- Durable Objects
#
# The steps run in a Durable Object's fetch (a JS Durable Object in workerd, a kit
# one from cfws_playground.durable; see cfws_playground.fidelity.durable): `ctx` is
# its state, `pair c d` makes another pair, and `webSocketMessage: ...` /
# `webSocketClose: ...` give its handlers their steps (`ws` is the handler's socket).
# Wire ones: the Worker forwards the upgrade, the object returns `a` in the 101.
# Eviction is not here: workerd cannot be made to evict from outside (README).

DO_CONFIGS = (NEW,)
CLOSE_MODES = (OLD, NEW, MANUAL)
HIBERNATABLE = ("ctx.acceptWebSocket(b)",)
ANSWER_CLOSE = "webSocketClose: ws.close(1000, 'ok')"


def D(name: str, about: str, *steps: str | dict[str, Any], **kw: Any) -> None:  # noqa: N802
    kw.setdefault("configs", DO_CONFIGS)
    SCENARIOS.append(Scenario(name, about, tuple(steps), durable=True, **kw))


def DW(  # noqa: N802
    name: str, about: str, obj: tuple[str | dict[str, Any], ...], client: tuple[str, ...], **kw: Any
) -> None:
    kw.setdefault("configs", DO_CONFIGS)
    SCENARIOS.append(Scenario(name, about, tuple(obj), client=client, durable=True, **kw))


TAGS_11 = "['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't11']"
TAGS_10_AND_A_DUPLICATE = "['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10', 't1']"

D("do-accept-then-acceptwebsocket", "acceptWebSocket() on a socket accept()ed before throws workerd's Error, and so does a second acceptWebSocket().",
  "b.accept()", "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "ctx.acceptWebSocket(d)", "ctx.getWebSockets()")
D("do-acceptwebsocket-then-accept", "accept() on a socket given to acceptWebSocket() throws TypeError: Can't accept() WebSocket after enabling hibernation.",
  "ctx.acceptWebSocket(b)", "b.accept()", "b.readyState", "ctx.getWebSockets()")
D("do-acceptwebsocket-peer-accepted", "acceptWebSocket(server) after its pair's client end was accept()ed throws workerd's Error; a Response built with the client end and not returned does not count.",
  "a.accept()", "ctx.acceptWebSocket(b)", "pair c d", "response(None, {'status': 101, 'webSocket': c})", "ctx.acceptWebSocket(d)",
  "ctx.getWebSockets()")
DW("do-listeners-never-fire", "Listeners and on<type> on a hibernatable socket never fire: webSocketMessage gets the message.",
   (*HIBERNATABLE, "on b message: b.send('listener: ' + data)", "b.onmessage: b.send('onmessage')",
    "webSocketMessage: ws.send('handler: ' + message)", ANSWER_CLOSE),
   ("send 'hi'", "recv", "recv", "close 1000, 'bye'"))
DW("do-handler-message-text-and-binary", "webSocketMessage gets text as a string and binary as an ArrayBuffer, whatever binaryType says.",
   ("b.binaryType = 'blob'", *HIBERNATABLE, ANSWER_CLOSE),
   ("send 'hi'", "send b'\\x01\\x02'", "sleep 100", "close 1000, 'bye'"), configs=(OLD, NEW))
D("do-getwebsockets-order", "getWebSockets() lists the newest socket first; getWebSockets(tag) lists them in the order they were accepted.",
  "ctx.acceptWebSocket(b, ['x'])", "pair c d", "ctx.acceptWebSocket(d, ['x'])", "pair e f", "ctx.acceptWebSocket(f, ['y'])",
  "ctx.getWebSockets()", "ctx.getWebSockets('x')", "ctx.getWebSockets('y')", "ctx.getWebSockets('z')")
D("do-getwebsockets-closing", "A socket the object close()d stays in getWebSockets() with readyState 2 until webSocketClose has been handled for it.",
  *HIBERNATABLE, "a.accept()", "webSocketClose: ctx.getWebSockets(); ws.readyState",
  "on a close: a.close(1000, 'back'); a.readyState", "b.close(1000, 'bye')", "b.readyState", "ctx.getWebSockets()", "settle", "ctx.getWebSockets()",
  "state", configs=CLOSE_MODES)
D("do-tags-limit", "More than 10 distinct tags throws workerd's Error, and 10 distinct tags and a duplicate does too; nothing is accepted.",
  f"ctx.acceptWebSocket(b, {TAGS_11})", "pair c d", f"ctx.acceptWebSocket(d, {TAGS_10_AND_A_DUPLICATE})",
  "ctx.getWebSockets()", "pair e f", "ctx.acceptWebSocket(f, ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10'])",
  "ctx.getTags(f)")
D("do-tag-too-long", "A tag over 256 UTF-8 bytes throws workerd's Error quoting the tag (which says characters); 256 bytes is accepted.",
  "ctx.acceptWebSocket(b, [text(257)])", "pair c d", "ctx.acceptWebSocket(d, [text(256)])", "ctx.getTags(d)",
  "pair e f", "ctx.acceptWebSocket(f, ['€' + text(254)])", "ctx.acceptWebSocket(f, ['€' + text(253)])", "ctx.getTags(f)")
D("do-tags-duplicates-dropped", "getTags() keeps the first occurrence of each tag, in order.",
  "ctx.acceptWebSocket(b, ['b', 'a', 'b', 'c', 'a'])", "ctx.getTags(b)", "ctx.getWebSockets('b')")
D("do-gettags-errors", "getTags() on a socket never accepted, or accept()ed, throws workerd's Errors.",
  "ctx.getTags(b)", "pair c d", "d.accept()", "ctx.getTags(d)")
D("do-auto-response-limits", "An auto-response request or response over 2048 UTF-8 bytes throws RangeError with its size; 2048 each is accepted.",
  "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair(text(2049), 'pong'))",
  "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', text(2049)))",
  "ctx.getWebSocketAutoResponse()",
  "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair(text(2048), text(2048)))",
  "ctx.getWebSocketAutoResponse()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('€' + text(2046), 'x'))",
  "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('x', '€' + text(2045)))", "ctx.getWebSocketAutoResponse()")
D("do-auto-response-clear", "setWebSocketAutoResponse() without a pair clears it; the getter then returns null.",
  "ctx.getWebSocketAutoResponse()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
  "ctx.getWebSocketAutoResponse()", "ctx.setWebSocketAutoResponse()", "ctx.getWebSocketAutoResponse()")
#: A hibernatable socket whose webSocketMessage closes; one that echoes 'echo' and logs its error.
CLOSES_ON_MESSAGE = ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.close(1000, 'done')", "webSocketClose: ws.close(1000, 'ok')")
SENDS_ECHO = ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.send('echo')", "webSocketClose: ws.close(code, reason)", "webSocketError: ws.readyState")
DW("do-wire-ping-before-gated-close", "A ping in the same write as a message whose webSocketMessage closes: the hibernation manager reads it as soon as the handler is over, before the object's Close passes its output gate, so kj answers it; the Close follows.",
  CLOSES_ON_MESSAGE,
  ("frames text b'x' + ping b'p' + ping b'q'", "wait 500"))
DW("do-wire-ping-before-gated-reply-and-close", "As above, with a reply sent before the Close: the pong goes out ahead of both.",
  ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.send('r'); ws.close(1000, 'done')", "webSocketClose: ws.close(1000, 'ok')"),
  ("frames text b'x' + ping b'p'", "wait 500"))
DW("do-wire-ping-after-gated-close-passed", "A second message comes between: by the time the manager reads the ping after it, the Close from the first webSocketMessage has passed the gate and kj sends no pong.",
  CLOSES_ON_MESSAGE,
  ("frames text b'x' + text b'y' + ping b'p'", "wait 500"))
DW("do-wire-ping-after-replies-passed-the-gate", "Three messages and a ping in one write, each message echoed: the manager reads the ping right after the third handler, when the first two replies have passed the output gate and the third has not: a, b, the pong, then x.",
  ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.send(message)", "webSocketClose: ws.close(1000, 'ok')"),
  ("frames text b'a' + text b'b' + text b'x' + ping b'p'", "sleep 30", "frame close b'\\x03\\xe8'", "wait 500"))
DW("do-wire-two-pings-then-refused-frame", "A message, two pings and a refused frame in one write to a hibernatable socket: kj writes the first pong at once and chains the second behind it, and the refusal's Close takes the second's place.",
  SENDS_ECHO,
  ("frames binary b'' + ping b'p' + ping b'q' + close b'\\x03\\xe8' rsv=4", "wait 500"))
DW("do-wire-pings-after-a-pong-then-refused-frame", "As above, after an earlier ping was answered: every later pong is chained behind that control write, so the refusal's Close takes the place of both, and no pong is written.",
  SENDS_ECHO,
  ("frame ping b'a'", "sleep 30", "frames binary b'' + ping b'p' + ping b'q' + close b'\\x03\\xe8' rsv=4", "wait 500"))
DW("do-wire-chained-pong-then-message-then-refused-frame", "After an earlier pong, a message, a ping, a second message and a refused frame in one write: the ping's pong, chained behind the earlier one, goes out before the refusal is read (a message comes between), then the first reply, the 1002, and the second reply.",
  ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.send(message)", "webSocketClose: ws.close(1000, 'ok')", "webSocketError: ws.readyState"),
  ("frame ping b'q'", "sleep 30", "frames text b'a' + ping b'p' + binary b'ab' + close b'\\x03\\xe8' rsv=4", "wait 500"))
DW("do-wire-object-close-after-refusal", "webSocketMessage sends and closes; a frame kj refuses follows the message in the same write: kj writes the 1002, then the object's reply and its Close as they pass the output gate (queueClose did not set hasSentClose), and the connection ends.",
  ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.send('r'); ws.close(1000, 'done')", "webSocketClose: ws.close(code, reason)", "webSocketError: ws.readyState"),
  ("frames text b'a' + text b'hi' rsv=1", "wait 500"))
DW("do-wire-object-close-after-unexpected-continuation", "As above, with only the Close, and an unexpected continuation frame as the refused frame.",
  ("ctx.acceptWebSocket(b)", "webSocketMessage: ws.close(1000, 'done')", "webSocketClose: ws.close(code, reason)", "webSocketError: ws.readyState"),
  ("frames text b'a' + cont b'x'", "wait 500"))
DW("do-auto-response-answered", "The matching text is answered by the runtime without webSocketMessage, and sets the socket's timestamp; binary never matches.",
   (*HIBERNATABLE, "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
    "ctx.getWebSocketAutoResponseTimestamp(b)",
    "webSocketMessage: ctx.getWebSocketAutoResponseTimestamp(ws); ws.send('handler: ' + message)", ANSWER_CLOSE),
   ("send 'ping'", "recv", "send b'ping'", "recv", "send 'hello'", "recv", "close 1000, 'bye'"))
D("do-event-timeout-limit", "An event timeout over 7 days throws workerd's Error; 0 clears it and the getter returns null.",
  "ctx.getHibernatableWebSocketEventTimeout()", "ctx.setHibernatableWebSocketEventTimeout(604800001)",
  "ctx.setHibernatableWebSocketEventTimeout(604800000)", "ctx.getHibernatableWebSocketEventTimeout()",
  "ctx.setHibernatableWebSocketEventTimeout(0)", "ctx.getHibernatableWebSocketEventTimeout()")
DW("do-close-handler-clean", "A client's Close calls webSocketClose(ws, code, reason, true) with readyState 2, and nothing answers it at any date unless the object does.",
   (*HIBERNATABLE, "webSocketClose: ws.readyState"), ("close 1000, 'bye'",), configs=CLOSE_MODES)
DW("do-close-handler-answers", "webSocketClose calling ws.close(code, reason) is what the client receives; readyState is 3 after it.",
   (*HIBERNATABLE, "webSocketClose: ws.close(4000, 'see you'); ws.readyState"), ("close 1000, 'bye'",),
   configs=CLOSE_MODES)
DW("do-closed-socket-listed-in-close-handler", "Inside webSocketClose, after ws.close() the socket is still in getWebSockets(), at readyState 3, and send() to it throws.",
   (*HIBERNATABLE, "pair c d", "ctx.acceptWebSocket(d)",
    "webSocketClose: ws.close(code, reason); ctx.getWebSockets(); ws.readyState; ws.send('late')"),
   ("close 4000, 'done'",), configs=(NEW,))
DW("do-close-handler-echo-1005", "A Close without a code reaches webSocketClose as 1005; echoing it with ws.close(1005, '') throws workerd's text.",
   (*HIBERNATABLE, "webSocketClose: ws.close(code, reason); ws.close(1000, 'ok')"), ("close None",),
   configs=CLOSE_MODES)
DW("do-client-drop-1006", "A client that drops its connection gives webSocketClose(ws, 1006, 'WebSocket disconnected without sending Close frame.', false).",
   (*HIBERNATABLE, "webSocketClose: ws.readyState", "webSocketError: ws.readyState"), ("drop", "sleep 100"),
   configs=CLOSE_MODES)
D("do-attachment-roundtrip", "serializeAttachment() keeps a copy that deserializeAttachment() returns; null before any.",
  *HIBERNATABLE, "b.deserializeAttachment()", "b.serializeAttachment({'name': 'ada', 'n': [1, 2]})",
  "b.deserializeAttachment()", "b.serializeAttachment('second')", "b.deserializeAttachment()",
  "a.deserializeAttachment()")
D("do-attachment-too-large", "An attachment over 16384 serialized bytes throws workerd's Error with its size; the old one stays.",
  *HIBERNATABLE, "b.serializeAttachment('small')", "b.serializeAttachment(text(16384))", "b.deserializeAttachment()",
  "b.serializeAttachment(text(16000))", "b.deserializeAttachment()",
  "b.serializeAttachment(text(16380))", "b.serializeAttachment(text(16379))", "b.serializeAttachment(text(8185) + '€')",
  "b.serializeAttachment({'a': {'b': [text(16340)]}})")
DW("do-handler-throws", "An exception in webSocketMessage is reported; the socket stays open and the next message is handled.",
   (*HIBERNATABLE, "webSocketMessage: ws.send('got ' + message); raise Error('boom')", ANSWER_CLOSE),
   ("send 'one'", "recv", "send 'two'", "recv", "close 1000, 'bye'"))
D("do-id-from-string-invalid", "idFromString() with anything but 64 hex digits throws TypeError: Invalid Durable Object ID: must be 64 hex digits.",
  "env.OBJECT.idFromString('xyz')", "env.OBJECT.idFromString(text(64))", "env.OBJECT.idFromString(text(63))",
  "env.OBJECT.idFromString(env.OBJECT.idFromName('room').toString()).equals(env.OBJECT.idFromName('room'))")
D("do-rpc-missing-method", "An RPC call to a method the class lacks rejects with TypeError: The RPC receiver does not implement the method \"name\".",
  "await env.OBJECT.getByName('other').nope(1)")
D("do-storage-errors", "storage.list({limit: 0}) and setAlarm(0) reject with workerd's TypeErrors.",
  "await ctx.storage.list({'limit': 0})", "await ctx.storage.setAlarm(0)", "await ctx.storage.setAlarm(-1)",
  "await ctx.storage.getAlarm()")
D("do-input-gate-timer-vs-storage", "Two concurrent calls to one object: one awaiting a timer lets the second in; one awaiting storage.put() does not.",
  "await all(env.OBJECT.getByName('t').gate('a', 'timer'), env.OBJECT.getByName('t').gate('b', 'timer'))",
  "await all(env.OBJECT.getByName('s').gate('a', 'storage'), env.OBJECT.getByName('s').gate('b', 'storage'))")
D("do-handler-awaits-timer-next-message-enters", "A webSocketMessage awaiting a timer lets the socket's next message in: the second call starts before the first ends (only storage holds the input gate).",
  "watch", *HIBERNATABLE, "a.accept()", "webSocketMessage: sleep 30; ws.send('done ' + message)", "a.send('one')", "a.send('two')",
  "settle")
D("do-handler-awaits-timer-close-enters", "A webSocketMessage awaiting a timer lets the Close in: webSocketClose runs before the message handler ends.",
  "watch", *HIBERNATABLE, "a.accept()", "webSocketMessage: sleep 30; ws.readyState", ANSWER_CLOSE, "a.send('one')",
  "a.close(1000, 'bye')", "settle")
D("do-gettags-after-close", "A socket whose close was handled leaves getWebSockets() but keeps its tags and attachment.",
  "ctx.acceptWebSocket(b, ['x'])", "a.accept()", "b.serializeAttachment('kept')",
  "webSocketClose: ctx.getTags(ws); ws.deserializeAttachment()", "a.close(1000, 'bye')", "settle",
  "ctx.getTags(b)", "ctx.getWebSockets('x')", "b.readyState", "b.deserializeAttachment()")
D("do-tags-not-an-array", "Tags that are not an array throw JSG's TypeError before anything else is checked; tags are made strings.",
  "ctx.acceptWebSocket(b, 'abc')", "ctx.getTags(b)", "ctx.acceptWebSocket(b, [1, 'x'])", "ctx.getTags(b)",
  "pair c d", "d.accept()", "ctx.acceptWebSocket(d, {'x': 1})")
D("do-event-timeout-negative", "A negative event timeout throws JSG's TypeError; fractions are cut toward zero (-0.5 and 0.5 clear it).",
  "ctx.setHibernatableWebSocketEventTimeout(-5)", "ctx.getHibernatableWebSocketEventTimeout()",
  "ctx.setHibernatableWebSocketEventTimeout(1.5)", "ctx.getHibernatableWebSocketEventTimeout()",
  "ctx.setHibernatableWebSocketEventTimeout(-0.5)", "ctx.getHibernatableWebSocketEventTimeout()",
  "ctx.setHibernatableWebSocketEventTimeout(0.5)", "ctx.getHibernatableWebSocketEventTimeout()")
D("do-messages-one-at-a-time", "Messages and the close reach the handlers one at a time, in order; binary as ArrayBuffer.",
  *HIBERNATABLE, "a.accept()", "webSocketMessage: log(message); ctx.getWebSockets()",
  "a.send('1')", "a.send(b'\\x02')", "a.send('3')", "a.close(1000, 'done')", "settle", "state", configs=CLOSE_MODES)
D("do-auto-response-in-object", "Only the exact request text is auto-answered, and only the socket it came in on gets a timestamp.",
  *HIBERNATABLE, "a.accept()", "watch", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
  "a.send('ping')", "a.send('ping ')", "settle", "ctx.getWebSocketAutoResponseTimestamp(b)",
  "ctx.getWebSocketAutoResponseTimestamp(a)")
D("do-close-handler-throws", "An exception in webSocketClose is reported; the socket still leaves getWebSockets().",
  *HIBERNATABLE, "a.accept()", "watch", "webSocketClose: raise Error('boom')", "a.close(1000, 'x')", "settle",
  "ctx.getWebSockets()", "state", configs=CLOSE_MODES)
D("do-close-handler-reply-error-event", "A hibernatable socket that answers a Close in webSocketClose gets 'Network connection lost.' on its listeners, not webSocketError.",
  *HIBERNATABLE, "a.accept()", "watch", "webSocketClose: ws.close(code, reason); ws.send('late')",
  "webSocketError: log(error)", "a.close(4000, 'x')", "settle", "state", configs=CLOSE_MODES)
D("do-object-closes-first", "When the object's hibernatable socket closes first and the peer replies, no end reports 'Network connection lost.'.",
  *HIBERNATABLE, "a.accept()", "watch", "b.send('one')", "b.close(1000, 'x')", "settle", "state", configs=CLOSE_MODES)
D("do-attachment-plain-socket", "Attachments work on accept()ed sockets too, and round-trip lists, null and numbers.",
  "b.accept()", "b.serializeAttachment({'x': 1})", "b.deserializeAttachment()", "a.serializeAttachment(None)",
  "a.deserializeAttachment()", "b.serializeAttachment([1, 'two', None, True, 2.5])", "b.deserializeAttachment()")
D("do-auto-response-timestamp-after-close", "A request reaching a socket the object closed is not answered, but sets its timestamp, which stays after the close is handled.",
  *HIBERNATABLE, "a.accept()", "watch", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
  "b.close(1000, 'x')", "a.send('ping')", "settle", "ctx.getWebSocketAutoResponseTimestamp(b)", "state",
  configs=CLOSE_MODES)
D("do-peer-listener-raises-1006", "When the in-object peer's listener throws, the hibernatable socket gets webSocketClose 1006, not webSocketError.",
  *HIBERNATABLE, "a.accept()", "on a message: raise Error('boom')", "webSocketError: log(error)",
  "webSocketClose: ws.readyState", "b.send('x')", "settle", "ctx.getWebSockets()", "state", configs=(OLD, NEW))
D("do-acceptwebsocket-both-ends", "Only one end of a pair can be hibernatable; a hibernatable end talks to an accept()ed one.",
  "ctx.acceptWebSocket(a)", "ctx.acceptWebSocket(b)", "ctx.getWebSockets()", "pair c d", "ctx.acceptWebSocket(d)",
  "c.accept()", "webSocketMessage: log(message)", "c.send('to d')", "a.send('to b')", "settle", "state")
D("do-send-before-acceptwebsocket", "send() before acceptWebSocket() names both ways to accept; a hibernatable socket checks close codes as any other.",
  "b.send('x')", "ctx.acceptWebSocket(b)", "b.send('y')", "b.close(999, 'x')", "b.close(1000, text(124))", "b.readyState")
D("do-websocket-not-serializable", "A WebSocket cannot be an attachment or a stored value: workerd's serializer refuses it by name.",
  *HIBERNATABLE, "b.serializeAttachment(a)", "b.deserializeAttachment()", "await ctx.storage.put('k', a)",
  "await ctx.storage.get('k')")
D("do-arguments-not-of-type", "ctx methods given the wrong type throw JSG's TypeErrors; tags and a request/response pair are made strings.",
  "ctx.acceptWebSocket('x')", "ctx.getTags('x')", "ctx.getWebSocketAutoResponseTimestamp('x')",
  "ctx.setWebSocketAutoResponse('x')", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair(1, 2.5))",
  "ctx.getWebSocketAutoResponse()", "ctx.acceptWebSocket(b, [True, 2.5, None, 1])", "ctx.getTags(b)",
  "ctx.getWebSockets(1)", "ctx.getWebSockets(True)")
D("do-storage-basics", "storage put/get/list/delete in one object: list() and get([keys]) are Maps in key order; delete says what it removed.",
  "await ctx.storage.put('b', 2)", "await ctx.storage.put({'a': 1, 'c': [3]})", "await ctx.storage.get('a')",
  "await ctx.storage.get('zz')", "await ctx.storage.get(['c', 'zz', 'a'])", "await ctx.storage.list()",
  "await ctx.storage.list({'prefix': 'a'})", "await ctx.storage.list({'reverse': True, 'limit': 2})",
  "await ctx.storage.delete('a')", "await ctx.storage.delete('a')", "await ctx.storage.delete(['b', 'c', 'x'])",
  "await ctx.storage.list()")
D("do-close-handler-close-without-code", "ws.close() without a code in webSocketClose: the peer receives 1005, and the socket's listeners get 'Network connection lost.'.",
  *HIBERNATABLE, "a.accept()", "watch", "webSocketClose: ws.close()", "a.close(4000, 'x')", "settle", "state",
  configs=CLOSE_MODES)
DW("do-send-before-101", "A message the object sends before its fetch returns the 101 reaches the client first.",
   (*HIBERNATABLE, "b.send('welcome')", ANSWER_CLOSE), ("recv", "close 1000, 'x'"))
DW("do-ping-answered", "The runtime answers a client's ping on a hibernatable socket; the object hears nothing.",
   (*HIBERNATABLE, "webSocketMessage: log(message)", ANSWER_CLOSE), ("ping", "close 1000, 'x'"))
DW("do-object-closes-in-message", "An object that closes in webSocketMessage gets webSocketClose for the client's reply, with readyState 3, still listed in getWebSockets().",
   (*HIBERNATABLE, "webSocketMessage: ws.close(4001, 'bye'); ws.readyState",
    "webSocketClose: ws.readyState; ctx.getWebSockets()"), ("send 'x'", "recv", "wait"), configs=CLOSE_MODES)
DW("do-big-message-echo", "A 1 MiB binary message reaches webSocketMessage whole and goes back whole.",
   (*HIBERNATABLE, "webSocketMessage: ws.send(message)", ANSWER_CLOSE), ("send bytes(1048576)", "recv", "close 1000, 'x'"))
DW("do-send-after-drop", "After a dropped connection, send() and close() in webSocketClose do not throw.",
   (*HIBERNATABLE, "webSocketClose: ws.send('late'); ws.close(1000, 'late'); ws.readyState"), ("drop", "sleep 100"))

# Malformed frames to a hibernatable socket (the raw client; see "on the wire, frame by frame").
ECHO_HANDLERS = (*HIBERNATABLE, "webSocketMessage: ws.send(message)", "webSocketClose: ws.readyState",
                 "webSocketError: ws.readyState")
DW("do-raw-text-invalid-utf8", "Text that is not UTF-8 reaches webSocketMessage with U+FFFD in place of the bad byte.",
   (*ECHO_HANDLERS[:2], ANSWER_CLOSE), ("frame text b'a\\xffb'", "recv", RAW_BYE, "wait"))
DW("do-raw-unmasked-frames", "Unmasked frames reach a hibernatable socket like masked ones.",
   (*ECHO_HANDLERS[:2], ANSWER_CLOSE), ("frame text 'hi' mask=0", "recv", "frame close b'\\x03\\xe8bye' mask=0", "wait"))
DW("do-raw-reserved-opcode", "Opcode 3 to a hibernatable socket: 1002 to the client, webSocketError at the object; the client's Close is not read, the connection stays open.",
   ECHO_HANDLERS, ("frame 3 b'x'", "recv", RAW_BYE, "wait"))
DW("do-raw-declared-length-over-limit", "A frame header declaring 2**40 bytes to a hibernatable socket: 1009, webSocketError, and the connection stays open, unread.",
   ECHO_HANDLERS, ("raw b'\\x82\\xff\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00'", "recv", RAW_BYE, "wait"))
DW("do-raw-refused-then-calls-in-websocketerror", "After a refused frame a hibernatable socket stays CLOSING (2) in webSocketError: send() and close() do nothing, and it is still listed.",
   (*HIBERNATABLE, "webSocketError: ws.readyState; ws.send('late'); ws.readyState; ws.close(1000, 'x'); ws.readyState; ctx.getWebSockets()",
    "webSocketClose: ws.readyState"), ("frame 3 b'x'", "recv", "recv", "wait"))
DW("do-raw-rsv2", "RSV2 set on a hibernatable socket's frame: 1002, and what the object is told.", ECHO_HANDLERS,
   ("frame text 'hi' rsv=2", "wait"))
DW("do-raw-close-1-byte", "A 1-byte Close to a hibernatable socket: webSocketClose with 1005.", ECHO_HANDLERS,
   ("frame close b'\\x03'", "wait"))
DW("do-raw-close-code-1006", "1006 on the wire reaches webSocketClose as it is.", ECHO_HANDLERS,
   ("frame close b'\\x03\\xeex'", "wait"))
DW("do-raw-close-reason-invalid-utf8-answered", "A Close reason that is not UTF-8: webSocketClose gets U+FFFD, and ws.close(code, reason) sends that as UTF-8.",
   (*HIBERNATABLE, "webSocketClose: ws.close(code, reason)"), ("frame close b'\\x03\\xe8\\xff'", "wait"))
W("wire-raw-close-reason-invalid-utf8-worker-answers", "At manual-reply dates a Worker that answers close(code, reason) sends the U+FFFD it got, as UTF-8.",
  (*SERVER, "on b close: b.close(code, reason)"), ("frame close b'\\x03\\xe8\\xff'", "wait"), configs=(MANUAL,))

# ---------------------------------------------------------------------- argument conversions, event properties
# Each measured on workerd 2026-11-23 first: JS's Number() for close codes, JSG's range
# check and texts for arguments of the wrong type, the properties every Event has.

NOT_ACCEPTED = ("watch",)  # b is never accepted: a valid code reaches the accept() check
S("close-code-js-number-parsing", "A close code given as text is read as JS's Number() reads it: hex, octal, binary, JS whitespace and '1e3' are numbers; '1_000', Arabic-Indic digits, 'infinity' and '0x' are NaN (code 0).",
  *NOT_ACCEPTED, "b.close(' 0x3e8 ')", "b.close('0o1750')", "b.close('0b1111101000')", "b.close('1e3')", "b.close('.1e4')",
  "b.close('1000.')", "b.close('00001000')", "b.close('\u00a01000\u2028')", "b.close('\ufeff1000')", "b.close('1_000')",
  "b.close('١٠٠٠')", "b.close('Infinity')", "b.close('infinity')", "b.close('0x')", "b.close('-0x3e8')", "b.close('+0x3e8')",
  "b.close('1e')", "b.close('1000\\x00')", "b.close('-0')", "b.close(True)", "b.close(NaN)")
S("close-code-out-of-range", "A close code outside the 32-bit range throws JSG's TypeError; a fraction is cut first, and the infinities are 0.",
  *NOT_ACCEPTED, "b.close(2147483648)", "b.close(2147483647.5)", "b.close(-2147483649)", "b.close(-2147483648.7)",
  "b.close(1e21)", "b.close('1e21')", "b.close('4294968296')", "b.close(66536)", "b.close(-4294966296)", "b.close('-Infinity')")
S("close-code-text-before-reason", "The code is converted before the reason is checked: '0x3e8' is 1000, so a 124-byte reason is what throws.",
  "b.accept()", "b.close('0x3e8', text(124))", "b.close('1_000', text(124))")
S("listener-argument-types", "Wrong listener types throw workerd's JSG texts: a primitive is not a 'function or HandlerObject', an object needs a callable handleEvent; removeEventListener wants an Object; null and undefined are ignored.",
  "a.addEventListener('message', 1)", "a.addEventListener('message', True)", "a.addEventListener('message', 'fn')",
  "a.addEventListener('message', {})", "a.addEventListener('message', [])", "a.addEventListener('message', {'handleEvent': 1})",
  "a.addEventListener('message', None)", "a.addEventListener('message', null)", "a.addEventListener('message', 1, True)",
  "a.removeEventListener('message', 1)", "a.removeEventListener('message', 'fn')", "a.removeEventListener('message', {})",
  "a.removeEventListener('message', None)")
S("dispatch-event-argument-type", "dispatchEvent() of anything but an Event throws JSG's TypeError.",
  "a.dispatchEvent(None)", "a.dispatchEvent(1)", "a.dispatchEvent({})", "a.dispatchEvent('message')")
S("accept-argument-type", "accept() with a primitive throws JSG's 'not of type AcceptOptions'; an array or None is taken as no options.",
  "a.accept(1)", "a.accept('x')", "a.accept(True)", "a.accept([])", "a.accept(None)", "b.accept({'allowHalfOpen': 1})")
S("response-websocket-argument-type", "Response's webSocket must be a WebSocket: anything else throws JSG's InitializerDict TypeError.",
  "response(None, {'status': 101, 'webSocket': 1})", "response(None, {'status': 101, 'webSocket': {}})",
  "response(None, {'status': 101, 'webSocket': 'x'})")
EVENT_PROPS = "log(target); log(currentTarget); log(isTrusted); log(bubbles); log(cancelable); log(eventPhase); log(defaultPrevented); log(composed); log(timeStamp); log(returnValue); log(cancelBubble)"
S("event-properties", "Every event has target and currentTarget (the socket), eventPhase 2 while dispatched, isTrusted true from the runtime and false from dispatchEvent(); it neither bubbles nor can be cancelled; timeStamp is 0.",
  "a.accept()", "b.accept()", f"on b message: {EVENT_PROPS}", f"on b close: {EVENT_PROPS}", "on a error: log(target); log(isTrusted)",
  "a.send('x')", "settle", "b.dispatchEvent(MessageEvent('message', {'data': 'd'}))", "b.dispatchEvent(Event('message'))",
  "b.close(1000)", "settle")
S("error-event-error-is-an-error", "The 'Network connection lost.' ErrorEvent's error is a plain Error: name 'Error', message the text.",
  "a.accept()", "b.accept()", "on a error: log(error); log(error.name); log(error.message)", "b.close(1000)", "settle")
S("blob-slice-type", "A Blob's type is lowercased, and dropped when it has a character outside U+0020..U+007F (a control character, é), in the constructor and in slice(); slice() counts negative indexes from the end.",
  "log(Blob(b'abc').slice(0, 2, 'A\\x01b').type)", "log(Blob(b'abc').slice(0, 2, 'Text/Plain').type)",
  "log(Blob(b'abc', {'type': 'a\\x7fb'}).type)", "log(Blob(b'abc', {'type': 'a\\x01b'}).type)",
  "log(Blob(b'abc', {'type': 'é'}).type)", "log(Blob(b'abc').slice(0, 2, 'a b').type)",
  "log(Blob(b'abcdef').slice(-2).size)", "log(Blob(b'abc').slice(1, 2).size)")
S("blob-stream", "Blob.stream() returns a ReadableStream.", "log(Blob(b'abc').stream())")
S("listener-readded-during-dispatch", "A listener removed and added again by an earlier listener during a dispatch still runs for it, in its old place; one added during the dispatch does not, and the on<type> attribute cleared in its own call stays cleared.",
  "watch", "a.accept()", "b.accept()",
  on("b message as L1", "off b message L2", "add b message L2", on("b message as L4", "log(data)"), "off b message L3"),
  "on b message as L2: log(data)", "on b message as L3: log(type)", "b.onmessage: b.onmessage = None",
  "a.send('1')", "settle", "a.send('2')", "settle")
S("accept-after-close-before-release", "accept() on an end that has closed both ways but whose last frame its peer has not taken yet is a no-op, not the 'already used in a response' error.",
  "a.accept()", "b.accept()", "b.close()", "on b message: a.accept({'x': False})", "a.send(text(1))")
S("accept-held-until-close-after-pump-error", "An end whose pump reports 'Network connection lost.' before the answer to its Close arrives is not released by that error (reportError() lets go of an end only once its Close was received): accept() is a no-op in its error listener and in its close listener, and throws once the close event is over.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.close(1000, 'bye')", on("on a error", "a.accept()"),
  on("on a close", "a.accept({'allowHalfOpen': True})"), "settle", "a.accept()")
S("pump-fails-before-close-when-raising-peer-lets-go", "b's pump waits in send() with its Close for a, whose message listener raised; a's Close was already taken by b's read loop, so a's error report lets go of a, and b's send fails at once: b gets 'Network connection lost.' before the close event for a's Close.",
  "watch", "a.accept()", "b.accept()", "b.send('m')", on("on b message", "a.close(3000)"), "a.send('y')",
  "b.close(1000, 'bye')", on("on a message", "raise TypeError('boom')"))
S("pump-fails-after-the-message-its-peer-came-back-for", "b's read loop came back for a's message before a's listener raised: it waits to enter the isolate while a's error is reported, so it dispatches that message before b's pump, waiting in send() for a, fails with 'Network connection lost.' (kj's aborted send takes some turns to reach JavaScript). Found by the generator (gen-b5a38923).",
  "watch", "a.accept()", "b.accept()", "a.send('x')", "b.send(b'x')", on("on a message", "raise TypeError('r')"),
  "b.send('x')", "b.send('y')", "a.send(2.5)")
S("pump-fails-after-the-close-its-peer-came-back-for", "As pump-fails-after-the-message-its-peer-came-back-for, with a's Close: b's close event comes before its pump's error. Found by the generator (gen-5e5f3768).",
  "watch", "a.accept()", "b.accept()", "a.send('x')", "b.send(b'x')", on("on a message", "raise TypeError('r')"),
  "b.send('x')", "a.close(3001)")
S("accept-in-close-event-after-pump-error", "b's pump failed when a, whose listener raised, let go ('Network connection lost.'); b is let go of only after its close event (closedIncoming, then tryReleaseNative()), so accept() inside that event does nothing, and throws once it is over. Found by the generator (gen-e887eccd).",
  "watch", "a.accept()", "b.accept()", on("on b close", "b.accept()"), on("on a message", "raise Error('x')"),
  "b.send('x')", "b.send('y')", "settle", "b.accept()")
S("close-in-error-event-of-a-failed-pump", "A failed pump set outgoingAborted before its error is reported: inside that error event close() does nothing (a raising listener's error rethrows there instead).",
  "watch", "a.accept()", "b.accept()", on("on a message", "raise Error('x')"), on("on b error", "b.close(1000)", "b.accept()"),
  "b.send('x')", "b.send('y')")
S("accept-after-close-and-pump-error", "b had a's Close when its pump failed: reportError() lets go of it at once (closedIncoming, pump idle), so accept() throws after that.",
  "watch", "a.accept()", "b.accept()", on("on a message", "a.close(1000)", "raise Error('x')"),
  "b.send('x')", "b.send('y')", "settle", "a.accept()", "b.accept()")
S("accept-in-microtask-of-a-pump-error", "A microtask queued in the error event of a failed pump runs before the close event that releases the end: accept() there does nothing.",
  "watch", "a.accept()", "b.accept()", on("on b error", microtask("b.accept()")), on("on a message", "raise Error('x')"),
  "b.send('x')", "b.send('y')")
S("close-1006-listener-raises-ends-dispatch", "An onclose handler that raises, in the close event for a peer that went away: before 2026-09-15 the exception ends the dispatch, so the watching listener after it never sees the event; from then on every listener runs. Found by the generator (gen-b5f79beb).",
  "watch", "a.accept()", "b.accept()", on("a.onclose", "raise Error('in onclose')"), "a.send('m')", on("on b message", "raise Error('x')"))
S("close-1006-listener-raises-keeps-ready-state", "A close listener raises in the close event (1006) for a peer whose listener raised: before 2026-09-15 the exception leaves the read loop's continuation before it sets closedIncoming and lets go of the end, so readyState stays 1, close() does nothing (the peer let go: outgoingAborted) and accept() too; from then on readyState is 2 and the end is let go of, so accept() throws. Found by the generator (gen-6f385343).",
  "watch", "a.accept()", "b.accept()", on("on b close as L1", "raise Error('x')"), on("b.onclose", "b.readyState"), on("on a message", "raise TypeError('x')"), "b.send('m')", "settle", "state", "b.close(4000)", "b.accept()", "state", configs=(OLD, NEW))
S("accept-after-half-open-release", "An end whose peer let go of the pipe before its Close was taken gets that close event without a reply (readyState 2) and is released after it: accept() then throws 'already used in a response'.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("a.onmessage", "raise TypeError('x')"), "a.close(1000, 'bye')",
  "b.send(b'x')", "settle", "b.accept()", "state")
S("buffered-amount-when-read-loop-takes-next", "After dispatching a message, the peer's read loop takes the next one at once: its send is done, so bufferedAmount has dropped in a close event dispatched before that message.",
  "a.accept()", "b.accept()", "a.send('x')", "a.send('x')", on("on a close", "a.bufferedAmount"), "a.send('x')",
  "b.close(1000, 'x')", "settle", "a.bufferedAmount")
S("buffered-amount-drops-when-peer-accepts", "a sends two messages before b accepts: b's read loop takes the first from a's waiting pump at once, so in a's listener, on b's message, bufferedAmount counts only the second.",
  "a.accept()", "a.send(NaN)", "a.send('ab')", "b.accept()", "b.send('x')", on("on a message as L6 once", "a.bufferedAmount"))
S("buffered-amount-drops-when-peer-accepts-then-close", "The same with a message and a Close from a (found by the generator: gen-f609f7ca).",
  "a.accept()", "a.send(NaN)", "a.close(4000, 'x')", "b.accept()", "b.send('x')", on("on a message as L6 once", "a.bufferedAmount"))
S("buffered-amount-drops-when-peer-accepts-three", "The same with three messages, read in a's listener and in b's.",
  "a.accept()", "a.send('a')", "a.send('bb')", "a.send('ccc')", "b.accept()", "b.send('x')", on("on a message as L6 once", "a.bufferedAmount"), on("on b message as L7", "a.bufferedAmount"))
S("buffered-amount-drops-when-peer-accepts-binary", "The same with binary messages.",
  "a.accept()", "a.send(b'abcd')", "a.send(ab(3))", "b.accept()", "b.send('x')", on("on a message as L6 once", "a.bufferedAmount"))
S("buffered-amount-drops-when-peer-accepts-in-timer", "The same with b accepted, and sending, in a timer.",
  "a.accept()", "a.send('abc')", "a.send('de')", timeout(0, "b.accept()", "b.send('x')"), on("on a message as L6 once", "a.bufferedAmount"))
S("buffered-amount-after-peer-accepts-same-turn", "Contrast: read right after b's accept(), in a microtask and in a timer: the pump has not resumed yet in the same turn, then has.",
  "a.accept()", "a.send('abc')", "a.send('de')", "b.accept()", "a.bufferedAmount", microtask("a.bufferedAmount"), timeout(0, "a.bufferedAmount"))
S("buffered-amount-one-message-taken-at-accept", "Contrast: with one message from a, the same: 0 in a's listener.",
  "a.accept()", "a.send(NaN)", "b.accept()", "b.send('x')", on("on a message as L6 once", "a.bufferedAmount"))
S("reply-cancelled-when-peer-came-back-after-microtasks", "a's listener sends a message and leaves a microtask; b's Close waits for a's read loop, which takes it after the microtask; b's listener has a send another message, which b takes at once: that pump's continuation runs only after a's close event, and cancels the automatic reply (a errors, b gets 1006), as without the microtask.",
  *ACCEPTED, on("on a message as L2", "a.send('{}')", microtask("a.readyState")), "b.send('1,2')", "b.close()", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-cancelled-when-peer-came-back-after-microtasks-code", "The same with a code and a reason, and the microtask in a listener of its own.",
  *ACCEPTED, on("on a message as L1", microtask("a.readyState")), on("on a message as L2", "a.send('{}')"), "b.send('1,2')", "b.close(4000, 'r')", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-cancelled-when-peer-sends-in-microtask", "The same when a's listener sends its message in a microtask: inside the dispatch's checkpoint, it wakes b's read loop as a send in the listener does (with a code and a reason).",
  *ACCEPTED, on("on a message as L2", microtask("a.send('{}')")), "b.send('1,2')", "b.close(4000, 'r')", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-cancelled-when-peer-sends-in-nested-microtask", "The same with the send in a microtask of a microtask.",
  *ACCEPTED, on("on a message as L2", microtask(microtask("a.send('{}')"))), "b.send('1,2')", "b.close()", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-joins-when-peer-sends-in-timer", "Contrast: a's listener sends its message from a timer: the reply joins the pump, both close cleanly, and a's pump then fails.",
  *ACCEPTED, on("on a message as L2", timeout(0, "a.send('{}')")), "b.send('1,2')", "b.close()", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-cancelled-without-microtask", "Contrast: without the microtask: the same.",
  *ACCEPTED, on("on a message as L2", "a.send('{}')"), "b.send('1,2')", "b.close()", on("on b message as L7 once", "a.send(b'')"), configs=(NEW,))
S("reply-joins-when-peer-listener-sends-two", "Contrast: b's listener has a send two messages: the reply joins the pump, and both close cleanly.",
  *ACCEPTED, on("on a message as L1", microtask("a.readyState")), on("on a message as L2", "a.send('{}')"), "b.send('1,2')", "b.close()", on("on b message as L7 once", "a.send(b'')", "a.send('q')"), configs=(NEW,))
S("close-listener-raises-after-close-from-peer-listener", "a closes in its message listener; b's first close listener closes too, its second raises: b's error event carries that exception, not 'Network connection lost.' from its pump.",
  "a.accept()", "b.accept()", on("on a message as L1", "a.close(1000, 'x')", on("on b close as L2 once", "raise Error('boom')"),
  on("on b error as L3")), "b.send(Uint8Array(2))", on("on b close as L5 once", "b.close(4000, 'y')"), "settle", "state")
S("error-of-raising-listener-after-microtask-send", "a's message listener queues a send in a microtask, then raises: the exception leaves the dispatch only once its microtasks have run, so b, whose read loop that send woke, dispatches the message before a's error event.",
  "watch", "a.accept()", "b.accept()", on("on a message as L1", microtask("a.send(b'x')"), "raise Error('x')"), "b.send('m')", "settle", "state", configs=(OLD, NEW))
S("error-of-raising-close-listener-after-nested-microtask-send", "a's close listener queues a microtask that queues the send, then raises: every microtask runs before the exception leaves, so b dispatches the message before a's error, and then sees the pipe end (close 1006).",
  "watch", "a.accept()", "b.accept()", on("on a close as L1", microtask(microtask("a.send(b'x')")), "raise Error('x')"), "b.close(1000, 'x')", "settle", "state", configs=(OLD,))
S("send-after-accept-does-not-hurry-the-read-loop", "a sent two messages before b accepted, and sends a third after: b's read loop, which took the first as a ready frame, resumes in kj's next turn all the same, so a, woken by b's send in the same turn, dispatches first.",
  "watch", "a.accept()", "a.send('1')", "a.send('2')", "b.accept()", "a.send('3')", "b.send('r')", "settle", "state", configs=(OLD, NEW))
S("accept-in-microtask-of-close-event-before-peer-lets-go", "b's close event ends the handshake and lets go of b; a's whenAborted task lets go of a only in a later kj turn, so accept() on a in a microtask of that event does nothing, and in a timer it throws.",
  "watch", "a.accept()", "b.accept()", on("on b close", microtask("a.accept()"), timeout(0, "a.accept()")), "b.close(1000)", "settle", configs=(OLD, NEW))
S("accept-in-error-event-after-peer-let-go", "b's read loop is over (a's Close) when a's listener raises and a lets go of the pipe: b's pump fails, and the whenAborted task lets go of b before its error event, so accept() in it throws.",
  "watch", "a.accept()", on("on b error as L1", "b.accept()"), on("on a message as L3", "a.close(1000, 'x')", "raise TypeError('x')"), "b.accept()", "b.send('m')", "b.send('x')", "settle", configs=(OLD, NEW))
S("close-in-microtask-before-read-loop-comes-back", "a closes in a microtask of its message listener, with b's second message waiting: the microtask runs before a's read loop goes back to receive(), so b dispatches a's Close first; b's pump, finished when a takes that message, then lets go of b and cancels the automatic reply: a errors, dispatches the message, and gets close 1006 (as when a closes in the listener itself).",
  "watch", "a.accept()", "b.accept()", "b.send('x')", on("a.onmessage", microtask("a.close(1000, '')")), "b.send('y')", "settle", "state", configs=(OLD, NEW))
S("peer-pump-fails-after-microtasks-of-error-event", "a's message listener raises; its error listener closes b and queues a send in a microtask: that microtask runs before b's pump learns that a let go of the pipe, so b's 'Network connection lost.' comes after it, then b's close 1006.",
  "watch", "a.accept()", on("on a message as L1 once", "raise Error('x')"), "b.accept()", on("a.onerror", "b.close(1000)", microtask("a.send('x')")), "b.send(b'')", "settle", "state", configs=(OLD, NEW))
S("both-ends-raise-the-peers-own-error-wins", "a's message listener raises, then b's close listener raises on a's Close before a's error is reported: a lets go of the pipe, but b's own exception, already on its way, is the error b reports, not 'Network connection lost.'.",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", "raise TypeError('a')"), "b.send(1)", on("on b close", "raise Error('boom')"), "a.close(1000, 'x')", "b.send('x')", "settle", "state", configs=(OLD, NEW))
S("send-and-close-in-close-1006-event-do-nothing", "a's listener raised and a let go of the pipe: in b's close event (1006) the whenAborted task has run, so send() and close() do nothing (outgoingAborted): readyState stays 1 inside, 2 after, and b is let go of, so accept() throws.",
  "watch", "a.accept()", "b.accept()", on("on a message", "raise Error('x')"), on("on b close", "b.send('late')", "b.close(1000)", "b.readyState"), "b.send('x')", "settle", "b.accept()", "state", configs=(OLD, NEW))
S("raising-end-lets-go-once-its-pump-is-idle", "b's message listener raises while a's second message waits in send() for b and b's last message was already taken by a: the failed read loop lets go of b at once (closedIncoming, no pump running), so a's send fails, 'Network connection lost.' before a dispatches the message it took, then close 1006.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "raise TypeError('x')"), "a.send('x')",
  "b.send(Uint8Array(2))", "a.send(b'x')", "b.send(text(1))", "sleep 5", "state")
S("close-listener-raises-after-peer-way-back-close", "Before 2026-09-15 b's close listener raises (the exception ends b's read loop) while a's read loop, back from b's message, has taken b's Close ready from the pipe: a's close event comes before b's error event. (a's pump fails first: b was let go of once its Close was taken.) Found by the generator (gen-86d02395).",
  "watch", "a.accept()", "b.accept()", on("on a message as L1", "a.close(1007, 'x')"), on("b.onclose", "raise Error('x')"), "b.send('x')", "b.close(1000, 'r')")
S("close-listener-raises-after-peer-way-back-message", "The same with b's second message on a's way back: a dispatches it before b's error event.",
  "watch", "a.accept()", "b.accept()", on("on a message as L1 once", "a.close(1007, 'x')"), on("b.onclose", "raise Error('x')"), "b.send('x')", "b.send('y')", configs=(OLD, ("2026-03-01", ()), NEW))
S("close-listener-raises-before-peer-way-back", "Contrast: b's read loop got a's Close before a dispatched b's first message, so it was already waiting to enter the isolate; its close listener raises (before 2026-09-15) while a's read loop is on its way back with b's second message: b's error event comes first.",
  "watch", "a.accept()", "b.accept()", on("b.onclose", "raise Error('boom')"), "b.send('x')", "b.send('y')", "a.close(1000, 'r')")
S("close-listener-raises-before-peer-later-way-back", "Before 2026-09-15 b's close listener raises; b's read loop came back with a's Close before a's read loop came back with b's Close, which is waiting to enter the isolate: b's error event still comes before a's close event.",
  "watch", "a.accept()", "b.accept()", on("on b message as L2 once", "b.send('x')", "b.close(1011)"), on("b.onclose", "raise Error('boom')"), "a.send('x')", "a.close(1000, 'r')")
S("close-listener-raises-before-peer-later-way-back-message", "The same with b's second message on a's later way back: b's error event comes before a dispatches it.",
  "watch", "a.accept()", "b.accept()", on("on b message as L2 once", "b.send('x')", "b.send('y')"), on("b.onclose", "raise Error('boom')"), "a.send('x')", "a.close(1000, 'r')", configs=(OLD, ("2026-03-01", ()), NEW))
S("pump-fails-after-frame-handed-to-waiting-read-loop", "b's message listener sends and raises; a's listener sends to b, whose read loop is over, so a's pump waits in send(). b's error listener sends: a's read loop, waiting in receive(), takes that frame, and b is let go of. a dispatches it before its pump's 'Network connection lost.', then close 1006. Found by the generator (gen-b0d12526).",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("b.onmessage", "b.send('m')", "raise Error('boom')"), on("on a message as L3 once", "a.send('q')"), on("on b error as L4", "b.send('e')"))
S("pump-fails-after-frame-handed-to-waiting-read-loop-close", "The same with a's close() in its listener: a dispatches b's last message (readyState 2) before the error.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("b.onmessage", "b.send('m')", "raise Error('boom')"), on("on a message as L3 once", "a.close(1000)"), on("on b error as L4", "b.send('e')"), configs=(OLD, NEW))
S("close-listener-raises-peer-way-back-just-behind", "Contrast: before 2026-09-15 b's close listener raises; both read loops came back from dispatching frames sent at top level, b's first, and a's way back, with b's second message, is just behind: a dispatches it before b's error event.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("b.onclose", "raise Error('x')"), "a.close(1000)", "b.send('x')", "b.send('y')")
S("raising-end-sends-in-error-event-stays-accepted", "a's message listener raises and its error listener sends: b's read loop takes that message at once, but a's pump still runs when reportError() checks, so a is not let go of, and accept() in b's message event does nothing. Once the pump is done, a is let go of. Found by the generator (gen-ce25c1e9).",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "a.accept()", "a.readyState"), "b.send('x')", on("on a error as L5", "a.send('e')"), on("a.onmessage", "raise Error('x')"), "settle", "a.accept()", configs=(OLD, NEW))
S("send-in-microtask-of-listener-behind-peer-way-back", "b's listener queues a microtask that sends from a, while a's read loop is on its way back with b's second message and a's next message waits in the pipe for b's way back: a dispatches b's message before b dispatches a's next one.",
  "watch", "a.accept()", "b.accept()", "b.send(1)", "a.send('p')", "a.send('x')", "b.send(2)", on("on b message as L3 once", microtask("a.send('q')")))
S("close-in-microtask-of-listener-behind-peer-way-back", "The same with a's close() in that microtask.",
  "watch", "a.accept()", "b.accept()", "b.send(1)", "a.send('p')", "a.send('x')", "b.send(2)", on("on b message as L3 once", microtask("a.close()")), configs=(OLD, NEW, MANUAL))
S("frame-queued-after-peer-let-go-close-1006-first", "a's listener raises, and a is let go of in reportError(), after its error event: a send() of b's in a microtask of that event is queued (the whenAborted task has not run), but b's read loop failed when a let go, so b's close 1006 comes before its pump's 'Network connection lost.'. Found by the generator (gen-dc4541af).",
  "watch", "a.accept()", "b.accept()", on("on a error as L1", microtask("b.send('y')")), on("on a message as L5", "raise Error('x')"), "b.send('x')", "settle", "state")
S("close-queued-after-peer-let-go-close-1006-first", "The same with b's close() in that microtask: close 1006 (readyState 2 inside), then the error.",
  "watch", "a.accept()", "b.accept()", on("on a error as L1", microtask("b.close(1000)")), on("on a message as L5", "raise Error('x')"), "b.send('x')", "settle", "state", configs=(OLD, NEW))
S("frame-queued-in-error-event-of-peer-pump-error-first", "Contrast: b's send() in a's error listener itself, before a is let go of, waits in the pipe: when a lets go, b's pump fails first ('Network connection lost.'), then close 1006.",
  "watch", "a.accept()", "b.accept()", on("on a error as L1", "b.send('y')"), on("on a message as L5", "raise Error('x')"), "b.send('x')", "settle", "state", configs=(OLD, NEW))
S("raising-end-let-go-peer-way-back-close-ignored", "a's message listener raises while b's read loop, back from a's first message, has taken a's Close ready from the pipe. a is let go of (its pump is done), and the whenAborted task sets b's outgoingAborted before b's read loop gets into the isolate: no automatic reply in b's close event, and b's close() there does nothing, so b stays at 2. Found by the generator (gen-ffbc9386).",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", on("on b close as L2", "b.close(1000, 'x')"), "raise Error('x')"), "a.send('x')", "b.send(False)", "a.close(1000, '')", "sleep 5", "state", configs=(OLD, NEW))
S("raising-end-let-go-peer-way-back-send-ignored", "The same with a message: b's read loop, on its way back, took a's last message; in its dispatch b's send() does nothing (no 'Network connection lost.'), and b's read loop then finds the pipe gone (1006).",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", on("on b message as L2", "b.send('z')"), "raise Error('x')"), "a.send('x')", "b.send(False)", "a.send('y')", "sleep 5", "state", configs=(OLD, NEW))
S("raising-end-let-go-peer-way-back-two-messages", "The same when b's read loop comes back twice: it dispatches a's second message before a's error is reported, and takes a's Close on the way back from it; a is let go of once its pump is done, before b's close event.",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", on("on b close as L2", "b.close(1000, 'x')"), "raise Error('x')"), "a.send('x')", "a.send('y')", "b.send(False)", "a.close(1000, '')", "sleep 5", "state")
S("raising-end-let-go-waiting-peer-send-queued", "Contrast: b's read loop waits in receive() when a's listener queues a's last message and raises: b dispatches it before a's error, and its send() is queued; the pump fails once a is let go of.",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", on("on b message as L2", "b.send('z')"), "raise Error('x')"), "b.send(False)", "a.send('y')", "sleep 5", "state")
S("raising-end-let-go-once-peer-took-its-last-message", "b's listener sends and raises while its earlier messages still wait for a: once a's read loop took b's last message, b's pump continuation lets go of b (closedIncoming and outgoingAborted are set), before a dispatches that message: accept() there throws. Found by the generator (gen-069dd816).",
  "watch", "b.accept()", on("on b message as L1 once", on("on a message as L2", "b.accept()"), "b.send(False)", "raise TypeError('x')"), "b.send(NaN)", "b.send('x')", "a.accept()", "a.send('x')", configs=(OLD, NEW))
S("raising-end-let-go-once-peer-took-its-last-of-two", "The same with two messages sent in the raising listener: b is let go of once a took the second.",
  "watch", "b.accept()", on("on b message as L1 once", on("on a message as L2", "b.accept()"), "b.send(False)", "b.send(1)", "raise TypeError('x')"), "b.send(NaN)", "a.accept()", "a.send('x')", "settle", "b.accept()")
S("raising-end-released-when-its-send-failed-on-let-go-peer", "a's listener raised and a let go of the pipe after its error event's send: b's listener then sends and raises. b's pump fails in send() long before the read loop's exception is reported, so reportError() finds b not pumping and lets go of it: accept() throws on both ends.",
  "watch", "a.accept()", "b.accept()", on("on a message as L1", "raise Error('y')"), on("on b message as L4", "b.send('x')", "raise Error('x')"), on("a.onerror", "a.send(text(1))"), "b.send('x')", "settle", "b.accept()", "a.accept()", configs=(OLD, NEW))
S("raising-end-send-in-error-event-after-its-send-failed", "As above, with b.onerror sending: the failed pump set outgoingAborted, so that send() does nothing, and b is let go of all the same.",
  "watch", "a.accept()", "b.accept()", on("on a message as L1", "raise Error('y')"), on("on b message as L4", "b.send('x')", "raise Error('x')"), on("b.onerror", "b.send('q')", "b.bufferedAmount"), on("a.onerror", "a.send(text(1))"), "b.send('x')", "settle", "b.accept()", "a.accept()", configs=(OLD, NEW))
S("errored-end-reads-close-after-pump-error", "An end whose pump failed ('Network connection lost.') while its peer's Close was still on its way still reads it: the close event comes after the error, with no reply and readyState 3.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "raise TypeError('x')"), "a.send('x')",
  "a.send(b'x')", "b.send(text(1))", "b.close()", "sleep 5", "state")
S("send-and-close-before-peer-accepts", "a sends and closes before b accepts, then b closes: workerd delivers a's close, then b's message, then b's close, and no error event.",
  "watch", "a.accept()", "a.send('x')", "a.close(1000, 'bye')", "b.accept()", "b.close(1000, 'ok')", "settle", configs=(OLD, NEW))
W("wire-worker-close-from-timer-fails", "A close() from a timer that throws (code 999, or a 124-byte reason) sends nothing; the client's Close then closes the socket cleanly.",
  (*SERVER, on("b message", timeout(0, "b.close(999, text(124))", "b.close(1000, text(124))"))),
  ("send 'go'", "sleep 100", "close 1000, 'bye'"), configs=(NEW,))
W("wire-buffered-amount-until-written", "A message to a network client counts until it is written to the connection: still in the sender's microtasks, no longer in its next timer.",
  ("b.accept()", "b.send('héllo')", "b.send(b'\\x01\\x02')", "b.bufferedAmount", "microtask: b.bufferedAmount", timeout(0, "b.bufferedAmount")),
  ("recv", "recv", "close 1000, 'bye'"), configs=(NEW,))
W("wire-buffered-amount-after-drop", "After the client dropped the connection, a send() in the close listener (readyState still 1) counts for ever.",
  (*SERVER, on("b close", "b.send('xy')", "b.bufferedAmount"), on("b error", "b.bufferedAmount")), ("drop", "sleep 100"), configs=(NEW,))
W("wire-raw-worker-close-from-timer-fails", "The same with the raw client, byte for byte: the failed close() sends nothing, the client's Close is echoed, and the Worker still gets the trailing 'Network connection lost.' (at 2025-09-01 the 124-byte reason is allowed and its Close goes out first; with manual reply the Close is never answered).",
  (*SERVER, on("b message", timeout(0, "b.close(999, text(124))", "b.close(1000, text(124))"))),
  ("frame text 'go'", "sleep 100", "close 1000, 'bye'", "wait"), configs=WIRE)
W("wire-timer-in-close-listener-after-drop", "A timer the Worker sets in its close listener after the client dropped never fires: the request has ended.",
  (*SERVER, on("b close", "b.readyState", timeout(0, "b.send('late')"))), ("send 'x'", "sleep 50", "drop", "sleep 100"),
  configs=(NEW,))
D("do-gettags-after-fully-closed", "Once a socket has closed both ways and let go of its pipe, getTags() throws the 'call acceptWebSocket()' Error, hibernatable or not; inside webSocketClose, after ws.close(), the tags are still there.",
  "ctx.acceptWebSocket(b, ['x'])", "a.accept()", "b.close(1000, 'bye')", "ctx.getTags(b)", "settle", "ctx.getTags(b)",
  "pair c d", "ctx.acceptWebSocket(d, ['y'])", "c.accept()", "webSocketClose: ws.close(code, reason); ctx.getTags(ws)",
  "c.close(1000)", "settle", "ctx.getTags(d)", "pair e f", "f.accept()", "e.accept()", "e.close()", "settle", "ctx.getTags(f)", "state")
D("do-gettags-after-peer-raised-during-close", "a closes, then raises in its listener on b's first message while b's second waits: b's webSocketClose runs, b's pump fails on the pipe a let go of ('Network connection lost.'), and b, its read loop over, is let go of: getTags() throws the 'call acceptWebSocket()' Error. Found by the generator (gen-596bd536).",
  "ctx.acceptWebSocket(b, ['t'])", "webSocketError: ws.readyState", "webSocketClose: ws.readyState", "watch", "a.accept()", "b.send(-0.0)", on("on a message as L4 once", "raise Error('x')"), "b.send(-7)", "a.close()", "settle", "state", "ctx.getWebSockets()", "ctx.getTags(b)", configs=CLOSE_MODES)
D("do-gettags-after-peer-raised-without-close", "Contrast: the same without a's close: b's pump fails and then its read loop reports close 1006 to webSocketClose; b was not let go of, and getTags() answers.",
  "ctx.acceptWebSocket(b, ['t'])", "webSocketError: ws.readyState", "webSocketClose: ws.readyState", "watch", "a.accept()", "b.send(-0.0)", on("on a message as L4 once", "raise Error('x')"), "b.send(-7)", "settle", "state", "ctx.getTags(b)", configs=CLOSE_MODES)
D("do-manager-way-back-behind-peer-error", "b's webSocketMessage runs while a's read loop already waits with b's message; a's listener raises on it: a's error event comes before webSocketClose for a's Close, which the hibernation manager took on its way back. Found by the generator (gen-5508919a).",
  *HIBERNATABLE, "webSocketMessage: ws.send('h')", "watch", "a.accept()", "a.send(2.5)", "b.send(Uint8Array(2))", "a.close(4000)", on("on a message as L2 once", "raise Error('boom')"), configs=CLOSE_MODES)
D("do-manager-way-back-behind-peer-timer", "The same with a timer set in a's listener before it raises: the timer and a's error event both come before webSocketClose.",
  *HIBERNATABLE, "watch", "a.accept()", "a.send(2.5)", "b.send(Uint8Array(2))", "a.close(4000)", on("on a message as L2 once", timeout(0, "state"), "raise Error('boom')"))
D("do-manager-way-back-with-next-message-behind-peer-error", "The same with a message after a's first, so the manager's way back takes a message, not the Close: a's error event still comes first.",
  *HIBERNATABLE, "watch", "a.accept()", "a.send(2.5)", "a.send('t')", "b.send(Uint8Array(2))", "a.close(4000)", on("on a message as L2 once", "raise Error('boom')"))
D("do-manager-way-back-peer-listener-does-not-raise", "Contrast: a's listener does not raise: webSocketMessage, a's message, then webSocketClose, and no error event.",
  *HIBERNATABLE, "watch", "a.accept()", "a.send(2.5)", "b.send(Uint8Array(2))", "a.close(4000)", on("on a message as L2 once", "a.readyState"))
D("do-pump-error-not-websocketerror", "A hibernatable socket whose own pump finds its peer gone (its Close was taken, then the peer let go before the Close reply reached the object) reports 'Network connection lost.' on its listeners, never to webSocketError; its webSocketClose still comes, and it stays accepted: getTags() answers.",
  "ctx.acceptWebSocket(b, ['t'])", "webSocketError: log(error)", "a.accept()", "a.send('x')", "b.close(4000)",
  "settle", "state", "ctx.getTags(b)", "ctx.getWebSockets()")
D("do-peer-released-before-close-keeps-tags", "When the peer has let go of the pipe before the object's socket takes its Close reply (the socket was busy in webSocketMessage), no one releases the socket after webSocketClose: getTags() still answers, though getWebSockets() no longer lists it.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", "b.close(1000)", "a.send('x')", "settle", "state",
  "ctx.getTags(b)", "ctx.getWebSockets()")
D("do-both-close-at-once-pump-reports", "When both ends close at once, the object's socket is released when its peer lets go after webSocketClose, and its pump's continuation, running after that, reports 'Network connection lost.' on its listeners; getTags() then throws.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", "a.close(1000, 'x')", "b.close(1000, 'y')", "settle", "state", "ctx.getTags(b)")
D("do-object-closes-first-released-quietly", "When the object's socket has sent its Close and its peer's Close then reaches webSocketClose, the socket is awaiting its release: its pump's continuation lets go of it without an error event (in do-both-close-at-once-pump-reports its peer let go first, and it reports).",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", "b.close(4999)", "a.close(4999, 'x')", "settle", "state", "ctx.getTags(b)")
D("do-close-from-listener-while-top-level-sends-wait", "The object sent two messages at top level; a's listener closes on the first: the Close reaches the hibernatable socket, waiting in receive(), and webSocketClose comes before a's second message (gen-4a3891b7-handler-sends shows the case where webSocketMessage sent them).",
  "ctx.acceptWebSocket(b)", "a.accept()", on("a.onmessage", "a.close(1000)"), "b.send('1')", "b.send('2')")
D("do-gettags-plain-socket-let-go-after-its-pump", "A socket accepted with accept() in an object, whose listener raised while its second message waited: once that message is taken the socket is let go of, its peer gets close 1006, and getTags() says it is not accepted (not that it is not hibernatable). Found by the generator (gen-e45ff0a4).",
  "watch", "a.accept()", "b.accept()", "a.send(-7)", on("on b message", "b.send('x')", "b.send(-0.0)", "raise Error('x')"),
  "settle", "ctx.getTags(b)", "b.accept()")
D("do-error-of-raising-listener-after-peer-way-back", "In an object, a dispatched b's first message and its read loop went back for the second; then b's listener raises: the error comes after a's dispatch of that message (the read loop's way back began first), where outside an object it comes before. Found by the generator (gen-32fe8511).",
  "watch", "a.accept()", "b.accept()", "b.send('x')", on("on b message as L1 once", "raise Error('x')"), "a.send('x')", "b.send(42)")
D("do-error-of-raising-listener-between-peer-way-back-and-its-sends", "As above, with b's listener sending before it raises: a dispatches the message its read loop went back for, then b's error comes, then the message b's listener sent, which waited for the output gate.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", on("on b message as L1 once", "b.send('s')", "raise Error('x')"), "a.send('x')", "b.send(42)")
D("do-send-ignored-once-raising-peer-let-go", "In an object, b's listener sends and raises: b is let go of once a took that message, and a's dispatch of it, which waited for the input gate, finds outgoingAborted set: a.send() there does nothing (bufferedAmount counts it), and a gets close 1006 with no error. Found by the generator (gen-bdc9ab42).",
  "watch", "a.accept()", "b.accept()", "a.send(1e21)", on("on a message as L3 once", "a.send('y')", "a.bufferedAmount"), on("on b message as L4 once", "b.send(2.5)", "raise Error('x')"))
D("do-close-in-microtask-ignored-once-raising-peer-let-go", "As above, with a.close() in a microtask of a's dispatch: it does nothing either.",
  "watch", "a.accept()", "b.accept()", "a.send(1e21)", on("on a message as L3 once", microtask("a.close(1011)")), on("on b message as L4 once", "b.send(2.5)", "raise Error('x')"))
D("do-object-awaiting-release-pump-fails-quietly", "a closes and raises in its listener while the object's socket has a message waiting for it: the Close reaches webSocketClose first, which leaves the socket awaiting its release, so when a is let go the failed send only releases it; no error event. Found by the generator (gen-cac2b8f1).",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", on("on a message once", "a.close(4000, 'x')", "raise TypeError('x')"),
  "b.send(b'x')", "b.send('x')", "settle", "ctx.getTags(b)")
D("do-auto-response-awaited-before-next-message", "The hibernation manager sends the automatic response past the output gate and awaits it before it reads on: a takes and dispatches it before webSocketMessage sees the message after 'ping'. Found by the generator (gen-f5ea14d0).",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))", handler("webSocketMessage", "ws.send(message)"),
  "a.send('ping')", "a.send('x')", "a.send('ping')", "a.send('y')")
D("do-auto-response-behind-earlier-sends", "The object's socket had two messages queued for a: the automatic response follows them, and webSocketMessage waits until a has taken it.",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))", "b.send(1)", "b.send(2)", "a.send('ping')", "a.send('x')")
D("do-auto-response-to-a-raising-peer", "a's listener raises on the object's message while the automatic response waits for it: the send fails, and the socket's webSocketClose and the order of events follow as workerd has them.",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))", "b.send(1)", on("on a message", "raise Error('x')"),
  "a.send('ping')", "a.send('x')")
D("do-auto-response-never-taken-peer-goes", "a's listener raises on the object's message with nothing of a's left to send, while the automatic response waits for a to take it: a is let go, the response's send fails, and the hibernation manager's read loop ends with the disconnect: the socket's pump reports 'Network connection lost.', webSocketClose gets 1006, and a later send does nothing.",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))", "b.send(1)",
  on("on a message", "raise Error('x')"), "a.send('ping')", "sleep 5", "b.send('late')", "settle", "ctx.getWebSockets()", "state")
D("do-auto-response-never-taken-peer-waits", "As above, but a sent a second 'ping' that waits for the socket's read loop: a's pump is still sending, so a is never let go, and the socket waits for its automatic response for good (no webSocketClose).",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'pong'))",
  on("on a message", "raise Error('x')"), "a.send('ping')", "a.send('ping')", "b.send(1)", "settle", "ctx.getWebSockets()", "state")
D("do-close-and-send-in-websocketclose-after-peer-let-go", "a's listener raised and a let go of the pipe: the socket's webSocketClose gets 1006 with readyState 2, and in it close() and send() do nothing (outgoingAborted is set), so readyState stays 2 for good and getTags() still answers.",
  "ctx.acceptWebSocket(b)", handler("webSocketClose", "ws.readyState", "ws.close(1000, 'x')", "ws.readyState", "ws.send('y')"), "a.accept()",
  on("on a message as L1", "raise Error('x')"), "b.send(-7)", timeout(1, "state", "ctx.getTags(b)"))
D("do-close-in-websocketclose-while-messages-wait", "The object's socket has two messages on their way when a's Close reaches webSocketClose, which closes: the socket awaits its release, so its earlier pump's continuation does not cancel the Close being sent; a takes the second message, then the Close, and the socket is let go of afterwards.",
  "ctx.acceptWebSocket(b, ['t'])", handler("webSocketClose", "ws.close(1000, 'x')"), "watch", "a.accept()", "b.send(False)", "b.send(b'x')", "a.close(1000, 'y')",
  "settle", "state", "ctx.getTags(b)")
# The hibernation manager's read loop awaits each event's customEvent before it takes the next
# frame, and a frame ready in the pipe (the peer's pump waiting in send()) resumes it a kj turn
# later still: measured on workerd 2026-11-23.
D("do-handler-reply-before-next-message", "webSocketMessage answers each of four messages that wait in the pipe: each reply passes the output gate and reaches a before the manager dispatches the next message. Found by the generator (gen-faefd0c9).",
  "ctx.acceptWebSocket(b)", handler("webSocketMessage", "ws.send('r')"), "watch", "a.accept()", "a.send('1')", "a.send('2')", "a.send('3')", "a.send('4')")
D("do-handler-two-replies-before-next-message", "The same with two replies to each of three messages.",
  "ctx.acceptWebSocket(b)", handler("webSocketMessage", "ws.send('r')", "ws.send('s')"), "watch", "a.accept()", "a.send('1')", "a.send('2')", "a.send('3')")
D("do-close-in-handler-with-one-message-left", "webSocketMessage sends and closes while two messages of a's wait: the manager takes the third message after a's close event has queued its reply behind it, so the same pump of a's sends that reply, and webSocketClose gets it.",
  "ctx.acceptWebSocket(b)", handler("webSocketMessage", "ws.close(1000, 'bye')"), "watch", "a.accept()", "a.send('1')", "a.send('2')")
D("do-close-in-handler-reply-cancelled", "As above, with a reply before the Close and three messages: the manager takes a's last message before a dispatches the Close, so a's pump has finished; the close event's reply starts a new pump, which the finished pump's continuation, coming after that event, cancels as it lets go of a: a errors, and webSocketClose gets 1006.",
  "ctx.acceptWebSocket(b)", handler("webSocketMessage", "ws.send('r')", "ws.close(1000, 'bye')"), handler("webSocketClose", "ws.readyState"), "watch", "a.accept()", "a.send('1')", "a.send('2')", "a.send('3')",
  "settle", "state", "ctx.getTags(b)")
D("do-close-in-handler-reply-behind-last-message", "The same with four messages: a's close event queues its reply while its pump still sends the fourth, so that pump sends the reply, and webSocketClose gets 1000.",
  "ctx.acceptWebSocket(b)", handler("webSocketMessage", "ws.send('r')", "ws.close(1000, 'bye')"), "watch", "a.accept()", "a.send('1')", "a.send('2')", "a.send('3')", "a.send('4')")
# a's pump sends a message to the object's socket b, which closes; a's close event's reply starts
# a new pump while the first pump's continuation waits to enter the object. Alone, that
# continuation runs first and cancels the reply's pump ("Network connection lost."); behind
# another end's way into the object (a delivery, or another pump's continuation, even one with
# nothing to do) it runs only after the reply's pump is done, and a closes cleanly. Found by the
# generator (gen-85ac63a7).
D("do-reply-pump-cancelled-by-first-pumps-continuation", "a sends to the object's socket b, which closes: the continuation of a's first pump runs before the automatic reply's pump is done and cancels it, so a reports the lost connection after webSocketClose.",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "a.send('x')", "b.close()")
D("do-reply-pump-done-behind-other-delivery", "The same with another pair in the object, whose frame to d is queued after b's Close: d's delivery enters the object before a's first pump's continuation, which then finds the reply's pump done: a closes without an error.",
  "ctx.acceptWebSocket(b)", "pair c d", "d.accept()", "watch", "a.accept()", "c.accept()", "a.send('x')", "b.close()", "c.send(1)")
D("do-reply-pump-done-behind-other-pump", "The same with c's frame sent first: d takes it before anything else, so c's pump is done, and its continuation, though it has nothing to do, enters the object ahead of a's first pump's continuation: a closes without an error.",
  "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "c.send(1)", "a.send('x')", "b.close()")
D("do-reply-pump-done-behind-other-pump-from-object", "The same when the object's socket d sends to c.",
  "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "d.send(1)", "a.send('x')", "b.close()")
D("do-reply-pump-cancelled-after-other-pump-settled", "The same with the runtime settled after c's send: c's pump's continuation has run, and a's first pump's continuation cancels the reply's pump again.",
  "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "c.send(1)", "settle", "a.send('x')", "b.close()")
D("do-reply-pump-cancelled-while-other-pump-sends", "The same with two frames from c: c's pump is still sending when a's first pump's continuation comes, which cancels the reply's pump.",
  "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "c.send(1)", "c.send(2)", "a.send('x')", "b.close()")
D("do-reply-pump-cancelled-before-timer-send", "The same with c's frame sent from a timer: the timer fires later, and a reports the lost connection.",
  "ctx.acceptWebSocket(b)", "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "a.send('x')", "b.close()", timeout(0, "c.send(1)"))
D("do-object-sends-as-peer-dies", "The object's socket sends while its peer's read loop fails (a message listener raised): webSocketClose gets 1006 with readyState 2, and the failed send reports no error (the socket is awaiting its release by then).",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", "b.send('x')", on("on a error", "b.send(b'')"),
  on("on a message", "raise Error('x')"), "settle", "state")
D("do-object-send-behind-gate-as-peer-dies-lets-go-after-close", "As above, with getTags() in webSocketClose and after: the send that waited for the output gate fails after webSocketClose, which still finds the socket accepted; the pump's error handler then lets go of it, so getTags() throws afterwards. Found by the generator (gen-f5ede4d5).",
  "watch", "ctx.acceptWebSocket(b)", handler("webSocketClose", "ctx.getTags(ws)"), "a.accept()", on("on a error", "b.send(text(1))"),
  on("on a message", "raise Error('x')"), "b.send(b'')", "settle", "ctx.getTags(b)")
D("do-object-send-in-error-microtask-as-peer-dies-lets-go", "The same send in a microtask of the peer's error event: the whenAborted task has not run yet, so it is queued and fails too, and the socket is let go of after webSocketClose.",
  "watch", "ctx.acceptWebSocket(b)", "a.accept()", on("on a error", microtask("b.send(text(1))")),
  on("on a message", "raise Error('x')"), "b.send(b'')", "settle", "ctx.getTags(b)")
D("do-object-send-in-pipe-fails-as-peer-dies", "The object's socket has a message in the pipe, waiting for its peer's read loop, when that read loop fails (a message listener raised): the send fails first, 'Network connection lost.' on the socket's listeners, then webSocketClose gets 1006.",
  "ctx.acceptWebSocket(b)", "watch", "a.accept()", on("on a message as L2 once", "raise TypeError('x')"),
  "b.send('0')", "b.send('x')", "settle", "state")
D("do-output-gate-send-before-accept", "In an object a pump waits for the output gate before it sends: a message sent before the peer's accept() is not in the pipe yet when accept() runs, so it reaches the peer before the Close the peer sends right after, unlike outside an object.",
  "b.accept()", "watch", "b.send('x')", "a.accept()", "a.close()", "settle", "state")
D("do-output-gate-hibernatable", "The same with a hibernatable socket: its message reaches the accept()ed end before that end's Close reaches webSocketClose.",
  "ctx.acceptWebSocket(b)", "watch", "b.send('x')", "a.accept()", "a.close()", "settle", "state")
# A storage write locks the output gate until it is flushed (workerd: ActorSqlite::onWrite(),
# outputGate.lockWhile(lastCommit); the commit runs after kj::yield() and one ready promise):
# a message queued after the write waits for the commit, which completes after the dispatch of
# a message sent before the write, but before a read loop takes its next waiting frame.
FLUSH = ("watch", "a.accept()", "b.accept()")
D("do-output-gate-flush-holds-later-messages", "Messages queued after storage.put() in the same turn wait for the write's flush: b's second message reaches a only after a has dispatched the first, and before a's message reaches b.",
  *FLUSH, "b.send('1')", "ctx.storage.put('k', 1)", "b.send('2')", "a.send('3')")
D("do-output-gate-flush-holds-close", "A close() after the write waits for the flush too: the message queued behind it reaches b before b's Close reaches a.",
  *FLUSH, "a.send('1')", "ctx.storage.put('k', 1)", "a.send('2')", "b.close()")
D("do-output-gate-flush-between-dispatches", "With a message for each end sent before the write, the flush completes after the first is dispatched: the message for that end goes out first, the other end gets its own after its dispatch.",
  *FLUSH, "a.send('1')", "b.send('2')", "ctx.storage.put('k', 1)", "b.send('3')", "a.send('4')")
D("do-output-gate-flush-before-next-waiting-frame", "The flush completes before a read loop takes its next frame waiting in the pipe: a's message queued after the write reaches b between b's two earlier ones.",
  *FLUSH, "a.send('1')", "a.send('2')", "ctx.storage.put('k', 1)", "b.send('3')", "a.send('4')")
D("do-output-gate-flush-other-pair", "The same across pairs: a message queued after the write reaches b after d's first message and before its second.",
  *FLUSH, "pair c d", "c.accept()", "d.accept()", "on d message: log(data)", "c.send('p1')", "c.send('p2')", "c.send('p3')",
  "await ctx.storage.put('k', 1)", "a.send('g')")
# A listener that raises in the dispatch of a frame the write did not hold: its error comes
# before the frames the dispatch queued behind the write (a Close, a message), though the
# commit was on its way first. Found by the generator (gen-289205b6).
D("do-raising-listener-error-before-commit-close", "The object's socket b sends to a, then the object awaits a write; a's listener closes and raises: a's error comes before webSocketClose, whose Close waited for the commit.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "await ctx.storage.put('k', 1)")
D("do-raising-listener-error-before-commit-send", "The same with a message instead of the Close: a's error comes before webSocketMessage.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "a.send('m')", "raise Error('boom')"), "b.send(b'')", "await ctx.storage.put('k', 1)")
D("do-raising-listener-error-before-commit-plain-peer", "The same with a plain b: a's error comes before b's close event.",
  "watch", "a.accept()", "b.accept()", on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "await ctx.storage.put('k', 1)")
D("do-raising-listener-error-before-commit-plain-peer-send", "The same with a plain b and a message: a's error comes before b's message event.",
  "watch", "a.accept()", "b.accept()", on("on a message as L3 once", "a.send('m')", "raise Error('boom')"), "b.send(b'')", "await ctx.storage.put('k', 1)")
D("do-raising-listener-error-before-commit-two-frames", "The same with two frames from b before the write: a's error still comes before webSocketClose.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "b.send(1)", "await ctx.storage.put('k', 1)")
D("do-raising-listener-error-before-commit-not-awaited", "The same with a delete that is not awaited.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "ctx.storage.delete('k')")
D("do-raising-listener-error-first-without-write", "Contrast: with a read instead of the write, nothing waits for a commit, and a's error comes first as well.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "await ctx.storage.get('k')")
D("do-raising-listener-error-after-write-in-listener", "Contrast: the write in the raising listener itself, before the Close: a's error comes before webSocketClose too.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")
D("do-output-gate-flush-in-handler", "In webSocketMessage a message sent after a write waits for its flush, one sent before it does not: the next message's 'pre' reaches a after the first 'ack'.",
  "ctx.acceptWebSocket(b, ['t'])", "watch", "a.accept()", "webSocketMessage: ws.send('pre'); ctx.storage.put('k', message); ws.send('ack')",
  "a.send('m1')", "a.send('m2')", "settle")
D("do-output-gate-flush-delete", "storage.delete() is a write: messages queued after it wait for its flush, whether the key existed or not.",
  *FLUSH, "b.send('1')", "ctx.storage.delete('k')", "b.send('2')", "a.send('3')")
D("do-output-gate-flush-again-after-timer", "A write in a later turn locks the gate again until its own flush.",
  *FLUSH, "b.send('1')", "ctx.storage.put('k', 1)", "sleep 0", "b.send('2')", "ctx.storage.put('j', 2)", "b.send('3')", "a.send('4')")
D("do-output-gate-flush-unconfirmed", "put() with allowUnconfirmed does not hold the messages queued after it.",
  *FLUSH, "b.send('1')", "ctx.storage.put('k', 1, {'allowUnconfirmed': True})", "b.send('2')", "a.send('3')")
D("do-output-gate-flush-failed-put", "A put() that throws writes nothing and holds nothing.",
  *FLUSH, "b.send('1')", "ctx.storage.put('k')", "b.send('2')", "a.send('3')")
D("do-output-gate-flush-delete-all", "deleteAll() does not hold the messages queued after it past the next turn, as put() does.",
  *FLUSH, "b.send('1')", "ctx.storage.deleteAll()", "b.send('2')", "a.send('3')")
D("do-output-gate-flush-set-alarm", "setAlarm() does not hold the messages queued after it either.",
  *FLUSH, "b.send('1')", "ctx.storage.setAlarm(99999999999999)", "b.send('2')", "a.send('3')")
D("do-attachment-two-byte-padding", "A two-byte string in an attachment is preceded by a padding byte only when its characters would start at an odd offset: the sizes in the errors are V8's, to the byte.",
  *HIBERNATABLE, "b.serializeAttachment('€' + text(16359))", "b.serializeAttachment('€' + text(16358))",
  "b.serializeAttachment(['€' + text(8180), 'é'])", "b.serializeAttachment({'k': '€' + text(16359)})",
  "b.serializeAttachment({'kk': '€' + text(16359)})", "b.serializeAttachment([1, '€' + text(16359)])",
  "b.serializeAttachment(text(200) + '€' + text(8100))", "b.serializeAttachment(text(200) + '€' + text(8101))")

# The hibernation manager, back from a handler's event, takes a frame sent by a read loop on its
# way back only after that read loop dispatched its next frame (gen-4a3891b7); one that has not
# dispatched yet takes it at once.
D("do-handler-sends-while-peer-answers", "webSocketMessage sends two messages; a answers the first in its listener: a dispatches the second before webSocketMessage gets the answer. Variant of gen-4a3891b7.",
  *HIBERNATABLE, "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", on("on a message as L1 once", "a.send('r')"), "a.send('x')")
D("do-handler-sends-while-peer-closes", "The same with a closing in its listener: a dispatches the second message before webSocketClose. Variant of gen-4a3891b7.",
  *HIBERNATABLE, "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), handler("webSocketClose", "ws.close(1000, 'ok')"), "a.accept()", on("on a message as L1 once", "a.close(4000, 'c')"), "a.send('x')")
D("do-handler-sends-peer-answers-twice", "The same with two answers: both come after a's second message.",
  *HIBERNATABLE, "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", on("on a message as L1 once", "a.send('r1')", "a.send('r2')"), "a.send('x')")
D("do-handler-sends-peer-answers-in-microtask", "The same with the answer sent in a microtask of a's listener.",
  *HIBERNATABLE, "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", on("on a message as L1 once", microtask("a.send('r')")), "a.send('x')")
D("do-manager-back-takes-close-first", "The object sends two messages at top level; the manager dispatches a's message, whose handler sends nothing, and is back in receive() when a closes in its listener for the object's first message: webSocketClose comes before a's second message. Found by the generator (gen-27108d50).",
  *HIBERNATABLE, "watch", "a.accept()", "a.send('x')", "b.send(1)", on("on a message as L3 once", "a.close(1000)"), "b.send(2)")
D("do-manager-back-takes-answer-first", "The same with an answer: webSocketMessage gets it before a dispatches the object's second message.",
  *HIBERNATABLE, "watch", "a.accept()", "a.send('x')", "b.send(1)", on("on a message as L3 once", "a.send('r')"), "b.send(2)")
D("do-manager-back-takes-answer-first-handler-sent-later", "The same when the handler sends a message too: a's read loop comes back for the object's second message, sent at top level, not for the handler's, so the manager still takes the answer first.",
  *HIBERNATABLE, "watch", handler("webSocketMessage", "ws.send('m')"), "a.accept()", "a.send('x')", "b.send(1)", on("on a message as L3 once", "a.send('r')"), "b.send(2)")
D("do-manager-back-takes-close-before-handlers-first-message", "webSocketMessage sends a message while the object's message sent at top level waits for a; a closes in its listener for that message: its read loop comes back for the handler's message, of which it has taken none yet, and the manager, back from its event, takes the Close first. Found by the generator (gen-322278c8).",
  "ctx.acceptWebSocket(b, [1, True])", handler("webSocketMessage", "ws.send('x')"), "watch", "a.accept()", "a.send(42)", on("on a message as L2 once", "a.close(1000)"), "b.send(ab(3))")
D("do-manager-back-takes-answer-before-handlers-first-message", "The same with an answer: webSocketMessage gets it before a dispatches the handler's message.",
  "ctx.acceptWebSocket(b, [1, True])", handler("webSocketMessage", "ws.send('x')"), "watch", "a.accept()", "a.send(42)", on("on a message as L2 once", "a.send('r')"), "b.send(ab(3))")
D("do-manager-back-takes-close-before-handlers-two-messages", "The same with two messages from the handler: webSocketClose comes before both.",
  "ctx.acceptWebSocket(b, [1, True])", handler("webSocketMessage", "ws.send('x')", "ws.send('y')"), "watch", "a.accept()", "a.send(42)", on("on a message as L2 once", "a.close(1000)"), "b.send(ab(3))")
D("do-fresh-manager-takes-answer-first", "Contrast: the object sends two messages at top level, and the manager, which has not dispatched yet, gets a's answer to the first before a dispatches the second.",
  *HIBERNATABLE, "watch", "b.send(1)", "b.send(2)", "a.accept()", on("on a message as L1 once", "a.send('r')"))
D("do-fresh-manager-takes-close-first", "The same with a closing in its listener: webSocketClose comes before a's second message.",
  *HIBERNATABLE, "watch", "b.send(1)", "b.send(2)", "a.accept()", on("on a message as L1 once", "a.close(1000)"))

D("do-manager-waiting-takes-close-before-timer-message", "The manager has dispatched a's message and waits in receive(); a timer of the object sends two messages, and a closes in its listener for the first: the manager takes the Close at once, so webSocketClose comes before a's second message (the frames a's read loop comes back for were sent by the timer, not by a handler the manager is coming back from). Found by the generator (gen-4d94c8f9).",
  *HIBERNATABLE, handler("webSocketClose", "ws.readyState"), "watch", "a.accept()", timeout(1, "b.send(1)", "b.send(2)"), "a.send('x')", on("on a message as L3", "a.close()"))
D("do-manager-waiting-takes-answer-before-timer-message", "The same with an answer: webSocketMessage gets it before a dispatches the timer's second message.",
  *HIBERNATABLE, "watch", "a.accept()", timeout(1, "b.send(1)", "b.send(2)"), "a.send('x')", on("on a message as L3 once", "a.send('r')"))
D("do-manager-waiting-takes-close-before-timer-messages", "The same with three messages from the timer: webSocketClose comes before the second and the third.",
  *HIBERNATABLE, handler("webSocketClose", "ws.readyState"), "watch", "a.accept()", timeout(1, "b.send(1)", "b.send(2)", "b.send(3)"), "a.send('x')", on("on a message as L3", "a.close(4000, 'r')"))
D("do-manager-waiting-takes-close-timer-after-handler-sends", "The same when webSocketMessage sent a message first: a's read loop comes back for the timer's second message, and the manager, long back from that event, still takes the Close first.",
  *HIBERNATABLE, handler("webSocketMessage", "ws.send('h')"), handler("webSocketClose", "ws.readyState"), "watch", "a.accept()", timeout(1, "b.send(1)", "b.send(2)"), "a.send('x')", on("on a message as L3", "a.close()"))

# A read loop accepted while all its peer's frames wait for the output gate is in receive() when
# the gate lets them through, in the order they were queued (gen-f80f3f22).
D("do-accept-after-gated-send-takes-it-in-order", "d sends, b sends, then c accepts, all at top level: the output gate lets d's frame through first, and c, waiting in receive() by then, dispatches it before a dispatches b's. Found by the generator (gen-f80f3f22).",
  *HIBERNATABLE, "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "d.send(1)", "b.send('x')", "c.accept()", on("on c message as L1", "a.readyState"))
D("do-accept-after-gated-send-takes-it-in-order-plain", "The same with sockets the object accept()s itself: c's message still comes first.",
  "pair c d", "b.accept()", "d.accept()", "watch", "a.accept()", "d.send(1)", "b.send('x')", "c.accept()", on("on c message as L1", "a.readyState"))
D("do-accept-between-gated-sends", "Contrast: c accepts between the two sends: c's message comes first as well.",
  *HIBERNATABLE, "pair c d", "ctx.acceptWebSocket(d)", "watch", "a.accept()", "d.send(1)", "c.accept()", "b.send('x')", on("on c message as L1", "a.readyState"))

# The manager's way back from an event (its customEvent) begun before a's dispatch is shorter than
# the way of a frame sent in that dispatch: through the output gate, then a's read loop's own way
# back to receive() (gen-2cfee876).
D("do-manager-way-back-before-frame-from-listener", "a sends two messages and the object one; the manager dispatches a's first, then a's listener for the object's message sends another from the object: webSocketMessage gets a's second before a dispatches that frame. Found by the generator (gen-2cfee876).",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send('')"), "a.send(1)", "a.send(2)", "b.send(3)")
D("do-manager-way-back-before-frame-from-listener-handler", "The same with a webSocketMessage handler that sends: webSocketMessage(b, 2) still comes first; then a gets the handler's first answer (queued before the listener's frame), the listener's frame, and the second answer.",
  *HIBERNATABLE, handler("webSocketMessage", "ws.send('h')"), "watch", "a.accept()", on("on a message as L1 once", "b.send('')"), "a.send(1)", "a.send(2)", "b.send(3)")
D("do-manager-way-back-before-close-from-listener", "The same with the object's socket closed from a's listener: webSocketMessage(b, 2) comes before a's close event.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.close()"), "a.send(1)", "a.send(2)", "b.send(3)")
D("do-manager-way-back-frame-from-listener-single", "Contrast: with one message from a the manager has nothing to come back for, and a dispatches the frame from its listener.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send('')"), "a.send(1)", "b.send(3)")

# Nor when a read loop of the object is on its way back to a frame another manager's handler
# sent after another of its frames: that manager is still on its way back from its event, and
# the fresh one's frame waits behind it too (gen-767bcd34-two-managers).
D("do-fresh-manager-waits-behind-handlers-way-back", "webSocketMessage sends two messages; a's listener for the first makes c send to d, whose manager has not dispatched yet: a dispatches the handler's second message before webSocketMessage(d) gets c's. Varied from gen-767bcd34-two-managers.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", "c.accept()", on("on a message as L1 once", "c.send('q')"), "a.send('x')")
D("do-fresh-manager-waits-behind-handlers-way-back-sent-first", "The same with c's frame sent before a's answer: webSocketMessage(d) comes before webSocketMessage(b), both after a's second message.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", "c.accept()", on("on a message as L1 once", "c.send('q')", "a.send('r')"), "a.send('x')")
D("do-fresh-manager-waits-behind-handlers-way-back-in-microtask", "The same with c's frame sent in a microtask of a's listener, after a's answer: a's second message, webSocketMessage(b), then webSocketMessage(d).",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')"), "a.accept()", "c.accept()", on("on a message as L1 once", "a.send('r')", microtask("c.send('q')")), "a.send('x')")
D("do-fresh-manager-waits-behind-handlers-way-back-three", "The same with three messages from webSocketMessage and an answer first: a's second message, webSocketMessage(b), then webSocketMessage(d).",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", handler("webSocketMessage", "ws.send('m1')", "ws.send('m2')", "ws.send('m3')"), "a.accept()", "c.accept()", on("on a message as L1 once", "a.send('r')", "c.send('q')"), "a.send('x')")
D("do-fresh-manager-first-when-object-sent-at-top-level", "Contrast: the object sent a's two messages at top level, so no manager is on its way back from an event: webSocketMessage(d) gets c's frame before a's second message.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "b.send(1)", "b.send(2)", on("on a message as L1 once", "a.send('r')", "c.send('q')"))
# A manager that has not dispatched yet takes a frame at once, unless a read loop of the object
# was on its way back already when the frame was queued (gen-767bcd34).
D("do-fresh-manager-waits-for-earlier-way-back", "c's listener answers d's message while a's read loop is on its way back to the object's second message: a dispatches it before webSocketMessage(d) gets the answer. Variant of gen-767bcd34.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", on("on c message as L1", "c.send('q')"), "b.send('x')", "b.send('y')", "d.send('z')")
D("do-fresh-manager-takes-frame-before-later-way-back", "Contrast: d's message comes first, so c answers before a's read loop goes on its way back: webSocketMessage(d) comes before a's second message.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", on("on c message as L1", "c.send('q')"), "d.send('z')", "b.send('x')", "b.send('y')")
D("do-fresh-manager-close-waits-for-earlier-way-back", "The same with d closing and c's automatic reply: a dispatches the object's second message before webSocketClose(d), and d's readyState stays 2 until then.",
  "pair c d", *HIBERNATABLE, "ctx.acceptWebSocket(d)", "watch", "a.accept()", "c.accept()", "b.send('x')", "b.send('y')", "b.send('w')", "d.close()")

# In an object, a frame sent in the peer's listener waits for the output gate, which lets it
# through a kj turn after that dispatch: the peer's read loop, still on its way back to
# receive(), takes it behind this end's read loop already on its way back with a frame.
D("do-close-from-peer-listener-waits-for-way-back", "In an object, b's listener closes a while a's read loop, back from its own dispatch, has b's second message: a dispatches it before b's close event. Found by the generator (gen-370e6709).",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.send('x')", on("on b message as L2", "a.close(1000)"), "b.send('')", configs=CLOSE_MODES)
D("do-close-from-peer-listener-reply-cancelled", "The same with a third message from b: a's read loop takes it after b's close event, so b's pump finishes after that event, and its continuation cancels the automatic reply's pump: b errors and a gets close 1006.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.send('x')", on("on b message as L2", "a.close(1000)"), "b.send('')", "b.send('z')", configs=CLOSE_MODES)
D("do-sends-from-peer-listener-wait-for-way-back", "The same with two messages from b's listener: a dispatches b's second and third messages before b gets a's first.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.send('x')", on("on b message as L2 once", "a.send('y')", "a.send('w')"), "b.send('')", "b.send('z')", configs=CLOSE_MODES)
D("do-close-in-listener-peer-sent-at-top-level", "Contrast: b sends two messages at top level and a closes in its listener on the first: b's close event comes before a dispatches the second. (When b sends them in its listener, a dispatches the second first: do-close-in-listener-behind-way-back-three-from-peer-listener.)",
  "watch", "a.accept()", "b.accept()", "b.send(1)", "b.send(2)", on("on a message as L3 once", "a.close(1000)"), configs=CLOSE_MODES)
D("do-close-in-listener-one-message-from-peer-listener", "Contrast: b's listener sends one message and a closes in its listener on it: b's close event, a's, then b's pump fails ('Network connection lost.').",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send(1)"), "a.send('')", on("on a message as L3", "a.close(1000)"), configs=CLOSE_MODES)
D("do-answer-in-listener-peer-sent-at-top-level", "Contrast: b sends two messages at top level and a answers the first in its listener: b gets the answer before a dispatches the second. (When b sends them in its listener, workerd dispatches the second first: gen-b9cf36ed-answer.)",
  "watch", "a.accept()", "b.accept()", "b.send(1)", "b.send(2)", on("on a message as L3 once", "a.send('r')"), configs=CLOSE_MODES)
D("do-answer-to-top-level-message-while-peer-way-back", "Contrast: a answers b's message sent at top level while b dispatches a's and sends two more in its listener: a dispatches b's first before b gets the answer, then the second.",
  "watch", "a.accept()", "b.accept()", "b.send(0)", on("on b message as L1 once", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.send('r')"), configs=CLOSE_MODES)
# In an object, a read loop whose dispatch sent frames takes the next frame only behind the peer's
# read loop on its way back with one of them (gen-b9cf36ed-answer): a dispatches b's second
# message before b gets a's answer to the first.
D("do-answer-behind-way-back-three-from-peer-listener", "b's listener sends three messages and a answers the first: a dispatches the second before b gets the answer.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", "b.send(2)", "b.send(3)"), "a.send('')", on("on a message as L3 once", "a.send('r')"))
D("do-answer-behind-way-back-sent-in-peer-microtask", "The same with b's two messages sent from a microtask of its listener.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", microtask("b.send(1)", "b.send(2)")), "a.send('')", on("on a message as L3 once", "a.send('r')"))
D("do-answer-behind-way-back-second-in-peer-microtask", "The same with b's second message sent from a microtask of its listener.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", microtask("b.send(2)")), "a.send('')", on("on a message as L3 once", "a.send('r')"))
D("do-answer-in-microtask-behind-way-back", "The same with a's answer sent from a microtask of its listener: a's read loop comes back after that microtask, still ahead of b.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", microtask("a.send('r')")))
D("do-two-answers-behind-way-back", "The same with two answers from a's listener.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.send('r')", "a.send('s')"))
D("do-answer-behind-way-back-peer-sent-more-at-top-level", "The same with one more message from b sent at top level, behind the first: the answer still comes after a's way back.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", "b.send(2)"), "a.send('')", "b.send(0)", on("on a message as L3 once", "a.send('r')"))
D("do-answer-behind-way-back-second-listener-on-peer", "The same with a second message listener on b, which sends nothing.",
  "watch", "a.accept()", "b.accept()", on("on b message as L9", "b.readyState"), on("on b message as L1 once", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.send('r')"))
# In a Durable Object every frame waits for the output gate: a message of b's listener reaches a's
# waiting read loop only after b's dispatch, with a Close b's listener (or its microtask) sent
# for a; b's second message then waits for a's way back after that dispatch, as in
# close-in-microtask-reply-joins-running-pump, and b's automatic reply joins the running pump
# (gen-db9935e8-durable). Not when a's Close came from a's own listener
# (do-close-in-listener-behind-way-back-three-from-peer-listener), when b's frames waited in
# the pipe since top level (do-close-from-peer-listener-reply-cancelled), after a storage write
# in b's listener, or when another socket of the object dispatched in between.
D("do-close-in-microtask-reply-joins-pump-handed-at-gate", "b's listener sends a message and, in a microtask, closes a and sends again: a dispatches the first, b's close event comes next and its reply joins b's running pump, then a gets b's second message and both close cleanly. Varied from gen-db9935e8.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-close-in-microtask-reply-joins-pump-handed-at-gate-sends-in-listener", "The same with both messages sent in the listener.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", "b.send(2)", microtask("a.close(1000, 'r')")), "a.send('m')")
D("do-close-in-peer-listener-reply-joins-pump-handed-at-gate", "The same with a's close() in b's listener and the second message in a microtask.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", "a.close(1000, 'r')", microtask("b.send(2)")), "a.send('m')")
D("do-close-in-microtask-reply-joins-pump-handed-at-gate-peer-answers", "The same while a's listener answers b's first message.",
  "watch", "a.accept()", "b.accept()", on("on a message as L3 once", "a.send('r')"), on("on b message as L1 once", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-close-in-microtask-reply-joins-pump-handed-at-gate-after-write", "The same after an awaited storage write at top level.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "await ctx.storage.put('k', 1)", "a.send('m')")
D("do-close-in-microtask-reply-joins-pump-handed-at-gate-other-pair-in-listener", "The same while b's listener sends on another pair of the object.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", "d.send('o')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-hibernatable-close-in-microtask-reply-joins-pump", "The same with a accepted for hibernation and a webSocketMessage handler: the manager takes b's second message on its way back from the handler, and webSocketClose(a) reports a clean close.",
  "ctx.acceptWebSocket(a)", handler("webSocketMessage", "ws.readyState"), "watch", "b.accept()", on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-hibernatable-close-in-peer-listener-reply-joins-pump", "The same with a's close() in b's listener.",
  "ctx.acceptWebSocket(a)", "watch", "b.accept()", on("on b message as L1", "b.send('x')", "a.close(1000, 'r')", microtask("b.send(2)")), "a.send('m')")
D("do-hibernatable-close-in-microtask-reply-joins-pump-handler-answers", "The same while a's handler answers b's first message.",
  "ctx.acceptWebSocket(a)", handler("webSocketMessage", "ws.send('h')"), "watch", "b.accept()", on("on b message as L1 once", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-hibernatable-close-in-microtask-three-messages", "Contrast: with a third message from b, the manager takes the second at once: still clean.",
  "ctx.acceptWebSocket(a)", "watch", "b.accept()", on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)", "b.send(3)")), "a.send('m')")
D("do-close-in-microtask-reply-cancelled-after-write-in-listener", "Contrast: b's listener writes to storage first: the commit lets the frames through, a takes b's second message before b's close event, and b's pump's continuation cancels the reply (b errors, a gets 1006).",
  "watch", "a.accept()", "b.accept()", on("on b message as L1", "ctx.storage.put('k', 1)", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')")
D("do-close-in-microtask-reply-cancelled-other-pair-dispatched-between", "Contrast: another pair's message, sent at top level after a's, is dispatched between b's dispatch and a's: the reply is cancelled.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", on("on b message as L1", "b.send('x')", microtask("a.close(1000, 'r')", "b.send(2)")), "a.send('m')", "d.send('o')")
D("do-close-in-listener-behind-way-back-three-from-peer-listener", "b's listener sends three messages and a closes in its listener on the first: a dispatches the second before b's close event.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.send(1)", "b.send(2)", "b.send(3)"), "a.send('')", on("on a message as L3 once", "a.close()"))
D("do-answer-first-when-peer-sent-from-timer", "Contrast: b's listener sends nothing, and b sends two messages from a timer: b gets a's answer before a dispatches the second.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "b.readyState"), "a.send('')", timeout(0, "b.send(1)", "b.send(2)"), on("on a message as L3 once", "a.send('r')"))
D("do-peer-sends-in-listener-after-answer", "Contrast: a answers b's top-level message while b's read loop waits to dispatch a's, whose listener then sends: a dispatches b's second message before b gets the answer, as when nothing waits.",
  "watch", "a.accept()", "b.accept()", "b.send(1)", on("on b message as L1 once", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.send('r')"))
D("do-peer-sends-two-in-listener-after-answer", "Contrast: the same with two messages from b's listener.",
  "watch", "a.accept()", "b.accept()", "b.send(1)", on("on b message as L1 once", "b.send(2)", "b.send(3)"), "a.send('')", on("on a message as L3 once", "a.send('r')"))
D("do-send-from-peer-in-listener-before-close-to-manager", "a's listener sends from the hibernatable b and closes a: a dispatches b's message before the manager dispatches webSocketClose(b). Found by the generator with --cross-sends (gen-987b654c).",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send(42)", "a.close()"), "b.send(b'')")
D("do-send-from-peer-in-listener-before-answer-to-manager", "The same with an answer instead of the Close: a dispatches b's message before webSocketMessage(b) gets the answer.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send(42)", "a.send('r')"), "b.send(b'')")
D("do-send-from-peer-in-listener-before-close-to-peer", "The same in a plain pair in an object: a dispatches b's message before b's close event.",
  "watch", "a.accept()", "b.accept()", on("on a message as L1 once", "b.send(42)", "a.close()"), "b.send(b'')", configs=CLOSE_MODES)
D("do-send-and-close-after-storage-put-from-peer-listener", "The same when b's listener sends, writes to storage and closes: the frames wait for the write, and still go behind a's way back.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.send('x')", on("on b message as L2", "a.send('y')", "ctx.storage.put('k', 1)", "a.close(1000)"), "b.send('')")

# Frames that pass the output gate together: the pump sends the first, which a waiting read
# loop takes at once (its send is done), and then waits in send() with the next.
D("do-gate-hands-first-frame-buffered-amount", "In an object b sends two messages at top level; a's read loop, waiting, takes the first as the gate lets both through, so in b's first listener bufferedAmount counts only the second. Found by the generator (gen-587571aa).",
  "b.accept()", "a.accept()", "a.send('x')", on("b.onmessage", "b.bufferedAmount"), "b.send(2.5)", "b.send(Uint8Array(2))", configs=CLOSE_MODES)
D("do-gate-hands-first-frame-buffered-amount-three", "The same with three messages: bufferedAmount counts the second and third.",
  "b.accept()", "a.accept()", "a.send('x')", on("b.onmessage", "b.bufferedAmount"), "b.send(2.5)", "b.send(Uint8Array(2))", "b.send('abcd')")
D("do-buffered-amount-sends-in-listener", "Contrast: messages sent in a listener, with bufferedAmount read in the listener and in a microtask of it: the gate has let nothing through yet.",
  "a.accept()", "b.accept()", on("on a message as L1", "a.bufferedAmount"), "b.send('x')", on("on b message as L2 once", "b.send('abc')", "b.send('de')", "b.bufferedAmount", microtask("b.bufferedAmount")), "a.send('q')")

# In an object, the pump of an end whose let-go peer's listener raised fails behind the read loop
# already on its way back with the peer's last frame (gen-77a29a12).
D("do-raising-end-let-go-peer-close-before-pump-error", "In a Durable Object b's listener raises while its message and Close wait for a, and a's second message waits for b: b is let go of once a takes the Close, and a's close event (no reply, readyState 2) comes before its pump's 'Network connection lost.'. Variant of gen-77a29a12.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("on b message as L1", "raise Error('x')"), "b.send(NaN)", "b.close()", "a.send('x')")
D("do-raising-end-let-go-peer-close-before-pump-error-old-date", "The same at 2025-09-01.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("on b message as L1", "raise Error('x')"), "b.send(NaN)", "b.close(1000)", "a.send('x')", configs=(OLD,))
D("do-raising-end-let-go-peer-close-listener-closes", "The same with a close listener on a that calls close(): it does nothing, as a's outgoing side was aborted, and the pump's error follows. Variant of gen-77a29a12.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", on("on b message as L1", "raise Error('x')"), "b.send(NaN)", "b.close(1000)", "a.send('x')", on("on a close as L2", "a.close()"))
D("do-raising-end-let-go-after-second-message-peer-close-first", "b's listener raises on a's second message while b's message and Close wait: a's close event still comes before its pump's error. Variant of gen-77a29a12.",
  "watch", "a.accept()", "b.accept()", "a.send('x')", "a.send('w')", on("on b message as L1 once", "raise Error('x')"), "b.send(NaN)", "b.close(1000)", "a.send('x')")

S("buffered-amount-counts-queued-bytes", "bufferedAmount counts the bytes of the messages the peer has not taken yet (text as UTF-8, not the Close); it is 0 again once the peer has read them.",
  "a.accept()", "b.accept()", "b.send('héllo')", "b.bufferedAmount", "b.send(ab(3))", "b.bufferedAmount",
  "b.send(Uint8Array(5))", "b.bufferedAmount", "b.send(42)", "b.bufferedAmount", "microtask: b.bufferedAmount", "sleep 0",
  "b.bufferedAmount", "b.close(1000, 'bye')", "b.bufferedAmount", "settle", "b.bufferedAmount", configs=(NEW,))
S("buffered-amount-drops-as-the-peer-takes-each", "A message stops counting when the peer's read loop takes it: inside the peer's listener for the first of three, only the other two count.",
  "a.accept()", "b.accept()", "watch", on("a message", "b.bufferedAmount"),
  "b.send('one')", "b.send('two2')", "b.send('three')", "b.bufferedAmount", "settle", "b.bufferedAmount", configs=(NEW,))
S("buffered-amount-handed-to-a-waiting-peer", "Both ends send in one turn to peers waiting to read: each message is handed over at once, and stops counting before the first delivery (workerd's pump continuation runs between tasks); inside the sending turn it still counts. Found by the generator (gen-ccfce114).",
  "a.accept()", "b.accept()", on("a message", "a.bufferedAmount", "b.bufferedAmount"), "b.send('x')", "a.send(b'xy')",
  "a.send(b'z')", "a.bufferedAmount", "microtask: a.bufferedAmount", "settle", "a.bufferedAmount", configs=(NEW,))
S("buffered-amount-kept-when-pump-cancelled-before-it-resumes", "Before 2026-04-07 (no automatic reply), b sends and closes in its close event: the message is handed to a's waiting read loop, but the previous pump's continuation, waiting for the isolate, runs first and lets go of b, which cancels the pump before it counts its send done: bufferedAmount keeps the message for good, though a dispatches it. Found by the generator (gen-a960ef6a).",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "a.close(4000, True)", on("on b close as L3", "b.send(text(1))", "b.bufferedAmount", "b.close(1007, text(1))", "b.bufferedAmount"), "sleep 5", "b.bufferedAmount", "state", configs=(("2026-03-01", ()),))
S("buffered-amount-peer-not-accepted", "While the peer is not accepted nothing is taken, however long one waits: the count stays (a Close never counts, its reason neither); the peer's accept() lets it drain.",
  "b.accept()", "b.send('xx')", "b.send('\\ud800')", "b.close(1000, 'byebye')", "b.bufferedAmount", "sleep 5",
  "b.bufferedAmount", "a.accept()", "microtask: b.bufferedAmount", "settle", "b.bufferedAmount", "a.bufferedAmount", configs=(NEW,))
S("buffered-amount-after-peer-gone", "Messages still queued when the peer's listener raised are never taken and keep counting, and a send() the dead connection silently ignores counts too.",
  "a.accept()", "b.accept()", "watch", on("a message", "raise Error('boom')"), "b.send('one')", "b.send('two2')",
  "b.send('three')", "settle", "b.bufferedAmount", "b.send('more')", "b.bufferedAmount", "b.send('x')", "b.bufferedAmount", configs=(NEW,))
S("buffered-amount-send-that-throws", "A send() that throws (before accept(), after close()) counts nothing; a half-open end's send() after the peer's Close counts until the peer takes it.",
  "b.send('abc')", "b.bufferedAmount", "a.accept({'allowHalfOpen': True})", "b.accept({'allowHalfOpen': True})", "a.close(1000, 'x')",
  "settle", "b.send('late1')", "b.bufferedAmount", "settle", "b.bufferedAmount", "b.close()", "b.send('zz')", "b.bufferedAmount", configs=(NEW,))

# ---------------------------------------------------------------------- delivery order (kj's pipe)
# kj wakes a read loop that waits in receive() at once (its BlockedReceive is fulfilled, the
# event armed depth-first), but a read loop that found a frame waiting (BlockedSend::receive()
# returns a ready promise) resumes only in kj's next turn (breadth-first).

S("order-frame-behind-a-taken-one-waits", "b's first message is taken as a accepts; a second one b sends then does not hurry a's read loop: the message a sends to b's waiting read loop is dispatched first.",
  "watch", "b.accept()", "b.send('x')", "a.accept()", "b.send('y')", "a.send('z')", "settle", configs=(NEW,))
S("order-close-behind-a-taken-message-waits", "The same with Closes: b closes behind the message a took as it accepted, a closes too; b's close event comes before a's message, and neither end reports an error.",
  "watch", "b.accept()", "b.send('x')", "a.accept()", "b.close(3000)", "a.close()", "settle", configs=(OLD, NEW))

# A read loop woken by a send in the peer's listener enters the isolate a kj turn behind the
# peer's way back to receive(): when it comes back and takes the peer's last frame, the peer's
# pump finishes before the peer dispatches the Close it was coming back for, and the pump's
# continuation runs after that close event. The automatic reply started a new pump, which the
# continuation's release cancels (web-socket.c++ ensurePumping, workerd PR 1535).
S("order-woken-read-loop-finishes-pump-after-peer-close", "a's listener sends two messages to b's waiting read loop while b's Close waits: b takes the second as it comes back after the first, a's pump finishes, a's close event answers b's Close with a new pump, and the finished pump's continuation then lets go of a: a errors, b gets close 1006 after the second message. Variant of gen-ba8cea44.",
  "watch", "a.accept()", "b.accept()", "b.send('t')", on("a.onmessage", "a.send(1)", "a.send(2)"), "b.close()", configs=(("2026-09-15", ()),))
S("order-woken-read-loop-finishes-pump-peer-waiting", "The same program with a closing in its listener while b's read loop waits in receive(): b takes a's Close at once; a errors after b's close event, and after b's second message b errors and a gets close 1006. Variant of gen-ba8cea44.",
  "watch", "a.accept()", "b.accept()", "a.send(-7)", on("on b message as L4 object", "b.send(-0.0)", "b.send('x')"), on("a.onmessage", "a.close()"), configs=(("2026-09-15", ()),))
S("order-pump-continuation-waits-for-its-own-pump", "b's first pump (a message sent before any listener ran) finishes while its listener's pump runs: the first continuation leaves the second pump alone, whose own continuation runs only once a takes its last message, after b's close event, and lets go of b: b errors, a gets close 1006. Variant of gen-ba8cea44.",
  "watch", "a.accept()", "b.accept()", "b.send('t')", "a.send(-7)", on("on b message as L4 object", "b.send(-0.0)", "b.send('x')"), "a.close('1e3')", configs=(("2026-09-15", ()),))

# The other way round: a's read loop comes back with b's Close, taken ready from the pipe, and
# waits to enter the isolate while b's read loop takes a's last message as soon as its dispatch
# is over. Whether a's finished pump's continuation gets into the isolate before a's close event
# or after it follows the phase of the two read loops' cycles in kj turns, which the kit does not
# model: it always runs the continuation after, which cancels the automatic reply's pump. The
# programs where workerd runs it before are kept open in library_generated.py (gen-ce30642e).
S("close-reply-cancelled-when-last-message-taken-late", "a sends three messages; b's listener answers the first with one message and a Close: b's read loop takes a's last message only after a's close event, and a's pump's continuation, after that event, cancels the automatic reply: a errors and b gets 1006",
  "watch", "a.accept()", "b.accept()", "a.send(1)", "a.send('x')", "a.send(b'')", on("on b message as L3 once", "b.send('x')", "b.close()"))
S("close-reply-cancelled-when-peer-dispatched-first", "b sends three messages and a one before closing, all at top level: a's read loop dispatches first, b comes back with a's Close, a takes b's last message right after its dispatch, and b's finished pump's continuation runs after b's close event: it cancels the automatic reply, so b errors and a gets 1006. With a's sends written first, workerd runs it before (gen-ce30642e-phase).",
  "watch", "a.accept()", "b.accept()", "b.send(1)", "b.send(2)", "b.send(3)", "a.send('a1')", "a.close(4000)")

# A listener's exception is reported a few kj turns after its dispatch: a read loop woken by a
# send in the peer's listener is a turn behind the peer's way back, so the peer's next event
# comes first (gen-882fbf66); woken before the peer's dispatch, the error comes first (gen-7ab3d307).
S("order-error-of-a-woken-read-loop-after-peer-event", "b answers a's message in its listener, and a's listener raises on the answer while a's second message waits for b: b's message event for it comes before a's error event. Variant of gen-882fbf66.",
  "watch", "a.accept()", "b.accept()", on("b.onmessage", "b.send(True)"), on("on a message as L4 once", "raise TypeError('boom')"), "a.send('x')", "a.send('y')", configs=(("2026-09-15", ()),))
S("order-error-of-a-woken-read-loop-after-peer-close", "The same with the roles swapped and b's Close waiting for a: a's close event (its automatic reply queued) comes before b's error event, and a's reply then fails, so a errors too. Variant of gen-882fbf66.",
  "watch", "a.accept()", "b.accept()", on("a.onmessage", "a.send(True)"), on("on b message as L4 once", "raise TypeError('boom')"), "b.send('x')", "b.close(1014, 42)", configs=(("2026-09-15", ()),))

# An end whose listener raised while its pump still had frames to send is let go of by that
# pump's continuation; the peer's pump, waiting to hand it a frame its dead read loop will never
# take, then fails (gen-9ffdbe58).
S("peer-pump-fails-when-raising-end-is-let-go-after-its-close", "b's listener raises with its message, text and Close still to send, while a sends two more messages: once a has taken b's Close, b is let go of, a's close event has no reply (readyState 2), and a's pump, stuck on its messages for b, then fails: a's error event follows. Variant of gen-9ffdbe58.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "raise TypeError('x')"), "a.send('x')", "b.send(Uint8Array(2))", "a.send(b'x')", "a.send('y')", "b.send(text(1))", "b.close()", "sleep 5", "state", configs=(("2026-09-15", ()),))
S("peer-pump-fails-when-raising-end-is-let-go-then-close-ignored", "The same, and a calls close() afterwards: it does nothing (readyState stays 3), as the error already let go of a's outgoing side. Variant of gen-9ffdbe58.",
  "watch", "a.accept()", "b.accept()", on("on b message as L1 once", "raise TypeError('x')"), "a.send('x')", "b.send(Uint8Array(2))", "a.send(b'x')", "b.send(text(1))", "b.close()", "sleep 5", "state", "sleep 1", "a.close()", "state", configs=(("2026-09-15", ()),))

# A pump whose send failed when its peer was let go of reports "Network connection lost." a few
# kj turns later: a listener that raises in the close event dispatched meanwhile is reported
# behind it, so reportError() ignores it (before 2026-09-15).
S("close-listener-raises-after-own-pump-failed", "b's listener raises on a's message while b's messages and Close still wait for a, and b's error listener has a send one more message. Once a has taken b's Close, b is let go of, and a's pump, stuck on that message, fails; a's close listener then raises: the pump's error, on its way first, is the one a's error event reports, and the listener's exception is never reported. Found by the generator (gen-44c57b21).",
  "watch", "b.accept()", "b.send(1)", "b.send(2)", on("on b message as L1", on("on b error as L2 once", "a.send(False)"), "raise TypeError('x')"), on("on a close as L3 once", "raise Error('boom')"), "b.close(1000)", "a.accept()", "a.send(1)", configs=(("2025-09-01", ()),))
S("close-listener-raises-after-own-pump-failed-invalid-close", "The same when a's close listener raises by calling close() with a code it may not use: still \"Network connection lost.\".",
  "watch", "b.accept()", "b.send(1)", "b.send(2)", on("on b message as L1", on("on b error as L2 once", "a.send(False)"), "raise TypeError('x')"), on("on a close as L3 once", "!a.close(1015)"), "b.close(1000)", "a.accept()", "a.send(1)", configs=(("2025-09-01", ()),))
S("close-listener-raises-own-error-when-send-comes-later", "Contrast: a's send comes from a timer after its close event, so no pump of a's had failed: a's error event reports the listener's exception.",
  "watch", "b.accept()", "b.send(1)", "b.send(2)", on("on b message as L1", on("on b error as L2 once", timeout(1, "a.send(False)")), "raise TypeError('x')"), on("on a close as L3 once", "raise Error('boom')"), "b.close(1000)", "a.accept()", "a.send(1)", configs=(("2025-09-01", ()),))

# JavaScript ignores the arguments beyond a method's parameters, and Pyodide passes them on, so
# Python Workers code that gives one more still works on Cloudflare (py-extra-arguments-ignored).
S("api-extra-arguments-ignored", "accept(), send(), serializeAttachment(), deserializeAttachment() and close() called with one argument too many: each ignores it.",
  "watch", "a.accept(None, 1)", "b.accept()", "a.send('x', 'y')", "a.serializeAttachment(1, 2)", "a.deserializeAttachment(3)", "a.close(1000, 'r', 'z')", "sleep 1",
  configs=(("2026-11-17", ()),))
S("api-extra-arguments-ignored-event-target", "dispatchEvent() ignores an extra argument; addEventListener() with one still checks its listener, with workerd's text.",
  "watch", "a.accept()", "a.dispatchEvent(Event('ping'), 6)", "a.addEventListener('message', 1, False, 5)", configs=(("2026-11-17", ()),))
D("do-extra-arguments-ignored", "The Hibernation API's calls with one argument too many ignore it; setWebSocketAutoResponse('ping', 'pong') fails on its first argument, as setWebSocketAutoResponse('ping') does.",
  "ctx.acceptWebSocket(b, [], 1)", "ctx.getTags(b, 1)", "ctx.getWebSockets(None, 2)", "ctx.getWebSocketAutoResponse(1)", "ctx.getWebSocketAutoResponseTimestamp(b, 1)",
  "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('p', 'q'), 1)", "ctx.setWebSocketAutoResponse('ping', 'pong')", "ctx.setWebSocketAutoResponse('ping')")
D("do-storage-extra-arguments-ignored", "storage.put(), get(), list() and delete() with one argument too many ignore it.",
  "await ctx.storage.put('k', 1, {}, 9)", "await ctx.storage.get('k', {}, 9)", "await ctx.storage.list({}, 9)", "await ctx.storage.delete('k', {}, 9)")

# A pump whose frame waited for a Durable Object's output gate resumes a kj turn later than one
# started outside an object: when the frame is a Close from the end's own listener, that end's
# read loop, on its way back with the peer's Close, dispatches it before the pump's continuation
# reports "Network connection lost." (gen-4ec62a3d).
D("do-close-in-listener-close-event-before-error", "b sends a message and a Close; a's listener closes on the message: b's close event, then a's close event, then a's error. Found by the generator (gen-4ec62a3d).",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "a.close(1000)"), "b.close(1007, '')", configs=(NEW, MANUAL))
D("do-close-in-listener-close-event-before-error-hibernatable-peer", "The same with b accepted for hibernation: a's close event, then its error.",
  *HIBERNATABLE, "watch", "a.accept()", "b.send(b'x')", on("on a message as L1", "a.close(1000)"), "b.close(1007, '')")
S("close-in-listener-error-before-close-event", "Contrast, outside a Durable Object: a's Close goes out in its listener, and its pump's error comes before a's close event.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "a.close(1000)"), "b.close(1007, '')", configs=(("2026-11-17", ()),))

# A storage write's commit lets a's Close through while a's read loop is on its way with b's
# Close: a's pump, still running when that close event ends, keeps a from being let go of, so b's
# close event lets go of b first and a's pump reports "Network connection lost." (from a
# listener); a Close queued at top level behind a write has its continuation come behind a's
# way back, as in gen-4ec62a3d.
D("do-close-after-write-in-listener-error-after-peer-close", "a's listener writes to storage, then closes, while b's Close waits: a's close event, b's, then a's error. Varied from gen-4ec62a3d.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "ctx.storage.put('k', 1)", "a.close(1000)"), "b.close(1007, '')", configs=CLOSE_MODES)
D("do-close-after-write-in-listener-delete", "The same with storage.delete() as the write.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "ctx.storage.delete('k')", "a.close(1000)"), "b.close(1007, '')")
D("do-close-after-write-in-listener-other-pair-sends", "The same while another pair of the object is open and a's listener sends on it.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "ctx.storage.put('k', 1)", "a.close(1000)", "c.send('z')"), "b.close(1007, '')")
# The same pump, let through by the commit, also carries a message the listener sent: the
# message reaches b, and a's automatic reply, queued in a's close event, joins the pump; once b's
# read loop takes it, the pump's continuation enters the object behind b's way back with it, so
# b's close event lets go of b first (gen-4ec62a3d-write-then-send). Not when b's Close came from
# b's listener, nor when another socket of the object dispatched a frame after a's dispatch.
D("do-send-after-write-in-listener-error-after-peer-close", "a's listener writes to storage and sends a message while b's Close waits: a's close event (its reply queued behind the message), b's message, b's close event, then a's error. Varied from gen-4ec62a3d.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.send('y')"), "b.close(1007, '')", configs=(OLD, NEW))
D("do-send-after-write-in-listener-error-after-peer-close-two", "The same with two messages.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.send('y')", "a.send('z')"), "b.close(1007, '')")
D("do-send-after-write-in-listener-error-after-peer-close-then-close", "The same with a close() after the message.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1", "ctx.storage.put('k', 1)", "a.send('y')", "a.close(1000)"), "b.close(1007, '')")
D("do-send-after-write-in-listener-error-after-peer-close-in-microtask", "The same with the message sent from a microtask of the listener.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", microtask("a.send('y')")), "b.close(1007, '')")
D("do-send-after-write-in-listener-peer-closed-in-listener", "Contrast: b's Close comes from b's listener: the continuation comes first and the handshake is clean.",
  "watch", "a.accept()", "b.accept()", on("on b message as L2 once", "b.close(1000)"), "a.send('first')", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.send('y')"))
D("do-close-after-write-in-listener-peer-closed-in-listener", "The same with a close() in a's listener: clean as well.",
  "watch", "a.accept()", "b.accept()", on("on b message as L2 once", "b.close(1000)"), "a.send('first')", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.close(1000)"))
D("do-close-after-write-in-listener-other-pair-dispatched-between", "Another pair's message is dispatched between a's dispatch and a's way back: the handshake is clean.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.close(1000)"), "d.send('o')", "b.close(1007, '')")
D("do-send-after-write-in-listener-other-pair-dispatched-between", "Contrast: the same with a message from a's listener: clean as well.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.send('y')"), "d.send('o')", "b.close(1007, '')")
D("do-send-after-write-in-listener-other-pair-dispatched-before", "With the other pair's message dispatched before a's, a errors at the end again.",
  "pair c d", "c.accept()", "d.accept()", "watch", "a.accept()", "b.accept()", "d.send('o')", "b.send(b'x')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.send('y')"), "b.close(1007, '')")
D("do-close-after-write-in-listener-next-message-first", "Contrast: b sends a second message before its Close: a's read loop comes back for that message first, and a's error comes before its close event.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", "b.send(b'y')", on("on a message as L1 once", "ctx.storage.put('k', 1)", "a.close(1000)"), "b.close(1007, '')")
D("do-close-after-write-at-top-level-close-event-first", "At top level, after a storage write, a closes while b's message and Close wait for a: b's close event, a's, then a's error.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", "b.close(1007, '')", "ctx.storage.put('k', 1)", "a.close(1000)", configs=(OLD, NEW))
D("do-close-after-write-at-top-level-awaited", "The same with the write awaited.",
  "watch", "a.accept()", "b.accept()", "b.send(b'x')", "b.close(1007, '')", "await ctx.storage.put('k', 1)", "a.close(1000)")
D("do-close-after-write-at-top-level-no-peer-message", "Contrast: without b's message, a's close event comes first as well.",
  "watch", "a.accept()", "b.accept()", "b.close(1007, '')", "ctx.storage.put('k', 1)", "a.close(1000)")

# A read loop on its way back to a frame waiting in the pipe is not hurried by a frame the output
# gate lets through meanwhile (one b sent from a's listener): the hibernation manager, waiting in
# receive(), dispatches the Close a's listener sent first (gen-82b6a9c8).
D("do-way-back-not-hurried-by-gated-frame", "b sends two messages; a's listener, on the first, has b send one more and closes a: webSocketClose comes before a's second message.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send(b'')", "a.close(1000, 'x')"), "b.send(1)", "b.send(2)", configs=(OLD, NEW))
D("do-way-back-not-hurried-by-gated-frame-send", "The same when a's listener sends instead of closing: webSocketMessage gets it before a's second message.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.send(b'')", "a.send('y')"), "b.send(1)", "b.send(2)")
D("do-way-back-not-hurried-by-gated-frame-plain", "The same with sockets the object accept()s itself: b's message event for a's message comes before a's second message.",
  "b.accept()", "watch", "a.accept()", on("on a message as L1 once", "b.send(b'')", "a.send('q')"), "b.send(1)", "b.send(2)")
D("do-way-back-not-hurried-by-gated-frame-a-first", "Contrast: a closes before it has b send: the same order, on the code before too.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "a.close(1000, 'x')", "b.send(b'')"), "b.send(1)", "b.send(2)")

# When the commit hands each end the other's Close while both read loops wait in receive(), the
# pumps finish before the close events: a clean handshake (gen-61476f80).
D("do-closes-after-write-at-top-level-clean", "After a storage write both ends close at top level: both close events, no error.",
  "watch", "a.accept()", "b.accept()", "await ctx.storage.put('k', 1)", "b.close()", "a.close(1000, 'x')", configs=(OLD, NEW))
D("do-closes-after-write-at-top-level-clean-hibernatable", "The same with b accepted for hibernation.",
  *HIBERNATABLE, "watch", "a.accept()", "await ctx.storage.put('k', 1)", "b.close()", "a.close(1000, 'x')")

# In a Durable Object a pump's continuation enters the object behind the end's read loop already
# on its way back: b sends a message and a Close, a two messages; b's read loop takes a's second
# on its way back, but a's close event (its automatic reply queued) comes first, and a's
# continuation then lets go of a, cancelling the reply: a errors, b gets 1006 (gen-1e24b327).
D("do-pump-done-behind-peer-way-back-reply-cancelled", "b sends a message and a Close, a two messages, all at top level: after a's close event a errors, and b gets close 1006. Found by the generator (gen-1e24b327).",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "b.close(1012, 'r')", "a.send(42)", "a.send('x')")
D("do-pump-done-behind-peer-way-back-reply-cancelled-timer", "The same from a timer.",
  "watch", "a.accept()", "b.accept()", timeout(0, "b.send('x')", "b.close(1012, 'r')", "a.send(42)", "a.send('x')"))
D("do-pump-done-behind-peer-way-back-reply-cancelled-listener", "The same when a's second message comes from its listener.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "b.close(1012, 'r')", on("on a message as L1 once", "a.send('q')"), "a.send(42)")
D("do-pump-done-behind-peer-way-back-one-message", "Contrast: with one message from a, a's pump has nothing left to do after a's close event: b gets a's reply (close 1012), and a only the trailing \"Network connection lost.\" of a plain handshake.",
  "watch", "a.accept()", "b.accept()", "b.send('x')", "b.close(1012, 'r')", "a.send('x')")

# The hibernation manager, back from webSocketMessage, takes a's Close: a's pump has finished,
# and its continuation, on its way behind a's next dispatch, enters before that of b's pump, which
# finished only when a's read loop took b's Close on its way back from that dispatch. So b is let
# go of only after a's continuation ran, and a reports nothing (gen-fd00cb8b).
D("do-own-pump-done-before-peers-after-handler-took-close", "b sends two messages and a Close, a one message and a Close, all at top level: webSocketClose, then a's close event, with no error on a. Found by the generator (gen-fd00cb8b).",
  *HIBERNATABLE, "watch", "a.accept()", "b.send(42)", "b.send(b'')", "b.close(1000, 'x')", "a.send(0)", "a.close(1012)")
D("do-own-pump-done-before-peers-after-handler-took-close-three", "The same with three messages from b.",
  *HIBERNATABLE, "watch", "a.accept()", "b.send(42)", "b.send(b'')", "b.send('z')", "b.close(1000, 'x')", "a.send(0)", "a.close(1012)")
D("do-own-pump-done-plain-peer", "Contrast: b is a plain socket the object accept()ed: no error either.",
  "b.accept()", "watch", "a.accept()", "b.send(42)", "b.send(b'')", "b.close(1000, 'x')", "a.send(0)", "a.close(1012)")

# In an object, a's listener closes b while b's read loop waits to dispatch a's first message:
# b's Close goes through the gate after a's dispatch and a's read loop takes it, but b's pump's
# continuation enters the object only after b's dispatch. a's pump, finished when b's read loop
# took a's last message, lets go of a first (cancelling a's automatic reply), so b's
# continuation finds its outgoing side aborted and reports "Network connection lost." before b
# dispatches that message (gen-py4-295-durable, gen-1a96a580-durable).
D("do-closer-pump-done-after-peer-let-go", "a's listener closes b in a microtask while b waits to dispatch a's first message: a's close event, then b's error, then b's second message; a errors and b gets 1006.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.close()")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-code-and-reason", "The same with a code and a reason.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.close(4000, 'bye')")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-nested-microtask", "The same with close() in a microtask of a microtask.",
  *ACCEPTED, on("on a message as L1 once", microtask(microtask("b.close(1000)"))), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-closer-listens", "The same with a message listener on b.",
  *ACCEPTED, on("on b message as L2"), on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-closer-answers", "The same while b's listener answers each message.",
  *ACCEPTED, on("on b message as L2", "b.send('r')"), on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-peer-sends-in-listener", "The same when a's second message is sent in a's listener.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.close(1000)"), "a.send('w')"), "b.send('x')", "a.send(1)")
D("do-closer-pump-done-after-peer-let-go-other-pair-first", "The same after another pair's message, sent first at top level, was dispatched.",
  "pair c d", "c.accept()", "d.accept()", *ACCEPTED, on("on a message as L1 once", microtask("b.close(1000)")), "d.send('o')", "b.send('x')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-after-peer-let-go-write-at-top-level", "The same with a storage write at top level after the sends.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')", "await ctx.storage.put('k', 1)")
D("do-closer-pump-done-other-pair-dispatched-between", "Contrast: another pair's message is dispatched between a's dispatch and b's: b's continuation comes first, and b reports nothing.",
  "pair c d", "c.accept()", "d.accept()", *ACCEPTED, on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "d.send('o')", "a.send(1)", "a.send('y')")
D("do-closer-pump-done-peer-three-messages", "Contrast: with a third message from a, a's automatic reply joins a's pump: both close cleanly.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')", "a.send('z')")
D("do-closer-pump-done-closer-sends-first", "Contrast: b sends a message before its Close: the reply joins, both close cleanly, and a's pump then fails.",
  *ACCEPTED, on("on a message as L1 once", microtask("b.send('q')", "b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go", "The same with b accepted for hibernation: b's pump's error reaches its listeners, then webSocketMessage gets a's second message, and the manager reports the disconnect to webSocketClose.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go-in-listener", "The same with b's close() in a's listener.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", "b.close(1000)"), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go-handler-sends", "The same with a webSocketMessage handler that sends (its message is lost).",
  *HIBERNATABLE, handler("webSocketMessage", "ws.send('r')"), "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go-close-handler", "The same with a webSocketClose handler that calls close().",
  *HIBERNATABLE, handler("webSocketClose", "ws.close(1000)"), "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go-error-handler", "The same with a webSocketError handler: the pump's error is the socket's own, and never reaches it.",
  *HIBERNATABLE, handler("webSocketError", "ws.send('e')"), "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-after-peer-let-go-auto-response", "The same with an automatic response set.",
  'ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ping", "pong"))', *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')")
D("do-hibernatable-closer-pump-done-peer-three-messages", "Contrast: with a third message from a, the reply joins a's pump: no error.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1 once", microtask("b.close(1000)")), "b.send('x')", "a.send(1)", "a.send('y')", "a.send('z')")

D("do-closer-pump-done-after-peer-let-go-after-write", "b, accepted for hibernation, sends a message and closes at top level behind a storage write, and a sends one more: b's pump's error reaches its listeners before webSocketMessage gets that message, and the manager then reports the disconnect to webSocketClose (gen-df61bf35).",
  *HIBERNATABLE, "watch", "a.accept()", "b.send(b'x')", "a.send('m')", "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", "a.send(0)")
D("do-closer-pump-done-after-peer-let-go-after-write-handler-sends", "The same with a webSocketMessage handler that sends.",
  *HIBERNATABLE, handler("webSocketMessage", "ws.send('h')"), "watch", "a.accept()", "b.send(b'x')", "a.send('m')", "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", "a.send(0)")
D("do-closer-pump-done-after-peer-let-go-after-write-close-handler", "The same with a webSocketClose handler that calls close().",
  *HIBERNATABLE, handler("webSocketClose", "ws.close(1000)"), "watch", "a.accept()", "b.send(b'x')", "a.send('m')", "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", "a.send(0)")
D("do-closer-pump-done-after-peer-let-go-after-write-plain", "The same with b a plain socket the object accept()ed: b's error, then b's message, then close 1006.",
  "b.accept()", "watch", "a.accept()", "b.send(b'x')", "a.send('m')", "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", "a.send(0)")
D("do-closer-pump-done-after-write-three-messages", "Contrast: with three messages from a after b's close(), a's automatic reply joins a's pump: no error.",
  *HIBERNATABLE, "watch", "a.accept()", "b.send(b'x')", "a.send('m')", "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", "a.send(0)", "a.send(1)", "a.send(2)")

# In an object, a listener that writes to storage, closes and raises: its error comes before the
# commit, which still holds the Close, so a's pump is running and reportError() does not let go of
# a. The commit sends the Close, b's close event answers it (readyState 3), and only then is a let
# go of, so b's reply fails: "Network connection lost." (gen-289205b6-write-in-listener-plain-peer, and these).
D("do-raising-listener-write-close-peer-answers-close-listener", "a's listener writes, closes and raises, and b's close listener calls close() (it does nothing: b has answered): a's error, then b's close event, which answers (readyState 3), then b's pump's error.",
  *ACCEPTED, on("on b close as L4", "b.close(1000)"), on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")
D("do-raising-listener-write-close-peer-answers-microtask", "As gen-289205b6-write-in-listener-plain-peer (a's error, b's close event answering, b's pump's error), with a microtask queued before the raise.",
  *ACCEPTED, on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", microtask("b.readyState"), "raise Error('boom')"), "b.send(b'')")
D("do-raising-listener-write-close-peer-answers-delete", "As gen-289205b6-write-in-listener-plain-peer, with a delete instead of the put.",
  *ACCEPTED, on("on a message as L3 once", "ctx.storage.delete('k')", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")
D("do-raising-listener-write-close-peer-answers-error-listener", "As gen-289205b6-write-in-listener-plain-peer, with an error listener on a.",
  *ACCEPTED, on("on a error as L5", "a.readyState"), on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")
D("do-raising-listener-write-close-peer-answers-after-message", "As gen-289205b6-write-in-listener-plain-peer, after a message from a sent at top level first.",
  *ACCEPTED, "a.send('t')", on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")
D("do-raising-listener-write-close-other-pair-waiting", "Contrast: another pair's message waits to be dispatched: the commit comes before a's error, which lets go of a, so b's close event cannot answer (readyState 2) and nothing fails.",
  "pair c d", "c.accept()", "d.accept()", *ACCEPTED, on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1016)", "raise Error('boom')"), "b.send(b'')", "d.send('o')")
D("do-raising-listener-close-no-write-peer-cannot-answer", "Contrast: without the write, the Close passes the gate before a's error, which lets go of a: b's close event cannot answer.",
  *ACCEPTED, on("on a message as L3 once", "a.close(1016)", "raise Error('boom')"), "b.send(b'')")

# In an object, a's listener raises on b's first message while b (accepted for hibernation) sends
# a second one and a's second message waits for the manager: letting go of a fails b's pump
# before the manager, back from webSocketMessage, dispatches that message (gen-2d062b18).
D("do-hibernatable-pump-fails-before-manager-way-back", "a's listener raises on b's first message; b sent two, a two: a's error, then b's pump's error, then webSocketMessage gets a's second message, then webSocketClose 1006.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "a.send(1)", "a.send(2)")
D("do-hibernatable-pump-fails-before-manager-way-back-three-from-b", "The same with three messages from b.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "b.send('z')", "a.send(1)", "a.send(2)")
D("do-hibernatable-pump-fails-before-manager-way-back-error-handler", "The same with a webSocketError handler: the pump's error is the socket's own, and never reaches it.",
  *HIBERNATABLE, handler("webSocketError", "ws.readyState"), "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "a.send(1)", "a.send(2)")
D("do-hibernatable-pump-fails-before-manager-way-back-close", "The same when b's second frame is a Close.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.close(1000)", "a.send(1)", "a.send(2)")
D("do-hibernatable-pump-fails-before-manager-way-back-error-listener", "The same with an error listener on b.",
  *HIBERNATABLE, "watch", "a.accept()", on("on b error as L7", "b.readyState"), on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "a.send(1)", "a.send(2)")
D("do-hibernatable-pump-fails-before-manager-way-back-old-date", "The same at 2025-09-01.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "a.send(1)", "a.send(2)", configs=(OLD,))
D("do-hibernatable-pump-fails-before-manager-way-back-after-write", "The same with a storage write at top level before a's messages.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "await ctx.storage.put('k', 1)", "a.send(1)", "a.send(2)")
D("do-hibernatable-manager-back-before-pump-fails", "Contrast: a's messages sent first, so the manager dispatches a's first message before a's listener raises: webSocketMessage gets the second before b's pump's error.",
  *HIBERNATABLE, "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "a.send(1)", "a.send(2)", "b.send('x')", "b.send('y')")
D("do-hibernatable-pump-fails-plain-peer-message-first", "Contrast: with a plain b, b's read loop dispatches a's second message before its pump's error.",
  "b.accept()", "watch", "a.accept()", on("on a message as L1", "raise Error('x')"), "b.send('x')", "b.send('y')", "a.send(1)", "a.send(2)")

# In an object, b's listener sends two messages and a's listener closes on the first: b's pump's
# continuation enters only after b's close event, ahead of a's, and cancels b's automatic reply
# after a took it: a reports "Network connection lost." before its (clean) close event, b after
# it (gen-b9cf36ed).
D("do-close-in-listener-peer-pump-done-after-close-event", "b's listener sends two messages, a's listener closes on the first: a dispatches the second, b's close event, then a's error, a's close event (clean) and b's error.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-close-event-every-message", "The same with a's listener (closing) run on every message.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-close-event-code-and-reason", "The same with a code and a reason.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.close(4001, 'bye')"))
D("do-close-in-listener-peer-pump-done-after-close-event-peer-sends-in-microtask", "The same with b's messages sent in a microtask of its listener.",
  *ACCEPTED, on("on b message as L1", microtask("b.send(1)", "b.send(2)")), "a.send('')", on("on a message as L3 once", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-close-event-close-listener", "The same with a close listener on b.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), on("on b close as L5", "b.readyState"), "a.send('')", on("on a message as L3 once", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-close-event-binary", "The same with binary messages from b.",
  *ACCEPTED, on("on b message as L1", "b.send(b'1')", "b.send(ab(2))"), "a.send('')", on("on a message as L3 once", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-close-event-second-listener", "The same with the closing listener added after another message listener on a.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3", "a.readyState"), on("on b close as L6", "b.readyState"), on("on a message as L4 once", "a.close(1000)"))
D("do-close-in-microtask-peer-pump-done-after-close-event", "The same with a's close() in a microtask of its listener, with a code and a reason: a's read loop, back after the microtask, is on its way back, and its pump's continuation comes behind it.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", microtask("a.close(4001, 'r')")))
D("do-close-in-nested-microtask-peer-pump-done-after-close-event", "The same with close() in a microtask of a microtask.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", microtask(microtask("a.close(1000)"))))
D("do-close-in-microtask-peer-sent-at-top-level-clean", "Contrast: b sends its messages at top level: both close cleanly.",
  *ACCEPTED, "a.send('')", "b.send(1)", "b.send(2)", on("on a message as L3 once", microtask("a.close(1000)")))
D("do-close-in-listener-peer-sent-at-top-level-clean", "Contrast: b sends its two messages at top level: both close cleanly, and a's pump then fails.",
  *ACCEPTED, "a.send('')", "b.send(1)", "b.send(2)", on("on a message as L3 once", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-after-write", "Contrast: a's listener writes to storage before it closes: the commit lets the Close out later, and a reports nothing.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "ctx.storage.put('k', 1)", "a.close(1000)"))
D("do-close-in-listener-peer-pump-done-a-sends-first", "Contrast: a's listener sends before it closes: both close cleanly.",
  *ACCEPTED, on("on b message as L1", "b.send(1)", "b.send(2)"), "a.send('')", on("on a message as L3 once", "a.send('r')", "a.close(1000)"))

# SQLite-backed storage (ctx.storage.sql, ctx.storage.kv), in its own module.
from .library_sql import SQL_SCENARIOS  # noqa: E402

SCENARIOS.extend(SQL_SCENARIOS)

# Minimal programs the generator found (fidelity/campaign.py), kept as scenarios.
from .library_generated import GENERATED  # noqa: E402 - the generated part comes last

SCENARIOS.extend(GENERATED)

_BY_NAME = {s.name: s for s in SCENARIOS}
if len(_BY_NAME) != len(SCENARIOS):
    raise RuntimeError("two scenarios share a name")


def by_name(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises:
        KeyError: no such scenario; the message lists close matches.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, _BY_NAME, n=3)
        raise KeyError(
            f"no scenario {name!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
        ) from None

