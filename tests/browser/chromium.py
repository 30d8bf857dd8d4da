"""Find Debian's chromium for browser tests: skip locally without it, fail when ``CI`` is set.

Playwright drives the system browser (no browser download)::

    from chromium import CHROMIUM_ARGS, chromium_executable

    executable = chromium_executable()          # skips or fails with a clear reason
    browser = await p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["CHROMIUM_ARGS", "chromium_executable"]

#: Headless, no sandbox (containers), and no traffic beyond what the test opens.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: the browser tests must run in CI")
    pytest.skip(reason)


def chromium_executable() -> str:
    """Path of Debian's chromium, with Playwright importable.

    Skips the test with the reason when either is missing, or fails it when
    the environment variable ``CI`` is set (``.ci/run`` installs chromium).
    """
    path = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if not path:
        _unavailable("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        _unavailable("needs Playwright (pip install -e '.[test]')")
    assert path is not None
    return path
