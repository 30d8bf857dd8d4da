"""wrangler project folders and the Python Workers dialect (js, pyodide.ffi, workers)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from cfws_playground import Request, dispatch_fetch, pyworkers
from cfws_playground.pyworkers import ProjectError, load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _project(tmp_path: Path, config: str, entry: str, name: str = "wrangler.jsonc") -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / name).write_text(config)
    (tmp_path / "src" / "entry.py").write_text(entry)
    return tmp_path


ENTRY = """
from js import Object, Response as JsResponse, WebSocketPair, JSON, URL
from pyodide.ffi import to_js, to_py, JsProxy, create_proxy
from workers import DurableObject, Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = URL.new(request.url).pathname
        if path == "/js":
            return JsResponse.new("from js", to_js({"status": 203}, dict_converter=Object.fromEntries))
        if path == "/thing":
            thing = self.env.THING.getByName("t")
            await thing.remember("seen", {"who": request.headers.get("X-Who", "nobody")})
            return Response.json(await thing.recall("seen"))
        if path == "/kinds":
            thing = self.env.THING.getByName("t")
            return Response.json([type(self.env.THING).__name__, type(thing).__name__, await thing.kinds()])
        if path == "/abort":
            try:
                await self.env.THING.getByName("t").reset()
            except Exception as exc:
                return Response(f"{type(exc).__name__}: {exc}", status=500)
        return Response(
            f"{self.env.GREETING} {request.headers.get('X-Who', 'nobody')} {type(request.headers).__name__}"
        )

