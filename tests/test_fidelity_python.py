"""The kit's Python Workers dialect against stock Pyodide in real workerd: the Python scenarios.

Every Python scenario runs on the kit (the dialect's ``js`` / ``pyodide.ffi`` /
``workers``) under each of its configurations and is compared with the
transcript recorded in Pyodide (npm ``pyodide`` at :data:`PYODIDE_VERSION`)
inside workerd (:data:`WORKERD_VERSION`). A scenario must match unless it is
marked ``deliberate`` or listed in :data:`OPEN_PYTHON`: differences measured
and not fixed yet. Both lists are strict: one that stops differing fails, so
they stay true.

With workerd and Pyodide installed (``cfws-playground verify --python
--install``; installed automatically when ``CI`` is set) the library also runs
live, in one workerd process, and must reproduce the references exactly.
"""

from __future__ import annotations

import asyncio
import os
from functools import cache

import pytest

from cfws_playground.cli import main
from cfws_playground.fidelity import WORKERD_VERSION, find_workerd, install_workerd
from cfws_playground.fidelity.pyodide import (
    PY_SCENARIOS,
    PYODIDE_VERSION,
    find_pyodide,
    install_pyodide,
    load_python_references,
    py_by_name,
    verify_python,
)
from cfws_playground.fidelity.pyodide.compare import run_in_pyodide
from cfws_playground.fidelity.pyodide.kit import run_python_on_kit
from cfws_playground.fidelity.scenario import config_key

REFERENCES = load_python_references()["transcripts"]


def _open(description: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, description)


