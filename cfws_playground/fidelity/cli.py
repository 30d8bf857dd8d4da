"""``cfws-playground verify``: the kit against real workerd, side by side."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from .compare import record_references, verify
from .library import SCENARIOS, by_name
from .pyodide.loader import PYODIDE_VERSION, find_pyodide, install_pyodide
from .workerd import WORKERD_VERSION, WorkerdNotFound, find_workerd, install_workerd, stop_all

__all__ = ["add_parser", "run"]

_EPILOG = f"""\
Without Node.js or a workerd binary, the kit is compared with the transcripts
recorded from workerd (npm workerd@{WORKERD_VERSION}) and shipped with the kit.
With one (--install puts the pinned version in ~/.cache/cfws-playground, or set
CFWS_WORKERD=/path/to/workerd), every scenario also runs live on workerd.

examples:
  cfws-playground verify                         every scenario, every date
  cfws-playground verify close-handshake --all   one scenario, both transcripts in full
  cfws-playground verify --date 2025-09-01 --flag web_socket_auto_reply_to_close
  cfws-playground verify --list                  the scenarios and what each claims
  cfws-playground verify --python                Python scenarios: the kit's dialect against
                                                 Pyodide (npm pyodide@{PYODIDE_VERSION}) in workerd

Exit status: 0 when every transcript is the same as workerd's (or differs only
where the README lists a deliberate difference), 1 when one differs, 2 on a
usage error.
"""


def add_parser(commands: Any) -> None:
    """Add the ``verify`` sub-command to the CLI's sub-parsers."""
    v = commands.add_parser(
        "verify",
        help="compare the kit with real workerd, scenario by scenario",
        description="Run scenarios on the kit and on real workerd (or its recorded transcripts) and compare.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names (default: all)")
    v.add_argument(
        "--date", action="append", default=[], metavar="YYYY-MM-DD", help="run at this date (repeatable)"
    )
    v.add_argument("--flag", action="append", default=[], metavar="FLAG", help="with this compatibility flag")
    mode = v.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="require a local workerd (fail without one)")
    mode.add_argument(
        "--recorded", action="store_true", help="use the recorded transcripts even if workerd is here"
    )
    v.add_argument("--all", action="store_true", help="print every transcript, not only the differing ones")
    v.add_argument("--list", action="store_true", help="list the scenarios and exit")
    v.add_argument(
        "--python",
        action="store_true",
        help="the Python scenarios: the kit's Python Workers dialect against Pyodide in workerd",
    )
    v.add_argument(
        "--install",
        action="store_true",
        help=f"install npm workerd@{WORKERD_VERSION} (and with --python pyodide@{PYODIDE_VERSION}) first",
    )
    v.add_argument(
        "--record",
        action="store_true",
        help="re-record the references from workerd (maintainers); with names, only those scenarios",
    )
    gen = v.add_argument_group("generated programs (needs workerd)")
    gen.add_argument(
        "--generate",
        type=int,
        metavar="N",
        help="run N random programs on the kit and on live workerd (with --python: N Python Workers "
        "programs against Pyodide in workerd)",
    )
    gen.add_argument("--seed", type=int, default=0, metavar="S", help="the campaign's seed (default 0)")
    gen.add_argument(
        "--shrink", type=int, default=40, metavar="K", help="shrink at most K differences (default 40)"
    )
    gen.add_argument(
        "--durable-wire",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="serve this share (0 to 1) of the wire programs at today's date with a Durable Object's "
        "hibernatable socket (default 0: a seed's programs stay as they were)",
    )
    gen.add_argument(
        "--cross-sends",
        action="store_true",
        help="let half of the message listeners on an end other than b be once listeners that "
        "send from b too (default: off, so a seed's programs stay as they were)",
    )
    gen.add_argument(
        "--save",
        action="store_true",
        help="append the minimal programs to library_generated.py and record their references",
    )


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    # The comparison may be running in a worker thread: stop workerd by its PID now, and go.
    stop_all()
    os._exit(128 + signum)


