"""The in-memory index each web process keeps, and how it stays in step with the database.

Only asks still waiting for triage (status new, no feature) are ever suggested as asks, so only
they are scanned: about 40,000 in the large workspace, not 500,000. An ask merged into one that
waits is scanned too, as another wording of it: a match on the duplicate suggests the original.
A linked ask counts through its feature: the mean of its linked asks' word vectors and the few
kept as the feature's wordings, which choose the candidates (`FeatureVector`). Per process: each
waiting ask's word vector (1 KB, 40 MB for 40,000) and sentence vector (384 bytes as int8, 15 MB),
each feature's title vector and linked-asks mean (2 KB, 40 MB for 20,000) and sentence vector
(384 bytes), and its kept wordings' word vectors as int8 (up to `services.KEPT_WORDINGS` x 256
bytes). The first call loads it from
`AskVector` / `FeatureVector`; every later call first applies the `IndexChange` rows written
since, so a link made in one process is learnt by all of them on their next call.
"""

import contextlib
import ctypes
import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from numpy.typing import NDArray

from tandem.triage import sentences, wording
from tandem.triage.models import AskVector, FeatureVector, IndexChange

logger = logging.getLogger(__name__)

# Change ids are allocated when a transaction inserts its row but become visible when it commits,
# so a later id can be seen before an earlier one. Re-reading the last WINDOW ids catches those.
WINDOW = 500
LOAD_CHUNK = 20_000
FEATURE_CHUNK = 2_000  # rows of a few KB each: small chunks keep the heap from fragmenting

# The asks scanned as waiting: those waiting for triage, and those merged into one that waits.
WAITING = Q(ask__status="new", ask__feature__isnull=True) | Q(
    ask__status="merged", ask__feature__isnull=True, ask__duplicate_of__status="new"
)


@dataclass
class FeatureText:
    title: str
    description: str


@dataclass
class Wordings:
    """A feature's kept linked asks: their ids, their int8 word vectors as stored, and those vectors' lengths."""

    ask_ids: NDArray[np.int64]
    vectors: NDArray[np.int8]
    norms: NDArray[np.float32]


NO_WORDINGS = Wordings(
    np.zeros(0, dtype=np.int64),
    np.zeros((0, wording.DIMENSIONS), dtype=np.int8),
    np.zeros(0, dtype=np.float32),
)


