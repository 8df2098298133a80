"""The scorecards page: the PM's, the sales manager's and the joint figures of a quarter, side by side."""

from dataclasses import asdict
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.scorecards.permissions import ScorecardsPermission
from tandem.scorecards.selectors import Scope, scorecard_people, scorecards_recent


def scope_of(user: User, *, year: Any, quarter: Any, pm: Any, manager: Any) -> Scope:
    """The scope a request names (quarter, PM, sales manager), falling back to the current quarter and
    to the viewer (or the first person listed) where it names none or one not offered."""
    workspace = workspace_get()
    start_month = workspace.fiscal_year_start_month
    chosen = fiscal_quarter_of(timezone.localdate(), start_month)
    try:
        year_number, quarter_number = int(year), int(quarter)
        if 2000 <= year_number <= 2100 and 1 <= quarter_number <= 4:
            chosen = FiscalQuarter(year_number, quarter_number)
    except (TypeError, ValueError):
        pass
    pms, managers = scorecard_people(viewer=user)

    def pick(people: list[User], wanted: Any) -> User | None:
        by_id = {str(person.pk): person for person in people}
        if wanted is not None and str(wanted) in by_id:
            return by_id[str(wanted)]
        if user.pk in {p.pk for p in people}:
            return user
        return people[0] if people else None

    return Scope(
        viewer=user,
        quarter=chosen,
        start_month=start_month,
        pm=pick(pms, pm),
        manager=pick(managers, manager),
        currency=workspace.home_currency,
    )


@require_GET
def scorecard_page(request: PageRequest) -> HttpResponse:
    require(request.user, ScorecardsPermission.VIEW_SCORECARDS)
    # The page's quarter menu sends "2027-2"; links may send year and quarter apart.
    year, _, quarter = request.GET.get("period", "").partition("-")
    scope = scope_of(
        request.user,
        year=year or request.GET.get("year"),
        quarter=quarter or request.GET.get("quarter"),
        pm=request.GET.get("pm"),
        manager=request.GET.get("manager"),
    )
    cards, as_of = scorecards_recent(scope)
    pms, managers = scorecard_people(viewer=request.user)
    chart = {
        "currency": scope.currency,
        "metrics": {
            m.key: {"label": m.label, "bars": [asdict(b) for b in m.bars]} for card in cards.values() for m in card
        },
    }
    quarters = [scope.quarter.previous().previous(), scope.quarter.previous(), scope.quarter, scope.quarter.next()]
    return render(
        request,
        "scorecards/scorecards.html",
        {
            "scope": scope,
            "cards": cards,
            "as_of": as_of,
            "chart": chart,
            "pms": pms,
            "managers": managers,
            "quarters": quarters,
        },
    )