def run(args: argparse.Namespace) -> int:
    """Run ``verify`` with parsed arguments; return the exit status."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if args.install:
            print(f"workerd: {install_workerd()}", file=sys.stderr)
            if args.python:
                print(f"pyodide: {install_pyodide()}", file=sys.stderr)
        if args.python:
            return _run_python(args)
        if args.list:
            for sc in SCENARIOS:
                print(f"{sc.name:<58} {sc.about}")
            print(f"{len(SCENARIOS)} scenarios")
            return 0
        for name in args.scenarios:
            by_name(name)
        if args.generate is not None:
            return _generate(args)
        if args.record:
            binary = find_workerd()
            if binary is None:
                raise WorkerdNotFound("recording needs workerd: add --install, or set CFWS_WORKERD")
            print(f"recorded {record_references(binary, args.scenarios or None)}")
            return 0
        if args.flag and not args.date:
            raise ValueError("--flag needs --date: say which date the flags change")
        live = True if args.live else (False if args.recorded else None)
        result = verify(args.scenarios or None, dates=args.date or None, flags=args.flag or None, live=live)
    except (KeyError, ValueError, WorkerdNotFound) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) else str(exc)
        print(f"cfws-playground: error: {text}", file=sys.stderr)
        return 2
    print(result.text(all_rows=args.all))
    return 0 if not result.differing else 1


def _run_python(args: argparse.Namespace) -> int:
    from .pyodide.compare import record_python_references, verify_python
    from .pyodide.library import PY_SCENARIOS, py_by_name

    if args.list:
        for sc in PY_SCENARIOS:
            print(f"{sc.name:<58} {sc.about}")
        print(f"{len(PY_SCENARIOS)} Python scenarios")
        return 0
    if args.flag:
        raise ValueError("--flag is not available with --python: Python scenarios run at dates (--date)")
    for name in args.scenarios:
        py_by_name(name)
    if args.generate is not None:
        return _generate_python(args)
    if args.record:
        binary, pyodide = find_workerd(), find_pyodide()
        if binary is None or pyodide is None:
            raise WorkerdNotFound("recording needs workerd and Pyodide: add --install")
        print(f"recorded {record_python_references(binary, pyodide)}")
        return 0
    live = True if args.live else (False if args.recorded else None)
    result = verify_python(args.scenarios or None, dates=args.date or None, live=live)
    print(result.text(all_rows=args.all))
    return 0 if not result.differing else 1


def _generate_python(args: argparse.Namespace) -> int:
    """``verify --python --generate N --seed S``: generated Python programs against Pyodide in workerd."""
    from .pyodide.campaign import run_python_campaign

    if args.generate < 1:
        raise ValueError("--generate needs a positive number of programs")
    if args.save or args.durable_wire or args.cross_sends:
        raise ValueError("--save, --durable-wire and --cross-sends are not available with --python")
    binary, pyodide = find_workerd(), find_pyodide()
    if binary is None or pyodide is None:
        raise WorkerdNotFound("generated Python programs run in Pyodide on live workerd: add --install")
    print(f"seed {args.seed}, {args.generate} Python programs", flush=True)
    campaign = run_python_campaign(
        args.generate,
        args.seed,
        binary,
        pyodide,
        shrink=args.shrink,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(campaign.text())
    return 1 if campaign.differences else 0


def _generate(args: argparse.Namespace) -> int:
    """``verify --generate N --seed S``: a campaign of generated programs against live workerd."""
    from .campaign import run_campaign, save
    from .scenario import CONFIGS
    from .workerd import WorkerdServer

    if args.generate < 1:
        raise ValueError("--generate needs a positive number of programs")
    if not 0.0 <= args.durable_wire <= 1.0:
        raise ValueError("--durable-wire is a share from 0 to 1")
    binary = find_workerd()
    if binary is None:
        raise WorkerdNotFound("generated programs run on live workerd: add --install, or set CFWS_WORKERD")
    configs = CONFIGS
    if args.date:
        configs = tuple((d, tuple(args.flag)) for d in args.date)
    print(
        f"seed {args.seed}, {args.generate} programs{', cross sends' if args.cross_sends else ''}", flush=True
    )
    with WorkerdServer.start(binary, configs) as server:
        print(f"workerd: {server.version} (npm workerd@{WORKERD_VERSION})", flush=True)
        campaign = run_campaign(
            server,
            args.generate,
            args.seed,
            max_shrink=args.shrink,
            configs=configs,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
            durable_wire=args.durable_wire,
            cross_sends=args.cross_sends,
        )
    print(campaign.text())
    if args.save and campaign.differences:
        added = save(campaign.differences)
        if added:
            print(f"added to the library: {', '.join(added)}", flush=True)
            # A fresh interpreter reads the library with the new scenarios in it.
            cmd = [sys.executable, "-m", "cfws_playground", "verify", "--record", *added]
            subprocess.run(cmd, check=True)
    return 1 if campaign.differences else 0
