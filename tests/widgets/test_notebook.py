"""allow_asyncio_run: script-style asyncio.run(main()) inside a running loop."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_asyncio_run_inside_a_running_loop_and_idempotent() -> None:
    # In a child process: the patch changes asyncio for the whole interpreter.
    code = textwrap.dedent("""
        import asyncio
        from cfws_playground import WebSocketPair, Recorder, settle
        from cfws_playground.notebook import allow_asyncio_run

        async def main():
            client, server = pair = WebSocketPair()
            rec = Recorder(pair)
            server.accept(); client.accept()
            client.send("hi")
            await settle()
            return rec.records[-1].step

        async def cell():
            try:
                asyncio.run(main())
            except RuntimeError as e:
                print("without:", e)
            loop = allow_asyncio_run()
            assert allow_asyncio_run() is loop
            print("with:", asyncio.run(main()))

        asyncio.run(cell())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "without: asyncio.run() cannot be called from a running event loop",
        "with: ← message 'hi'",
    ]


def test_importing_the_core_does_not_import_widgets_or_nesting() -> None:
    code = (
        "import sys, cfws_playground, cfws_playground.notebook; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets', 'anywidget', 'nest_asyncio2', 'nest_asyncio')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
