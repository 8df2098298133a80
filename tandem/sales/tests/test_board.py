"""The pipeline board: deals as cards in stage columns, moved between columns by their owners."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.competition.models import Competitor
from tandem.core.money import workspace_get
from tandem.sales.models import Opportunity, StageChange
from tandem.sales.selectors import BOARD_CARDS
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

BOARD = reverse("sales:board")


def _move(client, deal, stage, **extra):
    data = {"stage": stage.pk, "version": deal.version, **extra}
    return client.post(reverse("sales:opportunity_move", args=[deal.pk]), data)


def _columns(response) -> dict[str, object]:
    return {column.stage.name: column for column in response.context["columns"]}


@pytest.fixture
def account(rep):
    return AccountFactory.create(owner=rep, name="Acme Robotics")


def test_each_column_counts_and_sums_all_its_deals_and_shows_the_first_cards(client, rep, stages, account):
    for day in range(BOARD_CARDS + 5):
        OpportunityFactory.create(
            account=account,
            stage=stages.discovery,
            amount=Decimal("1000.00"),
            close_date=timezone.localdate() + datetime.timedelta(days=day + 1),
        )
    OpportunityFactory.create(account=account, stage=stages.proposal, amount=Decimal("500.00"))
    client.force_login(rep)

    response = client.get(BOARD)

    columns = _columns(response)
    discovery = columns["Discovery"]
    assert (discovery.count, discovery.amount, discovery.weighted) == (25, Decimal("25000.00"), Decimal("5000.00"))
    assert len(discovery.cards) == BOARD_CARDS
    assert [deal.close_date for deal in discovery.cards] == sorted(deal.close_date for deal in discovery.cards)
    assert columns["Proposal"].count == 1
    assert "Show more" in response.content.decode()

    more = client.get(reverse("sales:board_column"), {"stage": stages.discovery.pk, "after": BOARD_CARDS})
    assert more.content.decode().count('data-testid="board-card"') == 5
    assert "Show more" not in more.content.decode()


def test_the_closed_columns_hold_this_quarters_results_only(client, rep, stages, account):
    won_now = OpportunityFactory.create(account=account, stage=stages.won, name="Won this quarter")
    won_now.closed_at = timezone.now()
    won_now.save()
    last_year = timezone.now() - datetime.timedelta(days=400)
    won_before = OpportunityFactory.create(
        account=account, stage=stages.won, name="Won last year", created_at=last_year
    )
    won_before.closed_at = last_year
    won_before.save()
    client.force_login(rep)

    page = client.get(BOARD).content.decode()

    assert "Won this quarter" in page
    assert "Won last year" not in page


def test_the_board_costs_the_same_queries_for_one_deal_or_many(client, rep, stages, account):
    workspace_get()
    client.force_login(rep)
    client.get(BOARD)
    OpportunityFactory.create(account=account, stage=stages.discovery)
    with CaptureQueriesContext(connection) as one:
        client.get(BOARD)
    for _ in range(30):
        OpportunityFactory.create(account=account, stage=stages.proposal)
    with CaptureQueriesContext(connection) as many:
        client.get(BOARD)
    assert len(one) == len(many), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_filters_narrow_the_board_as_they_narrow_the_list(client, rep, stages, account):
    OpportunityFactory.create(account=account, stage=stages.discovery, name="Acme robots")
    OpportunityFactory.create(account=account, stage=stages.discovery, name="Initech printers")
    client.force_login(rep)
    page = client.get(BOARD, {"q": "robots"}).content.decode()
    assert "Acme robots" in page
    assert "Initech printers" not in page


def test_a_rep_drags_their_deal_to_the_next_stage_and_the_history_says_who(client, rep, stages, account):
    deal = OpportunityFactory.create(account=account, stage=stages.discovery, name="Acme expansion")
    client.force_login(rep)

    response = _move(client, deal, stages.proposal)

    assert response.status_code == 200
    assert "Moved “Acme expansion” to Proposal." in response.content.decode()
    assert _columns(response)["Proposal"].count == 1
    deal.refresh_from_db()
    assert (deal.stage, deal.probability, deal.version) == (stages.proposal, 60, 2)
    change = StageChange.objects.get(opportunity=deal, to_stage=stages.proposal)
    assert (change.from_stage, change.changed_by) == (stages.discovery, rep)


def test_a_card_moved_after_someone_changed_its_deal_is_refused_and_shown_as_it_is(client, rep, stages, account):
    deal = OpportunityFactory.create(account=account, stage=stages.discovery, name="Acme expansion")
    stale_version = deal.version
    Opportunity.objects.filter(pk=deal.pk).update(version=stale_version + 1, stage=stages.proposal)
    client.force_login(rep)

    response = _move(client, deal, stages.won, version=stale_version)

    assert response.status_code == 409
    assert "Someone changed “Acme expansion”" in response.content.decode()
    assert _columns(response)["Proposal"].count == 1
    assert Opportunity.objects.get(pk=deal.pk).stage == stages.proposal


def test_a_deal_dropped_on_lost_must_say_why_and_to_whom(client, rep, stages, account):
    deal = OpportunityFactory.create(account=account, stage=stages.proposal)
    competitor = Competitor.objects.create(name="Pipewise")
    client.force_login(rep)

    no_reason = _move(client, deal, stages.lost)
    assert no_reason.status_code == 422
    assert "Say why the deal was lost." in no_reason.content.decode()

    no_competitor = _move(client, deal, stages.lost, loss_reason="competitor")
    assert no_competitor.status_code == 422
    assert "Name the competitor the deal was lost to." in no_competitor.content.decode()
    assert Opportunity.objects.get(pk=deal.pk).stage == stages.proposal

    lost = _move(client, deal, stages.lost, loss_reason="competitor", competitor=competitor.pk)
    assert lost.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage, deal.loss_reason, deal.competitor, deal.closed_at is not None) == (
        stages.lost,
        "competitor",
        competitor,
        True,
    )


def test_a_lost_stage_may_be_set_not_to_ask_why(client, rep, stages, account):
    stages.lost.loss_reason_required = False
    stages.lost.save()
    deal = OpportunityFactory.create(account=account, stage=stages.proposal)
    client.force_login(rep)
    assert _move(client, deal, stages.lost).status_code == 200
    assert Opportunity.objects.get(pk=deal.pk).stage == stages.lost


def test_only_the_cards_one_may_change_can_be_dragged(client, rep, other_rep, sales_manager, product_manager, stages):
    own = OpportunityFactory.create(account=AccountFactory.create(owner=rep), stage=stages.discovery)
    teammates = OpportunityFactory.create(account=AccountFactory.create(owner=other_rep), stage=stages.discovery)

    client.force_login(rep)
    assert client.get(BOARD).context["movable"] == {own.pk}
    assert _move(client, teammates, stages.proposal).status_code == 404

    client.force_login(sales_manager)
    assert client.get(BOARD).context["movable"] == {own.pk, teammates.pk}

    client.force_login(product_manager)
    assert client.get(BOARD).context["movable"] == set()
    assert _move(client, own, stages.proposal).status_code == 403
    assert Opportunity.objects.get(pk=own.pk).stage == stages.discovery


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "x\x00", "1.5"])
def test_hostile_board_input_is_refused_not_a_server_error(client, rep, stages, account, value):
    deal = OpportunityFactory.create(account=account, stage=stages.discovery)
    client.force_login(rep)
    assert client.get(reverse("sales:board_column"), {"stage": value, "after": 0}).status_code in (400, 404)
    assert client.get(reverse("sales:board_column"), {"stage": stages.discovery.pk, "after": value}).status_code in (
        400,
        404,
    )
    move = reverse("sales:opportunity_move", args=[deal.pk])
    assert client.post(move, {"stage": value, "version": deal.version}).status_code in (400, 422)
    assert client.post(move, {"stage": stages.proposal.pk, "version": value}).status_code in (400, 422)
    assert Opportunity.objects.get(pk=deal.pk).stage == stages.discovery
