"""Who may decide, escalate, read escalations and change the decision rights; and who may ship a release.

With the default decision rights, the product manager of `world.product` and executives decide on
its features and asks; admins do not. Only sales managers escalate, only executives rule. Sales
gets 404 for another team's ask, as for one that does not exist. Release shipping (a product
route) is tabled here with the rest of the loop it closes.
"""

from tandem.decisions.tests.factories import EscalationFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
DECIDERS_REDIRECT = expect(403, 403, 302, 403, 302, 403)
RATIONALE = "Three enterprise deals are blocked on it and it serves the security goal."


def _planned(w: World) -> dict[str, object]:
    return {"outcome": "planned", "release": w.release.pk, "rationale": RATIONALE}


def _right_form(w: World) -> dict[str, object]:
    return {
        "later-deciding_roles": ["product_manager", "executive"],
        "later-consulted_roles": ["sales_manager"],
        "later-managers_own_products_only": "on",
    }


PAGES: dict[str, Access] = {
    "decisions:feature_decide": Access(
        DECIDERS_REDIRECT,
        method="POST",
        kwargs=lambda w: {"pk": w.feature.pk},
        data=_planned,
        other_team=lambda w: {"pk": w.internal_feature.pk},
        other_team_expected=expect(404, 404, 302, 403, 302, 403),
    ),
    "decisions:ask_decide": Access(
        DECIDERS_REDIRECT,
        method="POST",
        kwargs=lambda w: {"pk": w.ask.pk},
        data=lambda w: {"outcome": "declined", "rationale": RATIONALE},
        other_team=lambda w: {"pk": w.other_ask.pk},
        other_team_expected=expect(404, 404, 302, 403, 302, 403),
    ),
    "decisions:ask_escalate": Access(
        expect(403, 302, 403, 403, 403, 403),
        method="POST",
        kwargs=lambda w: {"pk": w.ask.pk},
        data=lambda w: {"reason": "The Acme expansion depends on it."},
        other_team=lambda w: {"pk": w.other_ask.pk},
        # Reps may not escalate at all: refused before the ask is looked up.
        other_team_expected=expect(403, 404, 403, 403, 403, 403),
    ),
    "decisions:escalation_list": Access(EVERYONE_OK),
    "decisions:decision_rights": Access(EVERYONE_OK),
    "decisions:decision_right_update": Access(
        expect(403, 403, 403, 403, 302, 302),
        method="POST",
        kwargs=lambda w: {"decision_type": "later"},
        data=_right_form,
    ),
    "product:release_ship": Access(
        expect(403, 403, 302, 403, 403, 302), method="POST", kwargs=lambda w: {"pk": w.release.pk}
    ),
}


def _escalation(w: World) -> dict[str, int]:
    manager = w.rep.team.manager if w.rep.team else None
    return {"escalation_id": EscalationFactory(ask=w.ask, escalated_by=manager).pk}


def _other_escalation(w: World) -> dict[str, int]:
    manager = w.outsider_rep.team.manager if w.outsider_rep.team else None
    return {"escalation_id": EscalationFactory(ask=w.other_ask, escalated_by=manager).pk}


API: dict[str, Access] = {
    "decisions_decision_list": Access(EVERYONE_OK, data=lambda w: {"feature_id": w.feature.pk}),
    "decisions_decision_create": Access(
        expect(403, 403, 201, 403, 201, 403),
        method="POST",
        data=lambda w: {
            "feature_id": w.feature.pk,
            "outcome": "planned",
            "release_id": w.release.pk,
            "rationale": RATIONALE,
        },
    ),
    "decisions_right_list": Access(EVERYONE_OK),
    "decisions_right_update": Access(
        expect(403, 403, 403, 403, 200, 200),
        method="PUT",
        kwargs=lambda w: {"decision_type": "later"},
        data=lambda w: {"deciding_roles": ["product_manager", "executive"], "consulted_roles": ["sales_manager"]},
    ),
    "decisions_escalation_list": Access(EVERYONE_OK),
    "decisions_escalation_create": Access(
        expect(403, 201, 403, 403, 403, 403),
        method="POST",
        data=lambda w: {"ask_id": w.ask.pk, "reason": "The Acme expansion depends on it."},
    ),
    "decisions_escalation_rule": Access(
        expect(403, 403, 403, 403, 201, 403),
        method="POST",
        kwargs=_escalation,
        data=lambda w: {"outcome": "later", "rationale": RATIONALE},
        other_team=_other_escalation,
    ),
    "product_release_list": Access(EVERYONE_OK),
    "product_release_ship": Access(
        expect(403, 403, 200, 403, 403, 200), method="POST", kwargs=lambda w: {"release_id": w.release.pk}
    ),
}
