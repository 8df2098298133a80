"""Duplicate suggestions for triage: the features and asks most likely to be the same need as an ask.

SCAFFOLD: word overlap on feature titles only, so the inbox can be built against the interface.
The real engine replaces the body of these functions and keeps their signatures.
"""

import re
from dataclasses import dataclass
from typing import Literal

from tandem.asks.models import Ask
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Suggestion:
    """One candidate for the same need, best first; `reason` says in words why it was suggested."""

    kind: Literal["feature", "ask"]
    feature: Feature | None
    ask: Ask | None
    score: float
    reason: str


def suggestions_for_text(*, user: User, text: str, limit: int = 5, asks: bool = True) -> list[Suggestion]:
    words = set(_WORD.findall(text.lower()))
    scored = []
    for feature in feature_visible(user=user).only("id", "title", "product_id")[:2000]:
        shared = words & set(_WORD.findall(feature.title.lower()))
        if shared:
            scored.append(
                Suggestion("feature", feature, None, len(shared) / len(words), "Shares: " + ", ".join(sorted(shared)))
            )
    scored.sort(key=lambda s: -s.score)
    return scored[:limit]


def suggestions_for_ask(*, user: User, ask: Ask, limit: int = 5) -> list[Suggestion]:
    return [s for s in suggestions_for_text(user=user, text=ask.need, limit=limit + 1) if s.ask != ask][:limit]


def ask_indexed(*, ask: Ask) -> None:
    """A new or edited ask: make it findable as a duplicate of later asks."""


def link_learned(*, ask: Ask, feature: Feature) -> None:
    """A PM linked `ask` to `feature`: its wording becomes evidence for the feature."""


def feature_indexed(*, feature: Feature) -> None:
    """A new or renamed feature: make it findable."""
