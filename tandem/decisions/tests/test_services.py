"""Decision rights, recording decisions, escalations and shipping a release, against the database."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.asks.tests.factories import AskFactory, DecisionFactory
from tandem.core import formats
from tandem.core.fiscal import business_days_after
from tandem.core.roles import Role
from tandem.decisions.models import Escalation
from tandem.decisions.rights import decision_right_for
from tandem.decisions.services import decision_record, decision_right_update, escalation_create
from tandem.notifications.models import Notification
from tandem.people.tests.factories import RepFactory, UserFactory
from tandem.product.models import Feature, Release
from tandem.product.services import release_ship
from tandem.product.tests.factories import FeatureFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

pytestmark = pytest.mark.django_db
WHY = "Three enterprise deals are blocked on it."


def titles_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# ---- decision rights ----------------------------------------------------------------------------


def test_rep_cannot_decide_and_is_told_who_may(rep, loop, product_manager):
    with pytest.raises(PermissionDenied) as refused:
        decision_record(actor=rep, feature=loop.feature, outcome="declined", rationale=WHY)

    assert str(refused.value) == (
        f"Only the product manager of Payments ({product_manager}) or an executive may decline this feature."
    )
    assert not Decision.objects.filter(feature=loop.feature).exists()


def test_product_manager_plans_a_feature_of_their_own_product_for_a_release(product_manager, loop):
    decision = decision_record(
        actor=product_manager, feature=loop.feature, outcome="planned", rationale=WHY, release=loop.release
    )

    loop.feature.refresh_from_db()
    assert (decision.decided_by, decision.release, decision.rationale) == (product_manager, loop.release, WHY)
    assert loop.feature.release == loop.release
    assert loop.feature.status == Feature.Status.PLANNED
    assert loop.feature.version == 2


def test_product_manager_of_another_product_is_refused(other_pm, product_manager, loop):
    with pytest.raises(PermissionDenied, match=rf"product manager of Payments \({product_manager}\)"):
        decision_record(actor=other_pm, feature=loop.feature, outcome="later", rationale=WHY)


def test_product_manager_of_another_product_may_decide_when_the_rights_say_so(other_pm, admin_user, loop):
    decision_right_update(
        actor=admin_user,
        decision_type="later",
        deciding_roles=["product_manager", "executive"],
        managers_own_products_only=False,
    )

    decision = decision_record(actor=other_pm, feature=loop.feature, outcome="later", rationale=WHY)

    assert decision.decided_by == other_pm
    # The other decision types keep the product scope.
    with pytest.raises(PermissionDenied):
        decision_record(actor=other_pm, feature=loop.feature, outcome="declined", rationale=WHY)


def test_executive_overrules_and_only_an_executive_changes_it_back(product_manager, executive, loop):
    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Off strategy.")
    decision_record(
        actor=executive, feature=loop.feature, outcome="planned", rationale="Strategic account.", release=loop.release
    )
    loop.feature.refresh_from_db()
    assert loop.feature.status == Feature.Status.PLANNED

    with pytest.raises(PermissionDenied, match=rf"An executive \({executive}\) decided this"):
        decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Still no.")


def test_admins_do_not_decide_by_default_but_may_be_given_the_right(admin_user, executive, loop):
    with pytest.raises(PermissionDenied):
        decision_record(actor=admin_user, feature=loop.feature, outcome="later", rationale=WHY)

    decision_right_update(actor=executive, decision_type="later", deciding_roles=["admin"])

    assert decision_record(actor=admin_user, feature=loop.feature, outcome="later", rationale=WHY).pk


@pytest.mark.parametrize("role", [Role.REP, Role.SALES_MANAGER, Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD])
def test_only_admins_and_executives_change_the_decision_rights(user_with_role, role):
    with pytest.raises(PermissionDenied):
        decision_right_update(actor=user_with_role(role), decision_type="later", deciding_roles=["rep"])


def test_a_decision_type_keeps_at_least_one_deciding_role(admin_user):
    with pytest.raises(ValidationError) as invalid:
        decision_right_update(actor=admin_user, decision_type="declined", deciding_roles=[])
    assert "deciding_roles" in invalid.value.message_dict
    assert decision_right_for("declined").deciding_roles == ["product_manager", "executive"]


# ---- validation -----------------------------------------------------------------------------------


def test_rationale_is_required(product_manager, loop):
    with pytest.raises(ValidationError) as invalid:
        decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="   ")
    assert "rationale" in invalid.value.message_dict


@pytest.mark.parametrize("case", ["missing", "other_product", "shipped"])
def test_planning_needs_an_unshipped_release_of_the_features_product(product_manager, loop, case):
    release = {
        "missing": None,
        "other_product": ReleaseFactory(),
        # Named: the sequence of factory names reaches the loop's own "2027.2" in some test orders.
        "shipped": ReleaseFactory(
            product=loop.product, name="2026.9", status=Release.Status.SHIPPED, shipped_at=timezone.now()
        ),
    }[case]
    with pytest.raises(ValidationError) as invalid:
        decision_record(actor=product_manager, feature=loop.feature, outcome="planned", rationale=WHY, release=release)
    assert "release" in invalid.value.message_dict
    loop.feature.refresh_from_db()
    assert loop.feature.release is None


def test_declining_or_deferring_takes_the_feature_off_its_release(product_manager, loop):
    decision_record(actor=product_manager, feature=loop.feature, outcome="planned", rationale=WHY, release=loop.release)
    decision_record(actor=product_manager, feature=loop.feature, outcome="later", rationale="Capacity went to billing.")

    loop.feature.refresh_from_db()
    assert (loop.feature.status, loop.feature.release) == (Feature.Status.BACKLOG, None)


# ---- who is told ----------------------------------------------------------------------------------


def test_requesting_reps_and_their_managers_are_told_with_the_rationale(
    product_manager, rep, sales_manager, outsider_rep, loop
):
    requester = RepFactory(username="ravi.rep")
    AskFactory(opportunity=loop.deal, requested_by=requester, feature=loop.feature, status=Ask.Status.LINKED)

    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale=WHY)

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {rep.username, sales_manager.username, requester.username}
    notification = Notification.objects.get(recipient=rep)
    assert notification.title == "Declined: SAML single sign-on"
    assert WHY in notification.body
    assert notification.url == f"/product/features/{loop.feature.pk}/"
    assert titles_for(outsider_rep) == titles_for(product_manager) == []


def test_informed_roles_are_told_too(product_manager, executive, engineering_lead, loop):
    decision_right_update(
        actor=executive, decision_type="later", deciding_roles=["product_manager"], informed_roles=["engineering_lead"]
    )
    decision_record(actor=product_manager, feature=loop.feature, outcome="later", rationale=WHY)

    assert titles_for(engineering_lead) == ["Deferred: SAML single sign-on"]


def test_a_decision_names_the_feature_customer_deal_and_ask_and_links_to_the_ask(
    product_manager, rep, sales_manager, loop
):
    loop.feature.visibility = Feature.Visibility.INTERNAL  # the rep follows it through their customer's ask
    loop.feature.save()

    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale=WHY)

    for reader in (rep, sales_manager):
        notification = Notification.objects.get(recipient=reader)
        assert notification.title == "Declined: SAML single sign-on"
        assert WHY in notification.body
        assert notification.links == [[f"Acme (deal Acme expansion): {loop.ask.need}", f"/asks/{loop.ask.pk}/"]]
        assert notification.url == f"/asks/{loop.ask.pk}/"


def test_a_colleagues_deal_is_named_only_to_those_who_see_it(product_manager, rep, other_rep, loop):
    """The rep owns the account; a team-mate logged the ask on their own deal there."""
    colleague_deal = OpportunityFactory(name="Acme platform", account=loop.deal.account, owner=other_rep)
    ask = AskFactory(opportunity=colleague_deal, feature=loop.feature, status=Ask.Status.LINKED)

    decision_record(actor=product_manager, ask=ask, outcome="declined", rationale=WHY)

    to_account_owner = Notification.objects.get(recipient=rep)
    to_deal_owner = Notification.objects.get(recipient=other_rep)
    assert "a colleague's deal" in to_account_owner.body
    assert "Acme platform" not in to_account_owner.body
    assert "deal Acme platform" in to_deal_owner.body


# ---- escalations ----------------------------------------------------------------------------------


@pytest.fixture
def declined(product_manager, loop):
    return decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Off strategy.")


def test_a_sales_manager_escalates_a_declined_ask_due_in_five_business_days(
    sales_manager, executive, product_manager, loop, declined
):
    escalation = escalation_create(actor=sales_manager, ask=loop.ask, reason="Acme's expansion depends on it.")

    assert escalation.status == Escalation.Status.OPEN
    assert escalation.due_date == business_days_after(timezone.localdate(), 5)
    assert escalation.executive is None
    assert titles_for(executive) == titles_for(product_manager)
    assert titles_for(executive)[0].startswith(f"Escalated, due {formats.date_short(escalation.due_date)}")


def test_a_rep_cannot_escalate(rep, loop, declined):
    with pytest.raises(PermissionDenied):
        escalation_create(actor=rep, ask=loop.ask, reason="Please.")


def test_a_sales_manager_of_another_team_cannot_escalate(outsider_rep, loop, declined):
    other_manager = outsider_rep.team.manager
    with pytest.raises(PermissionDenied, match="sales manager of a team whose deals or accounts asked"):
        escalation_create(actor=other_manager, ask=loop.ask, reason="Please.")


@pytest.mark.parametrize(("outcome", "allowed"), [("declined", True), ("later", True), ("needs_info", False)])
def test_only_declined_or_deferred_asks_can_be_escalated(sales_manager, product_manager, loop, outcome, allowed):
    decision_record(actor=product_manager, ask=loop.ask, outcome=outcome, rationale=WHY)
    if allowed:
        assert escalation_create(actor=sales_manager, ask=loop.ask, reason="Blocks the deal.").pk
    else:
        with pytest.raises(ValidationError, match="Only a declined or deferred ask"):
            escalation_create(actor=sales_manager, ask=loop.ask, reason="Blocks the deal.")


def test_an_ask_is_escalated_once_at_a_time(sales_manager, loop, declined):
    escalation_create(actor=sales_manager, ask=loop.ask, reason="Blocks the deal.")
    with pytest.raises(ValidationError, match="already escalated"):
        escalation_create(actor=sales_manager, ask=loop.ask, reason="Again.")


def test_the_executives_ruling_is_a_decision_that_closes_the_escalation(
    sales_manager, executive, product_manager, rep, loop, declined
):
    escalation = escalation_create(actor=sales_manager, ask=loop.ask, reason="Blocks the deal.", executive=executive)
    with pytest.raises(PermissionDenied, match="Only an executive may rule on this escalated ask"):
        decision_record(actor=product_manager, ask=loop.ask, outcome="later", rationale="Not yet.")
    Notification.objects.all().delete()

    ruling = decision_record(
        actor=executive, ask=loop.ask, outcome="planned", rationale="Acme matters.", release=loop.release
    )

    escalation.refresh_from_db()
    loop.feature.refresh_from_db()
    assert (escalation.status, escalation.ruling) == (Escalation.Status.RULED, ruling)
    assert (loop.feature.status, loop.feature.release) == (Feature.Status.PLANNED, loop.release)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {rep.username, sales_manager.username, product_manager.username}
    assert "Acme matters." in Notification.objects.get(recipient=sales_manager).body


@given(day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)), count=st.integers(0, 40))
def test_business_days_skip_weekends(day, count):
    due = business_days_after(day, count)
    between = [day + datetime.timedelta(days=i) for i in range(1, (due - day).days + 1)]
    assert sum(1 for d in between if d.weekday() < 5) == count
    assert count == 0 or due.weekday() < 5
    assert (due - day).days <= count + 2 * (count // 5 + 1)


def test_five_business_days_from_a_thursday_is_the_next_thursday():
    assert business_days_after(datetime.date(2027, 1, 7), 5) == datetime.date(2027, 1, 14)
    assert business_days_after(datetime.date(2027, 1, 9), 1) == datetime.date(2027, 1, 11)  # Saturday → Monday


# ---- shipping a release --------------------------------------------------------------------------


def test_shipping_tells_each_rep_once_with_their_own_open_deals_and_nobody_else(
    product_manager, rep, other_rep, outsider_rep, sales_manager, engineering_lead, loop
):
    loop.feature.release = loop.release
    loop.feature.save()
    second = FeatureFactory(product=loop.product, title="Audit export", release=loop.release)
    # rep: two open deals asked (one for each feature), a won deal asked too (nothing to re-engage there).
    bigger = OpportunityFactory(name="Acme renewal", account=loop.deal.account, owner=rep)
    AskFactory(opportunity=bigger, feature=second, status=Ask.Status.LINKED)
    won = OpportunityFactory(name="Acme pilot", account=loop.deal.account, owner=rep, stage=StageFactory(is_won=True))
    AskFactory(opportunity=won, feature=loop.feature, status=Ask.Status.LINKED)
    # other_rep asked only for a feature of another release; outsider_rep for nothing here.
    AskFactory(opportunity=OpportunityFactory(owner=other_rep), feature=FeatureFactory(product=loop.product))
    OpportunityFactory(owner=outsider_rep)

    release_ship(actor=product_manager, release=loop.release)

    assert Notification.objects.filter(kind=Notification.Kind.RELEASE_SHIPPED).count() == 1
    notification = Notification.objects.get(recipient=rep)
    assert notification.title == "Shipped in Payments 2027.2: Audit export, SAML single sign-on"
    assert [label for label, _ in notification.links] == ["Acme expansion", "Acme renewal"]
    assert notification.links[0][1] == f"/pipeline/opportunities/{loop.deal.pk}/"
    assert "Audit export, SAML single sign-on" in notification.body
    for nobody in (other_rep, outsider_rep, sales_manager, engineering_lead, product_manager):
        assert titles_for(nobody) == []


def test_shipping_ships_the_features_and_refreshes_their_evidence(product_manager, loop):
    loop.feature.release = loop.release
    loop.feature.save()
    FeatureEvidence.objects.filter(feature=loop.feature).update(asks_count=0)

    release_ship(actor=product_manager, release=loop.release)

    loop.release.refresh_from_db()
    loop.feature.refresh_from_db()
    assert loop.release.status == Release.Status.SHIPPED
    assert loop.release.shipped_at is not None
    assert loop.feature.status == Feature.Status.SHIPPED
    assert FeatureEvidence.objects.get(feature=loop.feature).asks_count == 1


def test_a_release_ships_once(product_manager, loop):
    release_ship(actor=product_manager, release=loop.release)
    with pytest.raises(ValidationError, match="shipped on"):
        release_ship(actor=product_manager, release=loop.release)


def test_only_the_products_manager_or_an_admin_ships_it(other_pm, admin_user, rep, loop):
    with pytest.raises(PermissionDenied, match="Only the product manager of Payments"):
        release_ship(actor=other_pm, release=loop.release)
    with pytest.raises(PermissionDenied):
        release_ship(actor=rep, release=loop.release)
    assert release_ship(actor=admin_user, release=loop.release).status == Release.Status.SHIPPED


def test_a_decision_on_a_shipped_feature_is_refused(product_manager, loop):
    loop.feature.status = Feature.Status.SHIPPED
    loop.feature.save()
    with pytest.raises(ValidationError, match="has shipped"):
        decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale=WHY)


def test_an_account_owner_without_an_open_deal_is_told_about_the_account(product_manager, loop):
    owner = UserFactory(role=Role.REP)
    account = AccountFactory(name="Globex", owner=owner)
    Ask.objects.create(
        account=account,
        requested_by=owner,
        feature=loop.feature,
        need="SSO",
        status="linked",
        created_at=timezone.now(),
    )
    loop.feature.release = loop.release
    loop.feature.save()
    DecisionFactory(feature=loop.feature, decided_by=product_manager)

    release_ship(actor=product_manager, release=loop.release)

    assert Notification.objects.get(recipient=owner).links == [
        ["Globex (account)", f"/pipeline/accounts/{account.pk}/"]
    ]


def test_a_long_need_is_cut_at_a_word_in_the_notification_title(rep, product_manager, loop):
    loop.ask.need = (
        "Single sign-on with Okta for every employee of the Northwind group, including the contractors in Lisbon"
    )
    loop.ask.save(update_fields=["need"])

    decision_record(actor=product_manager, ask=loop.ask, outcome="later", rationale="After the platform work.")

    title = Notification.objects.get(recipient=rep).title
    assert title == "Deferred for Acme: Single sign-on with Okta for every employee of the Northwind group, including…"
    assert len(title) <= len("Deferred for Acme: ") + 80
