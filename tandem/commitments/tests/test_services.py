"""The rules of commitments: approval at once or by the decision rights, withdrawal by the rep,
tracking across dates with a controllable clock (at risk, broken, delivered, refused, withdrawn), and
warnings and break notices sent once."""

import datetime
import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.asks.tests.factories import AskFactory
from tandem.commitments.models import Commitment
from tandem.commitments.selectors import commitments_at_risk, commitments_broken_by
from tandem.commitments.services import (
    commitment_approve,
    commitment_ask,
    commitment_breaks_send,
    commitment_refuse,
    commitment_warnings_send,
    commitment_withdraw,
)
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.commitments.tracking import WARNING_DAYS, Facts, State, commitment_state, state_condition
from tandem.core.api import StaleVersion
from tandem.notifications.models import Notification
from tandem.people.tests.factories import ProductManagerFactory
from tandem.product.models import Release
from tandem.product.services import feature_update, release_ship
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

TODAY = datetime.date(2027, 3, 1)


@pytest.fixture
def deal(rep):
    return OpportunityFactory(name="Acme expansion", account=AccountFactory(name="Acme Robotics", owner=rep), owner=rep)


@pytest.fixture
def product(product_manager):
    return ProductFactory(name="Tandem Cloud", manager=product_manager)


@pytest.fixture
def release(product):
    return ReleaseFactory(product=product, name="2027.2", target_date=TODAY + datetime.timedelta(days=30))


def _feature(product, release, **changes):
    values = {
        "title": "SAML single sign-on",
        "confidence": "committed",
        "visibility": "sales",
        "status": "planned",
        "release": release,
    }
    return FeatureFactory(product=product, **{**values, **changes})


# ---- asking -------------------------------------------------------------------------------------


def test_a_feature_committed_on_the_sales_roadmap_is_approved_at_once(rep, deal, product, release):
    feature = _feature(product, release)
    commitment = commitment_ask(
        actor=rep, opportunity=deal, feature_id=feature.pk, due_date=release.target_date, today=TODAY
    )
    assert commitment.status == Commitment.Status.APPROVED
    assert commitment.decided_by is None
    assert not Notification.objects.filter(kind="commitment").exists()


@pytest.mark.parametrize(
    ("changes", "due_offset"),
    [
        ({}, 29),  # promised before the release's target
        ({"confidence": "likely"}, None),
        ({"visibility": "internal"}, None),
        ({"release": None}, None),
    ],
)
def test_anything_less_waits_for_the_product_manager(rep, deal, product, release, product_manager, changes, due_offset):
    feature = _feature(product, changes.pop("release", release), **changes)
    if feature.visibility == "internal":  # a rep sees an internal feature only through their customers' asks
        AskFactory(opportunity=deal, feature=feature)
    due = TODAY + datetime.timedelta(days=due_offset) if due_offset is not None else None
    commitment = commitment_ask(actor=rep, opportunity=deal, feature_id=feature.pk, due_date=due, today=TODAY)
    assert commitment.status == Commitment.Status.REQUESTED
    notice = Notification.objects.get(recipient=product_manager, kind="commitment")
    assert "Approve a commitment" in notice.title


def test_a_shipped_declined_or_past_promise_is_refused_under_its_field(rep, deal, product, release):
    shipped = _feature(product, release, status="shipped")
    declined = _feature(product, None, status="declined")
    fine = _feature(product, release)
    for feature_id, due, field in [
        (shipped.pk, None, "feature"),
        (declined.pk, None, "feature"),
        (fine.pk, TODAY - datetime.timedelta(days=1), "due_date"),
    ]:
        with pytest.raises(ValidationError) as refused:
            commitment_ask(actor=rep, opportunity=deal, feature_id=feature_id, due_date=due, today=TODAY)
        assert field in refused.value.message_dict


