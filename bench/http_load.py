"""HTTP load from one asyncio process (aiohttp), so that the clients cost the server's cores as little as they can.

Two ways to load a server with ``clients`` keep-alive connections:

- **saturation** (``rate=None``): each client sends its next request as soon as the last one answers. This
  measures throughput; latency is then mostly queueing (Little's law: mean latency = clients ÷ throughput).
- **paced** (``rate`` requests per second in total): request *n* is due at ``start + n / rate`` and goes out on
  the first free client at or after that moment. Its latency counts from when it was due, not from when it
  went out, so a server that falls behind shows it (no "coordinated omission").
"""

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed requests alike
    errors: int = 0
    seconds: float = 0.0  # wall time spent sending
    first_error: str = ""

    def percentile(self, share: float) -> float:
        """In milliseconds (nearest rank); NaN when nothing was measured."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def add(self, other: "Result") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        self.first_error = self.first_error or other.first_error


def run(
    base: str,
    path: Callable[[int], str],
    *,
    count: int,
    clients: int,
    seconds: float,
    rate: float | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    """Send ``count`` GETs of ``path(n)`` (stopping early after ``seconds``); 200 is success, anything else an error."""
    if rate is not None and rate <= 0:
        raise ValueError("rate must be positive")
    return asyncio.run(_run(base, path, count, clients, seconds, rate, headers or {}))


async def _run(
    base: str,
    path: Callable[[int], str],
    count: int,
    clients: int,
    seconds: float,
    rate: float | None,
    headers: dict[str, str],
) -> Result:
    result = Result()
    loop = asyncio.get_running_loop()
    numbers = itertools.count()
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(
        base, headers=headers, connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        start = loop.time()
        deadline = start + seconds

        async def client() -> None:
            while (n := next(numbers)) < count:
                due = start + n / rate if rate else loop.time()
                if due > deadline:
                    return
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())
                try:
                    async with session.get(path(n)) as response:
                        body = await response.read()
                        ok, what = response.status == 200, f"{response.status} {body[:200].decode(errors='replace')}"
                except (aiohttp.ClientError, TimeoutError) as error:
                    ok, what = False, repr(error)
                result.latencies.append(loop.time() - due)
                if not ok:
                    result.errors += 1
                    result.first_error = result.first_error or f"{path(n)}: {what}"

        await asyncio.gather(*(client() for _ in range(clients)))
        result.seconds = loop.time() - start
    return result
