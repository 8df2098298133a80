"""The coaching pages and API as their users meet them: real requests, the database, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.coaching.models import CoachingNote, Review
from tandem.coaching.tests.factories import CoachingNoteFactory
from tandem.people.tests.factories import UserFactory
from tandem.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_a_manager_writes_a_note_and_the_rep_reads_it_on_their_page(client, sales_manager, rep):
    client.force_login(sales_manager)
    url = reverse("coaching:note_add", args=[rep.pk])
    response = client.post(url, {"noted_on": "2026-11-20", "text": "Multi-thread the Acme deal."})
    assert response.status_code == 302
    client.force_login(rep)
    page = client.get(reverse("coaching:rep_coaching", args=[rep.pk])).content.decode()
    assert "Multi-thread the Acme deal." in page
    assert "Add a note" not in page  # the rep reads, does not write


def test_a_note_without_text_shows_the_refusal_under_its_field(client, sales_manager, rep):
    client.force_login(sales_manager)
    response = client.post(reverse("coaching:note_add", args=[rep.pk]), {"noted_on": "2026-11-20", "text": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not CoachingNote.objects.exists()


def test_a_stale_note_edit_answers_409_with_the_reason(client, sales_manager, rep):
    note = CoachingNoteFactory(rep=rep, version=3)
    client.force_login(sales_manager)
    response = client.post(
        reverse("coaching:note_change", args=[note.pk]), {"version": 2, "noted_on": "2026-11-20", "text": "Late edit"}
    )
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()


def test_a_review_from_start_to_acknowledgement(client, sales_manager, rep, stages):
    today = timezone.localdate()
    OpportunityFactory(
        owner=rep,
        account__owner=rep,
        stage=stages.won,
        amount=Decimal("1000"),
        close_date=today,
        created_at=timezone.now() - datetime.timedelta(days=3),
        closed_at=timezone.now(),
    )
    client.force_login(sales_manager)
    month = f"{today.year}-{today.month:02d}"
    response = client.post(reverse("coaching:review_create", args=[rep.pk]), {"period": month})
    review = Review.objects.get()
    assert response["Location"] == reverse("coaching:review_detail", args=[review.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Draft: the rep does not see it yet" in page
    assert "1 won, 0 lost" in page
    client.post(response["Location"], {"version": 1, "summary": "Closed Acme.", "goals": "Two new logos"})
    client.post(reverse("coaching:review_share", args=[review.pk]), {"version": 2})
    review.refresh_from_db()
    assert review.status == Review.Status.SHARED
    assert review.figures["won_amount"] == "1000.00"

    client.force_login(rep)
    page = client.get(reverse("coaching:review_detail", args=[review.pk])).content.decode()
    assert "Closed Acme." in page
    assert "Acknowledge" in page
    client.post(reverse("coaching:review_acknowledge", args=[review.pk]), {"version": 3, "rep_comment": "Thanks"})
    review.refresh_from_db()
    assert review.rep_comment == "Thanks"
    assert review.acknowledged_at


def test_the_api_writes_and_reads_a_note_and_refuses_a_stale_version(client, sales_manager, rep, bearer):
    headers = bearer(sales_manager)
    created = client.post(
        f"/api/coaching/reps/{rep.pk}/notes",
        {"text": "Prep the QBR", "noted_on": "2026-11-02"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    note = created.json()
    stale = client.patch(
        f"/api/coaching/notes/{note['id']}", {"version": 0, "text": "x"}, content_type="application/json", **headers
    )
    assert stale.status_code == 409
    listed = client.get(f"/api/coaching/reps/{rep.pk}/notes", **bearer(rep)).json()
    assert [n["text"] for n in listed["items"]] == ["Prep the QBR"]


def test_the_api_gives_a_review_with_its_figures(client, sales_manager, rep, bearer):
    headers = bearer(sales_manager)
    created = client.post(
        f"/api/coaching/reps/{rep.pk}/reviews", {"period": "2026-Q5"}, content_type="application/json", **headers
    )
    assert created.status_code == 422
    assert "period" in created.json()["errors"]
    created = client.post(
        f"/api/coaching/reps/{rep.pk}/reviews", {"period": "2026-10"}, content_type="application/json", **headers
    )
    assert created.status_code == 201
    body = created.json()
    assert body["period_label"] == "October 2026"
    assert body["figures"]["frozen"] is False
    assert body["figures"]["activities"] == {"note": 0, "call": 0, "meeting": 0}


def _notes(count, rep):
    for i in range(count):
        CoachingNoteFactory(rep=rep, text=f"Note {i}")


def test_the_notes_page_runs_as_many_queries_for_ten_notes_as_for_one(
    client, sales_manager, rep, django_assert_max_num_queries
):
    client.force_login(sales_manager)
    url = reverse("coaching:rep_coaching", args=[rep.pk])
    _notes(1, rep)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _notes(9, rep)
    with django_assert_max_num_queries(len(one)):
        assert client.get(url).content.decode().count("list-group-item") >= 10


def test_the_overview_runs_as_many_queries_for_ten_reps_as_for_one(client, sales_manager, rep, sales_team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(sales_manager)
    CoachingNoteFactory(rep=rep)
    client.get(reverse("coaching:overview"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("coaching:overview"))
    for i in range(9):
        CoachingNoteFactory(rep=UserFactory(username=f"rep{i}", role="rep", team=sales_team))
    with CaptureQueriesContext(connection) as ten:
        page = client.get(reverse("coaching:overview")).content.decode()
    assert page.count("/coaching/reps/") >= 10
    assert len(ten) == len(one)