def test_the_same_feature_is_promised_once_per_deal(rep, deal, product, release):
    feature = _feature(product, release)
    commitment_ask(actor=rep, opportunity=deal, feature_id=feature.pk, today=TODAY)
    with pytest.raises(ValidationError, match="already has a commitment"):
        commitment_ask(actor=rep, opportunity=deal, feature_id=feature.pk, today=TODAY)


def test_a_rep_cannot_promise_on_a_colleagues_deal(other_rep, deal, product, release):
    feature = _feature(product, release)
    with pytest.raises(Http404):  # a team-mate's deal is not the rep's to see
        commitment_ask(actor=other_rep, opportunity=deal, feature_id=feature.pk, today=TODAY)


# ---- approving and refusing ---------------------------------------------------------------------


@pytest.fixture
def requested(rep, deal, product, release):
    feature = _feature(product, release, confidence="likely")
    return commitment_ask(actor=rep, opportunity=deal, feature_id=feature.pk, today=TODAY)


def test_the_products_manager_approves_and_the_rep_is_told(requested, product_manager, rep):
    approved = commitment_approve(actor=product_manager, commitment=requested, expected_version=1)
    assert approved.status == Commitment.Status.APPROVED
    assert approved.decided_by == product_manager
    assert "Commitment approved" in Notification.objects.get(recipient=rep, kind="commitment").title


def test_another_products_manager_and_a_rep_may_not_approve(requested, rep):
    other_pm = ProductManagerFactory(first_name="Omar", last_name="Other")
    with pytest.raises(PermissionDenied, match="Tandem Cloud"):
        commitment_approve(actor=other_pm, commitment=requested, expected_version=1)
    with pytest.raises(PermissionDenied):
        commitment_approve(actor=rep, commitment=requested, expected_version=1)


def test_an_executive_may_approve(requested, executive):
    assert commitment_approve(actor=executive, commitment=requested, expected_version=1).status == "approved"


def test_refusing_says_why_and_a_stale_answer_is_refused(requested, product_manager, rep):
    with pytest.raises(ValidationError) as refused:
        commitment_refuse(actor=product_manager, commitment=requested, expected_version=1, reason=" ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(StaleVersion):
        commitment_refuse(actor=product_manager, commitment=requested, expected_version=7, reason="Off strategy.")
    refused_one = commitment_refuse(
        actor=product_manager, commitment=requested, expected_version=1, reason="Off strategy."
    )
    assert refused_one.status == Commitment.Status.REFUSED
    assert "Off strategy." in Notification.objects.get(recipient=rep, kind="commitment").body
    with pytest.raises(StaleVersion):
        commitment_approve(actor=product_manager, commitment=requested, expected_version=1)


# ---- where a commitment stands, across dates ----------------------------------------------------

facts = st.builds(
    Facts,
    status=st.sampled_from(["requested", "approved", "refused", "withdrawn"]),
    due_date=st.none() | st.dates(datetime.date(2026, 1, 1), datetime.date(2028, 12, 31)),
    feature_status=st.sampled_from(["backlog", "planned", "in_progress", "shipped", "declined"]),
    confidence=st.sampled_from(["committed", "likely", "exploring"]),
    release_target=st.none() | st.dates(datetime.date(2026, 1, 1), datetime.date(2028, 12, 31)),
    release_shipped=st.booleans(),
)
days = st.dates(datetime.date(2026, 1, 1), datetime.date(2028, 12, 31))


@given(facts=facts, today=days)
def test_a_shipped_feature_delivers_every_approved_promise_whatever_the_date(facts, today):
    state = commitment_state(facts, today=today)
    if facts.status == "approved" and (facts.feature_status == "shipped" or facts.release_shipped):
        assert state == State.DELIVERED
    if facts.status != "approved":
        assert state in (State.REQUESTED, State.REFUSED, State.WITHDRAWN)


@given(facts=facts, today=days, later=st.integers(1, 400))
def test_a_broken_promise_stays_broken_as_days_pass_until_it_ships(facts, today, later):
    if commitment_state(facts, today=today) == State.BROKEN:
        assert commitment_state(facts, today=today + datetime.timedelta(days=later)) == State.BROKEN


@given(facts=facts, today=days)
def test_a_dated_promise_is_at_risk_or_worse_in_its_last_two_weeks(facts, today):
    state = commitment_state(facts, today=today)
    due = facts.due_date
    if facts.status == "approved" and due is not None and (due - today).days <= WARNING_DAYS:
        assert state in (State.AT_RISK, State.BROKEN, State.DELIVERED)
    if state == State.ON_TRACK:
        assert due is None or (due - today).days > WARNING_DAYS


@pytest.fixture
def grid(rep, product):
    """Approved commitments over every kind of feature, release and promised date around TODAY."""
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    releases = {
        "none": None,
        "early": ReleaseFactory(product=product, target_date=TODAY - datetime.timedelta(days=5)),
        "soon": ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(days=10)),
        "late": ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(days=40)),
        "shipped": ReleaseFactory(product=product, target_date=TODAY - datetime.timedelta(days=2)),
    }
    Release.objects.filter(pk=releases["shipped"].pk).update(
        status="shipped", shipped_at=datetime.datetime(2027, 2, 27, tzinfo=datetime.UTC)
    )
    rows = []
    for status, confidence, release in itertools.product(
        ["planned", "shipped", "declined"], ["committed", "likely"], list(releases.values())
    ):
        feature = FeatureFactory(product=product, status=status, confidence=confidence, release=release)
        for offset in [None, -20, -1, 0, 1, 13, 14, 15, 39, 40, 41]:
            due = TODAY + datetime.timedelta(days=offset) if offset is not None else None
            rows.append(
                Commitment(
                    opportunity=deal,
                    account_id=deal.account_id,
                    feature=feature,
                    due_date=due,
                    status="approved",
                    requested_by=rep,
                    requested_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
                )
            )
    Commitment.objects.bulk_create(rows)
    return Commitment.objects.select_related("feature__release")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(-30, 60))
