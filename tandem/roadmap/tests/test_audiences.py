"""Per-audience leak tests: every view, export (HTML and PDF) and API operation that shows roadmap
items is read as a rep and as the public, with internal items, internal dates and internal talking
points seeded, and none of them may reach either.

The rep has asked for the internal feature, so `feature_visible` lets them open it: the roadmap
must still leave it out (the sales roadmap is what sales may say, not what sales may look up).
"""

import base64
import datetime
import json
import re
import zlib
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.core import formats
from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.product.models import Feature, Product, Release
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.roadmap.models import RoadmapSettings
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

# A release date far enough out to be on the roadmap, in no one's quarter label.
LIKELY_DAY = datetime.date(2027, 5, 17)
COMMITTED_DAY = datetime.date(2027, 8, 9)


@dataclass
class Roadmap:
    product: Product
    likely_release: Release
    committed_release: Release
    internal: Feature
    sales: Feature
    committed: Feature
    public: Feature


def _feature(product: Product, release: Release, title: str, visibility: str, confidence: str, tag: str) -> Feature:
    return FeatureFactory(
        product=product,
        release=release,
        title=title,
        status=Feature.Status.PLANNED,
        visibility=visibility,
        confidence=confidence,
        sales_say=f"{tag}-SAY-POINT",
        sales_dont_say=f"{tag}-DONT-POINT",
    )


@pytest.fixture
def roadmap(rep, product_manager) -> Roadmap:
    product = ProductFactory(name="Tandem Cloud", manager=product_manager)
    likely = ReleaseFactory(product=product, name="2027.5", target_date=LIKELY_DAY)
    committed_release = ReleaseFactory(product=product, name="2027.8", target_date=COMMITTED_DAY)
    internal = _feature(product, likely, "Rewrite the billing engine", "internal", "committed", "INTERNAL")
    sales = _feature(product, likely, "SAML single sign-on", "sales", "likely", "SALES")
    committed = _feature(product, committed_release, "Audit log export", "sales", "committed", "COMMITTED")
    public = _feature(product, likely, "Dark mode", "public", "exploring", "PUBLIC")
    # The rep's customer asked for the internal feature: the rep may open it, not put it on a roadmap.
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    AskFactory(opportunity=deal, feature=internal, status=Ask.Status.LINKED)
    return Roadmap(product, likely, committed_release, internal, sales, committed, public)


def _internal_secrets(roadmap: Roadmap) -> list[str]:
    """What no rep and no visitor may read: the internal item, its talking points, and the exact
    dates of the items below committed."""
    return [
        roadmap.internal.title,
        "INTERNAL-SAY-POINT",
        "INTERNAL-DONT-POINT",
        LIKELY_DAY.isoformat(),
        formats.date_short(LIKELY_DAY),
        LIKELY_DAY.strftime("%d %b %Y"),
        roadmap.likely_release.name,
    ]


def _public_secrets(roadmap: Roadmap) -> list[str]:
    """What the public may not read either: sales items, every talking point, every exact date."""
    return [
        *_internal_secrets(roadmap),
        roadmap.sales.title,
        roadmap.committed.title,
        "SALES-SAY-POINT",
        "SALES-DONT-POINT",
        "PUBLIC-SAY-POINT",
        "PUBLIC-DONT-POINT",
        COMMITTED_DAY.isoformat(),
        formats.date_short(COMMITTED_DAY),
    ]


def pdf_text(body: bytes) -> str:
    """The text drawn in an fpdf2 document: its content streams, inflated."""
    assert body.startswith(b"%PDF")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "\n".join(chunks)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> dict[str, str]:
    key = token_generate()
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], digest=token_digest(key))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


REP_PAGES = [
    "roadmap:timeline",
    "roadmap:board",
    "roadmap:sales_roadmap",
    "roadmap:sales_roadmap_print",
]


@pytest.mark.parametrize("name", REP_PAGES)
def test_no_internal_item_date_or_talking_point_reaches_a_rep_page(roadmap, rep, name):
    page = _signed_in(rep).get(reverse(name)).content.decode()
    assert roadmap.sales.title in page
    for secret in _internal_secrets(roadmap):
        assert secret not in page, f"{name} shows {secret!r} to a rep"


@pytest.mark.parametrize("name", REP_PAGES)
def test_no_internal_item_reaches_a_rep_through_the_htmx_partial(roadmap, rep, name):
    page = _signed_in(rep).get(reverse(name), headers={"HX-Request": "true"}).content.decode()
    for secret in _internal_secrets(roadmap):
        assert secret not in page


