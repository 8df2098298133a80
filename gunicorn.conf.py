"""gunicorn settings Tandem relies on; gunicorn reads this file when started from the checkout.

Every command-line option still wins (`--workers`, `--bind`…); only hooks live here.
"""

import gc
import threading
import time
from typing import Any

# A list page leaves about a thousand objects in reference cycles (model instances and the relations
# they cache on each other), which only the garbage collector frees. With Python's thresholds
# (700, 10, 10) a worker ran three young collections a request and, every ~170 requests, a full one
# of 100-140 ms over the loaded triage index: 1.6 ms of CPU a request in all (feature list, large
# workspace). With these, and the index frozen once loaded, 0.6 ms, and a full collection of about
# 50 ms every ~1,000 requests.
GC_THRESHOLDS = (10_000, 10, 10)


def when_ready(server: Any) -> None:
    """Say where Tandem really is, once gunicorn listens there (not where it was asked to be)."""
    for listener in server.LISTENERS:
        host, port = listener.sock.getsockname()[:2]
        server.log.info("Tandem is at http://%s:%s/", host, port)
        print(f"\nTandem is at http://{host}:{port}/\n", flush=True)


def post_worker_init(worker: Any) -> None:
    """Load the duplicate-suggestion index in the background as soon as a worker starts.

    A worker otherwise loads it on the first triage call, which then waits seconds on a large
    workspace. Requests that need it meanwhile wait for this load rather than start their own.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    threading.Thread(target=_warm_triage_index, args=(worker,), name="triage-index-warm", daemon=True).start()


def _warm_triage_index(worker: Any) -> None:
    from django.db import connection

    from tandem.triage import sentences, wording
    from tandem.triage.index import current_index

    started = time.perf_counter()
    try:
        wording.embed(["warm up"])
        sentences.embed(["warm up"])
        index = current_index()
        gc.freeze()  # what is loaded now lives as long as the worker: no collection scans it again
        worker.log.info(
            "Triage index loaded in %.1f s: %d features, %d asks waiting",
            time.perf_counter() - started,
            index.n_features,
            index.n_waiting,
        )
    except Exception:  # the first triage call loads it instead, and shows the error where it matters
        worker.log.exception("Triage index warm-up failed")
    finally:
        connection.close()  # this thread's own connection
