"""Splitting an amount into parts that add up to it exactly, to the cent.

The annual target is split into quarters, each quarter into team quotas, each team's quarter into
rep quotas. Every split is a largest-remainder apportionment of whole cents (Hamilton's method):
each part gets the floor of its exact share, and the cents left over go one each to the parts with
the largest remainders (the earlier part first on a tie). So the parts always sum to the whole,
whatever the weights, and no part is more than one cent from its exact share.
"""

from collections.abc import Sequence
from decimal import Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_exact())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def split_cents(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """`total` cents apportioned to `weights` (non-negative); equal weights when all are zero."""
    if not weights:
        return []
    if total < 0:
        raise ValueError("Only a non-negative amount is split.")
    if any(w < 0 for w in weights):
        raise ValueError("Weights are non-negative.")
    exact = [Decimal(w) for w in weights]
    whole = sum(exact)
    if whole == 0:
        exact = [Decimal(1)] * len(weights)
        whole = Decimal(len(weights))
    # Integer arithmetic on exact quotients: share_i = total * w_i / whole.
    floors: list[int] = []
    remainders: list[Decimal] = []
    for w in exact:
        numerator = total * w
        floor = int(numerator // whole)
        floors.append(floor)
        remainders.append(numerator - floor * whole)
    left = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def split_amount(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """`total` (exact to the cent) apportioned to `weights`, in amounts that sum to it exactly."""
    return [from_cents(c) for c in split_cents(to_cents(total), weights)]
