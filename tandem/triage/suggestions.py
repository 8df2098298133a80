"""Duplicate suggestions for triage: the features and asks most likely to be the same need as an ask.

Candidates: the features whose title-and-description or linked-asks mean read closest, and the
asks still waiting for triage that read closest (linked asks count through their feature). Each
gets signals (`SIGNALS`), and its score weighs them (`WEIGHTS`, fitted on the labelled set's dev
split; docs/triage.md has the measurements):

- meaning: cosines between the ask's vector and the feature's title and description, its linked
  asks' mean and its kept wordings, or the waiting ask, both by word vectors (WordLlama,
  `wording.py`: they also choose the candidates) and by sentence vectors (MiniLM, `sentences.py`);
- learning: every ask a PM links is evidence for its feature: it moves the mean, and the feature
  keeps a few of its linked asks' different wordings;
- shared words: the distinctive words (shorthand spelt out, misspellings repaired) the ask shares
  with the feature's title, its description, its closest wording, or the waiting ask.

Only what the user may see is returned (`feature_visible`, `ask_visible`).
"""

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

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
SHARED_WORDS_WEIGHT = 0.35  # within a "reading": cosine plus this much of the shared words
SUPPORT_THRESHOLD = 0.6  # a kept wording this close reads as the same need
CENTROID_WEIGHT = 0.9  # the linked asks' mean, against the title, when shortlisting
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
class Candidate:
    """A feature or waiting ask scored for a query, with the signals its score is made of."""

    kind: Literal["feature", "ask"]
    id: int
    signals: NDArray[np.float64]
    shared: list[str]
    support: int = 0
    quote_ask_id: int | None = None
    score: float = 0.0


# What a candidate's score weighs, in order. Fitted on the labelled set's dev split
# (`manage.py triage_eval --fit`, docs/triage.md); signals overlap, so single weights can be
# negative (the closest wording counts through the better reading already).
SIGNALS = (
    "title cosine",  # the feature's title and description
    "linked-asks mean cosine",
    "closest kept wording cosine",
    "shared words with title and description",
    "shared words with the closest kept wording",
    "better reading",  # the better of title-and-mean and the closest wording, each with its shared words
    "weaker reading",
    "supporting wordings (log)",
    "waiting ask cosine",
    "shared words with the waiting ask",
    "is a waiting ask",
    "shared words with the title",
    "linked asks (log)",
    "second kept wording cosine",
    # The same comparisons by sentence vectors (`sentences.py`): what the sentence means, not its words.
    "sentence: title and description",
    "sentence: closest kept wording",
    "sentence: kept wordings' mean",
    "sentence: better of title and closest wording",
    "sentence: waiting ask",
)
WEIGHTS = np.array(
    [
        0.3648,
        -0.4290,
        -0.7856,
        0.5044,
        0.1193,
        0.8167,
        -0.0688,
        0.5402,
        0.4114,
        0.6331,
        0.1782,
        -0.6596,
        0.1058,
        -0.2059,
        0.9382,
        -0.3797,
        1.0202,
        0.9260,
        1.8260,
    ]
)


def _suggest(
    *, user: User, need: str, why: str, customer: str, exclude: int | None, limit: int, asks: bool, typing: bool = False
) -> list[Suggestion]:
    candidates = _candidates(need=need, why=why, customer=customer, exclude=exclude, asks=asks, typing=typing)
    for c in candidates:
        c.score = float(WEIGHTS @ c.signals)
    candidates.sort(key=lambda c: -c.score)
    return _visible_suggestions(user, candidates, limit)


def candidates_for_ask(*, ask: Ask) -> list[Candidate]:
    """Every candidate considered for `ask`, unranked: what `triage_eval --fit` fits the weights on."""
    return _candidates(need=ask.need, why=ask.why, customer=ask.account.name, exclude=ask.pk, asks=True)


def _candidates(
    *, need: str, why: str, customer: str, exclude: int | None, asks: bool, typing: bool = False
) -> list[Candidate]:
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
    # Word vectors choose the candidates (one product over every waiting ask and feature is cheap);
    # the sentence model, at a few milliseconds a text, reads only the query.
    sentence = services.ask_sentences([(need, "")])[0]

    waiting_ids, waiting_cosines = index.nearest_waiting(vector, WAITING_ASKS if asks else 0, exclude)
    waiting_sentences = index.waiting_sentence_cosines(waiting_ids.tolist(), sentence)
    shortlist = _feature_shortlist(index, vector, sentence)
    # Shared words are read only for the closest: the waiting asks, and each shortlisted feature's
    # nearest kept wordings. One query fetches all their needs.
    quoted = [ask_id for f in shortlist for ask_id, _ in f.nearest]
    needs = dict(Ask.objects.filter(pk__in=waiting_ids.tolist() + quoted).values_list("pk", "need"))
    found = _feature_candidates(index, shortlist, query_stems, weights, needs)
    for ask_id, cosine, sentence_cosine in zip(
        waiting_ids.tolist(), waiting_cosines.tolist(), waiting_sentences.tolist(), strict=True
    ):
        shared, words = _shared(query_stems, weights, needs.get(ask_id, ""))
        signals = np.zeros(len(SIGNALS))
        signals[8:11] = cosine, shared, 1.0
        signals[18] = sentence_cosine
        found.append(Candidate("ask", ask_id, signals, words))
    return found


class Shortlisted(NamedTuple):
    position: int
    title: float  # cosines of the word vectors: title and description, linked asks' mean
    centroid: float
    support: int  # kept wordings that read as the same need
    nearest: list[tuple[int, float]]  # the nearest kept wordings: (ask id, cosine)
    sentence_title: float  # cosines of the sentence vectors
    sentence_closest: float
    sentence_mean: float


