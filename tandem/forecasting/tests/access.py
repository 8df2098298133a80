"""Who may open each forecast page and API operation (see `tandem/tests/access.py` for the format).

Reps, sales managers, executives and admins read forecasts (a rep their own, a manager their teams'
reps', executives and admins everyone's); product managers and engineering leads none (403, as for
leads). A rep alone makes their call; the rep's sales manager and admins override it (executives
read: 403). Another team's rep answers 404 to sales roles.
"""

from typing import Any

from django.utils import timezone

from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.forecasting.forms import quarter_key
from tandem.forecasting.models import ForecastOverride
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 403, 403, 200, 200)
CALL_PAGE = expect(302, 403, 403, 403, 403, 403)
CALL_API = expect(200, 403, 403, 403, 403, 403)
OVERRIDE_PAGE = expect(403, 302, 403, 403, 403, 302)
OVERRIDE_API = expect(403, 200, 403, 403, 403, 200)
WITHDRAW_API = expect(403, 204, 403, 403, 403, 204)


def _quarter() -> str:
    return quarter_key(fiscal_quarter_of(timezone.localdate(), workspace_get().fiscal_year_start_month))


def _call(w: World) -> dict[str, Any]:
    return {"quarter": _quarter(), "version": 0, "commit": "100000", "best_case": "150000", "note": "Two deals"}


def _override(w: World) -> dict[str, Any]:
    return {**_call(w), "commit": "80000", "note": "Acme slips to next quarter"}


def _withdraw(w: World) -> dict[str, Any]:
    """This quarter's overrides of the rep and of another team's rep (who set them does not matter
    to the rule: the rep's manager or an admin withdraws), and what withdrawing one sends."""
    quarter = fiscal_quarter_of(timezone.localdate(), workspace_get().fiscal_year_start_month)
    for rep in (w.rep, w.outsider_rep):
        ForecastOverride.objects.get_or_create(
            rep=rep,
            fiscal_year=quarter.year,
            fiscal_quarter=quarter.quarter,
            defaults={
                "commit": 1,
                "best_case": 2,
                "note": "Slips",
                "set_by": w.product_manager,
                "created_at": timezone.now(),
                "updated_at": timezone.now(),
            },
        )
    return {"quarter": _quarter(), "version": 1}


PAGES: dict[str, Access] = {
    "forecasting:forecast": Access(
        VIEW,
        data=lambda w: {"rep": w.rep.pk},
        # A rep opening their own line; the query names the rep, so another team's answers 404.
    ),
    "forecasting:call_submit": Access(CALL_PAGE, method="POST", data=_call),
    "forecasting:override_set": Access(
        OVERRIDE_PAGE,
        method="POST",
        kwargs=lambda w: {"rep_id": w.rep.pk},
        other_team=lambda w: {"rep_id": w.outsider_rep.pk},
        # Of another team's rep: 404 to their manager; a rep and an executive never override (403), an admin may.
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
        data=_override,
    ),
    "forecasting:override_withdraw": Access(
        OVERRIDE_PAGE,
        method="POST",
        kwargs=lambda w: {"rep_id": w.rep.pk},
        other_team=lambda w: {"rep_id": w.outsider_rep.pk},
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
        data=_withdraw,
    ),
}

API: dict[str, Access] = {
    "forecasting_forecast_get": Access(VIEW),
    "forecasting_call_submit": Access(CALL_API, method="POST", data=_call),
    "forecasting_override_set": Access(
        OVERRIDE_API,
        method="POST",
        kwargs=lambda w: {"rep_id": w.rep.pk},
        other_team=lambda w: {"rep_id": w.outsider_rep.pk},
        other_team_expected=expect(403, 404, 403, 403, 403, 200),
        data=_override,
    ),
    "forecasting_override_withdraw": Access(
        WITHDRAW_API,
        method="DELETE",
        kwargs=lambda w: {"rep_id": w.rep.pk},
        other_team=lambda w: {"rep_id": w.outsider_rep.pk},
        other_team_expected=expect(403, 404, 403, 403, 403, 204),
        query=_withdraw,
    ),
}
