"""The SQLite database a binding keeps its data in: in memory, or a file kept across restarts.

KV and D1 both open one the same way: autocommit (``isolation_level=None``, so
that their own ``BEGIN``/``COMMIT`` are what SQLite sees), usable from the
thread ``serve`` runs a request on, guarded by a lock, closed with the binding.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path

__all__ = ["SqliteFile"]


class SqliteFile:
    """One binding's database.

    Args:
        path: the file (its folder is made); in memory when None.
        owner: the binding; the connection closes when it is collected.

    Attributes:
        path: the file, or None.
        conn: the connection.
        lock: held around every use (re-entrant: a batch runs statements under it).
    """

    def __init__(self, path: str | Path | None, owner: object) -> None:
        self.path = None if path is None else Path(path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(
            ":memory:" if self.path is None else str(self.path), isolation_level=None, check_same_thread=False
        )
        weakref.finalize(owner, self.conn.close)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def describe(self) -> str:
        """``in memory`` or the file's name, for a binding's repr."""
        return "in memory" if self.path is None else self.path.name
