"""Who may open each targets page and API operation (see `tandem/tests/access.py` for the format).

The annual target and its breakdown: sales managers (their teams), executives and admins read;
executives and admins set the target and team quotas; a team's manager (and executives, admins)
its rep quotas. Attainment: every sales role and executives and admins, each over what they see.
Territories: sales roles, executives and admins read; admins add; admins and the manager of a team
covering a territory change it and assign its accounts. Another team's team answers 404 to its
non-manager; another team's territory is seen by all but changed by its own manager only (403).
"""

from decimal import Decimal
from typing import Any

from tandem.people.models import Territory
from tandem.people.tests.factories import TerritoryFactory
from tandem.targets.models import SalesTarget
from tandem.targets.tests.factories import SalesTargetFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

FY = 2031  # a year without the world's quotas, so an empty grid adds up
VIEW_TARGETS = expect(403, 200, 403, 403, 200, 200)
SET_TARGET_PAGE = expect(403, 403, 403, 403, 302, 302)
SET_TARGET_API = expect(403, 403, 403, 403, 200, 200)
REP_QUOTAS_PAGE = expect(403, 302, 403, 403, 302, 302)
REP_QUOTAS_API = expect(403, 200, 403, 403, 200, 200)
VIEW = expect(200, 200, 403, 403, 200, 200)
CREATE_PAGE = expect(403, 403, 403, 403, 403, 302)
CREATE_FORM = expect(403, 403, 403, 403, 403, 200)
CREATED = expect(403, 403, 403, 403, 403, 201)
CHANGE_PAGE = expect(403, 302, 403, 403, 403, 302)
CHANGE_FORM = expect(403, 200, 403, 403, 403, 200)
CHANGED = expect(403, 200, 403, 403, 403, 200)
OTHER_TERRITORY_PAGE = expect(403, 403, 403, 403, 403, 302)
OTHER_TERRITORY_API = expect(403, 403, 403, 403, 403, 200)


def _target(w: World) -> SalesTarget:
    return SalesTargetFactory(fiscal_year=FY, amount=Decimal("0"))


def _year(w: World) -> dict[str, Any]:
    _target(w)
    return {"year": FY}


def _year_team(w: World) -> dict[str, Any]:
    _target(w)
    return {"year": FY, "team": w.rep.team_id}


def _year_other_team(w: World) -> dict[str, Any]:
    _target(w)
    return {"year": FY, "team": w.outsider_rep.team_id}


def _api_year(w: World) -> dict[str, Any]:
    _target(w)
    return {"fiscal_year": FY}


def _api_year_team(w: World) -> dict[str, Any]:
    _target(w)
    return {"fiscal_year": FY, "team_id": w.rep.team_id}


def _api_year_other_team(w: World) -> dict[str, Any]:
    _target(w)
    return {"fiscal_year": FY, "team_id": w.outsider_rep.team_id}


def _territory_of(team: Any, name: str) -> Territory:
    territory = TerritoryFactory(name=name)
    team.territory = territory
    team.save(update_fields=["territory"])
    return territory


def _territory(w: World) -> dict[str, Any]:
    return {"pk": _territory_of(w.rep.team, "Enterprise East territory").pk}


def _other_territory(w: World) -> dict[str, Any]:
    return {"pk": _territory_of(w.outsider_rep.team, "SMB West territory").pk}


def _api_territory(w: World) -> dict[str, Any]:
    return {"territory_id": _territory(w)["pk"]}


def _api_other_territory(w: World) -> dict[str, Any]:
    return {"territory_id": _other_territory(w)["pk"]}


def _territory_form(w: World) -> dict[str, Any]:
    return {"name": "Nordics", "region": "EMEA", "potential": "1000000", "version": 1}


PAGES: dict[str, Access] = {
    "targets:target_detail": Access(VIEW_TARGETS, data=lambda w: {"year": FY}),
    "targets:team_quotas": Access(SET_TARGET_PAGE, method="POST", kwargs=_year, data=lambda w: {"version": 1}),
    "targets:rep_quotas": Access(
        REP_QUOTAS_PAGE,
        method="POST",
        kwargs=_year_team,
        data=lambda w: {"version": 1},
        other_team=_year_other_team,
        other_team_expected=expect(403, 404, 403, 403, 302, 302),
    ),
    "targets:attainment": Access(VIEW),
    "targets:territory_list": Access(VIEW),
    "targets:territory_create": Access(CREATE_PAGE, method="POST", data=_territory_form),
    "targets:territory_detail": Access(VIEW, kwargs=_territory, other_team=_other_territory, other_team_expected=VIEW),
    "targets:territory_update": Access(
        CHANGE_PAGE,
        method="POST",
        kwargs=_territory,
        data=_territory_form,
        other_team=_other_territory,
        other_team_expected=OTHER_TERRITORY_PAGE,
    ),
    "targets:territory_assign": Access(
        CHANGE_PAGE,
        method="POST",
        kwargs=_territory,
        data=lambda w: {"accounts": str(w.account.pk)},
        other_team=_other_territory,
        other_team_expected=OTHER_TERRITORY_PAGE,
    ),
}

API: dict[str, Access] = {
    "targets_target_get": Access(VIEW_TARGETS, kwargs=_api_year),
    "targets_target_set": Access(
        SET_TARGET_API,
        method="PUT",
        kwargs=lambda w: {"fiscal_year": FY},
        data=lambda w: {"amount": "1000", "method": "even"},
    ),
    "targets_team_quotas_set": Access(
        SET_TARGET_API, method="PUT", kwargs=_api_year, data=lambda w: {"version": 1, "quotas": []}
    ),
    "targets_rep_quotas_set": Access(
        REP_QUOTAS_API,
        method="PUT",
        kwargs=_api_year_team,
        data=lambda w: {"version": 1, "quotas": []},
        other_team=_api_year_other_team,
        other_team_expected=expect(403, 404, 403, 403, 200, 200),
    ),
    "targets_quota_list": Access(expect(200, 200, 403, 403, 200, 200), data=lambda w: {"fiscal_year": FY}),
    "targets_attainment": Access(VIEW),
    "targets_territory_list": Access(VIEW),
    "targets_territory_get": Access(
        VIEW, kwargs=_api_territory, other_team=_api_other_territory, other_team_expected=VIEW
    ),
    "targets_territory_create": Access(
        CREATED, method="POST", data=lambda w: {"name": "Nordics", "region": "EMEA", "potential": "1000"}
    ),
    "targets_territory_update": Access(
        CHANGED,
        method="PATCH",
        kwargs=_api_territory,
        data=lambda w: {"version": 1, "potential": "2000"},
        other_team=_api_other_territory,
        other_team_expected=OTHER_TERRITORY_API,
    ),
    "targets_territory_assign": Access(
        CHANGED,
        method="POST",
        kwargs=_api_territory,
        data=lambda w: {"account_ids": [w.account.pk]},
        other_team=_api_other_territory,
        other_team_expected=OTHER_TERRITORY_API,
    ),
}
