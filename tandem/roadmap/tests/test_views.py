"""The roadmap pages over HTTP: placing by drag and drop, stale moves, lifecycle moves, market
research, and the same number of queries for 1 item as for 10."""

import datetime
import time

import pytest
from django.test import Client
from django.urls import reverse

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.product.models import Feature, Product
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.roadmap.models import LifecycleMove, MarketResearch, RoadmapSettings
from tandem.roadmap.tests.test_audiences import pdf_text
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def product(product_manager) -> Product:
    return ProductFactory(name="Tandem Cloud", manager=product_manager)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_drop_on_another_release_moves_the_feature_and_answers_the_timeline(product, product_manager):
    first, second = ReleaseFactory(product=product, name="2027.1"), ReleaseFactory(product=product, name="2027.2")
    feature = FeatureFactory(product=product, release=first, status=Feature.Status.PLANNED, title="SAML SSO")
    url = reverse("roadmap:feature_place", args=[feature.pk])
    response = _client(product_manager).post(url, {"release": second.pk, "version": 1})
    assert response.status_code == 200
    assert "SAML SSO" in response.content.decode()
    feature.refresh_from_db()
    assert (feature.release, feature.version) == (second, 2)


def test_a_stale_drop_answers_409_and_says_to_reload(product, product_manager):
    release = ReleaseFactory(product=product)
    feature = FeatureFactory(product=product, release=release, status=Feature.Status.PLANNED)
    client = _client(product_manager)
    url = reverse("roadmap:feature_place", args=[feature.pk]) + "?view=board"
    assert client.post(url, {"horizon": "next", "version": 1}).status_code == 200
    stale = client.post(url, {"horizon": "later", "version": 1})
    assert stale.status_code == 409
    assert "Someone else changed this feature" in stale.content.decode()
    feature.refresh_from_db()
    assert feature.horizon == "next"


def test_the_board_places_a_feature_in_the_column_dropped_on(product, product_manager):
    feature = FeatureFactory(product=product, status=Feature.Status.PLANNED, title="Dark mode")
    client = _client(product_manager)
    client.post(reverse("roadmap:feature_place", args=[feature.pk]) + "?view=board", {"horizon": "now", "version": 1})
    page = client.get(reverse("roadmap:board"), headers={"HX-Request": "true"}).content.decode()
    now_column = page.split('data-testid="column-now"')[1].split('data-testid="column-next"')[0]
    assert "Dark mode" in now_column


def test_the_timeline_filters_by_product_goal_and_team(product, product_manager):
    other = ProductFactory(name="Tandem Mobile")
    FeatureFactory(
        product=product, status=Feature.Status.PLANNED, title="Cloud thing", release=ReleaseFactory(product=product)
    )
    FeatureFactory(
        product=other, status=Feature.Status.PLANNED, title="Mobile thing", release=ReleaseFactory(product=other)
    )
    page = _client(product_manager).get(reverse("roadmap:timeline"), {"product": other.pk}).content.decode()
    assert "Mobile thing" in page
    assert "Cloud thing" not in page


def test_the_product_page_shows_the_lifecycle_history_and_its_manager_moves_it(product, product_manager):
    deal = OpportunityFactory(account=AccountFactory(name="Acme Robotics"), name="Acme expansion")
    AskFactory(opportunity=deal, feature=FeatureFactory(product=product), status=Ask.Status.LINKED)
    client = _client(product_manager)
    form = client.get(reverse("roadmap:product_lifecycle", args=[product.pk])).content.decode()
    assert "Acme Robotics" in form
    assert "Acme expansion" in form
    response = client.post(
        reverse("roadmap:product_lifecycle", args=[product.pk]), {"to_stage": "retirement", "reason": "Replaced by v2."}
    )
    assert response.status_code == 302
    history = client.get(reverse("roadmap:product_lifecycle", args=[product.pk]), headers={"HX-Request": "true"})
    assert "Growth → Retirement" in history.content.decode()
    assert "Replaced by v2." in history.content.decode()
    assert LifecycleMove.objects.get().moved_by == product_manager


def test_a_lifecycle_move_without_a_reason_says_so_under_the_field(product, product_manager):
    response = _client(product_manager).post(
        reverse("roadmap:product_lifecycle", args=[product.pk]), {"to_stage": "growth", "reason": "x"}
    )
    assert response.status_code == 422
    assert "already in growth" in response.content.decode()


def test_a_pm_writes_market_research_beside_the_score(product, product_manager, rep):
    feature = FeatureFactory(product=product, visibility="sales")
    client = _client(product_manager)
    url = reverse("roadmap:market_research", args=[feature.pk])
    saved = client.post(
        url,
        {"target_segment": "Mid-market banks", "market_size": "5000000", "version": 1},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "Mid-market banks" in saved.content.decode()
    assert MarketResearch.objects.get(feature=feature).version == 2
    assert "Mid-market banks" in _client(rep).get(url, headers={"HX-Request": "true"}).content.decode()
    refused = client.post(
        url, {"target_segment": "x", "market_size": "-1", "version": 2}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 200
    assert "greater than or equal to 0" in refused.content.decode()


def _roadmap_of(product: Product, count: int) -> None:
    release = ReleaseFactory(product=product, target_date=datetime.date(2027, 5, 17))
    for n in range(count):
        visibility = ("public", "sales")[n % 2]
        FeatureFactory(
            product=product, release=release, status=Feature.Status.PLANNED, visibility=visibility, sales_say="Say it."
        )


@pytest.mark.parametrize(
    "name", ["roadmap:timeline", "roadmap:board", "roadmap:sales_roadmap", "roadmap:sales_roadmap_print"]
)
def test_roadmap_pages_take_as_many_queries_for_1_item_as_for_10(product, product_manager, rep, name):
    for user in (product_manager, rep):
        client = _client(user)
        _roadmap_of(product, 1)
        one = queries_of(lambda client=client: client.get(reverse(name)))
        _roadmap_of(product, 9)
        ten = queries_of(lambda client=client: client.get(reverse(name)))
        assert_same_queries(one, ten)
        Feature.objects.all().delete()


def test_the_public_page_and_the_api_list_take_as_many_queries_for_1_item_as_for_10(product, product_manager, client):
    RoadmapSettings.objects.create(id=1, public_roadmap_enabled=True)
    key = token_generate()
    ApiToken.objects.create(user=product_manager, name="t", prefix=key[:8], digest=token_digest(key))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get("/api/roadmap/items", **headers)  # the token's first use is noted once, not per call
    _roadmap_of(product, 1)
    one = (
        queries_of(lambda: client.get(reverse("roadmap:public_roadmap"))),
        queries_of(lambda: client.get("/api/roadmap/items", **headers)),
    )
    _roadmap_of(product, 9)
    ten = (
        queries_of(lambda: client.get(reverse("roadmap:public_roadmap"))),
        queries_of(lambda: client.get("/api/roadmap/items", **headers)),
    )
    assert_same_queries(one[0], ten[0])
    assert_same_queries(one[1], ten[1])


def test_the_pdf_of_a_100_item_sales_roadmap_takes_under_2_seconds(product, rep):
    _roadmap_of(product, 100)
    client = _client(rep)
    started = time.perf_counter()
    response = client.get(reverse("roadmap:sales_roadmap_export"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert pdf_text(response.content).count("Say it.") == 100
    print(f"PDF of a 100-item sales roadmap: {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0, f"{elapsed:.2f} s"
