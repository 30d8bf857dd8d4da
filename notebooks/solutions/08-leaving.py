# Solution to 08 Capstone, Exercise 3: leave, with a head count.
# Room2 is the chapter's step 2 room, defined above the exercise. The socket that is leaving is
# still in getWebSockets() while webSocketClose runs, so the count leaves it out; nothing lives
# on self, which hibernation wipes.


class Leaving(Room2):  # noqa: F821 - the chapter defines Room2 above the exercise
    async def webSocketClose(self, ws, code, reason, was_clean):
        here = [other for other in self.ctx.getWebSockets() if other != ws and other.readyState == 1]
        self.broadcast(f"* {self.name(ws)} left ({len(here)} here)", exclude=ws)
        if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
            ws.close(code, reason)
        else:
            ws.close(1000, "")
