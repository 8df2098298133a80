"""The JSON API of the scorecards: the same figures as the page, with the links to their records."""

import datetime
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from tandem.core.api import ERRORS, Id
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.scorecards.permissions import ScorecardsPermission
from tandem.scorecards.selectors import scorecard_people, scorecards_recent
from tandem.scorecards.views import scope_of

router = Router(tags=["scorecards"])


class ScorecardQueryIn(Schema):
    fiscal_year: Id | None = Field(None, description="A fiscal year from 2000 to 2100; default: the current quarter's.")
    fiscal_quarter: Id | None = Field(None, description="1 to 4, with fiscal_year.")
    pm_id: Id | None = Field(None, description="The product manager (default: you, or the first).")
    manager_id: Id | None = Field(None, description="The sales manager (a sales manager: always themselves).")


class ScorecardBarOut(Schema):
    label: str
    value: float
    text: str
    url: str


class ScorecardMetricOut(Schema):
    key: str
    label: str
    value: Decimal | float | int | None
    text: str
    hint: str
    url: str = Field(..., description="The records behind the figure.")
    bars: list[ScorecardBarOut]


class ScorecardsOut(Schema):
    fiscal_year: int
    fiscal_quarter: int
    pm_id: int | None
    manager_id: int | None
    as_of: datetime.datetime = Field(description="When these figures were computed: they are kept a few minutes.")
    pm: list[ScorecardMetricOut]
    sales: list[ScorecardMetricOut]
    joint: list[ScorecardMetricOut]


def _filters_check(request: ApiRequest, filters: ScorecardQueryIn) -> None:
    """A quarter out of range or a person not offered is a 422 on its field (the page falls back instead)."""
    errors = {}
    if filters.fiscal_year is not None and not 2000 <= filters.fiscal_year <= 2100:
        errors["fiscal_year"] = "A fiscal year from 2000 to 2100."
    if filters.fiscal_quarter is not None and not 1 <= filters.fiscal_quarter <= 4:
        errors["fiscal_quarter"] = "A fiscal quarter is 1, 2, 3 or 4."
    pms, managers = scorecard_people(viewer=request.user)
    if filters.pm_id is not None and filters.pm_id not in {p.pk for p in pms}:
        errors["pm_id"] = "Choose an active product manager."
    if filters.manager_id is not None and filters.manager_id not in {m.pk for m in managers}:
        errors["manager_id"] = "Choose a sales manager whose figures you see."
    if errors:
        raise ValidationError(errors)


@router.get(
    "/scorecards",
    response={200: ScorecardsOut, **ERRORS},
    operation_id="scorecards_get",
    summary="A quarter's scorecards side by side: the PM's, the sales manager's and the joint ones",
    description="Sales managers, product managers, executives and admins; figures over what you see.",
)
def scorecards_get(request: ApiRequest, filters: Query[ScorecardQueryIn]) -> dict[str, Any]:
    require(request.user, ScorecardsPermission.VIEW_SCORECARDS)
    _filters_check(request, filters)
    scope = scope_of(
        request.user,
        year=filters.fiscal_year,
        quarter=filters.fiscal_quarter,
        pm=filters.pm_id,
        manager=filters.manager_id,
    )
    cards, as_of = scorecards_recent(scope)
    return {
        "fiscal_year": scope.quarter.year,
        "fiscal_quarter": scope.quarter.quarter,
        "pm_id": scope.pm.pk if scope.pm else None,
        "manager_id": scope.manager.pk if scope.manager else None,
        "as_of": as_of,
        **{name: [asdict(m) for m in card] for name, card in cards.items()},
    }
