"""What a Python scenario is: a name, a claim, a program, and the configurations it runs under."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from ..scenario import Config

__all__ = ["AROUND_MESSAGE_CHANNEL", "PY_CONFIGS", "PyScenario"]

#: Every Python scenario runs the day before ``expose_global_message_channel`` became the
#: default (2025-08-15: WebLoop's ``call_soon`` is a task) and at today's date (a microtask).
PY_CONFIGS: tuple[Config, ...] = (("2025-08-14", ()), ("2026-11-17", ()))
#: Ordering scenarios also run just after the change, when nothing else has changed yet, and with
#: the flag set against each date's default: the flag, not the date, decides.
AROUND_MESSAGE_CHANNEL: tuple[Config, ...] = (
    ("2025-08-14", ()),
    ("2025-09-01", ()),
    ("2026-11-17", ()),
    ("2025-08-14", ("expose_global_message_channel",)),
    ("2026-11-17", ("no_expose_global_message_channel",)),
)


@dataclass(frozen=True)
class PyScenario:
    """One behaviour of Python Workers code, written once, run on the kit and in Pyodide on workerd.

    Attributes:
        name: kebab-case, unique, starting with ``py-``.
        about: the claim, in one sentence.
        code: the program (top-level ``await`` allowed); ``print`` writes the transcript and
            ``show(value)`` names a value with its type as Python sees it.
        configs: compatibility dates and flags to run under.
        deliberate: why the kit differs here on purpose; None when it must not differ.
        tags: topics, for selecting scenarios.
    """

    name: str
    about: str
    code: str
    configs: tuple[Config, ...] = PY_CONFIGS
    deliberate: str | None = None
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", textwrap.dedent(self.code).strip() + "\n")

    @property
    def durable(self) -> bool:
        return "DurableObject" in self.code
