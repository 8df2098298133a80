"""Sorting, filtering and paging of list pages, shared by every table in the product.

Pages fetch one row more than they show instead of counting: a COUNT over a million deals costs
more than the page itself, and "next / previous" is what people use on long lists.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, Model, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from tandem.core.text import ID_MAX

M = TypeVar("M", bound=Model)

PER_PAGE = 50


@dataclass(frozen=True)
class Column:
    """A table column; `order` is the ORM ordering for ascending sort, None when it does not sort."""

    key: str
    label: str
    order: Sequence[str] | None = None
    numeric: bool = False


@dataclass
class ListPage(Generic[M]):
    rows: list[M]
    number: int
    has_next: bool
    sort: str
    query: dict[str, str]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_url(self) -> str:
        return self.url_for(page=self.number - 1 if self.number > 2 else None)

    @property
    def next_url(self) -> str:
        return self.url_for(page=self.number + 1)

    def url_for(self, **changes: Any) -> str:
        """The query string of this list with some parameters changed (page, sort, filters)."""
        params = {**self.query, **{k: "" if v is None else str(v) for k, v in changes.items()}}
        return "?" + urlencode({k: v for k, v in params.items() if v != ""})

    @property
    def totals_url(self) -> str:
        """This list's totals, from the same view (`list_totals`)."""
        return self.url_for(totals=1, page=None)

    def sort_link(self, column: Column) -> str:
        """Clicking a header sorts by it; clicking the sorted header reverses the order."""
        target = f"-{column.key}" if self.sort == column.key else column.key
        return self.url_for(sort=target, page=None) if column.order else ""


def sort_ordering(sort: str, columns: Sequence[Column], default: str) -> tuple[str, list[str]]:
    """Turn `?sort=-amount` into ORM ordering, falling back to the default for unknown keys.

    The primary key always ends the ordering, so pages never repeat or skip rows.
    """
    by_key = {c.key: c for c in columns if c.order}
    key = sort.lstrip("-")
    if key not in by_key:
        sort, key = default, default.lstrip("-")
    descending = sort.startswith("-")
    order = [(("" if f.startswith("-") else "-") + f.lstrip("-")) if descending else f for f in by_key[key].order or []]
    return sort, [*order, "-pk" if descending else "pk"]


def list_page(
    request: HttpRequest,
    queryset: QuerySet[M],
    *,
    columns: Sequence[Column],
    default_sort: str,
    per_page: int = PER_PAGE,
) -> ListPage[M]:
    sort, ordering = sort_ordering(request.GET.get("sort", default_sort), columns, default_sort)
    number = page_number(request.GET.get("page"), per_page=per_page)
    ordered = queryset.order_by(*ordering)
    rows = list(ordered[(number - 1) * per_page : number * per_page + 1])
    if not rows and number > 1:
        # Past the end (an old link, a hand-typed ?page=99999999999999999999): the last page. Only
        # then is the list counted.
        number = max(1, -(-ordered.count() // per_page))
        rows = list(ordered[(number - 1) * per_page : number * per_page + 1])
    query = {k: str(v) for k, v in request.GET.items() if k != "page"}
    return ListPage(rows=rows[:per_page], number=number, has_next=len(rows) > per_page, sort=sort, query=query)


def page_number(raw: str | None, *, per_page: int = PER_PAGE) -> int:
    """`?page=` as a page to show: 1 when missing, not a number or below 1; never past the pages a
    database offset can reach (a 64-bit offset: beyond it SQLite and PostgreSQL answered a 500)."""
    try:
        number = int(raw or "1")
    except ValueError:  # not a number, or more digits than Python reads
        return 1
    return min(max(1, number), ID_MAX // per_page)


@dataclass(frozen=True)
class Total:
    label: str
    value: Any
    kind: str  # "count" or "money"


def list_totals(queryset: QuerySet[M], *, noun: str, sums: dict[str, tuple[Any, str]]) -> list[Total]:
    """The count of a filtered list and the sums of its money columns, over every row (not the page).

    Lists render without it and fetch it afterwards (`?totals=1` on the same view, through htmx): a
    count over every asks or deals row costs more than the page, so the page never waits for it.
    `sums` maps a label to (field or expression, aggregate name), e.g. {"of value": ("value_home", "value")}.
    """
    figures = queryset.order_by().aggregate(
        count=Count("pk"),
        **{name: Coalesce(Sum(field), Value(0), output_field=DecimalField()) for field, name in sums.values()},
    )
    count = figures["count"]
    totals = [Total(f"{noun}{'' if count == 1 else 's'}", count, "count")]
    totals += [Total(label, figures[name], "money") for label, (_, name) in sums.items()]
    return totals


def wants_totals(request: HttpRequest) -> bool:
    return request.GET.get("totals") == "1"


def active_filters(filterset: Any) -> dict[str, Any]:
    """The filters actually applied (valid and not blank), to tell "nothing yet" from "none match"."""
    if not filterset.is_bound or not filterset.is_valid():
        return {}
    return {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
