"""How long the navigation's two counts (the bell's unread, the escalations' overdue) are kept.

Every page drew them with one query whose building and compiling cost about 2 ms of the process's
CPU, a tenth of a page (docs/benchmarks.md). They are kept per person in the process's cache for
`NAVIGATION_COUNTS_FRESH_SECONDS` (20; the tests' settings 0, so that their query counts include
them); the notifications write (a new notice, a read) forgets its recipients' counts, so in
the process that served it the bell is exact at once, and in the other processes within the window.
The notifications page reads its count afresh.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def navigation_counts_key(user_id: int) -> str:
    return f"navigation-counts:{user_id}"


def navigation_counts_forget(user_ids: Iterable[int]) -> None:
    """Forget these people's counts now and again once the write commits, so that no page served
    between the two keeps the count from before it."""
    keys = [navigation_counts_key(pk) for pk in user_ids]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def navigation_counts_keep(user_id: int, counts: dict[str, int]) -> None:
    cache.set(navigation_counts_key(user_id), counts, settings.NAVIGATION_COUNTS_FRESH_SECONDS)