#: Differences the Python scenarios found that the kit's dialect has not fixed yet, with what differs.
OPEN_PYTHON: dict[str, str] = {
    **_open(
        "bytes-like values without to_js are PyProxies in Pyodide: workerd sends their repr as text",
        "py-send-bytes",
        "py-send-empty-bytes",
        "py-send-bytearray",
        "py-send-memoryview",
    ),
    **_open(
        "a binary message's data is a JsProxy (ArrayBuffer or Blob) in Pyodide, bytes / Blob on the kit",
        "py-send-to-js-bytes",
        "py-send-to-js-bytearray",
        "py-send-to-js-memoryview",
        "py-event-binary-unset",
        "py-event-binary-blob",
        "py-event-binary-arraybuffer",
        "py-object-binary",
    ),
    "py-send-buffer-of-bytes": "to_js(bytes) is a Uint8Array with .buffer in Pyodide; the kit returns bytes",
    **_open(
        "send() of None / dict / list / a to_js Map, object or Array: workerd sends String(value) "
        "('undefined', the repr, '[object Map]', '1,2'); the kit raises TypeError",
        "py-send-none",
        "py-send-dict",
        "py-send-list",
        "py-send-to-js-dict",
        "py-send-to-js-object",
        "py-send-to-js-list",
    ),
    **_open(
        "pyodide.ffi has no jsnull on the kit (JS null reads as jsnull in Pyodide, None on the kit)",
        "py-send-jsnull",
        "py-close-reason-jsnull",
        "py-read-url",
        "py-read-json-null",
        "py-event-message-object",
    ),
    **_open(
        "an ErrorEvent's error is a JsException(Error) in Pyodide, a Python ConnectionLostError on the kit",
        "py-close-code-reason",
        "py-close-no-args",
        "py-close-code-only",
        "py-close-reason-none",
        "py-close-code-none",
        "py-close-code-float",
        "py-close-code-str",
        "py-event-close-clean",
        "py-event-close-no-status",
        "py-event-close-app-code",
        "py-event-close-server-closes",
        "py-event-close-both",
        "py-event-error-peer-dropped",
        "py-order-close-then-call-soon",
    ),
    **_open(
        "a JS error is a pyodide.ffi.JsException (name, message) in Pyodide; the kit raises DOMException / "
        "TypeError / RangeError",
        "py-close-code-999",
        "py-close-reason-long",
        "py-sdk-response-101-without-socket",
        "py-sdk-response-socket-wrong-status",
        "py-throws-send-before-accept",
        "py-throws-send-after-close",
        "py-throws-close-reserved-code",
        "py-throws-add-listener-not-callable",
    ),
    "py-throws-pair-without-new": "WebSocketPair() without .new() is a JS TypeError (use 'new'); the kit "
    "makes a pair",
    "py-throws-json-parse-error": "js.JSON.parse('{') raises JsException(SyntaxError) in Pyodide; "
    "json.JSONDecodeError on the kit",
    "py-throws-send-object": "send(object()) sends the PyProxy's String() in workerd; "
    "the kit raises TypeError",
    "py-close-reason-bytes": "close(1000, b'ab'): workerd takes String(bytes) as the reason; the kit raises",
    **_open(
        "a Python listener's exception reaches workerd as a PythonError (message 'Uncaught PythonError: "
        "Traceback...', error a JsException); the kit reports the Python exception itself",
        "py-event-error-from-raising-listener",
        "py-throws-listener-raises-others-run",
    ),
    **_open(
        "a listener passed without create_proxy is a borrowed proxy: destroyed after addEventListener "
        "returns, it never runs and the event errors the socket; on the kit it runs",
        "py-listener-plain-function",
        "py-listener-lambda",
        "py-listener-bound-method",
        "py-listener-async-def-plain",
    ),
    "py-listener-create-once-callable": "create_once_callable runs once, then the next event errors "
    "the socket; on the kit it runs every time",
    **_open(
        "create_proxy returns a new PyProxy with destroy(): two proxies of one function are two listeners "
        "and a destroyed one errors the socket; on the kit it returns the function itself",
        "py-listener-destroyed-proxy",
        "py-listener-remove-new-proxy",
        "py-listener-two-proxies-same-function",
        "py-proxy-destroy-twice",
    ),
    **_open(
        "js has no Promise / setTimeout / Event on the kit",
        "py-proxy-call-after-destroy",
        "py-throws-python-error-into-js",
        "py-throws-dispatch-event-python",
        "py-order-set-timeout-vs-message",
        "py-order-promise-then-vs-message",
        "py-order-call-soon-vs-set-timeout",
    ),
    **_open(
        "JS objects are JsProxy in Pyodide (the pair, its ends, Object.values/keys, JSON arrays and objects, "
        "methods, Response.js_object, getTags); the kit gives Python objects and lists",
        "py-read-pair-object",
        "py-read-object-values",
        "py-read-object-values-js",
        "py-read-object-keys",
        "py-read-send-method",
        "py-read-json-array",
        "py-read-json-object",
        "py-read-json-array-to-py",
        "py-read-typeof",
        "py-read-instanceof-jsproxy",
        "py-sdk-response-101",
        "py-object-tags",
        "py-object-attachment-to-js",
    ),
    "py-read-pair-subscript": "pair[0] raises TypeError in Pyodide (a JsProxy is not subscriptable); "
    "the kit accepts it",
    "py-read-pair-attr-0": "getattr(pair, '0') reads the first end in Pyodide; the kit raises AttributeError",
    "py-read-missing-attribute": "a missing JS attribute raises AttributeError('name') in Pyodide; "
    "the kit's message is Python's",
    "py-read-date-now-type": "Date.now() is an int in Pyodide (an integral JS number); a float on the kit",
    "py-sdk-response-headers-mapping": "a text Response gets content-type text/plain;charset=UTF-8 from "
    "workerd; the kit's headers have none",
    "py-object-tags-python-list": "acceptWebSocket(ws, a Python list) is refused by workerd (not an Array); "
    "the kit accepts it",
    "py-object-attachment": "serializeAttachment(a Python dict) is a DataCloneError in workerd (a PyProxy); "
    "the kit stores it",
    "py-object-await-then-send": "a Durable Object handler awaiting a timer lets the next message in "
    "(workerd's input gate); the kit serialises the handlers",
    **_open(
        "before 2025-08-15 (no MessageChannel) WebLoop's call_soon is a task, after queued message events; "
        "the kit runs it first at every date",
        "py-order-call-soon-vs-message",
        "py-order-sleep-zero-vs-message",
        "py-order-create-task-vs-message",
        "py-order-future-vs-message",
        "py-order-sleep-zero-top-level",
        "py-order-gather-two-tasks",
        "py-order-async-listener-awaits",
        "py-order-call-soon-in-listener",
        "py-order-sleep-zero-in-listener",
        "py-order-create-task-in-listener",
        "py-order-future-in-listener",
    ),
    "py-order-call-later-vs-message": "from 2025-09-01 call_later(1 ms) runs before two queued messages "
    "in workerd; after them on the kit",
}


