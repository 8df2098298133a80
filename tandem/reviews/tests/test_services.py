"""The product-sales review against the database: its agenda from the period's facts as each reader
sees them, decisions under the decision rights, action items on their owners' homes, the minutes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.competition.tests.factories import CompetitorFactory, FieldIntelFactory
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.launches.tests.factories import LaunchPlanFactory
from tandem.notifications.models import Notification
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.reviews.agenda import SECTIONS, Period, agenda_build
from tandem.reviews.models import MeetingDecision
from tandem.reviews.services import (
    action_item_create,
    action_item_done,
    meeting_decision_record,
    minutes_send,
    review_create,
    review_meeting_create,
)
from tandem.reviews.tests.factories import ActionItemFactory, ReviewFactory, ReviewMeetingFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _sections(user, meeting) -> dict:
    return {s.key: s for s in agenda_build(user=user, period=Period(meeting.period_start, meeting.held_on))}


def test_the_agenda_is_built_from_the_periods_facts_as_each_reader_sees_them(rep, outsider_rep, product_manager):
    feature = FeatureFactory(product=ProductFactory(manager=product_manager), title="SAML single sign-on")
    mine = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep, amount=Decimal("90000"))
    theirs = OpportunityFactory(account=AccountFactory(owner=outsider_rep), owner=outsider_rep, amount=Decimal("10000"))
    AskFactory(opportunity=mine, feature=feature, status=Ask.Status.LINKED, need="Okta sign-on for Acme")
    AskFactory(opportunity=theirs, need="Excel export for Globex")
    AskFactory(opportunity=mine, need="Asked long ago", created_at=timezone.now() - datetime.timedelta(days=60))
    feature_evidence_refresh(feature_ids=[feature.pk])
    meeting = ReviewMeetingFactory(held_on=TODAY, period_start=TODAY - datetime.timedelta(days=14))

    pm = _sections(product_manager, meeting)
    assert [i.title for i in pm["new_asks"].items] == ["Okta sign-on for Acme", "Excel export for Globex"]
    assert [i.key for i in pm["revenue_at_stake"].items] == [f"feature:{feature.pk}"]
    assert [i.key for i in pm["single_deal_asks"].items] == [f"feature:{feature.pk}"]  # one deal holds it all
    assert pm["escalations_due"].items == []
    assert [i.title for i in _sections(rep, meeting)["new_asks"].items] == ["Okta sign-on for Acme"]
    assert [s.__name__ for s in SECTIONS] == [
        *["new_asks", "revenue_at_stake", "single_deal_asks", "escalations_due"],
        *["commitments_at_risk", "launches_coming", "competitor_intel"],
    ]


def test_the_agenda_brings_commitments_at_risk_launches_coming_and_competitor_intel(rep, outsider_rep, product_manager):
    product = ProductFactory(manager=product_manager)
    mine = OpportunityFactory(account=AccountFactory(owner=rep, name="Acme"), owner=rep)
    theirs = OpportunityFactory(account=AccountFactory(owner=outsider_rep), owner=outsider_rep)
    soon = CommitmentFactory(
        opportunity=mine,
        feature=FeatureFactory(product=product, title="Audit log"),
        due_date=TODAY + datetime.timedelta(5),
    )
    on_track = FeatureFactory(  # committed on a release before the date: not at risk
        product=product,
        status=Feature.Status.PLANNED,
        confidence=Feature.Confidence.COMMITTED,
        release=ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(30)),
    )
    CommitmentFactory(opportunity=mine, feature=on_track, due_date=TODAY + datetime.timedelta(90))
    CommitmentFactory(opportunity=theirs, due_date=TODAY + datetime.timedelta(5))  # another team's
    plan = LaunchPlanFactory(release=ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(10)))
    LaunchPlanFactory(release=ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(60)))
    heard = FieldIntelFactory(opportunity=mine, competitor=CompetitorFactory(name="Globex CRM"), offered="Half price")
    FieldIntelFactory(opportunity=mine, created_at=timezone.now() - datetime.timedelta(days=40))  # before the period
    FieldIntelFactory(opportunity=theirs)
    meeting = ReviewMeetingFactory(held_on=TODAY, period_start=TODAY - datetime.timedelta(days=14))

    sections = _sections(rep, meeting)

    assert [(i.key, i.title) for i in sections["commitments_at_risk"].items] == [
        (f"commitment:{soon.pk}", "Audit log for Acme")
    ]
    assert [i.key for i in sections["launches_coming"].items] == [f"launch:{plan.pk}"]
    assert [(i.key, i.title) for i in sections["competitor_intel"].items] == [
        (f"intel:{heard.pk}", "Globex CRM: Half price")
    ]


def test_a_decision_in_the_meeting_goes_through_the_decision_rights(sales_manager, product_manager):
    feature = FeatureFactory(product=ProductFactory(manager=product_manager))
    review = review_create(actor=sales_manager, name="Review", cadence="weekly", attendees=[product_manager])
    meeting = review_meeting_create(actor=sales_manager, review=review, held_on=TODAY)
    assert meeting.period_start == TODAY - datetime.timedelta(days=7)
    with pytest.raises(PermissionDenied, match="product manager"):  # declining is product's
        meeting_decision_record(
            actor=sales_manager,
            meeting=meeting,
            agenda_item=f"feature:{feature.pk}",
            feature=feature,
            outcome="declined",
            rationale="No.",
        )
    decision = meeting_decision_record(
        actor=product_manager,
        meeting=meeting,
        agenda_item=f"feature:{feature.pk}",
        feature=feature,
        outcome="later",
        rationale="After the identity platform.",
    )
    assert MeetingDecision.objects.get().decision == decision


def test_the_next_meetings_agenda_covers_the_facts_since_the_previous_one(sales_manager):
    review = review_create(actor=sales_manager, name="Review", cadence="monthly", attendees=[])
    review_meeting_create(actor=sales_manager, review=review, held_on=TODAY - datetime.timedelta(days=10))
    assert review_meeting_create(actor=sales_manager, review=review, held_on=TODAY).period_start == (
        TODAY - datetime.timedelta(days=10)
    )


def test_an_action_item_is_its_owners_until_done_and_a_stale_mark_is_refused(client, rep, sales_manager):
    review = review_create(actor=sales_manager, name="Review", cadence="weekly", attendees=[rep])
    meeting = review_meeting_create(actor=sales_manager, review=review, held_on=TODAY)
    item = action_item_create(
        actor=sales_manager, meeting=meeting, agenda_item="", title="Send the SOC 2 report", owner=rep, due_on=TODAY
    )
    assert Notification.objects.get(recipient=rep).url == reverse("reviews:meeting_detail", args=[meeting.pk])
    client.force_login(rep)
    assert "Send the SOC 2 report" in client.get("/").content.decode()
    with pytest.raises(PermissionDenied):  # a rep attends, but does not run the meeting
        action_item_create(actor=rep, meeting=meeting, agenda_item="", title="x", owner=rep, due_on=TODAY)
    action_item_done(actor=rep, item=item, done=True, expected_version=1)
    assert "Send the SOC 2 report" not in client.get("/").content.decode()
    with pytest.raises(StaleVersion):
        action_item_done(actor=rep, item=item, done=False, expected_version=1)


def test_the_minutes_go_to_the_organiser_and_every_attendee_by_email(
    rep, sales_manager, product_manager, mailoutbox, django_capture_on_commit_callbacks
):
    review = review_create(actor=sales_manager, name="Review", cadence="weekly", attendees=[rep, product_manager])
    meeting = review_meeting_create(actor=sales_manager, review=review, held_on=TODAY)
    ActionItemFactory(meeting=meeting, owner=rep, title="Send the SOC 2 report")
    with django_capture_on_commit_callbacks(execute=True):
        minutes_send(actor=sales_manager, meeting=meeting, notes="SSO moves to Q3.", expected_version=1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in (rep, sales_manager, product_manager))
    assert "SSO moves to Q3." in mailoutbox[0].body
    assert "Send the SOC 2 report" in mailoutbox[0].body
    with pytest.raises(StaleVersion):
        minutes_send(actor=sales_manager, meeting=meeting, notes="", expected_version=1)


def test_a_review_is_hidden_from_who_neither_organises_nor_attends(client, rep, outsider_rep, executive):
    review = ReviewFactory(attendees=[rep])
    client.force_login(outsider_rep)
    assert client.get(reverse("reviews:review_detail", args=[review.pk])).status_code == 404
    assert client.get("/api/reviews").json() == []
    client.force_login(executive)
    assert client.get(reverse("reviews:review_detail", args=[review.pk])).status_code == 200


def test_the_meeting_page_reads_the_same_number_of_queries_with_one_item_or_ten(
    client, sales_manager, rep, django_assert_max_num_queries
):
    meeting = ReviewMeetingFactory(review=ReviewFactory(organiser=sales_manager, attendees=[rep]), held_on=TODAY)
    ActionItemFactory(meeting=meeting, owner=rep)
    client.force_login(sales_manager)
    url = reverse("reviews:meeting_detail", args=[meeting.pk])
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(9):
        ActionItemFactory(meeting=meeting, owner=rep, title=f"Item {n}")
        AskFactory(opportunity=OpportunityFactory(account=AccountFactory(owner=rep), owner=rep), need=f"Need {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_decision_to_plan_in_the_meeting_names_a_release_of_the_features_product_not_shipped(
    client, sales_manager, product_manager
):
    product = ProductFactory(manager=product_manager)
    feature = FeatureFactory(product=product, title="Audit log export")
    soon = ReleaseFactory(product=product, name="2027.2", target_date=TODAY + datetime.timedelta(30))
    ReleaseFactory(product=product, name="2026.4", status="shipped", shipped_at=timezone.now())
    ReleaseFactory(name="Another product's 2027.2", target_date=TODAY + datetime.timedelta(30))
    ask = AskFactory(feature=feature, need="Audit log to Splunk", status=Ask.Status.LINKED)
    review = review_create(actor=sales_manager, name="Review", cadence="weekly", attendees=[product_manager])
    meeting = review_meeting_create(actor=sales_manager, review=review, held_on=TODAY)
    client.force_login(product_manager)
    url = reverse("reviews:meeting_detail", args=[meeting.pk])

    key = f"ask:{ask.pk}"  # the new ask's agenda item, on its feature
    page = client.get(url).content.decode()
    item_forms = reverse("reviews:meeting_item_forms", args=[meeting.pk])
    assert f"{item_forms}?item=ask%3A{ask.pk}&amp;feature={feature.pk}" in page  # fetched when the item is opened
    assert 'name="owner"' not in page  # no form, with its list of everyone, before that
    forms = client.get(item_forms, {"item": key, "feature": feature.pk}).content.decode()
    assert "2027.2 (due" in forms  # offered on the feature's agenda item
    assert "2026.4" not in forms
    assert "Another product" not in forms
    assert 'name="owner"' in forms

    decide = reverse("reviews:meeting_decide", args=[meeting.pk])
    unnamed = client.post(decide, {"agenda_item": key, "feature": feature.pk, "outcome": "planned", "rationale": "Go."})
    assert unnamed.status_code == 422
    assert "Choose the release this is planned for." in unnamed.content.decode()
    named = {"agenda_item": key, "feature": feature.pk, "outcome": "planned", "rationale": "Go.", "release": soon.pk}
    assert client.post(decide, named).status_code == 302
    feature.refresh_from_db()
    assert (feature.status, feature.release) == (Feature.Status.PLANNED, soon)


def test_the_agenda_dates_a_launch_to_sales_as_the_sales_roadmap_does(rep, product_manager):
    """A release's day reaches sales where the sales roadmap prints it (a committed, sales-shareable
    feature on it); otherwise the agenda says its fiscal quarter. Product reads the day."""
    product = ProductFactory(manager=product_manager)
    likely = ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(10))
    dated = ReleaseFactory(product=product, target_date=TODAY + datetime.timedelta(20))
    FeatureFactory(product=product, release=likely, status="planned", visibility="sales", confidence="likely")
    FeatureFactory(product=product, release=dated, status="planned", visibility="sales", confidence="committed")
    LaunchPlanFactory(release=likely)
    LaunchPlanFactory(release=dated)
    meeting = ReviewMeetingFactory(held_on=TODAY, period_start=TODAY - datetime.timedelta(days=14))

    said = [item.detail for item in _sections(rep, meeting)["launches_coming"].items]
    assert formats.date_short(likely.target_date) not in said[0]
    assert said[0].startswith("ships FY")
    assert said[1] == "ships " + formats.date_short(dated.target_date)
    as_product = [item.detail for item in _sections(product_manager, meeting)["launches_coming"].items]
    assert as_product[0] == "ships " + formats.date_short(likely.target_date)


def test_a_sales_manager_recording_reads_the_quarter_of_a_release_the_sales_roadmap_does_not_date(
    client, sales_manager, product_manager
):
    product = ProductFactory(manager=product_manager)
    feature = FeatureFactory(product=product, visibility=Feature.Visibility.SALES, confidence=Feature.Confidence.LIKELY)
    target = TODAY + datetime.timedelta(45)
    ReleaseFactory(product=product, name="Spring", target_date=target)
    review = review_create(actor=sales_manager, name="Review", cadence="weekly", attendees=[product_manager])
    meeting = review_meeting_create(actor=sales_manager, review=review, held_on=TODAY)
    url = reverse("reviews:meeting_item_forms", args=[meeting.pk])
    query = {"item": f"feature:{feature.pk}", "feature": feature.pk}
    quarter = fiscal_quarter_of(target, workspace_get().fiscal_year_start_month)

    client.force_login(sales_manager)
    as_sales = client.get(url, query).content.decode()
    client.force_login(product_manager)
    as_pm = client.get(url, query).content.decode()

    assert f"Spring (due {quarter})" in as_sales
    assert formats.date_short(target) not in as_sales
    assert f"Spring (due {formats.date_short(target)})" in as_pm
