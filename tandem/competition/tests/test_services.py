"""The competition's rules, per role: who keeps competitor profiles and which battlecard sections,
the battlecard's history, who reads and changes field intel, and citing features in losses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tandem.competition import services
from tandem.competition.models import BattlecardRevision
from tandem.competition.selectors import (
    battlecard_history,
    field_intel_visible,
    intel_feed,
    loss_feature_visible,
)
from tandem.competition.tests.factories import CompetitorFactory, FieldIntelFactory, closed_deal
from tandem.core.api import StaleVersion
from tandem.core.roles import Role
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.tests.factories import OpportunityFactory

ALL_ROLES = list(Role)


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ADMIN])
def test_product_managers_and_admins_keep_competitor_profiles(user_with_role, role):
    competitor = services.competitor_create(actor=user_with_role(role), name="Hooli", pricing="By the seat")
    services.competitor_update(
        actor=user_with_role(role), competitor=competitor, expected_version=1, data={"positioning": "Enterprise"}
    )
    competitor.refresh_from_db()
    assert (competitor.positioning, competitor.version) == ("Enterprise", 2)
    assert competitor.battlecard.version == 1  # every competitor starts with its battlecard


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_other_roles_keep_no_competitor_profile(user_with_role, rival, role):
    with pytest.raises(PermissionDenied):
        services.competitor_create(actor=user_with_role(role), name="Hooli")
    with pytest.raises(PermissionDenied):
        services.competitor_update(actor=user_with_role(role), competitor=rival, expected_version=1, data={})


def test_a_stale_competitor_edit_is_refused(product_manager, rival):
    services.competitor_update(actor=product_manager, competitor=rival, expected_version=1, data={"pricing": "A"})
    with pytest.raises(StaleVersion):
        services.competitor_update(actor=product_manager, competitor=rival, expected_version=1, data={"pricing": "B"})
    rival.refresh_from_db()
    assert rival.pricing == "A"


def test_two_products_of_one_name_are_refused_on_the_name(product_manager, rival):
    services.competitor_product_create(actor=product_manager, competitor=rival, name="Sales Cloud")
    with pytest.raises(ValidationError) as refused:
        services.competitor_product_create(actor=product_manager, competitor=rival, name="Sales Cloud")
    assert refused.value.message_dict["name"] == ["This competitor already has a product of this name."]


# The battlecard: kept jointly, with its history.

PM_SECTIONS = {"strengths": "Cheap", "weaknesses": "No SSO", "landmines": "Ask about SAML"}


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ADMIN])
def test_product_managers_write_every_section(user_with_role, rival, role):
    card = services.battlecard_update(
        actor=user_with_role(role),
        competitor=rival,
        expected_version=1,
        sections={**PM_SECTIONS, "objections": "Q — A"},
    )
    assert (card.strengths, card.landmines, card.objections, card.version) == ("Cheap", "Ask about SAML", "Q — A", 2)


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER])
def test_sales_adds_objections_but_not_the_product_managers_sections(user_with_role, rival, role):
    card = services.battlecard_update(
        actor=user_with_role(role), competitor=rival, expected_version=1, sections={"objections": "Too dear — TCO"}
    )
    assert card.objections == "Too dear — TCO"
    for section in PM_SECTIONS:
        with pytest.raises(PermissionDenied, match="Product managers keep"):
            services.battlecard_update(
                actor=user_with_role(role), competitor=rival, expected_version=2, sections={section: "Mine now"}
            )
    card.refresh_from_db()
    assert (card.strengths, card.version) == ("", 2)


@pytest.mark.parametrize("role", [Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_engineering_leads_and_executives_only_read_the_battlecard(user_with_role, rival, role):
    with pytest.raises(PermissionDenied):
        services.battlecard_update(
            actor=user_with_role(role), competitor=rival, expected_version=1, sections={"objections": "x"}
        )


def test_a_stale_battlecard_edit_is_refused_and_changes_nothing(product_manager, rep, rival):
    services.battlecard_update(actor=product_manager, competitor=rival, expected_version=1, sections=PM_SECTIONS)
    with pytest.raises(StaleVersion):
        services.battlecard_update(actor=rep, competitor=rival, expected_version=1, sections={"objections": "late"})
    assert rival.battlecard.revisions.count() == 3


def test_the_history_says_who_changed_which_section_from_what(product_manager, rep, rival):
    services.battlecard_update(actor=product_manager, competitor=rival, expected_version=1, sections=PM_SECTIONS)
    services.battlecard_update(
        actor=product_manager, competitor=rival, expected_version=2, sections={**PM_SECTIONS, "strengths": "Fast"}
    )
    services.battlecard_update(actor=rep, competitor=rival, expected_version=3, sections={"objections": "Q — A"})
    history = list(battlecard_history(user=rep, competitor=rival))
    assert [(r.section, r.changed_by, r.version) for r in history[:2]] == [
        ("objections", rep, 4),
        ("strengths", product_manager, 3),
    ]
    assert (history[1].before, history[1].after) == ("Cheap", "Fast")
    assert len(history) == 5  # three sections, then one, then one: unchanged sections leave no revision


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_battlecard_and_its_history(user_with_role, product_manager, rival, role):
    services.battlecard_update(actor=product_manager, competitor=rival, expected_version=1, sections=PM_SECTIONS)
    assert battlecard_history(user=user_with_role(role), competitor=rival).count() == 3


def test_a_battlecard_revision_is_never_changeable(user_with_role):
    from tandem.competition.selectors import battlecard_revision_changeable

    for role in Role:
        assert not battlecard_revision_changeable(user=user_with_role(role)).exists()
    assert BattlecardRevision.objects.count() == 0


# Field intel: logged by sales on deals they see; read by product, executives and the rep's team.


def test_a_rep_logs_intel_on_their_deal_in_one_call(rep, rival):
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    intel = services.field_intel_log(actor=rep, competitor=rival, opportunity=deal, offered="40% off", price_home=900)
    assert (intel.account, intel.author, intel.price_home) == (deal.account, rep, 900)


def test_intel_on_a_deal_the_rep_cannot_see_is_refused(rep, outsider_rep, rival):
    deal = OpportunityFactory(owner=outsider_rep, account__owner=outsider_rep)
    with pytest.raises(ValidationError) as refused:
        services.field_intel_log(actor=rep, competitor=rival, opportunity=deal, offered="40% off")
    assert "opportunity" in refused.value.message_dict


def test_a_negative_price_is_refused_on_the_price(rep, rival):
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    with pytest.raises(ValidationError) as refused:
        services.field_intel_log(actor=rep, competitor=rival, opportunity=deal, offered="x", price_home=-1)
    assert refused.value.message_dict["price_home"] == ["The price cannot be negative."]


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE])
def test_roles_outside_sales_log_no_intel(user_with_role, rep, rival, role):
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    with pytest.raises(PermissionDenied):
        services.field_intel_log(actor=user_with_role(role), competitor=rival, opportunity=deal, offered="x")


# Who reads intel logged by the rep, by their team-mate and by a rep of another team.
READS = {
    Role.REP: {"rep", "teammate"},
    Role.SALES_MANAGER: {"rep", "teammate"},
    Role.PRODUCT_MANAGER: {"rep", "teammate", "outsider"},
    Role.ENGINEERING_LEAD: set(),
    Role.EXECUTIVE: {"rep", "teammate", "outsider"},
    Role.ADMIN: {"rep", "teammate", "outsider"},
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_reads_which_intel(user_with_role, rep, other_rep, outsider_rep, role):
    authors = {"rep": rep, "teammate": other_rep, "outsider": outsider_rep}
    logged = {
        name: FieldIntelFactory(opportunity__owner=author, opportunity__account__owner=author)
        for name, author in authors.items()
    }
    seen = set(field_intel_visible(user=user_with_role(role)))
    assert {name for name, intel in logged.items() if intel in seen} == READS[role]


def test_only_the_author_or_an_admin_deletes_intel(rep, other_rep, sales_manager, admin_user):
    intel = FieldIntelFactory(opportunity__owner=rep, opportunity__account__owner=rep)
    for reader in (other_rep, sales_manager):
        with pytest.raises(PermissionDenied):
            services.field_intel_delete(actor=reader, intel=intel)
    services.field_intel_delete(actor=rep, intel=intel)
    second = FieldIntelFactory(opportunity__owner=rep, opportunity__account__owner=rep)
    services.field_intel_delete(actor=admin_user, intel=second)
    assert not field_intel_visible(user=admin_user).exists()


def test_the_feed_filters_by_competitor_and_day(product_manager, rival):
    import datetime

    from django.utils import timezone

    other = CompetitorFactory()
    old = FieldIntelFactory(competitor=rival, created_at=timezone.now() - datetime.timedelta(days=40))
    new = FieldIntelFactory(competitor=rival)
    FieldIntelFactory(competitor=other)
    assert list(intel_feed(user=product_manager, competitor=rival)) == [new, old]
    since = timezone.localdate() - datetime.timedelta(days=7)
    assert list(intel_feed(user=product_manager, competitor=rival, since=since)) == [new]


# Features cited in losses.


def test_the_owner_cites_features_on_a_lost_deal_and_product_managers_see_them(rep, product_manager, rival):
    deal = closed_deal(won=False, owner=rep, account__owner=rep, competitor=rival)
    feature = FeatureFactory()
    services.loss_feature_cite(actor=rep, opportunity=deal, feature=feature)
    services.loss_feature_cite(actor=rep, opportunity=deal, feature=feature)  # twice is once
    assert [c.feature for c in loss_feature_visible(user=product_manager)] == [feature]


def test_features_are_cited_on_lost_deals_only(rep):
    deal = OpportunityFactory(owner=rep, account__owner=rep)
    with pytest.raises(ValidationError, match="lost deals only"):
        services.loss_feature_cite(actor=rep, opportunity=deal, feature=FeatureFactory())


def test_a_team_mate_cannot_cite_on_a_deal_that_is_not_theirs(rep, other_rep, sales_manager):
    deal = closed_deal(won=False, owner=rep, account__owner=rep)
    with pytest.raises(Http404):  # the team-mate does not see the deal at all
        services.loss_feature_cite(actor=other_rep, opportunity=deal, feature=FeatureFactory())
    services.loss_feature_cite(actor=sales_manager, opportunity=deal, feature=FeatureFactory())
