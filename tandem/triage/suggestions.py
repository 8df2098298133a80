"""Duplicate suggestions for triage: the features and asks most likely to be the same need as an ask.

How a candidate is scored (docs/triage.md has the measurements behind these choices):

- meaning: the cosine between the ask's vector and the feature's title-and-description vector, and
  between the ask and each earlier ask (a WordLlama vector of the wording, `wording.py`);
- learning: every ask a PM linked to a feature is evidence for it, so a feature is as close as the
  closest of its linked asks, plus a little for each further linked ask that reads the same, and
  the mean of its linked asks counts too;
- shared words: the distinctive words (shorthand spelt out, misspellings repaired) the ask shares
  with the feature's title and description or with the other ask.

Only what the user may see is returned (`feature_visible`, `ask_visible`).
"""

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tandem.asks.models import Ask
from tandem.asks.selectors import ask_visible
from tandem.people.models import User
from tandem.product.models import Feature
from tandem.product.selectors import feature_visible
from tandem.triage import services, wording
from tandem.triage.index import Index, current_index

WAITING_ASKS = 60  # closest asks waiting for triage re-scored with shared words
WIDE_SHORTLIST = 100  # features whose kept wordings are compared
SHORTLIST = 40  # of those, the ones re-scored with shared words
QUOTED_WORDINGS = 2  # a feature's nearest kept wordings whose shared words are counted
SHARED_WORDS_WEIGHT = 0.35
SUPPORT_THRESHOLD = 0.6  # a linked ask this close reads as the same need
SUPPORT_WEIGHT = 0.03
CENTROID_WEIGHT = 0.9
AGREEMENT_WEIGHT = 0.5
QUOTE_LENGTH = 60


@dataclass(frozen=True)
class Suggestion:
    """One candidate for the same need, best first; `reason` says in words why it was suggested."""

    kind: Literal["feature", "ask"]
    feature: Feature | None
    ask: Ask | None
    score: float
    reason: str


def suggestions_for_text(*, user: User, text: str, limit: int = 5, asks: bool = True) -> list[Suggestion]:
    """Candidates for words being typed: the ask form's "attach to a feature" search (asks=False)
    and the inbox's search. The last word may be unfinished, so it is also read as its completions."""
    return _suggest(user=user, need=text, why="", customer="", exclude=None, limit=limit, asks=asks, typing=True)


def suggestions_for_ask(*, user: User, ask: Ask, limit: int = 5) -> list[Suggestion]:
    """The features and other asks most likely to be the same need as `ask`, best first."""
    customer = ask.account.name
    return _suggest(user=user, need=ask.need, why=ask.why, customer=customer, exclude=ask.pk, limit=limit, asks=True)


def ask_indexed(*, ask: Ask) -> None:
    """A new or edited ask: make it findable as a duplicate of later asks."""
    services.ask_vector_store(ask_id=ask.pk)


def link_learned(*, ask: Ask, feature: Feature) -> None:
    """A PM linked `ask` to `feature`: its wording becomes evidence for the feature."""
    services.ask_vector_store(ask_id=ask.pk)


def feature_indexed(*, feature: Feature) -> None:
    """A new or renamed feature: make it findable."""
    services.feature_vector_store(feature_id=feature.pk)


@dataclass
class _Candidate:
    score: float
    shared: list[str]
    support: int = 0
    quote_ask_id: int | None = None


def _suggest(
    *, user: User, need: str, why: str, customer: str, exclude: int | None, limit: int, asks: bool, typing: bool = False
) -> list[Suggestion]:
    index = current_index()
    need, why = wording.without_name(need, customer), wording.without_name(why, customer)
    query_terms = wording.repaired(wording.terms(need), index.vocabulary)
    if typing and query_terms and not need[-1:].isspace():
        query_terms += index.vocabulary.completions(query_terms[-1])
    if not query_terms:
        return []
    query_stems = {wording.stem(t) for t in query_terms}
    weights = {s: index.vocabulary.weight(s) for s in query_stems}
    vector = services.ask_vectors([(" ".join(query_terms), why, "")])[0]

    waiting_ids, waiting_cosines = index.nearest_waiting(vector, WAITING_ASKS if asks else 0, exclude)
    shortlist = _feature_shortlist(index, vector)
    # Shared words are read only for the closest: the waiting asks, and each shortlisted feature's
    # nearest kept wordings. One query fetches all their needs.
    quoted = [ask_id for _, _, _, nearest in shortlist for ask_id, _ in nearest]
    needs = dict(Ask.objects.filter(pk__in=waiting_ids.tolist() + quoted).values_list("pk", "need"))
    ask_scores: dict[int, _Candidate] = {}
    for ask_id, cosine in zip(waiting_ids.tolist(), waiting_cosines.tolist(), strict=True):
        shared = _shared(query_stems, weights, needs.get(ask_id, ""))
        ask_scores[ask_id] = _Candidate(cosine + SHARED_WORDS_WEIGHT * shared[0], shared[1])
    feature_scores = _feature_candidates(index, shortlist, query_stems, weights, needs)
    ranked: list[tuple[float, str, int]] = [(c.score, "feature", f) for f, c in feature_scores.items()]
    ranked += [(c.score, "ask", a) for a, c in ask_scores.items()]
    ranked.sort(key=lambda r: -r[0])
    return _visible_suggestions(user, ranked, feature_scores, ask_scores, limit)


