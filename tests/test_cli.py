"""``cfws-playground serve``: help, one-line errors, a live transcript, a clean Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect as ws_connect

from cfws_playground.cli import load_worker, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_help_explains_the_serve_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for text in (
        "--host",
        "--port",
        "8787",
        "127.0.0.1",
        "async def fetch(request, env, ctx)",
        "WorkerEntrypoint",
        "Ctrl-C",
        "--compatibility-date",
    ):
        assert text in out


@pytest.mark.parametrize(
    "write, expected",
    [
        (None, "no such file"),
        ("x = 1\n", "has no fetch handler"),
        ("def fetch(:\n", "failed to load (line 1): SyntaxError"),
        ("raise RuntimeError('at import')\n", "failed to load (line 1): RuntimeError: at import"),
    ],
)
def test_mistakes_give_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write: str | None, expected: str
) -> None:
    path = tmp_path / "worker.py"
    if write is not None:
        path.write_text(write)
    assert main(["serve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("cfws-playground: error: ") and expected in err


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--port", "70000"], "port 70000 is out of range (0-65535; 0 picks a free one)"),
        (["--port", "-1"], "port -1 is out of range"),
        (["--port", "http"], "not a port number: 'http'"),
        (["--nope"], "unrecognized arguments: --nope"),
    ],
)
def test_argument_errors_give_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert main(["serve", str(EXAMPLES / "echo.py"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("cfws-playground: error: ") and expected in err


def test_argument_errors_from_the_command_line_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cfws_playground", "serve", "x.py", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "out of range" in proc.stderr


def test_the_workers_folder_does_not_shadow_the_kits_imports(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("raise ImportError('the shadowing json.py was imported')\n")
    (tmp_path / "helper.py").write_text("GREETING = 'hi'\n")
    worker = tmp_path / "w.py"
    worker.write_text("from helper import GREETING\nasync def fetch(request):\n    return None\n")
    before = list(sys.path)
    try:
        load_worker(str(worker))  # its neighbour imports
        assert sys.path[: len(before)] == before  # nothing put in front
        import json

        assert json.dumps([1]) == "[1]"
    finally:
        sys.path[:] = before
        sys.modules.pop("helper", None)


def test_a_named_object_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "w.py"
    path.write_text("class Chat:\n    async def fetch(self, request): ...\n")
    assert load_worker(f"{path}:Chat")[0].__name__ == "Chat"
    assert main(["serve", f"{path}:Missing"]) == 2
    assert "has no 'Missing'" in capsys.readouterr().err


def test_a_port_in_use_gives_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(EXAMPLES / "echo.py"), "--port", str(port), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"port {port} on 127.0.0.1 is already in use" in err


def test_a_bad_compatibility_flag_gives_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(EXAMPLES / "echo.py"), "--compatibility-flag", "nope"]) == 2
    assert "unknown compatibility flag 'nope'" in capsys.readouterr().err


async def _line(stream: asyncio.StreamReader) -> str:
    return (await stream.readline()).decode()


async def test_serve_prints_a_live_transcript_and_stops_on_ctrl_c() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cfws_playground",
        "serve",
        str(EXAMPLES / "chat.py"),
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        # A suite started in the background ignores SIGINT, and children inherit
        # that: give this one the default handler, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(30):
            first = await _line(proc.stdout)
            assert first.startswith("Serving ") and "(this machine only)" in first
            url = first.split(" on ", 1)[1].split(" ", 1)[0]
            assert url.startswith("ws://127.0.0.1:") and not url.endswith(":0/")
            async with ws_connect(url + "?name=ada") as ada, ws_connect(url + "?name=bob") as bob:
                assert await ada.recv() == "* ada joined (1 here)"
                assert await ada.recv() == "* bob joined (2 here)"
                await bob.send("hello")
                assert await bob.recv() == "* bob joined (2 here)"
                assert await bob.recv() == "bob: hello"
                assert await ada.recv() == "bob: hello"
            seen = ""
            while "[network] send('hello')" not in seen or "← message 'hello'" not in seen:
                seen += await _line(proc.stdout)
            proc.send_signal(signal.SIGINT)
            rest = (await proc.stdout.read()).decode()
            assert await proc.wait() == 0
            assert "Stopped." in rest
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_the_echo_example_echoes_both_types_in_process() -> None:
    from cfws_playground import connect, dispatch_fetch

    worker, _ = load_worker(str(EXAMPLES / "echo.py"))
    assert (await dispatch_fetch(worker, "http://x/")).status == 426
    async with asyncio.timeout(10):
        async with await connect(worker) as client:
            await client.send("text")
            await client.send(b"\x00bin")
            assert [await client.recv(), await client.recv()] == ["text", b"\x00bin"]
            await client.close(4001, "done")
        assert (client.close_code, client.close_reason) == (4001, "done")


@pytest.mark.parametrize("date", [None, "2025-09-01"])
@pytest.mark.parametrize("code,reason,answer", [(None, None, (1005, "")), (4001, "done", (4001, "done"))])
async def test_the_echo_example_answers_any_close_without_an_error(
    date: str | None, code: int | None, reason: str | None, answer: tuple[int, str]
) -> None:
    from cfws_playground import Recorder, compatibility, connect, settle

    worker, _ = load_worker(str(EXAMPLES / "echo.py"))
    rec = Recorder()
    async with asyncio.timeout(10):
        with compatibility(date=date):
            client = await connect(worker, recorder=rec)
        await client.close(code, reason)
        await settle()
    # A client that sends no code gets 1000 back on the old date (close() rejects 1005).
    expected = (1000, "") if (date and code is None) else answer
    assert (client.close_code, client.close_reason) == expected
    assert not [r for r in rec.records if r.kind == "event" and r.name == "error" and "1005" in str(r.args)]
    assert not [r for r in rec.records if r.outcome.startswith("DOMException")]
