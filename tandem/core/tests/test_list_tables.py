"""The list tables are Jinja2 templates inside Django pages (tandem/core/jinja.py): they must escape
and show times as the Django templates do."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory
from tandem.product.tests.factories import FeatureFactory

SCRIPT = "<script>alert('x')</script>"


def test_a_feature_title_with_markup_shows_as_text_on_the_page_and_in_the_htmx_table(client, product_manager):
    FeatureFactory(title=SCRIPT)
    client.force_login(product_manager)

    for headers in ({}, {"HX-Request": "true"}):
        body = client.get(reverse("product:feature_list"), headers=headers).content.decode()
        assert SCRIPT not in body
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body


def test_an_asks_date_is_the_day_in_the_viewers_time_zone(client, product_manager):
    ask = AskFactory(need="Late-evening ask")
    late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)  # 08:30 on March 2 in Tokyo
    Ask.objects.filter(pk=ask.pk).update(created_at=late)
    client.force_login(product_manager)

    assert "1 Mar 2026" in client.get(reverse("asks:ask_list")).content.decode()
    product_manager.time_zone = "Asia/Tokyo"
    product_manager.save(update_fields=["time_zone"])
    body = client.get(reverse("asks:ask_list")).content.decode()
    assert "2 Mar 2026" in body
    assert "1 Mar 2026" not in body
    assert timezone.get_current_timezone_name() == "UTC"  # the request's zone did not leak out
