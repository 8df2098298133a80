"""The roadmap in Chromium: the product manager drags a feature onto another release on the timeline
and into another column on the board; the page shows it there without a reload, and the feature
is stored there."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.product.models import Feature
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.browser


def _drag(page: Page, item, target) -> None:
    """Drag with the mouse, in steps, as a person does (sortablejs uses pointer events)."""
    start = item.bounding_box()
    box = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2, steps=3)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 10, steps=15)
    page.mouse.up()


def test_a_pm_places_features_by_dragging_them(live_server, signed_in, product_manager):
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    today = timezone.localdate()
    first = ReleaseFactory(product=product, name="2027.1", target_date=today + datetime.timedelta(days=40))
    second = ReleaseFactory(product=product, name="2027.2", target_date=today + datetime.timedelta(days=400))
    feature = FeatureFactory(product=product, release=first, status=Feature.Status.PLANNED, title="SAML single sign-on")

    page = signed_in(product_manager)
    page.goto("/roadmap/")
    page.evaluate("window.notReloaded = true")
    lanes = page.get_by_test_id("release-lane")
    target = lanes.filter(has_text="2027.2").locator(".roadmap-cards")
    with page.expect_response(lambda response: "/place/" in response.url):
        _drag(page, lanes.filter(has_text="2027.1").get_by_test_id("roadmap-item"), target)
    expect(lanes.filter(has_text="2027.2").get_by_test_id("roadmap-item")).to_contain_text("SAML single sign-on")
    assert page.evaluate("window.notReloaded") is True
    feature.refresh_from_db()
    assert feature.release == second

    page.goto("/roadmap/board/")
    with page.expect_response(lambda response: "/place/" in response.url):
        _drag(
            page, page.get_by_test_id("column-later").get_by_test_id("roadmap-item"), page.get_by_test_id("column-now")
        )
    expect(page.get_by_test_id("column-now").get_by_test_id("roadmap-item")).to_contain_text("SAML single sign-on")
    feature.refresh_from_db()
    assert feature.horizon == "now"
