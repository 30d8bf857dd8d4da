from workers import WorkerEntrypoint, wsgi


def application(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size) if size else b""
    start_response("201 Created", [("Content-Type", "text/plain"), ("X-Path", environ["PATH_INFO"])])
    return [b"method=", environ["REQUEST_METHOD"].encode(), b" body=", body]


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await wsgi.fetch(application, request.js_object, self.env)
