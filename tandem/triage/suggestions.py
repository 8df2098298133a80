"""Duplicate suggestions for triage: the features and asks most likely to be the same need as an ask.

Candidates come from word vectors (WordLlama, `wording.py`: one product over every waiting ask and
feature is cheap): the features whose title-and-description, linked asks' mean or kept wordings
read closest, and the asks still waiting for triage that read closest. Linked asks count through
their feature: every link moves its linked asks' mean and may keep the ask as one of its wordings,
which bring the feature among the candidates; merged asks count through the ask they were merged
into. Each candidate's score weighs five signals
(`SIGNALS`, `WEIGHTS` fitted on one labelled set's dev split; docs/triage.md has the
measurements on the sets not fitted on, and the signals dropped because they did not hold there):

- meaning: the sentence vectors (MiniLM, `sentences.py`) of the ask and the feature's title and
  description, or of the waiting ask;
- shared words: the distinctive words (shorthand spelt out, misspellings repaired) the ask shares
  with the feature's title and description, or with the waiting ask.

A score reads as the chance that its candidate is the same need (`likelihood`, a logistic curve
fitted with the weights), and so does its absence: when no feature is likely, the ask is probably
a new need (`Triage.probably_new`), and a search shows nothing rather than unrelated features
(`SEARCH_FLOOR`).

Only what the user may see is returned (`feature_visible`, `ask_visible`).
"""

import math
import re
from collections.abc import Sequence
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
SUPPORT_THRESHOLD = 0.6  # a kept wording this close reads as the same need
CENTROID_WEIGHT = 0.9  # the linked asks' mean, against the title, when shortlisting
QUOTE_LENGTH = 60


@dataclass(frozen=True)
class Suggestion:
    """One candidate for the same need, best first; `score` is the chance it is (0..1), `reason`
    says in words why it was suggested."""

    kind: Literal["feature", "ask"]
    feature: Feature | None
    ask: Ask | None
    score: float
    reason: str


@dataclass(frozen=True)
class Triage:
    """What the inbox shows for an ask: the suggestions, and how likely it is that no existing
    feature fits (`new_need_chance` of the feature candidates the user may see)."""

    suggestions: list[Suggestion]
    new_need: float

    @property
    def probably_new(self) -> bool:
        """ "Probably new: create a feature": no feature the user may see is likely the same need."""
        return self.new_need >= NEW_NEED_AT


def suggestions_for_text(*, user: User, text: str, limit: int = 5, asks: bool = True) -> list[Suggestion]:
    """Candidates for words being typed: the ask form's "attach to a feature" search (asks=False)
    and the inbox's search. The last word may be unfinished, so it is also read as its completions.
    Only candidates at least SEARCH_FLOOR likely: an unrelated feature is worse than none."""
    found = _suggest(user=user, need=text, why="", customer="", exclude=None, limit=limit, asks=asks, typing=True)
    return [s for s in found.suggestions if s.score >= SEARCH_FLOOR]


def suggestions_for_ask(*, user: User, ask: Ask, limit: int = 5) -> list[Suggestion]:
    """The features and other asks most likely to be the same need as `ask`, best first."""
    return ask_triage(user=user, ask=ask, limit=limit).suggestions


def ask_triage(*, user: User, ask: Ask, limit: int = 5) -> Triage:
    """The suggestions for `ask` and whether it is probably a need no feature covers yet."""
    customer = ask.account.name
    return _suggest(user=user, need=ask.need, why=ask.why, customer=customer, exclude=ask.pk, limit=limit, asks=True)


def without_label(text: str) -> str:
    """`text` without the channel's labels before it ("[Slack #sales] ", "Feature request: "), read
    against the words today's features use, as the suggestions read it: a title made from an ask."""
    return wording.without_label(text, current_index().vocabulary)


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