def test_the_lists_conditions_agree_with_the_rule_on_every_day(grid, offset):
    today = TODAY + datetime.timedelta(days=offset)
    from tandem.commitments.tracking import facts_of

    expected = {c.pk: commitment_state(facts_of(c), today=today) for c in grid}
    for state in State:
        listed = set(grid.filter(state_condition(state, today=today)).values_list("pk", flat=True))
        assert listed == {pk for pk, s in expected.items() if s == state}, state


# ---- delivered when the release ships; the lists others call ------------------------------------


def test_shipping_the_release_delivers_the_commitment(requested, product_manager, release):
    commitment_approve(actor=product_manager, commitment=requested, expected_version=1)
    assert commitments_at_risk(user=product_manager, today=TODAY).filter(pk=requested.pk).exists()  # only likely
    release_ship(actor=product_manager, release=release)
    delivered = Commitment.objects.filter(state_condition(State.DELIVERED, today=TODAY))
    assert list(delivered) == [requested]
    assert not commitments_broken_by(user=product_manager, feature=requested.feature).exists()


def test_dropping_a_feature_or_product_lists_the_open_commitments_it_would_break(rep, product, release, requested):
    delivered = CommitmentFactory(
        feature=_feature(product, release, status="shipped"), opportunity=requested.opportunity
    )
    other = CommitmentFactory(feature=FeatureFactory(), opportunity=requested.opportunity)
    assert list(commitments_broken_by(user=rep, feature=requested.feature)) == [requested]
    assert list(commitments_broken_by(user=rep, product=product)) == [requested]
    assert delivered not in commitments_broken_by(user=rep, product=product)
    assert other not in commitments_broken_by(user=rep, product=product)


