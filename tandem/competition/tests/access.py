"""Who may open each competition page and API operation (see `tandem/tests/access.py` for the format).

Competitors, their products and battlecards (with history) are read by everyone; product managers and
admins keep competitor profiles; the battlecard's sections are the PM's, its objections sales' too.
Field intel: sales roles and admins log it on deals they see; product managers, executives, admins
and sales read it (a rep their team's, a manager their teams'); engineering leads neither. Features
cited in a loss: on a lost deal, by whoever may change the deal and by product managers.
"""

from django.utils import timezone

from tandem.competition.models import Competitor, CompetitorProduct, FieldIntel, LossFeature
from tandem.competition.tests.factories import CompetitorFactory, closed_deal
from tandem.sales.models import Opportunity
from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE = expect(200, 200, 200, 200, 200, 200)
KEEP_PAGE = expect(403, 403, 302, 403, 403, 302)
KEEP_CREATED = expect(403, 403, 201, 403, 403, 201)
KEEP_CHANGED = expect(403, 403, 200, 403, 403, 200)
KEEP_DELETED = expect(403, 403, 204, 403, 403, 204)
BATTLECARD_PAGE = expect(302, 302, 302, 403, 403, 302)
INTEL_VIEW = expect(200, 200, 200, 403, 200, 200)
INTEL_LOG_PAGE = expect(302, 302, 403, 403, 403, 302)
INTEL_CREATED = expect(201, 201, 403, 403, 403, 201)
# The rep wrote it; their manager reads it but it is not theirs to delete.
INTEL_DELETED = expect(204, 403, 403, 403, 403, 204)
CITE_PAGE = expect(302, 302, 302, 403, 403, 302)
CITE_VIEW = expect(200, 200, 200, 403, 403, 200)
CITED = expect(201, 201, 201, 403, 403, 201)
UNCITED = expect(204, 204, 204, 403, 403, 204)


def _competitor(w: World) -> Competitor:
    return CompetitorFactory(name="Globex CRM")


def _product(w: World) -> CompetitorProduct:
    return CompetitorProduct.objects.create(competitor=_competitor(w), name="Globex Sales Cloud")


def _intel(deal: Opportunity) -> FieldIntel:
    return FieldIntel.objects.create(
        competitor=CompetitorFactory(name="Initech"),
        account=deal.account,
        opportunity=deal,
        offered="Free onboarding",
        author=deal.owner,
        created_at=timezone.now(),
    )


def _lost(w: World, owner: str = "rep") -> Opportunity:
    account = w.account if owner == "rep" else w.other_account
    return closed_deal(won=False, account=account, owner=account.owner, name=f"Lost {owner}")


def _citation(deal: Opportunity, w: World) -> LossFeature:
    return LossFeature.objects.create(opportunity=deal, feature=w.feature, cited_at=timezone.now())


PAGES: dict[str, Access] = {
    "competition:competitor_list": Access(EVERYONE),
    "competition:competitor_create": Access(
        KEEP_PAGE, method="POST", data=lambda w: {"name": "Hooli", "positioning": "Enterprise suites."}
    ),
    "competition:competitor_detail": Access(EVERYONE, kwargs=lambda w: {"pk": _competitor(w).pk}),
    "competition:competitor_update": Access(
        KEEP_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _competitor(w).pk},
        data=lambda w: {"name": "Globex CRM", "pricing": "40 per seat a month", "version": 1},
    ),
    "competition:product_create": Access(
        KEEP_PAGE, method="POST", kwargs=lambda w: {"pk": _competitor(w).pk}, data=lambda w: {"name": "Globex Lite"}
    ),
    "competition:product_delete": Access(KEEP_PAGE, method="POST", kwargs=lambda w: {"pk": _product(w).pk}),
    "competition:battlecard_update": Access(
        BATTLECARD_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _competitor(w).pk},
        data=lambda w: {"version": 1, "objections": "“Too expensive” — show the three-year cost."},
    ),
    "competition:intel_list": Access(INTEL_VIEW, data=lambda w: {"competitor": _competitor(w).pk}),
    "competition:intel_log": Access(
        INTEL_LOG_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": w.opportunity.pk},
        other_team=lambda w: {"pk": w.other_opportunity.pk},
        data=lambda w: {"competitor": _competitor(w).pk, "offered": "A 40% discount", "price_home": "12000"},
        through_deal=lambda w: {"pk": w.teammate_deal.pk},
        through_deal_expected=expect(404, 302, 403, 403, 403, 302),
    ),
    "competition:intel_log_account": Access(
        INTEL_LOG_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": w.account.pk},
        other_team=lambda w: {"pk": w.other_account.pk},
        data=lambda w: {"competitor": _competitor(w).pk, "offered": "Free onboarding"},
    ),
    "competition:loss_feature_cite": Access(
        CITE_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _lost(w).pk},
        other_team=lambda w: {"pk": _lost(w, "other").pk},
        data=lambda w: {"feature": w.feature.pk},
    ),
    "competition:loss_feature_withdraw": Access(
        CITE_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _citation(_lost(w), w).pk},
        other_team=lambda w: {"pk": _citation(_lost(w, "other"), w).pk},
    ),
    "competition:feature_options": Access(CITE_VIEW, data=lambda w: {"q": "SAML"}),
}

