"""A small piece of the core loop: Payments (managed by `product_manager`) with a release and a
sales-shareable feature that `rep`'s deal asked for."""

from dataclasses import dataclass

import pytest

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.people.models import User
from tandem.people.tests.factories import ProductManagerFactory
from tandem.product.models import Feature, Product, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.models import Opportunity
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@dataclass
class Loop:
    product: Product
    release: Release
    feature: Feature
    deal: Opportunity
    ask: Ask


@pytest.fixture
def loop(rep, product_manager) -> Loop:
    product = ProductFactory(name="Payments", manager=product_manager)
    feature = FeatureFactory(product=product, title="SAML single sign-on")
    deal = OpportunityFactory(name="Acme expansion", account=AccountFactory(name="Acme", owner=rep), owner=rep)
    ask = AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED)
    return Loop(
        product=product, release=ReleaseFactory(product=product, name="2027.2"), feature=feature, deal=deal, ask=ask
    )


@pytest.fixture
def other_pm(db) -> User:
    return ProductManagerFactory(username="omar.pm", first_name="Omar", last_name="Other")
