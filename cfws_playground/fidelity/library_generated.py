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