def _feature_shortlist(index: Index, vector: np.ndarray) -> list[tuple[int, float, int, list[tuple[int, float]]]]:
    """The features worth a closer look: (position, own cosine, supporting wordings, nearest kept wordings).

    Own cosine is the better of title-and-description and the linked asks' mean; a feature whose
    kept wordings read closer than that comes up through them.
    """
    if index.n_features == 0:
        return []
    title, centroid = index.feature_cosines(vector)
    own = np.maximum(title, CENTROID_WEIGHT * centroid)
    own[~index.feature_alive] = -2
    wide = min(WIDE_SHORTLIST, len(own))
    positions = [p for p in np.argpartition(-own, wide - 1)[:wide].tolist() if index.feature_alive[p]]
    found = []
    for position, (ids, cosines) in zip(positions, index.wordings_cosines(positions, vector), strict=True):
        order = np.argsort(-cosines)[:QUOTED_WORDINGS]
        nearest = [(int(ids[i]), float(cosines[i])) for i in order]
        found.append((position, float(own[position]), int((cosines >= SUPPORT_THRESHOLD).sum()), nearest))
    found.sort(key=lambda f: -max(f[1], f[3][0][1] if f[3] else -2))
    return found[:SHORTLIST]


def _feature_candidates(
    index: Index,
    shortlist: list[tuple[int, float, int, list[tuple[int, float]]]],
    query_stems: set[str],
    weights: dict[str, float],
    needs: dict[int, str],
) -> dict[int, _Candidate]:
    scored: dict[int, _Candidate] = {}
    for position, own_cosine, support, nearest in shortlist:
        feature_id = int(index.feature_ids[position])
        text = index.feature_texts[position]
        shared = _shared(query_stems, weights, f"{text.title} {text.description}")
        own = own_cosine + SHARED_WORDS_WEIGHT * shared[0]
        learnt: _Candidate | None = None
        for ask_id, cosine in nearest:
            ask_shared = _shared(query_stems, weights, needs.get(ask_id, ""))
            score = cosine + SHARED_WORDS_WEIGHT * ask_shared[0]
            if learnt is None or score > learnt.score:
                learnt = _Candidate(score, ask_shared[1], support, ask_id)
        better = learnt is not None and learnt.score > own
        candidate = learnt if learnt is not None and better else _Candidate(own, shared[1], support)
        # The weaker of the two readings still counts a little: a feature whose title AND linked
        # asks both fit beats one that only one of them fits.
        weaker = min(own, learnt.score) if learnt is not None else own
        candidate.score = (candidate.score + AGREEMENT_WEIGHT * weaker) / (1 + AGREEMENT_WEIGHT)
        candidate.score += SUPPORT_WEIGHT * math.log1p(candidate.support)
        scored[feature_id] = candidate
    return scored


def _shared(query_stems: set[str], weights: dict[str, float], text: str) -> tuple[float, list[str]]:
    """How much of the query's distinctive wording `text` shares (0..1), and the words, as `text` says them."""
    total = sum(weights.values())
    if not total:
        return 0.0, []
    found: dict[str, str] = {}
    for s, word in wording.stemmed(text):
        if s in query_stems and s not in found:
            found[s] = word
    return sum(weights[s] for s in found) / total, list(found.values())


def _visible_suggestions(
    user: User,
    ranked: list[tuple[float, str, int]],
    feature_scores: dict[int, _Candidate],
    ask_scores: dict[int, _Candidate],
    limit: int,
) -> list[Suggestion]:
    top = ranked[: max(limit * 4, 20)]
    feature_ids = [i for _, kind, i in top if kind == "feature"]
    ask_ids = [i for _, kind, i in top if kind == "ask"]
    quote_ids = [c.quote_ask_id for f, c in feature_scores.items() if f in feature_ids and c.quote_ask_id]
    features = {f.pk: f for f in feature_visible(user=user).filter(pk__in=feature_ids)} if feature_ids else {}
    visible_asks = (
        {a.pk: a for a in ask_visible(user=user).filter(pk__in=ask_ids + quote_ids).select_related("account")}
        if ask_ids or quote_ids
        else {}
    )
    suggestions = []
    for score, kind, i in top:
        if kind == "feature" and i in features:
            c = feature_scores[i]
            reason = _feature_reason(c, features[i], visible_asks.get(c.quote_ask_id or 0))
            suggestions.append(Suggestion("feature", features[i], None, _unit(score), reason))
        elif kind == "ask" and i in visible_asks:
            c = ask_scores[i]
            reason = _ask_reason(c, visible_asks[i])
            suggestions.append(Suggestion("ask", visible_asks[i].feature, visible_asks[i], _unit(score), reason))
        if len(suggestions) == limit:
            break
    return suggestions


def _unit(score: float) -> float:
    return round(min(1.0, max(0.0, score)), 3)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"


def _words(shared: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in shared[:4])


def _feature_reason(c: _Candidate, feature: Feature, quoted: Ask | None) -> str:
    if c.quote_ask_id is not None:
        asks = f"{c.support} linked asks" if c.support > 1 else "a linked ask"
        return f"Same need as {asks}, like '{_quote(quoted.need)}'" if quoted else f"Same need as {asks}"
    if c.shared:
        return f"Matches {_words(c.shared)}"
    return f"Means much the same as '{feature.title}'"


def _ask_reason(c: _Candidate, ask: Ask) -> str:
    where = f"an ask from {ask.account.name} waiting for triage"
    if c.shared:
        return f"Matches {_words(c.shared)} in {where}"
    return f"Reads like {where}: '{_quote(ask.need)}'"
