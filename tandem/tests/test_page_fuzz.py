"""The page fuzzer: every page reached without arguments (the lists, the inbox, the roadmap, the
option searches, home), as every role, with hostile query strings from hypothesis: the filter,
sort and page parameters each list reads, with huge and negative numbers, NUL characters, other
scripts, very long text, repeated parameters and unknown sort keys. No answer may be a server
error (issue 15 found `?page=` beyond 64 bits and `?owner=` beyond 64 bits answering 500).

The pages come from the URL patterns, so a new list is fuzzed without being listed here; the
parameter names from every list's FilterSet, plus those the views read themselves.
"""

import os
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.filters import FilterSet
from tandem.core.roles import Role
from tandem.tests.world import World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_PAGE_EXAMPLES", "6"))
# Not pages to fuzz: signing out, the health probes' own tests, the admin and the API (schemathesis).
SKIPPED = {"logout", "api", "admin", "core:health", "core:ready"}


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


# Every filter of every list, and the parameters views read outside their FilterSet.
PARAMETERS = sorted(
    {name for filterset in _all_subclasses(FilterSet) for name in filterset.base_filters}
    | {"page", "sort", "q", "totals", "status", "inbox", "ask", "account", "opportunity", "link", "order", "cursor"}
)


def _pages(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """URL names of the GET pages that take no arguments."""
    names: list[str] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED or str(pattern.pattern).startswith(("admin/", "api/")):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _pages(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            name = f"{namespace}{pattern.name}"
            if name not in SKIPPED and pattern.name not in SKIPPED:
                names.append(name)
    return names


PAGES = sorted(_pages())

huge = st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**40, -1, 0, 9223372036854775807]).map(str)
hostile_text = st.one_of(
    st.text(max_size=20),  # any script, control characters, NUL included
    st.text(alphabet="\x00\u202e\ufeff\U0001d518ñ'\"<>%&;", max_size=10),
    st.just("9" * 5000),  # more digits than Python reads as an int
    st.just("x" * 20000),
    st.sampled_from(["-", "--", "-amount", "-unknown", "__", "1e400", "NaN", "1.5", " 1 ", "٣"]),
)
values = st.one_of(huge, hostile_text, st.integers().map(str))
queries = st.lists(st.tuples(st.sampled_from(PARAMETERS), values), min_size=1, max_size=5)


@pytest.fixture
def world(rep, other_rep, outsider_rep, product_manager) -> World:
    return build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)


def test_the_pages_fuzzed_include_every_list():
    assert {
        "sales:opportunity_list",
        "sales:account_list",
        "sales:quota_list",
        "asks:ask_list",
        "asks:inbox",
        "product:feature_list",
        "product:product_list",
        "decisions:escalation_list",
        "notifications:notification_list",
    } <= set(PAGES)
    assert {"owner", "product", "rep", "account", "stage", "page", "sort"} <= set(PARAMETERS)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_no_page_answers_a_server_error_to_any_query(role, world, user_with_role):
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(role))

    @settings(max_examples=EXAMPLES * len(PAGES), deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(name=st.sampled_from(PAGES), query=queries, htmx=st.booleans())
    def fuzz(name: str, query: list[tuple[str, Any]], htmx: bool) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(reverse(name), _multi(query), headers=headers)
        assert response.status_code < 500, f"{name} {query!r} → {response.status_code}"

    fuzz()


def _multi(query: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Repeated parameters stay repeated (`?owner=1&owner=2`)."""
    data: dict[str, list[str]] = {}
    for name, value in query:
        data.setdefault(name, []).append(value)
    return data
