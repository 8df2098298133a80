"""How good the suggestions are, measured on the labelled set of asks as a PM would triage them.

In arrival order, each ask is logged (`ask_create` and the hooks), scored against the features and
the asks logged before it, then linked to its feature as the PM would (`ask_link`, `link_learned`),
so later asks benefit from what earlier links taught. An ask counts when a right answer exists:
its feature, or an earlier ask of the same need. Precision@1: the first suggestion is right.
Recall@5: a right one is among the first five. docs/triage.md has the figures.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from numpy.typing import NDArray

from tandem.asks.models import Ask
from tandem.asks.services import ask_create, ask_link
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_visible
from tandem.product.services import feature_create
from tandem.sales.models import Account
from tandem.triage import index, suggestions
from tandem.triage.suggestions import Suggestion

LABELLED_SET = Path(__file__).parent / "tests" / "fixtures" / "labelled_asks.json"

Engine = Callable[..., list[Suggestion]]


@dataclass
class Figures:
    counted: int = 0
    first_right: int = 0
    five_right: int = 0

    @property
    def precision_at_1(self) -> float:
        return self.first_right / self.counted if self.counted else 0.0

    @property
    def recall_at_5(self) -> float:
        return self.five_right / self.counted if self.counted else 0.0

    def __str__(self) -> str:
        return f"precision@1 {self.precision_at_1:.3f}  recall@5 {self.recall_at_5:.3f}  ({self.counted} asks counted)"


@dataclass
class Query:
    """One counted ask's candidates as the fit sees them: their signals and which are right."""

    split: str
    signals: NDArray[np.float64]
    right: NDArray[np.bool_]


@dataclass
class Evaluation:
    by_split: dict[str, Figures] = field(
        default_factory=lambda: {"all": Figures(), "dev": Figures(), "heldout": Figures()}
    )
    misses: list[str] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)


def labelled_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LABELLED_SET.read_text())
    return data


@transaction.atomic
def evaluate(
    *, engine: Engine = suggestions.suggestions_for_ask, data: dict[str, Any] | None = None, candidates: bool = False
) -> Evaluation:
    """Triage the labelled set into the current (empty) database, rolled back at the end.

    With `candidates`, every counted ask's candidates and their signals are kept too, to fit on.
    """
    data = data or labelled_set()
    index.forget_index()
    pm = User.objects.create(
        username="triage-evaluation", email="triage-evaluation@example.com", role=Role.PRODUCT_MANAGER
    )
    products = {name: Product.objects.create(name=name) for name in {f["product"] for f in data["features"]}}
    features: dict[str, Feature] = {}
    for f in data["features"]:
        created = feature_create(
            actor=pm, product=products[f["product"]], title=f["title"], description=f["description"]
        )
        suggestions.feature_indexed(feature=created)
        features[f["key"]] = created
    accounts: dict[str, Account] = {}
    need_of_ask: dict[int, str] = {}
    result = Evaluation()
    for labelled in data["asks"]:
        account = accounts.get(labelled["customer"])
        if account is None:
            account = accounts[labelled["customer"]] = Account.objects.create(name=labelled["customer"], owner=pm)
        ask = ask_create(actor=pm, account=account, need=labelled["need"], why=labelled["why"])
        suggestions.ask_indexed(ask=ask)
        need = labelled["same_need"]
        feature: Feature | None = features.get(labelled["feature"] or "")
        answerable = feature is not None or need in need_of_ask.values()
        if answerable and candidates:
            considered = suggestions.candidates_for_ask(ask=ask)
            result.queries.append(
                Query(
                    labelled["split"],
                    np.array([c.signals for c in considered]).reshape(-1, len(suggestions.SIGNALS)),
                    np.array(
                        [_candidate_is_right(c.kind, c.id, feature, need, need_of_ask) for c in considered], dtype=bool
                    ),
                )
            )
        if answerable:
            found = engine(user=pm, ask=ask, limit=5)
            right = [_is_right(s, feature, need, need_of_ask) for s in found]
            for split in ("all", labelled["split"]):
                figures = result.by_split[split]
                figures.counted += 1
                figures.first_right += bool(right[:1] and right[0])
                figures.five_right += any(right)
            if not (right[:1] and right[0]):
                got = _shown(found[0]) if found else "-"
                result.misses.append(
                    f"{labelled['split']} #{labelled['n']} [{need}] {labelled['need'][:70]!r} -> {got[:50]!r}"
                )
        need_of_ask[ask.pk] = need
        if feature is not None:
            ask = ask_link(actor=pm, ask=ask, feature=feature)
            suggestions.link_learned(ask=ask, feature=feature)
    transaction.set_rollback(True)
    index.forget_index()
    return result


def _shown(s: Suggestion) -> str:
    if s.feature is not None and s.kind == "feature":
        return s.feature.title
    return s.ask.need if s.ask is not None else "-"


def _is_right(s: Suggestion, feature: Feature | None, need: str, need_of_ask: dict[int, str]) -> bool:
    suggested = s.feature if s.kind == "feature" else s.ask
    return suggested is not None and _candidate_is_right(s.kind, suggested.pk, feature, need, need_of_ask)


def _candidate_is_right(
    kind: str, candidate_id: int, feature: Feature | None, need: str, need_of_ask: dict[int, str]
) -> bool:
    """A feature is right when it is the ask's feature; an ask, when it is of the same need."""
    if kind == "feature":
        return feature is not None and candidate_id == feature.pk
    return need_of_ask.get(candidate_id) == need


def fit_weights(
    queries: list[Query], *, split: str = "dev", steps: int = 2000, l2: float = 1e-3
) -> NDArray[np.float64]:
    """Weights of the signals that put a right candidate first as often as possible on `split`.

    A listwise fit: for each ask, the softmax of its candidates' scores should put its mass on the
    right ones. Plain gradient descent: a dozen signals and a few hundred asks need nothing more.
    """
    used = [q for q in queries if q.split == split and q.right.any()]
    weights = np.zeros(len(suggestions.SIGNALS))
    for _ in range(steps):
        gradient = l2 * weights
        for q in used:
            scores = q.signals @ weights * TEMPERATURE
            p = np.exp(scores - scores.max())
            p /= p.sum()
            p_right = p * q.right
            gradient += TEMPERATURE * (p - p_right / p_right.sum()) @ q.signals / len(used)
        weights -= LEARNING_RATE * gradient
    return weights


TEMPERATURE = 10.0  # scores differ by hundredths: sharpen the softmax so the first place matters
LEARNING_RATE = 0.05


_WORD = re.compile(r"[a-z0-9]+")


def shared_words_baseline(*, user: User, ask: Ask, limit: int = 5) -> list[Suggestion]:
    """The engine this one replaced, for comparison: feature titles ranked by words shared with the need."""
    words = set(_WORD.findall(ask.need.lower()))
    scored = []
    for feature in feature_visible(user=user).only("id", "title"):
        shared = words & set(_WORD.findall(feature.title.lower()))
        if shared:
            scored.append(
                Suggestion("feature", feature, None, len(shared) / len(words), "Shares: " + ", ".join(shared))
            )
    scored.sort(key=lambda s: -s.score)
    return scored[:limit]
