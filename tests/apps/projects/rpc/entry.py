import asyncio

from js import HTMLRewriter
from pyodide.ffi import create_proxy, run_sync, to_js
from workers import Response, WorkerEntrypoint


class Calculator(WorkerEntrypoint):
    async def add(self, a, b):
        return a + b

    def describe(self, item):
        return {"name": item["name"], "total": sum(item["prices"])}

    async def fetch(self, request):
        return Response("the calculator's own fetch")


class Links:
    def element(self, el):
        el.setAttribute("href", "https://example.com" + el.getAttribute("href"))
        el.after(" (external)")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = request.url.rsplit("/", 1)[-1]
        if path == "add":
            return Response(str(await self.env.CALC.add(2, 3)))
        if path == "describe":
            return Response.json(await self.env.CALC.describe({"name": "pens", "prices": [1, 2]}))
        if path == "fetch":
            return Response(await (await self.env.CALC.fetch(request)).text())
        if path == "missing":
            try:
                await self.env.CALC.nothing()
            except Exception as exc:
                return Response(f"{type(exc).__name__}: {exc}")
        if path == "bytes":
            view = to_js(b"\x01\x02\x03")
            return Response(f"{view.byteLength} {view.buffer.byteLength} {list(view.slice(1).to_bytes())}")
        if path == "run-sync":
            return Response(str(run_sync(self.add_later())))
        if path == "run-sync-timer":
            return Response(str(run_sync(self.sleep_then(0.01, 42))))
        if path == "run-sync-future":
            # Another task settles the future while run_sync() waits for it.
            fut = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().create_task(self.settle(fut, "settled by another task"))
            return Response(run_sync(fut))
        if path == "run-sync-request":
            # Waits for a future the next request settles: other events run meanwhile.
            return Response(run_sync(_waiting()))
        if path == "settle":
            _waiting().set_result("settled by another request")
            return Response("ok")
        if path == "rewriter":
            page = Response("<p>Hi <a href='/x'>there</a></p>", headers={"content-type": "text/html"})
            rewriter = HTMLRewriter.new().on("a[href]", create_proxy(Links()))
            return rewriter.transform(page.js_object)
        return Response("?")

    async def add_later(self):
        return 40 + 2

    async def sleep_then(self, seconds, value):
        await asyncio.sleep(seconds)
        return value

    async def settle(self, fut, value):
        await asyncio.sleep(0.01)
        fut.set_result(value)


_futures = []


def _waiting():
    """One future for the request that waits and the one that settles it."""
    loop = asyncio.get_running_loop()
    if not _futures or _futures[0].done() or _futures[0].get_loop() is not loop:
        _futures[:] = [loop.create_future()]
    return _futures[0]
