"""A feature's evidence follows its deals: moving, re-pricing or deleting a deal through the sales
services updates the pipeline at stake in the same transaction, without a full recomputation."""

from decimal import Decimal

import pytest

from tandem.asks.evidence import feature_evidence_refresh
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory
from tandem.sales.services import opportunity_delete, opportunity_move_stage, opportunity_update
from tandem.sales.tests.factories import OpportunityFactory, StageFactory


@pytest.fixture
def asked_deal(rep):
    stage = StageFactory(name="Proposal", order=4, default_probability=60)
    deal = OpportunityFactory(account__owner=rep, owner=rep, stage=stage, amount=Decimal("80000.00"))
    feature = FeatureFactory()
    AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED, importance=Ask.Importance.BLOCKER)
    feature_evidence_refresh(feature_ids=[feature.pk])
    return deal, feature


def evidence(feature) -> FeatureEvidence:
    return FeatureEvidence.objects.get(feature=feature)


def test_winning_a_deal_takes_it_out_of_the_pipeline_at_stake(rep, asked_deal):
    deal, feature = asked_deal
    assert evidence(feature).open_pipeline == Decimal("80000.00")
    won = StageFactory(name="Closed Won", order=9, default_probability=100, is_won=True)
    opportunity_move_stage(actor=rep, opportunity=deal, expected_version=deal.version, stage=won)
    assert evidence(feature).open_pipeline == Decimal("0.00")
    assert evidence(feature).blocker_pipeline == Decimal("0.00")


def test_a_new_amount_or_probability_changes_raw_and_weighted_pipeline(rep, asked_deal):
    deal, feature = asked_deal
    opportunity_update(
        actor=rep,
        opportunity=deal,
        expected_version=deal.version,
        data={"amount": Decimal("100000.00"), "probability": 25},
    )
    assert evidence(feature).open_pipeline == Decimal("100000.00")
    assert evidence(feature).weighted_pipeline == Decimal("25000.00")
    assert evidence(feature).blocker_pipeline == Decimal("100000.00")


def test_deleting_a_deal_removes_its_pipeline_but_keeps_the_account_asking(rep, asked_deal):
    deal, feature = asked_deal
    opportunity_delete(actor=rep, opportunity=deal)
    assert evidence(feature).open_pipeline == Decimal("0.00")
    assert evidence(feature).accounts_count == 1
