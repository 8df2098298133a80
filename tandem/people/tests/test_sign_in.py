"""Signing in: the lockout after failed passwords (by account and by address), how admins lift it,
and the session a sign-in starts (new key, idle and absolute timeouts, sign-out)."""

import datetime
import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tandem.conftest import PASSWORD
from tandem.core.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tandem.people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("dashboards:home")).status_code == 200


def test_twelve_wrong_passwords_then_the_right_one_does_not_sign_in(client, rep):
    """Issue 15, finding 3: this signed in before the lockout."""
    for _ in range(12):
        _sign_in(client, rep.username, "wrong-password")

    response = _sign_in(client, rep.username, PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_lockout_page_says_what_is_locked_for_how_long_and_who_can_lift_it(client, rep):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT - 1):
        assert _sign_in(client, rep.username, "wrong-password").status_code == 200

    response = _sign_in(client, rep.username, "wrong-password")

    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    html = response.content.decode()
    assert "too many failed sign-ins to this account" in html
    assert "locked for 15 minutes" in html
    assert "ask a Tandem admin to unlock it" in html


def test_a_locked_account_stays_locked_from_another_address(client, rep):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(client, rep.username, "wrong-password", address="203.0.113.5")

    assert _sign_in(Client(), rep.username, PASSWORD, address="198.51.100.7").status_code == 429


def test_failures_on_one_account_do_not_lock_a_colleague_signing_in_from_the_same_office(client, rep, other_rep):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(client, rep.username, "wrong-password")

    assert _sign_in(Client(), other_rep.username, PASSWORD).status_code == 302


def test_an_address_trying_many_accounts_is_paused(client, settings):
    settings.SIGN_IN_ADDRESS_LIMIT = 6
    victims = [UserFactory() for _ in range(3)]
    for victim in victims:  # two guesses each: under the account limit, over the address's
        _sign_in(client, victim.username, "Summer2026!!")
        _sign_in(client, victim.username, "Winter2026!!")

    response = _sign_in(client, victims[0].username, PASSWORD)

    assert response.status_code == 429
    assert "too many failed sign-ins from your network address" in response.content.decode()
    # The same people sign in from elsewhere: only the address is paused.
    assert _sign_in(Client(), victims[0].username, PASSWORD, address="198.51.100.7").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, rep):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(client, rep.username, "wrong-password")
    later = datetime.timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - later)

    assert _sign_in(client, rep.username, PASSWORD).status_code == 302


def test_trying_again_during_the_lockout_does_not_make_it_longer(client, rep):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(client, rep.username, "wrong-password")
    locked_at = AccessAttempt.objects.get().attempt_time

    _sign_in(client, rep.username, "wrong-password")

    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_an_admin_unlocks_an_account_from_the_user_list(client, rep, admin_user):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(Client(), rep.username, "wrong-password")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:people_user_changelist"), {"action": "unlock_sign_in", "_selected_action": [rep.pk]}
    )

    assert response.status_code == 302
    assert _sign_in(Client(), rep.username, PASSWORD).status_code == 302


def test_an_admin_unlocks_an_account_or_an_address_from_the_command_line(rep, settings):
    settings.SIGN_IN_ADDRESS_LIMIT = settings.SIGN_IN_ACCOUNT_LIMIT
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(Client(), rep.username, "wrong-password")

    call_command("axes_reset_username", rep.username)
    assert _sign_in(Client(), rep.username, PASSWORD).status_code == 302

    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(Client(), "someone", "wrong-password")
    call_command("axes_reset_ip", "203.0.113.5")
    assert _sign_in(Client(), rep.username, PASSWORD).status_code == 302


def test_resetting_the_password_by_email_lifts_the_lockout(client, rep, smtp, django_capture_on_commit_callbacks):
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        _sign_in(client, rep.username, "wrong-password")
    client.post(reverse("password_reset"), {"email": rep.email})
    link = smtp.messages[0].get_payload(decode=True).decode().split("/auth/reset/")[1].split()[0]
    form_page = client.get(f"/auth/reset/{link}", follow=True)
    new = "a-brand-new-passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert _sign_in(client, rep.username, new).status_code == 302
    assert any(m["Subject"] == "Tandem: Your password was reset" for m in smtp.messages)


