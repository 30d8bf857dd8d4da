# ruff: noqa: E501 - generated: one scenario per entry, its steps on one line
"""Scenarios the generator found: minimal programs on which the kit once differed from workerd.

``cfws-playground verify --generate N --seed S --save`` appends each new minimal
program here (see :mod:`cfws_playground.fidelity.campaign`); its reference is
then recorded from workerd like any other scenario's. Once the kit is fixed, the
scenario keeps it fixed. A difference that stays is marked ``deliberate`` with
its reason, or listed in ``OPEN`` (tests/test_fidelity.py).
"""

from __future__ import annotations

from typing import Any

from .dsl import handler, microtask, on, timeout
from .scenario import Scenario

__all__ = ["GENERATED", "GENERATED_OPEN"]

GENERATED: list[Scenario] = []
#: The generated scenarios on which the kit still differs, with what differs (tests/test_fidelity.py
#: adds them to ``OPEN``); fixing the kit means removing the entry's ``open=``.
GENERATED_OPEN: dict[str, str] = {}

_UNUSED = (handler, microtask, on, timeout)  # the saved steps may use any of them


def G(name: str, about: str, *steps: str | dict[str, Any], open: str | None = None, **kw: Any) -> None:  # noqa: N802, A002
    """One generated scenario; ``open``: why the kit still differs, when it does."""
    GENERATED.append(Scenario(name, about, tuple(steps), tags=("generated",), **kw))
    if open is not None:
        GENERATED_OPEN[name] = open

G('gen-cc1d42fa', "Found by the generator (gen-20261205-1): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', 'a.accept()', timeout(0, "d.binaryType = 'x'"), 'b.close(1000)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ecd5c4f', "Found by the generator (gen-20261205-20): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(42)', "b.send('x')", "a.send('x')", 'sleep 0', on('on a close as L2'),
  configs=(('2026-11-17', ()),))

G('gen-59a022aa', "Found by the generator (gen-20261205-66): the kit gives workerd's transcript.",
  'b.accept()', "b.send('x')", 'b.bufferedAmount',
  configs=(('2026-11-17', ()),))

G('gen-4d1aeba3', "Found by the generator (gen-20261205-67): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'b.send(text(70))', microtask("a.accept({'x': True})"), 'sleep 0', 'b.onclose = None',
  configs=(('2026-09-15', ()),))

G('gen-c4ffddd3', "Found by the generator (gen-20261205-71): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', microtask("b.send('x')"), on('a.onmessage', 'b.readyState', "a.close('x', text(1))"), timeout(0, on('on a message as L2', "a.close('x', text(1))")),
  configs=(('2026-03-01', ()),))

G('gen-52722f43', "Found by the generator (gen-20261205-102): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'a.accept()', "a.send(b'x')", 'a.send(ab(3))', "b.send('x')", 'sleep 0', 'a.send(text(1))',
  configs=(('2026-09-15', ()),))

G('gen-3b114b88', "Found by the generator (gen-20261205-146): the kit gives workerd's transcript.",
  'watch', 'a.accept()', "b.accept({'x': True})", 'a.send(False)', on('b.onmessage', microtask(microtask("b.removeEventListener('x', None)"))), on('on b message as L4', "raise Error('boom')"),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-f684885e', "Found by the generator (gen-20261205-149): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.close('0X3E8', None)", on('on b message as L1', on('on a message as L2', 'b.bufferedAmount')), microtask('b.onmessage = None'), "a.send('x')",
  configs=(('2026-11-17', ()),))

G('gen-1fe4b3cf', "Found by the generator (gen-20261205-158): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [1, True])', 'pair c d', 'ctx.acceptWebSocket(d, [1, True])', 'a.accept()', "a.send('')", "a.send('x')", 'sleep 0', "d.close('\\n1000\\t', 'x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-29ab3ecb', "Found by the generator (gen-20261205-169): the kit gives workerd's transcript.",
  'b.accept()', 'a.accept()', 'a.send(False)', on('on b message as L2', "raise TypeError('x')"), on('on b error as L4 once', 'b.send(text(1))', "a.close('x''x')", 'b.close()'), timeout(0, 'b.close(1011, None)'), "b.close('1e3')",
  configs=(('2026-04-26', ()),))

G('gen-2b2852de', "Found by the generator (gen-20261205-176): the kit gives workerd's transcript.",
  'watch', 'b.accept()', "a.accept({'x': False})", 'a.send(2.5)', microtask(on('on b message as L1')), 'b.send(ab(3))',
  configs=(('2025-09-01', ()),))

G('gen-ac7a9777', "Found by the generator (gen-20261205-194): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('')", 'a.close(1014, 42)', 'b.send(-0.0)',
  configs=(('2026-11-17', ()),))

G('gen-52107d6c', "Found by the generator (gen-20261205-234): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.close()', on('on a message as L4 once', "!b.close(2999, 'x')"), "b.send(b'x')",
  configs=(('2026-03-01', ()),))

G('gen-544aff86', "Found by the generator (gen-20261205-270): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('x')", 'b.send(1e21)', on('on a message as L6 once', "a.close(' 4000 ')"),
  configs=(('2026-09-15', ()),))

G('gen-efc56614', "Found by the generator (gen-20261205-279): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('a.onmessage', 'a.close(1012)'), "b.send(scratch(b'x'))", on('on a close as L4 once', "!a.close(1005, '')"), 'sleep 0', "a.send('x')",
  configs=(('2026-09-15', ()),))

G('gen-f9ef1fad', "Found by the generator (gen-20261205-293): the kit gives workerd's transcript.",
  'a.accept()', "a.send('x')", 'b.accept()', on('on b message as L1', "a.close(1007, 'é')"), on('on b error as L2'), timeout(0, "a.dispatchEvent(Event('x'))"),
  configs=(('2026-09-15', ()),))

G('gen-5afe560b', "Found by the generator (gen-20261205-302): the kit gives workerd's transcript.",
  microtask("a.binaryType = 'x'"), "await ctx.storage.put({'a''b': [2]})",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-ca09edf2', "Found by the generator (gen-20261205-309): the kit gives workerd's transcript.",
  'watch', 'b.accept()', "a.accept({'x': True})", 'b.send(True)', 'a.close(1011, 2.5)',
  configs=(('2026-09-15', ()),))

G('gen-8b8b9c0a', "Found by the generator (gen-20261205-385): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'b.send(text(70))', 'a.accept()', "a.close('1e3', True)",
  configs=(('2026-04-26', ()),))

G('gen-743d6389', "Found by the generator (gen-20261205-419): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', microtask("b.close('0x3e8', 'é')"), "a.send(b'x')", microtask(on('b.onmessage', 'b.bufferedAmount')),
  configs=(('2026-11-17', ()),))

G('gen-b55b4230', "Found by the generator (gen-20261205-459): the kit gives workerd's transcript.",
  'pair c d', microtask(on('on a close as L1 once', "c.close(1000, '€' + text(1))")), 'await ctx.storage.list()', "d.send(b'')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-5cf84eb3', "Found by the generator (gen-20261205-476): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b message as L1', "raise TypeError('x')"), on('a.onmessage', 'a.close()'), "a.send(b'x')", timeout(0, 'b.send(text(70))'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-46a7ed04', "Found by the generator (gen-20261205-521): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b close as L1', on('on a error as L2 object', 'log(data)')), "b.close(4999, 'x')",
  configs=(('2026-09-15', ()),))

G('gen-c6835806', "Found by the generator (gen-20261205-564): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.close(1000)', 'sleep 0', 'b.onclose = None',
  configs=(('2026-04-26', ()),))

# workerd: a lets go of the pipe before b's Close has been dispatched, so b's pump continuation
# reports "Network connection lost." to b's listeners (LWA::ensurePumping -> reportError), not as
# webSocketError, which only the hibernation manager's read loop gives (handleSocketTermination).
# reportError() releases an end only once closedIncoming is set, and webSocketClose sets it
# without releasing (initiateHibernatableRelease): b stays accepted and getTags() answers.
G('gen-10cc080c', "Found by the generator (gen-20261205-569): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t''t'])", 'a.accept()', "a.send(scratch(b'x'))", "b.close(3000, '')", 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-a08966d0', "Found by the generator (gen-20261205-600): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.close(1012, True)', microtask("a.send(scratch(b'x'))"), "b.send('x')",
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-3aff0011', "Found by the generator (gen-20261205-620): the kit gives workerd's transcript.",
  'pair c d', 'watch', 'a.accept()', 'b.accept()', "a.close('0X3E8')", 'sleep 0', 'state',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-8c02b9e0', "Found by the generator (gen-20261205-626): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'a.close(2999, True)', timeout(0, on('on b message as L1 object')), 'b.accept()',
  configs=(('2025-09-01', ()),))

G('gen-faa6d07c', "Found by the generator (gen-20261205-644): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.close(3000, text(123))', microtask('a.send(ab(3))'), 'b.close()',
  configs=(('2026-03-01', ()),))

G('gen-48924433', "Found by the generator (gen-20261205-713): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", timeout(0, on('on a close as L1', on('on b close as L2', on('on a close as L3', "a.close(1014, 'x')")))), "a.close(' 4000 ', text(123))",
  configs=(('2026-03-01', ()),))

G('gen-bbaab5ac', "Found by the generator (gen-20261205-717): the kit gives workerd's transcript.",
  microtask('b.readyState'), "await ctx.storage.get('k')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-3c208a4d', "Found by the generator (gen-20261205-752): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "a.close(2999, 'x')", 'sleep 0', 'state',
  configs=(('2026-04-26', ()),))

G('gen-5cd85e51', "Found by the generator (gen-20261205-768): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a close as L1', timeout(0, 'a.accept()')), 'a.send(-0.0)', on('on b message as L2 once', '!b.close(65536)'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-9f0485a7', "Found by the generator (gen-20261205-879): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(1)])', 'a.accept()', timeout(0, "a.binaryType = 'x'"), 'a.send(Uint8Array(2))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-9d63a93e', "Found by the generator (gen-20261205-892): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(ab(3))', microtask('a.send(1.0)'), 'b.send(1.0)',
  configs=(('2025-09-01', ()),))

G('gen-5381fb14', "Found by the generator (gen-20261205-910): the kit gives workerd's transcript.",
  'a.accept()', on('on b message as L1 once', "raise Error('x')"), "b.accept({'x': True})", 'a.send(text(1))', 'a.close(1011)', on('a.onclose'),
  configs=(('2025-09-01', ()),))

G('gen-ba474c4a', "Found by the generator (gen-20261205-937): the kit gives workerd's transcript.",
  'watch', 'a.accept()', microtask('b.send(1e21)', "a.close('0X3E8', True)"), "b.accept({'allowHalfOpen': False})", 'b.send(Uint8Array(2))', on('b.onerror', 'a.send(ab(3))'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-e7ebbdfd', "Found by the generator (gen-20261205-948): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'a.close()', 'sleep 0', on('a.onclose'),
  configs=(('2026-04-26', ()),))

G('gen-c78e2e00', "Found by the generator (gen-20261205-988): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', microtask("a.close('1000', True)"), 'sleep 0', 'b.send(NaN)',
  configs=(('2026-11-17', ()),))

G('gen-a12e154f', "Found by the generator (gen-20261205-999): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('x')", 'a.send(-7)', "a.send(b'')", 'b.close()',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-7954b083', "Found by the generator (gen-20261205-1054): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', 'a.close(3000, text(123))', on('on a message as L1', 'a.close(-1)'), microtask('b.onmessage = None'), "b.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-304a21da', "Found by the generator (gen-20261205-1070): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['u'])", 'a.accept()', "b.close('1000')", 'settle', "b.accept({'x': False})",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-66155e50', "Found by the generator (gen-20261205-1087): the kit gives workerd's transcript.",
  'watch', microtask('a.send(NaN)', "b.accept({'x': True})"), 'a.accept()', on('on b message as L2 object', "a.close('0o1750', text(1))", "raise Error('x')"),
  configs=(('2025-09-01', ()),))

