"""Time duplicate suggestions for new asks over the large workspace.

    python -m bench.suggestions --database-url postgres://root@127.0.0.1:5432/tandem_large

Needs the triage vectors (`manage.py migrate triage` and `manage.py triage_index` once after the
seed). Loads the index as a web process would on its first call, then times `suggestions_for_ask`
for asks waiting in triage and `suggestions_for_text` for partial words typed on the ask form, as
a product manager and as a rep. Prints p50/p95, the index load time and the process's memory, and
writes `bench/results/suggestions-<UTC time>.json`. A benchmark, not a test: it asserts nothing.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench.cpu import describe as describe_cpu

RESULTS = Path(__file__).resolve().parent / "results"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--asks", type=int, default=300, help="how many new asks to time")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from tandem.asks.models import Ask
    from tandem.core.roles import Role
    from tandem.people.models import User
    from tandem.triage import wording
    from tandem.triage.index import current_index
    from tandem.triage.models import AskVector
    from tandem.triage.suggestions import suggestions_for_ask, suggestions_for_text

    rss_start = rss_mb()
    started = time.perf_counter()
    wording.embed(["warm up the model"])
    model_seconds = time.perf_counter() - started
    started = time.perf_counter()
    index = current_index()
    load_seconds = time.perf_counter() - started
    rss_loaded = rss_mb()

    pm = User.objects.filter(role=Role.PRODUCT_MANAGER).order_by("pk").first()
    rep = User.objects.filter(role=Role.REP, asks__isnull=False).order_by("pk").first()
    if pm is None or rep is None:
        raise SystemExit("Seed the large workspace first.")
    rng = random.Random(7)
    new_ids = list(Ask.objects.filter(status=Ask.Status.NEW).order_by("-pk").values_list("pk", flat=True)[:5000])
    sample = Ask.objects.filter(pk__in=rng.sample(new_ids, min(args.asks, len(new_ids)))).select_related("account")

    cpu: dict[str, list[float]] = {}

    def timed(call: Any, kind: str) -> float:
        """Wall time of one call; its own CPU time goes to `cpu[kind]`. On a busy machine the wall time
        mostly measures waiting for a core, the CPU time what the call itself costs."""
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.setdefault(kind, []).append(time.process_time() - started_cpu)
        return time.perf_counter() - started

    asks = list(sample)
    for ask in asks[:20]:  # warm caches the way a running server has them
        suggestions_for_ask(user=pm, ask=ask)
    by_pm = [timed(lambda ask=ask: suggestions_for_ask(user=pm, ask=ask), "pm") for ask in asks]
    by_rep = [timed(lambda ask=ask: suggestions_for_ask(user=rep, ask=ask), "rep") for ask in asks[:100]]
    typed = ["s", "sso", "single sig", "expor", "export to exc", "audit lo", "okta login for staff", "bulk ed"]
    by_typing = [timed(lambda t=t: suggestions_for_text(user=rep, text=t, asks=False), "typing") for t in typed * 12]
    example = suggestions_for_ask(user=pm, ask=asks[0])
    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results: dict[str, Any] = {
        "started_at": started_at,
        "workspace": {"asks_waiting_indexed": index.n_waiting, "features_indexed": index.n_features},
        "vectors_stored": AskVector.objects.count(),
        "model_load_s": round(model_seconds, 2),
        "index_load_s": round(load_seconds, 2),
        "rss_mb": {"before": round(rss_start, 1), "after_index_load": round(rss_loaded, 1), "end": round(rss_mb(), 1)},
        "suggestions_for_ask_pm": percentiles(by_pm),
        "suggestions_for_ask_rep": percentiles(by_rep),
        "suggestions_for_text_typing_rep": percentiles(by_typing),
        "own_cpu": {kind: percentiles(samples) for kind, samples in cpu.items()},
        "example": {"need": asks[0].need, "suggestions": [(s.kind, s.score, s.reason) for s in example]},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_details": describe_cpu(),
    }
    print(json.dumps(results, indent=2))
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"suggestions-{started_at.replace(':', '')}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
