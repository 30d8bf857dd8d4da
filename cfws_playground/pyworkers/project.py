"""A Python Workers project folder (a wrangler file), run as ``pywrangler dev`` runs it.

Read: ``main``, ``compatibility_date``, ``compatibility_flags``, ``vars``,
``durable_objects.bindings``, ``migrations``, ``assets``, ``kv_namespaces``,
``d1_databases`` and ``triggers``. ``main`` is imported with its
folder on ``sys.path`` (and ``__file__`` set), inside the dialect
(:mod:`cfws_playground.pyworkers.modules`). A binding the kit does not model
(KV, D1, R2, AI, ...) is an error that names it, before anything runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import re
import sys
import tomllib
import types
from pathlib import Path
from typing import Any

from ..bindings.assets import AssetRouter, Assets, AssetsConfigError
from ..bindings.d1 import D1Database
from ..bindings.kv import KvNamespace
from ..compat import FLAGS, compatibility
from ..dispatch import MESSAGE_CHANNEL_FLAGS, CallSoon, webloop_call_soon
from ..durable.namespace import DurableObjectNamespace
from ..durable.object import DEFAULT_HIBERNATE_AFTER
from ..durable.sql import SqlDatabases
from ..durable.storage import Backend, MemoryBackend, SqliteBackend
from ..http import Request, Response
from ..worker import call_loosely
from . import modules, packages
from .ffi import JsException
from .jsobjects import JsRequest, runtime_response
from .jsproxy import JsDurableObjectState, from_runtime, python_error
from .modules import dialect
from .services import ServiceBinding
from .triggers import Triggers, check_cron

__all__ = [
    "CONFIG_NAMES",
    "Project",
    "ProjectError",
    "SdkWorker",
    "binding",
    "entrypoint",
    "kit_response",
    "load_project",
]

CONFIG_NAMES = ("wrangler.jsonc", "wrangler.json", "wrangler.toml")

#: Bindings a wrangler file may declare that the kit does not model: key -> what it is.
UNMODELLED_BINDINGS = {
    "r2_buckets": "R2 bucket",
    "ai": "Workers AI",
    "queues": "Queue",
    "vectorize": "Vectorize index",
    "hyperdrive": "Hyperdrive",
    "analytics_engine_datasets": "Analytics Engine dataset",
    "browser": "Browser Rendering",
    "workflows": "Workflow",
    "send_email": "Email",
    "images": "Images",
    "dispatch_namespaces": "dispatch namespace",
    "mtls_certificates": "mTLS certificate",
    "secrets_store_secrets": "Secrets Store secret",
    "version_metadata": "version metadata",
    "worker_loaders": "Worker Loader",
    "pipelines": "Pipeline",
    "ratelimits": "rate limiting",
    "vpc_services": "VPC service",
    "containers": "Container",
    "unsafe": "unsafe",
}

#: What to do instead, said on the same line.
_INSTEAD = (
    "run the project with `pywrangler dev` for it, or remove the binding (and the code that uses it) "
    "to run the rest here"
)

#: Top-level wrangler settings that declare no binding (anything else holding a
#: ``binding`` entry is refused as an unknown binding).
_SETTINGS = frozenset(
    {
        "$schema",
        "name",
        "main",
        "compatibility_date",
        "compatibility_flags",
        "vars",
        "durable_objects",
        "migrations",
        "account_id",
        "workers_dev",
        "preview_urls",
        "routes",
        "route",
        "triggers",
        "observability",
        "build",
        "rules",
        "dev",
        "env",
        "limits",
        "placement",
        "upload_source_maps",
        "minify",
        "keep_vars",
        "logpush",
        "no_bundle",
        "tail_consumers",
        "find_additional_modules",
        "base_dir",
        "preserve_file_names",
        "define",
        "usage_model",
        "send_metrics",
        "legacy_env",
        "python_modules",
        "node_compat",
        "alias",
        "tsconfig",
        "jsx_factory",
        "jsx_fragment",
        "assets",
        "kv_namespaces",
        "d1_databases",
        "services",
    }
)

#: JS class name -> what ``serve`` calls the binding.
_KINDS = {"Fetcher": "static assets binding", "KvNamespace": "KV namespace", "D1Database": "D1 database"}

_KNOWN_FLAGS = {f.enable for f in FLAGS} | {f.disable for f in FLAGS if f.disable}


class ProjectError(ValueError):
    """The project folder cannot run here; the message says which file and which setting."""


@dataclasses.dataclass
class Project:
    """A loaded project.

    Attributes:
        root: the folder.
        config: the wrangler file read.
        name: the Worker's ``name`` (or the folder's).
        main: the entry module's path.
        worker: what the runtime calls: the ``Default`` entrypoint (an :class:`SdkWorker`)
            or the entry module (its ``fetch``).
        env: what the Worker and its objects get as ``env``: ``vars`` and Durable Object namespaces.
        compatibility: the date and the flags the kit models.
        namespaces: binding name -> namespace.
        notes: things said once at start-up (flags not modelled, missing migrations, ...).
        call_soon: what ``call_soon`` is on Pyodide's WebLoop at the project's date and flags
            (``expose_global_message_channel``): ``serve DIR`` runs its loop so, with
            ``set_call_soon(project.call_soon, webloop=True)``.
    """

    root: Path
    config: Path
    name: str
    main: Path
    worker: Any
    env: types.SimpleNamespace
    compatibility: compatibility
    namespaces: dict[str, DurableObjectNamespace]
    notes: list[str]
    call_soon: CallSoon = "microtask"

    def describe_bindings(self) -> list[str]:
        """One line per binding other than Durable Objects, and the assets, for ``serve``'s banner."""
        lines = []
        inner = self.worker.worker if isinstance(self.worker, Triggers) else self.worker
        router = inner if isinstance(inner, AssetRouter) else None
        if router is not None:
            folder = router.assets.directory
            shown = (
                folder.relative_to(self.root.resolve())
                if folder.is_relative_to(self.root.resolve())
                else folder
            )
            lines.append(
                f"assets: {shown}/ ({router.assets.html_handling}, "
                f"not found: {router.assets.not_found_handling})"
            )
        if isinstance(self.worker, Triggers) and self.worker.crons:
            lines.append(f"crons: {', '.join(self.worker.crons)} (fire one: /__scheduled?cron=...)")
        for name, value in vars(self.env).items():
            what = getattr(getattr(value, "constructor", None), "name", None)
            if what and what != "DurableObjectNamespace":
                lines.append(f"env.{name}: {_KINDS.get(what, what)}")
        return lines


