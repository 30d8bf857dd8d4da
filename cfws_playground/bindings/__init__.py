"""Bindings a wrangler project declares beyond Durable Objects: static assets, KV, D1.

Each mirrors the Workers binding of the same name (its JS class name is what
Cloudflare's SDK looks for), keeps its data in stdlib ``sqlite3`` or in files,
and raises the runtime's error texts.
"""

from __future__ import annotations

from .assets import AssetRouter, Assets, AssetsConfigError
from .d1 import D1Database, D1PreparedStatement
from .kv import KvNamespace

__all__ = ["AssetRouter", "Assets", "AssetsConfigError", "D1Database", "D1PreparedStatement", "KvNamespace"]