def test_a_rep_reads_a_committed_items_date_and_a_likely_ones_quarter(roadmap, rep):
    page = _signed_in(rep).get(reverse("roadmap:sales_roadmap")).content.decode()
    assert COMMITTED_DAY.isoformat() in page
    assert "FY2027 Q2" in page or "FY2027 Q" in page  # the likely item's fiscal quarter
    assert "SALES-SAY-POINT" in page
    assert "SALES-DONT-POINT" in page


def test_the_customer_ready_exports_leave_out_dont_say(roadmap, rep):
    client = _signed_in(rep)
    printable = client.get(reverse("roadmap:sales_roadmap_print")).content.decode()
    pdf = pdf_text(client.get(reverse("roadmap:sales_roadmap_export")).content)
    for text in (printable, pdf):
        assert roadmap.sales.title in text
        assert "SALES-SAY-POINT" in text
        assert "SALES-DONT-POINT" not in text
        assert "COMMITTED-DONT-POINT" not in text


def test_no_internal_item_reaches_a_rep_in_the_pdf(roadmap, rep):
    response = _signed_in(rep).get(reverse("roadmap:sales_roadmap_export"))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert roadmap.public.title in text
    for secret in _internal_secrets(roadmap):
        assert secret not in text


def test_product_reads_the_same_sales_roadmap_as_sales(roadmap, product_manager):
    page = _signed_in(product_manager).get(reverse("roadmap:sales_roadmap")).content.decode()
    assert roadmap.internal.title not in page
    text = pdf_text(_signed_in(product_manager).get(reverse("roadmap:sales_roadmap_export")).content)
    assert roadmap.internal.title not in text


def test_product_reads_internal_items_and_dates_on_the_timeline(roadmap, product_manager):
    page = _signed_in(product_manager).get(reverse("roadmap:timeline")).content.decode()
    assert roadmap.internal.title in page
    assert LIKELY_DAY.isoformat() in page


def test_no_internal_item_reaches_a_rep_through_the_api(roadmap, rep, client):
    body = client.get("/api/roadmap/items", **_api(rep)).content.decode()
    assert roadmap.sales.title in body
    for secret in _internal_secrets(roadmap):
        assert secret not in body
    items = {item["title"]: item for item in client.get("/api/roadmap/items", **_api(rep)).json()}
    assert items[roadmap.committed.title]["date"] == COMMITTED_DAY.isoformat()
    assert items[roadmap.sales.title]["date"] is None
    assert items[roadmap.sales.title]["release_id"] is None


def test_a_rep_gets_no_talking_points_or_market_research_of_an_internal_feature(roadmap, rep, client):
    headers = _api(rep)
    for path in ("talking-points", "market-research"):
        response = client.get(f"/api/features/{roadmap.internal.pk}/{path}", **headers)
        assert response.status_code == 404
        assert "INTERNAL" not in response.content.decode()
    page = _signed_in(rep).get(reverse("roadmap:market_research", args=[roadmap.internal.pk]))
    assert page.status_code == 404


def test_the_public_page_shows_public_items_by_quarter_and_nothing_else(roadmap, client):
    RoadmapSettings.objects.create(id=1, public_roadmap_enabled=True)
    page = client.get(reverse("roadmap:public_roadmap"))
    assert page.status_code == 200
    text = page.content.decode()
    assert roadmap.public.title in text
    assert "FY2027 Q" in text
    for secret in _public_secrets(roadmap):
        assert secret not in text, f"the public page shows {secret!r}"