G('gen-610761d9', "Found by the generator (gen-20261205-1088): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', "a.accept({'x': False})", "a.send('x')", 'sleep 0', 'off b close L1',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-e60fa4f2', "Found by the generator (gen-20261205-1127): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [])', handler('webSocketClose', 'ctx.getTags(ws)'), 'b.close()', 'a.accept()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-cc703859', "Found by the generator (gen-20261205-1180): the kit gives workerd's transcript.",
  'b.accept()', microtask("b.send('x')"), on('on a message as L1 object', 'b.onmessage = None'), 'a.accept()', 'sleep 0', 'add a message L1',
  configs=(('2026-04-26', ()),))

G('gen-84dcb2e5', "Found by the generator (gen-20261205-1204): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", microtask('a.accept()', 'b.send(ab(3))'), on('on a message as L1 once', 'a.onmessage = None'), 'sleep 0', 'state',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-418a9ac0', "Found by the generator (gen-20261205-1232): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('on b message as L8', "raise TypeError('boom')"), timeout(0, "a.addEventListener('x', 1)"),
  configs=(('2026-04-26', ()),))

G('gen-d81f60af', "Found by the generator (gen-20261205-1277): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'b.send(2.5)', microtask(timeout(0, "b.dispatchEvent(Event('x'))")), on('on a message as L4 object', "a.addEventListener('x', None)"), 'sleep 0',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-d60f3c7e', "Found by the generator (gen-20261205-1327): the kit gives workerd's transcript.",
  'a.accept()', on('on a close as L2'), "a.send(scratch(b'x'))", 'b.accept()', timeout(0, "a.send(scratch(b'x'))"), on('b.onmessage', "raise Error('x')"),
  configs=(('2026-11-17', ()),))

G('gen-010b5884', "Found by the generator (gen-20261205-1414): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "a.send(b'x')", on('b.onmessage', on('on b message as L4')),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-2ed469d5', "Found by the generator (gen-20261205-1530): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", "b.close('+1000', 'x')", 'sleep 0', 'a.readyState',
  configs=(('2026-11-17', ()),))

G('gen-2d3d4afe', "Found by the generator (gen-20261205-1627): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b error as L1', 'b.send(42)'), on('b.onmessage', "raise TypeError('x')"), on('on a message as L7', '!a.close(1014, 42)'), "a.send('x')",
  configs=(('2026-11-17', ()),))

G('gen-bd19221f', "Found by the generator (gen-20261205-1631): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "a.send('')", on('on b message as L1', "b.send(scratch(b'x'))"), on('on a message as L3', 'a.close(1015, text(1))'), timeout(0, 'a.accept()'),
  configs=(('2026-04-26', ()),))

G('gen-d6680d09', "Found by the generator (gen-20261205-1978): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1', microtask("a.close(2999, 'é')")), microtask('b.send(Uint8Array(2))'), "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-bfd6d366', "Found by the generator (gen-20261205-1988): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('b.onmessage'), microtask('a.send(-7)'), 'sleep 0', 'state',
  configs=(('2026-03-01', ()),))

G('gen-d10af0f8', "Found by the generator (gen-20261205-2004): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'b.send(1e21)', on('on b close as L1', on('on a close as L5', "raise Error('x')")), timeout(5, 'b.close(1000, True)'), on('on b error as L6 object', "b.binaryType = 'x'"), on('on a message as L7', "a.close('0x3e8', 'x')"),
  configs=(('2025-09-01', ()),))

G('gen-f69b4ffb', "Found by the generator (gen-20261205-2034): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', "b.send('x')", 'b.close()', 'sleep 0', 'b.onmessage = None',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-1a63801d', "Found by the generator (gen-20261205-2043): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', microtask('b.send(-7)'), "a.send(scratch(b'x'))", 'a.send(text(1))', "a.send('x')", 'sleep 0', microtask('a.bufferedAmount'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-909c37b3', "Found by the generator (gen-20261205-2116): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'a.close()', microtask('b.onclose = None'), "a.binaryType = 'blob'", "b.send(scratch(b'x'))", on('on a message as L3', "a.close('x', 42)"),
  configs=(('2026-03-01', ()),))

G('gen-9e3b0387', "Found by the generator (gen-20261205-2117): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.close(2999, 'é')", on('on a error as L2', 'a.bufferedAmount'), 'sleep 0', on('on a close as L3 once', "raise Error('x')"),
  configs=(('2026-11-17', ()),))

G('gen-209e9d2f', "Found by the generator (gen-20261205-2155): the kit gives workerd's transcript.",
  'pair c d', microtask(timeout(5, 'd.accept()')), 'sleep 5', "a.close('', '\\ud800')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-7b9d786f', "Found by the generator (gen-20261205-2253): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L4 once', "raise Error('boom')"), "b.send('x')", timeout(0, 'off a message L4'),
  configs=(('2026-03-01', ()),))

G('gen-2fb3c859', "Found by the generator (gen-20261205-2256): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['u'])", 'a.accept()', "b.close(2999, 'x')", 'settle', 'ctx.acceptWebSocket(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-d7ad858d', "Found by the generator (gen-20261205-2330): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('on b message as L1', "!a.close(1004, 'x')"), "b.close('0b1111101000', 'é')",
  configs=(('2026-09-15', ()),))

G('gen-1d8afb41', "Found by the generator (gen-20261205-2367): the kit gives workerd's transcript.",
  'pair c d', 'a.accept()', 'b.accept()', timeout(5, 'b.send(ab(3))'), 'sleep 5', 'b.close()', on('on a message as L2', "raise Error('x')"), on('on a error as L3 object', "a.binaryType = 'x'"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b80a3211', "Found by the generator (gen-20261205-2392): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t''t'])", 'pair c d', handler('webSocketMessage', 'ws.send(message)'), 'a.accept()', "a.send('x')", 'sleep 0', on('on d message as L1 object', "c.binaryType = 'x'"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-e2f60284', "Found by the generator (gen-20261205-2424): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a close as L1 object', "a.removeEventListener('x', None)"), 'a.close(4000)', 'sleep 0', on('on b close as L2', 'a.onclose = None'),
  configs=(('2026-09-15', ()),))

G('gen-e5fdd6df', "Found by the generator (gen-20261205-2475): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "a.send(scratch(b'x'))", on('on b close as L2 object', 'a.send(ab(3))'), 'b.close()', "a.send(scratch(b'x'))",
  configs=(('2026-11-17', ()),))

G('gen-3648823f', "Found by the generator (gen-20261205-2493): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [])', 'a.accept()', "b.close(1000, '')", 'sleep 0', 'ctx.getTags(b)', on('on b close as L2', "b.addEventListener('x', {'handleEvent': 1})"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-8bb7cf44', "Found by the generator (gen-20261205-2496): the kit gives workerd's transcript.",
  'b.accept()', 'a.accept()', "a.send('x')", "b.send(b'')", "a.send('x')", "a.send('x')", on('on b message as L2', "b.close('0X3E8')"),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-961b4cc1', "Found by the generator (gen-20261205-2566): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('b.onmessage', "b.send('x')"), "a.send('x')", 'sleep 0', on('on a message as L3 object', 'a.onerror = None'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-1c0da92e', "Found by the generator (gen-20261205-2856): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a close as L3 once'), 'b.send(text(1))', 'b.close()', timeout(0, 'b.close(1012, text(1))'),
  configs=(('2026-09-15', ()),))

G('gen-460d7030', "Found by the generator (gen-20261205-2931): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b message as L5', "a.binaryType = 'x'"), microtask('a.send(text(1))'), 'sleep 0', 'b.send(Uint8Array(2))',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-66eb7800', "Found by the generator (gen-20261205-3030): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(1e21)', "a.close('0X3E8', text(123))", "b.send(b'')",
  configs=(('2026-04-26', ()),))

G('gen-85e2b45a', "Found by the generator (gen-20261205-3032): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', microtask('a.close(1000, text(1))', timeout(0, "a.accept({'x': True})")), 'b.send(text(1))',
  configs=(('2026-09-15', ()),))

G('gen-138c0225', "Found by the generator (gen-20261205-3118): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b message as L3', "b.send(b'x')"), microtask('a.send(2.5)'), 'sleep 0', 'b.readyState',
  configs=(('2026-09-15', ()),))

G('gen-0bbbd746', "Found by the generator (gen-20261205-3127): the kit gives workerd's transcript.",
  'a.accept()', timeout(0, "b.close('x''€' + text(1))"), microtask("b.close('0b1111101000', '€' + text(120))"), 'b.accept()', on('on b close as L1 once'),
  configs=(('2026-09-15', ()),))

