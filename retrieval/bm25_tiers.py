"""Keyword search over examples that change while they are searched.

BM25 (Lucene's variant, k1 1.5 and b 0.75, as bm25s scores by default) over two tiers: a frozen main
tier (postings in numpy arrays, built from a snapshot, never changed afterwards) and a small fresh tier
of what was added since (postings in lists, appended to). A deletion is a tombstone: a cleared bit in
the tier's alive mask. Merging the tiers is a rebuild of the main tier from a snapshot, done by the
caller outside its lock.

Scores are computed at query time from the statistics of the live documents of both tiers (their
number, their mean length, each term's document frequency), so a document scores the same whichever
tier it sits in: the ranking depends on the examples, never on when the tiers were last merged.
Documents are ordered main tier first, then fresh, each in the order added; ties keep that order.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import bm25s
import numpy as np

K1, B = 1.5, 0.75
FILTERS = ("domain", "entity", "kind")
Columns = tuple[str, str, str]  # domain, entity, kind


def tokenize(texts: list[str]) -> list[list[str]]:
    out: list[list[str]] = bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
    return out


@dataclass(frozen=True)
class Frozen:
    ids: list[str]
    vocab: dict[str, int]
    indptr: np.ndarray  # term t's postings are docs[indptr[t]:indptr[t + 1]]
    docs: np.ndarray
    tfs: np.ndarray
    lengths: np.ndarray
    columns: dict[str, np.ndarray]


def freeze(ids: list[str], texts: list[str], columns: list[Columns]) -> Frozen:
    """The main tier for these documents (slow: run it outside any lock)."""
    vocab: dict[str, int] = {}
    terms: list[int] = []
    docs: list[int] = []
    tfs: list[int] = []
    lengths = np.zeros(len(ids), dtype=np.float64)
    for d, words in enumerate(tokenize(texts)):
        lengths[d] = len(words)
        for word, n in Counter(words).items():
            terms.append(vocab.setdefault(word, len(vocab)))
            docs.append(d)
            tfs.append(n)
    term_arr = np.asarray(terms, dtype=np.int64)
    order = np.argsort(term_arr, kind="stable")  # grouped by term, docs ascending within a term
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_arr, minlength=len(vocab)), out=indptr[1:])
    cols = {key: np.array([c[i] for c in columns], dtype=object) for i, key in enumerate(FILTERS)}
    return Frozen(
        ids=list(ids),
        vocab=vocab,
        indptr=indptr,
        docs=np.asarray(docs, dtype=np.int64)[order],
        tfs=np.asarray(tfs, dtype=np.float64)[order],
        lengths=lengths,
        columns=cols,
    )


@dataclass
class Tiers:
    """The main tier plus what changed since it was frozen. Not thread-safe: the caller locks."""

    main: Frozen
    alive: np.ndarray = field(init=False)
    position: dict[str, int] = field(init=False)
    fresh_ids: list[str] = field(default_factory=list)
    fresh_alive: list[bool] = field(default_factory=list)
    fresh_lengths: list[float] = field(default_factory=list)
    fresh_columns: list[Columns] = field(default_factory=list)
    fresh_counts: dict[str, Counter[str]] = field(default_factory=dict)  # id -> term counts
    fresh_postings: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    fresh_position: dict[str, int] = field(default_factory=dict)
    live: int = field(init=False)
    total_length: float = field(init=False)
    dead: int = 0

    def __post_init__(self) -> None:
        self.alive = np.ones(len(self.main.ids), dtype=bool)
        self.position = {doc_id: i for i, doc_id in enumerate(self.main.ids)}
        self.live = len(self.main.ids)
        self.total_length = float(self.main.lengths.sum())

    def add(self, doc_id: str, counts: Counter[str], columns: Columns) -> None:
        """A document (term counts from `tokenize`) at the end of the fresh tier."""
        i = len(self.fresh_ids)
        self.fresh_ids.append(doc_id)
        self.fresh_alive.append(True)
        length = float(sum(counts.values()))
        self.fresh_lengths.append(length)
        self.fresh_columns.append(columns)
        self.fresh_counts[doc_id] = counts
        self.fresh_position[doc_id] = i
        for word, n in counts.items():
            postings = self.fresh_postings.setdefault(word, ([], []))
            postings[0].append(i)
            postings[1].append(n)
        self.live += 1
        self.total_length += length

    def remove(self, doc_id: str) -> None:
        i = self.fresh_position.pop(doc_id, None)
        if i is not None:
            self.fresh_alive[i] = False
            self.live -= 1
            self.total_length -= self.fresh_lengths[i]
        else:
            j = self.position.get(doc_id)
            if j is None or not self.alive[j]:
                return
            self.alive[j] = False
            self.live -= 1
            self.total_length -= float(self.main.lengths[j])
        self.dead += 1

    def stale(self) -> int:
        """How far the tiers are from one freshly built main tier: what a merge would clean up."""
        return len(self.fresh_ids) + self.dead

    def top(self, words: list[str], wanted: dict[str, str], k: int) -> list[tuple[str, float]]:
        """(id, score) of the k best live documents matching the filters; only scores above 0."""
        if self.live == 0:
            return []
        n_main = len(self.main.ids)
        fresh_alive = np.asarray(self.fresh_alive, dtype=bool)
        fresh_lengths = np.asarray(self.fresh_lengths, dtype=np.float64)
        scores = np.zeros(n_main + len(self.fresh_ids), dtype=np.float64)
        mean_length = self.total_length / self.live or 1.0  # 0 only when no document has a word
        norm = K1 * (1 - B), K1 * B / mean_length
        for word in words:  # a repeated query word counts again, as in bm25s
            main_docs, main_tfs = self._main_postings(word)
            fresh_docs, fresh_tfs = self._fresh_postings(word)
            df = int(self.alive[main_docs].sum()) + int(fresh_alive[fresh_docs].sum())
            if df == 0:
                continue
            idf = math.log(1 + (self.live - df + 0.5) / (df + 0.5))
            lengths = self.main.lengths[main_docs]
            scores[main_docs] += idf * main_tfs / (main_tfs + norm[0] + norm[1] * lengths)
            lengths = fresh_lengths[fresh_docs]
            scores[n_main + fresh_docs] += idf * fresh_tfs / (fresh_tfs + norm[0] + norm[1] * lengths)
        scores *= self._mask(wanted, fresh_alive)
        # Most documents score 0 for a short query: rank only the ones that match at all.
        matched = np.flatnonzero(scores > 0)
        best = matched[np.argsort(-scores[matched], kind="stable")[: max(1, k)]]
        return [(self._id_at(int(i), n_main), float(scores[i])) for i in best]

    def _main_postings(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        t = self.main.vocab.get(word)
        if t is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        start, end = self.main.indptr[t], self.main.indptr[t + 1]
        return self.main.docs[start:end], self.main.tfs[start:end]

    def _fresh_postings(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        docs, tfs = self.fresh_postings.get(word, ([], []))
        return np.asarray(docs, dtype=np.int64), np.asarray(tfs, dtype=np.float64)

    def _mask(self, wanted: dict[str, str], fresh_alive: np.ndarray) -> np.ndarray:
        main_mask = self.alive.copy()
        fresh_mask = fresh_alive.copy()
        for i, key in enumerate(FILTERS):
            value = wanted.get(key, "")
            if value:
                main_mask &= self.main.columns[key] == value
                fresh_mask &= np.array([c[i] == value for c in self.fresh_columns], dtype=bool)
        return np.concatenate([main_mask, fresh_mask])

    def _id_at(self, i: int, n_main: int) -> str:
        return self.main.ids[i] if i < n_main else self.fresh_ids[i - n_main]