# What a candidate's score weighs, in order; a feature has the first two, a waiting ask the last
# three. Five weights, fitted on the Halcyon set's dev split (`manage.py triage_eval --fit`); the
# signals kept are those that held on the sets not fitted on (docs/triage.md).
SIGNALS = (
    "sentence: title and description",
    "shared words with title and description",
    "sentence: waiting ask",
    "shared words with the waiting ask",
    "is a waiting ask",
)
WEIGHTS = np.array([2.0362, 0.6124, 2.0457, 0.8714, -0.0629])


# A score read as the chance that its candidate is the same need: 1 / (1 + e^-(slope x score +
# intercept)), fitted with the weights on the first five candidates of each dev ask.
CALIBRATION = (7.7166, -8.4511)
# The chance that some feature covers the ask's need at all: 1 / (1 + e^-(a x best + b x standout + c)),
# where `best` is the best feature's score and `standout` how far it stands above the next best ones
# (`covered_reading`). A new need written beside one feature scores about as high on it as a covered
# ask does on its own, but does not stand out from the other features as far. Fitted on every ask
# of halcyon, crewline and haulmark, each set weighing the same (`triage_eval --fit`).
COVERED = (2.7429, 1.4813, -3.6575)
STANDOUT_OF = 10  # the best feature's standing is read among this many best features
NEW_NEED_AT = 0.2  # "probably new" from here: the best F1 of the flag on those asks (`triage_eval --fit`)
SEARCH_FLOOR = 0.2  # a search lists only what is at least this likely


def likelihood(score: float, curve: tuple[float, float] | None = None) -> float:
    """The chance, 0..1, that a candidate with this score is the same need."""
    slope, intercept = curve or CALIBRATION
    return 1 / (1 + math.exp(-(slope * score + intercept)))


def covered_reading(feature_scores: Sequence[float] | NDArray[np.float64]) -> tuple[float, float]:
    """(best, standout) of an ask's feature candidates' scores: the best score, and how many
    standard deviations it stands above the mean of the `STANDOUT_OF` best."""
    top = np.sort(np.asarray(feature_scores, dtype=np.float64))[::-1][:STANDOUT_OF]
    if len(top) < 2:
        return (float(top[0]) if len(top) else 0.0), 0.0
    return float(top[0]), float((top[0] - top.mean()) / (top.std() + 1e-6))


def new_need_chance(
    feature_scores: Sequence[float] | NDArray[np.float64], curve: tuple[float, float, float] | None = None
) -> float:
    """How likely it is, 0..1, that no feature with these scores covers the ask's need."""
    if not len(feature_scores):
        return 1.0
    a, b, c = curve or COVERED
    best, standout = covered_reading(feature_scores)
    return 1 - 1 / (1 + math.exp(-(a * best + b * standout + c)))


def _suggest(
    *, user: User, need: str, why: str, customer: str, exclude: int | None, limit: int, asks: bool, typing: bool = False
) -> Triage:
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
    # The vectors stored when the ask was logged keep its label: a query without it no longer meets
    # other asks on their shared label.
    need = wording.without_label(need, index.vocabulary)
    query_terms = wording.repaired(wording.terms(need), index.vocabulary)
    if typing and query_terms and not need[-1:].isspace():
        completions = index.vocabulary.completions(query_terms[-1])
        query_terms += completions
        if completions:  # the sentence model reads the unfinished word as its likeliest completion
            need = re.sub(r"[A-Za-z0-9]+$", completions[0], need)
    if not query_terms:
        return []
    query_stems = {wording.stem(t) for t in query_terms}
    weights = {s: index.vocabulary.weight(s) for s in query_stems}
    vector = services.ask_vectors([(" ".join(query_terms), why, "")])[0]
    # Word vectors choose the candidates (one product over every waiting ask and feature is cheap);
    # the sentence model, at a few milliseconds a text, reads only the query.
    sentence = services.ask_sentences([(need, "")])[0]

    waiting_ids, _ = index.nearest_waiting(vector, WAITING_ASKS if asks else 0, exclude)
    waiting_sentences = index.waiting_sentence_cosines(waiting_ids.tolist(), sentence)
    shortlist = _feature_shortlist(index, vector, sentence)
    # Shared words are read only for the closest: the waiting asks (one query fetches their needs).
    needs = dict(Ask.objects.filter(pk__in=waiting_ids.tolist()).values_list("pk", "need"))
    found = [_feature_candidate(index, f, query_stems, weights) for f in shortlist]
    for ask_id, sentence_cosine in zip(waiting_ids.tolist(), waiting_sentences.tolist(), strict=True):
        shared, words = _shared(query_stems, weights, wording.without_label(needs.get(ask_id, ""), index.vocabulary))
        found.append(Candidate("ask", ask_id, np.array([0, 0, sentence_cosine, shared, 1.0]), words))
    return found