class Thing(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.made = type(self).made = getattr(type(self), "made", 0) + 1

    async def remember(self, key, value):
        await self.ctx.storage.put(key, value)

    async def recall(self, key):
        value = await self.ctx.storage.get(key)
        return {"value": value, "instances": self.made}

    async def reset(self):
        self.ctx.abort("reset")

    async def kinds(self):
        try:
            await self.ctx.storage.put("pair", (1, 2))
        except TypeError as exc:
            refused = str(exc)
        return [type(self.ctx).__name__, type(self.ctx.storage).__name__, refused]
"""


def test_a_jsonc_project_with_comments_vars_and_bindings(tmp_path: Path) -> None:
    config = """// comment
    {
      "main": "src/entry.py", /* block */
      "compatibility_date": "2026-03-01",
      "compatibility_flags": ["python_workers", "web_socket_auto_reply_to_close", "nodejs_compat"],
      "vars": {"GREETING": "hi // not a comment"},
      "durable_objects": {"bindings": [{"name": "THING", "class_name": "Thing"},],},
    }"""
    project = load_project(_project(tmp_path, config, ENTRY), hibernate_after=3)
    assert project.env.GREETING == "hi // not a comment"
    assert project.env.THING.class_name == "Thing" and project.env.THING.hibernate_after == 3
    assert project.compatibility.date == "2026-03-01"
    assert "web_socket_auto_reply_to_close" in project.compatibility
    assert project.notes == [
        "compatibility flags with no effect here: nodejs_compat",
        "class Thing has no migration (new_sqlite_classes) in wrangler.jsonc; "
        "Cloudflare requires one to deploy it",
    ]


async def test_cloudflares_sdk_runs_on_the_layer_which_is_gone_afterwards(tmp_path: Path) -> None:
    config = (
        'main = "src/entry.py"\n[vars]\nGREETING = "hello"\n'
        '[[durable_objects.bindings]]\nname = "THING"\nclass_name = "Thing"\n'
    )
    project = load_project(_project(tmp_path, config, ENTRY, "wrangler.toml"))
    env = project.env

    async def get(path: str, **headers: str) -> tuple[int, str]:
        response = await dispatch_fetch(project.worker, Request("http://x" + path, headers=headers), env=env)
        return response.status, await response.text()

    # The SDK's own request.headers: an http.client.HTTPMessage with get(name, default).
    assert await get("/") == (200, "hello nobody HTTPMessageMapping")
    assert await get("/", **{"X-Who": "ada"}) == (200, "hello ada HTTPMessageMapping")
    assert await get("/js") == (203, "from js")
    # The SDK's own wrappers around the kit's bindings, with their rules (no tuples over RPC).
    assert json.loads((await get("/kinds"))[1]) == [
        "_DurableObjectNamespaceWrapper",
        "_FetcherWrapper",
        ["DurableObjectContext", "_BindingWrapper", "<class 'tuple'> cannot be sent over RPC."],
    ]
    # RPC and storage through the SDK's wrappers; ctx.abort() resets the object.
    assert await get("/thing", **{"X-Who": "bob"}) == (200, '{"value": {"who": "bob"}, "instances": 1}')
    assert await get("/abort") == (500, "WorkersError: reset")
    assert await get("/thing") == (200, '{"value": {"who": "nobody"}, "instances": 2}')
    import workers  # type: ignore[import-not-found]

    assert "site-packages" in str(workers.__file__)  # Cloudflare's package, as installed
    for name in pyworkers.NAMES:
        assert name not in sys.modules


MISSING = [
    ('"r2_buckets": [{"binding": "FILES", "bucket_name": "x"}]', "R2 bucket binding 'FILES' (r2_buckets)"),
    ('"ai": {"binding": "AI"}', "Workers AI binding 'AI' (ai)"),
    ('"worker_loaders": [{"binding": "LOADER"}]', "Worker Loader binding 'LOADER' (worker_loaders)"),
    (
        '"workflows": [{"binding": "FLOW", "name": "f", "class_name": "F"}]',
        "Workflow binding 'FLOW' (workflows)",
    ),
    (
        '"queues": {"producers": [{"binding": "Q", "queue": "q"}], "consumers": [{"queue": "q"}]}',
        "Queue binding 'Q', 'q' (queues)",
    ),
    ('"vectorize": [{"binding": "VEC", "index_name": "i"}]', "Vectorize index binding 'VEC' (vectorize)"),
    ('"some_future_thing": [{"binding": "NEW"}]', "binding 'NEW' (some_future_thing) is of a kind"),
]


@pytest.mark.parametrize(("setting", "named"), MISSING)
def test_a_binding_the_kit_lacks_fails_naming_it(tmp_path: Path, setting: str, named: str) -> None:
    config = '{"main": "src/entry.py", ' + setting + "}"
    with pytest.raises(ProjectError) as info:
        load_project(_project(tmp_path, config, ENTRY))
    message = str(info.value)
    assert message.startswith(f"wrangler.jsonc: {named}")
    assert "\n" not in message
    assert message.endswith(
        "run the project with `pywrangler dev` for it, or remove the binding (and the code that uses it) "
        "to run the rest here"
    )


@pytest.mark.parametrize(
    ("config", "entry", "message"),
    [
        ("{}", ENTRY, "wrangler.jsonc has no main"),
        ('{"main": "src/nope.py"}', ENTRY, "wrangler.jsonc: main 'src/nope.py' does not exist"),
        (
            '{"main": "src/entry.py", "durable_objects": {"bindings": [{"name": "R", "class_name": "Room"}]}}'
            "",
            ENTRY,
            "wrangler.jsonc: Durable Object binding 'R' names class 'Room', "
            "which src/entry.py does not define",
        ),
        (
            '{"main": "src/entry.py"}',
            "import nothing_like_this\n",
            "entry.py failed to load: ModuleNotFoundError",
        ),
        (
            '{"main": "src/entry.py", "compatibility_date": "soon"}',
            ENTRY,
            "wrangler.jsonc: compatibility date",
        ),
    ],
)
def test_mistakes_in_a_project_say_where(tmp_path: Path, config: str, entry: str, message: str) -> None:
    with pytest.raises(ProjectError) as info:
        load_project(_project(tmp_path, config, entry))
    assert str(info.value).startswith(message)


def test_a_folder_without_a_wrangler_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="has no wrangler.jsonc or wrangler.toml"):
        load_project(tmp_path)


def test_enable_is_the_one_opt_in_and_warns_about_what_it_hides(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = types.ModuleType("pyodide")  # as pyodide-py installs it
    monkeypatch.setitem(sys.modules, "pyodide", installed)
    with pytest.warns(RuntimeWarning, match="the kit's pyodide now hide the installed package"):
        pyworkers.enable()
    try:
        from js import Object, WebSocketPair  # type: ignore[import-not-found]
        from pyodide.ffi import to_js  # type: ignore[import-not-found]
        from workers import DurableObject  # type: ignore[import-not-found]

        client, server = Object.values(WebSocketPair.new())
        assert (client.readyState, server.readyState) == (1, 1)
        assert to_js({"a": [1, {"b": 2}]}).to_py() == {"a": [1, {"b": 2}]}
        assert DurableObject.__module__ == "workers.entrypoints"  # Cloudflare's
    finally:
        pyworkers.disable()
    assert sys.modules["pyodide"] is installed
    assert "js" not in sys.modules and "_cloudflare_compat_flags" not in sys.modules


async def test_the_counter_example_rpc_storage_and_alarm() -> None:
    import asyncio

    project = load_project(EXAMPLES / "do-counter", hibernate_after=None)

    async def call(path: str, method: str = "GET") -> tuple[int, str]:
        response = await dispatch_fetch(
            project.worker, Request("http://x" + path, method=method), env=project.env
        )
        return response.status, await response.text()

    assert await call("/apples/increment", "POST") == (200, '{"value": 1}')
    assert await call("/apples/increment", "POST") == (200, '{"value": 2}')
    assert await call("/pears") == (200, '{"value": 0, "resets": 0}')
    assert await call("/apples/reset-in/0.05", "POST") == (202, "reset scheduled")
    for _ in range(100):
        if (await call("/apples"))[1] == '{"value": 0, "resets": 1}':
            break
        await asyncio.sleep(0.01)
    assert await call("/apples") == (200, '{"value": 0, "resets": 1}')


async def test_after_enable_a_notebook_writes_the_same_code() -> None:
    from cfws_playground import connect, settle

    pyworkers.enable()
    try:
        from js import WebSocketPair  # type: ignore[import-not-found]
        from workers import DurableObject, Response, WorkerEntrypoint  # type: ignore[import-not-found]

        class Room(DurableObject):  # type: ignore[misc]
            async def fetch(self, request: Any) -> Any:
                client, server = WebSocketPair.new().object_values()
                self.ctx.acceptWebSocket(server)
                server.serializeAttachment(request.headers.get("x-name", "anonymous"))
                return Response(None, status=101, web_socket=client)

            async def webSocketMessage(self, ws: Any, message: Any) -> None:
                ws.send(f"{ws.deserializeAttachment()}: {message}")

            async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
                ws.close(code, reason)

        class Default(WorkerEntrypoint):  # type: ignore[misc]
            async def fetch(self, request: Any) -> Any:
                if request.headers.get("Upgrade", "") != "websocket":
                    return Response("upgrade, please", status=426)
                return await self.env.ROOM.getByName("lobby").fetch(request)

        env = types.SimpleNamespace()
        env.ROOM = pyworkers.binding(Room, env, hibernate_after=None)
        worker = pyworkers.entrypoint(Default)
        assert (await dispatch_fetch(worker, "http://x/", env=env)).status == 426
        client = await connect(worker, headers={"x-name": "ada"}, env=env)
        await client.send("hi")
        assert await client.recv() == "ada: hi"
        await client.close()
        await settle()
    finally:
        pyworkers.disable()


async def test_persist_to_keeps_durable_object_storage_across_runs(tmp_path: Path) -> None:
    async def run(path: str, method: str = "GET") -> str:
        project = load_project(EXAMPLES / "do-counter", hibernate_after=None, persist_to=tmp_path)
        response = await dispatch_fetch(
            project.worker, Request("http://x" + path, method=method), env=project.env
        )
        return await response.text()

    assert await run("/plums/increment", "POST") == '{"value": 1}'
    assert await run("/plums/increment", "POST") == '{"value": 2}'  # a new load: the value was kept
    assert await run("/plums") == '{"value": 2, "resets": 0}'
    assert (tmp_path / "Counter.sqlite").is_file()


async def test_the_kits_own_spelling_keeps_working_with_a_header_default() -> None:
    # Written the way Python users write it; this answered 500 before Headers.get took a default.
    from cfws_playground import Response

    async def fetch(request: Any, env: Any, ctx: Any) -> Response:
        if request.headers.get("Upgrade", "") != "websocket":
            return Response("Expected Upgrade: websocket", status=426)
        return Response("upgrade")

    response = await dispatch_fetch(fetch, "http://x/")
    assert (response.status, await response.text()) == (426, "Expected Upgrade: websocket")
    assert Request("http://x/", headers={"a": "1"}).headers.get("A", "none") == "1"


def test_js_globals_from_cloudflares_examples() -> None:
    from cfws_playground.pyworkers import js

    assert len(js.crypto.randomUUID()) == 36 and js.crypto.randomUUID() != js.crypto.randomUUID()
    buffer = bytearray(16)
    assert js.crypto.getRandomValues(buffer) is buffer and any(buffer)
    url = js.URL.new("http://x/room/lobby?name=ada#top")
    assert (url.pathname, url.searchParams.get("name"), url.hash) == ("/room/lobby", "ada", "#top")
    assert js.JSON.parse('{"a": [1]}').a == [1] and js.JSON.stringify({"a": 1}) == '{"a":1}'
    assert js.Date.new(86_400_000).toISOString() == "1970-01-02T00:00:00.000Z"
    assert js.Object.fromEntries([("k", 1)]).k == 1


def test_the_dialects_modules_leave_traceback_lookups_working() -> None:
    """IPython shows a traceback with inspect.getmodule, which reads ``__file__`` on every module:
    the layer's flags module must not answer it (it once answered False, and every traceback in a
    notebook after enable() became "Unexpected exception formatting exception")."""
    import inspect

    with pyworkers.dialect():
        flags = sys.modules["_cloudflare_compat_flags"]
        assert flags.python_no_global_handlers is False  # any flag the SDK asks for: off
        assert not hasattr(flags, "__file__")
        frame = inspect.currentframe()
        assert frame is not None
        assert inspect.getmodule(frame) is sys.modules[__name__]


@pytest.mark.parametrize(
    ("date", "flags", "call_soon"),
    [
        ("2025-08-14", [], "task"),  # before the global MessageChannel: WebLoop's call_soon is setTimeout(0)
        ("2025-08-15", [], "microtask"),
        ("2025-08-14", ["expose_global_message_channel"], "microtask"),
        ("2026-11-17", ["no_expose_global_message_channel"], "task"),
    ],
)
def test_serve_runs_the_project_on_webloop_as_its_date_and_flags_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, date: str, flags: list[str], call_soon: str
) -> None:
    from cfws_playground import cli
    from cfws_playground.dispatch import runtime

    config = json.dumps({"main": "src/entry.py", "compatibility_date": date, "compatibility_flags": flags})
    entry = "from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint):\n    pass\n"
    root = _project(tmp_path, config, entry)
    project = load_project(root)
    assert project.call_soon == call_soon
    assert not any("no effect" in note for note in project.notes)  # the flag is modelled
    seen: list[tuple[bool, bool]] = []

    async def fake_serve(*args: Any, **kwargs: Any) -> None:
        rt = runtime()
        seen.append((rt.call_soon_is_microtask, rt.webloop))

    monkeypatch.setattr(cli, "_serve", fake_serve)
    was_enabled = pyworkers.enabled()
    try:
        assert cli.main(["serve", str(root), "--quiet"]) == 0
    finally:
        if not was_enabled:
            pyworkers.disable()  # serve enables the dialect for the life of its process
    assert seen == [(call_soon == "microtask", True)]
