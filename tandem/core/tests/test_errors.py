import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core import views

pytestmark = pytest.mark.django_db


def test_unknown_page_shows_the_product_layout_with_debug_off(client, rep, settings):
    settings.DEBUG = False
    client.force_login(rep)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="navbar' in html
    assert "This page does not exist, or it is not shared with you." in html
    assert reverse("dashboards:home") in html


def test_unknown_page_for_someone_signed_out_still_looks_like_tandem(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Tandem" in response.content.decode()


def test_forbidden_page_shows_why(client, engineering_lead):
    client.force_login(engineering_lead)

    response = client.get(reverse("dashboards:dashboard"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "Only these roles may do this" in html


def test_server_error_page_renders_without_touching_the_database(rep):
    request = RequestFactory().get("/")
    request.user = rep

    with CaptureQueriesContext(connection) as queries:
        response = views.server_error(request)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert len(queries) == 0
