"""Request limits shared by every web process: a fixed-window counter per key, in the database.

Tandem has no shared cache (no Redis by default, and Django's local-memory cache is per process),
so each counted request runs one INSERT … ON CONFLICT DO UPDATE … RETURNING on a row per key; it
works on SQLite and PostgreSQL and is atomic, so concurrent processes never lose a count. A fixed
window lets a client make up to twice the limit across a window's boundary; in exchange the row
holds only two numbers and a request costs one statement (docs/security.md has the measured cost).
"""

import logging
import math
import time

from django.db import connection

from tandem.core.models import RateCounter

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """A key made more than `limit` requests in its window; it may try again in `retry_after` s."""

    def __init__(self, *, limit: int, window: int, retry_after: int) -> None:
        super().__init__(f"More than {limit} requests in {window} s; retry in {retry_after} s.")
        self.limit = limit
        self.window = window
        self.retry_after = retry_after


_TABLE = RateCounter._meta.db_table
_UPSERT = f"""
    INSERT INTO {_TABLE} (key, window_start, count) VALUES (%s, %s, 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN {_TABLE}.window_start = excluded.window_start THEN {_TABLE}.count + 1 ELSE 1 END,
        window_start = excluded.window_start
    RETURNING count
"""


def rate_count(*, key: str, limit: int, window: int, now: float | None = None) -> int:
    """Count one request of `key` in the current `window`-second window and return the count;
    raise RateLimited once the count passes `limit`. A limit of 0 counts nothing."""
    if limit <= 0:
        return 0
    now = time.time() if now is None else now
    window_start = int(now // window * window)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, window_start])
        (count,) = cursor.fetchone()
    if count > limit:
        if count == limit + 1:  # once per key and window: a client hammering on must not flood the log
            logger.warning("Rate limit reached: %s made %d requests in %d s", key, limit, window)
        raise RateLimited(limit=limit, window=window, retry_after=max(1, math.ceil(window_start + window - now)))
    return int(count)


def rate_counters_forget(*, older_than: float) -> int:
    """Delete the counters of keys that made no request since `older_than` (Unix time). Keys of
    addresses are unbounded in number, so their rows are dropped once their window is long past."""
    deleted, _ = RateCounter.objects.filter(window_start__lt=older_than).delete()
    return deleted
