"""The in-memory index each web process keeps, and how it stays in step with the database.

Per process: every ask's 256-bit sign code (32 bytes an ask, 16 MB for 500,000 asks), with its
feature and whether it is still waiting for triage; every feature's title vector and the mean of
its linked asks' vectors (2 KB a feature, 40 MB for 20,000). The first call loads it from
`AskVector` / `FeatureVector`; every later call first applies the `IndexChange` rows written since,
so a link made in one process is learnt by all of them on their next call.
"""

import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tandem.triage import wording
from tandem.triage.models import AskVector, FeatureVector, IndexChange

# Change ids are allocated when a transaction inserts its row but become visible when it commits,
# so a later id can be seen before an earlier one. Re-reading the last WINDOW ids catches those.
WINDOW = 500
LOAD_CHUNK = 50_000

DEAD, OPEN, EVIDENCE = 0, 1, 2  # an ask's state in the index


def sign_code(vector: NDArray[np.float32]) -> bytes:
    return np.packbits(vector > 0).tobytes()


@dataclass
class FeatureText:
    title: str
    description: str


class Index:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.loaded = False
        self.seen = 0
        self.applied: set[tuple[int, int]] = set()  # (id, token) of recent changes already applied
        self.n_asks = 0
        self.ask_ids = np.zeros(0, dtype=np.int64)
        self.ask_codes = np.zeros((0, 4), dtype=np.uint64)
        self.ask_feature = np.zeros(0, dtype=np.int64)
        self.ask_state = np.zeros(0, dtype=np.int8)
        self.feature_ids = np.zeros(0, dtype=np.int64)
        self.feature_vectors = np.zeros((0, wording.DIMENSIONS), dtype=np.float32)
        self.feature_centroids = np.zeros((0, wording.DIMENSIONS), dtype=np.float32)
        self.feature_alive = np.zeros(0, dtype=bool)
        self.feature_texts: list[FeatureText] = []
        self.vocabulary = wording.Vocabulary()

    def forget(self) -> None:
        """Drop everything; the next call loads afresh (after the database was replaced or rolled back)."""
        with self.lock:
            self._reset()

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
        # Chunk by chunk into arrays, so half a million asks never sit in memory as Python objects.
        ids, codes, features, states = [], [], [], []
        last = 0
        while True:
            chunk = list(
                AskVector.objects.filter(ask_id__gt=last)
                .order_by("ask_id")
                .values_list("ask_id", "code", "ask__feature_id", "ask__status")[:LOAD_CHUNK]
            )
            if not chunk:
                break
            ids.append(np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk)))
            codes.append(np.frombuffer(b"".join(bytes(row[1]) for row in chunk), dtype=np.uint64).reshape(-1, 4))
            features.append(np.fromiter((row[2] or 0 for row in chunk), dtype=np.int64, count=len(chunk)))
            states.append(np.fromiter((_state(row[2], row[3]) for row in chunk), dtype=np.int8, count=len(chunk)))
            last = chunk[-1][0]
            del chunk
        self.n_asks = sum(len(part) for part in ids)
        if ids:
            self.ask_ids = np.concatenate(ids)
            self.ask_codes = np.concatenate(codes)
            self.ask_feature = np.concatenate(features)
            self.ask_state = np.concatenate(states)
        self.loaded = True

    def _load_features(self) -> None:
        ids, vectors, centroids, texts = [], [], [], []
        rows = FeatureVector.objects.order_by("feature_id").values_list(
            "feature_id", "vector", "asks_sum", "asks_count", "feature__title", "feature__description"
        )
        for feature_id, vector, asks_sum, asks_count, title, description in rows:
            ids.append(feature_id)
            vectors.append(wording.from_bytes(bytes(vector)))
            centroids.append(_centroid(bytes(asks_sum), asks_count))
            texts.append(FeatureText(title, description))
            self.vocabulary.add(f"{title} {description}")
        self.feature_ids = np.array(ids, dtype=np.int64)
        if ids:
            self.feature_vectors = np.vstack(vectors)
            self.feature_centroids = np.vstack(centroids)
        self.feature_alive = np.ones(len(ids), dtype=bool)
        self.feature_texts = texts

    def _apply_features(self, feature_ids: set[int]) -> None:
        """Reload these features' rows; a feature without a row is gone."""
        if not feature_ids:
            return
        rows = FeatureVector.objects.filter(feature_id__in=feature_ids).values_list(
            "feature_id", "vector", "asks_sum", "asks_count", "feature__title", "feature__description"
        )
        found = set()
        for feature_id, vector, asks_sum, asks_count, title, description in rows:
            found.add(feature_id)
            position = self._feature_position(feature_id)
            self.feature_vectors[position] = wording.from_bytes(bytes(vector))
            self.feature_centroids[position] = _centroid(bytes(asks_sum), asks_count)
            self.feature_alive[position] = True
            self.feature_texts[position] = FeatureText(title, description)
            self.vocabulary.add(f"{title} {description}")
        for feature_id in feature_ids - found:
            self.feature_alive[self._feature_position(feature_id)] = False

    def _feature_position(self, feature_id: int) -> int:
        position = int(np.searchsorted(self.feature_ids, feature_id))
        if position < len(self.feature_ids) and self.feature_ids[position] == feature_id:
            return position
        self.feature_ids = np.insert(self.feature_ids, position, feature_id)
        zeros = np.zeros(wording.DIMENSIONS, dtype=np.float32)
        self.feature_vectors = np.insert(self.feature_vectors, position, zeros, axis=0)
        self.feature_centroids = np.insert(self.feature_centroids, position, zeros, axis=0)
        self.feature_alive = np.insert(self.feature_alive, position, False)
        self.feature_texts.insert(position, FeatureText("", ""))
        return position

    def _apply_asks(self, ask_ids: set[int]) -> None:
        if not ask_ids:
            return
        rows = AskVector.objects.filter(ask_id__in=ask_ids).values_list(
            "ask_id", "code", "ask__feature_id", "ask__status"
        )
        found = set()
        for ask_id, code, feature_id, status in rows:
            found.add(ask_id)
            position = self._ask_position(ask_id)
            self.ask_codes[position] = np.frombuffer(bytes(code), dtype=np.uint64)
            self.ask_feature[position] = feature_id or 0
            self.ask_state[position] = _state(feature_id, status)
        for ask_id in ask_ids - found:
            position = self._ask_position(ask_id)
            self.ask_state[position] = DEAD

    def _ask_position(self, ask_id: int) -> int:
        """The ask's row, appended at the end for a new ask (ids grow), inserted when one arrives late."""
        ids = self.ask_ids[: self.n_asks]
        position = int(np.searchsorted(ids, ask_id))
        if position < self.n_asks and ids[position] == ask_id:
            return position
        if self.n_asks == len(self.ask_ids):  # full: grow by half, so appends stay cheap
            extra = max(64, self.n_asks // 2)
            self.ask_ids = np.concatenate([self.ask_ids, np.zeros(extra, dtype=np.int64)])
            self.ask_codes = np.concatenate([self.ask_codes, np.zeros((extra, 4), dtype=np.uint64)])
            self.ask_feature = np.concatenate([self.ask_feature, np.zeros(extra, dtype=np.int64)])
            self.ask_state = np.concatenate([self.ask_state, np.zeros(extra, dtype=np.int8)])
        if position < self.n_asks:
            for array in (self.ask_ids, self.ask_codes, self.ask_feature, self.ask_state):
                array[position + 1 : self.n_asks + 1] = array[position : self.n_asks].copy()
        self.ask_ids[position] = ask_id
        self.ask_state[position] = DEAD
        self.n_asks += 1
        return position

    # Searching ----------------------------------------------------------------------------------

    def nearest_asks(self, vector: NDArray[np.float32], count: int, exclude: int | None) -> NDArray[np.int64]:
        """Ids of the `count` live asks whose sign codes are closest to `vector`'s, nearest first."""
        n = self.n_asks
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        code = np.frombuffer(sign_code(vector), dtype=np.uint64)
        distance = np.bitwise_count(self.ask_codes[:n] ^ code).sum(axis=1, dtype=np.int32)
        distance[self.ask_state[:n] == DEAD] = 10_000
        if exclude is not None:
            position = int(np.searchsorted(self.ask_ids[:n], exclude))
            if position < n and self.ask_ids[position] == exclude:
                distance[position] = 10_000
        live = int((distance < 10_000).sum())
        count = min(count, live)
        if count == 0:
            return np.zeros(0, dtype=np.int64)
        nearest = np.argpartition(distance, count - 1)[:count] if count < n else np.arange(n)
        nearest = nearest[distance[nearest] < 10_000]
        nearest = nearest[np.argsort(distance[nearest], kind="stable")]
        return self.ask_ids[nearest]

    def feature_of_asks(self, ask_ids: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
        positions = np.searchsorted(self.ask_ids[: self.n_asks], ask_ids)
        return self.ask_feature[positions], self.ask_state[positions]


def _centroid(asks_sum: bytes, asks_count: int) -> NDArray[np.float32]:
    total = np.frombuffer(asks_sum, dtype=np.float32)
    norm = float(np.linalg.norm(total))
    if not asks_count or norm == 0:
        return np.zeros(wording.DIMENSIONS, dtype=np.float32)
    return total / norm


def _state(feature_id: int | None, status: str) -> int:
    if feature_id:
        return EVIDENCE
    return OPEN if status == "new" else DEAD


_index = Index()


def forget_index() -> None:
    """Make this process reload its index on the next call (tests and evaluations that roll back)."""
    _index.forget()


def current_index() -> Index:
    """This process's index, brought up to date with every change committed so far."""
    _index.refresh()
    return _index
