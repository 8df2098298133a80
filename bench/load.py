"""A closed-loop load driver: N clients, each sending its next request as soon as the last answered.

Used for both the HTTP targets and their hand-written SQL baselines, so both sides are timed the
same way. Loops are bounded by a request count and a time limit and stop by themselves.
"""

import math
import queue
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol


class Client(Protocol):
    """One simulated client with its own connection; `call` answers the size received (bytes, rows) or raises."""

    def call(self, job: Any) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Stats:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    per_second: float
    mean_size: int
    timed_out: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def drive(
    make_client: Callable[[], Client],
    jobs: Sequence[Any],
    *,
    clients: int,
    warmup: Sequence[Any] = (),
    time_limit: float = 180.0,
    errors_out: list[str] | None = None,
    when_done: Callable[[], None] | None = None,
) -> Stats:
    """Run the warm-up jobs, then time every job in `jobs` with `clients` concurrent clients;
    `when_done` runs after the last job, while the clients' connections are still open."""
    pool = [make_client() for _ in range(clients)]
    try:
        if warmup:
            _run(pool, warmup, time_limit=time_limit, errors_out=None)
        started = time.perf_counter()
        latencies, sizes, errors, timed_out = _run(pool, jobs, time_limit=time_limit, errors_out=errors_out)
        wall = time.perf_counter() - started
        if when_done is not None:
            when_done()
    finally:
        for client in pool:
            client.close()
    ordered = sorted(latencies)
    return Stats(
        requests=len(latencies),
        errors=errors,
        p50_ms=round(percentile(ordered, 50) * 1000, 1),
        p95_ms=round(percentile(ordered, 95) * 1000, 1),
        p99_ms=round(percentile(ordered, 99) * 1000, 1),
        mean_ms=round(statistics.fmean(ordered) * 1000, 1) if ordered else math.nan,
        max_ms=round(ordered[-1] * 1000, 1) if ordered else math.nan,
        per_second=round(len(latencies) / wall, 1) if wall else 0.0,
        mean_size=int(statistics.fmean(sizes)) if sizes else 0,
        timed_out=timed_out,
    )


def _run(
    pool: Sequence[Client], jobs: Sequence[Any], *, time_limit: float, errors_out: list[str] | None
) -> tuple[list[float], list[int], int, bool]:
    todo: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    deadline = time.monotonic() + time_limit
    lock = threading.Lock()
    latencies: list[float] = []
    sizes: list[int] = []
    failures: list[str] = []

    def work(client: Client) -> None:
        while time.monotonic() < deadline:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                size, ok, problem = client.call(job), True, ""
            except Exception as exc:  # a failed request is counted, never fatal to the run
                size, ok, problem = 0, False, f"{job}: {exc!r}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                sizes.append(size)
                if not ok:
                    failures.append(problem)

    threads = [threading.Thread(target=work, args=(client,), daemon=True) for client in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors_out is not None:
        errors_out.extend(failures)
    return latencies, sizes, len(failures), not todo.empty()
