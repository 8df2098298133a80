"""Notification emails go out through a real SMTP server that the test starts, after the decision commits."""

import re

import pytest

from tandem.decisions.services import decision_record, escalation_create
from tandem.notifications.models import Notification
from tandem.product.services import release_ship

pytestmark = pytest.mark.django_db
WHY = "Three enterprise deals are blocked on it, and it serves the security goal."


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def followed(client, user, text: str, link: str) -> str:
    """Open a link of an email as its reader: where it lands (the notification is read on the way)."""
    path = re.search(rf"https://tandem\.example\.com(/notifications/\d+/open/{re.escape(link)})", text)
    assert path is not None, text
    client.force_login(user)
    response = client.get(path.group(1))
    assert response.status_code == 302
    return response["Location"]


def test_a_decision_is_emailed_to_the_requesting_rep_with_the_rationale(
    client, smtp, django_capture_on_commit_callbacks, product_manager, rep, sales_manager, loop
):
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            actor=product_manager, feature=loop.feature, outcome="planned", rationale=WHY, release=loop.release
        )

    by_recipient = {message["To"]: message for message in smtp.messages}
    assert set(by_recipient) == {rep.email, sales_manager.email}
    message = by_recipient[rep.email]
    assert message["Subject"] == "Tandem: Planned for Payments 2027.2: SAML single sign-on"
    text = body(message)
    assert WHY in text
    assert "Acme (deal Acme expansion)" in text  # the customer, the deal and the ask it answers
    assert followed(client, rep, text, "") == f"/asks/{loop.ask.pk}/"
    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()


def test_nothing_is_emailed_when_the_decision_is_refused(smtp, django_capture_on_commit_callbacks, rep, loop):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="Only the product manager"):
        decision_record(actor=rep, feature=loop.feature, outcome="declined", rationale=WHY)
    assert smtp.messages == []


def test_the_shipped_email_lists_the_deals_to_re_engage(
    client, smtp, django_capture_on_commit_callbacks, product_manager, rep, loop
):
    loop.feature.release = loop.release
    loop.feature.save()

    with django_capture_on_commit_callbacks(execute=True):
        release_ship(actor=product_manager, release=loop.release)

    [message] = smtp.messages
    assert message["To"] == rep.email
    text = body(message)
    assert "- Acme expansion: https://tandem.example.com/notifications/" in text
    assert followed(client, rep, text, "?link=0") == f"/pipeline/opportunities/{loop.deal.pk}/"
    assert followed(client, rep, text, "") == f"/product/features/{loop.feature.pk}/"


def test_the_executive_is_emailed_an_escalation_with_its_reason_and_due_date(
    smtp, django_capture_on_commit_callbacks, product_manager, sales_manager, executive, loop
):
    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Off strategy.")
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_create(
            actor=sales_manager, ask=loop.ask, reason="Acme's expansion depends on it.", executive=executive
        )

    to_executive = [m for m in smtp.messages if m["To"] == executive.email]
    assert len(to_executive) == 1
    assert "Acme's expansion depends on it." in body(to_executive[0])
    assert f"{escalation.due_date:%d %B %Y}" in body(to_executive[0])
