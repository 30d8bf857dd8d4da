"""Fidelity, measured: scenarios replayed on the kit and on real workerd.

A scenario (:class:`Scenario`) is written once, as steps in a small language
(:mod:`~cfws_playground.fidelity.dsl`), and run twice: on the kit by a Python
interpreter and inside real workerd by ``driver.js``. :func:`verify` compares
the two transcripts, live when a workerd binary is installed and otherwise
against the transcripts recorded from the pinned workerd release::

    from cfws_playground.fidelity import verify, Scenario
    print(verify(["close-handshake"]))                 # one scenario, every date
    mine = Scenario("my-echo", "b echoes a's message",
                    ("watch", "a.accept()", "b.accept()",
                     "on b message: b.send('echo:' + data)", "a.send('hi')"))
    print(verify([mine], live=True))                    # needs workerd: cfws-playground verify --install

A Durable Object scenario runs its steps in a Durable Object's ``fetch``
(see :mod:`~cfws_playground.fidelity.durable`)::

    tags = Scenario("my-tags", "duplicate tags are dropped",
                    ("ctx.acceptWebSocket(b, ['x', 'x'])", "ctx.getTags(b)"), durable=True)

In a notebook (a running event loop) use ``await averify(...)``.
"""

from .compare import Comparison, Result, averify, verify
from .dsl import ScenarioSyntaxError, handler, microtask, on, timeout
from .library import SCENARIOS, by_name
from .scenario import CONFIGS, Scenario
from .workerd import WORKERD_VERSION, WorkerdNotFound, find_workerd, install_workerd

__all__ = [
    "CONFIGS",
    "Comparison",
    "Result",
    "SCENARIOS",
    "Scenario",
    "ScenarioSyntaxError",
    "WORKERD_VERSION",
    "WorkerdNotFound",
    "averify",
    "by_name",
    "find_workerd",
    "handler",
    "install_workerd",
    "microtask",
    "on",
    "timeout",
    "verify",
]
