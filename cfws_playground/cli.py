"""The ``cfws-playground`` command: run a Worker file for real WebSocket clients.

::

    cfws-playground serve examples/echo.py            # ws://127.0.0.1:8787/
    cfws-playground serve my_worker.py:Chat --port 0  # a named object, any free port

Each connection's events print as they happen (the recorder's transcript);
Ctrl-C stops the server cleanly. Mistakes a learner makes — a wrong path, a
file without ``fetch``, a port in use — give one line on stderr and exit
status 2, not a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import importlib.util
import logging
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

from .bridge import Limits, _is_loopback, serve
from .compat import compatibility
from .dispatch import MESSAGE_CHANNEL_FLAGS, set_call_soon, webloop_call_soon
from .fidelity import cli as fidelity_cli
from .recorder import Record, Recorder
from .worker import _find_handler

__all__ = ["load_worker", "main"]

DEFAULT_PORT = 8787  # the port `wrangler dev` uses

_DESCRIPTION = """\
Serve a Cloudflare Worker written in Python to real WebSocket clients on this
machine: browsers, the `websockets` client, wscat. Every connection goes
through the Worker's fetch handler, and the kit behaves like workerd (the
Workers runtime) as a client sees it. Each connection's events print live.
"""

_SERVE_EPILOG = """\
The worker file must define one of:
  async def fetch(request, env, ctx)            (the JavaScript module form)
  class Default(WorkerEntrypoint):               (the Python Workers form)
      async def fetch(self, request)
  an object with a fetch method                 (name it: worker.py:name)

examples:
  cfws-playground serve examples/echo.py
  cfws-playground serve examples/chat.py --port 0
  cfws-playground serve worker.py:Default --compatibility-date 2025-09-01
  cfws-playground serve examples/do-chat      (a folder with wrangler.jsonc / wrangler.toml)

then connect, e.g.:  python -m websockets ws://127.0.0.1:8787/

The server listens on 127.0.0.1 (this machine only) unless --host says
otherwise. Ctrl-C stops it.
"""


class CliError(Exception):
    """A mistake on the command line: printed as one line, exit status 2."""


def load_worker(spec: str) -> tuple[Any, str]:
    """Load ``path/to/worker.py[:name]``; return the Worker and a label for it.

    Raises:
        CliError: the file is missing or fails to import, or has no fetch handler.
    """
    path_text, _, name = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    path = Path(path_text)
    if not path.is_file():
        raise CliError(f"no such file: {path_text}")
    module_name = f"_cfws_worker_{abs(hash(path.resolve()))}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise CliError(f"cannot load {path_text}: not a Python file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    # The worker may import its neighbours, but a file there named like a package
    # (json.py, websockets.py) must not shadow the one the kit itself imports:
    # the folder goes last on the path, never first.
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.append(folder)
    try:
        loader_spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the learner's code: show where it failed, briefly
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        where = f" (line {frames[-1].lineno})" if frames else ""
        if isinstance(exc, SyntaxError) and exc.lineno:
            where = f" (line {exc.lineno})"
        raise CliError(f"{path_text} failed to load{where}: {type(exc).__name__}: {exc}") from None
    worker: Any = module
    if name:
        if not hasattr(module, name):
            raise CliError(f"{path_text} has no {name!r}")
        worker = getattr(module, name)
    try:
        _find_handler(worker)
    except TypeError:
        what = f"{name!r} in {path_text}" if name else path_text
        raise CliError(
            f"{what} has no fetch handler: define `async def fetch(request, env, ctx)` "
            "or `class Default(WorkerEntrypoint)` with a fetch method"
        ) from None
    return worker, spec


def _print_record(record: Record) -> None:
    print(f"[{record.pair}] {record.end:<6} {record.step}", flush=True)


async def _serve(
    worker: Any, label: str, args: argparse.Namespace, compat: compatibility, env: Any = None
) -> None:
    recorder = Recorder(limit=1000)
    if not args.quiet:
        recorder.subscribe(_print_record)
    limits = Limits(cpu_ms=args.cpu_ms)
    server = serve(
        worker, args.host, args.port, env=env, recorder=recorder, compatibility=compat, limits=limits
    )
    try:
        await server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {args.port} on {args.host} is already in use (pick another with --port, or --port 0)"
            ) from None
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = 0

    def on_signal(signum: int, frame: object) -> None:
        # Ctrl-C and SIGTERM alike: a clean stop (clients get Close 1001, storage is
        # closed). A loop stuck in a Worker's code would never get to it: then, and on
        # a second signal, KeyboardInterrupt is raised in whatever code is running.
        nonlocal signals
        signals += 1
        watchdog = server.watchdog
        if signals > 1 or (watchdog is not None and watchdog.blocked > _STUCK):
            raise KeyboardInterrupt
        loop.call_soon_threadsafe(stop.set)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        where = "this machine only" if _is_loopback(args.host) else "REACHABLE FROM OTHER MACHINES"
        print(f"Serving {label} on {server.url} ({where}). Ctrl-C to stop.", flush=True)
        print(f"  {compat.describe().splitlines()[0]}", flush=True)
        if args.cpu_ms is not None:
            print(f"  CPU-time limit: {args.cpu_ms:g} ms per run of Worker code", flush=True)
        serving = asyncio.ensure_future(server.serve_forever())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (serving, stopping):
            task.cancel()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        await server.close()
    print("Stopped.", flush=True)


_STUCK = 0.25  # seconds without a heartbeat: the loop is running a Worker's code, not waiting


def _cpu_ms(text: str) -> float:
    """An argparse type: a positive number of milliseconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of milliseconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("--cpu-ms takes a positive number of milliseconds")
    return value


