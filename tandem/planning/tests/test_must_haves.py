"""Must-haves are the promises: a feature committed to a customer by the end of the planned quarter
is in every plan, shown with the commitment that makes it so; a set of must-haves the teams cannot
build is said in words, never a 500. And the frontier is solved once per set of facts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.commitments.models import Commitment
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.planning import selectors
from tandem.planning.selectors import planning_inputs
from tandem.planning.tests.factories import EngineeringTeamFactory, FeatureBuildFactory, TeamCapacityFactory
from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, GoalFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
QUARTER = FiscalQuarter(2027, 2)
URL = reverse("planning:planning") + f"?year={QUARTER.year}&quarter={QUARTER.quarter}"


def _last_day() -> datetime.date:
    return QUARTER.bounds(workspace_get().fiscal_year_start_month)[1]


def _promise(rep, feature, due: datetime.date, **extra) -> Commitment:
    account = AccountFactory(owner=rep, name=extra.pop("account", "Bluewater Freight"))
    deal = OpportunityFactory(account=account, owner=rep)
    return CommitmentFactory(opportunity=deal, feature=feature, due_date=due, **extra)


def test_a_feature_promised_by_the_quarters_end_is_a_must_have_and_the_page_says_to_whom(client, executive, rep):
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter, person_weeks=Decimal("6"))
    promised = FeatureFactory(title="Audit log export", effort=Decimal("5"))
    later = FeatureFactory(title="Custom fields", effort=Decimal("5"))
    asked = FeatureFactory(title="Dark mode", effort=Decimal("5"))
    valuable = FeatureFactory(title="Forecast rollups", effort=Decimal("5"))
    valuable.goals.add(GoalFactory(weight=Decimal("3")))
    for feature in (promised, later, asked, valuable):
        FeatureBuildFactory(feature=feature, team=team)
    _promise(rep, promised, _last_day())
    _promise(rep, later, _last_day() + datetime.timedelta(days=1), account="Northwind")  # due next quarter
    _promise(rep, asked, _last_day(), account="Contoso", status=Commitment.Status.REQUESTED)  # not approved yet

    inputs = planning_inputs(user=executive, quarter=QUARTER, start_month=workspace_get().fiscal_year_start_month)
    must = {row.title for row in inputs.rows if row.candidate.must_have}
    assert must == {"Audit log export"}

    client.force_login(executive)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bluewater Freight" in page
    assert "Northwind" not in page
    # The capacity holds one feature: the promise beats the one that serves a goal, at every blend.
    assert response.context["result"].optimal.feature_ids == [promised.pk]
    assert all(point.feature_ids == [promised.pk] for point in response.context["result"].points)


def test_a_promised_feature_needing_one_already_shipped_is_planned(executive, rep):
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter)
    shipped = FeatureFactory(title="SAML single sign-on", status=Feature.Status.SHIPPED)
    promised = FeatureFactory(title="SCIM provisioning", effort=Decimal("5"))
    FeatureBuildFactory(feature=promised, team=team).needs.add(shipped)
    _promise(rep, promised, _last_day())
    inputs = planning_inputs(user=executive, quarter=QUARTER, start_month=workspace_get().fiscal_year_start_month)
    result = selectors.planning_frontier(inputs=inputs, blend=0.5)
    assert not result.refusal
    assert result.optimal.feature_ids == [promised.pk]


def test_the_engineering_lead_sees_the_must_have_but_not_the_deal_behind_it(client, engineering_lead, rep):
    team = EngineeringTeamFactory()
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter)
    feature = FeatureFactory(title="Audit log export")
    FeatureBuildFactory(feature=feature, team=team)
    _promise(rep, feature, _last_day(), account="Bluewater Freight")
    client.force_login(engineering_lead)
    page = client.get(URL).content.decode()
    assert "committed to a customer by" in page
    assert "Bluewater Freight" not in page  # engineering leads see no deals


def test_promises_the_teams_cannot_build_are_refused_in_words_on_the_page_the_api_and_the_save(client, executive, rep):
    team = EngineeringTeamFactory(name="Identity squad")
    TeamCapacityFactory(team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter, person_weeks=Decimal("8"))
    for title in ("SAML single sign-on", "SCIM provisioning"):
        feature = FeatureFactory(title=title, effort=Decimal("5"))
        FeatureBuildFactory(feature=feature, team=team)
        _promise(rep, feature, _last_day() - datetime.timedelta(days=30))
    client.force_login(executive)

    response = client.get(URL)
    assert response.status_code == 200
    refusal = response.context["result"].refusal
    assert "10.0 person-weeks of Identity squad, which can build 8.0" in refusal
    assert "Identity squad" in response.content.decode()

    api = client.get("/api/planning", {"fiscal_year": QUARTER.year, "fiscal_quarter": QUARTER.quarter, "blend": "0.5"})
    assert api.status_code == 200
    assert "Identity squad" in api.json()["refusal"]
    assert all(c["must_have_because"][0].startswith("committed to") for c in api.json()["candidates"])

    saved = client.post(
        reverse("planning:plan_save"), {"year": QUARTER.year, "quarter": QUARTER.quarter, "blend": "0.5"}
    )
    assert saved.status_code == 422
    assert "capacity" in saved.content.decode()


def test_the_frontier_is_solved_once_for_the_same_facts_and_again_when_one_changes(
    client, executive, engineering_lead, monkeypatch
):
    team = EngineeringTeamFactory()
    capacity = TeamCapacityFactory(
        team=team, fiscal_year=QUARTER.year, fiscal_quarter=QUARTER.quarter, person_weeks=Decimal("5")
    )
    for weight in ("1", "2", "3"):
        feature = FeatureFactory(effort=Decimal("5"))
        feature.goals.add(GoalFactory(weight=Decimal(weight)))
        FeatureBuildFactory(feature=feature, team=team)
    solves: list[int] = []
    solve = selectors.frontier

    def counted(*args, **kwargs):
        solves.append(1)
        return solve(*args, **kwargs)

    monkeypatch.setattr(selectors, "frontier", counted)
    client.force_login(executive)

    first = client.get(URL + "&blend=0.4").context["result"]
    again = client.get(URL + "&blend=0.4").context["result"]
    assert len(solves) == 1
    assert (again.points, again.optimal) == (first.points, first.optimal)

    capacity.person_weeks = Decimal("10")  # a new fact: the plan holds two features now
    capacity.save()
    bigger = client.get(URL + "&blend=0.4").context["result"]
    assert len(solves) == 2
    assert len(bigger.optimal.feature_ids) == 2
