"""Per-audience leak tests of commitments (issue 19): a commitment shows a roadmap item — its feature
and where its release stands — so every page, card, API operation and notice that shows one is read
as a rep, with a likely feature on a dated release and an internal one their customer asked for.
Neither's release nor exact date, nor the internal one's talking points, may reach the rep; the
product manager reads the release as it is."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.commitments.services import commitment_breaks_send, commitment_warnings_send
from tandem.commitments.tests.factories import CommitmentFactory
from tandem.core import formats
from tandem.notifications.models import Notification
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

TODAY = datetime.date(2027, 3, 1)
RELEASE_DAY = datetime.date(2027, 5, 17)  # the likely release's target: in no quarter's label
LATE_DAY = datetime.date(2027, 9, 20)


@pytest.fixture
def seeded(rep, product_manager):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    release = ReleaseFactory(product=product, name="2027.5-secret", target_date=RELEASE_DAY)
    late = ReleaseFactory(product=product, name="2027.9-secret", target_date=LATE_DAY)
    likely = FeatureFactory(
        product=product, title="SAML single sign-on", status="planned", visibility="sales", confidence="likely",
        release=release, sales_say="SALES-SAY", sales_dont_say="SALES-DONT",
    )  # fmt: skip
    internal = FeatureFactory(
        product=product, title="Billing engine rewrite", status="planned", visibility="internal",
        confidence="committed", release=release, sales_say="INTERNAL-SAY", sales_dont_say="INTERNAL-DONT",
    )  # fmt: skip
    deal = OpportunityFactory(name="Acme expansion", owner=rep, account=AccountFactory(name="Acme", owner=rep))
    AskFactory(opportunity=deal, feature=internal, status=Ask.Status.LINKED)  # the rep may follow it
    due = RELEASE_DAY + datetime.timedelta(days=7)
    return {
        "deal": deal,
        "late": late,
        "likely": likely,
        "internal": internal,
        "commitments": [
            CommitmentFactory(opportunity=deal, feature=likely, due_date=due),
            CommitmentFactory(opportunity=deal, feature=internal, due_date=due),
        ],
    }


SECRETS = [
    "2027.5-secret",
    "2027.9-secret",
    formats.date_short(RELEASE_DAY),
    RELEASE_DAY.isoformat(),
    formats.date_short(LATE_DAY),
    LATE_DAY.isoformat(),
    "INTERNAL-SAY",
    "INTERNAL-DONT",
]


def _read(client: Client, seeded: dict) -> dict[str, str]:
    first, second = seeded["commitments"]
    htmx = {"HX-Request": "true"}
    return {
        "list": client.get(reverse("commitments:commitment_list")).content.decode(),
        "list partial": client.get(reverse("commitments:commitment_list"), headers=htmx).content.decode(),
        "detail": client.get(reverse("commitments:commitment_detail", args=[first.pk])).content.decode(),
        "internal detail": client.get(reverse("commitments:commitment_detail", args=[second.pk])).content.decode(),
        "deal": client.get(reverse("sales:opportunity_detail", args=[seeded["deal"].pk])).content.decode(),
        "account": client.get(reverse("sales:account_detail", args=[seeded["deal"].account_id])).content.decode(),
        "api": client.get("/api/commitments").content.decode(),
    }  # fmt: skip


def test_no_release_date_or_internal_talking_point_reaches_a_rep_on_a_commitment(client, rep, seeded):
    client.force_login(rep)
    for surface, text in _read(client, seeded).items():
        assert "Acme" in text, surface  # the rep's own commitments are there
        for secret in SECRETS:
            assert secret not in text, f"the {surface} shows {secret!r} to a rep"
    detail = client.get(reverse("commitments:commitment_detail", args=[seeded["commitments"][0].pk])).content
    assert "Planned for FY2027 Q" in detail.decode()  # the quarter, as on the sales roadmap


def test_the_product_manager_reads_the_release_as_it_is(client, product_manager, seeded):
    client.force_login(product_manager)
    detail = client.get(reverse("commitments:commitment_detail", args=[seeded["commitments"][0].pk])).content
    assert f"Release 2027.5-secret, targeting {formats.date_short(RELEASE_DAY)}" in detail.decode()


def test_no_release_date_reaches_a_rep_in_a_warning_or_a_break_notice(
    rep, seeded, product_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert commitment_warnings_send(today=RELEASE_DAY - datetime.timedelta(days=1)) == 2
    likely = seeded["likely"]
    likely.release = seeded["late"]  # moved after the date promised: broken
    likely.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert commitment_breaks_send(today=RELEASE_DAY - datetime.timedelta(days=1)) == 1
    notices = Notification.objects.filter(recipient=rep, kind="commitment")
    assert notices.count() == 3
    emails = [message for message in mail.outbox if rep.email in message.to]
    assert len(emails) == 3
    texts = [f"{n.title}\n{n.body}" for n in notices] + [f"{m.subject}\n{m.body}" for m in emails]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a notice shows {secret!r} to a rep: {text}"
    assert any("planned for FY2027 Q" in text for text in texts)