def test_a_rep_does_not_see_another_reps_commitments_at_risk(rep, outsider_rep, product, release):
    soon = _feature(product, release, confidence="likely")
    CommitmentFactory(
        feature=soon, opportunity=OpportunityFactory(owner=outsider_rep, account=AccountFactory(owner=outsider_rep))
    )
    assert not commitments_at_risk(user=rep, today=TODAY).exists()
    assert commitments_at_risk(user=outsider_rep, today=TODAY).count() == 1


# ---- warnings before the date -------------------------------------------------------------------


def test_the_rep_their_manager_and_the_pm_are_warned_once_before_the_date(
    rep, sales_manager, product_manager, deal, product, release, django_capture_on_commit_callbacks
):
    late = _feature(product, release)  # the release targets TODAY + 30
    due = TODAY + datetime.timedelta(days=35)
    CommitmentFactory(opportunity=deal, feature=late, due_date=due)
    assert commitment_warnings_send(today=TODAY) == 0  # five weeks out: on track
    with django_capture_on_commit_callbacks(execute=True):
        assert commitment_warnings_send(today=due - datetime.timedelta(days=WARNING_DAYS)) == 1
    warned = set(Notification.objects.filter(kind="commitment").values_list("recipient_id", flat=True))
    assert warned == {rep.pk, sales_manager.pk, product_manager.pk}
    assert len(mail.outbox) == 3
    assert "SAML single sign-on" in mail.outbox[0].subject
    # Every warning once: the next days send nothing more.
    for day in range(WARNING_DAYS):
        assert commitment_warnings_send(today=due - datetime.timedelta(days=day)) == 0
    assert Notification.objects.filter(kind="commitment").count() == 3


# ---- withdrawing --------------------------------------------------------------------------------


def test_the_rep_withdraws_a_promise_the_customer_no_longer_needs(
    rep, deal, product, release, product_manager, django_capture_on_commit_callbacks
):
    feature = _feature(product, release, confidence="likely")
    commitment = CommitmentFactory(opportunity=deal, feature=feature, due_date=release.target_date)
    assert commitments_at_risk(user=rep, today=TODAY).count() == 1
    with pytest.raises(ValidationError) as unsaid:
        commitment_withdraw(actor=rep, commitment=commitment, expected_version=1, reason=" ", today=TODAY)
    assert "withdrawal_reason" in unsaid.value.message_dict
    with pytest.raises(StaleVersion):
        commitment_withdraw(actor=rep, commitment=commitment, expected_version=3, reason="Bought elsewhere.")
    withdrawn = commitment_withdraw(
        actor=rep, commitment=commitment, expected_version=1, reason="They bought elsewhere.", today=TODAY
    )
    assert (withdrawn.status, withdrawn.version, withdrawn.withdrawn_by) == ("withdrawn", 2, rep)
    # It leaves the open lists and its warnings stop; the history keeps it, and the PM is told.
    assert not commitments_at_risk(user=rep, today=TODAY).exists()
    assert not commitments_broken_by(user=rep, feature=feature).exists()
    assert Commitment.objects.filter(state_condition(State.WITHDRAWN, today=TODAY)).get() == commitment
    assert commitment_warnings_send(today=TODAY) == 0
    assert commitment_breaks_send(today=TODAY + datetime.timedelta(days=30)) == 0
    notice = Notification.objects.get(recipient=product_manager, kind="commitment")
    assert "withdrawn" in notice.title
    assert "They bought elsewhere." in notice.body
    assert not Notification.objects.filter(recipient=rep).exists()  # the rep withdrew it: no news to them
    with pytest.raises(ValidationError, match="withdrawn already"):
        commitment_withdraw(actor=rep, commitment=commitment, expected_version=2, reason="Again.", today=TODAY)


def test_their_manager_may_withdraw_it_and_the_rep_is_told(rep, sales_manager, deal, product, release):
    commitment = CommitmentFactory(opportunity=deal, feature=_feature(product, release))
    commitment_withdraw(actor=sales_manager, commitment=commitment, expected_version=1, reason="The deal was lost.")
    assert "withdrawn" in Notification.objects.get(recipient=rep, kind="commitment").title


