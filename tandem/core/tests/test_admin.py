"""The Django admin shows the records whose writes carry rules, and changes none of them."""

from decimal import Decimal

from django.urls import reverse

from tandem.asks.models import FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import OpportunityFactory


def test_an_admin_reads_a_deal_but_cannot_change_its_amount_behind_the_evidence(client, admin_user):
    ask = AskFactory(opportunity=OpportunityFactory(amount=Decimal("50000.00")))
    deal = ask.opportunity
    change = reverse("admin:sales_opportunity_change", args=[deal.pk])
    client.force_login(admin_user)

    page = client.get(change)
    posted = client.post(change, {"name": deal.name, "amount": "1.00"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("50000.00")


def test_the_admin_offers_no_add_or_delete_for_figures_the_services_keep(client, admin_user):
    ask = AskFactory(feature=FeatureFactory())
    evidence, _ = FeatureEvidence.objects.get_or_create(feature=ask.feature)
    client.force_login(admin_user)

    for model, pk in (
        ("sales_opportunity", ask.opportunity_id),
        ("sales_account", ask.account_id),
        ("asks_ask", ask.pk),
        ("product_feature", ask.feature_id),
        ("asks_featureevidence", evidence.pk),
    ):
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:{model}_add")).status_code == 403, model
        assert client.get(reverse(f"admin:{model}_delete", args=[pk])).status_code == 403, model