def test_the_public_page_is_off_until_the_admin_switches_it_on(roadmap, client, admin_user):
    response = client.get(reverse("roadmap:public_roadmap"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    admin = _signed_in(admin_user)
    assert admin.get(reverse("roadmap:public_roadmap")).status_code == 404
    admin.post(reverse("roadmap:settings"), {"public_roadmap_enabled": "on"})
    assert client.get(reverse("roadmap:public_roadmap")).status_code == 200
    admin.post(reverse("roadmap:settings"), {})
    assert client.get(reverse("roadmap:public_roadmap")).status_code == 302


def _dates_and_releases(roadmap: Roadmap) -> list[str]:
    return [
        LIKELY_DAY.isoformat(),
        formats.date_short(LIKELY_DAY),
        roadmap.likely_release.name,
    ]


def test_a_features_page_tells_a_rep_no_date_the_sales_roadmap_does_not(roadmap, rep, client):
    """The feature's own page is a roadmap item too: a likely feature reads by quarter, and the
    internal one the rep's customer asked for (its sales view, page and API) names no release or date."""
    rep_client = _signed_in(rep)
    for feature in (roadmap.sales, roadmap.internal):
        page = rep_client.get(reverse("product:feature_detail", args=[feature.pk])).content.decode()
        assert feature.title in page
        for secret in _dates_and_releases(roadmap):
            assert secret not in page, f"{feature.title}'s page shows {secret!r} to a rep"
    assert "FY2027 Q" in rep_client.get(reverse("product:feature_detail", args=[roadmap.sales.pk])).content.decode()
    committed = rep_client.get(reverse("product:feature_detail", args=[roadmap.committed.pk])).content.decode()
    assert formats.date_short(COMMITTED_DAY) in committed  # committed on the sales roadmap: its date
    body = client.get(f"/api/features/{roadmap.internal.pk}", **_api(rep)).json()
    assert (body["view"], body["release_id"]) == ("sales", None)


def test_product_reads_the_release_and_date_on_a_features_page(roadmap, product_manager):
    page = _signed_in(product_manager).get(reverse("product:feature_detail", args=[roadmap.sales.pk])).content
    assert f"{roadmap.likely_release.name}, target {formats.date_short(LIKELY_DAY)}" in page.decode()


def test_the_releases_page_lists_under_a_dated_release_only_what_the_sales_roadmap_commits(roadmap, rep):
    page = _signed_in(rep).get(reverse("product:roadmap")).content.decode()
    assert roadmap.committed.title in page
    for feature in (roadmap.sales, roadmap.public, roadmap.internal):
        assert feature.title not in page, f"the releases page dates {feature.title!r} for a rep"


def test_the_features_api_names_a_release_to_a_rep_only_once_it_is_committed(roadmap, rep, product_manager, client):
    """A release names its date (`/api/releases`), so the features API gives sales a likely feature's
    release no more than the sales roadmap gives its date; product reads every release."""
    listed = {item["id"]: item for item in client.get("/api/features", **_api(rep)).json()["items"]}
    assert listed[roadmap.sales.pk]["release_id"] is None
    assert listed[roadmap.committed.pk]["release_id"] == roadmap.committed.release_id
    assert client.get(f"/api/features/{roadmap.sales.pk}", **_api(rep)).json()["release_id"] is None
    as_product = client.get(f"/api/features/{roadmap.sales.pk}", **_api(product_manager)).json()
    assert as_product["release_id"] == roadmap.sales.release_id is not None


def test_a_rep_reads_no_talking_point_of_the_internal_feature_they_may_open(roadmap, rep, client):
    """The rep opens the internal feature their customer asked for (its sales view, page and API):
    its talking points are product's until it is shared with sales, so the rep reads none of them."""
    page = _signed_in(rep).get(reverse("product:feature_detail", args=[roadmap.internal.pk])).content.decode()
    assert roadmap.internal.title in page
    body = client.get(f"/api/features/{roadmap.internal.pk}", **_api(rep)).json()
    assert body["view"] == "sales"
    for text in (page, str(body)):
        assert "INTERNAL-SAY-POINT" not in text
        assert "INTERNAL-DONT-POINT" not in text
    assert (body["sales_say"], body["sales_dont_say"]) == ("", "")


def test_a_rep_reads_the_talking_points_of_a_feature_shared_with_sales(roadmap, rep, client):
    page = _signed_in(rep).get(reverse("product:feature_detail", args=[roadmap.sales.pk])).content.decode()
    body = client.get(f"/api/features/{roadmap.sales.pk}", **_api(rep)).json()
    points = client.get(f"/api/features/{roadmap.sales.pk}/talking-points", **_api(rep)).json()
    for text in (page, str(body), str(points)):
        assert "SALES-SAY-POINT" in text
        assert "SALES-DONT-POINT" in text


def test_product_reads_the_talking_points_of_an_internal_feature(roadmap, product_manager, client):
    page = _signed_in(product_manager).get(reverse("product:feature_detail", args=[roadmap.internal.pk]))
    body = client.get(f"/api/features/{roadmap.internal.pk}", **_api(product_manager)).json()
    for text in (page.content.decode(), body["sales_say"]):
        assert "INTERNAL-SAY-POINT" in text


# Release dates: a release is dated to sales where the sales roadmap dates it (a committed,
# sales-shareable feature on it); the likely release reads as its fiscal quarter.


def _likely_days() -> list[str]:
    return [LIKELY_DAY.isoformat(), formats.date_short(LIKELY_DAY), LIKELY_DAY.strftime("%d %b %Y")]


@pytest.fixture
def launches(roadmap):
    from tandem.launches.tests.factories import LaunchPlanFactory

    likely = LaunchPlanFactory(release=roadmap.likely_release)
    committed = LaunchPlanFactory(release=roadmap.committed_release)
    return likely, committed


def _release_pages(user: User, launches) -> dict[str, str]:
    likely, committed = launches
    client = _signed_in(user)
    product = likely.release.product_id
    return {
        "launch list": client.get(reverse("launches:launch_list")).content.decode(),
        "launch detail": client.get(reverse("launches:launch_detail", args=[likely.pk])).content.decode(),
        "committed launch": client.get(reverse("launches:launch_detail", args=[committed.pk])).content.decode(),
        "releases page": client.get(reverse("product:roadmap")).content.decode(),
        "product page": client.get(reverse("product:product_detail", args=[product])).content.decode(),
    }


def test_a_rep_reads_a_likely_releases_quarter_on_every_page_that_lists_releases(launches, rep):
    pages = _release_pages(rep, launches)
    for name, page in pages.items():
        for secret in _likely_days():
            assert secret not in page, f"the {name} shows {secret!r} to a rep"
    for name in ("launch list", "launch detail", "product page"):
        assert "FY2027 Q" in pages[name], name
    for name in ("launch list", "committed launch", "releases page", "product page"):
        assert formats.date_short(COMMITTED_DAY) in pages[name], f"the {name} hides the committed release's day"


def test_a_rep_reads_a_likely_releases_quarter_through_the_api(launches, rep, client):
    headers = _api(rep)
    likely, committed = launches
    releases = {r["id"]: r for r in client.get("/api/releases", **headers).json()}
    listed = {launch["id"]: launch for launch in client.get("/api/launches", **headers).json()["items"]}
    one = client.get(f"/api/launches/{likely.pk}", **headers).json()
    for likely_release in (releases[likely.release_id], listed[likely.pk], one):
        assert likely_release["target_date"] is None
        assert likely_release["target_quarter"].startswith("FY2027 Q")
        assert LIKELY_DAY.isoformat() not in str(likely_release)
    assert releases[committed.release_id]["target_date"] == COMMITTED_DAY.isoformat()
    assert listed[committed.pk]["target_date"] == COMMITTED_DAY.isoformat()


def test_the_launch_lists_cursor_tells_a_rep_no_release_day(launches, rep, client):
    """A signed cursor is readable; paged one launch at a time, no cursor holds a likely release's day."""
    headers = _api(rep)
    likely, committed = launches
    seen, cursors, cursor = [], [], ""
    while True:
        page = client.get(f"/api/launches?limit=1&cursor={cursor}", **headers).json()
        seen += [launch["id"] for launch in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    assert seen == [likely.pk, committed.pk]
    for cursor in cursors:
        assert LIKELY_DAY.isoformat() not in _cursor_text(cursor)


def _cursor_text(cursor: str) -> str:
    """What anyone can read in a signed cursor (django.core.signing: base64, zlib when it starts with '.')."""
    payload = cursor.split(":")[0]
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "==")
    return json.dumps(json.loads(zlib.decompress(data) if payload.startswith(".") else data))


def test_product_and_executives_read_every_releases_day(launches, product_manager, executive, client):
    likely, _ = launches
    for user in (product_manager, executive):
        pages = _release_pages(user, launches)
        for name in ("launch list", "launch detail", "releases page", "product page"):
            assert formats.date_short(LIKELY_DAY) in pages[name], f"the {name} hides the day from {user.role}"
        releases = {r["id"]: r for r in client.get("/api/releases", **_api(user)).json()}
        assert releases[likely.release_id]["target_date"] == LIKELY_DAY.isoformat()
        assert client.get(f"/api/launches/{likely.pk}", **_api(user)).json()["target_date"] == LIKELY_DAY.isoformat()


def test_an_asks_page_tells_a_rep_no_release_day_the_sales_roadmap_does_not(roadmap, rep, product_manager):
    """The ask page says where its feature's release stands as `release_when` does on the feature page."""
    deal = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    asks = [
        AskFactory(opportunity=deal, feature=feature, status=Ask.Status.LINKED, outcome="planned")
        for feature in (roadmap.sales, roadmap.committed)
    ]
    likely, committed = (
        _signed_in(rep).get(reverse("asks:ask_detail", args=[ask.pk])).content.decode() for ask in asks
    )
    for secret in _likely_days():
        assert secret not in likely
    assert "FY2027 Q" in likely
    assert formats.date_short(COMMITTED_DAY) in committed
    as_product = _signed_in(product_manager).get(reverse("asks:ask_detail", args=[asks[0].pk])).content.decode()
    assert formats.date_short(LIKELY_DAY) in as_product


def test_a_products_page_weighs_for_a_rep_no_internal_feature(roadmap, rep):
    """The product page ranks features by revenue at stake: sales does not weigh the internal ones
    its customers asked for (`feature_visible_in_full`)."""
    page = _signed_in(rep).get(reverse("product:product_detail", args=[roadmap.product.pk])).content.decode()
    assert roadmap.sales.title in page
    assert roadmap.internal.title not in page
