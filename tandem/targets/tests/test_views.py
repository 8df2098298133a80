"""The targets, attainment and territory pages: what a person sees and does on them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.people.tests.factories import TeamFactory, TerritoryFactory, UserFactory
from tandem.sales.models import Quota
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory
from tandem.targets.models import SalesTarget
from tandem.targets.services import target_set

pytestmark = pytest.mark.django_db
FY = 2027


@pytest.fixture
def org(sales_team, rep, other_rep, outsider_rep):
    return {"teams": [sales_team, outsider_rep.team], "reps": [rep, other_rep, outsider_rep]}


def test_an_executive_sets_the_target_and_sees_it_broken_down(client, executive, org):
    client.force_login(executive)
    response = client.post(
        reverse("targets:target_detail") + f"?year={FY}", {"amount": "1200000", "method": "even"}, follow=True
    )
    html = response.content.decode()
    assert "FY2027&#x27;s target is set" in html or "FY2027's target is set" in html
    assert 'data-testid="target-amount">1,200,000 USD' in html
    assert "150,000 USD" in html  # each team, each quarter
    assert Quota.objects.filter(fiscal_year=FY).count() == 20


def test_a_stale_target_form_says_someone_else_changed_it(client, executive, org):
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("100"), method="even")
    target_set(actor=executive, fiscal_year=FY, amount=Decimal("200"), method="even", version=1)
    client.force_login(executive)
    response = client.post(
        reverse("targets:target_detail") + f"?year={FY}", {"amount": "300", "method": "even", "version": "1"}
    )
    assert "Someone else changed this year" in response.content.decode()
    assert SalesTarget.objects.get(fiscal_year=FY).amount == Decimal("200")


def test_a_manager_sees_their_team_and_edits_its_rep_quotas(client, executive, sales_manager, org):
    target = target_set(actor=executive, fiscal_year=FY, amount=Decimal("800"), method="even")
    rep, other_rep, _outsider = org["reps"]
    client.force_login(sales_manager)
    html = client.get(reverse("targets:target_detail"), {"year": FY}).content.decode()
    assert org["teams"][0].name in html
    assert org["teams"][1].name not in html
    assert 'data-testid="target-form"' not in html
    data = {"version": target.version, f"rep_{rep.pk}_1": "70", f"rep_{other_rep.pk}_1": "30"}
    response = client.post(reverse("targets:rep_quotas", args=[FY, org["teams"][0].pk]), data, follow=True)
    assert "rep quotas are saved" in response.content.decode()
    assert Quota.objects.get(user=rep, fiscal_quarter=1).amount == Decimal("70")
    refused = client.post(
        reverse("targets:rep_quotas", args=[FY, org["teams"][0].pk]),
        {"version": target.version + 1, f"rep_{rep.pk}_1": "71"},
        follow=True,
    )
    assert "the reps&#x27; quotas add up to 101 USD" in refused.content.decode()


def test_the_attainment_page_rolls_reps_up_and_links_the_charts_to_the_deals(client, sales_manager, org, stages):
    rep = org["reps"][0]
    today = timezone.localdate()
    OpportunityFactory(
        owner=rep,
        account__owner=rep,
        stage=stages.won,
        amount=Decimal("5000"),
        close_date=today,
        created_at=timezone.now() - datetime.timedelta(days=10),
        closed_at=timezone.now(),
    )
    client.force_login(sales_manager)
    response = client.get(reverse("targets:attainment"), {"kind": "year"})
    html = response.content.decode()
    assert 'data-testid="attainment-table"' in html
    assert html.count('data-kind="team"') == 1
    chart = response.context["chart"]
    rep_bar = next(r for r in chart["attainment"]["reps"] if r["name"] == str(rep))
    assert f"owner={rep.pk}" in rep_bar["url"]
    assert "status=won" in rep_bar["url"]
    assert chart["win_rates"]["segment"]["rows"][0]["url"].startswith(reverse("sales:opportunity_list"))
    assert "js/attainment.js" in html


def test_the_win_rate_link_opens_the_deals_behind_the_bar(client, sales_manager, org, stages):
    rep = org["reps"][0]
    today = timezone.localdate()
    won = OpportunityFactory(
        owner=rep,
        account__owner=rep,
        stage=stages.won,
        close_date=today,
        created_at=timezone.now() - datetime.timedelta(days=3),
        closed_at=timezone.now(),
        name="Won one",
    )
    won.account.segment = "enterprise"
    won.account.save()
    OpportunityFactory(owner=rep, account__owner=rep, stage=stages.open, close_date=today, name="Still open")
    client.force_login(sales_manager)
    html = client.get(
        reverse("sales:opportunity_list"),
        {"status": "closed", "segment": "enterprise", "close_date_from": today.isoformat()},
    ).content.decode()
    assert "Won one" in html
    assert "Still open" not in html


def test_a_custom_period_ending_before_it_starts_is_refused(client, rep):
    client.force_login(rep)
    html = client.get(reverse("targets:attainment"), {"kind": "custom", "start": "2027-02-01", "end": "2027-01-01"})
    assert "The end of the period comes after its start." in html.content.decode()


def test_the_attainment_page_takes_the_same_queries_for_one_rep_or_ten(
    client, executive, stages, django_assert_num_queries
):
    team = TeamFactory(name="West")
    today = timezone.localdate()

    def add_rep():
        person = UserFactory(role="rep", team=team)
        OpportunityFactory(owner=person, account__owner=person, stage=stages.open, close_date=today)

    add_rep()
    client.force_login(executive)
    client.get(reverse("targets:attainment"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("targets:attainment"))
    for _ in range(9):
        add_rep()
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("targets:attainment"))


def test_territories_list_create_edit_and_assign(client, admin_user, org, stages):
    client.force_login(admin_user)
    response = client.post(
        reverse("targets:territory_create"),
        {"name": "Nordics", "region": "EMEA", "potential": "2500000", "rule_region": "Nordics", "rule_segment": ""},
    )
    territory = TerritoryFactory._meta.model.objects.get(name="Nordics")
    assert response.status_code == 302
    account = AccountFactory(owner=org["reps"][0], region="Nordics")
    deal = OpportunityFactory(account=account, owner=org["reps"][0], stage=stages.open)
    response = client.post(
        reverse("targets:territory_assign", args=[territory.pk]),
        {"new_owner": org["reps"][1].pk, "move_open_deals": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "1 account(s) assigned to Nordics, 1 open deal(s) moved." in html
    assert account.name in html
    deal.refresh_from_db()
    assert deal.owner == org["reps"][1]
    listing = client.get(reverse("targets:territory_list")).content.decode()
    assert "Nordics" in listing
    assert "2,500,000 USD" in listing


def test_the_quota_page_is_in_the_navigation(client, rep):
    client.force_login(rep)
    html = client.get(reverse("dashboards:home")).content.decode()
    assert f'href="{reverse("sales:quota_list")}"' in html


def test_many_reps_show_as_teams_each_opening_its_reps(client, executive, org, monkeypatch):
    from tandem.targets import views

    monkeypatch.setattr(views, "REPS_SHOWN", 1)
    client.force_login(executive)
    response = client.get(reverse("targets:attainment"), {"kind": "year"})
    html = response.content.decode()
    assert html.count('data-kind="rep"') == 0
    assert response.context["chart"]["attainment"]["by"] == "team"
    team = org["teams"][0]
    focused = client.get(reverse("targets:attainment"), {"kind": "year", "team": team.pk})
    body = focused.content.decode()
    assert body.count('data-kind="rep"') == 2  # rep and other_rep
    assert "Show every team" in body
