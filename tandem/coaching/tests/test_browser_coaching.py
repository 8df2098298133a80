"""Coaching in Chromium: a manager notes a one-to-one and shares a review of the month; the rep
finds both from their home page and acknowledges the review; a team-mate sees none of it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.coaching.models import Review

pytestmark = pytest.mark.browser


def test_a_manager_coaches_and_reviews_and_the_rep_acknowledges(live_server, signed_in, rep, other_rep, sales_manager):
    boss = signed_in(sales_manager)
    boss.goto("/")
    boss.get_by_test_id("team-coaching").click()
    boss.get_by_test_id("coached-reps").get_by_role("link", name=str(rep)).click()
    boss.get_by_label("Note").fill("Ask for the budget in the first call.")
    boss.get_by_role("button", name="Save the note").click()
    expect(boss.get_by_test_id("coaching-notes")).to_contain_text("Ask for the budget in the first call.")

    boss.get_by_label("Period").select_option(label=timezone.localdate().strftime("%B %Y"))
    boss.get_by_role("button", name="Start a review").click()
    expect(boss.get_by_test_id("review-status")).to_contain_text("Draft")
    expect(boss.get_by_test_id("review-figures")).to_contain_text("Activities logged")
    boss.get_by_label("How the period went").fill("Two strong discovery calls.")
    boss.get_by_role("button", name="Save the draft").click()
    boss.get_by_test_id("share").click()
    expect(boss.get_by_test_id("review-status")).to_contain_text("Shared")

    page = signed_in(rep)
    page.goto("/")
    page.get_by_test_id("my-coaching").click()
    expect(page.get_by_test_id("coaching-notes")).to_contain_text("Ask for the budget in the first call.")
    page.get_by_test_id("reviews").get_by_role("link").first.click()
    expect(page.get_by_test_id("review-summary")).to_have_text("Two strong discovery calls.")
    page.get_by_label("Your comment").fill("I will try it this week.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert").filter(has_text="acknowledged")).to_be_visible()
    assert Review.objects.get().rep_comment == "I will try it this week."

    mate = signed_in(other_rep)
    response = mate.goto(f"/coaching/reps/{rep.pk}/")
    assert response is not None
    assert response.status == 404
