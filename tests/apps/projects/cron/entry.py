from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def scheduled(self, controller, env, ctx):
        if controller.cron == "fail":
            raise RuntimeError("the job failed")
        await self.env.RUNS.put("last", f"{controller.cron} at {controller.scheduledTime > 0}")

    async def fetch(self, request):
        return Response(await self.env.RUNS.get("last") or "never")
