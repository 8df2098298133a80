"""The workspace settings and the stage list stay configurable in the admin, except what the
deals' figures were written by."""

from tandem.core.models import Workspace
from tandem.sales.models import Stage
from tandem.sales.tests.factories import OpportunityFactory


def form_of(stage: Stage, **changes) -> dict[str, object]:
    fields = {
        "name": stage.name,
        "order": stage.order,
        "default_probability": stage.default_probability,
        "forecast_category": stage.forecast_category,
        "is_won": stage.is_won,
        "is_lost": stage.is_lost,
    }
    return {key: value for key, value in {**fields, **changes}.items() if value is not False}


def test_a_stage_holding_deals_cannot_become_won_or_lost(stages, admin_user, client):
    OpportunityFactory(stage=stages.proposal)
    client.force_login(admin_user)

    refused = client.post(f"/admin/sales/stage/{stages.proposal.pk}/change/", form_of(stages.proposal, is_won=True))
    assert refused.status_code == 200
    assert "1 deals are in Proposal: move them to another stage before it becomes won." in refused.content.decode()
    assert not Stage.objects.get(pk=stages.proposal.pk).is_won

    renamed = client.post(
        f"/admin/sales/stage/{stages.proposal.pk}/change/", form_of(stages.proposal, name="Proposal sent")
    )
    assert renamed.status_code == 302
    assert Stage.objects.get(pk=stages.proposal.pk).name == "Proposal sent"

    empty = client.post(f"/admin/sales/stage/{stages.discovery.pk}/change/", form_of(stages.discovery, is_lost=True))
    assert empty.status_code == 302
    assert Stage.objects.get(pk=stages.discovery.pk).is_lost


def test_the_home_currency_and_fiscal_year_are_fixed_once_there_are_deals(admin_user, client):
    workspace = Workspace.objects.get_or_create(id=1, defaults={"name": "Acme"})[0]
    client.force_login(admin_user)
    url = f"/admin/core/workspace/{workspace.pk}/change/"
    assert 'name="home_currency"' in client.get(url).content.decode()

    OpportunityFactory()
    page = client.get(url).content.decode()
    assert 'name="home_currency"' not in page
    assert 'name="fiscal_year_start_month"' not in page
    client.post(url, {"name": "Acme", "home_currency": "EUR", "fiscal_year_start_month": 7})
    workspace.refresh_from_db()
    assert (workspace.home_currency, workspace.fiscal_year_start_month) != ("EUR", 7)
