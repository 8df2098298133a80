"""Sentences a second through the sentence model, as `triage_index` runs it, in int8 and float32.

    python -m bench.embedding [--database-url postgres://root@127.0.0.1:5432/tandem_large]
        [--sample 6000] [--precision int8 --precision float32] [--batch 32] [--workers 2] [--before] [--no-write]
    python -m bench.avx2_only -- .venv/bin/python -m bench.embedding   # with the AVX2 kernels only

Reads the texts the suggestion index embeds from a seeded workspace (the asks waiting for triage,
or merged into one that waits, and every feature's title and description, as
`tandem.triage.services` words them), takes a random sample with a fixed seed in the same
proportions, and times `sentences.embed(..., bulk=True)`'s path on them: for each precision, each
batch size and each number of batches run at once (`--workers`, one thread each; `--before`
adds the path until 2026-12-07: one batch of 32 at a time over every core's thread), and one text
a call as a web request embeds it (`--single`, milliseconds a text). Throughput is distinct texts a second, wall
time of an otherwise idle process; the process's CPU seconds are recorded beside it. It also
reports what the whole index would embed: how many texts, how many distinct, their lengths in
tokens. Writes `bench/results/embedding-<UTC time>.json` with the CPU it ran on (`bench/cpu.py`).
"""

import argparse
import datetime
import json
import os
import random
import time
from itertools import product
from pathlib import Path
from typing import Any

import django
import numpy as np

from bench import cpu, seed_large

RESULTS = Path(__file__).resolve().parent / "results"


def index_texts() -> tuple[list[str], list[str]]:
    """The texts `triage_index_rebuild` gives the sentence model: waiting asks', then features'."""
    from django.db.models import Q

    from tandem.asks.models import Ask
    from tandem.product.models import Feature
    from tandem.triage.services import ask_sentence_text, feature_sentence_text

    waiting = Ask.objects.filter(feature__isnull=True).filter(Q(status="new") | Q(duplicate_of__status="new"))
    asks = [ask_sentence_text(need, name) for need, name in waiting.order_by("pk").values_list("need", "account__name")]
    features = [
        feature_sentence_text(title, description)
        for title, description in Feature.objects.order_by("pk").values_list("title", "description")
    ]
    return asks, features


def lengths(texts: list[str]) -> dict[str, Any]:
    from tandem.triage import sentences

    tokens = np.array([len(e.ids) for e in sentences._model().tokenizer.encode_batch(texts)])
    return {
        "texts": len(texts),
        "distinct": len(set(texts)),
        "tokens_p50": int(np.percentile(tokens, 50)),
        "tokens_p95": int(np.percentile(tokens, 95)),
        "tokens_max": int(tokens.max()),
        "truncated_at_max_tokens": int((tokens >= sentences.MAX_TOKENS).sum()),
    }


def _model_with_threads(threads: int) -> Any:
    """The model as `triage_index` ran it until 2026-12-07: one run at a time over `threads` intra-op threads."""
    import onnxruntime

    from tandem.triage import sentences

    model = sentences._Model()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    path = str(sentences._runnable_model())
    model.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return model


def measure(texts: list[str], *, batch: int, workers: int, repeat: int, threads_per_run: int = 1) -> dict[str, Any]:
    from tandem.triage import sentences

    model = sentences._model() if threads_per_run == 1 else _model_with_threads(threads_per_run)
    model.embed(texts[:256], batch=batch, workers=workers)  # warm: the arena grows to its size once
    best = None
    for _ in range(repeat):
        wall, cpu_before = time.perf_counter(), time.process_time()
        model.embed(texts, batch=batch, workers=workers)
        wall, cpu_used = time.perf_counter() - wall, time.process_time() - cpu_before
        if best is None or wall < best[0]:
            best = (wall, cpu_used)
    assert best is not None
    return {
        "batch": batch,
        "workers": workers,
        "threads_per_run": threads_per_run,
        "texts": len(texts),
        "wall_seconds": round(best[0], 2),
        "cpu_seconds": round(best[1], 2),
        "sentences_per_second": round(len(texts) / best[0], 1),
    }


def one_at_a_time(texts: list[str]) -> dict[str, Any]:
    """A web request's path: one text a call, one thread (`sentences.embed` without `bulk`)."""
    from tandem.triage import sentences

    sentences.embed(texts[:20])
    timings = []
    for text in texts:
        started = time.perf_counter()
        sentences.embed([text])
        timings.append((time.perf_counter() - started) * 1000)
    return {"texts": len(texts), "p50_ms": round(float(np.percentile(timings, 50)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--sample", type=int, default=6000, help="distinct texts timed (asks and features alike)")
    parser.add_argument("--precision", action="append", choices=["int8", "float32"])
    parser.add_argument("--batch", type=int, action="append", help="texts a batch (repeatable); default 128")
    parser.add_argument(
        "--workers", type=int, action="append", help="batches at once (repeatable); default 1 and every core"
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs of each setting; the fastest counts")
    parser.add_argument(
        "--before", action="store_true", help="also time the path before 2026-12-07 (batches of 32, each on every core)"
    )
    parser.add_argument("--single", type=int, default=300, help="texts timed one a call, as a web request does")
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.environ.update(seed_large.django_env(args.database_url))
    django.setup()
    from tandem.triage import sentences

    asks, features = index_texts()
    distinct_asks, distinct_features = list(dict.fromkeys(asks)), list(dict.fromkeys(features))
    rng = random.Random(args.random_seed)
    share = len(distinct_asks) / max(1, len(distinct_asks) + len(distinct_features))
    n_asks = min(len(distinct_asks), round(args.sample * share))
    sample = rng.sample(distinct_asks, n_asks) + rng.sample(
        distinct_features, min(len(distinct_features), args.sample - n_asks)
    )
    rng.shuffle(sample)
    results: dict[str, Any] = {
        "started_at": started_at,
        "cpu": cpu.describe(),
        "load_average_1m_before": round(os.getloadavg()[0], 2),
        "index": {"asks": lengths(asks), "features": lengths(features)},
        "max_tokens": sentences.MAX_TOKENS,
        "runs": [],
    }
    print(json.dumps(results, indent=2), flush=True)
    for precision in args.precision or ["int8", "float32"]:
        os.environ["TRIAGE_SENTENCE_PRECISION"] = precision
        sentences.variant.cache_clear()
        sentences._model.cache_clear()
        cores = os.cpu_count() or 1
        settings = [(b, w, 1) for b, w in product(args.batch or [sentences.BULK_BATCH], args.workers or [cores])]
        if args.before:
            settings.insert(0, (32, 1, cores))
        for batch, workers, threads in settings:
            run = {"precision": precision} | measure(
                sample, batch=batch, workers=workers, repeat=args.repeat, threads_per_run=threads
            )
            print(json.dumps(run), flush=True)
            results["runs"].append(run)
        if args.single:
            single = {"precision": precision, "one_at_a_time": one_at_a_time(sample[: args.single])}
            print(json.dumps(single), flush=True)
            results["runs"].append(single)
    results["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"embedding-{started_at.replace(':', '')}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path.relative_to(seed_large.ROOT)}")


if __name__ == "__main__":
    main()
