"""Password rules (ASVS 2.1), through the password change form a person uses."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.test import Client
from django.urls import reverse

from tandem.conftest import PASSWORD
from tandem.people.models import User

pytestmark = pytest.mark.django_db


def _change(client: Client, new: str, old: str = PASSWORD):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def _accepted(client: Client, rep, new: str, old: str = PASSWORD) -> bool:
    response = _change(client, new, old=old)
    rep.refresh_from_db()
    return response.status_code == 302 and rep.check_password(new)


@pytest.fixture
def signed_in_rep(client, rep) -> Client:
    client.force_login(rep)
    return client


def test_a_password_of_eleven_characters_is_refused_and_twelve_accepted(signed_in_rep, rep):
    """ASVS 2.1.1"""
    response = _change(signed_in_rep, "tulip-gardn")

    assert "This password is too short. It must contain at least 12 characters." in response.content.decode()
    assert _accepted(signed_in_rep, rep, "tulip-garden")


def test_runs_of_spaces_count_as_one_towards_the_length(signed_in_rep):
    """ASVS 2.1.1: 'after multiple spaces are combined'."""
    response = _change(signed_in_rep, "blue        sky")  # 15 characters, 8 once the spaces are one

    assert "too short" in response.content.decode()


def test_a_passphrase_of_128_characters_is_accepted_and_129_refused(signed_in_rep, rep):
    """ASVS 2.1.2"""
    refused = _change(signed_in_rep, "walrus " * 18 + "abc")  # 129

    assert "This password is too long: use at most 128 characters." in refused.content.decode()
    assert _accepted(signed_in_rep, rep, "walrus " * 18 + "ab")


def test_a_long_password_is_not_cut_short(client, rep):
    """ASVS 2.1.3: every character counts; the same password without its last one does not sign in."""
    long_one = "the quick brown fox jumps over the lazy dog " * 2 + "and then it rests"
    rep.set_password(long_one)
    rep.save()

    assert client.post(reverse("login"), {"username": rep.username, "password": long_one[:-1]}).status_code == 200
    assert client.post(reverse("login"), {"username": rep.username, "password": long_one}).status_code == 302


def test_any_printable_unicode_including_emoji_is_allowed(signed_in_rep, rep, client):
    """ASVS 2.1.4"""
    unicode_one = "Zürich 🚀 東京 пароль ✓"

    assert _accepted(signed_in_rep, rep, unicode_one)
    client.logout()
    assert client.post(reverse("login"), {"username": rep.username, "password": unicode_one}).status_code == 302


def test_changing_the_password_needs_the_current_one(signed_in_rep, rep):
    """ASVS 2.1.5 and 2.1.6"""
    response = _change(signed_in_rep, "a-fine-new-passphrase", old="not-the-current-one")

    assert "Your old password was entered incorrectly" in response.content.decode()
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_wrong_current_passwords_count_towards_the_lockout(signed_in_rep, settings):
    """A stolen session cannot guess the password on the change form faster than at sign-in (ASVS 2.2.1)."""
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT - 1):
        _change(signed_in_rep, "a-fine-new-passphrase", old="guess")

    assert _change(signed_in_rep, "a-fine-new-passphrase", old="guess").status_code == 429


def test_common_and_breached_passwords_are_refused_offline(signed_in_rep):
    """ASVS 2.1.7: Django's list of 20,000 common passwords, with no call to any outside service."""
    response = _change(signed_in_rep, "qwerty123456")

    assert "This password is too common." in response.content.decode()


def test_there_are_no_composition_rules(signed_in_rep, rep):
    """ASVS 2.1.9: lower-case words only, or digits only, are fine when long and uncommon."""
    assert _accepted(signed_in_rep, rep, "correct horse battery staple")
    signed_in_rep.force_login(rep)  # the change rotated the session
    assert _accepted(signed_in_rep, rep, "402918375610", old="correct horse battery staple")


def test_the_sign_in_form_works_with_password_managers(client):
    """ASVS 2.1.11: autocomplete hints, nothing that blocks pasting."""
    html = client.get(reverse("login")).content.decode()

    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert "onpaste" not in html


def test_the_password_can_be_shown_while_typing(client):
    """ASVS 2.1.12: a button shows the typed password (static/js/password-reveal.js)."""
    html = client.get(reverse("login")).content.decode()

    assert 'data-password-reveal="id_password"' in html
    assert "js/password-reveal.js" in html


def test_a_password_change_is_told_to_the_person_by_email(signed_in_rep, rep, smtp, django_capture_on_commit_callbacks):
    """ASVS 2.2.3"""
    with django_capture_on_commit_callbacks(execute=True):
        _change(signed_in_rep, "a-fine-new-passphrase")

    assert [m["Subject"] for m in smtp.messages] == ["Tandem: Your password was changed"]
    assert smtp.messages[0]["To"] == rep.email
    assert "a-fine-new-passphrase" not in smtp.messages[0].get_payload(decode=True).decode()


def test_nobody_is_made_to_change_an_old_password(client, rep):
    """ASVS 2.1.10: no expiry or rotation; a password set years ago still simply signs in."""
    rep.date_joined = rep.date_joined.replace(year=rep.date_joined.year - 3)
    rep.last_login = rep.date_joined
    rep.save()

    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD})

    assert response["Location"] == reverse("dashboards:home")


def test_the_same_password_hashes_differently_for_two_people():
    """ASVS 2.4.2: a salt per password (Argon2id's 128 bits); PBKDF2, kept to read old hashes, runs
    far more than the 100,000 iterations ASVS 2.4.3 asks for."""
    first, second = Argon2PasswordHasher(), Argon2PasswordHasher()

    assert first.encode("same passphrase", first.salt()) != second.encode("same passphrase", second.salt())
    assert PBKDF2PasswordHasher.iterations >= 100_000


def test_a_new_installation_has_no_account_to_guess():
    """ASVS 2.5.4: migrations create no user; the demo accounts exist only where `make run` seeds them."""
    assert not User.objects.exists()
