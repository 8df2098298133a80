"""The JSON API of the scorecards: the same figures as the page, with the links to their records."""

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from tandem.core.api import ERRORS, Id
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.scorecards.permissions import ScorecardsPermission
from tandem.scorecards.selectors import scorecards
from tandem.scorecards.views import scope_of

router = Router(tags=["scorecards"])


class ScorecardQueryIn(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100, description="Default: the current quarter's.")
    fiscal_quarter: int | None = Field(None, ge=1, le=4)
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
    pm: list[ScorecardMetricOut]
    sales: list[ScorecardMetricOut]
    joint: list[ScorecardMetricOut]


@router.get(
    "/scorecards",
    response={200: ScorecardsOut, **ERRORS},
    operation_id="scorecards_get",
    summary="A quarter's scorecards side by side: the PM's, the sales manager's and the joint ones",
    description="Sales managers, product managers, executives and admins; figures over what you see.",
)
def scorecards_get(request: ApiRequest, filters: Query[ScorecardQueryIn]) -> dict[str, Any]:
    require(request.user, ScorecardsPermission.VIEW_SCORECARDS)
    scope = scope_of(
        request.user,
        year=filters.fiscal_year,
        quarter=filters.fiscal_quarter,
        pm=filters.pm_id,
        manager=filters.manager_id,
    )
    cards = scorecards(scope)
    return {
        "fiscal_year": scope.quarter.year,
        "fiscal_quarter": scope.quarter.quarter,
        "pm_id": scope.pm.pk if scope.pm else None,
        "manager_id": scope.manager.pk if scope.manager else None,
        **{name: [asdict(m) for m in card] for name, card in cards.items()},
    }