@cache
def _kit(name: str) -> dict[str, list[str]]:
    sc = py_by_name(name)

    async def run() -> list[list[str]]:
        return [await run_python_on_kit(sc.code, date, flags) for date, flags in sc.configs]

    return {config_key(c): rows for c, rows in zip(sc.configs, asyncio.run(run()), strict=True)}


def test_the_python_library_has_at_least_120_scenarios_with_unique_names() -> None:
    names = [s.name for s in PY_SCENARIOS]
    assert len(names) >= 120
    assert len(set(names)) == len(names)
    assert all(name.startswith("py-") for name in names)
    for sc in PY_SCENARIOS:
        assert sc.about and sc.code
        compile(sc.code, sc.name, "exec", flags=0x2000)  # top-level await allowed


def test_every_python_scenario_has_a_reference_for_each_configuration() -> None:
    missing = [
        (sc.name, config_key(c))
        for sc in PY_SCENARIOS
        for c in sc.configs
        if config_key(c) not in REFERENCES.get(sc.name, {})
    ]
    assert not missing, f"re-record with `cfws-playground verify --python --record`: {missing[:5]}"
    refs = load_python_references()
    assert (refs["pyodide"], refs["npm"]) == (PYODIDE_VERSION, WORKERD_VERSION)


def test_the_open_list_names_real_python_scenarios() -> None:
    for name in OPEN_PYTHON:
        py_by_name(name)


@pytest.mark.parametrize("name", [s.name for s in PY_SCENARIOS])
def test_python_scenario_matches_pyodide_in_workerd(name: str) -> None:
    sc = py_by_name(name)
    kit = _kit(name)
    refs = REFERENCES[name]
    differing = [key for key, rows in kit.items() if rows != refs[key]]
    if sc.deliberate:
        assert differing, f"{name} is marked deliberate but matches Pyodide in workerd now: drop the mark"
    elif name in OPEN_PYTHON:
        assert differing, f"{name} matches Pyodide in workerd now: remove it from OPEN_PYTHON"
    else:
        detail = "\n".join(f"{key}:\n  kit:     {kit[key]}\n  workerd: {refs[key]}" for key in differing[:2])
        assert not differing, f"{name} differs from Pyodide in workerd at {differing}\n{detail}"


def test_verify_python_against_the_references_says_how_many() -> None:
    result = verify_python(["py-send-text", "py-listener-create-proxy"], live=False)
    assert result.ok
    assert result.summary().startswith(
        "2 scenarios, 4 runs against recorded references (Pyodide 0.28.2 in workerd"
    )
    assert "0 differ" in result.summary()


def test_a_broken_dialect_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfws_playground.pyworkers import ffi

    monkeypatch.setattr(ffi, "create_proxy", lambda obj, **kw: lambda *a: None)
    result = verify_python(["py-listener-create-proxy"], live=False)
    assert not result.ok and result.differing
    assert "! " in result.text()


def test_cli_verify_python_lists_and_compares(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--python", "--list"]) == 0
    assert f"{len(PY_SCENARIOS)} Python scenarios" in capsys.readouterr().out
    assert main(["verify", "--python", "--recorded", "py-send-text"]) == 0
    assert "1 scenario, 2 runs against recorded references (Pyodide" in capsys.readouterr().out
    assert main(["verify", "--python", "--recorded", "py-no-such-thing"]) == 2


# ---------------------------------------------------------------------- live: Pyodide in workerd


@pytest.fixture(scope="module")
def installed():  # type: ignore[no-untyped-def]
    binary, pyodide = find_workerd(), find_pyodide()
    if (binary is None or pyodide is None) and os.environ.get("CI"):
        binary, pyodide = install_workerd(), install_pyodide()
    if binary is None or pyodide is None:
        pytest.skip("no workerd and Pyodide: `cfws-playground verify --python --install` (needs npm)")
    return binary, pyodide


@pytest.mark.workerd
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_live_pyodide_in_workerd_reproduces_the_references(installed) -> None:  # type: ignore[no-untyped-def]
    runs = [(sc, c) for sc in PY_SCENARIOS for c in sc.configs]
    rows, version = run_in_pyodide(runs, *installed)
    assert version == "workerd 2026-11-23"
    changed = [
        (sc.name, config_key(c))
        for (sc, c), r in zip(runs, rows, strict=True)
        if r != REFERENCES[sc.name][config_key(c)]
    ]
    assert not changed, (
        f"Pyodide in workerd differs from the references (re-record and review): {changed[:10]}"
    )
