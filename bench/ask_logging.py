"""Time logging an ask on the large workspace, and show that it refreshes only its feature's evidence.

    python -m bench.ask_logging [--database-url postgres://root@127.0.0.1:5432/tandem_large]

A rep logs an ask on one of their open deals, attached to the feature with the most asks (the
worst case for its refresh; one a rep may see), through `asks.services.ask_create` — the service the page and the
API call. Each call runs in a transaction that is rolled back, so the workspace is left as it was.
Prints p50/p95 of the whole write (ask, evidence refresh, suggestion index), the number of queries,
how many evidence rows it wrote and the asks count the PM would see before and after, and writes
`bench/results/ask-logging-<UTC time>.json`. A benchmark, not a test: it asserts nothing.
"""

import argparse
import datetime
import json
import os
import time
from typing import Any

from bench.cpu import describe as describe_cpu
from bench.seed_large import DEFAULT_URL
from bench.suggestions import RESULTS, percentiles


class Rollback(Exception):
    """Raised to undo one timed write."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--times", type=int, default=60)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tandem.asks.models import Ask, FeatureEvidence
    from tandem.asks.services import ask_create
    from tandem.sales.models import Opportunity

    busiest = FeatureEvidence.objects.filter(feature__visibility="sales").order_by("-asks_count").first()
    assert busiest is not None, "seed the large workspace first"
    feature = busiest.feature
    deals = list(
        Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False, owner__role="rep")
        .select_related("account", "owner")
        .order_by("pk")[: args.times]
    )
    # A web process has its models loaded before its first request (gunicorn.conf.py): so has this one.
    from tandem.triage import sentences, wording

    wording.embed(["warm up"])
    sentences.embed(["warm up"])
    samples: list[float] = []
    queries: list[int] = []
    evidence_writes: list[int] = []
    seen: list[tuple[int, int]] = []
    for deal in deals:
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                before = FeatureEvidence.objects.get(pk=feature.pk).asks_count
                started = time.perf_counter()
                ask_create(
                    actor=deal.owner,
                    account=deal.account,
                    opportunity=deal,
                    need="Needs this before they sign",
                    importance=Ask.Importance.BLOCKER,
                    feature=feature,
                )
                samples.append(time.perf_counter() - started)
                seen.append((before, FeatureEvidence.objects.get(pk=feature.pk).asks_count))
                raise Rollback
        except Rollback:
            pass
        # Two reads of the figure are not part of the write; what the write did is the rest.
        queries.append(len(captured.captured_queries) - 2)
        evidence_writes.append(sum('INSERT INTO "asks_featureevidence"' in q["sql"] for q in captured.captured_queries))
    result: dict[str, Any] = {
        "feature": {"id": feature.pk, "asks": busiest.asks_count, "accounts": busiest.accounts_count},
        "ask_create": percentiles(samples),
        "queries_per_write": max(queries),
        "evidence_rows_written_per_write": max(evidence_writes),
        "features_in_workspace": FeatureEvidence.objects.count(),
        "asks_count_before_after": seen[0],
        "cpu": describe_cpu(),
    }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
        (RESULTS / f"ask-logging-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
