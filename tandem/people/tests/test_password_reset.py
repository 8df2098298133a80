"""Password reset by email, end to end through a real SMTP server that the test starts."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tandem-blue-elephant-42"


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, rep, smtp):
    response = client.post(reverse("password_reset"), {"email": rep.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == rep.email
    assert message["Subject"] == "Reset your Tandem password"
    link = re.search(r"https?://[^/\s]+(/auth/reset/\S+)", message.get_payload(decode=True).decode())
    assert link is not None

    # Django swaps the token in the link for a session-held one, then shows the form.
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")

    client.logout()
    signed_in = client.post(reverse("login"), {"username": rep.username, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("dashboards:home")


def test_an_unknown_address_sends_nothing_and_does_not_say_so(client, smtp):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response["Location"] == reverse("password_reset_done")
    assert smtp.messages == []


def test_a_used_link_no_longer_works(client, rep):
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"}))

    assert "This link no longer works" in response.content.decode()


def test_changing_the_password_while_signed_in(client, rep):
    client.force_login(rep)

    response = client.post(
        reverse("password_change"),
        {"old_password": "correct-horse-battery", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("password_change_done")
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)