class Shortlisted(NamedTuple):
    position: int
    own: float  # by word vectors: the better of title and linked asks' mean
    closest: int | None  # the kept wording that reads closest (word vectors), if any
    closest_cosine: float
    support: int  # kept wordings that read as the same need
    sentence_title: float  # sentence cosine to the title and description


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
    sentence_titles = index.feature_sentence_cosines(positions, sentence).tolist()
    found = []
    for position, sentence_title, (ids, cosines) in zip(
        positions, sentence_titles, index.wordings_cosines(positions, vector), strict=True
    ):
        closest = int(np.argmax(cosines)) if len(ids) else None
        found.append(
            Shortlisted(
                position,
                float(own[position]),
                int(ids[closest]) if closest is not None else None,
                float(cosines[closest]) if closest is not None else -2.0,
                int((cosines >= SUPPORT_THRESHOLD).sum()),
                sentence_title,
            )
        )
    found.sort(key=lambda f: -max(f.own, f.closest_cosine))
    return found[:SHORTLIST]


def _feature_candidate(index: Index, f: Shortlisted, query_stems: set[str], weights: dict[str, float]) -> Candidate:
    text = index.feature_texts[f.position]
    shared, words = _shared(query_stems, weights, f"{text.title} {text.description}")
    signals = np.array([f.sentence_title, shared, 0, 0, 0])
    # The reason quotes a linked ask when it reads closer than the feature's own words.
    quote = f.closest if f.closest is not None and f.closest_cosine > f.own else None
    return Candidate("feature", int(index.feature_ids[f.position]), signals, words, f.support, quote)


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


def _visible_suggestions(user: User, ranked: list[Candidate], limit: int) -> Triage:
    top = ranked[: max(limit * 4, 20)]
    # Every feature candidate's visibility: whether the ask is new reads the best ones the user may see.
    feature_ids = [c.id for c in ranked if c.kind == "feature"]
    ask_ids = [c.id for c in top if c.kind == "ask"] + [c.quote_ask_id for c in top if c.quote_ask_id]
    features = {f.pk: f for f in feature_visible(user=user).filter(pk__in=feature_ids)} if feature_ids else {}
    visible_asks = (
        {a.pk: a for a in ask_visible(user=user).filter(pk__in=ask_ids).select_related("account")} if ask_ids else {}
    )
    suggestions: list[Suggestion] = []
    for c in top:
        if len(suggestions) == limit:
            break
        if c.kind == "feature" and c.id in features:
            reason = _feature_reason(c, features[c.id], visible_asks.get(c.quote_ask_id or 0))
            suggestions.append(Suggestion("feature", features[c.id], None, round(likelihood(c.score), 3), reason))
        elif c.kind == "ask" and c.id in visible_asks:
            ask = visible_asks[c.id]
            suggestions.append(Suggestion("ask", ask.feature, ask, round(likelihood(c.score), 3), _ask_reason(c, ask)))
    feature_scores = [c.score for c in ranked if c.kind == "feature" and c.id in features]
    return Triage(suggestions, new_need=new_need_chance(feature_scores))


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
