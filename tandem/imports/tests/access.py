"""Who may open each imports page (see `tandem/tests/access.py` for the format).

Whoever may import some kind of record opens the imports pages: admins (every kind), sales
managers (accounts, contacts, deals, leads, quotas), product managers (products, features, asks)
and executives (quotas); reps and engineering leads get 403. The upload form offers each only the
kinds it may import (an account file from a product manager or an executive is refused under the
form's field: 200). An import is its starter's: anyone else's answers 404, as one that does not
exist; admins see and act on every import. `test_views.py` checks each kind against each role.
"""

from typing import Any

from tandem.imports.models import ImportJob, RejectedRow
from tandem.imports.tests.factories import ImportJobFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

VIEW = expect(403, 200, 200, 403, 200, 200)
# The jobs below are a sales manager's: the product manager and the executive see none of them.
OWN = expect(403, 200, 404, 403, 404, 200)
ACT = expect(403, 302, 404, 403, 404, 302)
OTHER_TEAM = expect(403, 404, 404, 403, 404, 200)
OTHER_TEAM_ACT = expect(403, 404, 404, 403, 404, 302)


def _job(w: World, **kwargs: Any) -> dict[str, Any]:
    return {"pk": ImportJobFactory(created_by=w.rep.team.manager, **kwargs).pk}


def _other_job(w: World, **kwargs: Any) -> dict[str, Any]:
    return {"pk": ImportJobFactory(created_by=w.outsider_rep.team.manager, **kwargs).pk}


def _checked(job: dict[str, Any]) -> dict[str, Any]:
    imported = ImportJob.objects.get(pk=job["pk"])
    imported.status, imported.failed, imported.rows_total = ImportJob.Status.CHECKED, 1, 1
    imported.save()
    RejectedRow.objects.create(
        job=imported, line=2, problems=[{"column": "Name", "reason": "Needs a name."}], cells=["F-2", ""]
    )
    return job


def _mapping(w: World) -> dict[str, Any]:
    return {
        "version": 1,
        "encoding": "utf-8",
        "delimiter": ",",
        "decimal_separator": ".",
        "date_format": "%Y-%m-%d",
        "map_external_id": "Id",
        "map_name": "Name",
        "map_industry": "Industry",
    }


PAGES: dict[str, Access] = {
    "imports:import_list": Access(VIEW),
    "imports:import_upload": Access(VIEW, method="POST", data=lambda w: {"kind": "account"}),
    "imports:import_detail": Access(OWN, kwargs=_job, other_team=_other_job, other_team_expected=OTHER_TEAM),
    "imports:import_configure": Access(
        ACT, method="POST", kwargs=_job, data=_mapping, other_team=_other_job, other_team_expected=OTHER_TEAM_ACT
    ),
    "imports:import_good_rows": Access(
        ACT,
        method="POST",
        kwargs=lambda w: _checked(_job(w)),
        data=lambda w: {"version": 1},
        other_team=lambda w: _checked(_other_job(w)),
        other_team_expected=OTHER_TEAM_ACT,
    ),
    "imports:import_cancel": Access(
        ACT,
        method="POST",
        kwargs=_job,
        data=lambda w: {"version": 1},
        other_team=_other_job,
        other_team_expected=OTHER_TEAM_ACT,
    ),
    "imports:import_rejected_csv": Access(
        OWN, kwargs=lambda w: _checked(_job(w)), other_team=_other_job, other_team_expected=OTHER_TEAM
    ),
}

API: dict[str, Access] = {}
