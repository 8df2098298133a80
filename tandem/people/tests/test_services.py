import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.core.api import token_digest
from tandem.people.models import ApiToken
from tandem.people.services import api_token_create, api_token_revoke, user_update_profile
from tandem.people.tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db


def test_a_person_changes_their_own_name_and_time_zone(rep):
    user_update_profile(actor=rep, user=rep, first_name="Rita", last_name="Ramos", time_zone="Europe/Berlin")

    rep.refresh_from_db()
    assert (rep.first_name, rep.last_name, rep.time_zone) == ("Rita", "Ramos", "Europe/Berlin")


def test_an_unknown_time_zone_is_refused_and_nothing_is_saved(rep):
    with pytest.raises(ValidationError) as error:
        user_update_profile(actor=rep, user=rep, first_name="Changed", last_name="", time_zone="Mars/Olympus")

    assert "time_zone" in error.value.message_dict
    rep.refresh_from_db()
    assert rep.first_name != "Changed"


def test_nobody_changes_someone_elses_profile_here(admin_user, rep):
    with pytest.raises(PermissionDenied):
        user_update_profile(actor=admin_user, user=rep, first_name="X", last_name="Y", time_zone="UTC")


def test_a_new_token_stores_only_the_digest_of_its_key(rep):
    token, key = api_token_create(actor=rep, name="  Forecast sheet ")

    assert key.startswith("tdm_")
    assert token.user == rep
    assert token.name == "Forecast sheet"
    assert token.digest == token_digest(key)
    assert key[:12] == token.prefix
    assert not ApiToken.objects.filter(digest=key).exists()


def test_a_token_needs_a_name(rep):
    with pytest.raises(ValidationError):
        api_token_create(actor=rep, name="   ")

    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_and_a_second_revoke_changes_nothing(rep):
    token = ApiTokenFactory.create(user=rep)

    api_token_revoke(actor=rep, token=token)
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    api_token_revoke(actor=rep, token=token)

    assert revoked_at is not None
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at


def test_nobody_revokes_someone_elses_token_not_even_an_admin(admin_user, rep):
    token = ApiTokenFactory.create(user=rep)

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=admin_user, token=token)

    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
