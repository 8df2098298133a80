"""A small fixed workspace for the generic tests: one record of each kind per side of a team line.

`rep` (in `sales_manager`'s team) owns `account` and `opportunity`; `outsider_rep` (another team)
owns `other_account` and `other_opportunity`. `feature` is sales-shareable, `internal_feature` is not.

`teammate` (the rep's team-mate) owns `teammate_account`, on which the rep has a deal
(`deal_on_teammate_account`): the rep sees that account and its contacts through the deal, but does
not own them. The team-mate also has a deal on the rep's account (`teammate_deal`) with an ask logged
on it (`teammate_ask`): the rep sees the ask through their account, not the deal.
"""

from dataclasses import dataclass

from tandem.asks.models import Ask, Decision
from tandem.asks.tests.factories import AskFactory, DecisionFactory
from tandem.people.models import User
from tandem.product.models import Feature, Goal, Product, Release
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory
from tandem.sales.models import Account, Contact, Opportunity, Quota, Stage
from tandem.sales.tests.factories import AccountFactory, ContactFactory, OpportunityFactory, QuotaFactory, StageFactory


@dataclass
class World:
    rep: User
    outsider_rep: User
    product_manager: User
    stage: Stage
    account: Account
    contact: Contact
    opportunity: Opportunity
    other_account: Account
    other_contact: Contact
    other_opportunity: Opportunity
    quota: Quota
    other_quota: Quota
    product: Product
    goal: Goal
    release: Release
    feature: Feature
    internal_feature: Feature
    ask: Ask
    other_ask: Ask
    decision: Decision
    teammate: User
    teammate_account: Account
    teammate_contact: Contact
    deal_on_teammate_account: Opportunity
    teammate_deal: Opportunity
    teammate_ask: Ask


def build_world(*, rep: User, outsider_rep: User, product_manager: User, teammate: User) -> World:
    stage = StageFactory(name="Discovery", order=1, default_probability=20)
    account = AccountFactory(name="Acme Robotics", owner=rep)
    opportunity = OpportunityFactory(name="Acme expansion", account=account, owner=rep, stage=stage)
    other_account = AccountFactory(name="Globex Corporation", owner=outsider_rep)
    other_opportunity = OpportunityFactory(
        name="Globex renewal", account=other_account, owner=outsider_rep, stage=stage
    )
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    feature = FeatureFactory(product=product, title="SAML single sign-on", visibility=Feature.Visibility.SALES)
    ask = AskFactory(opportunity=opportunity, feature=feature, status=Ask.Status.LINKED)
    teammate_account = AccountFactory(name="Umbrella Health", owner=teammate)
    teammate_deal = OpportunityFactory(name="Acme data residency", account=account, owner=teammate, stage=stage)
    return World(
        rep=rep,
        outsider_rep=outsider_rep,
        product_manager=product_manager,
        stage=stage,
        account=account,
        contact=ContactFactory(account=account),
        opportunity=opportunity,
        other_account=other_account,
        other_contact=ContactFactory(account=other_account),
        other_opportunity=other_opportunity,
        quota=QuotaFactory(user=rep),
        other_quota=QuotaFactory(user=outsider_rep),
        product=product,
        goal=GoalFactory(name="Win enterprise security reviews"),
        release=ReleaseFactory(product=product, name="2027.1"),
        feature=feature,
        internal_feature=FeatureFactory(
            product=product, title="Rewrite the billing engine", visibility=Feature.Visibility.INTERNAL
        ),
        ask=ask,
        other_ask=AskFactory(opportunity=other_opportunity, need="Export the pipeline to Excel"),
        decision=DecisionFactory(feature=feature, decided_by=product_manager),
        teammate=teammate,
        teammate_account=teammate_account,
        teammate_contact=ContactFactory(account=teammate_account),
        deal_on_teammate_account=OpportunityFactory(
            name="Umbrella pilot", account=teammate_account, owner=rep, stage=stage
        ),
        teammate_deal=teammate_deal,
        teammate_ask=AskFactory(opportunity=teammate_deal, need="Keep every record in the EU"),
    )
