"""The coaching rules: who reads and writes notes and reviews, stale versions, sharing, the trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tandem.audit.models import AuditEntry
from tandem.coaching import services
from tandem.coaching.models import Review
from tandem.coaching.selectors import coaching_note_visible, review_visible
from tandem.coaching.tests.factories import CoachingNoteFactory
from tandem.core.api import StaleVersion

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)


def test_a_manager_notes_coaching_on_their_rep_and_the_rep_reads_it_but_no_other_rep(
    sales_manager, rep, other_rep, outsider_rep
):
    note = services.coaching_note_add(actor=sales_manager, rep=rep, noted_on=DAY, text="  Ask for the budget earlier. ")
    assert note.text == "Ask for the budget earlier."
    assert list(coaching_note_visible(user=rep)) == [note]
    assert list(coaching_note_visible(user=other_rep)) == []
    assert list(coaching_note_visible(user=outsider_rep)) == []
    entry = AuditEntry.objects.get(record_type="coaching.coachingnote", record_id=note.pk)
    assert entry.action == AuditEntry.Action.CREATED
    assert entry.actor == sales_manager


def test_executives_read_every_note_and_write_none(executive, sales_manager, rep):
    note = CoachingNoteFactory(rep=rep)
    assert list(coaching_note_visible(user=executive)) == [note]
    with pytest.raises(PermissionDenied):
        services.coaching_note_add(actor=executive, rep=rep, noted_on=DAY, text="Hi")


def test_product_roles_see_no_coaching(product_manager, engineering_lead, rep):
    CoachingNoteFactory(rep=rep)
    assert not coaching_note_visible(user=product_manager).exists()
    assert not coaching_note_visible(user=engineering_lead).exists()


def test_a_manager_cannot_coach_another_teams_rep(sales_manager, outsider_rep):
    with pytest.raises(Http404):
        services.coaching_note_add(actor=sales_manager, rep=outsider_rep, noted_on=DAY, text="Hi")


def test_a_rep_cannot_write_their_own_coaching(rep):
    with pytest.raises(PermissionDenied):
        services.coaching_note_add(actor=rep, rep=rep, noted_on=DAY, text="I did great")


def test_a_stale_note_edit_is_refused_and_changes_nothing(sales_manager, rep):
    note = services.coaching_note_add(actor=sales_manager, rep=rep, noted_on=DAY, text="First")
    services.coaching_note_change(actor=sales_manager, note=note, noted_on=DAY, text="Second", expected_version=1)
    with pytest.raises(StaleVersion):
        services.coaching_note_change(actor=sales_manager, note=note, noted_on=DAY, text="Third", expected_version=1)
    note.refresh_from_db()
    assert (note.text, note.version) == ("Second", 2)


def test_a_too_long_note_is_refused_under_its_field(sales_manager, rep):
    with pytest.raises(ValidationError) as refused:
        services.coaching_note_add(actor=sales_manager, rep=rep, noted_on=DAY, text="x" * 4001)
    assert "text" in refused.value.message_dict


def test_a_draft_review_is_hidden_from_the_rep_until_shared(sales_manager, rep, stages):
    review = services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    assert (review.period_start, review.period_end, review.period_label) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
        "November 2026",
    )
    assert not review_visible(user=rep).exists()
    review = services.review_change(
        actor=sales_manager, review=review, summary="Good month", goals="Two demos", expected_version=1
    )
    review = services.review_share(actor=sales_manager, review=review, expected_version=2)
    assert list(review_visible(user=rep)) == [review]
    assert review.figures is not None
    assert review.figures["won_count"] == 0


def test_a_review_is_not_shared_without_its_summary(sales_manager, rep):
    review = services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    with pytest.raises(ValidationError) as refused:
        services.review_share(actor=sales_manager, review=review, expected_version=1)
    assert "summary" in refused.value.message_dict


def test_a_shared_review_no_longer_changes(sales_manager, rep, stages):
    review = services.review_create(actor=sales_manager, rep=rep, period="2027-Q1")
    services.review_change(actor=sales_manager, review=review, summary="Fine", goals="", expected_version=1)
    services.review_share(actor=sales_manager, review=review, expected_version=2)
    with pytest.raises(ValidationError):
        services.review_change(actor=sales_manager, review=review, summary="Rewritten", goals="", expected_version=3)


def test_one_review_per_rep_and_period(sales_manager, rep):
    services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    with pytest.raises(ValidationError) as refused:
        services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    assert refused.value.message_dict == {"period": [services.ALREADY_REVIEWED]}


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26-11", "November", "1999-01"])
def test_a_period_that_is_no_quarter_or_month_is_refused(sales_manager, rep, period):
    with pytest.raises(ValidationError) as refused:
        services.review_create(actor=sales_manager, rep=rep, period=period)
    assert "period" in refused.value.message_dict


def test_the_rep_acknowledges_a_shared_review_with_a_comment(sales_manager, rep, other_rep, stages):
    review = services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    services.review_change(actor=sales_manager, review=review, summary="Fine", goals="", expected_version=1)
    services.review_share(actor=sales_manager, review=review, expected_version=2)
    with pytest.raises(Http404):
        services.review_acknowledge(actor=other_rep, review=review, comment="Not mine", expected_version=3)
    with pytest.raises(PermissionDenied):
        services.review_acknowledge(actor=sales_manager, review=review, comment="", expected_version=3)
    review = services.review_acknowledge(actor=rep, review=review, comment="Agreed.", expected_version=3)
    assert review.acknowledged_at is not None
    assert review.rep_comment == "Agreed."
    assert AuditEntry.objects.filter(record_type="coaching.review", record_id=review.pk).count() == 4


def test_the_rep_cannot_acknowledge_a_draft(sales_manager, rep):
    review = services.review_create(actor=sales_manager, rep=rep, period="2026-11")
    assert review.status == Review.Status.DRAFT
    with pytest.raises(Http404):
        services.review_acknowledge(actor=rep, review=review, comment="", expected_version=1)