def _port(text: str) -> int:
    """An argparse type: a TCP port, 0-65535 (0: any free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (0-65535; 0 picks a free one)")
    return port


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (``cfws-playground: error: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"cfws-playground: error: {message}\n")


def _add_serve(commands: Any) -> argparse.ArgumentParser:
    s: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="serve a Worker file to real WebSocket clients",
        description="Serve a Worker file to real WebSocket clients, with a live transcript.",
        epilog=_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument(
        "worker",
        metavar="path/to/worker.py[:name] | DIR",
        help="the Worker file, optionally :object; or a project folder with wrangler.jsonc / wrangler.toml",
    )
    s.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    s.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default: {DEFAULT_PORT}, as wrangler dev; 0 picks a free one)",
    )
    s.add_argument(
        "--compatibility-date",
        metavar="YYYY-MM-DD",
        help="the Worker's compatibility date (default: today's runtime, the newest behaviour)",
    )
    s.add_argument(
        "--compatibility-flag",
        metavar="FLAG",
        action="append",
        default=[],
        help="a compatibility flag, e.g. web_socket_manual_reply_to_close (repeatable)",
    )
    s.add_argument(
        "--cpu-ms",
        metavar="MS",
        type=_cpu_ms,
        default=None,
        help="end Worker code that runs this many CPU milliseconds without awaiting, as workerd's "
        "CPU-time limit does (default: no limit, as in wrangler dev)",
    )
    s.add_argument("--quiet", action="store_true", help="do not print each connection's events")
    _add_project_arguments(s)
    return s


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cfws-playground",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_serve(commands)  # each command adds its own parser: one function per command
    fidelity_cli.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cfws-playground``; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or an argument error (2, one line already printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command == "verify":
        return fidelity_cli.run(args)
    if args.command != "serve":
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="  %(message)s", stream=sys.stderr)
    logging.getLogger("websockets").setLevel(logging.WARNING)  # its own "connection open" chatter
    try:
        try:
            compat = compatibility(date=args.compatibility_date, flags=args.compatibility_flag)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if Path(args.worker).is_dir():
            return _serve_project(args)
        worker, label = load_worker(args.worker)
        if not args.quiet:
            logging.getLogger("cfws_playground").setLevel(logging.INFO)
        asyncio.run(_serve(worker, label, args, compat))
    except CliError as exc:
        print(f"cfws-playground: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
        return 0
    return 0


# ---------------------------------------------------------------------- project folders


def _add_project_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--hibernate-after",
        metavar="SECONDS",
        type=float,
        default=10.0,
        help="evict a Durable Object idle this long (default: 10, as in production; 0: as soon as idle)",
    )
    s.add_argument(
        "--persist-to",
        metavar="DIR",
        help="keep Durable Object storage in SQLite files in DIR across restarts (default: in memory)",
    )
    s.add_argument(
        "--install-deps",
        action="store_true",
        help="install the packages the project's pyproject.toml declares and this Python lacks, "
        "into DIR/.cfws-packages (with pip)",
    )


def _serve_project(args: argparse.Namespace) -> int:
    """``serve DIR``: run a Python Workers project folder as ``pywrangler dev`` would."""
    from .durable.storage import StorageError
    from .pyworkers import ProjectError, enable, load_project

    if args.hibernate_after < 0:
        raise CliError("--hibernate-after takes 0 or more seconds")
    enable()  # this process runs the project and nothing else: `js`, `workers` stay importable
    try:
        project = load_project(
            args.worker,
            hibernate_after=args.hibernate_after,
            persist_to=args.persist_to,
            install_deps=args.install_deps,
        )
    except (ProjectError, StorageError) as exc:  # a storage file that cannot be opened names itself
        raise CliError(str(exc)) from None
    compat = project.compatibility
    call_soon = project.call_soon
    if args.compatibility_date or args.compatibility_flag:
        flags = list(args.compatibility_flag or ())
        call_soon = webloop_call_soon(args.compatibility_date, flags)
        try:
            compat = compatibility(
                date=args.compatibility_date, flags=[f for f in flags if f not in MESSAGE_CHANNEL_FLAGS]
            )
        except ValueError as exc:
            raise CliError(str(exc)) from None
    for note in project.notes:
        print(f"  note: {note}", flush=True)
    for name, ns in project.namespaces.items():
        print(f"  env.{name}: Durable Object namespace of {ns.class_name}", flush=True)
    for line in project.describe_bindings():
        print(f"  {line}", flush=True)
    if not args.quiet:
        logging.getLogger("cfws_playground").setLevel(logging.INFO)

    async def run() -> None:
        # Python Workers run on Pyodide's WebLoop: call_soon (and call_later of at most 2 ms)
        # is a microtask or a task by the project's date and expose_global_message_channel.
        set_call_soon(call_soon, webloop=True)
        for ns in project.namespaces.values():
            ns.resume_alarms()
        try:
            await _serve(project.worker, f"{project.name} ({project.config})", args, compat, env=project.env)
        finally:
            for ns in project.namespaces.values():  # storage closed on every way out
                close = getattr(ns.backend, "close", None)
                if close is not None:
                    close()

    asyncio.run(run())
    return 0
