"""The product digest for sales: what shipped and which of the reader's deals it concerns, what is
coming with its confidence, the talking points — and, per audience, nothing internal: no internal
feature, no internal talking point, no date finer than the quarter below committed."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tandem.asks.tests.factories import AskFactory
from tandem.core import formats
from tandem.core.roles import SALES_ROLES
from tandem.launches.digest import digest_for, digests_send
from tandem.launches.models import DigestDelivery, DigestSettings
from tandem.notifications.models import Notification
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

INTERNAL = "Rewrite the billing engine"
INTERNAL_SAY = "Secret: the price doubles"
LIKELY_DATE = datetime.date(2031, 5, 17)
COMMITTED_DATE = datetime.date(2031, 6, 20)


@pytest.fixture
def roadmap(rep, outsider_rep, product_manager):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    shipped = ReleaseFactory(product=product, name="2027.1")
    planned = ReleaseFactory(product=product, name="2031.2", target_date=LIKELY_DATE)
    committed = ReleaseFactory(product=product, name="2031.3", target_date=COMMITTED_DATE)
    sso = FeatureFactory(
        product=product,
        title="SAML single sign-on",
        release=shipped,
        status="shipped",
        visibility="sales",
        sales_say="Okta and Azure AD today.",
        sales_dont_say="Do not promise SCIM.",
    )
    hidden_shipped = FeatureFactory(
        product=product,
        title=INTERNAL,
        release=shipped,
        status="shipped",
        visibility="internal",
        sales_say=INTERNAL_SAY,
    )
    FeatureFactory(
        product=product,
        title="Audit export",
        release=planned,
        status="planned",
        visibility="public",
        confidence="likely",
    )
    FeatureFactory(
        product=product,
        title="Data residency",
        release=committed,
        status="planned",
        visibility="sales",
        confidence="committed",
    )
    FeatureFactory(
        product=product,
        title="Internal scaling",
        release=planned,
        status="planned",
        visibility="internal",
        confidence="committed",
        sales_say=INTERNAL_SAY,
    )
    Release.objects.filter(pk=shipped.pk).update(
        status="shipped", shipped_at=timezone.now() - datetime.timedelta(days=2)
    )
    deal = OpportunityFactory(name="Acme expansion", owner=rep, account=AccountFactory(name="Acme Robotics", owner=rep))
    AskFactory(opportunity=deal, feature=sso)
    AskFactory(opportunity=deal, feature=hidden_shipped)  # the rep's customer asked for an internal feature
    other = OpportunityFactory(
        name="Globex renewal", owner=outsider_rep, account=AccountFactory(name="Globex", owner=outsider_rep)
    )
    AskFactory(opportunity=other, feature=sso)
    return deal


def test_the_digest_tells_the_rep_what_shipped_for_their_deals_and_whats_coming(rep, roadmap):
    digest = digest_for(reader=rep)
    [shipped] = digest.shipped
    assert shipped.title == "SAML single sign-on"
    assert shipped.deals == [(roadmap.pk, "Acme expansion")]
    assert shipped.say == "Okta and Azure AD today."
    coming = {item.title: item.when for item in digest.coming}
    assert coming == {"Audit export": "FY2031 Q2", "Data residency": formats.date_short(COMMITTED_DATE)}


@pytest.mark.parametrize("surface", ["page", "api", "email"])
def test_nothing_internal_reaches_a_rep(client, rep, roadmap, surface, django_capture_on_commit_callbacks):
    client.force_login(rep)
    if surface == "page":
        text = client.get(reverse("launches:digest")).content.decode()
    elif surface == "api":
        text = client.get("/api/digest").content.decode()
    else:
        with django_capture_on_commit_callbacks(execute=True):
            digests_send()
        text = "\n".join(message.body for message in mail.outbox if rep.email in message.to)
        assert "SAML single sign-on" in text
    assert "SAML single sign-on" in text
    for leak in (INTERNAL, INTERNAL_SAY, "Internal scaling", "Globex", formats.date_short(LIKELY_DATE)):
        assert leak not in text
    assert "FY2031 Q2" in text  # the likely item's date, as its quarter
    assert formats.date_short(COMMITTED_DATE) in text


def test_each_reader_gets_each_periods_digest_once(rep, sales_manager, roadmap):
    readers = User.objects.filter(role__in=list(SALES_ROLES), is_active=True).count()
    assert digests_send() == readers  # every rep and sales manager, the rep among them
    assert digests_send() == 0
    assert Notification.objects.filter(kind="digest", recipient=rep).count() == 1
    assert DigestDelivery.objects.filter(reader=rep).count() == 1


def test_per_release_the_digest_follows_the_latest_release_shipped(rep, roadmap):
    DigestSettings.objects.create(pk=1, period=DigestSettings.Period.PER_RELEASE)
    digest = digest_for(reader=rep)
    assert digest.key.startswith("release-")
    assert [item.title for item in digest.shipped] == ["SAML single sign-on"]
    assert digests_send() >= 1
    assert digests_send() == 0


def test_a_week_later_nothing_shipped_but_what_is_coming_still_shows(rep, roadmap):
    digest = digest_for(reader=rep, now=timezone.now() + datetime.timedelta(days=8))
    assert digest.shipped == []
    assert {item.title for item in digest.coming} == {"Audit export", "Data residency"}
    assert Feature.objects.filter(title="Internal scaling").exists()
