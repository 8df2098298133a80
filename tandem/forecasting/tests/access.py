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
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(200, 200, 403, 403, 200, 200)
CALL_PAGE = expect(302, 403, 403, 403, 403, 403)
CALL_API = expect(200, 403, 403, 403, 403, 403)
OVERRIDE_PAGE = expect(403, 302, 403, 403, 403, 302)
OVERRIDE_API = expect(403, 200, 403, 403, 403, 200)


def _quarter() -> str:
    return quarter_key(fiscal_quarter_of(timezone.localdate(), workspace_get().fiscal_year_start_month))


def _call(w: World) -> dict[str, Any]:
    return {"quarter": _quarter(), "version": 0, "commit": "100000", "best_case": "150000", "note": "Two deals"}


def _override(w: World) -> dict[str, Any]:
    return {**_call(w), "commit": "80000", "note": "Acme slips to next quarter"}


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
}
