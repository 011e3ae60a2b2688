"""The embedded example store (the default): in-process BM25 over the shipped seed examples plus any
added at run time, which are appended to a JSONL file so they survive a restart.

Locks: `_lock` guards the in-memory state and is held only for short, in-memory steps (a search's
scoring included: milliseconds); `_write_lock` puts the file writes (an append, a rewrite on delete)
in one order, outside `_lock`; `_build_lock` lets one index build run at a time, also outside `_lock`.
An add goes into the index's fresh tier at once, so the very next search finds it; once enough has
changed, a merge rebuilds the main tier in a background thread from a snapshot and swaps it in.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from retrieval import example_file
from retrieval.bm25_tiers import Columns, Tiers, freeze, tokenize
from retrieval.examples import Example, Hit, Page, RetrievalError, StoreFull

SEED_DIR = Path(__file__).parent / "seed"
ADDED_FILE = "examples.jsonl"
DELETED_SEEDS_FILE = "deleted-seeds.txt"  # seed examples deleted here stay deleted after a restart
MERGE_AT = 512  # changes since the last build (and a tenth of the main tier) before a merge
log = logging.getLogger(__name__)


def load_jsonl(path: Path) -> list[Example]:
    """Every example in a JSONL file (lines that are not one are skipped)."""
    return [ex for ex, _ in example_file.load(path, repair=False).examples]


def _columns(ex: Example) -> Columns:
    return (ex.domain, ex.entity, ex.kind)


class EmbeddedStore:
    name = "embedded"

    def __init__(self, directory: Path | None = None, seed_dir: Path | None = SEED_DIR) -> None:
        self.directory = directory
        self.problems: list[str] = []  # lines the files held that are not examples: the caller logs them
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._examples: dict[str, Example] = {}
        self._sizes: dict[str, int] = {}
        self._seeded: set[str] = set()
        self._added_bytes = 0
        self._sorted: list[str] | None = None  # ids in order, for paging; None when stale
        self._tiers: Tiers | None = None  # built on the first search
        self._replay: list[tuple[str, Example | None, Counter[str] | None]] | None = None
        self._merging: threading.Thread | None = None
        gone = example_file.read_ids(directory / DELETED_SEEDS_FILE) if directory else set()
        if seed_dir is not None and seed_dir.is_dir():
            for path in sorted(seed_dir.glob("*.jsonl")):
                loaded = example_file.load(path, repair=False)
                self.problems += loaded.problems
                for ex, size in loaded.examples:
                    if ex.id not in gone:
                        self._examples[ex.id], self._sizes[ex.id] = ex, size
                        self._seeded.add(ex.id)
        if directory is not None and (directory / ADDED_FILE).is_file():
            loaded = example_file.load(directory / ADDED_FILE)
            self.problems += loaded.problems
            for ex, size in loaded.examples:
                if ex.id not in self._examples:
                    self._examples[ex.id], self._sizes[ex.id] = ex, size
                    self._added_bytes += size

    # The store's work is CPU- or disk-bound and short; it runs in worker threads.
    async def add(self, examples: list[Example], *, max_bytes: int = 0) -> list[str]:
        return await asyncio.to_thread(self._add, examples, max_bytes)

    async def search(
        self, query: str, *, domain: str = "", entity: str = "", kind: str = "", k: int = 5
    ) -> list[Hit]:
        return await asyncio.to_thread(self._search, query, domain, entity, kind, k)

    async def page(
        self, *, entity: str = "", tag: str = "", limit: int = 100, after: str = "", max_bytes: int = 0
    ) -> Page:
        return await asyncio.to_thread(self._page, entity, tag, limit, after, max_bytes)

    async def delete(self, ids: list[str], *, tag: str = "") -> int:
        return await asyncio.to_thread(self._delete, ids, tag)

    async def stored_bytes(self) -> int:
        with self._lock:
            return self._added_bytes

    async def count(self, *, domain: str = "", entity: str = "", kind: str = "") -> int:
        with self._lock:
            return sum(1 for ex in self._examples.values() if _matches(ex, domain, entity, kind))

    async def ping(self) -> str:
        return "ok"

    async def close(self) -> None:
        merging = self._merging
        if merging is not None:
            await asyncio.to_thread(merging.join)

    async def merge(self) -> None:
        """Rebuilds the index's main tier from everything stored now (normally done in the background)."""
        await asyncio.to_thread(self._rebuild)

    def _add(self, examples: list[Example], max_bytes: int) -> list[str]:
        stamped = [ex.with_id() for ex in examples]
        unique = list({ex.id: ex for ex in stamped}.values())
        # Tokenized before any lock: the index takes these as they are.
        counts = [Counter(words) for words in tokenize([ex.search_text() for ex in unique])]
        with self._write_lock:
            with self._lock:
                new = [(ex, c) for ex, c in zip(unique, counts, strict=True) if ex.id not in self._examples]
                lines = [ex.model_dump_json(exclude={"id"}).encode() + b"\n" for ex, _ in new]
                adding = sum(len(line) - 1 for line in lines)
                if max_bytes and new and self._added_bytes + adding > max_bytes:
                    raise StoreFull(self._added_bytes, adding, max_bytes)
            if new and self.directory is not None:
                self._write(example_file.append, self.directory / ADDED_FILE, lines)
            with self._lock:
                for (ex, c), line in zip(new, lines, strict=True):
                    self._examples[ex.id], self._sizes[ex.id] = ex, len(line) - 1
                    self._added_bytes += len(line) - 1
                    self._index(ex.id, ex, c)
                self._changed(bool(new))
        return [ex.id for ex in stamped]

    def _delete(self, ids: list[str], tag: str) -> int:
        with self._write_lock:
            with self._lock:
                doomed = {i for i in ids if i in self._examples}
                if tag:
                    doomed.update(i for i, ex in self._examples.items() if tag in ex.tags)
                kept = [ex for i, ex in self._examples.items() if i not in doomed and i not in self._seeded]
                seeds_gone = doomed & self._seeded
            if not doomed:
                return 0
            if self.directory is not None:
                if seeds_gone:
                    old = example_file.read_ids(self.directory / DELETED_SEEDS_FILE)
                    ids_text = [f"{i}\n".encode() for i in sorted(old | seeds_gone)]
                    self._write(example_file.rewrite, self.directory / DELETED_SEEDS_FILE, ids_text)
                lines = [ex.model_dump_json(exclude={"id"}).encode() + b"\n" for ex in kept]
                self._write(example_file.rewrite, self.directory / ADDED_FILE, lines)
            with self._lock:
                for i in doomed:
                    del self._examples[i]
                    size = self._sizes.pop(i)
                    if i in self._seeded:
                        self._seeded.discard(i)
                    else:
                        self._added_bytes -= size
                    self._index(i, None, None)
                self._changed(True)
        return len(doomed)

    def _write(self, how: Callable[[Path, list[bytes]], None], path: Path, lines: list[bytes]) -> None:
        try:
            how(path, lines)
        except OSError as exc:
            raise RetrievalError(f"could not write {path.name}: {exc.strerror or exc}") from None

    def _index(self, doc_id: str, ex: Example | None, counts: Counter[str] | None) -> None:
        """Under _lock: one add (ex given) or delete, into the index and into a running build's replay."""
        if self._replay is not None:
            self._replay.append((doc_id, ex, counts))
        if self._tiers is None:
            return
        if ex is None:
            self._tiers.remove(doc_id)
        else:
            self._tiers.add(doc_id, counts or Counter(), _columns(ex))

    def _changed(self, changed: bool) -> None:
        """Under _lock, after a change: ids re-sort on the next page; a merge starts once worth it."""
        if not changed:
            return
        self._sorted = None
        tiers = self._tiers
        if tiers is None or self._replay is not None:
            return
        if tiers.stale() >= max(MERGE_AT, len(tiers.main.ids) // 10):
            self._replay = []  # claimed here, so two changes never start two merges
            self._merging = threading.Thread(target=self._background_merge, name="examples-merge")
            self._merging.start()

    def _background_merge(self) -> None:
        try:
            self._rebuild()
        except Exception:  # searches keep the current tiers: correct, a little slower
            log.exception("merging the example index failed")

    def _rebuild(self, *, only_if_missing: bool = False) -> None:
        with self._build_lock:
            with self._lock:
                if only_if_missing and self._tiers is not None:
                    return
                snapshot = list(self._examples.values())
                self._replay = []  # from here on, every change is also recorded for the new tiers
            try:
                main = freeze(
                    [e.id for e in snapshot],
                    [e.search_text() for e in snapshot],
                    [_columns(e) for e in snapshot],
                )
            except BaseException:
                with self._lock:
                    self._replay = None
                raise
            with self._lock:
                tiers = Tiers(main)
                for doc_id, ex, counts in self._replay:
                    if ex is None:
                        tiers.remove(doc_id)
                    else:
                        tiers.add(doc_id, counts or Counter(), _columns(ex))
                self._tiers, self._replay = tiers, None

    def _search(self, query: str, domain: str, entity: str, kind: str, k: int) -> list[Hit]:
        if self._tiers is None:
            self._rebuild(only_if_missing=True)
        words = tokenize([query])[0]
        wanted = {"domain": domain, "entity": entity, "kind": kind}
        with self._lock:
            assert self._tiers is not None
            return [Hit(self._examples[i], score) for i, score in self._tiers.top(words, wanted, k)]

    def _page(self, entity: str, tag: str, limit: int, after: str, max_bytes: int) -> Page:
        with self._lock:
            if self._sorted is None:
                self._sorted = sorted(self._examples)
            ids = self._sorted
            out: list[Example] = []
            weight = 0
            for i in range(bisect.bisect_right(ids, after) if after else 0, len(ids)):
                ex = self._examples[ids[i]]
                if (entity and ex.entity != entity) or (tag and tag not in ex.tags):
                    continue
                size = self._sizes[ex.id]
                if len(out) == limit or (out and max_bytes and weight + size > max_bytes):
                    return Page(out, out[-1].id)  # more follow: the next page starts after this one
                out.append(ex)
                weight += size
            return Page(out, "")


def _matches(ex: Example, domain: str, entity: str, kind: str) -> bool:
    return (
        (not domain or ex.domain == domain)
        and (not entity or ex.entity == entity)
        and (not kind or ex.kind == kind)
    )
