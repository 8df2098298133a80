"""Who may open the ask pages and the asks API.

A rep sees the asks of their own deals and accounts, a sales manager their team's; product,
engineering and leadership see every ask. `world.other_ask` is on another team's deal.
"""

from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
OTHER_TEAM = expect(404, 404, 200, 200, 200, 200)

PAGES: dict[str, Access] = {
    "asks:ask_list": Access(EVERYONE_OK),
    "asks:ask_detail": Access(
        EVERYONE_OK,
        kwargs=lambda w: {"pk": w.ask.pk},
        other_team=lambda w: {"pk": w.other_ask.pk},
        other_team_expected=OTHER_TEAM,
    ),
}


def _ask_data(w: World) -> dict[str, object]:
    return {
        "account_id": w.account.pk,
        "opportunity_id": w.opportunity.pk,
        "need": "Audit trail of every forecast change",
        "importance": "blocker",
        "feature_id": w.feature.pk,
    }


API: dict[str, Access] = {
    "asks_ask_list": Access(EVERYONE_OK),
    "asks_ask_get": Access(
        EVERYONE_OK,
        kwargs=lambda w: {"ask_id": w.ask.pk},
        other_team=lambda w: {"ask_id": w.other_ask.pk},
        other_team_expected=OTHER_TEAM,
    ),
    "asks_ask_create": Access(expect(201, 201, 201, 403, 403, 201), method="POST", data=_ask_data),
}
