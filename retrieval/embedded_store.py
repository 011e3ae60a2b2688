"""The embedded example store (the default): in-process BM25 (bm25s) over the shipped seed examples
plus any added at run time, which are appended to a JSONL file so they survive a restart."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import bm25s
import numpy as np

from retrieval.examples import Example, Hit

SEED_DIR = Path(__file__).parent / "seed"
ADDED_FILE = "examples.jsonl"


def load_jsonl(path: Path) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(Example.model_validate_json(line).with_id())
    return out


class EmbeddedStore:
    name = "embedded"

    def __init__(self, directory: Path | None = None, seed_dir: Path | None = SEED_DIR) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._examples: dict[str, Example] = {}
        self._seeded: set[str] = set()
        self._index: bm25s.BM25 | None = None
        self._order: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        if seed_dir is not None and seed_dir.is_dir():
            for path in sorted(seed_dir.glob("*.jsonl")):
                for ex in load_jsonl(path):
                    self._examples[ex.id] = ex
                    self._seeded.add(ex.id)
        if directory is not None and (directory / ADDED_FILE).is_file():
            for ex in load_jsonl(directory / ADDED_FILE):
                self._examples[ex.id] = ex

    # The store's work is CPU-bound and short; it runs in a worker thread under one lock so
    # concurrent requests never see a half-built index.
    async def add(self, examples: list[Example]) -> list[str]:
        return await asyncio.to_thread(self._add, examples)

    async def search(
        self, query: str, *, domain: str = "", entity: str = "", kind: str = "", k: int = 5
    ) -> list[Hit]:
        return await asyncio.to_thread(self._search, query, domain, entity, kind, k)

    async def delete(self, ids: list[str]) -> int:
        return await asyncio.to_thread(self._delete, ids)

    async def count(self, *, domain: str = "", entity: str = "", kind: str = "") -> int:
        with self._lock:
            return sum(1 for ex in self._examples.values() if _matches(ex, domain, entity, kind))

    async def ping(self) -> str:
        return "ok"

    async def close(self) -> None:
        return None

    def _add(self, examples: list[Example]) -> list[str]:
        with self._lock:
            fresh = [ex.with_id() for ex in examples]
            new = [ex for ex in fresh if ex.id not in self._examples]
            for ex in new:
                self._examples[ex.id] = ex
            if new and self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                with (self.directory / ADDED_FILE).open("a", encoding="utf-8") as f:
                    f.writelines(ex.model_dump_json(exclude={"id"}) + "\n" for ex in new)
            if new:
                self._index = None
            return [ex.id for ex in fresh]

    def _delete(self, ids: list[str]) -> int:
        with self._lock:
            gone = [i for i in ids if self._examples.pop(i, None) is not None]
            if gone:
                self._index = None
                self._seeded.difference_update(gone)
                self._rewrite()
            return len(gone)

    def _rewrite(self) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        added = [ex for i, ex in self._examples.items() if i not in self._seeded]
        tmp = self.directory / (ADDED_FILE + ".tmp")
        tmp.write_text("".join(ex.model_dump_json(exclude={"id"}) + "\n" for ex in added), encoding="utf-8")
        tmp.replace(self.directory / ADDED_FILE)

    def _build(self) -> bm25s.BM25:
        self._order = list(self._examples)
        examples = [self._examples[i] for i in self._order]
        # Filter columns as arrays: a query's mask is three vector comparisons, not a Python loop.
        self._columns = {
            key: np.array([getattr(ex, key) for ex in examples], dtype=object)
            for key in ("domain", "entity", "kind")
        }
        index = bm25s.BM25()
        tokens = bm25s.tokenize([ex.search_text() for ex in examples], stopwords="en", show_progress=False)
        index.index(tokens, show_progress=False)
        return index

    def _mask(self, domain: str, entity: str, kind: str) -> np.ndarray:
        mask = np.ones(len(self._order), dtype=bool)
        for key, wanted in (("domain", domain), ("entity", entity), ("kind", kind)):
            if wanted:
                mask &= self._columns[key] == wanted
        return mask.astype(float)

    def _search(self, query: str, domain: str, entity: str, kind: str, k: int) -> list[Hit]:
        with self._lock:
            if not self._examples:
                return []
            if self._index is None:
                self._index = self._build()
            mask = self._mask(domain, entity, kind)
            if not mask.any():
                return []
            words = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
            scores = self._index.get_scores(words) * mask
            # Most documents score 0 for a short query: rank only the ones that match at all (a full
            # top-k partition over thousands of tied zeros costs more than the scoring).
            matched = np.flatnonzero(scores > 0)
            best = matched[np.argsort(-scores[matched], kind="stable")[: max(1, k)]]
            return [Hit(self._examples[self._order[int(i)]], float(scores[i])) for i in best]


def _matches(ex: Example, domain: str, entity: str, kind: str) -> bool:
    return (
        (not domain or ex.domain == domain)
        and (not entity or ex.entity == entity)
        and (not kind or ex.kind == kind)
    )