def test_only_the_asking_side_withdraws_and_only_what_is_open(
    requested, rep, other_rep, outsider_rep, product_manager, product, release, deal
):
    with pytest.raises(PermissionDenied):  # the PM answers; the rep takes back
        commitment_withdraw(actor=product_manager, commitment=requested, expected_version=1, reason="No.")
    for stranger in (other_rep, outsider_rep):  # another rep does not see the deal
        with pytest.raises(Http404):
            commitment_withdraw(actor=stranger, commitment=requested, expected_version=1, reason="No.")
    delivered = CommitmentFactory(opportunity=deal, feature=_feature(product, release, status="shipped"))
    with pytest.raises(ValidationError, match="delivered"):
        commitment_withdraw(actor=rep, commitment=delivered, expected_version=1, reason="Late.")
    refused = commitment_refuse(actor=product_manager, commitment=requested, expected_version=1, reason="Later.")
    with pytest.raises(ValidationError, match="refused already"):
        commitment_withdraw(actor=rep, commitment=refused, expected_version=2, reason="Fine.")


def test_a_promise_awaiting_approval_can_be_withdrawn_and_can_no_longer_be_answered(requested, rep, product_manager):
    commitment_withdraw(actor=rep, commitment=requested, expected_version=1, reason="Customer changed their mind.")
    assert "withdrawn" in Notification.objects.filter(recipient=product_manager).latest("pk").title
    with pytest.raises(ValidationError, match="already answered"):
        commitment_approve(actor=product_manager, commitment=requested, expected_version=2)


# ---- the notice when a promise breaks -----------------------------------------------------------


def test_the_rep_their_manager_and_the_pm_are_told_once_when_a_promise_breaks(
    rep, sales_manager, product_manager, deal, product, release, django_capture_on_commit_callbacks
):
    """Its date passing, its feature declined, or moved to a release after the date: each breaks the
    promise, and each broken promise is announced once, on the day it breaks."""
    due = TODAY + datetime.timedelta(days=40)  # after the release (TODAY + 30): on track
    passing = CommitmentFactory(opportunity=deal, feature=_feature(product, release), due_date=due)
    declined = _feature(product, release, title="Audit log export")
    declining = CommitmentFactory(opportunity=deal, feature=declined, due_date=due)
    moved = _feature(product, release, title="SCIM provisioning")
    moving = CommitmentFactory(opportunity=deal, feature=moved, due_date=due)
    assert commitment_breaks_send(today=TODAY) == 0

    feature_update(actor=product_manager, feature=declined, expected_version=1, status="declined")
    later = ReleaseFactory(product=product, name="2027.4", target_date=due + datetime.timedelta(days=60))
    feature_update(actor=product_manager, feature=moved, expected_version=1, release=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert commitment_breaks_send(today=TODAY) == 2
    told = Notification.objects.filter(kind="commitment", title__startswith="Commitment broken")
    assert set(told.values_list("recipient_id", flat=True)) == {rep.pk, sales_manager.pk, product_manager.pk}
    assert told.count() == 6  # two broken promises, three people each
    bodies = " ".join(told.values_list("body", flat=True))
    assert "Audit log export was declined." in bodies
    assert "release 2027.4, targeting" in bodies
    assert len(mail.outbox) == 6

    # The date of the third passes: told once, and never again on the following days.
    assert commitment_breaks_send(today=due) == 0
    assert commitment_breaks_send(today=due + datetime.timedelta(days=1)) == 1
    assert told.filter(body__contains="passed before it shipped").count() == 3
    for day in range(2, 10):
        assert commitment_breaks_send(today=due + datetime.timedelta(days=day)) == 0
    assert told.count() == 9
    assert {declining.pk, moving.pk, passing.pk} == set(
        Commitment.objects.filter(broken_notice_at__isnull=False).values_list("pk", flat=True)
    )