G('gen-e0b3418e', "Found by the generator (gen-20261205-3130): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketMessage', "raise Error('x')"), 'a.accept()', "a.send('')", 'sleep 0', "a.serializeAttachment(b'x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-ae2c63a6', "Found by the generator (gen-20261205-3189): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('a.onmessage', "a.close('0X3E8')"), "b.send('x')", 'b.send(text(70))',
  configs=(('2026-11-17', ()),))

G('gen-63e45937', "Found by the generator (gen-20261205-3250): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'b.close(1007)', on('a.onerror'), microtask("b.binaryType = 'x'"), 'a.send(1.0)',
  configs=(('2026-04-26', ()),))

G('gen-978ac42f', "Found by the generator (gen-20261205-3311): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', 'watch', 'a.accept()', microtask('b.send(ab(3))'), timeout(0, on('on d close as L2', "c.binaryType = 'x'")),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-bd4ce577', "Found by the generator (gen-20261205-3381): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.close(4999)', 'sleep 0', 'state', "a.send('x')", "b.addEventListener('x', None)",
  configs=(('2026-04-26', ()),))

G('gen-e1767d85', "Found by the generator (gen-20261205-3419): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', 'b.close(1000, text(123))', 'sleep 0', 'off a error L2',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-e2fa6e2b', "Found by the generator (gen-20261205-3499): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'a.send(Uint8Array(2))', microtask(on('on b message as L1 once', "b.close('x')")), 'b.send(1.0)', on('on a message as L3 once', "a.close('x')"),
  configs=(('2026-03-01', ()),))

G('gen-690751f8', "Found by the generator (gen-20261205-3741): the kit gives workerd's transcript.",
  'b.accept()', 'b.send(text(70))', microtask("a.accept({'x': False})"), 'sleep 0', on('on a message as L3', "a.close(1005, '€' + text(1))"),
  configs=(('2026-03-01', ()),))

G('gen-18605964', "Found by the generator (gen-20261205-3762): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b close as L1', "a.send('')"), timeout(0, 'a.close(3000, True)'), 'sleep 0', 'a.accept()',
  configs=(('2026-11-17', ()),))

G('gen-882fbf66', "Found by the generator (gen-20261205-3772): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('b.onmessage', 'b.send(True)'), on('on a message as L4 once', "raise TypeError('boom')"), "a.send('x')", 'a.close(1014, 42)',
  configs=(('2026-09-15', ()),))

G('gen-8f38c0cb', "Found by the generator (gen-20261205-3854): the kit gives workerd's transcript.",
  microtask(timeout(5, on('on b message as L1', 'b.onmessage = None'))), 'sleep 5', 'off b message L1',
  configs=(('2026-03-01', ()),))

G('gen-e8fa6ab8', "Found by the generator (gen-20261205-3896): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.close(1001, None)', 'sleep 0', on('a.onmessage', 'b.readyState'),
  configs=(('2026-04-26', ()),))

G('gen-b1105d7f', "Found by the generator (gen-20261205-3924): the kit gives workerd's transcript.",
  'pair c d', 'watch', 'a.accept()', 'b.accept()', timeout(0, 'a.close(999, text(1))'), "a.close(1012, 'x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-1ec73a78', "Found by the generator (gen-20261205-3977): the kit gives workerd's transcript.",
  'b.accept()', 'a.accept()', on('on a error as L1', "a.close('0b1111101000', '')"), on('on a close as L2 once', "raise TypeError('boom')"), "b.close(1012, 'x')",
  configs=(('2025-09-01', ()),))

G('gen-1054-acceptws-after-peer-errored', "Found by the generator (gen-20261205-1054), shrunk by hand: a hibernatable socket whose peer errored is no longer accepted in workerd.",
  'ctx.acceptWebSocket(b)', 'a.accept()', "a.close(3000, 'x')", on('on a message as L1', "raise TypeError('boom')"), "b.send('ping')", 'settle', "ctx.acceptWebSocket(b, ['t'])", 'ctx.getTags(b)', 'ctx.getWebSockets()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-43124136', "Found by the generator (gen-20261206-1087): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', timeout(0, "a.dispatchEvent(MessageEvent('message', {'data': 'd'}))"), on('a.onmessage', "a.close('0b1111101000', text(1))"), on('on b error as L4', 'b.accept()'), on('on b close as L5 once', "raise TypeError('x')"),
  configs=(('2026-03-01', ()),))

G('gen-403c30f1', "Found by the generator (gen-20261206-1475): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [1, True])', 'watch', 'a.accept()', 'a.send(False)', "b.close('+1000', '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-efb9dbbf', "Found by the generator (gen-20261206-1349): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(True)', 'a.close()', microtask("b.send('x')"),
  configs=(('2026-04-26', ()),))

G('gen-13499f53', "Found by the generator (gen-20261206-736): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'b.close(1000)', microtask('a.close(4000, None)'), "a.accept({'x': False})",
  configs=(('2026-11-17', ()),))

G('gen-1533-storage-await-three-hops', "Found by the generator (gen-20261206-1533), widened by hand: an await of a storage call resumes after the microtasks queued before it, three deep; a fourth runs after it.",
  microtask(microtask(microtask(microtask("a.binaryType = 'x'")))), "await ctx.storage.put('k', 1)", 'a.readyState',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-882-no-reply-once-peer-let-go', "Found by the generator (gen-20261205-3772), varied by hand: a message listener that raises fails its read loop a turn after the message; its peer, whose Close arrives once the raising end has let go, sends no automatic reply (readyState 2).",
  'watch', 'a.accept()', 'b.accept()', on('a.onmessage', "raise TypeError('boom')"), "b.send('x')", "a.send('y')", 'a.close(1000)',
  configs=(('2026-11-17', ()),))

G('gen-ccfce114', "Found by the generator (gen-20261205-2817): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a message as L2', 'a.bufferedAmount'), "b.send('x')", "a.send(b'x')",
  configs=(('2026-09-15', ()),))

G('gen-8ca977d7', "Found by the generator (gen-20261205-3541): the kit gives workerd's transcript.",
  microtask(microtask(on('on a message as L1', "ctx.getWebSockets('u')"))), "await ctx.storage.put('k', 1)",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-a79604a5', "Found by the generator's wire programs (gen-3-wire-13): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.close(1000, 'x')"),
  client=("frames binary bytes(130) + 3 b'x'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-2e27e944', "Found by the generator's wire programs (gen-3-wire-18): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.send('x')"),
  client=("frames text b'h\\xc3\\xa9llo \\xe2\\x82\\xac' + ping b'p' + text b'after'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-5fbcd955', "Found by the generator's wire programs (gen-3-wire-34): the kit gives workerd's transcript.",
  'b.accept()', on('b message', 'b.send(data)'),
  client=("frames ping b'p' mask=0 + text b'h\\xc3\\xa9llo \\xe2\\x82\\xac' + ping b'p' fin=0", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-9a9332df', "Found by the generator's wire programs (gen-3-wire-37): the kit gives workerd's transcript.",
  'b.accept()', 'watch', on('b message', "b.send('x')"),
  client=("frames text b'okokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokok' + ping bytes(126) + 11 b''", 'wait',),
  configs=(('2025-09-01', ()),))

G('gen-845d4a14', "Found by the generator's wire programs (gen-3-wire-44): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.close(1000, 'x')"),
  client=("frame binary b'' mask=0", "frame ping b'' mask=0", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-1546563a', "Found by the generator's wire programs (gen-3-wire-45): the kit gives workerd's transcript.",
  on('b close', "b.close(1000, 'x')"),
  client=("frame ping b'q'", "frames text b'\\xc0\\xaf' + ping b'q' mask=0 + ping b'p' fin=0", 'wait',),
  configs=(('2025-09-01', ()),))

G('gen-5d255ada', "Found by the generator's wire programs (gen-3-wire-50): the kit gives workerd's transcript.",
  'b.accept()', on('b message', 'b.send(data)', timeout(0, 'b.readyState')),
  client=("frames text b'\\xed\\xa0\\x80' + close b'\\x03'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-c2a17933', "Found by the generator's wire programs (gen-3-wire-72): the kit gives workerd's transcript.",
  'b.accept()', 'watch', on('b message', 'b.send(data)'),
  client=("frames text b'a\\xffb' + ping b'' + ping b'p' fin=0", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-e2567fe4', "Found by the generator (gen-4242-106): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(text(1))', 'a.close()',
  configs=(('2026-11-17', ()),))

G('gen-b1511fd9', "Found by the generator (gen-4242-315): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", on('a.onmessage', 'a.bufferedAmount'), "a.send(scratch(b'x'))",
  configs=(('2026-11-17', ()),))

G('gen-3b707ed8', "Found by the generator (gen-4242-425): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('a.onerror', on('on b close as L5')), "a.send('x')", 'b.close(1000, True)',
  configs=(('2026-11-17', ()),))

# Open: b's first pump continuation (for 'x') runs, in the kit, after webSocketClose's
# ws.close() started a second pump, and cancels it (_cont_before_pump), so a sees its pipe go
# ("Network connection lost." on a). workerd gives no error on a and one on b after a's close
# event; which continuation releases b there (the hibernatable release paths in
# LWA::ensurePumping's continuation never cancel a running pump) is not pinned down yet.
G('gen-37d470cb', "Found by the generator (gen-4242-448): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(1)])', handler('webSocketClose', "ws.close(1000, 'x')"), 'watch', 'a.accept()', "b.send('x')", "a.close('0x3e8', 42)",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-efc94748', "Found by the generator (gen-4242-708): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', "a.accept({'x': False})", "a.send('x')", "b.close(4999, '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-f5ab3baf', "Found by the generator (gen-4242-1172): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(1e21)', 'a.close(4000, text(123))', "b.send('x')", on('on a message as L1', "raise TypeError('boom')"),
  configs=(('2026-09-15', ()),))

G('gen-b48c6342', "Found by the generator (gen-4242-1210): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", 'a.accept()', "b.close('0X3E8', 42)", 'a.send(NaN)', 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

# A storage write locks the object's output gate until it is flushed, and messages queued
# meanwhile (here in the microtask, after put() was called) wait for the flush, which comes
# after a has dispatched b's Blob: b's '2.5' and a's 'x' are released together, b's first, so
# a sees '2.5' before 'x' reaches webSocketMessage (GateHolds.wrote).
G('gen-02672c47', "Found by the generator (gen-4242-1432): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [])', 'watch', 'a.accept()', microtask('b.send(2.5)', "a.send('x')"), 'b.send(Uint8Array(2))', "await ctx.storage.put('k', 1)",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-c191bf9c', "Found by the generator (gen-4242-2239): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'b.send(NaN)', 'a.accept()', 'b.close(3000, None)', 'a.close()',
  configs=(('2026-09-15', ()),))

G('gen-63632fdf', "Found by the generator (gen-4242-2405): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [])', 'pair c d', 'watch', "b.send('x')", microtask("a.send('x')"), 'a.accept()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-5041691f', "Found by the generator (gen-4242-2500): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('')", on('on a message as L2', 'a.close()'), on('b.onclose', "raise Error('x')"), 'sleep 5', "a.accept({'x': True})",
  configs=(('2026-03-01', ()),))

G('gen-bf23c75b', "Found by the generator (gen-4242-2684): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", 'pair c d', 'watch', 'a.accept()', 'a.send(-7)', "b.close('0X3E8', 'x')",
  configs=(('2026-11-17', ()),), durable=True)

# As gen-02672c47, after `await put()` the output gate is still locked until the write is
# flushed, so a.send(True) and b.close() go out only then, when b's read loop is back in
# receive() after webSocketMessage: workerd hands 'true' to b before b's Close reaches a.
G('gen-7b488a62', "Found by the generator (gen-4242-2874): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", 'watch', 'a.accept()', "a.send(scratch(b'x'))", "await ctx.storage.put('k', 1)", 'a.send(True)', 'b.close()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-7848c49d', "Found by the generator (gen-4242-2926): the kit gives workerd's transcript.",
  'watch', 'a.accept()', on('on a message as L1', "b.binaryType = 'x'"), "a.send(b'x')", 'a.send(text(1))', "b.accept({'x': True})", "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-1676d7bb', "Found by the generator (gen-20261207-452): the kit gives workerd's transcript.",
  'pair c d', "ctx.acceptWebSocket(d, ['t'])", 'd.send(NaN)', 'c.accept()', on('on c message as L2 once', "c.close('x', True)"), 'c.send(text(70))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2500-accept-after-1006-released', "Found by the generator (gen-4242-2500), varied by hand: an end that sent its Close and then got close 1006 from its vanished peer is released by its read loop, so accept() throws.",
  'a.accept()', 'b.accept()', on('b.onmessage', "raise Error('x')"), "a.send('m')", 'a.close(1000)', 'sleep 5', 'a.accept()',
  configs=(('2026-11-17', ()),))

G('gen-2926-accept-with-frames-waiting', "Found by the generator (gen-4242-2926), varied by hand: an end accepted while its peer's messages wait takes the first in kj's next turn, so what it sends at once reaches the peer first.",
  'watch', 'a.accept()', "a.send('1')", "a.send('2')", "a.send('3')", 'b.accept()', "b.send('x')", "b.send('z')",
  configs=(('2026-11-17', ()),))

G('gen-3cbffbe0', "Found by the generator (gen-20261208-25): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', "a.send(b'')", 'b.close()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-8c2b91f7', "Found by the generator (gen-20261208-56): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", "b.close(1000, '€' + text(1))",
  configs=(('2026-04-26', ()),))

G('gen-2e61f882', "Found by the generator (gen-20261208-80): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', "b.send('x')", 'a.accept()', 'a.close()',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-0de57fd6', "Found by the generator (gen-20261208-367): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", on('on b message as L1', "raise Error('x')"), 'a.send(ab(3))', 'b.close(1000, True)', 'settle', 'state',
  configs=(('2026-09-15', ()),))

G('gen-deb4f6fe', "Found by the generator (gen-20261208-662): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', "raise TypeError('x')"), microtask("b.send(scratch(b'x'))"), "a.send('x')", 'a.send(Uint8Array(2))',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-d01418ba', "Found by the generator (gen-20261208-876): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t''u'])", on('a.onmessage'), "b.send('x')", 'a.accept()', "a.close('+1000', 2.5)",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-9c6cf029', "Found by the generator (gen-20261208-1012): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketMessage', 'ws.send(message)'), 'watch', 'a.accept()', on('on a message as L1', "raise TypeError('boom')"), "a.send(b'x')", on('on a message as L2', "a.close('0b1111101000', 42)"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-cd723eae', "Found by the generator (gen-20261208-1169): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', "b.close('\\n1000\\t')", "a.send('x')", 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-11242dd8', "Found by the generator (gen-20261208-1296): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", 'a.close()', on('on b error as L3', 'b.close(True, text(1))'),
  configs=(('2026-04-26', ()),))

G('gen-e632bfb5', "Found by the generator (gen-20261208-1308): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", "b.send(b'')", "b.send('x')", 'a.close(1000, 42)',
  configs=(('2026-09-15', ()),))

G('gen-b983e7f2', "Found by the generator (gen-20261208-wire-6): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.close(1000, 'x')"),
  client=("frames text b'h\\xc3\\xa9llo \\xe2\\x82\\xac' + text b'hi' rsv=2", 'wait',),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-81d7ecd4', "Found by the generator (gen-4-wire-2): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.close(1000, 'x')"),
  client=("frames binary b'\\x01\\x02' fin=0 mask=0 + ping b'p'", "frames cont b'' + ping bytes(126) mask=0 + 3 b'x'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-1dab93b7', "Found by the generator (gen-4-wire-3): the kit gives workerd's transcript.",
  'b.accept()', on('b message', 'b.send(data)'),
  client=("frames ping bytes(126) + text b'a\\xffb' + ping b'q' + text b'hi' rsv=2", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-f07e713d', "Found by the generator (gen-4-wire-14): the kit gives workerd's transcript.",
  'b.accept()', 'watch', on('b message', "b.close(1000, 'x')"),
  client=("frames text b'a\\xffb' + binary bytes(130) fin=0 + ping b'f' + 3 b'x'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-9afc6e2a', "Found by the generator (gen-4-wire-22): the kit gives workerd's transcript.",
  'b.accept()', on('b message', 'b.send(data)'),
  client=("frames text b'okokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokok' mask=0 + text b'okokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokok' + ping b'p'", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-625a556c', "Found by the generator (gen-20261209-30): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(Uint8Array(2))', on('on b message as L3', 'a.close(3000)'), 'a.send(2.5)', "b.close(1007, '€' + text(1))", on('on a message as L4', "!b.close('x''€' + text(1))"),
  configs=(('2026-11-17', ()),))

G('gen-915065d0', "Found by the generator (gen-20261209-162): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', "b.close(4999, '')", "a.send('x')", 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-133486c3', "Found by the generator (gen-20261209-331): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [])', 'watch', 'a.accept()', "a.send('x')", "b.close(1000, '€' + text(1))",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-cf3cc0d1', "Found by the generator (gen-20261209-460): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'b.send(2.5)', 'a.close(1000, 2.5)', on('on a close as L4 object', "a.accept({'x': True})"),
  configs=(('2026-04-26', ()),))

G('gen-cc2b7b7b', "Found by the generator (gen-20261209-811): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', "b.send('')", 'a.accept()', 'a.send(Uint8Array(2))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-62b2f18f', "Found by the generator (gen-20261209-wire-4): the kit gives workerd's transcript.",
  'b.accept()', "b.binaryType = 'arraybuffer'", on('b message', 'b.send(data)'),
  client=("frames text b'\\xf0\\x9f\\x98' + binary b'\\x01\\x02' + ping bytes(126) mask=0", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-d4ba467c', "Found by the generator (gen-5-wire-48): the kit gives workerd's transcript.",
  'b.accept()',
  client=("frame ping b'q'", "frames text b'\\xc0\\xaf' + ping b'' + close b'\\x03\\xe8' rsv=4", 'wait',),
  configs=(('2026-11-17', ()),))

G('gen-19002027', "Found by the generator (gen-20261205-211): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('on b message as L1', 'a.close(1001)', 'b.send(text(70))'),
  configs=(('2026-11-17', ()),))

G('gen-d44a8467', "Found by the generator (gen-20261205-1211): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(1)])', handler('webSocketClose', 'ws.close(code, reason)'), 'watch', 'a.accept()', 'b.send(text(1))', 'a.close(3000)',
  configs=(('2026-11-17', ()),), durable=True)

# The message b sends from a's close listener, in the microtask that runs after put() was
# called, waits for the write's flush (as gen-02672c47).
G('gen-e9079940', "Found by the generator (gen-20261205-1305): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', microtask("a.dispatchEvent(CloseEvent('close', {'code': 4000, 'reason': 'r'}))"), on('on a close as L1', "b.send('x')"), "b.send('')", "a.close(1014, 'x')", "await ctx.storage.put({'a''b': [2]})",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-10f2f648', "Found by the generator (gen-20261205-1632): the kit gives workerd's transcript.",
  'watch', 'a.accept()', on('on b message as L1', "b.send(scratch(b'x'))"), on('b.onmessage', 'a.close(1003, 2.5)'), 'b.accept()', "a.send(b'x')",
  configs=(('2026-09-15', ()),))

G('gen-7ab3d307', "Found by the generator (gen-20261205-1756): the kit gives workerd's transcript.",
  'watch', 'b.accept()', on('a.onmessage', "raise TypeError('x')"), 'a.accept()', "a.send('x')", 'b.send(Uint8Array(2))', 'a.send(NaN)',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-0527a34c', "Found by the generator (gen-20261205-2252): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('a.onmessage', "raise TypeError('boom')"), "a.close(1014, '€' + text(120))", "b.send(scratch(b'x'))",
  configs=(('2026-11-17', ()),))

G('gen-9ffdbe58', "Found by the generator (gen-20261205-2856): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b message as L1 once', "raise TypeError('x')"), "a.send('x')", 'b.send(Uint8Array(2))', "a.send(b'x')", 'b.send(text(1))', 'b.close()', 'sleep 5', 'state',
  configs=(('2026-09-15', ()),))

G('gen-ba8cea44', "Found by the generator (fixed-seed campaign): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(-7)', on('on b message as L4 object', 'b.send(-0.0)', "b.send('x')"), "a.close('1e3')",
  configs=(('2026-09-15', ()),))

G('gen-b5a38923', "Found by the generator (gen-20261206-95): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", "b.send(b'x')", on('on a message as L1', '!a.close(65536, text(1))'), "b.send('x')", 'a.send(2.5)',
  configs=(('2025-09-01', ()),))

G('gen-4a3891b7', "Found by the generator (gen-20261206-3430): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketMessage', 'ws.send(message)', 'ws.send(message)'), 'a.accept()', on('a.onmessage', 'a.close(1000, True)', "b.addEventListener('x', [])"), "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-3caff2c8', "Found by the generator (gen-20261206-wire-12): the kit gives workerd's transcript.",
  'b.accept()', on('b message', "b.send('x')"),
  client=("frame text b'okokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokokok' fin=0", "frame cont b''", 'sleep 30', "frames ping bytes(126) + text b'x' mask=0 + binary bytes(130) + text b'hi' rsv=1", 'wait',),
  configs=(('2026-11-17', ()),))

# Varied by hand from gen-4a3891b7: the same kind, the smallest program found. When the object
# sends the messages at top level, not in webSocketMessage, the manager takes a's Close at once
# (do-close-from-listener-while-top-level-sends-wait).
G('gen-4a3891b7-handler-sends', "Found by the generator (gen-20261206-3430), varied by hand: a's listener closes while the object's handler's second message waits.",
  'ctx.acceptWebSocket(b)', handler('webSocketMessage', 'ws.send(message)', 'ws.send(message)'), 'a.accept()', on('a.onmessage', 'a.close(1000, True)'), "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-5e5f3768', "Found by the generator (gen-20261211-1145): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L4', "b.send('x')"), 'a.send(Uint8Array(2))', 'a.close(4999, 2.5)', "b.send('')", on('on a message as L7', "!b.close(5000, 'x')"),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

# Varied by hand from gen-b5a38923 and gen-5e5f3768: the same kind when the peer's pump waits
# to send a Close, not a message (pump-fails-after-the-message-its-peer-came-back-for).
G('gen-b5a38923-close-waits', "Found by the generator (gen-20261206-95), varied by hand: the peer's pump waits with a Close.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", "b.send(b'x')", on('on a message as L1', "raise TypeError('r')"), "b.close(1000, 'bye')", 'a.send(2.5)',
  configs=(('2025-09-01', ()),))

G('gen-5e5f3768-close-waits', "Found by the generator (gen-20261211-1145), varied by hand: the peer's pump waits with a Close.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L4', 'b.close(1000)'), 'a.send(Uint8Array(2))', 'a.close(4999, 2.5)', "b.send('')", on('on a message as L7', "raise TypeError('r')"),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-cac2b8f1', "Found by the generator (gen-20261212-264): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', on('on a message as L1 once', "a.close(' 4000 ', '€' + text(1))", "raise TypeError('x')"), "b.send(b'x')", "b.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b5f79beb', "Found by the generator (gen-20261212-307): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('a.onclose', "!a.close('x''€' + text(1))"), "a.send(scratch(b'x'))", on('on b message as L6 once', "raise Error('x')"),
  configs=(('2026-04-26', ()),))

G('gen-e887eccd', "Found by the generator (gen-20261212-1225): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b close as L1', 'b.accept()'), on('on a message as L2 object', "raise Error('x')"), "b.send('x')", "b.send('x')",
  configs=(('2026-04-26', ()),))

G('gen-e45ff0a4', "Found by the generator (gen-20261212-2419): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', 'a.send(-7)', on('on b message as L1', "b.send('x')", 'b.send(-0.0)', "raise Error('x')"), 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-70d881e4', "Found by the generator (gen-20261212-2901): the kit differs from workerd.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L2', '!a.close(1003, True)'), "a.send('x')", "b.send(b'')", 'b.send(text(1))', 'b.send(42)', "a.send('x')",
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e, the other way round: on workerd b's finished pump's continuation runs before b's close event, whose automatic reply reaches a (close 1003); the kit runs it after, and it cancels the reply's pump (b errors, a gets 1006)")

G('gen-f5ea14d0', "Found by the generator (gen-20261212-3399): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', 'b.send(True)', "ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair('ping', 'x'))", "b.send(b'')", "a.send('ping')", "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

# Found by hand, from wire programs with a Durable Object's hibernatable socket as the server:
# frames read together, then a refused frame. The gen-do-wire-779-* programs came from a wire
# campaign with such servers (seed 779, --durable-wire 0.3, not shrunk); where a ping is read
# while the object's replies are near its output gate, the kit differed at first; it gives
# workerd's transcripts now.
G('gen-do-wire-refusal-after-message', "Varied by hand: a ping, a message and a refused frame in one write to a hibernatable socket.",
  "ctx.acceptWebSocket(b)", "webSocketMessage: ws.send(message)", "webSocketClose: ws.readyState", "webSocketError: ws.readyState",
  client=("sleep 30", "frames ping b'p' + text b'x' + text b'hi' rsv=1", 'wait 500'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-refusal-after-two-messages', "Varied by hand: two messages and a refused frame in one write to a hibernatable socket whose handler sends twice.",
  "ctx.acceptWebSocket(b)", "webSocketMessage: ws.send(message); ws.send('2')", "webSocketClose: ws.readyState", "webSocketError: ws.readyState",
  client=("sleep 30", "frames text b'x' + text b'y' + text b'hi' rsv=1", 'wait 500'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-ping-between-messages', "Varied by hand: a message, a ping, two messages and a refused frame in one write to a hibernatable socket.",
  "ctx.acceptWebSocket(b)", "webSocketMessage: ws.send(message)", "webSocketClose: ws.readyState", "webSocketError: ws.readyState",
  client=("sleep 30", "frames text b'a' + ping b'p' + text b'x' + text b'y' + text b'hi' rsv=1", 'wait 500'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-0', "Found by a wire campaign with hibernatable servers (seed 779, program 0; not shrunk).",
  'ctx.acceptWebSocket(b)', "webSocketMessage: ws.close(1000, 'done')", "webSocketClose: ws.readyState; ws.close(1000, 'ok')", 'webSocketError: ws.readyState',
  client=("frame ping b'p'", 'sleep 30', "frames text b'a\\xffb' + ping b''", 'sleep 30', "frames ping b'p' + close b'\\x00\\x00' + text b'after'", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-16', "Found by a wire campaign with hibernatable servers (seed 779, program 16; not shrunk).",
  'ctx.acceptWebSocket(b)', 'webSocketMessage: ws.send(message)', "webSocketClose: ws.close(1000, 'ok')", 'webSocketError: ws.readyState',
  client=("frames ping b'p' + ping b'' mask=0 + text b'\\xed\\xa0\\x80' mask=0", 'sleep 30', "frames ping b'' + ping b'q'", 'sleep 30', "frames text b'' + ping b'p' + binary bytes(130) + close b'\\x03\\xe8' rsv=4", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-28', "Found by a wire campaign with hibernatable servers (seed 779, program 28; not shrunk).",
  'ctx.acceptWebSocket(b)', "webSocketMessage: ws.close(1000, 'done')", "webSocketClose: ws.close(1000, 'ok')", 'webSocketError: ws.readyState',
  client=("frames ping b'q' + ping b''", 'sleep 30', "frames ping b'' + text b'x' mask=0 + ping b''", 'sleep 30', "frames ping b'q' + binary b'\\x01\\x02' + cont b'x'", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-70', "Found by a wire campaign with hibernatable servers (seed 779, program 70; not shrunk).",
  'ctx.acceptWebSocket(b)', "webSocketMessage: ws.close(1000, 'done')", 'webSocketClose: ws.close(code, reason)', 'webSocketError: ws.readyState',
  client=("frames text b'a\\xffb' + ping b'p' + text b'\\xed\\xa0\\x80' fin=0", 'sleep 30', "frames cont b'h\\xc3\\xa9llo \\xe2\\x82\\xac' + close b'\\x03\\xe8'", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-99', "Found by a wire campaign with hibernatable servers (seed 779, program 99; not shrunk).",
  'ctx.acceptWebSocket(b)', "webSocketMessage: ws.send('echo')", 'webSocketClose: ws.close(code, reason)', 'webSocketError: ws.readyState',
  client=("frames ping bytes(126) + ping b'p'", 'sleep 30', "frames binary b'' mask=0 + ping bytes(126) mask=0 + ping bytes(126) + close b'\\x03\\xe8' rsv=4", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-do-wire-779-159', "Found by a wire campaign with hibernatable servers (seed 779, program 159; not shrunk).",
  'ctx.acceptWebSocket(b)', 'webSocketMessage: ws.send(message)', "webSocketClose: ws.readyState; ws.close(1000, 'ok')", 'webSocketError: ws.readyState',
  client=("frames binary bytes(130) + ping b'q'", 'sleep 30', "frames binary b'' mask=0 + text b'\\xc0\\xaf' + ping b'p'", 'sleep 30', "frames binary b'\\x01\\x02' + ping bytes(126) mask=0 + close b'\\x0f\\xa0rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr'", 'wait 500',),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-7eeb7b5d', "Found by the generator (gen-780-170): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a message as L1', "raise Error('x')"), 'b.send(ab(3))', 'settle', "ctx.acceptWebSocket(b, ['t''t'])",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-7ea37000', "Found by the generator (gen-780-336): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a close as L1', microtask("a.send(b'x')"), "raise Error('x')"), "b.close('0x3e8', '€' + text(1))",
  configs=(('2025-09-01', ()),))

G('gen-767bcd34', "Found by the generator (gen-780-1385): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', 'ctx.acceptWebSocket(d, [text(1)])', 'watch', 'a.accept()', 'c.accept()', "b.send('x')", "b.send(scratch(b'x'))", "d.close('0x3e8')",
  configs=(('2026-11-17', ()),), durable=True)


G('gen-c4ec2f50', "Found by the generator (gen-20261207-119): the kit gives workerd's transcript.",
  'a.accept()', on('on b error as L1', "b.accept({'x': False})"), on('on a message as L3', 'a.close(1000, text(1))', "!b.close('x', 2.5)"), 'b.accept()', 'b.send(ab(3))', "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-e29e891e', "Found by the generator (gen-20261207-1530): the kit gives workerd's transcript.",
  'watch', 'a.accept()', "a.send(scratch(b'x'))", "a.send('')", "b.accept({'x': False})", "a.send('x')", 'b.send(Uint8Array(2))',
  configs=(('2026-09-15', ()),))

G('gen-c86ab699', "Found by the generator (gen-20261207-3373): the kit gives workerd's transcript.",
  'b.accept()', on('on b close as L2 object', microtask("a.accept({'allowHalfOpen': False})")), "b.close(1000, 'x')", "b.dispatchEvent(CloseEvent('close', {'code': 4000, 'reason': 'r'}))",
  configs=(('2025-09-01', ()),))

G('gen-do-wire-781-41', "Found by a wire campaign with hibernatable servers (seed 781, program 41; not shrunk).",
  'ctx.acceptWebSocket(b)', "webSocketMessage: ws.close(1000, 'done')", 'webSocketClose: ws.close(code, reason)', 'webSocketError: ws.readyState',
  client=("frames binary bytes(130) + pong bytes(200) + cont b'x'", 'wait 500'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-3fafce12', "Found by the generator (gen-20261208-3183): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketClose', 'ws.close()'), 'a.accept()', on('on a message as L1', "raise Error('x')"), 'b.send(-7)', timeout(1, 'state'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-df3681aa', "Found by the generator (gen-20261208-1666): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketClose', "ws.close(1000, 'x')"), 'watch', 'a.accept()', 'b.send(False)', "b.send(b'x')", 'a.close(1000, True)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-7ce807bf', "Found by the generator (gen-20261208-2378): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('x')", on('a.onmessage', microtask("a.close('+1000', '')")), "b.send('x')",
  configs=(('2026-09-15', ()),))

G('gen-6c7fc539', "Found by the generator (gen-20261213-109): the kit gives workerd's transcript.",
  'watch', 'a.accept()', on('on a message as L1 once', "!b.close('x''é')"), "b.accept({'x': False})", on('a.onerror', "!b.close('0b1111101000', True)", microtask("a.send('x')")), "b.send(b'')",
  configs=(('2026-04-26', ()),))

G('gen-46631a56', "Found by the generator (gen-20261214-550): the kit gives workerd's transcript.",
  'watch', 'b.accept()', "b.send('x')", on('on a close as L3', "a.accept({'x': False})"), "a.dispatchEvent(CloseEvent('close', {'code': 4000, 'reason': 'r'}))", 'b.send(2.5)', on('a.onmessage', microtask('a.close(0)'), "a.close('0x3e8', '')"),
  configs=(('2026-09-15', ()),))

G('gen-263a6965', "Found by the generator (gen-20261214-740; its microtask raised, which Pyodide's asyncio prints to stderr, so it sets binaryType here, which differs the same way): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L2', microtask("a.binaryType = 'x'"), 'a.close()'), 'b.send(1.0)', 'b.send(False)',
  configs=(('2026-09-15', ()),))

G('gen-4bc5a3ab', "Found by the generator (gen-20261214-3068): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('a.onmessage', "!b.close('x', text(1))"), 'b.send(ab(3))', on('on b close as L4', "raise Error('boom')"), "a.close('1e3', 42)", "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-dbed79b4', "Found by the generator (gen-20261215-2838): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('b.onclose', "a.close(5000, '')"), on('on a message as L5', "raise Error('boom')"), "a.send(b'x')", on('on b message as L6', microtask("b.send(scratch(b'x'))"), "a.close('0X3E8', '€' + text(120))"),
  configs=(('2026-09-15', ()),))

G('gen-32fe8511', "Found by the generator (gen-20261215-128): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", on('on b message as L1 once', "raise Error('x')"), "a.send('x')", on('on a message as L8', "a.close('x')"), 'b.send(42)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-faefd0c9', "Found by the generator (gen-20261215-1466): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t''u'])", handler('webSocketMessage', "ws.send('x')"), 'watch', 'a.accept()', "a.send('x')", "a.send(b'x')", "a.send('')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-bdc9ab42', "Found by the generator (gen-20261215-1876): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(1e21)', on('on a message as L3 once', 'a.close(1011)'), on('on b message as L4 once', 'b.send(2.5)', "raise Error('x')"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-a79fc489', "Found by the generator (gen-20261215-2328): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a message as L1', on('on a message as L2', "!b.close(1015, '€' + text(1))")), on('on b message as L4 object', "b.send('x')", "raise Error('x')"), on('a.onerror', 'a.send(text(1))'), "b.send('x')", "a.dispatchEvent(Event('message'))", 'settle', 'b.accept()',
  configs=(('2026-09-15', ()),))

G('gen-a9dc1382', "Found by the generator (gen-20261215-2971): the kit gives workerd's transcript.",
  'b.accept()', on('on a message as L1', on('on b close as L2', 'b.send(-7)')), 'a.accept()', "b.send(scratch(b'x'))", on('on a message as L6 object', "raise TypeError('x')"), 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b9cf36ed', "Found by the generator (gen-20261215-3847): the kit gives workerd's transcript (do-close-in-listener-peer-pump-done-after-close-event).",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L1', 'b.send(2.5)', 'b.send(-0.0)'), "a.send('')", on('on a message as L3 object', on('on a message as L4 once'), "a.close('0x3e8')"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b9cf36ed-close-in-microtask', "Varied by hand from gen-b9cf36ed: a's close() in a microtask of its listener; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L1', 'b.send(1)', 'b.send(2)'), "a.send('')", on('on a message as L3 once', microtask('a.close(1000)')),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b9cf36ed-other-pair', "Varied by hand from gen-b9cf36ed: another pair's message, sent at top level, is on its way.",
  'pair c d', 'c.accept()', 'd.accept()', 'watch', 'a.accept()', 'b.accept()', on('on b message as L1', 'b.send(1)', 'b.send(2)'), "a.send('')", "d.send('o')", on('on a message as L3 once', 'a.close(1000)'),
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-b9cf36ed, with another pair's message on its way: on workerd a dispatches b's second message after b's close event, and reports nothing; the kit dispatches it before, and a reports 'Network connection lost.' (another case of other activity in the object shifting the phase of chains of kj turns)")

# Varied by hand from gen-b9cf36ed: the same kind without a Close. a answers in its listener
# for b's first message, sent in b's listener, while a's read loop comes back for b's second.
G('gen-b9cf36ed-answer', "Found by the generator (gen-20261215-3847), varied by hand: a answers b's first message instead of closing.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L1 once', 'b.send(1)', 'b.send(2)'), "a.send('')", on('on a message as L3 once', "a.send('r')"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-b0561222', "Found by the generator (gen-20261216-782): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a message as L1', "!a.close(NaN, 'é')"), 'a.send(ab(3))', "b.send('x')", timeout(1, 'a.accept()'), on('on b message as L2', '!b.close(True)'), "a.send(b'x')",
  configs=(('2026-04-26', ()),))

G('gen-a960ef6a', "Found by the generator (gen-20261219-32): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", 'a.close(4000, True)', on('on b close as L3', 'b.send(text(1))', 'b.close(1007, text(1))'), 'sleep 5', 'b.bufferedAmount',
  configs=(('2026-03-01', ()),))

G('gen-6f385343', "Found by the generator (gen-20261219-1394): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b close as L1', "raise Error('x')"), "b.close('1000.', True)", on('on a close as L2 object', "raise TypeError('x')"), 'settle', 'state',
  configs=(('2026-03-01', ()),))

G('gen-f5ede4d5', "Found by the generator (gen-20261219-2050): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'a.accept()', on('on a error as L1', 'b.send(text(1))'), on('on a message as L2', "raise Error('x')"), "b.send(b'')", 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-a67d4948', "Found by the generator (gen-20261219-2329): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b close as L1 once', "b.send('x')"), "a.close(2999, 'x')", on('on b close as L2', '!b.close(1003, 2.5)'), "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-069dd816', "Found by the generator (gen-20261223-3363): the kit gives workerd's transcript.",
  'b.accept()', on('on b message as L1 once', on('on a message as L2', 'b.accept()'), 'b.send(False)', "raise TypeError('x')"), 'b.send(NaN)', "b.send('x')", "a.accept({'x': True})", "a.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-c440d766', "Found by the generator (gen-20261225-1590): the kit gives workerd's transcript.",
  'pair c d', 'ctx.acceptWebSocket(d, [1, True])', 'watch', 'a.accept()', 'b.accept()', "a.send(b'')", "c.accept({'x': False})", 'd.close()', 'a.send(ab(3))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-64e5ebf3', "Found by the generator (gen-20261226-1401): the kit differs from workerd.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(ab(3))', on('on a message as L1 once', 'a.close(1000, 2.5)', on('on b close as L2 once', "raise TypeError('x')"), on('on b message as L3 once', 'b.send(False)', 'b.send(42)')), "a.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-758e48e8', "Found by the generator (gen-20261226-1431): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', handler('webSocketMessage', 'ws.send(message)', "ws.send('x')"), 'a.accept()', 'a.send(NaN)', on('on a message as L4', on('on a close as L6', "d.send('')"), 'a.close()'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-ce30642e', "Found by the generator (gen-20261226-2890): the kit differs from workerd.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(-7)', "a.send('x')", on('on b message as L2 object', 'b.send(2.5)'), "b.dispatchEvent(Event('message'))", "a.send(b'x')", "a.send('x')", "b.close('0b1111101000', '€' + text(120))",
  configs=(('2026-09-15', ()),),
  open="a's read loop comes back with b's Close and waits to enter the isolate while b's read loop takes a's last message right after its dispatch: whether a's finished pump's continuation runs before a's close event (workerd here: the automatic reply goes out, b closes cleanly) or after it (the continuation cancels the reply's pump: a errors, b gets 1006) follows the phase of the two read loops' cycles in kj turns; the same program with the top-level sends in the other order gives the other answer (gen-ce30642e-phase, close-reply-cancelled-when-peer-dispatched-first). The kit always runs it after")

G('gen-46145bdf', "Found by the generator (gen-20261228-2476): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.close(1007, '€' + text(1))", 'b.send(Uint8Array(2))', on('on b close as L2', "b.send('x')", 'b.close(1011, None)'),
  configs=(('2025-09-01', ()),))

G('gen-77a29a12', "Found by the generator (gen-20261228-1000): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('on b message as L1', "raise Error('x')"), 'b.send(NaN)', 'b.close(1000)', "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-dd079130', "Found by the generator (gen-20261229-1439): the kit differs from workerd.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(1.0)', "a.send('x')", 'a.send(1.0)', "a.send(b'')", on('on b message as L3 once', "b.send('x')", 'b.send(False)', 'b.close()'),
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e: on workerd a's finished pump's continuation runs before a's close event, and b gets close 1005; the kit runs it after, and it cancels the reply's pump (a errors, b gets 1006)")

# Varied by hand from gen-ce30642e, measured on workerd 2026-11-23: each of these runs the
# finished pump's continuation before the close event, and the kit after it. The phase pair:
# the same sends in the other order give the kit's order on workerd too
# (close-reply-cancelled-when-peer-dispatched-first), so it is not the kind of program that decides.
G('gen-ce30642e-phase', "Varied by hand from gen-ce30642e: a's sends written before b's; on workerd b's finished pump's continuation runs before b's close event and the reply goes out.",
  'watch', 'a.accept()', 'b.accept()', "a.send('a1')", "a.send('a2')", 'a.close(4000)', 'b.send(1)', 'b.send(2)', 'b.send(3)',
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e, with a's sends written first; with b's written first (close-reply-cancelled-when-peer-dispatched-first) workerd gives the kit's order")

G('gen-ce30642e-top-level', "Varied by hand from gen-ce30642e: each end sends at top level, then b closes.",
  'watch', 'a.accept()', 'b.accept()', 'b.send(1)', 'b.send(2)', "a.send('x')", "a.send('y')", "a.send('z')", 'b.close()',
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e")

G('gen-ce30642e-close-in-listener', "Varied by hand from gen-dd079130: b's listener sends two messages and closes with a reason.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(1)', "a.send('x')", 'a.send(1)', "a.send(b'')", on('on b message as L3', "b.send('x')", 'b.send(False)', "b.close(1000, 'r')"),
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e")

G('gen-ce30642e-close-in-microtask', "Varied by hand from gen-dd079130: b's Close comes from a microtask of its listener.",
  'watch', 'a.accept()', 'b.accept()', 'a.send(1)', "a.send('x')", 'a.send(1)', "a.send(b'')", on('on b message as L3 once', "b.send('x')", 'b.send(False)', microtask('b.close()')),
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e")

G('gen-ce30642e-with-a-listener', "Varied by hand from gen-dd079130: a has a message listener too.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L9', 'a.readyState'), 'a.send(1)', "a.send('x')", 'a.send(1)', "a.send(b'')", on('on b message as L3 once', "b.send('x')", 'b.send(False)', 'b.close()'),
  configs=(('2026-11-17', ()),),
  open="as gen-ce30642e")

G('gen-70d881e4-variant', "Varied by hand from gen-70d881e4 (the same program under its library name before).",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L2', '!a.close(1003, True)'), "a.send('x')", "b.send(b'')", 'b.send(text(1))', 'b.send(42)', "a.send('x')",
  configs=(('2026-09-15', ()),),
  open="as gen-70d881e4")

G('gen-3dd531c0', "Found by the generator (gen-20270113-2448, --cross-sends) while trying a rule for gen-ce30642e's kind that ran the continuation first: the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', "b.send('x')", "b.send('')", "a.send('x')", on('on a message as L1', 'a.close(4000)'), 'b.send(NaN)', on('on b error as L2 once', 'a.send(1.0)'),
  configs=(('2026-11-17', ()),))

# Varied by hand from gen-767bcd34: a manager that has not dispatched yet takes a frame sent in
# a's listener at once (do-fresh-manager-takes-answer-first), but not while a's read loop comes
# back for a frame another manager's handler sent (do-fresh-manager-waits-behind-handlers-way-back).
G('gen-767bcd34-two-managers', "Found by the generator (gen-780-1385), varied by hand: b's manager, back from its handler, and d's, which has not dispatched yet, each get a frame from a's listener; the kit gives workerd's transcript.",
  'pair c d', 'ctx.acceptWebSocket(b)', 'ctx.acceptWebSocket(d)', 'watch', handler('webSocketMessage', "ws.send('m1')", "ws.send('m2')"), 'a.accept()', 'c.accept()', on('on a message as L1 once', "a.send('r')", "c.send('q')"), "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-767bcd34-two-managers-dispatched-before', "Varied by hand from gen-767bcd34-two-managers: d's manager dispatched a message of c's first, and its handler's two messages go to c.",
  'pair c d', 'ctx.acceptWebSocket(b)', 'ctx.acceptWebSocket(d)', 'watch', handler('webSocketMessage', "ws.send('m1')", "ws.send('m2')"), 'a.accept()', 'c.accept()', "c.send('q0')", on('on a message as L1 once', "a.send('r')", "c.send('q')"), "a.send('x')",
  configs=(('2026-11-17', ()),), durable=True,
  open="on workerd webSocketMessage(b) and webSocketMessage(d) get a's and c's frames before a dispatches the second message of b's handler; the kit dispatches that message first, as it does (and workerd does) when d had not dispatched before (gen-767bcd34-two-managers): c's read loop, busy with d's handler's messages, changes which chain of kj turns reaches the object first")

G('gen-68d796e8', "Found by the generator (gen-20261231-2853): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1', "raise Error('boom')"), on('on b message as L3 once', "b.send('')", "raise TypeError('x')"), "a.send(scratch(b'x'))", 'a.send(NaN)',
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-093a5f4f', "Found by the generator (gen-20261227-157): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(1)])', handler('webSocketMessage', 'ws.send(message)', "ws.send('x')"), 'watch', 'a.accept()', on('on a message as L2 once', "a.close('0X3E8', '€' + text(1))"), 'a.send(text(1))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-ac53e031', "Found by the generator (gen-20261227-1676): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('x')", on('on a message as L2', microtask("!b.close('0b1111101000', '')"), 'a.close(1003)'),
  configs=(('2026-11-17', ('web_socket_manual_reply_to_close',)),))

G('gen-ffbc9386', "Found by the generator (gen-20261227-2662): the kit differs from workerd.",
  'a.accept()', 'b.accept()', on('a.onmessage', on('on b close as L2', "b.close('\\n1000\\t', '€' + text(1))"), '!b.close(True, True)'), "a.send('x')", 'b.send(False)', "a.close(1000, '')", 'sleep 5', 'state',
  configs=(('2025-09-01', ()),))

G('gen-dc4541af', "Found by the generator (gen-20270101-1684): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a error as L1', microtask('b.send(text(1))')), on('on a message as L5', "raise Error('x')"), "b.send('x')",
  configs=(('2026-03-01', ()),))

G('gen-86d02395', "Found by the generator (gen-20270101-3246): the kit gives workerd's transcript.",
  'watch', 'b.accept()', on('on a message as L1', 'a.close(1007, text(1))', on('b.onclose', "raise Error('x')")), "b.send(scratch(b'x'))", "a.accept({'x': False})", "b.close('1000.', '€' + text(121))",
  configs=(('2025-09-01', ()),))

G('gen-59a454e2', "Found by the generator (gen-20270102-2751): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b close as L2 object', "raise Error('boom')"), "b.send('x')", 'b.send(Uint8Array(2))', "a.close(1000, '€' + text(1))",
  configs=(('2026-04-26', ()),))

G('gen-0196d05f', "Found by the generator (gen-20270102-3031): the kit gives workerd's transcript.",
  'watch', 'b.accept()', microtask('a.close(1000, 42)'), on('on b message as L2 once', "b.send('x')", '!b.close(1011)'), on('on b close as L4 object', "!a.close(0, '')"), "a.accept({'x': True})", "a.send('x')",
  configs=(('2025-09-01', ()),))

G('gen-b0d12526', "Found by the generator (gen-20270102-1143): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "a.send('x')", on('b.onmessage', "b.send(scratch(b'x'))", '!b.close(1015)'), on('on a message as L3', "a.close('1000.', 42)"), on('on b error as L4', "b.send('x')"),
  configs=(('2026-04-26', ()),))

G('gen-27108d50', "Found by the generator (gen-20270102-299): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['u'])", 'watch', 'a.accept()', "a.send(b'x')", 'b.send(Uint8Array(2))', on('on a message as L3', 'a.close()'), 'b.send(ab(3))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-40047df9', "Found by the generator (gen-20270103-543): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', microtask('b.send(Uint8Array(2))'), "a.send('x')", on('on b close as L4', "raise Error('x')"), 'a.close(1000, None)', "b.send('x')",
  configs=(('2025-09-01', ()),))

G('gen-1a96a580', "Found by the generator (gen-20270104-1913): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L2', 'b.send(text(1))', microtask("!a.close('1000.', text(123))")), 'a.send(ab(3))', 'b.send(2.5)',
  configs=(('2026-11-17', ()),))

G('gen-ce25c1e9', "Found by the generator (gen-20270105-3900): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on b message as L1 object', "a.accept({'x': True})"), "b.send(b'')", on('on a error as L5', "a.send(b'')"), on('on a message as L6 once', "raise Error('x')"),
  configs=(('2026-11-17', ()),))

G('gen-370e6709', "Found by the generator (gen-20270105-1041): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send('x')", "a.send('x')", on('on b message as L2', "a.close('\\n1000\\t')"), "b.send('')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-f3b926f6', "Found by the generator (gen-20270105-2424): the kit gives workerd's transcript.",
  'a.accept()', 'b.accept()', on('on a message as L1', "a.close(1011, '€' + text(121))"), 'b.send(1e21)', "a.send(b'')", on('on a message as L2 object', 'add a message L1'), "a.send('x')", "b.send(b'')", on('on b message as L3', microtask('a.close()')),
  configs=(('2026-11-17', ()),))

G('gen-587571aa', "Found by the generator (gen-20270107-3140): the kit gives workerd's transcript.",
  'b.accept()', "a.accept({'x': False})", "a.send('x')", on('b.onmessage', 'b.bufferedAmount'), 'b.send(2.5)', 'b.send(Uint8Array(2))',
  configs=(('2026-11-17', ()),), durable=True)

# Found by generated Python programs (cfws-playground verify --python --generate 1000 --seed 3),
# written in the JavaScript step language: a's listener sends from b.
G('gen-py3-263', "Found by the Python generator (pygen-3-263): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L2 once', "b.send(Uint8Array(2))"), 'a.send(1.5)', "a.close(1000, 'f')", on('on b message as L6', "b.send('')"),
  configs=(('2026-11-17', ()),))

G('gen-py3-982', "Found by the Python generator (pygen-3-982): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L2', "b.send('x')"), "b.send('m')", on('on a message as L3', microtask("a.accept()")), "a.close(1000, 'r')",
  configs=(('2026-11-17', ()),))

G('gen-py4-295', "Found by the Python generator (pygen-4-295): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', microtask('b.close(1000)')), "b.send('x')", 'a.send(1)', "a.send('y')",
  configs=(('2026-11-17', ()),))

# Found with --cross-sends (a once message listener on a also sends from b).
G('gen-987b654c', "Found by the generator (gen-20270110-1911, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', on('on a message as L1 once', 'b.send(42)', 'a.close()'), "b.send(b'')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-e9fc88f8', "Found by the generator (gen-20270110-2589, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', on('on a message as L1 once', 'b.send(False)'), 'b.send(42)', on('on a message as L3', 'a.serializeAttachment(text(1))', "a.close('+1000', '€' + text(120))"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-c3696096', "Found by the generator (gen-20270111-1031, --cross-sends): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('b.onmessage', "raise TypeError('x')"), 'b.send(False)', 'b.send(2.5)', on('on a message as L3 once', microtask('a.close(4999, text(1))')), "a.send(b'x')",
  configs=(('2026-04-26', ()),))

G('gen-596bd536', "Found by the generator (gen-20270111-1195, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(256)])', 'a.accept()', 'b.send(-0.0)', on('on a message as L4 once', "raise Error('x')"), 'b.send(-7)', 'a.close()', 'settle', 'ctx.getTags(b)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-5508919a', "Found by the generator (gen-20270111-3456, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', 'a.send(2.5)', 'b.send(Uint8Array(2))', "a.close(' 4000 ', True)", on('on a message as L2 once', "raise Error('boom')"),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-85ac63a7', "Found by the generator (gen-20270112-1688, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', 'ctx.acceptWebSocket(d, [])', 'watch', 'a.accept()', "a.send('x')", 'c.accept()', 'b.close()', 'c.send(Uint8Array(2))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-289205b6', "Found by the generator (gen-20270115-1432, --cross-sends): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", 'watch', 'a.accept()', on('on a message as L3 once', 'a.close(1016)', "raise Error('boom')"), "b.send(b'')", "await ctx.storage.delete('k')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-322278c8', "Found by the generator (gen-20270116-1327): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [1, True])', handler('webSocketMessage', "ws.send('x')"), handler('webSocketClose', 'ctx.getTags(ws)'), 'watch', 'a.accept()', 'a.send(42)', on('on a message as L2', "a.close('1000')"), 'b.send(ab(3))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-289205b6-write-in-listener-plain-peer', "Varied by hand from gen-289205b6: a plain b, and the write in a's raising listener before its Close; the kit gives workerd's transcript (do-raising-listener-write-close-peer-answers).",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L3 once', "ctx.storage.put('k', 1)", 'a.close(1016)', "raise Error('boom')"), "b.send(b'')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2d062b18', "Found by the generator (gen-20270117-2259): the kit gives workerd's transcript (do-hibernatable-pump-fails-before-manager-way-back).",
  'ctx.acceptWebSocket(b, [1, True])', 'watch', 'a.accept()', on('on a message as L1', "raise Error('x')"), "b.send('x')", "b.send('x')", 'a.send(1e21)', 'a.send(ab(3))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2d062b18-three-messages', "Varied by hand from gen-2d062b18: a sends three messages; the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [1, True])', 'watch', 'a.accept()', on('on a message as L1', "raise Error('x')"), "b.send('x')", "b.send('x')", 'a.send(1)', 'a.send(2)', 'a.send(3)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2d062b18-with-message-handler', "Varied by hand from gen-2d062b18: webSocketMessage sends; two messages from a; the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketMessage', "ws.send('h')"), 'watch', 'a.accept()', on('on a message as L1', "raise Error('x')"), "b.send('x')", "b.send('x')", 'a.send(1)', 'a.send(2)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2d062b18-with-close-handler', "Varied by hand from gen-2d062b18: a webSocketClose handler; two messages from a; the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketClose', 'ws.readyState'), 'watch', 'a.accept()', on('on a message as L1', "raise Error('x')"), "b.send('x')", "b.send('x')", 'a.send(1)', 'a.send(2)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2d062b18-other-pair', "Varied by hand from gen-2d062b18: another pair's message, sent at top level, waits to be dispatched.",
  'pair c d', 'c.accept()', 'd.accept()', 'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', on('on a message as L1', "raise Error('x')"), "b.send('x')", "b.send('y')", "d.send('o')", 'a.send(1)', 'a.send(2)',
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-2d062b18, with another pair's message on its way: on workerd webSocketMessage gets a's second message before b's pump's error, as when the manager dispatched before a's listener raised; the kit reports the error first. Another case of other activity in the object shifting the phase of chains of kj turns (gen-767bcd34-two-managers-dispatched-before)")

G('gen-2d062b18-close-in-listener', "Varied by hand from gen-2d062b18: a's listener closes before it raises.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', on('on a message as L1', 'a.close(1000)', "raise Error('x')"), "b.send('x')", "b.send('y')", 'a.send(1)', 'a.send(2)',
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-2d062b18, with a Close from a's raising listener: on workerd webSocketClose(b) is the manager's last event and b's pump reports nothing; the kit reports 'Network connection lost.' on b after it")

G('gen-44c57b21', "Found by the generator (gen-20270118-380): the kit gives workerd's transcript.",
  'watch', 'b.accept()', 'b.send(1e21)', 'b.send(ab(3))', on('on b message as L1', on('on b error as L2 once', 'a.send(False)'), "!b.close(4294968296, 'x')"), on('on a close as L3 once', '!a.close(1015, text(1))'), "b.close('0X3E8')", "a.accept({'x': True})", 'a.send(1.0)',
  configs=(('2025-09-01', ()),))

G('gen-4d94c8f9', "Found by the generator (gen-20270118-2878): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', handler('webSocketClose', 'ws.deserializeAttachment()'), 'watch', 'a.accept()', timeout(1, 'b.send(text(1))', "b.send('x')"), "a.send('x')", on('on a message as L3', 'a.close(4000, 42)'),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-2cfee876', "Found by the generator (gen-20270119-1209, --cross-sends): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t''t'])", 'watch', 'a.accept()', on('on a message as L1 once', "b.send('')"), 'a.send(text(1))', 'a.send(text(70))', 'b.send(text(1))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-f80f3f22', "Found by the generator (gen-20270121-796, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'pair c d', 'ctx.acceptWebSocket(d, [])', 'watch', 'a.accept()', 'd.send(1.0)', "b.send('x')", 'c.accept()', on('on c message as L1', on('on b error as L2', on('on c error as L3', 'a.readyState'))),
  configs=(('2026-11-17', ()),), durable=True)

G('gen-df61bf35', "Found by the generator (gen-20270121-3768, --cross-sends): the kit gives workerd's transcript (do-closer-pump-done-after-peer-let-go-after-write).",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', "b.send(b'x')", 'a.send(text(1))', "await ctx.storage.put({'a''b': [2]})", "b.close('+1000', 'x')", 'a.send(-0.0)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-df61bf35-two-messages', "Varied by hand from gen-df61bf35: a sends two messages after b's close(); the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', "b.send(b'x')", 'a.send(text(1))', "await ctx.storage.put('k', 2)", "b.close(1000, 'x')", 'a.send(0)', 'a.send(1)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ec62a3d', "Found by the generator (gen-20270123-1247, --cross-sends): the kit gives workerd's transcript.",
  'pair c d', 'watch', 'a.accept()', 'b.accept()', "b.send(scratch(b'x'))", on('on a message as L1', 'a.close(1000)'), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ec62a3d-write-in-listener', "Varied by hand from gen-4ec62a3d: a's listener writes to storage before its close(); the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send(b'x')", on('on a message as L1', "ctx.storage.put('k', 1)", 'a.close(1000)'), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ec62a3d-write-then-send', "Varied by hand from gen-4ec62a3d: a's listener writes to storage and sends a message; a's Close is its automatic reply; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send(b'x')", on('on a message as L1 once', "ctx.storage.put('k', 1)", "a.send('y')"), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ec62a3d-write-send-close', "Varied by hand from gen-4ec62a3d: a's listener writes to storage, sends a message and closes; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', "b.send(b'x')", on('on a message as L1', "ctx.storage.put('k', 1)", "a.send('y')", 'a.close(1000)'), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-4ec62a3d-write-then-send-twice', "Varied by hand from gen-4ec62a3d-write-then-send: b sends two messages before its Close, and a's listener writes and sends on each.",
  'watch', 'a.accept()', 'b.accept()', "b.send(b'x')", "b.send(b'x2')", on('on a message as L1', "ctx.storage.put('k', 1)", "a.send('y')"), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-4ec62a3d-write-then-send, with a second message from b and a second write and message from a's listener: on workerd a's pump still reports 'Network connection lost.' after b's close event; in the kit the pump's continuation runs before b's close event, so a reports nothing")

G('gen-4ec62a3d-write-then-send-three', "Varied by hand from gen-4ec62a3d-write-then-send-twice: b sends three messages before its Close.",
  'watch', 'a.accept()', 'b.accept()', "b.send(b'x')", "b.send(b'x2')", "b.send(b'x3')", on('on a message as L1', "ctx.storage.put('k', 1)", "a.send('y')"), "b.close(1007, '')",
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-4ec62a3d-write-then-send-twice, with a third message from b: on workerd a's pump has finished before a's close event, and its continuation cancels the automatic reply (a errors, b gets 1006); in the kit the reply joins the pump and both close cleanly")

G('gen-fd00cb8b', "Found by the generator (gen-20270123-1851, --cross-sends): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b)', 'watch', 'a.accept()', 'b.send(42)', "b.send(b'')", microtask('a.close(1012)'), "b.close('1000.', 'x')", 'a.send(-0.0)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-45c8d0e2', "Found by the generator (gen-20270123-3324, --cross-sends): the kit differs from workerd.",
  "ctx.acceptWebSocket(b, ['t''u'])", 'pair c d', handler('webSocketMessage', "ws.send('x')", 'ws.send(message)'), 'watch', 'a.accept()', on('on a message as L3', 'a.close()'), "d.accept({'x': False})", 'c.accept()', 'd.send(-7)', 'a.send(text(70))',
  configs=(('2026-11-17', ()),), durable=True,
  open="in a Durable Object, the handler answers a's message with two messages, a's listener closes on the first, and another pair of the object (d to c) has a message on its way: on workerd webSocketClose comes before a's second message, the kit dispatches the message first; without the other pair's message both agree (the phase of read loops' kj cycles, as gen-ce30642e)")

G('gen-45c8d0e2-plain-peer', "Varied by hand from gen-45c8d0e2: b is a plain socket whose listener answers with two messages.",
  'b.accept()', 'pair c d', on('on b message as L9', "b.send('x')", 'b.send(2)'), 'watch', 'a.accept()', on('on a message as L3', 'a.close()'), 'd.accept()', 'c.accept()', 'd.send(1)', 'a.send(text(70))',
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-45c8d0e2 with a plain b: on workerd b's close event comes before a's second message and no error follows; the kit dispatches the message first, then b's close event and an error on b")

G('gen-1e24b327', "Found by the generator (gen-20270124-828, --durable-wire 0.5): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b close as L2 once', "b.close(1012, '€' + text(120))"), "b.send('x')", on('on b close as L3 once', 'a.send(42)', "a.send('x')"), "b.dispatchEvent(CloseEvent('close', {'code': 4000, 'reason': 'r'}))",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-61476f80', "Found by the generator (gen-20270126-195, --durable-wire 0.5): the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(b, [text(1)])', 'pair c d', 'watch', 'a.accept()', "await ctx.storage.put('k', 1)", 'b.close()', 'a.close(1000, 2.5)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-82b6a9c8', "Found by the generator (gen-20270129-2143, --cross-sends): the kit gives workerd's transcript.",
  "ctx.acceptWebSocket(b, ['t'])", 'pair c d', 'watch', 'a.accept()', on('on a message as L1 once', "b.send(b'')", "a.close('0o1750', '€' + text(1))"), 'b.send(NaN)', 'b.send(text(70))',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-db9935e8', "Found by the generator (gen-20270131-1750, --cross-sends): the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L1', "b.send('x')", microtask("!a.close('0x3e8', True)", 'b.send(1e21)')), 'a.send(text(1))',
  configs=(('2026-09-15', ()),))

G('gen-db9935e8-durable', "Varied by hand from gen-db9935e8: the same in a Durable Object; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L1', "b.send('x')", microtask("a.close(1000, 'r')", 'b.send(2)')), "a.send('m')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-db9935e8-durable-other-pair-first', "Varied by hand from gen-db9935e8-durable: another pair's message, sent at top level first, is dispatched before b's.",
  'pair c d', 'c.accept()', 'd.accept()', 'watch', 'a.accept()', 'b.accept()', on('on b message as L1', "b.send('x')", microtask("a.close(1000, 'r')", 'b.send(2)')), "d.send('o')", "a.send('m')",
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-db9935e8-durable, with another pair's message dispatched first: on workerd a takes b's second message before b's close event, so b's pump's continuation cancels the reply (b errors, a gets 1006); the kit has the reply join the pump, as without that message (do-close-in-microtask-reply-joins-pump-handed-at-gate): another case of the phase of read loops' kj cycles (gen-ce30642e)")

G('gen-db9935e8-durable-hibernatable-a', "Varied by hand from gen-db9935e8-durable: a accepted for hibernation; the kit gives workerd's transcript.",
  'ctx.acceptWebSocket(a)', 'watch', 'b.accept()', on('on b message as L1', "b.send('x')", microtask("a.close(1000, 'r')", 'b.send(2)')), "a.send('m')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-py4-295-durable', "Varied by hand from gen-py4-295 (close-in-microtask-reply-joins-running-pump): the same in a Durable Object; the kit gives workerd's transcript (do-closer-pump-done-after-peer-let-go).",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', microtask('b.close(1000)')), "b.send('x')", 'a.send(1)', "a.send('y')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-py4-295-durable-close-in-listener', "Varied by hand from close-in-listener-reply-after-pump-finished: the same in a Durable Object; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', 'b.close(1000)'), "b.send('x')", 'a.send(1)', "a.send('y')",
  configs=(('2026-11-17', ()),), durable=True)

G('gen-1a96a580-durable', "Varied by hand from gen-1a96a580: the same in a Durable Object; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on b message as L2', 'b.send(1)', microtask("a.close(1000, 'r')")), "a.send('m')", 'b.send(2.5)',
  configs=(('2026-11-17', ()),), durable=True)

G('gen-py4-295-durable-write-at-top-level-first', "Varied by hand from gen-py4-295-durable: a storage write at top level between b's message and a's.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', microtask('b.close(1000)')), "b.send('x')", "await ctx.storage.put('k', 1)", 'a.send(1)', "a.send('y')",
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-py4-295-durable, with a's messages behind a storage write at top level: on workerd a's automatic reply joins a's pump and both close cleanly; in the kit a's pump has finished before a's close event, and its continuation cancels the reply (a errors, b gets 1006). The commit shifts the phase of the chains of kj turns, as in gen-4ec62a3d")

G('gen-py4-295-durable-write-in-listener', "Varied by hand from gen-py4-295-durable: a's listener writes to storage before it closes b in a microtask.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1 once', "ctx.storage.put('k', 1)", microtask('b.close(1000)')), "b.send('x')", 'a.send(1)', "a.send('y')",
  configs=(('2026-11-17', ()),), durable=True,
  open="as gen-py4-295-durable, with a storage write in a's listener: on workerd b dispatches a's second message before a's close event, both close cleanly and a then reports 'Network connection lost.'; the kit dispatches a's close event first and b's message after it, and a reports nothing")

G('gen-f609f7ca', "Found by the generator (gen-20270140-1534, --cross-sends): the kit gives workerd's transcript (buffered-amount-drops-when-peer-accepts).",
  'a.accept()', 'a.send(NaN)', "a.close(' 4000 ', '€' + text(1))", "b.accept({'x': False})", "b.send('x')", on('on a message as L6 once', 'a.bufferedAmount'),
  configs=(('2025-09-01', ()),))

G('gen-py12-433', "Found by the Python generator (pygen-12-433), written in this step language: an async listener's await becomes a microtask; the kit gives workerd's transcript (reply-cancelled-when-peer-came-back-after-microtasks).",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1', microtask('a.readyState')), on('on a message as L2', "a.send('{}')"), "b.send('1,2')", 'b.close()', on('on b message as L7 once', "a.send(b'')"),
  configs=(('2026-11-17', ()),))

G('gen-py12-433-send-in-peer-microtask', "Varied by hand from gen-py12-433: the microtask in b's listener instead of a's.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L2', "a.send('{}')"), "b.send('1,2')", 'b.close()', on('on b message as L7 once', "a.send(b'')", microtask('b.readyState')),
  configs=(('2026-11-17', ()),),
  open="as gen-py12-433, with the microtask in b's listener: on workerd a's pump (the message b's listener had a send) finishes before a's close event, and its continuation cancels the automatic reply (a errors, b gets 1006); in the kit the reply joins it and both close cleanly")

G('gen-py12-433-send-in-microtask', "Varied by hand from gen-py12-433: a's listener sends in a microtask; the kit gives workerd's transcript.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L2', microtask("a.send('{}')")), "b.send('1,2')", 'b.close()', on('on b message as L7 once', "a.send(b'')"),
  configs=(('2026-11-17', ()),))

G('gen-py12-433-two-messages', "Varied by hand from gen-py12-433: b sends two messages before its Close.",
  'watch', 'a.accept()', 'b.accept()', on('on a message as L1', microtask('a.readyState')), on('on a message as L2', "a.send('{}')"), "b.send('1')", "b.send('2')", 'b.close()', on('on b message as L7 once', "a.send(b'')"),
  configs=(('2026-11-17', ()),),
  open="as gen-py12-433-send-in-peer-microtask")
