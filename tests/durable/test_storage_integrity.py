"""``--persist-to`` storage that cannot be read stops the server with one line, and loses nothing.

Each case runs ``cfws-playground serve`` as a learner would, in a child process
stopped by its PID, against a copy of the do-counter example's storage folder.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from cfws_playground.durable.storage import SqliteBackend, StorageError

ROOT = Path(__file__).resolve().parents[2]
COUNTER = ROOT / "examples" / "do-counter"


async def serve_with(state: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        str(COUNTER),
        "--port",
        "0",
        "--persist-to",
        str(state),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        async with asyncio.timeout(60):
            _, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def _good(path: Path) -> None:
    backend = SqliteBackend(path)
    backend.put("plums", [("value", "41")])
    backend.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, just some text that was here before\n" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncated(path: Path) -> None:
    backend = SqliteBackend(path)
    backend.put("plums", [(f"k{i}", "x" * 500) for i in range(200)])
    backend.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _scribbled(path: Path) -> None:
    backend = SqliteBackend(path)
    backend.put("plums", [(f"k{i}", "x" * 500) for i in range(200)])
    backend.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 2000] = b"\xff" * 2000  # a page in the middle overwritten
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('mine')")
    db.commit()
    db.close()


@pytest.mark.parametrize("damage", [_garbage, _empty, _truncated, _scribbled, _foreign])
async def test_storage_that_cannot_be_read_is_one_line_exit_2_and_a_kept_copy(
    tmp_path: Path, damage: object
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    path = state / "Counter.sqlite"
    assert callable(damage)
    damage(path)
    before = path.read_bytes()
    status, err = await serve_with(state)
    lines = err.strip().splitlines()
    assert status == 2, err
    assert len(lines) == 1, err
    assert str(path) in lines[0] and "Delete Counter.sqlite to start with empty storage" in lines[0]
    assert "Traceback" not in err
    backups = list(state.glob("Counter.sqlite.unreadable-*"))
    assert [b.read_bytes() for b in backups] == [before]  # the copy is what was found
    assert path.read_bytes() == before  # and the file itself is left as it was


def test_good_storage_opens_and_a_second_damage_keeps_a_second_copy(tmp_path: Path) -> None:
    path = tmp_path / "Counter.sqlite"
    _good(path)
    backend = SqliteBackend(path)
    assert backend.get("plums", "value") == "41"
    backend.close()
    for n in (1, 2):
        _garbage(path)
        with pytest.raises(StorageError) as info:
            SqliteBackend(path)
        assert info.value.backup == tmp_path / f"Counter.sqlite.unreadable-{n}"


async def test_sigterm_stops_a_project_cleanly_with_its_storage_written_and_closed(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        str(COUNTER),
        "--port",
        "0",
        "--persist-to",
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        async with asyncio.timeout(60):
            assert proc.stdout is not None
            line = ""
            while not line.startswith("Serving "):
                line = (await proc.stdout.readline()).decode()
            port = int(line.split(" on ", 1)[1].split(" ", 1)[0].rsplit(":", 1)[1].strip("/"))
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /plums/increment HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            assert (await reader.read()).endswith(b'{"value": 1}')
            writer.close()
            await writer.wait_closed()
            proc.send_signal(signal.SIGTERM)
            out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0 and "Stopped." in out.decode()
    backend = SqliteBackend(tmp_path / "Counter.sqlite")  # opens clean: the integrity check passes
    assert backend.objects()  # and what was written is there
    backend.close()
    assert not list(tmp_path.glob("*.unreadable-*")) and not list(tmp_path.glob("*-journal"))
