"""An open-loop HTTP/1.1 load generator: prebuilt requests sent at a fixed rate over keep-alive."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class LoadPlan:
    host: str
    port: int
    requests: tuple[bytes, ...]
    rate: float
    duration: float
    timeout: float = 3.0
    max_connections: int = 512


@dataclass(frozen=True)
class LoadSummary:
    """Latencies run from each request's scheduled send time to its complete response."""

    offered: float
    achieved: float
    sent: int
    errors: int
    elapsed: float
    p50: float
    p99: float
    max: float
    send_lag_max: float
    connections: int
    client_cpu: float


@dataclass(frozen=True)
class Outcome:
    latency: float
    ok: bool


class ConnectionPool:
    """Idle keep-alive connections; a new one is opened whenever none is free, up to a cap."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host = host
        self.port = port
        self.opened = 0
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(limit)

    async def exchange(self, request: bytes) -> int:
        """Send one request and read its response; returns the HTTP status."""
        async with self._slots:
            reader, writer = self._idle.pop() if self._idle else await self._connect()
            try:
                writer.write(request)
                status, keep_alive = await read_response(reader)
            except BaseException:
                writer.close()
                raise
            if keep_alive:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return status

    async def _connect(self) -> Connection:
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read a Content-Length framed response; returns its status and whether to keep alive."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *header_lines = head.rstrip("\r\n").split("\r\n")
    headers = dict(_header(line) for line in header_lines)
    await reader.readexactly(int(headers["content-length"]))
    return int(status_line.split(" ", 2)[1]), headers.get("connection") != "close"


def _header(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip().lower(), value.strip().lower()


async def _timed(pool: ConnectionPool, request: bytes, scheduled: float, timeout: float) -> Outcome:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(scheduled + timeout):
            ok = await pool.exchange(request) == 200
    except Exception:
        ok = False
    return Outcome(loop.time() - scheduled, ok)


async def _run(plan: LoadPlan) -> LoadSummary:
    loop = asyncio.get_running_loop()
    pool = ConnectionPool(plan.host, plan.port, plan.max_connections)
    count = round(plan.rate * plan.duration)
    cpu_started = time.process_time()
    start = loop.time() + 0.05
    tasks = []
    lag = 0.0
    for i in range(count):
        scheduled = start + i / plan.rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, loop.time() - scheduled)
        request = plan.requests[i % len(plan.requests)]
        tasks.append(asyncio.create_task(_timed(pool, request, scheduled, plan.timeout)))
    outcomes = await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    pool.close()
    return summarise(plan, outcomes, elapsed, lag, pool.opened, time.process_time() - cpu_started)


def summarise(
    plan: LoadPlan,
    outcomes: list[Outcome],
    elapsed: float,
    lag: float,
    connections: int,
    client_cpu: float,
) -> LoadSummary:
    latencies = sorted(outcome.latency for outcome in outcomes)
    succeeded = sum(outcome.ok for outcome in outcomes)
    return LoadSummary(
        offered=plan.rate,
        achieved=succeeded / elapsed,
        sent=len(outcomes),
        errors=len(outcomes) - succeeded,
        elapsed=elapsed,
        p50=percentile(latencies, 0.50),
        p99=percentile(latencies, 0.99),
        max=latencies[-1],
        send_lag_max=lag,
        connections=connections,
        client_cpu=client_cpu / elapsed,
    )


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run(plan: LoadPlan) -> LoadSummary:
    """Run one open-loop load in a fresh event loop (call it in a process of its own)."""
    return asyncio.run(_run(plan))
