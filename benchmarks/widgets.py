"""What a live widget costs per event, against the recorder alone, measured in the same run.

Two workloads on one pair (accepted both ends, the client sends, the server
dispatches ``message``; two records per send):

- *burst*: 5,000 sends as fast as the loop goes (10,000 records), yielding to
  the loop every 100 sends so deliveries and widget flushes interleave;
- *paced*: about 10,000 records a second for two seconds, measuring the
  process's CPU time (what a kernel busy with a live feed spends).

Each runs with the recorder alone, then with an EventStream and a
SequenceDiagram attached. The widgets talk to a comm that serialises every
message as the kernel would (JSON), without a front end. The result is a
ratio; nothing here is a pass/fail test.

Run: ``python -m benchmarks.widgets``
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import comm
from comm import DummyComm

from cfws_playground import Recorder, WebSocketPair, settle

__all__ = ["main", "run"]


class _SerialisingComm(DummyComm):  # type: ignore[misc]
    """Counts messages and pays for their JSON encoding, like the kernel's comm."""

    kernel = True
    sent = 0
    bytes_sent = 0

    def publish_msg(
        self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
    ) -> None:
        payload = json.dumps(data, default=str)
        if msg_type == "comm_msg":
            _SerialisingComm.sent += 1
            _SerialisingComm.bytes_sent += len(payload)


def _pair(with_widgets: str) -> tuple[WebSocketPair, Recorder, list[Any]]:
    from cfws_playground.widgets import EventStream, SequenceDiagram

    client, server = pair = WebSocketPair()
    rec = Recorder(pair)
    kinds = {
        "": [],
        "stream": [EventStream],
        "sequence": [SequenceDiagram],
        "both": [EventStream, SequenceDiagram],
    }[with_widgets]
    widgets: list[Any] = [kind(rec) for kind in kinds]
    server.accept()
    client.accept()
    return pair, rec, widgets


async def _burst(with_widgets: str, sends: int = 5000) -> tuple[float, int, int]:
    pair, rec, widgets = _pair(with_widgets)
    client = pair[0]
    before = _SerialisingComm.sent
    start = time.perf_counter()
    for i in range(sends):
        client.send(str(i))
        if i % 100 == 0:
            await asyncio.sleep(0)
    await settle()
    for w in widgets:
        w.flush()
    elapsed = time.perf_counter() - start
    for w in widgets:
        w.close()
    return elapsed / (rec.total - 2), rec.total - 2, _SerialisingComm.sent - before


async def _paced(with_widgets: str, seconds: float = 2.0, rate: int = 10_000) -> tuple[float, int]:
    pair, rec, widgets = _pair(with_widgets)
    client = pair[0]
    per_tick = rate // 2 // 100  # sends per 10 ms tick; each send makes two records
    loop = asyncio.get_running_loop()
    cpu = time.process_time()
    start = loop.time()
    tick = 0
    while loop.time() - start < seconds:
        for i in range(per_tick):
            client.send(str(i))
        tick += 1
        await asyncio.sleep(max(0.0, start + tick * 0.01 - loop.time()))
    await settle()
    for w in widgets:
        w.flush()
    used = time.process_time() - cpu
    for w in widgets:
        w.close()
    return used / (rec.total - 2), rec.total - 2


VARIANTS = {"stream": "+ EventStream", "sequence": "+ SequenceDiagram", "both": "+ both widgets"}


async def run(repeat: int = 5, paced_rounds: int = 3) -> dict[str, dict[str, float]]:
    """Measure both workloads for each variant, alternating with the baseline."""
    burst: dict[str, list[float]] = {"": [], **{v: [] for v in VARIANTS}}
    updates: dict[str, list[int]] = {v: [] for v in VARIANTS}
    for _ in range(repeat):
        for variant in burst:
            per, _events, sent = await _burst(variant)
            burst[variant].append(per)
            if variant:
                updates[variant].append(sent)
    # Paced runs are noisy on a shared 2-core machine: alternate the variants
    # over several rounds and keep each one's median.
    paced_runs: dict[str, list[float]] = {v: [] for v in burst}
    paced_sent: dict[str, list[int]] = {v: [] for v in burst}
    for _ in range(paced_rounds):
        for variant in burst:
            before = _SerialisingComm.sent
            per, _n = await _paced(variant)
            paced_runs[variant].append(per)
            paced_sent[variant].append(_SerialisingComm.sent - before)
    paced = {v: statistics.median(runs) for v, runs in paced_runs.items()}
    paced_updates = {v: statistics.median(sent) for v, sent in paced_sent.items()}
    base_b, base_p = min(burst[""]), paced[""]
    result: dict[str, dict[str, float]] = {"": {"burst_us": base_b * 1e6, "paced_cpu_us": base_p * 1e6}}
    for variant in VARIANTS:
        result[variant] = {
            "burst_us": min(burst[variant]) * 1e6,
            "burst_ratio": min(burst[variant]) / base_b,
            "burst_updates": float(statistics.median(updates[variant])),
            "paced_cpu_us": paced[variant] * 1e6,
            "paced_ratio": paced[variant] / base_p,
            "paced_updates_per_s": paced_updates[variant] / 2.0,
        }
    return result


def main() -> None:
    """Print the figures."""
    original = comm.create_comm
    comm.create_comm = _SerialisingComm
    try:
        r = asyncio.run(run())
    finally:
        comm.create_comm = original
    print("10,000 events per burst; paced: ~10,000 events/s for 2 s")
    print(
        f"{'':<22}{'burst µs/event':>16}{'ratio':>8}{'updates':>9}"
        f"{'paced CPU µs/event':>20}{'ratio':>8}{'updates/s':>11}"
    )
    print(
        f"{'recorder alone':<22}{r['']['burst_us']:>16.2f}{'1.00':>8}{'':>9}"
        f"{r['']['paced_cpu_us']:>20.2f}{'1.00':>8}"
    )
    for variant, label in VARIANTS.items():
        v = r[variant]
        print(
            f"{label:<22}{v['burst_us']:>16.2f}{v['burst_ratio']:>8.2f}{v['burst_updates']:>9.0f}"
            f"{v['paced_cpu_us']:>20.2f}{v['paced_ratio']:>8.2f}{v['paced_updates_per_s']:>11.1f}"
        )


if __name__ == "__main__":
    main()
