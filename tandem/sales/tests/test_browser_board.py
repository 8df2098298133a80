"""The pipeline board in Chromium: a rep drags a deal to the next stage, then one to lost, saying why;
the columns' figures follow, and the deal's stage history records who moved it."""

import pytest
from playwright.sync_api import Page, expect

from tandem.competition.models import Competitor
from tandem.sales.models import Opportunity, StageChange
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.browser


def _column(page: Page, name: str):
    return page.get_by_test_id("board-column").filter(has=page.get_by_role("heading", name=name))


def _drag(page: Page, card, column) -> None:
    """Drag with the mouse, in steps, as a person does (the board uses pointer events, not HTML5 drag)."""
    start = card.bounding_box()
    target = column.locator(".board-cards").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2, steps=3)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 20, steps=15)
    page.mouse.up()


def test_a_rep_moves_deals_on_the_board(live_server, signed_in, rep, stages):
    account = AccountFactory.create(owner=rep, name="Acme Robotics")
    expansion = OpportunityFactory.create(account=account, stage=stages.discovery, name="Acme expansion")
    renewal = OpportunityFactory.create(account=account, stage=stages.proposal, name="Acme renewal")
    Competitor.objects.create(name="Pipewise")

    page = signed_in(rep)
    page.goto("/pipeline/board/")
    expect(_column(page, "Proposal").get_by_test_id("column-figures")).to_contain_text("1 deal")

    _drag(page, _column(page, "Discovery").get_by_test_id("board-card"), _column(page, "Proposal"))

    expect(page.get_by_test_id("board-notice")).to_have_text("Moved “Acme expansion” to Proposal.")
    expect(_column(page, "Proposal").get_by_test_id("column-figures")).to_contain_text("2 deals")
    expect(_column(page, "Discovery").get_by_test_id("board-card")).to_have_count(0)
    move = StageChange.objects.get(opportunity=expansion, to_stage=stages.proposal)
    assert move.changed_by == rep

    # Lost asks why first; cancelling puts the card back, unchanged.
    renewal_card = _column(page, "Proposal").get_by_test_id("board-card").filter(has_text="Acme renewal")
    _drag(page, renewal_card, _column(page, "Closed lost"))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Why was Acme renewal lost?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(_column(page, "Proposal").get_by_test_id("board-card").filter(has_text="Acme renewal")).to_be_visible()
    assert Opportunity.objects.get(pk=renewal.pk).stage == stages.proposal

    _drag(
        page,
        _column(page, "Proposal").get_by_test_id("board-card").filter(has_text="Acme renewal"),
        _column(page, "Closed lost"),
    )
    dialog.get_by_label("Loss reason").select_option("competitor")
    dialog.get_by_label("Competitor").select_option(label="Pipewise")
    dialog.get_by_role("button", name="Mark lost").click()

    expect(page.get_by_test_id("board-notice")).to_have_text("Moved “Acme renewal” to Closed lost.")
    expect(_column(page, "Closed lost").get_by_test_id("board-card")).to_contain_text("Acme renewal")
    renewal.refresh_from_db()
    assert (renewal.stage, renewal.loss_reason, renewal.competitor.name) == (stages.lost, "competitor", "Pipewise")
