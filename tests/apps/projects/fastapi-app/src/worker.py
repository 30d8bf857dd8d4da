from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from workers import WorkerEntrypoint

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@app.get("/")
async def root():
    return {"message": "Hello from FastAPI"}


@app.get("/hi/{name}")
async def say_hi(name: str, shout: bool = False):
    return {"message": f"Hello, {name.upper() if shout else name}!"}


@app.post("/items")
async def create_item(item: Item):
    return {"name": item.name, "with_tax": round(item.price * 1.2, 2)}


@app.get("/env")
async def env(req: Request):
    return {"message": req.scope["env"].MESSAGE}


@app.get("/stream")
async def stream():
    async def numbers():
        for i in range(3):
            yield f"line {i}\n"

    return StreamingResponse(numbers(), media_type="text/plain")


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        if text == "bye":
            await websocket.close(code=4000)
            return
        await websocket.send_text(f"echo: {text}")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        import asgi

        if request.headers.get("upgrade", "").lower() == "websocket":
            return await asgi.websocket(app, request.js_object, self.env)
        return await asgi.fetch(app, request.js_object, self.env)
