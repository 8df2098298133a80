"""Writes of the engine's vectors. No actor: these follow writes another service already allowed.

They run inside the caller's transaction, so a rolled-back ask leaves no vector behind, and each
one logs an `IndexChange` that every process's index applies on its next call.
"""

import numpy as np
from django.db import transaction
from numpy.typing import NDArray

from tandem.asks.models import Ask
from tandem.product.models import Feature
from tandem.triage import wording
from tandem.triage.index import sign_code
from tandem.triage.models import AskVector, FeatureVector, IndexChange

WHY_WEIGHT = 0.5  # why they need it helps, but is often generic ("procurement will not sign")
TITLE_WEIGHT = 2.0  # a title says the need; a description says more, and more loosely


def ask_vectors(asks: list[tuple[str, str, str]]) -> NDArray[np.float32]:
    """Unit vectors of (need, why, customer's name) triples."""
    texts = [_wording(wording.without_name(part, name)) for need, why, name in asks for part in (need, why)]
    vectors = wording.embed(texts).reshape(len(asks), 2, wording.DIMENSIONS)
    return _unit(vectors[:, 0] + WHY_WEIGHT * vectors[:, 1])


def feature_vectors(features: list[tuple[str, str]]) -> NDArray[np.float32]:
    """Unit vectors of (title, description) pairs."""
    texts = [_wording(part) for title, description in features for part in (title, description)]
    vectors = wording.embed(texts).reshape(len(features), 2, wording.DIMENSIONS)
    return _unit(TITLE_WEIGHT * vectors[:, 0] + vectors[:, 1])


def _wording(text: str) -> str:
    """Only the words that tell needs apart: a vector averages its words, and 'they', 'need', 'our'
    would pull every ask towards every other."""
    return " ".join(wording.terms(text))


def _unit(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


@transaction.atomic
def ask_vector_store(*, ask_id: int) -> None:
    """Store the ask's vector as it reads now, and move it into the evidence of the feature it names now."""
    ask = Ask.objects.filter(pk=ask_id).values("need", "why", "feature_id", "account__name").first()
    if ask is None:
        return
    vector = ask_vectors([(ask["need"], ask["why"], ask["account__name"])])[0]
    stored = AskVector.objects.select_for_update().filter(pk=ask_id).first()
    changed_features = set()
    if stored is not None and stored.counted_in_id is not None:
        _feature_evidence_add(stored.counted_in_id, -wording.from_bytes(bytes(stored.vector)), -1)
        changed_features.add(stored.counted_in_id)
    if ask["feature_id"] is not None:
        _feature_evidence_add(ask["feature_id"], wording.from_bytes(wording.to_bytes(vector)), 1)
        changed_features.add(ask["feature_id"])
    AskVector.objects.update_or_create(
        ask_id=ask_id,
        defaults={"vector": wording.to_bytes(vector), "code": sign_code(vector), "counted_in_id": ask["feature_id"]},
    )
    IndexChange.objects.bulk_create(
        [IndexChange(ask_id=ask_id)] + [IndexChange(feature_id=f) for f in sorted(changed_features)]
    )


def _feature_evidence_add(feature_id: int, vector: NDArray[np.float32], count: int) -> None:
    stored = FeatureVector.objects.select_for_update().filter(pk=feature_id).first()
    if stored is None:
        feature = Feature.objects.filter(pk=feature_id).values("title", "description").first()
        if feature is None:
            return
        stored = _feature_vector_new(feature_id, feature["title"], feature["description"])
    total = np.frombuffer(bytes(stored.asks_sum), dtype=np.float32) + vector
    stored.asks_count = max(0, stored.asks_count + count)
    stored.asks_sum = total.astype(np.float32).tobytes() if stored.asks_count else _zeros()
    stored.save(update_fields=["asks_sum", "asks_count"])


def _feature_vector_new(feature_id: int, title: str, description: str) -> FeatureVector:
    vector = feature_vectors([(title, description)])[0]
    return FeatureVector.objects.create(
        feature_id=feature_id, vector=wording.to_bytes(vector), asks_sum=_zeros(), asks_count=0
    )


def _zeros() -> bytes:
    return np.zeros(wording.DIMENSIONS, dtype=np.float32).tobytes()


@transaction.atomic
def feature_vector_store(*, feature_id: int) -> None:
    """Store the feature's title and description as they read now, keeping what its asks taught."""
    feature = Feature.objects.filter(pk=feature_id).values("title", "description").first()
    if feature is None:
        return
    vector = feature_vectors([(feature["title"], feature["description"])])[0]
    updated = FeatureVector.objects.filter(pk=feature_id).update(vector=wording.to_bytes(vector))
    if not updated:
        _feature_vector_new(feature_id, feature["title"], feature["description"])
    IndexChange.objects.create(feature_id=feature_id)


BATCH = 5000


def triage_index_rebuild(*, progress: bool = False) -> tuple[int, int]:
    """Recompute every feature's and ask's vector from scratch (after a seed, an import or an upgrade).

    Every process reloads its index afterwards. Returns (features, asks) indexed.
    """
    with transaction.atomic():
        IndexChange.objects.all().delete()
        AskVector.objects.all().delete()
        FeatureVector.objects.all().delete()
        sums: dict[int, NDArray[np.float32]] = {}
        counts: dict[int, int] = {}
        asks = 0
        last = 0
        while True:
            rows = list(
                Ask.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "need", "why", "account__name", "feature_id")[:BATCH]
            )
            if not rows:
                break
            vectors = ask_vectors([(need, why, name) for _, need, why, name, _ in rows])
            stored = []
            for (pk, _, _, _, feature_id), vector in zip(rows, vectors, strict=True):
                half = wording.to_bytes(vector)
                stored.append(AskVector(ask_id=pk, vector=half, code=sign_code(vector), counted_in_id=feature_id))
                if feature_id is not None:
                    sums[feature_id] = sums.get(feature_id, 0) + wording.from_bytes(half)
                    counts[feature_id] = counts.get(feature_id, 0) + 1
            AskVector.objects.bulk_create(stored)
            asks += len(rows)
            last = rows[-1][0]
            if progress:
                print(f"  {asks} asks", flush=True)
        features = list(Feature.objects.order_by("pk").values_list("pk", "title", "description"))
        for start in range(0, len(features), BATCH):
            chunk = features[start : start + BATCH]
            vectors = feature_vectors([(title, description) for _, title, description in chunk])
            FeatureVector.objects.bulk_create(
                FeatureVector(
                    feature_id=pk,
                    vector=wording.to_bytes(vector),
                    asks_sum=np.asarray(sums.get(pk, 0) + np.zeros(wording.DIMENSIONS), dtype=np.float32).tobytes(),
                    asks_count=counts.get(pk, 0),
                )
                for (pk, _, _), vector in zip(chunk, vectors, strict=True)
            )
        IndexChange.objects.create()  # both ids empty: every process reloads
    return len(features), asks
