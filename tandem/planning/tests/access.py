"""Who may open each planning page and API operation (see `tandem/tests/access.py` for the format).

Planning names internal features: product managers, engineering leads, executives and admins read
it; sales roles get 403. Engineering leads and admins set capacities; PMs, engineering leads and
admins say which team builds a feature; executives and admins choose the plan.
"""

from typing import Any

from tandem.people.models import Team
from tandem.planning.models import FeatureBuild
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(403, 403, 200, 200, 200, 200)


def _team(w: World) -> Team:
    team, _ = Team.objects.get_or_create(name="Platform squad", defaults={"kind": Team.Kind.ENGINEERING})
    return team


def _capacity(w: World) -> dict[str, Any]:
    return {"team": _team(w).pk, "person_weeks": "40", "year": 2027, "quarter": 2}


def _build(w: World) -> dict[str, Any]:
    FeatureBuild.objects.get_or_create(feature=w.feature, defaults={"team": _team(w)})
    return {"feature_id": w.feature.pk}


PAGES: dict[str, Access] = {
    "planning:planning": Access(VIEW),
    "planning:capacity_set": Access(expect(403, 403, 403, 302, 403, 302), method="POST", data=_capacity),
    "planning:plan_save": Access(
        expect(403, 403, 403, 403, 302, 302), method="POST", data=lambda w: {"blend": "0.5", "year": 2027, "quarter": 2}
    ),
    "planning:feature_build": Access(VIEW, kwargs=lambda w: {"pk": w.feature.pk}),
}

API: dict[str, Access] = {
    "planning_frontier": Access(VIEW, data=lambda w: {"fiscal_year": 2027, "fiscal_quarter": 2, "blend": "0.3"}),
    "planning_capacity_set": Access(
        expect(403, 403, 403, 200, 403, 200),
        method="PUT",
        data=lambda w: {"team_id": _team(w).pk, "fiscal_year": 2027, "fiscal_quarter": 2, "person_weeks": "40"},
    ),
    "planning_feature_build_set": Access(
        expect(403, 403, 200, 200, 403, 200),
        method="PUT",
        kwargs=lambda w: {"feature_id": w.feature.pk},
        data=lambda w: {"team_id": _team(w).pk, "needs": [w.internal_feature.pk], "must_have": False},
    ),
    "planning_feature_build_get": Access(VIEW, kwargs=_build),
    "planning_plan_list": Access(VIEW, data=lambda w: {"fiscal_year": 2027, "fiscal_quarter": 2}),
    "planning_plan_save": Access(
        expect(403, 403, 403, 403, 201, 201),
        method="POST",
        data=lambda w: {"fiscal_year": 2027, "fiscal_quarter": 2, "blend": "0.5"},
    ),
}
