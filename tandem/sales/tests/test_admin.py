"""The workspace settings and the stage list stay configurable in the admin, except what the
deals' figures were written by."""

from tandem.core.models import Workspace
from tandem.core.tests.admin_forms import change_form_data
from tandem.sales.models import Stage
from tandem.sales.tests.factories import OpportunityFactory


def test_a_stage_holding_deals_cannot_become_won_or_lost(stages, admin_user, client):
    OpportunityFactory(stage=stages.proposal)
    client.force_login(admin_user)

    proposal = f"/admin/sales/stage/{stages.proposal.pk}/change/"
    refused = client.post(proposal, change_form_data(client, proposal, is_won=True))
    assert refused.status_code == 200
    assert "1 deals are in Proposal: move them to another stage before it becomes won." in refused.content.decode()
    assert not Stage.objects.get(pk=stages.proposal.pk).is_won

    renamed = client.post(proposal, change_form_data(client, proposal, name="Proposal sent"))
    assert renamed.status_code == 302
    assert Stage.objects.get(pk=stages.proposal.pk).name == "Proposal sent"

    discovery = f"/admin/sales/stage/{stages.discovery.pk}/change/"
    empty = client.post(discovery, change_form_data(client, discovery, is_lost=True))
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
    client.post(url, change_form_data(client, url, home_currency="EUR", fiscal_year_start_month=7))
    workspace.refresh_from_db()
    assert (workspace.home_currency, workspace.fiscal_year_start_month) != ("EUR", 7)
