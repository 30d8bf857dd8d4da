"""Hibernation you can watch: ``hibernate()``, ``blockers()`` and plain snapshots for the inspector.

Widgets read :func:`snapshot` (frozen dataclasses) and never the runtime's objects.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..dispatch import settle
from ..errors import WorkersError
from .namespace import DurableObjectNamespace, DurableObjectStub, namespaces
from .object import ObjectHost

__all__ = ["HibernationBlockedError", "ObjectView", "SocketView", "blockers", "hibernate", "snapshot"]

_RS = ("CONNECTING", "OPEN", "CLOSING", "CLOSED")


class HibernationBlockedError(WorkersError):
    """:func:`hibernate` could not evict the object; ``.reasons`` says why."""

    def __init__(self, label: str, reasons: list[str]) -> None:
        super().__init__(f"{label} cannot hibernate now: " + "; ".join(reasons))
        self.reasons = reasons


def _host_of(target: Any) -> ObjectHost:
    if isinstance(target, ObjectHost):
        return target
    if isinstance(target, DurableObjectStub):
        return target._host
    ctx = getattr(target, "ctx", None)
    host = getattr(ctx, "_host", None)
    if isinstance(host, ObjectHost):
        return host
    raise TypeError(f"hibernate() takes a stub, an object or its host, not {type(target).__name__}")


def blockers(target: Any) -> list[str]:
    """Why ``target`` (a stub, a Durable Object instance, or a host) cannot hibernate now; [] if it can."""
    return _host_of(target).blockers()


async def hibernate(target: Any) -> None:
    """Evict ``target`` now, as the runtime does after its idle time (for notebooks and tests).

    Waits for everything already set in motion (``await settle()``) first. The
    next event for the object constructs a new instance.

    Raises:
        HibernationBlockedError: something keeps the object in memory (``.reasons``).
    """
    host = _host_of(target)
    await settle()
    reasons = host.blockers()
    if reasons:
        raise HibernationBlockedError(host.label, reasons)
    host.evict()


@dataclasses.dataclass(frozen=True)
class SocketView:
    """One hibernatable socket as the inspector shows it."""

    readyState: int
    tags: tuple[str, ...]
    attachment: Any
    auto_response_at: float | None

    @property
    def state_name(self) -> str:
        return _RS[self.readyState]


@dataclasses.dataclass(frozen=True)
class ObjectView:
    """One Durable Object as the inspector shows it."""

    binding: str
    label: str
    id: str
    awake: bool
    constructed: int
    evictions: int
    sockets: tuple[SocketView, ...]
    storage_keys: tuple[str, ...]
    alarm: float | None
    blockers: tuple[str, ...]
    last: tuple[str, str] | None
    #: The object's states, oldest first: (state, what happened, the event that caused it).
    timeline: tuple[tuple[str, str, str], ...] = ()


def snapshot(source: DurableObjectNamespace | list[DurableObjectNamespace] | None = None) -> list[ObjectView]:
    """What every object of ``source`` (default: every live namespace) looks like now."""
    if source is None:
        spaces = namespaces()
    elif isinstance(source, DurableObjectNamespace):
        spaces = [source]
    else:
        spaces = list(source)
    views = []
    for ns in spaces:
        for host in ns.hosts:
            socks = tuple(
                SocketView(
                    ws.readyState,
                    tags,
                    ws.deserializeAttachment(),
                    host.auto_times.get(ws),
                )
                for ws, tags in host.tags.items()
            )
            views.append(
                ObjectView(
                    binding=ns.binding,
                    label=host.label,
                    id=host.id.toString(),
                    awake=host.awake,
                    constructed=host.constructed,
                    evictions=host.evictions,
                    sockets=socks,
                    storage_keys=tuple(host.storage._keys()),
                    alarm=ns.backend.get_alarm(host.id.toString()),
                    blockers=tuple(host.blockers()),
                    last=host.history[-1] if host.history else None,
                    timeline=tuple(host.timeline),
                )
            )
    return views