def find_config(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return None


def read_config(path: Path) -> dict[str, Any]:
    """Parse ``wrangler.toml`` or ``wrangler.json[c]`` (comments and trailing commas allowed)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(_strip_jsonc(text))  # type: ignore[no-any-return]
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{path.name} is not valid: {exc}") from None


_JSONC_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)


def _strip_jsonc(text: str) -> str:
    no_comments = _JSONC_TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return re.sub(r",(\s*[}\]])", r"\1", no_comments)


def _binding_names(key: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        if "binding" in value:
            return [str(value["binding"])]
        names: list[str] = []
        for sub in value.values():  # queues: {"producers": [...], "consumers": [...]}
            if isinstance(sub, list):
                names += [str(v.get("binding") or v.get("queue") or "?") for v in sub if isinstance(v, dict)]
        return names or [key]
    if isinstance(value, list):
        return [
            str(v.get("binding") or v.get("name") or "?") if isinstance(v, dict) else str(v) for v in value
        ]
    return [key]


def _declares_binding(value: Any) -> bool:
    if isinstance(value, dict):
        return "binding" in value or any(_declares_binding(v) for v in value.values())
    if isinstance(value, list):
        return any(isinstance(v, dict) and "binding" in v for v in value)
    return False


def refuse_unmodelled(config: dict[str, Any], where: str) -> None:
    """Raise :class:`ProjectError` naming the first binding the kit does not model, and what to do.

    One line, before anything runs: ``wrangler.jsonc: Workers AI binding 'AI' (ai) is not modelled ...``.
    """
    for key, what in UNMODELLED_BINDINGS.items():
        if config.get(key):
            names = ", ".join(repr(n) for n in _binding_names(key, config[key]))
            raise ProjectError(
                f"{where}: {what} binding {names} ({key}) is not modelled by cfws-playground; {_INSTEAD}"
            )
    for key, value in config.items():
        if key not in _SETTINGS and key not in UNMODELLED_BINDINGS and _declares_binding(value):
            names = ", ".join(repr(n) for n in _binding_names(key, value))
            raise ProjectError(
                f"{where}: binding {names} ({key}) is of a kind cfws-playground does not know; {_INSTEAD}"
            )


def _assets(root: Path, options: Any, where: str) -> tuple[Assets, dict[str, Any]] | None:
    """The ``assets`` setting: the files, and the options as written."""
    if not options:
        return None
    if not isinstance(options, dict) or not isinstance(options.get("directory"), str):
        raise ProjectError(f'{where}: assets needs a directory (e.g. "assets": {{"directory": "./public"}})')
    try:
        files = Assets(
            root / options["directory"],
            html_handling=str(options.get("html_handling", "auto-trailing-slash")),
            not_found_handling=str(options.get("not_found_handling", "none")),
        )
    except AssetsConfigError as exc:
        raise ProjectError(f"{where}: {exc}") from None
    return files, options


def _service_bindings(config: dict[str, Any], env: Any, where: str, module: Any, own_name: str) -> None:
    """``services`` bound to this project's own entrypoints; a service of another Worker is refused."""
    for entry in config.get("services") or []:
        name = entry.get("binding") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.isidentifier():
            raise ProjectError(f"{where}: each of services needs a binding name (a valid identifier)")
        service = str(entry.get("service"))
        if service != own_name:
            raise ProjectError(
                f"{where}: service binding {name!r} (services) to another Worker, {service!r}, is not "
                f"modelled by cfws-playground (only this project's own entrypoints, service {own_name!r}); "
                f"{_INSTEAD}"
            )
        class_name = str(entry.get("entrypoint") or "Default")
        cls = getattr(module, class_name, None)
        if not isinstance(cls, type):
            raise ProjectError(
                f"{where}: service binding {name!r} names entrypoint {class_name!r}, "
                "which the module does not define"
            )
        setattr(env, name, ServiceBinding(cls, env, entrypoint(cls)))


def _storage_bindings(config: dict[str, Any], env: Any, where: str, persist_to: str | Path | None) -> None:
    """``kv_namespaces`` and ``d1_databases`` into ``env``, in memory or in ``persist_to``."""
    for key, folder, make, id_key in (
        ("kv_namespaces", "kv", KvNamespace, "id"),
        ("d1_databases", "d1", D1Database, "database_id"),
    ):
        declared = config.get(key) or []
        if not isinstance(declared, list):
            raise ProjectError(f"{where}: {key} must be a list of bindings")
        for entry in declared:
            name = entry.get("binding") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.isidentifier():
                raise ProjectError(f"{where}: each of {key} needs a binding name (a valid identifier)")
            stem = re.sub(
                r"[^A-Za-z0-9_.-]", "_", str(entry.get(id_key) or entry.get("database_name") or name)
            )
            path = Path(persist_to) / folder / f"{stem}.sqlite" if persist_to else None
            setattr(env, name, make(path))


def _packages(root: Path, install_deps: bool, notes: list[str]) -> None:
    """The project's own packages: importable, installed on request, or an error naming them."""
    lacking = packages.missing(root)
    if lacking and install_deps:
        try:
            packages.install(root, lacking)
        except RuntimeError as exc:
            raise ProjectError(f"pyproject.toml: installing {', '.join(lacking)} failed: {exc}") from None
        notes.append(f"installed {', '.join(lacking)} into {packages.PACKAGES_FOLDER}/")
        lacking = packages.missing(root)
    if lacking:
        quoted = " ".join(repr(r) if any(c in r for c in " <>=!;[") else r for r in lacking)
        raise ProjectError(
            f"pyproject.toml: the project needs {', '.join(lacking)}, not installed here: "
            f"run `{Path(sys.executable).name} -m pip install {quoted}`, or serve with --install-deps"
        )
    local = root.resolve() / packages.PACKAGES_FOLDER
    if local.is_dir() and str(local) not in sys.path:
        sys.path.insert(0, str(local))


def load_project(
    root: str | Path,
    *,
    hibernate_after: float | None = DEFAULT_HIBERNATE_AFTER,
    persist_to: str | Path | None = None,
    install_deps: bool = False,
) -> Project:
    """Load the project in ``root``.

    Args:
        root: the folder holding ``wrangler.jsonc`` / ``wrangler.toml``.
        hibernate_after: seconds an idle Durable Object stays in memory (10 as in production).
        persist_to: a folder for Durable Object storage in SQLite (kept across runs);
            in memory when None.
        install_deps: install the packages ``pyproject.toml`` declares and this interpreter
            lacks into ``root/.cfws-packages`` (with pip) instead of stopping with their names.

    Raises:
        ProjectError: no wrangler file, a setting the kit cannot run, or an entry module that fails.
    """
    root = Path(root)
    config_path = find_config(root)
    if config_path is None:
        raise ProjectError(f"{root} has no {' or '.join(CONFIG_NAMES[::2])}")
    config = read_config(config_path)
    where = config_path.name
    refuse_unmodelled(config, where)
    assets = _assets(root, config.get("assets"), where)
    main = config.get("main")
    if main is None and assets is not None:
        main = None  # an assets-only project: no Worker
    elif not isinstance(main, str):
        raise ProjectError(f'{where} has no main (the entry module, e.g. "main": "src/entry.py")')
    main_path = None if main is None else (root / main).resolve()
    if main_path is not None and not main_path.is_file():
        raise ProjectError(f"{where}: main {main!r} does not exist")
    if main_path is not None and main_path.suffix != ".py":
        raise ProjectError(
            f"{where}: main {main!r} is not a Python module (cfws-playground runs Python Workers)"
        )

    notes: list[str] = []
    flags = [str(f) for f in config.get("compatibility_flags", [])]
    unmodelled = [
        f for f in flags if f not in _KNOWN_FLAGS and f not in MESSAGE_CHANNEL_FLAGS and f != "python_workers"
    ]
    if unmodelled:
        notes.append(f"compatibility flags with no effect here: {', '.join(unmodelled)}")
    try:
        compat = compatibility(
            date=config.get("compatibility_date"), flags=[f for f in flags if f in _KNOWN_FLAGS]
        )
    except ValueError as exc:
        raise ProjectError(f"{where}: {exc}") from None

    bindings = (config.get("durable_objects") or {}).get("bindings") or []
    # class -> SQLite-backed, following the migrations in order, as Cloudflare applies them.
    migrated: dict[str, bool] = {}
    for migration in config.get("migrations") or []:
        migrated.update(dict.fromkeys(migration.get("new_classes") or [], False))
        migrated.update(dict.fromkeys(migration.get("new_sqlite_classes") or [], True))
        for renamed in migration.get("renamed_classes") or []:
            if renamed.get("from") in migrated:
                migrated[str(renamed.get("to"))] = migrated.pop(renamed["from"])
        for deleted in migration.get("deleted_classes") or []:
            migrated.pop(deleted, None)

    _packages(root, install_deps, notes)
    module = types.ModuleType("assets_only") if main_path is None else _import_main(main_path, where)
    entry = getattr(module, "Default", None)
    worker: Any = entrypoint(entry) if isinstance(entry, type) else module
    entry_worker = worker

    env = types.SimpleNamespace(**{str(k): v for k, v in (config.get("vars") or {}).items()})
    _storage_bindings(config, env, where, persist_to)
    _service_bindings(config, env, where, module, str(config.get("name") or root.resolve().name))
    modules._cloudflare_workers.env = env  # `from workers import env`, as in the runtime
    if assets is not None:
        files, options = assets
        notes.extend(f"assets: {warning}" for warning in files.rules.warnings)  # as wrangler warns
        if options.get("binding"):
            setattr(env, str(options["binding"]), files)
        try:
            worker = AssetRouter(
                files, None if main_path is None else worker, options.get("run_worker_first", False)
            )
        except AssetsConfigError as exc:
            raise ProjectError(f"{where}: {exc}") from None
    spaces: dict[str, DurableObjectNamespace] = {}
    for declared in bindings:
        name, class_name = declared.get("name"), declared.get("class_name")
        if declared.get("script_name"):
            raise ProjectError(
                f"{where}: Durable Object binding {name!r} uses script_name {declared['script_name']!r}: "
                "objects of another Worker are not modelled; define the class in this project"
            )
        cls = getattr(module, str(class_name), None)
        if not isinstance(cls, type):
            raise ProjectError(
                f"{where}: Durable Object binding {name!r} names class {class_name!r}, "
                f"which {main} does not define"
            )
        if class_name not in migrated:
            notes.append(
                f"class {class_name} has no migration (new_sqlite_classes) in {where}; "
                "Cloudflare requires one to deploy it"
            )
        backend: Backend = (
            SqliteBackend(Path(persist_to) / f"{class_name}.sqlite") if persist_to else MemoryBackend()
        )
        # A class without a migration is key-value backed, as wrangler dev runs it.
        sql: bool | SqlDatabases = migrated.get(str(class_name), False)
        if sql and persist_to:
            sql = SqlDatabases(Path(persist_to) / str(class_name))
        spaces[str(name)] = binding(
            cls,
            env,
            name=str(name),
            storage=backend,
            hibernate_after=hibernate_after,
            compatibility=compat,
            sql=sql,
        )
        setattr(env, str(name), spaces[str(name)])
    crons = (config.get("triggers") or {}).get("crons") or []
    for cron in crons:
        problem = check_cron(str(cron))
        if problem is not None:
            raise ProjectError(f"{where}: triggers.crons: {problem}")
    if main_path is not None:
        worker = Triggers(worker, [str(c) for c in crons], scheduled_from=entry_worker)
    return Project(
        root=root,
        config=config_path,
        name=str(config.get("name") or root.resolve().name),
        main=main_path if main_path is not None else root,
        worker=worker,
        env=env,
        compatibility=compat,
        namespaces=spaces,
        notes=notes,
        call_soon=webloop_call_soon(config.get("compatibility_date"), flags),
    )


class SdkWorker:
    """A ``class Default(WorkerEntrypoint)`` of Cloudflare's SDK, as the kit's runtime calls a Worker.

    The runtime's glue does what it does in Pyodide: the handler gets the SDK's
    ``Request`` around the runtime's request, and the SDK's ``Response`` goes
    back as the runtime's.
    """

    def __init__(self, cls: type, sdk: types.ModuleType) -> None:
        self.cls = cls
        self.sdk = sdk

    def request(self, request: Request) -> Any:
        """The SDK's ``Request`` around the runtime's request."""
        return self.sdk.Request(JsRequest.of(request))

    async def fetch(self, request: Request, env: Any, ctx: Any) -> Any:
        instance = self.cls(ctx, env)
        result = call_loosely(instance.fetch, self.request(request))
        if hasattr(result, "__await__"):
            result = await result
        response = kit_response(result)
        stream = getattr(response, "_stream", None)
        if stream is not None:  # a streamed body (TransformStream): the kit sends whole bodies
            response = Response(
                await stream.read_all(),
                status=response.status,
                headers=response.headers,
                statusText=response.statusText,
            )
        return response

    def __repr__(self) -> str:
        return f"<SdkWorker {self.cls.__name__}>"


def entrypoint(cls: type) -> Any:
    """What the kit's runtime should call for a Worker class: an :class:`SdkWorker` for a
    ``class Default(WorkerEntrypoint)`` of Cloudflare's SDK, the class itself otherwise.

    In a notebook, after ``pyworkers.enable()``: ``serve(pyworkers.entrypoint(Default), env=env)``.
    """
    sdk = sys.modules.get("workers")
    if sdk is not None and isinstance(cls, type) and issubclass(cls, getattr(sdk, "WorkerEntrypoint", ())):
        return SdkWorker(cls, sdk)
    return cls


def binding(cls: type, env: Any, *, python: bool = False, **options: Any) -> DurableObjectNamespace:
    """A Durable Object namespace for ``cls``; for a ``DurableObject`` of Cloudflare's SDK, its
    ``fetch`` gets the SDK's ``Request`` and may return the SDK's ``Response``, as on Cloudflare.

    An SDK class (or any class, with ``python=True``) sees what Pyodide shows: its ``ctx`` and the
    sockets and binary messages its handlers get are JsProxy objects (:mod:`.jsproxy`).

    ``options`` are :class:`~cfws_playground.durable.DurableObjectNamespace`'s.
    """
    ns = DurableObjectNamespace(cls, env, **options)
    sdk = sys.modules.get("workers")
    is_sdk = sdk is not None and issubclass(cls, getattr(sdk, "DurableObject", ()))
    if is_sdk:
        assert sdk is not None
        ns.request_adapter = SdkWorker(cls, sdk).request
        ns.response_adapter = kit_response
        ns.error_adapter = _crossed_into_js
    if is_sdk or python:
        ns.ctx_adapter = JsDurableObjectState
        ns.handler_args_adapter = _handler_args
    return ns


def _crossed_into_js(exc: Exception) -> Exception:
    """What the caller of ``stub.fetch()`` gets when the object's Python ``fetch`` raised: the
    ``PythonError`` the exception became in JavaScript (``pyodide.http`` then raises it as an
    ``AbortError``, as in workerd: ``py-object-tags-python-list``)."""
    if isinstance(exc, JsException) and exc.name == "PythonError":
        return exc
    return python_error(exc)


def _handler_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A hibernation handler's arguments as Pyodide passes them: the socket and any binary message
    or error as JsProxy objects (a text message, a code, a reason stay Python values)."""
    return tuple(from_runtime(a) for a in args)


def kit_response(result: Any) -> Any:
    """The runtime's ``Response`` inside an SDK ``Response`` (``js_object``) or a JS one; anything
    else as it is."""
    if isinstance(result, Response):
        return runtime_response(result)
    inner = getattr(result, "js_object", None)
    return runtime_response(inner) if isinstance(inner, Response) else result


def _import_main(path: Path, where: str) -> types.ModuleType:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module_name = f"_cfws_project_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # the entry module imports its neighbours, as in Pyodide
    sys.modules[module_name] = module
    try:
        with dialect():
            spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the project's code: say where it failed, briefly
        sys.modules.pop(module_name, None)
        line = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise ProjectError(f"{path.name} failed to load{line}: {type(exc).__name__}: {exc}") from exc
    return module
