"""Writes of the engine's vectors. No actor: these follow writes another service already allowed.

They run inside the caller's transaction, so a rolled-back ask leaves no vector behind, and each
one logs an `IndexChange` that every process's index applies on its next call.
"""

import numpy as np
from django.db import connection, transaction
from numpy.typing import NDArray

from tandem.asks.models import Ask
from tandem.core.bulk import Table, writer_for
from tandem.product.models import Feature
from tandem.triage import wording
from tandem.triage.models import AskVector, FeatureVector, IndexChange

WHY_WEIGHT = 0.5  # why they need it helps, but is often generic ("procurement will not sign")
TITLE_WEIGHT = 2.0  # a title says the need; a description says more, and more loosely
KEPT_WORDINGS = 8  # linked asks a feature keeps as they read; the mean of all of them counts too


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
    stored_vector = wording.to_bytes(ask_vectors([(ask["need"], ask["why"], ask["account__name"])])[0])
    stored = AskVector.objects.select_for_update().filter(pk=ask_id).first()
    changed_features = set()
    if stored is not None and stored.counted_in_id is not None:
        _feature_evidence_remove(stored.counted_in_id, ask_id, wording.from_bytes(bytes(stored.vector))[0])
        changed_features.add(stored.counted_in_id)
    if ask["feature_id"] is not None:
        _feature_evidence_add(ask["feature_id"], ask_id, wording.from_bytes(stored_vector)[0])
        changed_features.add(ask["feature_id"])
    AskVector.objects.update_or_create(
        ask_id=ask_id, defaults={"vector": stored_vector, "counted_in_id": ask["feature_id"]}
    )
    IndexChange.objects.bulk_create(
        [IndexChange(ask_id=ask_id)] + [IndexChange(feature_id=f) for f in sorted(changed_features)]
    )


def _feature_evidence_add(feature_id: int, ask_id: int, vector: NDArray[np.float32]) -> None:
    stored = _feature_vector_locked(feature_id)
    if stored is None:
        return
    stored.asks_sum = (np.frombuffer(bytes(stored.asks_sum), dtype=np.float32) + vector).astype(np.float32).tobytes()
    stored.asks_count += 1
    ids, vectors = wordings_kept(*_kept(stored), ask_id, vector)
    stored.kept_asks, stored.kept_vectors = ids.tobytes(), wording.to_bytes(vectors) if len(ids) else b""
    stored.save(update_fields=["asks_sum", "asks_count", "kept_asks", "kept_vectors"])


def _feature_evidence_remove(feature_id: int, ask_id: int, vector: NDArray[np.float32]) -> None:
    stored = _feature_vector_locked(feature_id)
    if stored is None:
        return
    stored.asks_count = max(0, stored.asks_count - 1)
    total = np.frombuffer(bytes(stored.asks_sum), dtype=np.float32) - vector
    stored.asks_sum = total.astype(np.float32).tobytes() if stored.asks_count else _zeros()
    # The wording it brought leaves with it; the mean still holds the feature's other asks.
    ids, vectors = _kept(stored)
    kept = ids != ask_id
    stored.kept_asks = ids[kept].tobytes()
    stored.kept_vectors = wording.to_bytes(vectors[kept]) if kept.any() else b""
    stored.save(update_fields=["asks_sum", "asks_count", "kept_asks", "kept_vectors"])


def _feature_vector_locked(feature_id: int) -> FeatureVector | None:
    stored = FeatureVector.objects.select_for_update().filter(pk=feature_id).first()
    if stored is None:
        feature = Feature.objects.filter(pk=feature_id).values("title", "description").first()
        if feature is None:
            return None
        stored = _feature_vector_new(feature_id, feature["title"], feature["description"])
    return stored


def _kept(stored: FeatureVector) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    ids = np.frombuffer(bytes(stored.kept_asks), dtype=np.int64)
    if not len(ids):
        return ids, np.zeros((0, wording.DIMENSIONS), dtype=np.float32)
    return ids, wording.from_bytes(bytes(stored.kept_vectors))


def wordings_kept(
    ids: NDArray[np.int64], vectors: NDArray[np.float32], ask_id: int, vector: NDArray[np.float32]
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """The feature's kept wordings once `ask_id` is linked: at most KEPT_WORDINGS, as different as can be.

    When one too many, the older of the two that read most alike goes: a feature keeps one of each
    way customers put it, and the newest phrasing of each.
    """
    ids = np.append(ids, ask_id)
    vectors = np.vstack([vectors, vector])
    if len(ids) <= KEPT_WORDINGS:
        return ids, vectors
    alike = vectors @ vectors.T
    np.fill_diagonal(alike, -2)
    first, second = np.unravel_index(int(np.argmax(alike)), alike.shape)
    drop = min(first, second)  # rows are in linking order: the lower one is the older
    keep = np.arange(len(ids)) != drop
    return ids[keep], vectors[keep]


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
        kept: dict[int, tuple[NDArray[np.int64], NDArray[np.float32]]] = {}
        no_wordings = (np.zeros(0, dtype=np.int64), np.zeros((0, wording.DIMENSIONS), dtype=np.float32))
        asks = 0
        last = 0
        size = wording.DIMENSIONS
        while True:
            rows = list(
                Ask.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "need", "why", "account__name", "feature_id")[:BATCH]
            )
            if not rows:
                break
            stored = wording.to_bytes(ask_vectors([(need, why, name) for _, need, why, name, _ in rows]))
            vectors = wording.from_bytes(stored)  # as the hooks will read them back
            _ask_vectors_write(
                [(pk, stored[i * size : (i + 1) * size], feature_id) for i, (pk, *_, feature_id) in enumerate(rows)]
            )
            for i, (pk, *_, feature_id) in enumerate(rows):
                if feature_id is not None:
                    sums[feature_id] = sums.get(feature_id, 0) + vectors[i]
                    counts[feature_id] = counts.get(feature_id, 0) + 1
                    kept[feature_id] = wordings_kept(*kept.get(feature_id, no_wordings), pk, vectors[i])
            asks += len(rows)
            last = rows[-1][0]
            if progress:
                print(f"  {asks} asks", flush=True)
        features = list(Feature.objects.order_by("pk").values_list("pk", "title", "description"))
        for start in range(0, len(features), BATCH):
            chunk = features[start : start + BATCH]
            vectors = feature_vectors([(title, description) for _, title, description in chunk])
            rows_kept = [kept.get(pk, no_wordings) for pk, _, _ in chunk]
            FeatureVector.objects.bulk_create(
                FeatureVector(
                    feature_id=pk,
                    vector=wording.to_bytes(vector),
                    asks_sum=np.asarray(sums.get(pk, 0) + np.zeros(wording.DIMENSIONS), dtype=np.float32).tobytes(),
                    asks_count=counts.get(pk, 0),
                    kept_asks=ids.tobytes(),
                    kept_vectors=wording.to_bytes(kept_vectors) if len(ids) else b"",
                )
                for (pk, _, _), vector, (ids, kept_vectors) in zip(chunk, vectors, rows_kept, strict=True)
            )
        IndexChange.objects.create()  # both ids empty: every process reloads
    return len(features), asks


def _ask_vectors_write(rows: list[tuple[int, bytes, int | None]]) -> None:
    """Write (ask, vector, feature) rows as fast as the database takes them: COPY on PostgreSQL
    (half a million rows in seconds rather than minutes), a batched insert elsewhere."""
    writer_for(connection).write(Table(AskVector, ("ask", "vector", "counted_in"), rows), progress=False)
