"""The stage list stays configurable in the admin, except what its deals' figures were written by."""

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
