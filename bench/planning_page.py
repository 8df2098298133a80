"""The planning page's cost per load on a seeded workspace: the executive opening next quarter's
frontier, moving along it (other blends) and coming back.

Run against a seeded database (the demo is enough):
`DATABASE_URL=… .venv/bin/python bench/planning_page.py [loads]`. Prints the time of the first load
(the frontier solved) and the median and p95 of the following ones, and how many exact solves the
loads made.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings.base")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from tandem.people.models import User  # noqa: E402
from tandem.planning import selectors, solver  # noqa: E402

BLENDS = ("0.5", "0.3", "0.7", "0.5", "1", "0", "0.5")


def main(loads: int) -> None:
    solves = 0
    solve = solver.plan_optimal

    def counted(*args, **kwargs):
        nonlocal solves
        solves += 1
        return solve(*args, **kwargs)

    # The selector calls both (the frontier's points through `solver.frontier`, the plan at the blend directly).
    solver.plan_optimal = counted
    selectors.plan_optimal = counted
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="exec"))
    url = reverse("planning:planning")
    times = []
    for i in range(loads):
        started = time.perf_counter()
        response = client.get(url, {"blend": BLENDS[i % len(BLENDS)]})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    rest = sorted(times[1:])
    p95 = rest[max(0, round(0.95 * len(rest)) - 1)]
    median = statistics.median(rest)
    print(f"first load {times[0]:.0f} ms; the next {len(rest)}: median {median:.0f} ms, p95 {p95:.0f} ms")
    print(f"exact solves: {solves} over {loads} loads")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
