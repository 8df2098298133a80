"""A small piece of the core loop: Payments (managed by `product_manager`) with a release and a
sales-shareable feature that `rep`'s deal asked for."""

import email
import socket
from dataclasses import dataclass
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

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


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        SITE_URL="https://tandem.example.com",
    ):
        yield inbox
    controller.stop()
