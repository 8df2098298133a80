"""Would the PM's links teach the suggestions more if a feature were also scored by its linked asks?

    DJANGO_SETTINGS_MODULE=tandem.settings.test python -m bench.triage_learning [--set NAME ...]

Triages each labelled set in arrival order exactly as `manage.py triage_eval` does (same services,
same PM), keeping for every ask its candidates and their signals, its sentence vector, and the
asks linked to each feature at that moment (with the asks merged into them). Then re-scores the
same candidates offline with one more term for a feature, from its linked asks:

- `sentence max`: how far the closest linked ask's sentence cosine exceeds the title's (nearest of set);
- `sentence knn`: the feature's share of the query's 5 nearest linked asks (a vote that spreads
  when linked asks of several features read alike, as asks in one language or register do);
- `sentence centroid`: the cosine to the linked asks' mean;
- `words max` / `words union`: the distinctive words shared with the closest linked ask / with all
  of them (weighted by rarity among the features, as the shared-words signal is).

Prints precision@1 over the asks whose need has a feature, whole and first half -> second half of
the arrivals, for each term at a few weights (0 is today's engine). By default only the sets
already used for fitting or choosing: running it on a set kept for measuring would make that set
one used for choosing (docs/triage.md). An experiment, not a test: it asserts nothing.
"""

import argparse
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django
import numpy as np

Array = np.ndarray


@dataclass
class Moment:
    """One ask as it arrived: its candidates and what the features' links were then."""

    covered: bool
    position: int
    signals: Array
    features: Array
    right: Array
    ids: Array
    query: Array  # unit sentence vector
    stems: set[str]
    linked: dict[int, list[tuple[Array, set[str]]]]  # feature id -> its linked asks' sentence vectors, stems


def collect(name: str) -> tuple[list[Moment], dict[str, int], int]:
    from tandem.asks.models import Ask
    from tandem.triage import evaluation, services, suggestions, wording

    labelled = evaluation.labelled_set(name)
    data = labelled.load()
    documents: dict[str, int] = defaultdict(int)
    for f in data["features"]:
        for s in {s for s, _ in wording.stemmed(f"{f['title']} {f['description']}")}:
            documents[s] += 1
    cache: dict[str, tuple[Array, set[str]]] = {}

    def read(need: str, customer: str) -> tuple[Array, set[str]]:
        if need not in cache:
            vector = services.ask_sentences([(need, customer)])[0]
            text = wording.without_name(need, customer)
            cache[need] = (vector / (np.linalg.norm(vector) or 1.0), {s for s, _ in wording.stemmed(text)})
        return cache[need]

    moments: list[Moment] = []

    def engine(*, user: Any, ask: Any, limit: int) -> Any:
        linked: dict[int, list[tuple[Array, set[str]]]] = defaultdict(list)
        rows = (
            Ask.objects.filter(feature__isnull=False)
            .exclude(pk=ask.pk)
            .values_list("feature_id", "need", "account__name")
        )
        for feature_id, need, customer in rows:
            linked[feature_id].append(read(need, customer))
        query, stems = read(ask.need, ask.account.name)
        moments.append(
            Moment(False, len(moments), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), query, stems, dict(linked))
        )
        return suggestions.ask_triage(user=user, ask=ask, limit=limit)

    result = evaluation.evaluate(labelled, engine=engine, candidates=True)
    for moment, q in zip(moments, result.queries, strict=True):
        moment.covered, moment.signals, moment.features, moment.right, moment.ids = (
            q.covered,
            q.signals,
            q.features,
            q.right,
            q.ids,
        )
    return moments, dict(documents), len(data["features"])


Term = Callable[[Moment, int, float], float]


def terms(documents: dict[str, int], n_features: int) -> dict[str, Term]:
    def weight(s: str) -> float:
        return math.log((n_features + 1) / (documents.get(s, 0) + 0.5))

    def shared(query: set[str], other: set[str]) -> float:
        total = sum(weight(s) for s in query)
        return sum(weight(s) for s in query & other) / total if total else 0.0

    def sentence_max(m: Moment, feature: int, title: float) -> float:
        return max(0.0, max(float(v @ m.query) for v, _ in m.linked[feature]) - title - 0.05)

    def sentence_knn(m: Moment, feature: int, title: float) -> float:
        every = [(float(v @ m.query), f) for f, asks in m.linked.items() for v, _ in asks]
        nearest = sorted(every, reverse=True)[:5]
        return sum(c for c, f in nearest if f == feature) / (sum(c for c, _ in nearest) or 1.0)

    def sentence_centroid(m: Moment, feature: int, title: float) -> float:
        mean = np.mean([v for v, _ in m.linked[feature]], axis=0)
        return float(mean @ m.query / (np.linalg.norm(mean) or 1.0))

    def words_max(m: Moment, feature: int, title: float) -> float:
        return max(shared(m.stems, s) for _, s in m.linked[feature])

    def words_union(m: Moment, feature: int, title: float) -> float:
        return shared(m.stems, set().union(*(s for _, s in m.linked[feature])))

    return {
        "sentence max": sentence_max,
        "sentence knn": sentence_knn,
        "sentence centroid": sentence_centroid,
        "words max": words_max,
        "words union": words_union,
    }


def precision(moments: list[Moment], term: Term, weight: float) -> tuple[float, float, float]:
    from tandem.triage.suggestions import WEIGHTS

    hits: list[list[bool]] = [[], []]
    half = len(moments) // 2
    for m in moments:
        if not m.covered or not len(m.signals):
            continue
        scores = m.signals @ WEIGHTS
        if weight:
            for i in np.flatnonzero(m.features):
                if int(m.ids[i]) in m.linked:
                    scores[i] += weight * term(m, int(m.ids[i]), float(m.signals[i, 0]))
        hits[m.position >= half].append(bool(m.right[int(np.argmax(scores))]))
    both = hits[0] + hits[1]
    return float(np.mean(both)), float(np.mean(hits[0])), float(np.mean(hits[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set", dest="sets", action="append", help="A labelled set (default: those used for fitting or choosing)."
    )
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tandem.triage.evaluation import SETS

    names = args.sets or [s.name for s in SETS if s.fitted]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for name in names:
            moments, documents, n_features = collect(name)
            print(f"\n{name}: precision@1, whole (first half -> second half of the arrivals)")
            base = precision(moments, lambda m, f, t: 0.0, 0.0)
            print(f"  {'today (no term)':20} {base[0]:.3f} ({base[1]:.3f} -> {base[2]:.3f})")
            for label, term in terms(documents, n_features).items():
                cells = []
                for weight in (0.25, 0.5, 1.0):
                    whole, first, second = precision(moments, term, weight)
                    cells.append(f"w {weight}: {whole:.3f} ({first:.3f} -> {second:.3f})")
                print(f"  {label:20} " + "   ".join(cells))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
