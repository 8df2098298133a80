"""The role decides who enters the Django admin: no one else holds its every permission."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from tandem.core.roles import Role
from tandem.core.tests.admin_forms import change_form_data
from tandem.people.models import User
from tandem.people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_role_changed_in_the_admin_opens_and_closes_the_admin_site(client, admin_user):
    person = UserFactory(role=Role.REP)
    url = reverse("admin:people_user_change", args=[person.pk])
    client.force_login(admin_user)
    assert client.post(url, change_form_data(client, url, role=Role.ADMIN)).status_code == 302

    client.force_login(person)
    assert client.get(reverse("admin:people_user_changelist")).status_code == 200

    client.force_login(admin_user)
    assert client.post(url, change_form_data(client, url, role=Role.REP)).status_code == 302
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (False, False)
    client.force_login(person)
    assert client.get(reverse("admin:people_user_changelist")).status_code == 302  # to the sign-in


def test_the_admins_user_form_offers_no_staff_or_superuser_box(client, admin_user):
    client.force_login(admin_user)
    form = client.get(reverse("admin:people_user_change", args=[admin_user.pk])).context["adminform"].form
    assert {"is_staff", "is_superuser", "groups", "user_permissions"}.isdisjoint(form.fields)
    assert {"role", "is_active"} <= set(form.fields)


def test_createsuperuser_makes_an_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-passphrase-42")
    call_command("createsuperuser", "--noinput", username="root", email="root@acme.example", verbosity=0)
    root = User.objects.get(username="root")
    assert (root.role, root.is_staff, root.is_superuser) == (Role.ADMIN, True, True)


def test_the_database_refuses_a_superuser_of_another_role(rep):
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=rep.pk).update(is_superuser=True, is_staff=True)


def test_the_admin_site_offers_no_django_groups(client, admin_user):
    client.force_login(admin_user)
    assert "/admin/auth/group/" not in client.get(reverse("admin:index")).content.decode()
