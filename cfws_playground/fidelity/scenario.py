"""What a scenario is: a name, a claim, steps, and the configurations it runs under."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .dsl import Op, compile_steps

__all__ = ["CONFIGS", "Config", "Scenario", "config_key", "parse_config_key"]

Config = tuple[str, tuple[str, ...]]  # (compatibility date, flags)

#: Every scenario runs under these unless it names others: the dates where
#: behaviour changed, today's runtime, and today's runtime in the other close mode.
CONFIGS: tuple[Config, ...] = (
    ("2025-09-01", ()),
    ("2026-03-01", ()),
    ("2026-04-26", ()),
    ("2026-09-15", ()),
    ("2026-11-17", ()),
    ("2026-11-17", ("web_socket_manual_reply_to_close",)),
)


def config_key(config: Config) -> str:
    """``"2026-11-17"`` or ``"2026-11-17+web_socket_manual_reply_to_close"``."""
    date, flags = config
    return "+".join((date, *flags))


def parse_config_key(key: str) -> Config:
    date, *flags = key.split("+")
    return date, tuple(flags)


@dataclass(frozen=True)
class Scenario:
    """One behaviour, written once, replayed on the kit and on real workerd.

    Attributes:
        name: kebab-case, unique; notebooks cite it (``scenario: name``).
        about: the claim, in one sentence.
        steps: the steps (see :mod:`cfws_playground.fidelity.dsl`).
        configs: compatibility dates and flags to run under.
        deliberate: why the kit differs from workerd here on purpose
            (``kit-decisions``); None when it must not differ.
        tags: topics, for selecting scenarios.
        client: for a wire scenario, the client's steps (see
            :mod:`cfws_playground.fidelity.wire`); ``steps`` are then the Worker's.
        client_options: keyword arguments for the ``websockets`` client
            (``compression``, ``subprotocols``, ...).
        durable: the steps run in a Durable Object's ``fetch`` (``ctx``, more
            pairs, ``webSocketMessage`` / ``webSocketClose`` / ``webSocketError``
            handlers; see :mod:`cfws_playground.fidelity.durable`). In a wire
            scenario the object returns ``a`` in the 101 for the client.
        sqlite: a Durable Object scenario whose object is SQLite-backed
            (``new_sqlite_classes``; workerd's ``enableSql``): ``ctx.storage.sql``
            and ``ctx.storage.kv`` work; otherwise they throw, as for ``new_classes``.
    """

    name: str
    about: str
    steps: tuple[str | dict[str, Any], ...]
    configs: tuple[Config, ...] = CONFIGS
    deliberate: str | None = None
    tags: tuple[str, ...] = field(default=())
    client: tuple[str, ...] | None = None
    client_options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    durable: bool = False
    sqlite: bool = False

    @property
    def wire(self) -> bool:
        """A wire scenario: a real client over loopback (``client`` steps) against the Worker."""
        return self.client is not None

    @cached_property
    def ops(self) -> list[Op]:
        """The steps compiled to the operations both interpreters run."""
        return compile_steps(list(self.steps), durable=self.durable)

    @cached_property
    def client_ops(self) -> list[Op]:
        """A wire scenario's client steps, compiled."""
        from .wire import compile_client

        return compile_client(self.client or ())
