import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.api import cursor_paginate
from tandem.core.models import ExchangeRate

rates = st.lists(
    st.tuples(st.sampled_from(["EUR", "GBP", "CAD"]), st.integers(min_value=0, max_value=30)),
    min_size=0,
    max_size=25,
    unique=True,
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rates, limit=st.integers(min_value=1, max_value=7), descending=st.booleans(), opaque=st.booleans())
def test_following_cursors_visits_every_row_once_in_order(rows, limit, descending, opaque):
    ExchangeRate.objects.all().delete()
    for currency, day in rows:
        ExchangeRate.objects.create(
            currency=currency, valid_from=datetime.date(2026, 1, 1) + datetime.timedelta(days=day), rate_to_home=1
        )
    order = ["-currency", "valid_from", "id"] if descending else ["currency", "-valid_from", "id"]
    expected = list(ExchangeRate.objects.order_by(*order).values_list("id", flat=True))
    seen: list[int] = []
    cursor = None
    while True:
        page, cursor = cursor_paginate(
            ExchangeRate.objects.all(), order=order, cursor=cursor, limit=limit, opaque=opaque
        )
        seen.extend(rate.id for rate in page)
        assert len(page) <= limit
        if cursor is None:
            break
    assert seen == expected


def test_a_garbled_cursor_is_a_field_error(db):
    with pytest.raises(ValidationError) as error:
        cursor_paginate(ExchangeRate.objects.all(), order=["id"], cursor="not-a-cursor", limit=5)
    assert "cursor" in error.value.message_dict


def test_decimal_sort_keys_survive_the_cursor(db):
    for i, rate in enumerate(["1.5", "1.25", "1.125"]):
        ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, 1 + i), rate_to_home=rate)
    first, cursor = cursor_paginate(ExchangeRate.objects.all(), order=["-rate_to_home", "id"], cursor=None, limit=1)
    second, _ = cursor_paginate(ExchangeRate.objects.all(), order=["-rate_to_home", "id"], cursor=cursor, limit=5)
    assert [r.rate_to_home for r in first + second] == [Decimal("1.5"), Decimal("1.25"), Decimal("1.125")]


def test_an_opaque_cursor_whose_row_left_the_list_says_to_start_again(db):
    rates = [
        ExchangeRate.objects.create(currency="EUR", valid_from=datetime.date(2026, 1, d), rate_to_home=1)
        for d in (1, 2, 3)
    ]
    order = ["valid_from", "id"]
    _, cursor = cursor_paginate(ExchangeRate.objects.all(), order=order, cursor=None, limit=1, opaque=True)
    rates[0].delete()
    with pytest.raises(ValidationError) as error:
        cursor_paginate(ExchangeRate.objects.all(), order=order, cursor=cursor, limit=1, opaque=True)
    assert "start again" in error.value.message_dict["cursor"][0]
    _, plain = cursor_paginate(ExchangeRate.objects.all(), order=order, cursor=None, limit=1)
    with pytest.raises(ValidationError):  # a cursor of the same list that names its values is refused
        cursor_paginate(ExchangeRate.objects.all(), order=order, cursor=plain, limit=1, opaque=True)
