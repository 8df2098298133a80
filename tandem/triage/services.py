"""Writes of the engine's vectors. No actor: these follow writes another service already allowed.

They run inside the caller's transaction, so a rolled-back ask leaves no vector behind, and each
one logs an `IndexChange` that every process's index applies on its next call.
"""

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from numpy.typing import NDArray

from tandem.asks.models import Ask
from tandem.core.bulk import Table, progress_bar, writer_for
from tandem.product.models import Feature
from tandem.triage import sentences, wording
from tandem.triage.index import heap_release
from tandem.triage.models import AskVector, FeatureVector, IndexChange

WHY_WEIGHT = 0.5  # why they need it helps, but is often generic ("procurement will not sign")
TITLE_WEIGHT = 2.0  # a title says the need; a description says more, and more loosely
KEPT_WORDINGS = 8  # linked asks a feature keeps as they read; the mean of all of them counts too
# Whether a link teaches the feature its ask's wording. Always, except in `triage_eval`'s run that
# measures what that teaching is worth.
LEARNING = True


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


def ask_sentence_text(need: str, name: str) -> str:
    """What the sentence model reads of an ask: the need as the customer put it, shorthand spelt out."""
    return wording.spelt_out(wording.without_name(need, name))


def feature_sentence_text(title: str, description: str) -> str:
    """What the sentence model reads of a feature: its title, then its description."""
    return wording.spelt_out(f"{title}. {description}")


def ask_sentences(asks: list[tuple[str, str]], *, bulk: bool = False) -> NDArray[np.float32]:
    """Sentence vectors of (need, customer's name) pairs."""
    return sentences.embed([ask_sentence_text(need, name) for need, name in asks], bulk=bulk)


def feature_sentences(features: list[tuple[str, str]], *, bulk: bool = False) -> NDArray[np.float32]:
    """Sentence vectors of (title, description) pairs."""
    return sentences.embed([feature_sentence_text(title, description) for title, description in features], bulk=bulk)


def _wording(text: str) -> str:
    """Only the words that tell needs apart: a vector averages its words, and 'they', 'need', 'our'
    would pull every ask towards every other."""
    return " ".join(wording.terms(text))


