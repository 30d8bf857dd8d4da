# Solution to 03 Sending, Exercise 2: read bytes under any binaryType.
from cfws_playground import Blob


async def read_bytes(event):
    data = event.data
    if isinstance(data, Blob):
        return await data.arrayBuffer()
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)