def test_the_admin_login_page_sends_people_to_tandems_sign_in(client):
    """The admin's own form would skip the lockout page and two-factor sign-in."""
    response = client.get(reverse("admin:login"), {"next": "/admin/people/user/"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/people/user/"


def test_the_api_takes_no_password(client, rep):
    """A password cannot be tried through the API around the lockout: it knows tokens and sessions only."""
    import base64

    basic = base64.b64encode(f"{rep.username}:{PASSWORD}".encode()).decode()

    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 401


# Sessions


def test_signing_in_gives_a_new_session_key(client, rep):
    """ASVS 3.2.1: a session fixed before sign-in is not the one after it."""
    client.get(reverse("login"))
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    _sign_in(client, rep.username, PASSWORD)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_ends_the_session_on_the_server(client, rep):
    """ASVS 3.3.1: the old cookie, replayed after sign-out, opens nothing."""
    _sign_in(client, rep.username, PASSWORD)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value

    signed_out = client.post(reverse("logout"))

    assert signed_out["Clear-Site-Data"] == '"cache", "storage"'  # ASVS 8.2.3
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _age_session(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"signed_in": SIGNED_IN_AT, "last_seen": LAST_SEEN_AT}[key]] = now - ago
    session.save()


def test_a_session_idle_too_long_is_signed_out_with_the_reason(client, rep):
    """ASVS 3.3.2: idle timeout (SESSION_IDLE_MINUTES, 30 by default)."""
    _sign_in(client, rep.username, PASSWORD)
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT + 1)

    response = client.get(reverse("dashboards:home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert not _signed_in(client)


def test_an_active_session_ends_at_the_absolute_timeout(client, rep):
    """ASVS 3.3.2: 12 hours after signing in, however active (SESSION_MAX_HOURS)."""
    _sign_in(client, rep.username, PASSWORD)
    _age_session(client, signed_in=settings.SESSION_ABSOLUTE_TIMEOUT + 1, last_seen=5)

    response = client.get(reverse("dashboards:home"), follow=True)

    assert "signed out 12 hours after signing in" in response.content.decode()
    assert not _signed_in(client)


def test_activity_keeps_a_session_open(client, rep):
    _sign_in(client, rep.username, PASSWORD)
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT - 60)

    assert _signed_in(client)
    _age_session(client, signed_in=120)  # the request above counted as activity
    assert client.session[LAST_SEEN_AT] >= int(time.time()) - 2


def test_an_htmx_request_after_the_timeout_reloads_the_whole_page_at_sign_in(client, rep):
    _sign_in(client, rep.username, PASSWORD)
    _age_session(client, last_seen=settings.SESSION_IDLE_TIMEOUT + 1)

    response = client.get(
        reverse("asks:ask_list"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/asks/?q=sso"}
    )

    assert response["HX-Redirect"] == f"{reverse('login')}?next=/asks/"


def test_the_session_is_written_at_most_once_a_minute_for_activity(client, rep):
    _sign_in(client, rep.username, PASSWORD)
    client.get(reverse("dashboards:home"))
    first = Session.objects.get().expire_date

    client.get(reverse("dashboards:home"))

    assert Session.objects.get().expire_date == first


def test_changing_the_password_signs_out_the_other_sessions(rep):
    """ASVS 3.3.3: a session elsewhere (a stolen cookie) stops working after a password change."""
    laptop, phone = Client(), Client()
    _sign_in(laptop, rep.username, PASSWORD)
    _sign_in(phone, rep.username, PASSWORD)
    new = "a-brand-new-passphrase"

    laptop.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})

    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_the_session_cookie_is_http_only_and_same_site(client, rep):
    """ASVS 3.4.2 and 3.4.3 (3.4.1 Secure and 3.4.4 `__Host-` are production settings: test_security_settings)."""
    response = _sign_in(client, rep.username, PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_signing_in_never_redirects_to_another_site(client, rep):
    """ASVS 5.1.5: `next` may only name a page of Tandem."""
    response = client.post(
        f"{reverse('login')}?next=https://evil.example/", {"username": rep.username, "password": PASSWORD}
    )

    assert response["Location"] == reverse("dashboards:home")


def test_session_keys_are_long_random_and_never_in_a_url(client, rep):
    """ASVS 3.2.2 and 3.2.4 (32 characters from Django's CSPRNG, about 165 bits) and 3.1.1."""
    response = _sign_in(client, rep.username, PASSWORD)

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert re.fullmatch(r"[a-z0-9]{32}", key)
    assert key not in response["Location"]


def test_sign_ins_are_logged_with_who_and_from_where_never_the_password(client, rep, caplog):
    """ASVS 7.1.1 (no credentials in logs or stored failures) and 7.2.1 (every sign-in decision logged)."""
    caplog.set_level("INFO", logger="axes")
    _sign_in(client, rep.username, "wrong-password")
    _sign_in(client, rep.username, PASSWORD)

    failed = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    succeeded = [r.getMessage() for r in caplog.records if "Successful login" in r.getMessage()]
    assert any(rep.username in m and "203.0.113.5" in m for m in failed)
    assert any(rep.username in m for m in succeeded)
    assert not any("wrong-password" in r.getMessage() or PASSWORD in r.getMessage() for r in caplog.records)
    assert "wrong-password" not in AccessAttempt.objects.get().post_data