def _unit(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def wording_dropped(vectors: NDArray[np.float32]) -> int | None:
    """Which of a feature's wordings (word vectors, in linking order) goes when it has one too many.

    The older of the two that read most alike: a feature keeps one of each way customers put it,
    and the newest phrasing of each.
    """
    if len(vectors) <= KEPT_WORDINGS:
        return None
    alike = vectors @ vectors.T
    np.fill_diagonal(alike, -2)
    first, second = np.unravel_index(int(np.argmax(alike)), alike.shape)
    return int(min(first, second))


@dataclass
class Kept:
    """A feature's kept wordings: linked asks' ids and their word vectors, in linking order."""

    ask_ids: NDArray[np.int64]
    vectors: NDArray[np.float32]

    @classmethod
    def none(cls) -> "Kept":
        return cls(np.zeros(0, dtype=np.int64), np.zeros((0, wording.DIMENSIONS), dtype=np.float32))

    def with_wording(self, ask_id: int, vector: NDArray[np.float32]) -> "Kept":
        """These wordings once `ask_id` is linked: at most KEPT_WORDINGS, as different as can be."""
        kept = Kept(np.append(self.ask_ids, ask_id), np.vstack([self.vectors, vector]))
        drop = wording_dropped(kept.vectors)
        return kept if drop is None else kept.only(np.arange(len(kept.ask_ids)) != drop)

    def only(self, keep: NDArray[np.bool_]) -> "Kept":
        return Kept(self.ask_ids[keep], self.vectors[keep])

    def store(self, stored: FeatureVector) -> None:
        stored.kept_asks = self.ask_ids.tobytes()
        stored.kept_vectors = wording.to_bytes(self.vectors) if len(self.ask_ids) else b""

    @classmethod
    def stored(cls, stored: FeatureVector) -> "Kept":
        ids = np.frombuffer(bytes(stored.kept_asks), dtype=np.int64)
        if not len(ids):
            return cls.none()
        return cls(ids, wording.from_bytes(bytes(stored.kept_vectors)))


@transaction.atomic
def ask_vector_store(*, ask_id: int) -> None:
    """Store the ask's vector as it reads now, and move it into the evidence of the feature it names now."""
    ask = Ask.objects.filter(pk=ask_id).values("need", "why", "feature_id", "account__name").first()
    if ask is None:
        return
    stored_vector = wording.to_bytes(ask_vectors([(ask["need"], ask["why"], ask["account__name"])])[0])
    stored_sentence = wording.to_bytes(ask_sentences([(ask["need"], ask["account__name"])])[0])
    stored = AskVector.objects.select_for_update().filter(pk=ask_id).first()
    changed_features = set()
    if stored is not None and stored.counted_in_id is not None:
        _feature_evidence_remove(stored.counted_in_id, ask_id, wording.from_bytes(bytes(stored.vector))[0])
        changed_features.add(stored.counted_in_id)
    counted_in = ask["feature_id"] if LEARNING else None
    if counted_in is not None:
        _feature_evidence_add(counted_in, ask_id, wording.from_bytes(stored_vector)[0])
        changed_features.add(counted_in)
    AskVector.objects.update_or_create(
        ask_id=ask_id,
        defaults={"vector": stored_vector, "sentence": stored_sentence, "counted_in_id": counted_in},
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
    Kept.stored(stored).with_wording(ask_id, vector).store(stored)
    stored.save(update_fields=["asks_sum", "asks_count", "kept_asks", "kept_vectors"])


def _feature_evidence_remove(feature_id: int, ask_id: int, vector: NDArray[np.float32]) -> None:
    stored = _feature_vector_locked(feature_id)
    if stored is None:
        return
    stored.asks_count = max(0, stored.asks_count - 1)
    total = np.frombuffer(bytes(stored.asks_sum), dtype=np.float32) - vector
    stored.asks_sum = total.astype(np.float32).tobytes() if stored.asks_count else _zeros()
    # The wording it brought leaves with it; the mean still holds the feature's other asks.
    kept = Kept.stored(stored)
    kept.only(kept.ask_ids != ask_id).store(stored)
    stored.save(update_fields=["asks_sum", "asks_count", "kept_asks", "kept_vectors"])


def _feature_vector_locked(feature_id: int) -> FeatureVector | None:
    stored = FeatureVector.objects.select_for_update().filter(pk=feature_id).first()
    if stored is None:
        feature = Feature.objects.filter(pk=feature_id).values("title", "description").first()
        if feature is None:
            return None
        stored = _feature_vector_new(feature_id, feature["title"], feature["description"])
    return stored


def _feature_vector_new(feature_id: int, title: str, description: str) -> FeatureVector:
    return FeatureVector.objects.create(
        feature_id=feature_id,
        vector=wording.to_bytes(feature_vectors([(title, description)])[0]),
        sentence=wording.to_bytes(feature_sentences([(title, description)])[0]),
        asks_sum=_zeros(),
        asks_count=0,
    )


def _zeros() -> bytes:
    return np.zeros(wording.DIMENSIONS, dtype=np.float32).tobytes()


@transaction.atomic
def feature_vector_store(*, feature_id: int) -> None:
    """Store the feature's title and description as they read now, keeping what its asks taught."""
    feature = Feature.objects.filter(pk=feature_id).values("title", "description").first()
    if feature is None:
        return
    text = (feature["title"], feature["description"])
    updated = FeatureVector.objects.filter(pk=feature_id).update(
        vector=wording.to_bytes(feature_vectors([text])[0]), sentence=wording.to_bytes(feature_sentences([text])[0])
    )
    if not updated:
        _feature_vector_new(feature_id, feature["title"], feature["description"])
    IndexChange.objects.create(feature_id=feature_id)


BATCH = 5000
FEATURE_BATCH = 1000  # features a step


def triage_index_rebuild(*, progress: bool = False) -> tuple[int, int]:
    """Recompute every feature's and ask's vector from scratch (after a seed, an import or an upgrade).

    Sentence vectors cost milliseconds a text, so only those ever read are computed: the asks
    waiting for triage (or merged into one that waits) and every feature's title and description,
    all of them in one bulk call (`sentences.embed`: each distinct text once, in large batches of
    like length, on every core). Every process reloads its index afterwards. Returns (features,
    asks) indexed.
    """
    with transaction.atomic():
        IndexChange.objects.all().delete()
        AskVector.objects.all().delete()
        FeatureVector.objects.all().delete()
        sums: dict[int, NDArray[np.float32]] = {}
        counts: dict[int, int] = {}
        # Each feature's kept wordings as (ask ids, int8 word vectors as stored: a quarter of the
        # memory of float32 for 150,000 of them).
        kept_words: dict[int, tuple[NDArray[np.int64], NDArray[np.int8]]] = {}
        asks = 0
        last = 0
        size = wording.DIMENSIONS
        features = list(Feature.objects.order_by("pk").values_list("pk", "title", "description"))
        waiting_sentences, feature_stored_sentences = _index_sentences(features, progress=progress)
        bar = progress_bar("suggestion index: asks", total=Ask.objects.count(), enabled=progress)
        while True:
            rows = list(
                Ask.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "need", "why", "account__name", "feature_id", "status", "duplicate_of__status")[
                    :BATCH
                ]
            )
            if not rows:
                break
            stored = wording.to_bytes(ask_vectors([(need, why, name) for _, need, why, name, *_ in rows]))
            vectors = wording.from_bytes(stored)  # as the hooks will read them back
            _ask_vectors_write(
                [
                    (pk, stored[i * size : (i + 1) * size], feature_id, waiting_sentences.pop(pk, b""))
                    for i, (pk, *_, feature_id, _, _) in enumerate(rows)
                ]
            )
            for i, (pk, *_, feature_id, _, _) in enumerate(rows):
                if feature_id is not None:
                    sums[feature_id] = sums.get(feature_id, 0) + vectors[i]
                    counts[feature_id] = counts.get(feature_id, 0) + 1
                    kept_words[feature_id] = _wording_added(
                        kept_words.get(feature_id), pk, np.frombuffer(stored, np.int8, size, i * size)
                    )
            asks += len(rows)
            last = rows[-1][0]
            bar.update(len(rows))
        bar.close()
        bar = progress_bar("suggestion index: features", total=len(features), enabled=progress)
        chunk_rows: list[FeatureVector] = []
        for start in range(0, len(features), FEATURE_BATCH):
            chunk = features[start : start + FEATURE_BATCH]
            texts = [(title, description) for _, title, description in chunk]
            for (pk, _, _), vector, sentence in zip(
                chunk, feature_vectors(texts), feature_stored_sentences[start : start + len(chunk)], strict=True
            ):
                stored_feature = FeatureVector(
                    feature_id=pk,
                    vector=wording.to_bytes(vector),
                    sentence=sentence,
                    asks_sum=np.asarray(sums.get(pk, 0) + np.zeros(wording.DIMENSIONS), dtype=np.float32).tobytes(),
                    asks_count=counts.get(pk, 0),
                )
                ids, stored_vectors = kept_words.pop(pk, _NONE_KEPT)
                Kept(ids, wording.from_bytes(stored_vectors.tobytes())).store(stored_feature)
                chunk_rows.append(stored_feature)
            FeatureVector.objects.bulk_create(chunk_rows)
            chunk_rows.clear()
            bar.update(len(chunk))
        bar.close()
        IndexChange.objects.create()  # both ids empty: every process reloads
    return len(features), asks


def _index_sentences(features: list[tuple[int, str, str]], *, progress: bool) -> tuple[dict[int, bytes], list[bytes]]:
    """Stored sentence vectors of every ask the index scans as waiting (by ask id) and of `features`
    (in their order), from one bulk call: sorting all of them by length leaves little padding."""
    waiting = list(
        Ask.objects.filter(Q(status=Ask.Status.NEW) | Q(duplicate_of__status=Ask.Status.NEW), feature__isnull=True)
        .order_by("pk")
        .values_list("pk", "need", "account__name")
    )
    texts = [ask_sentence_text(need, name) for _, need, name in waiting]
    texts += [feature_sentence_text(title, description) for _, title, description in features]
    bar = progress_bar("suggestion index: sentences (distinct)", total=len(set(texts)), enabled=progress)
    vectors = sentences.embed(texts, bulk=True, done=bar.update)
    bar.close()
    # As stored (int8) a few thousand at a time: to_bytes's float temporaries of all 60,000 at
    # once would add 300 MB to the seed's peak.
    stored = [row for start in range(0, len(vectors), 4096) for row in _rows_bytes(vectors[start : start + 4096])]
    del vectors
    heap_release()
    return dict(zip((pk for pk, _, _ in waiting), stored[: len(waiting)], strict=True)), stored[len(waiting) :]


def _wording_added(
    kept: tuple[NDArray[np.int64], NDArray[np.int8]] | None, ask_id: int, stored: NDArray[np.int8]
) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    ids, vectors = np.append((kept or _NONE_KEPT)[0], ask_id), np.vstack([(kept or _NONE_KEPT)[1], stored])
    drop = wording_dropped(wording.from_bytes(vectors.tobytes()))  # as the hooks read them
    return (ids, vectors) if drop is None else (np.delete(ids, drop), np.delete(vectors, drop, axis=0))


_NONE_KEPT = (np.zeros(0, dtype=np.int64), np.zeros((0, wording.DIMENSIONS), dtype=np.int8))


def _rows_bytes(vectors: NDArray[np.float32]) -> list[bytes]:
    stored = wording.to_bytes(vectors) if len(vectors) else b""
    width = vectors.shape[1]
    return [stored[i * width : (i + 1) * width] for i in range(len(vectors))]


def _ask_vectors_write(rows: list[tuple[int, bytes, int | None, bytes]]) -> None:
    """Write (ask, vector, feature, sentence) rows as fast as the database takes them: COPY on
    PostgreSQL (half a million rows in seconds rather than minutes), a batched insert elsewhere."""
    writer_for(connection).write(Table(AskVector, ("ask", "vector", "counted_in", "sentence"), rows), progress=False)