class Index:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.loaded = False
        self.seen = 0
        self.applied: set[tuple[int, int]] = set()  # (id, token) of recent changes already applied
        # Asks waiting for triage: rows in arrival of the change, a dead row is reused by compaction.
        self.waiting_ids = np.zeros(0, dtype=np.int64)
        self.waiting_roots = np.zeros(0, dtype=np.int64)  # the waiting ask each row stands for
        self.waiting_vectors = np.zeros((0, wording.DIMENSIONS), dtype=np.float32)
        self.waiting_sentences = np.zeros((0, sentences.DIMENSIONS), dtype=np.int8)  # as stored: 384 bytes each
        self.waiting_alive = np.zeros(0, dtype=bool)
        self.n_waiting = 0  # rows in use, alive or not
        self.waiting_row: dict[int, int] = {}
        self.root_rows: dict[int, set[int]] = {}  # a waiting ask's rows: its own and its merged duplicates'
        self.feature_ids = np.zeros(0, dtype=np.int64)
        # Title vectors and linked-asks means stacked, so one matrix product scores both.
        self.feature_matrix = np.zeros((0, wording.DIMENSIONS), dtype=np.float32)
        self.feature_sentences = np.zeros((0, sentences.DIMENSIONS), dtype=np.int8)
        self.feature_alive = np.zeros(0, dtype=bool)
        self.feature_asks = np.zeros(0, dtype=np.int64)  # how many asks are linked
        self.feature_texts: list[FeatureText] = []
        self.feature_wordings: list[Wordings] = []
        self.vocabulary = wording.Vocabulary()

    def forget(self) -> None:
        """Drop everything; the next call loads afresh (after the database was replaced or rolled back)."""
        with self.lock:
            self._reset()

    @property
    def n_features(self) -> int:
        return len(self.feature_ids)

    @property
    def feature_vectors(self) -> NDArray[np.float32]:
        return self.feature_matrix[: self.n_features]

    @property
    def feature_centroids(self) -> NDArray[np.float32]:
        return self.feature_matrix[self.n_features :]

    # Loading and refreshing ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Load on first use, then apply what other processes changed since the last call."""
        with self.lock:
            if not self.loaded:
                self._load()
                return
            rows = list(
                IndexChange.objects.filter(pk__gt=self.seen - WINDOW).values_list("pk", "token", "ask_id", "feature_id")
            )
            fresh = [row for row in rows if (row[0], row[1]) not in self.applied]
            if not fresh:
                return
            if any(ask_id is None and feature_id is None for _, _, ask_id, feature_id in fresh):
                self._load()
                return
            self._apply_features({f for _, _, _, f in fresh if f is not None})
            self._apply_asks({a for _, _, a, _ in fresh if a is not None})
            self.applied.update((pk, token) for pk, token, _, _ in fresh)
            self.seen = max(self.seen, *(pk for pk, _, _, _ in fresh))
            self.applied = {change for change in self.applied if change[0] > self.seen - WINDOW}

    def _load(self) -> None:
        self._reset()
        self.seen = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.applied = set(IndexChange.objects.filter(pk__gt=self.seen - WINDOW).values_list("pk", "token"))
        self._load_features()
        ids, roots, vectors, sentence_vectors = [], [], [], []
        last = 0
        while True:
            chunk = list(
                AskVector.objects.filter(WAITING, ask_id__gt=last)
                .order_by("ask_id")
                .values_list("ask_id", "ask__duplicate_of_id", "vector", "sentence")[:LOAD_CHUNK]
            )
            if not chunk:
                break
            ids.append(np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk)))
            roots.append(np.fromiter((row[1] or row[0] for row in chunk), dtype=np.int64, count=len(chunk)))
            vectors.append(wording.from_bytes(b"".join(bytes(row[2]) for row in chunk)))
            sentence_vectors.append(np.vstack([_sentence_row(row[3]) for row in chunk]))
            last = chunk[-1][0]
        if ids:
            self.waiting_ids = np.concatenate(ids)
            self.waiting_roots = np.concatenate(roots)
            self.waiting_vectors = np.concatenate(vectors)
            self.waiting_sentences = np.concatenate(sentence_vectors)
        self.n_waiting = len(self.waiting_ids)
        self.waiting_alive = np.ones(self.n_waiting, dtype=bool)
        self._waiting_maps()
        self.loaded = True
        heap_release()

    _FEATURE_COLUMNS = (
        "feature_id",
        "vector",
        "asks_sum",
        "asks_count",
        "kept_asks",
        "kept_vectors",
        "sentence",
        "feature__title",
        "feature__description",
    )

    def _load_features(self) -> None:
        ids, vectors, sentence_vectors, sums, counts = [], [], [], [], []
        rows = FeatureVector.objects.order_by("feature_id").values_list(*self._FEATURE_COLUMNS, named=True)
        for row in rows.iterator(FEATURE_CHUNK):
            ids.append(row.feature_id)
            vectors.append(bytes(row.vector))
            sentence_vectors.append(_sentence_row(row.sentence))
            sums.append(bytes(row.asks_sum))
            counts.append(row.asks_count)
            self.feature_texts.append(FeatureText(row.feature__title, row.feature__description))
            self.feature_wordings.append(_wordings(row.kept_asks, row.kept_vectors))
            self.vocabulary.add(f"{row.feature__title} {row.feature__description}")
        self.feature_ids = np.array(ids, dtype=np.int64)
        self.feature_asks = np.array(counts, dtype=np.int64)
        if ids:
            totals = np.frombuffer(b"".join(sums), dtype=np.float32).reshape(len(ids), wording.DIMENSIONS)
            norms = np.linalg.norm(totals, axis=1, keepdims=True)
            norms[np.array(counts) == 0] = 0
            centroids = np.divide(totals, norms, out=np.zeros_like(totals), where=norms > 0)
            self.feature_matrix = np.concatenate([wording.from_bytes(b"".join(vectors)), centroids])
            self.feature_sentences = np.vstack(sentence_vectors)
        self.feature_alive = np.ones(len(ids), dtype=bool)
        if ids and not self.feature_sentences.any(axis=1).all():
            logger.warning(
                "Some features have no sentence vector yet: run `manage.py triage_index` once (docs/deploy.md)."
            )

    def _apply_features(self, feature_ids: set[int]) -> None:
        """Reload these features' rows; a feature without a row is gone."""
        if not feature_ids:
            return
        rows = FeatureVector.objects.filter(feature_id__in=feature_ids).values_list(*self._FEATURE_COLUMNS, named=True)
        found = set()
        for row in rows:
            found.add(row.feature_id)
            position = self._feature_position(row.feature_id)
            self.feature_matrix[position] = wording.from_bytes(bytes(row.vector))[0]
            self.feature_sentences[position] = _sentence_row(row.sentence)
            self.feature_matrix[self.n_features + position] = _centroid(bytes(row.asks_sum), row.asks_count)
            self.feature_asks[position] = row.asks_count
            self.feature_alive[position] = True
            self.feature_texts[position] = FeatureText(row.feature__title, row.feature__description)
            self.feature_wordings[position] = _wordings(row.kept_asks, row.kept_vectors)
            self.vocabulary.add(f"{row.feature__title} {row.feature__description}")
        for feature_id in feature_ids - found:
            # Gone: if this process knew it, it is no longer suggested; one it never knew (created
            # and deleted since its last call) needs no row.
            known = self._known_position(feature_id)
            if known is not None:
                self.feature_alive[known] = False

    def _known_position(self, feature_id: int) -> int | None:
        position = int(np.searchsorted(self.feature_ids, feature_id))
        if position < self.n_features and self.feature_ids[position] == feature_id:
            return position
        return None

    def _feature_position(self, feature_id: int) -> int:
        """The feature's row, added (not alive yet) if this process does not know it."""
        known = self._known_position(feature_id)
        if known is not None:
            return known
        position = int(np.searchsorted(self.feature_ids, feature_id))
        n = self.n_features
        zeros = np.zeros(wording.DIMENSIONS, dtype=np.float32)
        self.feature_matrix = np.insert(self.feature_matrix, [position, n + position], zeros, axis=0)
        self.feature_sentences = np.insert(self.feature_sentences, position, 0, axis=0)
        self.feature_ids = np.insert(self.feature_ids, position, feature_id)
        self.feature_alive = np.insert(self.feature_alive, position, False)
        self.feature_asks = np.insert(self.feature_asks, position, 0)
        self.feature_texts.insert(position, FeatureText("", ""))
        self.feature_wordings.insert(position, NO_WORDINGS)
        return position

    def _waiting_maps(self) -> None:
        live = [
            (row, int(a), int(r))
            for row, (a, r) in enumerate(
                zip(
                    self.waiting_ids[: self.n_waiting].tolist(),
                    self.waiting_roots[: self.n_waiting].tolist(),
                    strict=True,
                )
            )
            if self.waiting_alive[row]
        ]
        self.waiting_row = {ask_id: row for row, ask_id, _ in live}
        self.root_rows = {}
        for row, _, root in live:
            self.root_rows.setdefault(root, set()).add(row)

    def _apply_asks(self, ask_ids: set[int]) -> None:
        """An ask that waits for triage, or is merged into one that waits, is (re)placed among the
        waiting; any other leaves them."""
        if not ask_ids:
            return
        rows = AskVector.objects.filter(WAITING, ask_id__in=ask_ids).values_list(
            "ask_id", "ask__duplicate_of_id", "vector", "sentence"
        )
        waiting = {ask_id: (root or ask_id, bytes(vector), sentence) for ask_id, root, vector, sentence in rows}
        for ask_id in ask_ids:
            row = self.waiting_row.pop(ask_id, None)
            if row is not None:
                self.waiting_alive[row] = False
                root_rows = self.root_rows.get(int(self.waiting_roots[row]), set())
                root_rows.discard(row)
                if not root_rows:
                    self.root_rows.pop(int(self.waiting_roots[row]), None)
        for ask_id, (root, vector, sentence) in waiting.items():
            row = self._waiting_append(ask_id, root)
            self.waiting_vectors[row] = wording.from_bytes(vector)[0]
            self.waiting_sentences[row] = _sentence_row(sentence)

    def _waiting_append(self, ask_id: int, root: int) -> int:
        if self.n_waiting == len(self.waiting_ids):
            alive = int(self.waiting_alive[: self.n_waiting].sum())
            if alive < self.n_waiting // 2:  # mostly triaged since: compact instead of growing
                self._waiting_compact()
            else:  # full: grow by half, so appends stay cheap
                extra = max(64, self.n_waiting // 2)
                self.waiting_ids = np.concatenate([self.waiting_ids, np.zeros(extra, dtype=np.int64)])
                self.waiting_roots = np.concatenate([self.waiting_roots, np.zeros(extra, dtype=np.int64)])
                self.waiting_vectors = np.concatenate(
                    [self.waiting_vectors, np.zeros((extra, wording.DIMENSIONS), dtype=np.float32)]
                )
                self.waiting_sentences = np.concatenate(
                    [self.waiting_sentences, np.zeros((extra, sentences.DIMENSIONS), dtype=np.int8)]
                )
                self.waiting_alive = np.concatenate([self.waiting_alive, np.zeros(extra, dtype=bool)])
        row = self.n_waiting
        self.waiting_ids[row] = ask_id
        self.waiting_roots[row] = root
        self.waiting_alive[row] = True
        self.waiting_row[ask_id] = row
        self.root_rows.setdefault(root, set()).add(row)
        self.n_waiting += 1
        return row

    def _waiting_compact(self) -> None:
        keep = np.flatnonzero(self.waiting_alive[: self.n_waiting])
        size = len(self.waiting_ids)
        self.waiting_ids = np.concatenate([self.waiting_ids[keep], np.zeros(size - len(keep), dtype=np.int64)])
        self.waiting_roots = np.concatenate([self.waiting_roots[keep], np.zeros(size - len(keep), dtype=np.int64)])
        self.waiting_vectors = np.concatenate(
            [self.waiting_vectors[keep], np.zeros((size - len(keep), wording.DIMENSIONS), dtype=np.float32)]
        )
        self.waiting_sentences = np.concatenate(
            [self.waiting_sentences[keep], np.zeros((size - len(keep), sentences.DIMENSIONS), dtype=np.int8)]
        )
        self.waiting_alive = np.concatenate([np.ones(len(keep), dtype=bool), np.zeros(size - len(keep), dtype=bool)])
        self.n_waiting = len(keep)
        self._waiting_maps()

    # Searching ----------------------------------------------------------------------------------

    def nearest_waiting(
        self, vector: NDArray[np.float32], count: int, exclude: int | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """The `count` waiting asks whose wording, or a merged duplicate's, is closest to `vector`,
        nearest first, and their cosines. `exclude` (the ask asked about) and its duplicates are left out."""
        n = self.n_waiting
        if n == 0 or count == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cosines = self.waiting_vectors[:n] @ vector
        cosines[~self.waiting_alive[:n]] = -2
        if exclude is not None:
            for row in self.root_rows.get(exclude, set()) | {self.waiting_row.get(exclude, -1)} - {-1}:
                cosines[row] = -2
        take = min(2 * count, n)  # a root may come up through several of its rows
        nearest = np.argpartition(-cosines, take - 1)[:take] if take < n else np.arange(n)
        nearest = nearest[cosines[nearest] > -2]
        nearest = nearest[np.argsort(-cosines[nearest], kind="stable")]
        roots = self.waiting_roots[nearest]
        _, first = np.unique(roots, return_index=True)
        best = nearest[np.sort(first)][:count]
        return self.waiting_roots[best], cosines[best]

    def feature_cosines(self, vector: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Every feature's cosine to `vector`: by its title and description, and by its linked asks' mean."""
        both = self.feature_matrix @ vector
        return both[: self.n_features], both[self.n_features :]

    def wordings_cosines(
        self, positions: list[int], vector: NDArray[np.float32]
    ) -> list[tuple[NDArray[np.int64], NDArray[np.float32]]]:
        """For each feature position, its kept wordings' ask ids and their cosines to the word
        vector `vector` (one product for all)."""
        kept = [self.feature_wordings[p] for p in positions]
        if not any(len(k.ask_ids) for k in kept):
            none = np.zeros(0, dtype=np.float32)
            return [(k.ask_ids, none) for k in kept]
        cosines = (np.concatenate([k.vectors for k in kept]).astype(np.float32) @ vector) / np.concatenate(
            [k.norms for k in kept]
        )
        bounds = np.cumsum([len(k.ask_ids) for k in kept])[:-1]
        return [(k.ask_ids, c) for k, c in zip(kept, np.split(cosines, bounds), strict=True)]

    def feature_sentence_cosines(self, positions: list[int], sentence: NDArray[np.float32]) -> NDArray[np.float32]:
        """These features' title-and-description cosines to the sentence vector `sentence`."""
        return _int8_cosines(self.feature_sentences[positions], sentence)

    def waiting_sentence_cosines(self, ask_ids: list[int], sentence: NDArray[np.float32]) -> NDArray[np.float32]:
        """These waiting asks' cosines to the sentence vector `sentence`: the closest of each one's
        own wording and its merged duplicates'."""
        rows = [sorted(self.root_rows[a]) for a in ask_ids]
        cosines = _int8_cosines(self.waiting_sentences[[r for group in rows for r in group]], sentence)
        bounds = np.cumsum([len(group) for group in rows])[:-1]
        return np.array([part.max() for part in np.split(cosines, bounds)] if rows else [], dtype=np.float32)


def _centroid(asks_sum: bytes, asks_count: int) -> NDArray[np.float32]:
    total = np.frombuffer(asks_sum, dtype=np.float32)
    norm = float(np.linalg.norm(total))
    if not asks_count or norm == 0:
        return np.zeros(wording.DIMENSIONS, dtype=np.float32)
    return total / norm


def _wordings(kept_asks: bytes | memoryview, kept_vectors: bytes | memoryview) -> Wordings:
    if not kept_asks:
        return NO_WORDINGS
    ask_ids = np.frombuffer(bytes(kept_asks), dtype=np.int64)
    vectors = np.frombuffer(bytes(kept_vectors), dtype=np.int8).reshape(-1, wording.DIMENSIONS)
    return Wordings(ask_ids, vectors, _norms(vectors))


def _norms(vectors: NDArray[np.int8]) -> NDArray[np.float32]:
    """Lengths of int8 rows, 1 for an all-zero row (whose cosines are then 0)."""
    norms = np.linalg.norm(vectors.astype(np.float32), axis=1)
    norms[norms == 0] = 1
    return norms


def _int8_cosines(rows: NDArray[np.int8], vector: NDArray[np.float32]) -> NDArray[np.float32]:
    return (rows.astype(np.float32) @ vector) / _norms(rows)


def _sentence_row(stored: bytes | memoryview) -> NDArray[np.int8]:
    """A stored sentence vector as int8, zeros when there is none (an ask linked before it was indexed)."""
    if not stored:
        return np.zeros(sentences.DIMENSIONS, dtype=np.int8)
    return np.frombuffer(bytes(stored), dtype=np.int8)


def heap_release() -> None:
    """Hand the load's freed buffers back to the system. glibc keeps freed heap for reuse: about
    95 MB per process after a large workspace's load, which the index never needs again."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hand back this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_index = Index()


def forget_index() -> None:
    """Make this process reload its index on the next call (tests and evaluations that roll back)."""
    _index.forget()


def current_index() -> Index:
    """This process's index, brought up to date with every change committed so far."""
    _index.refresh()
    return _index
