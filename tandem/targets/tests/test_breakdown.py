"""The largest-remainder split: parts always add up to the whole, each within a cent of its share."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.targets.breakdown import split_amount, split_cents

weights = st.lists(st.integers(0, 10**9), min_size=1, max_size=12)


@given(total=st.integers(0, 10**13), weights=weights)
def test_the_parts_add_up_and_each_is_within_a_cent_of_its_share(total, weights):
    parts = split_cents(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    whole = sum(weights) or None
    for part, weight in zip(parts, weights, strict=True):
        share = Decimal(total) * weight / whole if whole else Decimal(total) / len(weights)
        assert abs(Decimal(part) - share) < 1


@given(total=st.integers(0, 10**9), weights=weights)
def test_a_bigger_weight_never_gets_less(total, weights):
    parts = split_cents(total, weights)
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if wi > wj:
                assert parts[i] >= parts[j]


def test_zero_weights_split_evenly_and_the_earliest_take_the_odd_cents():
    assert split_amount(Decimal("100.00"), [0, 0, 0]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        split_cents(-1, [1])
