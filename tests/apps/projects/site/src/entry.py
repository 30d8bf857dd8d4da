from urllib.parse import urlparse

from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlparse(request.url).path
        if path.startswith("/api/"):
            return Response.json({"hello": path, "method": request.method})
        if path == "/styled":  # the Worker reads an asset through the binding
            css = await self.env.ASSETS.fetch(request.url.replace("/styled", "/style.css"))
            return Response(f"styled with {await css.text()}")
        return await self.env.ASSETS.fetch(request)  # anything else: the assets' own answer (404 page)
