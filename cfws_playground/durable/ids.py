"""``DurableObjectId``: 64 hex digits naming one object of a namespace."""

from __future__ import annotations

import hashlib
import secrets

from . import texts

__all__ = ["DurableObjectId", "JsClass"]


class JsClass:
    """What ``value.constructor`` reads for a runtime object: its JS class name.

    Cloudflare's Python Workers SDK recognises runtime objects this way
    (``env.ROOM.constructor.name == "DurableObjectNamespace"``) and wraps them.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"[class {self.name}]"


class DurableObjectId:
    """Mirrors ``DurableObjectId``: ``toString()`` gives the 64 hex digits, ``name`` the name it came from.

    Ids from :meth:`~cfws_playground.durable.DurableObjectNamespace.idFromName`
    are the same for the same name in the same namespace (a SHA-256), as in
    workerd's local id factory; ``newUniqueId()`` ids are random.
    """

    __slots__ = ("_hex", "name")
    constructor = JsClass("DurableObjectId")

    def __init__(self, hex_id: str, name: str | None = None) -> None:
        self._hex = hex_id
        self.name = name

    @classmethod
    def from_name(cls, namespace: str, name: str) -> DurableObjectId:
        digest = hashlib.sha256(f"{namespace}\0{name}".encode()).hexdigest()
        return cls(digest, name)

    @classmethod
    def unique(cls) -> DurableObjectId:
        return cls(secrets.token_hex(32))

    @classmethod
    def parse(cls, text: str) -> DurableObjectId:
        """``idFromString``. Raises ``TypeError`` with workerd's text for anything but 64 hex digits."""
        if not isinstance(text, str) or len(text) != 64:
            raise TypeError(texts.INVALID_ID)
        try:
            bytes.fromhex(text)
        except ValueError:
            raise TypeError(texts.INVALID_ID) from None
        return cls(text.lower())

    def toString(self) -> str:
        """Mirrors ``id.toString()``."""
        return self._hex

    def equals(self, other: DurableObjectId) -> bool:
        """Mirrors ``id.equals(other)``."""
        return isinstance(other, DurableObjectId) and other._hex == self._hex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DurableObjectId) and other._hex == self._hex

    def __hash__(self) -> int:
        return hash(self._hex)

    def __str__(self) -> str:
        return self._hex

    def __repr__(self) -> str:
        named = f" name={self.name!r}" if self.name is not None else ""
        return f"<DurableObjectId {self._hex[:8]}…{named}>"
