"""How good the suggestions are, on labelled sets of asks triaged in arrival order as a PM would.

Each labelled set is loaded into an empty database: its features first, then its asks one by one,
through the same services the product uses (`ask_create`, `ask_link`, `ask_merge`,
`feature_create_from_ask`). Each ask is suggested against what exists at that moment, then the PM
acts on it:

- its need has a feature: the PM links it (and the link teaches the feature its wording);
- its need has none and no earlier ask: it waits in the inbox;
- its need has none but earlier asks: the PM merges it into the first, which must stay findable
  through its merged duplicates; at the third ask of such a need the PM creates a feature from
  the first (the duplicates follow it), so later asks of the need have a feature to find.

What is measured, per set and per split (splits group asks by need, so a split's features were
never seen when fitting on the other):

- precision@1 and recall@5 over the asks whose need has a feature when they arrive: the first
  suggestion is right, a right one is among the first five (right: that feature, or a waiting ask
  of the same need);
- new-need AUROC: how well "how likely no existing feature fits" (`Triage.new_need`) ranks the
  asks whose need has no feature above those whose need has one;
- cluster recall: asks of a need with no feature whose earlier asks wait (merged): one of them is
  among the first five;
- "probably new": precision and recall of the flag the inbox shows.

docs/triage.md has the figures and says which sets were used for fitting.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from numpy.typing import NDArray

from tandem.asks.forms import feature_title_from
from tandem.asks.models import Ask
from tandem.asks.services import ask_create, ask_link, ask_merge, feature_create_from_ask
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_visible
from tandem.product.services import feature_create
from tandem.sales.models import Account
from tandem.triage import index, services, suggestions
from tandem.triage.suggestions import Suggestion, Triage

FIXTURES = Path(__file__).parent / "tests" / "fixtures"
CREATE_FEATURE_AT = 3  # asks of a need with no feature before the PM creates one for it


@dataclass(frozen=True)
class LabelledSet:
    name: str
    file: str
    fitted: str  # what was chosen by looking at it; empty when nothing was

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((FIXTURES / self.file).read_text())
        return data


SETS = (
    LabelledSet(
        "halcyon",
        "labelled_asks.json",
        "dev split: the scorer's weights and its calibration (`--fit`); the whole set: the 'probably new' curve "
        "and threshold (with crewline and haulmark), the shorthand list, the kept wordings and shortlist sizes, "
        "the choice of models and signals, both leading-label changes",
    ),
    LabelledSet(
        "crewline",
        "crewline_asks.json",
        "the whole set: which signals to keep (looked at after measuring the previous engine on it), "
        "with halcyon both leading-label changes, with halcyon and haulmark the 'probably new' curve and threshold",
    ),
    LabelledSet("ledgerline", "ledgerline_asks.json", ""),
    LabelledSet(
        "brightpost",
        "brightpost_asks.json",
        "its misses showed the channel-label problem that dropping an ask's leading label addresses (the change "
        "was chosen on halcyon and crewline): not clean for that change; never used for 'probably new'",
    ),
    LabelledSet(
        "haulmark",
        "haulmark_asks.json",
        "its misses (measured after the first leading-label change) showed the tags in brackets and the labels "
        "kept in titles of features made from asks that the second change addresses: not clean for that change; "
        "with halcyon and crewline, the 'probably new' curve and threshold",
    ),
    LabelledSet("harbourdesk", "harbourdesk_asks.json", ""),
)


def labelled_set(name: str) -> LabelledSet:
    return next(s for s in SETS if s.name == name)


@dataclass
class Outcome:
    """What happened to one ask when it arrived."""

    split: str
    position: int  # arrival, 0-based
    kind: str  # "covered" (its need has a feature), "new-first", "new-later" (earlier asks of its need wait)
    rank: int | None  # where the first right suggestion was, 0-based; None when none was in the five
    new_need: float  # the engine's "how likely no existing feature fits"
    probably_new: bool
    right_score: float  # the first right suggestion's score, 0 when none was in the five
    best_feature_score: float  # the first feature suggestion's score, 0 when none
    text: str
    shown: str  # the first suggestion, for the list of misses


@dataclass
class Figures:
    asks: int
    covered: int
    precision_at_1: float
    recall_at_5: float
    auroc: float | None
    later_new: int
    cluster_recall: float | None
    flagged: int
    flag_precision: float | None
    flag_recall: float | None
    search_recall: float  # covered asks whose right suggestion is in the five and above the search floor
    search_unrelated: float | None  # asks of needs without a feature for which a search would list one

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> "Figures":
        covered = [o for o in outcomes if o.kind == "covered"]
        later = [o for o in outcomes if o.kind == "new-later"]
        new = [o.kind != "covered" for o in outcomes]
        flagged = [o for o in outcomes if o.probably_new]
        return cls(
            asks=len(outcomes),
            covered=len(covered),
            precision_at_1=_share(o.rank == 0 for o in covered),
            recall_at_5=_share(o.rank is not None for o in covered),
            auroc=auroc([o.new_need for o in outcomes], new),
            later_new=len(later),
            cluster_recall=_share(o.rank is not None for o in later) if later else None,
            flagged=len(flagged),
            flag_precision=_share(o.kind != "covered" for o in flagged) if flagged else None,
            flag_recall=(_share(o.probably_new for o in outcomes if o.kind != "covered") if any(new) else None),
            search_recall=_share(o.right_score >= suggestions.SEARCH_FLOOR for o in covered),
            search_unrelated=(
                _share(o.best_feature_score >= suggestions.SEARCH_FLOOR for o in outcomes if o.kind != "covered")
                if any(new)
                else None
            ),
        )

    def __str__(self) -> str:
        return (
            f"p@1 {self.precision_at_1:.3f}  r@5 {self.recall_at_5:.3f} ({self.covered:3} asks)  "
            f"new-need AUROC {_f(self.auroc)}  cluster recall {_f(self.cluster_recall)} ({self.later_new})  "
            f"probably new: precision {_f(self.flag_precision)} recall {_f(self.flag_recall)} "
            f"({self.flagged} flagged)  search above the floor: right {self.search_recall:.3f}, "
            f"unrelated for new needs {_f(self.search_unrelated)}"
        )


def _share(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def auroc(scores: list[float], positive: list[bool]) -> float | None:
    """The chance that a positive scores above a negative (ties count half); None without both."""
    pos = np.array([s for s, p in zip(scores, positive, strict=True) if p])
    neg = np.array([s for s, p in zip(scores, positive, strict=True) if not p])
    if not len(pos) or not len(neg):
        return None
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


@dataclass
class Query:
    """One ask's candidates as the fit sees them: their signals, which are features, which are right."""

    split: str
    covered: bool  # its need had a feature when it arrived
    signals: NDArray[np.float64]
    features: NDArray[np.bool_]
    right: NDArray[np.bool_]
    ids: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # the candidates'


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)

    def figures(self, split: str = "all") -> Figures:
        return Figures.of([o for o in self.outcomes if split in ("all", o.split)])

    def by_arrival(self, parts: int) -> list[Figures]:
        """Figures of the first, second... `parts` of the arrivals: does it get better as links accumulate?"""
        n = len(self.outcomes)
        return [Figures.of(self.outcomes[n * i // parts : n * (i + 1) // parts]) for i in range(parts)]

    @property
    def misses(self) -> list[str]:
        return [
            f"{o.split} #{o.position + 1} {o.kind} {o.text[:70]!r} -> {o.shown[:50]!r}"
            for o in self.outcomes
            if o.kind != "new-first" and o.rank != 0
        ]


Engine = Callable[..., Triage]


@transaction.atomic
def evaluate(
    labelled: LabelledSet | None = None,
    *,
    engine: Engine = suggestions.ask_triage,
    candidates: bool = False,
    learning: bool = True,
) -> Evaluation:
    """Triage a labelled set into the current (empty) database, rolled back at the end.

    With `candidates`, every ask's candidates and their signals are kept too, to fit on.
    Without `learning`, links are made but teach the features nothing (to measure what they teach).
    """
    data = (labelled or SETS[0]).load()
    index.forget_index()
    services.LEARNING = learning
    try:
        result = _triage_in_arrival_order(data, engine, candidates)
    finally:
        services.LEARNING = True
        transaction.set_rollback(True)
        index.forget_index()
    return result


def _triage_in_arrival_order(data: dict[str, Any], engine: Engine, candidates: bool) -> Evaluation:
    pm = User.objects.create(
        username="triage-evaluation", email="triage-evaluation@example.com", role=Role.PRODUCT_MANAGER
    )
    products = {name: Product.objects.create(name=name) for name in sorted({f["product"] for f in data["features"]})}
    feature_of_need: dict[str, Feature] = {}
    for f in data["features"]:
        product = products[f["product"]]
        created = feature_create(actor=pm, product=product, title=f["title"], description=f["description"])
        suggestions.feature_indexed(feature=created)
        for labelled in data["asks"]:
            if labelled["feature"] == f["key"]:
                feature_of_need[labelled["same_need"]] = created
    accounts: dict[str, Account] = {}
    first_of_need: dict[str, Ask] = {}
    asks_of_need: dict[str, int] = {}
    need_of_ask: dict[int, str] = {}
    result = Evaluation()
    default_product = products[sorted(products)[0]]
    for position, labelled in enumerate(data["asks"]):
        account = accounts.get(labelled["customer"])
        if account is None:
            account = accounts[labelled["customer"]] = Account.objects.create(name=labelled["customer"], owner=pm)
        ask = ask_create(actor=pm, account=account, need=labelled["need"], why=labelled["why"])
        need = labelled["same_need"]
        feature = feature_of_need.get(need)
        kind = "covered" if feature is not None else ("new-later" if need in first_of_need else "new-first")
        if candidates:
            considered = suggestions.candidates_for_ask(ask=ask)
            result.queries.append(
                Query(
                    labelled["split"],
                    kind == "covered",
                    np.array([c.signals for c in considered]).reshape(-1, len(suggestions.SIGNALS)),
                    np.array([c.kind == "feature" for c in considered], dtype=bool),
                    np.array([_is_right(c.kind, c.id, feature, need, need_of_ask) for c in considered], dtype=bool),
                    np.array([c.id for c in considered], dtype=np.int64),
                )
            )
        triage = engine(user=pm, ask=ask, limit=5)
        right = [_suggestion_is_right(s, feature, need, need_of_ask) for s in triage.suggestions]
        result.outcomes.append(
            Outcome(
                split=labelled["split"],
                position=position,
                kind=kind,
                rank=right.index(True) if any(right) else None,
                new_need=triage.new_need,
                probably_new=triage.probably_new,
                right_score=triage.suggestions[right.index(True)].score if any(right) else 0.0,
                best_feature_score=max((s.score for s in triage.suggestions if s.kind == "feature"), default=0.0),
                text=labelled["need"],
                shown=_shown(triage.suggestions[0]) if triage.suggestions else "-",
            )
        )
        need_of_ask[ask.pk] = need
        asks_of_need[need] = asks_of_need.get(need, 0) + 1
        # The PM's triage of this ask.
        if feature is not None:
            ask_link(actor=pm, ask=ask, feature=feature)
        elif need not in first_of_need:
            first_of_need[need] = ask
        else:
            ask_merge(actor=pm, duplicate=ask, original=first_of_need[need])
            if asks_of_need[need] == CREATE_FEATURE_AT:
                first = first_of_need[need]
                feature_of_need[need] = feature_create_from_ask(
                    actor=pm, ask=first, product=default_product, title=feature_title_from(first.need)
                )
    return result


def _shown(s: Suggestion) -> str:
    if s.feature is not None and s.kind == "feature":
        return s.feature.title
    return s.ask.need if s.ask is not None else "-"


def _suggestion_is_right(s: Suggestion, feature: Feature | None, need: str, need_of_ask: dict[int, str]) -> bool:
    suggested = s.feature if s.kind == "feature" else s.ask
    return suggested is not None and _is_right(s.kind, suggested.pk, feature, need, need_of_ask)


def _is_right(kind: str, candidate_id: int, feature: Feature | None, need: str, need_of_ask: dict[int, str]) -> bool:
    """A feature is right when it is the feature of the ask's need; an ask, when it is of the same need."""
    if kind == "feature":
        return feature is not None and candidate_id == feature.pk
    return need_of_ask.get(candidate_id) == need


# Fitting ------------------------------------------------------------------------------------------


def fit_weights(
    queries: list[Query], *, split: str = "dev", steps: int = 2000, l2: float = 1e-3
) -> NDArray[np.float64]:
    """Weights of the signals that put a right candidate first as often as possible on `split`.

    A listwise fit: for each ask, the softmax of its candidates' scores should put its mass on the
    right ones. Plain gradient descent: a few signals and a few hundred asks need nothing more.
    """
    used = [q for q in queries if q.split == split and q.right.any()]
    weights = np.zeros(used[0].signals.shape[1] if used else len(suggestions.SIGNALS))
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


def fit_calibration(
    queries: list[Query], weights: NDArray[np.float64], *, split: str = "dev", top: int = 5
) -> tuple[float, float]:
    """(slope, intercept) of the logistic curve that reads a score as the chance its candidate is
    right, fitted on each ask's first `top` candidates of `split` (what a PM is shown)."""
    scores, right = [], []
    for q in queries:
        if q.split != split or not len(q.signals):
            continue
        s = q.signals @ weights
        order = np.argsort(-s)[:top]
        scores += s[order].tolist()
        right += q.right[order].tolist()
    return _logistic(np.array(scores), np.array(right, dtype=float))


def fit_new_need(sets: list[list[Query]], weights: NDArray[np.float64]) -> tuple[float, float, float]:
    """(a, b, c) of the logistic curve that reads an ask's feature candidates (`covered_reading`:
    the best score and how far it stands out) as the chance that the ask's need has a feature at
    all, fitted on every ask of `sets`, each set weighing the same: a set whose new needs lie far
    from every feature should not outvote one whose new needs were written beside a feature."""
    rows, covered, weight = [], [], []
    for queries in sets:
        for q in queries:
            rows.append((*suggestions.covered_reading(q.signals[q.features] @ weights), 1.0))
            covered.append(q.covered)
            weight.append(1 / len(queries))
    x, y, w = np.array(rows), np.array(covered, dtype=float), np.array(weight) * len(rows) / len(sets)
    curve = np.zeros(3)
    for _ in range(100):  # Newton's method on the weighted log-loss: three parameters
        p = 1 / (1 + np.exp(-x @ curve))
        step = np.linalg.solve((x * (w * p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(3), x.T @ (w * (p - y)))
        curve -= step
        if np.abs(step).max() < 1e-9:
            break
    a, b, c = curve.tolist()
    return a, b, c


def fit_flag_threshold(
    sets: list[list[Query]], weights: NDArray[np.float64], covered: tuple[float, float, float]
) -> float:
    """The `new_need` from which the inbox says "probably new": of 0.05, 0.10... 0.95, the one whose
    flag best balances precision and recall (F1) on every ask of `sets`, the higher on a tie.

    Asks of needs without a feature are about one in ten: a flag at even odds (0.5) is raised too
    rarely to be of use, a low one on every loosely worded ask."""
    new_need, is_new = [], []
    for queries in sets:
        for q in queries:
            new_need.append(suggestions.new_need_chance((q.signals[q.features] @ weights).tolist(), covered))
            is_new.append(not q.covered)
    values, new = np.array(new_need), np.array(is_new, dtype=bool)
    best, best_f1 = suggestions.NEW_NEED_AT, -1.0
    for at in np.round(np.arange(0.95, 0.04, -0.05), 2).tolist():
        flagged = values >= at
        hits = int((flagged & new).sum())
        f1 = 2 * hits / (int(flagged.sum()) + int(new.sum())) if hits else 0.0
        if f1 > best_f1:
            best, best_f1 = at, f1
    return best


def _logistic(x: NDArray[np.float64], y: NDArray[np.float64], steps: int = 100) -> tuple[float, float]:
    slope, intercept = 1.0, 0.0
    for _ in range(steps):  # Newton's method on the log-loss: two parameters
        p = 1 / (1 + np.exp(-(slope * x + intercept)))
        g = np.array([((p - y) * x).sum(), (p - y).sum()])
        w = p * (1 - p)
        h = np.array([[(w * x * x).sum(), (w * x).sum()], [(w * x).sum(), w.sum()]]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(h, g)
        slope, intercept = slope - step[0], intercept - step[1]
        if np.abs(step).max() < 1e-9:
            break
    return float(slope), float(intercept)


# The engine this one replaced, for comparison ------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def shared_words_baseline(*, user: User, ask: Ask, limit: int = 5) -> Triage:
    """Feature titles ranked by words shared with the need (the scaffold's engine)."""
    words = set(_WORD.findall(ask.need.lower()))
    scored = []
    for feature in feature_visible(user=user).only("id", "title"):
        shared = words & set(_WORD.findall(feature.title.lower()))
        if shared:
            scored.append(
                Suggestion("feature", feature, None, len(shared) / len(words), "Shares: " + ", ".join(shared))
            )
    scored.sort(key=lambda s: -s.score)
    best = scored[0].score if scored else 0.0
    return Triage(scored[:limit], new_need=1 - best)
