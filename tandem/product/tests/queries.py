"""Query-count checks for list pages and endpoints: the same number of queries for 1 row and for 10."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(call: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return [query["sql"] for query in context.captured_queries]


def assert_same_queries(one: list[str], ten: list[str]) -> None:
    """Fail with both query lists printed, so the extra (per-row) query is easy to spot."""
    assert len(one) == len(ten), "Query count grows with rows:\n--- 1 row\n{}\n--- 10 rows\n{}".format(
        "\n".join(one), "\n".join(ten)
    )
