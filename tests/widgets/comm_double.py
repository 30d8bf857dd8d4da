"""A recording comm: every message the kernel would send to the front end is kept."""

from __future__ import annotations

from typing import Any

from comm import DummyComm

__all__ = ["RecordingComm", "front_end"]


class RecordingComm(DummyComm):  # type: ignore[misc]
    """The default DummyComm, but it keeps what it publishes and claims a kernel (so widgets send)."""

    kernel = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.messages: list[tuple[str, Any]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(
        self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
    ) -> None:
        self.messages.append((msg_type, data))

    def updates(self) -> list[dict[str, Any]]:
        """The widget messages (state updates and custom messages) sent after the comm opened."""
        return [d for t, d in self.messages if t == "comm_msg"]

    def custom(self) -> list[Any]:
        return [d["content"] for d in self.updates() if d.get("method") == "custom"]

    def states(self) -> list[dict[str, Any]]:
        return [d["state"] for d in self.updates() if d.get("method") == "update"]


def front_end(widget: Any) -> RecordingComm:
    """The comm a widget talks to the front end through, with what it sent."""
    assert isinstance(widget.comm, RecordingComm)
    return widget.comm
