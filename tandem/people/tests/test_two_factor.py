"""Two-factor sign-in: setting it up on the profile, signing in with a code or a recovery code,
turning it off, and roles that must use it (ASVS 2.7, 2.8 and 2.6 for the recovery codes)."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.conftest import PASSWORD
from tandem.core.roles import Role
from tandem.people.checks import two_factor_roles_check
from tandem.people.models import RecoveryCode
from tandem.people.services import two_factor_setup_confirm, two_factor_setup_start
from tandem.people.views import SIGN_IN_PENDING

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later)."""
    return f"{totp(device.bin_key, t0=-30 * steps_ahead):06d}"


def _wrong_code(device: TOTPDevice) -> str:
    accepted = {_code(device, steps) for steps in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


@pytest.fixture
def with_two_factor(rep) -> tuple[TOTPDevice, list[str]]:
    """The rep, with two-factor sign-in on: their app's device and their recovery codes."""
    device = two_factor_setup_start(actor=rep)
    codes = two_factor_setup_confirm(actor=rep, code=_code(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def _password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _code_step(client: Client, code: str):
    return client.post(reverse("two_factor_sign_in"), {"code": code})


def _signed_in(client: Client) -> bool:
    return client.get(reverse("dashboards:home")).status_code == 200


def test_setting_up_shows_a_qr_code_and_the_secret_then_a_code_turns_it_on(
    client, rep, smtp, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    assert "Set up two-factor sign-in" in client.get(reverse("people:two_factor")).content.decode()

    setup = client.post(reverse("people:two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=rep, confirmed=False)
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', setup)
    assert secret is not None
    assert "<svg" in setup

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("people:two_factor_confirm"), {"code": _code(device)})

    html = done.content.decode()
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", html)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=rep).confirmed
    assert [m["Subject"] for m in smtp.messages] == ["Tandem: Two-factor sign-in is on"]
    assert "On" in client.get(reverse("people:profile")).content.decode()


def test_a_wrong_first_code_leaves_two_factor_off(client, rep):
    client.force_login(rep)
    client.post(reverse("people:two_factor_setup"))
    device = TOTPDevice.objects.get(user=rep)

    response = client.post(reverse("people:two_factor_confirm"), {"code": _wrong_code(device)})

    assert response.status_code == 422
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=rep).confirmed
    assert not RecoveryCode.objects.filter(user=rep).exists()


def test_with_two_factor_on_the_password_alone_does_not_sign_in(client, rep, with_two_factor):
    response = _password_step(client, rep.username)

    assert response["Location"] == reverse("two_factor_sign_in")
    assert not _signed_in(client)


def test_the_password_then_the_code_signs_in_with_a_new_session_at_each_step(client, rep, with_two_factor):
    device, _ = with_two_factor
    client.get(reverse("login"))
    session = client.session
    session.save()
    anonymous = session.session_key

    _password_step(client, rep.username)
    between = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = _code_step(client, _code(device, steps_ahead=1))

    assert response["Location"] == reverse("dashboards:home")
    assert _signed_in(client)
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert len({anonymous, between, signed_in}) == 3
    assert not Session.objects.filter(session_key__in=[anonymous, between]).exists()


def test_a_code_is_accepted_only_once(rep, with_two_factor):
    """ASVS 2.8.4: a code seen over someone's shoulder cannot sign in a second time."""
    device, _ = with_two_factor
    code = _code(device, steps_ahead=1)
    first = Client()
    _password_step(first, rep.username)
    assert _code_step(first, code).status_code == 302

    second = Client()
    _password_step(second, rep.username)
    response = _code_step(second, code)

    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert not _signed_in(second)


def test_wrong_codes_in_a_row_make_the_next_try_wait(client, rep, with_two_factor):
    device, _ = with_two_factor
    _password_step(client, rep.username)
    _code_step(client, _wrong_code(device))

    response = _code_step(client, _code(device, steps_ahead=1))  # right, but too soon after a wrong one

    assert "wait a few seconds" in response.content.decode()
    assert not _signed_in(client)


def test_wrong_codes_count_towards_the_account_lockout(client, rep, with_two_factor):
    """The second step cannot be guessed around the lockout (ASVS 2.2.1)."""
    device, _ = with_two_factor
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    _password_step(client, rep.username)
    response = None
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # skip the waits
        response = _code_step(client, _wrong_code(device))

    assert response is not None
    assert response.status_code == 429
    assert "too many failed sign-ins to this account" in response.content.decode()


def test_a_recovery_code_signs_in_once_and_the_person_is_told(
    rep, with_two_factor, smtp, django_capture_on_commit_callbacks
):
    """ASVS 2.6.1 (a look-up secret works once) and 2.2.3 (the person is told)."""
    _, codes = with_two_factor
    first = Client()
    _password_step(first, rep.username)
    with django_capture_on_commit_callbacks(execute=True):
        response = _code_step(first, codes[3].upper().replace("-", " "))  # typed loosely

    assert response.status_code == 302
    assert "9 are left" in first.get(reverse("dashboards:home")).content.decode()
    assert smtp.messages[-1]["Subject"] == "Tandem: A recovery code was used to sign in"

    second = Client()
    _password_step(second, rep.username)
    TOTPDevice.objects.filter(user=rep).update(throttling_failure_timestamp=None)
    assert _code_step(second, codes[3]).status_code == 200
    assert not _signed_in(second)


def test_recovery_codes_are_stored_only_as_salted_digests(rep, with_two_factor):
    """ASVS 2.6.2: ten codes of about 50 bits each, each with its own salt."""
    _, codes = with_two_factor
    stored = list(RecoveryCode.objects.filter(user=rep).values_list("digest", flat=True))

    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest or code in digest for code in codes for digest in stored)
    assert len({digest.split("$")[0] for digest in stored}) == 10


def test_the_code_step_must_follow_the_password_step_within_five_minutes(client, rep, with_two_factor):
    device, _ = with_two_factor
    _password_step(client, rep.username)
    session = client.session
    session[SIGN_IN_PENDING] = {**session[SIGN_IN_PENDING], "at": int(time.time()) - 301}
    session.save()

    response = _code_step(client, _code(device, steps_ahead=1))

    assert response["Location"] == reverse("login")
    assert not _signed_in(client)


def test_the_code_step_alone_signs_nobody_in(client, rep, with_two_factor):
    device, _ = with_two_factor

    response = _code_step(client, _code(device, steps_ahead=1))

    assert response["Location"] == reverse("login")


def test_turning_it_off_needs_the_password_and_tells_the_person(
    client, rep, with_two_factor, smtp, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    wrong = client.post(reverse("people:two_factor_disable"), {"password": "not-it"})
    assert wrong.status_code == 422
    assert TOTPDevice.objects.filter(user=rep).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:two_factor_disable"), {"password": PASSWORD})

    assert not TOTPDevice.objects.filter(user=rep).exists()
    assert not RecoveryCode.objects.filter(user=rep).exists()
    assert smtp.messages[-1]["Subject"] == "Tandem: Two-factor sign-in is off"
    assert _password_step(Client(), rep.username)["Location"] == reverse("dashboards:home")


def test_new_recovery_codes_replace_the_old_ones(client, rep, with_two_factor):
    _, old_codes = with_two_factor
    client.force_login(rep)

    html = client.post(reverse("people:recovery_codes_replace"), {"password": PASSWORD}).content.decode()

    new_codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", html)
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    other = Client()
    _password_step(other, rep.username)
    assert _code_step(other, old_codes[0]).status_code == 200  # refused


def test_an_admin_turns_it_off_for_someone_who_lost_their_phone(client, rep, with_two_factor, admin_user):
    """ASVS 2.8.6 (an authenticator can be revoked) and 2.5.7 (recovery by an admin, who knows the person)."""
    client.force_login(admin_user)

    client.post(
        reverse("admin:people_user_changelist"), {"action": "turn_off_two_factor", "_selected_action": [rep.pk]}
    )

    assert not TOTPDevice.objects.filter(user=rep).exists()


def test_the_admin_shows_who_uses_two_factor_but_never_the_secret(client, rep, with_two_factor, admin_user):
    device, _ = with_two_factor
    client.force_login(admin_user)

    html = client.get(reverse("admin:people_user_changelist")).content.decode()

    assert "Two-factor" in html
    assert device.key not in html
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_role_that_must_use_it_is_kept_to_the_set_up_page_until_it_does(client, settings, admin_user):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.ADMIN.value]
    _password_step(client, admin_user.username)

    page = client.get(reverse("dashboards:home"))
    assert page["Location"] == reverse("people:two_factor")
    assert client.get("/api/me").status_code == 403
    assert "Your role must use two-factor sign-in" in client.get(reverse("people:two_factor")).content.decode()

    client.post(reverse("people:two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)
    client.post(reverse("people:two_factor_confirm"), {"code": _code(device)})

    assert client.get(reverse("dashboards:home")).status_code == 200


def test_other_roles_are_not_asked_to_set_it_up(client, settings, rep):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.ADMIN.value]
    _password_step(client, rep.username)

    assert client.get(reverse("dashboards:home")).status_code == 200


def test_codes_are_standard_six_digit_30_second_totp(rep, with_two_factor):
    """ASVS 2.8.1 (a defined lifetime: one 30-second step, and one step either side for clocks that
    drift) and 2.8.3 (RFC 6238 TOTP, the algorithm every authenticator app implements)."""
    device, _ = with_two_factor

    assert (device.step, device.tolerance, device.digits) == (30, 1, 6)
    assert "algorithm=SHA1" in device.config_url
    assert "issuer=Tandem" in device.config_url
    assert _code_step_accepts(rep, _code(device, steps_ahead=3)) is False


def _code_step_accepts(rep, code: str) -> bool:
    client = Client()
    _password_step(client, rep.username)
    return _code_step(client, code).status_code == 302


def test_a_misspelt_role_in_the_setting_fails_the_system_check(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admins"]

    assert [error.id for error in two_factor_roles_check(None)] == ["people.E001"]