API: dict[str, Access] = {
    "competition_competitor_list": Access(EVERYONE),
    "competition_competitor_create": Access(KEEP_CREATED, method="POST", data=lambda w: {"name": "Hooli"}),
    "competition_competitor_get": Access(EVERYONE, kwargs=lambda w: {"competitor_id": _competitor(w).pk}),
    "competition_competitor_update": Access(
        KEEP_CHANGED,
        method="PATCH",
        kwargs=lambda w: {"competitor_id": _competitor(w).pk},
        data=lambda w: {"version": 1, "positioning": "Mid-market, sold on price."},
    ),
    "competition_product_create": Access(
        KEEP_CREATED,
        method="POST",
        kwargs=lambda w: {"competitor_id": _competitor(w).pk},
        data=lambda w: {"name": "Globex Lite", "pricing": "Free tier"},
    ),
    "competition_product_delete": Access(
        KEEP_DELETED, method="DELETE", kwargs=lambda w: {"product_id": _product(w).pk}
    ),
    "competition_battlecard_get": Access(EVERYONE, kwargs=lambda w: {"competitor_id": _competitor(w).pk}),
    "competition_battlecard_update": Access(
        expect(200, 200, 200, 403, 403, 200),
        method="PATCH",
        kwargs=lambda w: {"competitor_id": _competitor(w).pk},
        data=lambda w: {"version": 1, "objections": "“No SSO” — it ships in 2027.1."},
    ),
    "competition_battlecard_history": Access(EVERYONE, kwargs=lambda w: {"competitor_id": _competitor(w).pk}),
    "competition_intel_list": Access(INTEL_VIEW),
    "competition_intel_create": Access(
        INTEL_CREATED,
        method="POST",
        data=lambda w: {
            "competitor_id": _competitor(w).pk,
            "opportunity_id": w.opportunity.pk,
            "offered": "A 40% discount",
            "price_home": "12000.00",
        },
    ),
    "competition_intel_delete": Access(
        INTEL_DELETED,
        method="DELETE",
        kwargs=lambda w: {"intel_id": _intel(w.opportunity).pk},
        other_team=lambda w: {"intel_id": _intel(w.other_opportunity).pk},
    ),
    "competition_win_rates": Access(EVERYONE),
    "competition_loss_feature_list": Access(
        INTEL_VIEW,
        kwargs=lambda w: {"opportunity_id": _lost(w).pk},
        other_team=lambda w: {"opportunity_id": _lost(w, "other").pk},
    ),
    "competition_loss_feature_create": Access(
        CITED,
        method="POST",
        kwargs=lambda w: {"opportunity_id": _lost(w).pk},
        other_team=lambda w: {"opportunity_id": _lost(w, "other").pk},
        data=lambda w: {"feature_id": w.feature.pk},
    ),
    "competition_loss_feature_delete": Access(
        UNCITED,
        method="DELETE",
        kwargs=lambda w: {"citation_id": _citation(_lost(w), w).pk},
        other_team=lambda w: {"citation_id": _citation(_lost(w, "other"), w).pk},
    ),
}