def _feature_shortlist(index: Index, vector: np.ndarray, sentence: np.ndarray) -> list[Shortlisted]:
    """The features worth a closer look, with what their signals are made of.

    First by the better of title-and-description and the linked asks' mean; then a feature whose
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
    sentence_titles = index.feature_sentence_cosines(positions, sentence).tolist()
    for position, sentence_title, (ids, cosines, sentence_cosines) in zip(
        positions, sentence_titles, index.wordings_cosines(positions, vector, sentence), strict=True
    ):
        order = np.argsort(-cosines)[:QUOTED_WORDINGS]
        nearest = [(int(ids[i]), float(cosines[i])) for i in order]
        support = int((cosines >= SUPPORT_THRESHOLD).sum())
        found.append(
            Shortlisted(
                position,
                float(title[position]),
                float(centroid[position]),
                support,
                nearest,
                sentence_title,
                float(sentence_cosines.max()) if len(ids) else 0.0,
                float(index.feature_wordings[position].sentence_mean @ sentence),
            )
        )
    found.sort(key=lambda f: -max(f.title, CENTROID_WEIGHT * f.centroid, f.nearest[0][1] if f.nearest else -2))
    return found[:SHORTLIST]


def _feature_candidates(
    index: Index,
    shortlist: list[Shortlisted],
    query_stems: set[str],
    weights: dict[str, float],
    needs: dict[int, str],
) -> list[Candidate]:
    found = []
    for position, title, centroid, support, nearest, sentence_title, sentence_closest, sentence_mean in shortlist:
        text = index.feature_texts[position]
        shared, words = _shared(query_stems, weights, f"{text.title} {text.description}")
        own = max(title, CENTROID_WEIGHT * centroid) + SHARED_WORDS_WEIGHT * shared
        learnt = None  # (score, cosine, shared, words, ask id) of the closest kept wording
        for ask_id, cosine in nearest:
            ask_shared, ask_words = _shared(query_stems, weights, needs.get(ask_id, ""))
            score = cosine + SHARED_WORDS_WEIGHT * ask_shared
            if learnt is None or score > learnt[0]:
                learnt = (score, cosine, ask_shared, ask_words, ask_id)
        signals = np.zeros(len(SIGNALS))
        signals[0:2] = title, centroid
        signals[3] = shared
        signals[7] = math.log1p(support)
        signals[11] = _shared(query_stems, weights, text.title)[0]
        signals[12] = math.log1p(index.feature_asks[position])
        if len(nearest) > 1:
            signals[13] = nearest[1][1]
        signals[14:18] = sentence_title, sentence_closest, sentence_mean, max(sentence_title, sentence_closest)
        # The weaker of the two readings counts too: a feature whose title AND linked asks both
        # fit beats one that only one of them fits.
        if learnt is not None:
            signals[2], signals[4] = learnt[1], learnt[2]
            signals[5:7] = max(own, learnt[0]), min(own, learnt[0])
        else:
            signals[5:7] = own, own
        feature_id = int(index.feature_ids[position])
        if learnt is not None and learnt[0] > own:
            found.append(Candidate("feature", feature_id, signals, learnt[3], support, learnt[4]))
        else:
            found.append(Candidate("feature", feature_id, signals, words, support))
    return found


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


def _visible_suggestions(user: User, ranked: list[Candidate], limit: int) -> list[Suggestion]:
    top = ranked[: max(limit * 4, 20)]
    feature_ids = [c.id for c in top if c.kind == "feature"]
    ask_ids = [c.id for c in top if c.kind == "ask"] + [c.quote_ask_id for c in top if c.quote_ask_id]
    features = {f.pk: f for f in feature_visible(user=user).filter(pk__in=feature_ids)} if feature_ids else {}
    visible_asks = (
        {a.pk: a for a in ask_visible(user=user).filter(pk__in=ask_ids).select_related("account")} if ask_ids else {}
    )
    suggestions = []
    for c in top:
        if c.kind == "feature" and c.id in features:
            reason = _feature_reason(c, features[c.id], visible_asks.get(c.quote_ask_id or 0))
            suggestions.append(Suggestion("feature", features[c.id], None, _unit(c.score), reason))
        elif c.kind == "ask" and c.id in visible_asks:
            ask = visible_asks[c.id]
            suggestions.append(Suggestion("ask", ask.feature, ask, _unit(c.score), _ask_reason(c, ask)))
        if len(suggestions) == limit:
            break
    return suggestions


def _unit(score: float) -> float:
    """The score as shown, 0..1: fitted weights give scores around 0..3, in the same order."""
    return round(1 - math.exp(-max(0.0, score)), 3)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"


def _words(shared: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in shared[:4])


def _feature_reason(c: Candidate, feature: Feature, quoted: Ask | None) -> str:
    if c.quote_ask_id is not None:
        asks = f"{c.support} linked asks" if c.support > 1 else "a linked ask"
        return f"Same need as {asks}, like '{_quote(quoted.need)}'" if quoted else f"Same need as {asks}"
    if c.shared:
        return f"Matches {_words(c.shared)}"
    return f"Means much the same as '{feature.title}'"


def _ask_reason(c: Candidate, ask: Ask) -> str:
    where = f"an ask from {ask.account.name} waiting for triage"
    if c.shared:
        return f"Matches {_words(c.shared)} in {where}"
    return f"Reads like {where}: '{_quote(ask.need)}'"
