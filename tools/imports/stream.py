"""An imported schema's linked dataset as stream chunks (GenerateDataset with schema_id): the same seed
as `test-data-agent seed` (seed.py), written into a target that cuts it into self-contained chunks
instead of a database. SQL is the imported dialect's INSERTs, with deferred keys closed by UPDATEs at
the end; JSON, JSONL and CSV hold a table with a deferred key (a cycle, a self-reference) until its
keys are set, so no record is sent with a key it will not have.

seed() pushes rows into its target; a stream is pulled. seed() runs in a thread of its own and hands
chunks over through a small queue, so only a few chunks are ever in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from tools.errors import InvalidRequest
from tools.formats.base import MAX_CHUNK_BYTES, make_writer
from tools.imports.graph import insertion_order
from tools.imports.model import Imported
from tools.imports.seed import Seeded, planned_counts, seed
from tools.imports.targets import INSERT_ROWS, MysqlTarget, PostgresTarget, SqliteTarget, Target, _array
from tools.schema import EntitySchema
from tools.temporal import REFERENCE_SECONDS

# Rows of one table held in memory for its deferred keys (JSON, JSONL, CSV): ~65 MB of a five-column
# table (300,000 such rows measured 194 MB); SQL sets the keys by UPDATE and holds nothing.
HELD_MAX = 100_000
Emit = Callable[[str, str], None]


class _Stopped(Exception):
    """The stream's reader went away: the seed stops where it is."""


class RecordsTarget(Target):
    """Rows as records, in the table's declared column order, cut into chunks of a format."""

    def __init__(self, imported: Imported, fmt: str, emit: Emit, rows: int, held: set[str], csv_safe: bool):
        super().__init__()
        self.emit, self.rows, self.held = emit, rows, held
        self.layout = {t.name: [c.name for c in t.columns] for t in imported.tables.values()}
        self.fmt, self.csv_safe = fmt, csv_safe
        self.kept: dict[str, list[dict[str, Any]]] = {}

    @property
    def dry(self) -> bool:
        return True  # nothing is sent to a database: keys the database numbers are counted from 1

    def write(self, table: str, columns: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]) -> int:
        order = [c for c in self.layout.get(table, columns) if c in columns]
        n, batch = 0, []
        keep = self.kept.setdefault(table, []) if table in self.held else None
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            record = {c: record[c] for c in order}
            n += 1
            if keep is not None:
                if len(keep) >= HELD_MAX:
                    raise InvalidRequest(
                        "entities",
                        f"{table} has a key set after every table is made and over {HELD_MAX:,} rows",
                        "ask for SQL (its UPDATEs set the keys), or fewer rows of it",
                    )
                keep.append(record)
                continue
            batch.append(record)
            if len(batch) >= self.rows:
                self._send(table, batch)
                batch = []
        if batch:
            self._send(table, batch)
        return n

    def update(
        self, table: str, pk: list[str], cols: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        by_key = {tuple(r[c] for c in pk): r for r in self.kept.get(table, [])}
        for values in rows:
            record = by_key.get(tuple(values[: len(pk)]))
            if record is not None:
                record.update(zip(cols, values[len(pk) :], strict=True))

    def finish(self) -> None:
        for table, records in self.kept.items():
            for i in range(0, len(records), self.rows):
                self._send(table, records[i : i + self.rows])
        self.kept.clear()

    def _send(self, table: str, records: list[dict[str, Any]]) -> None:
        shape = EntitySchema.model_construct(name=table, fields=[])  # the writers read only the columns
        writer = make_writer(self.fmt, shape, list(records[0]), csv_safe=self.csv_safe)
        text = writer.chunk(records, True)  # each chunk parses on its own: CSV repeats its header
        if len(text) > MAX_CHUNK_BYTES and len(records) > 1:
            half = len(records) // 2
            self._send(table, records[:half])
            self._send(table, records[half:])
            return
        self.emit(table, text)


class _Script:
    """What a SQL target writes: whole statements, handed on in chunks of about `size` characters."""

    def __init__(self, emit: Emit, size: int) -> None:
        self.emit, self.size, self.table = emit, size, ""
        self.parts: list[str] = []
        self.n = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.n += len(text)
        if self.n >= self.size:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            self.emit(self.table, "".join(self.parts))
            self.parts, self.n = [], 0


def sql_target(dialect: str, script: _Script) -> Target:
    """The dialect's target writing INSERT statements (PostgreSQL's COPY needs psql to run it)."""
    base = {"postgres": PostgresTarget, "mysql": MysqlTarget, "sqlite": SqliteTarget}[dialect]

    class ScriptTarget(base):  # type: ignore[valid-type,misc]
        def write(
            self, table: str, columns: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]
        ) -> int:
            if not table.startswith("_seed_"):  # an UPDATE's temporary table belongs to its table's chunk
                script.flush()
                script.table = table
            # A chunk is whole statements: a wide table's INSERT takes fewer rows, so it stays well
            # under the 3 MiB a chunk may be (1,500 columns: 13 rows).
            self.insert_rows = max(1, min(INSERT_ROWS, 20_000 // max(1, len(columns))))
            return Target.write(self, table, columns, kinds, rows)

        def update(self, table: str, *args: Any) -> None:
            script.flush()
            script.table = table
            super().update(table, *args)

        def value(self, kind: str, v: Any) -> Any:
            if dialect == "postgres" and isinstance(v, list):
                return _array(v)  # an array literal, '{"a","b"}'
            if dialect == "postgres" and isinstance(v, bool):
                return v  # TRUE / FALSE: PostgreSQL's boolean takes no 1 or 0
            if dialect == "postgres":  # PostgresTarget.value leaves values for COPY's own text format
                return Target.value(self, kind, v)
            return super().value(kind, v)  # MySQL's datetimes without T or zone

        def insert_head(self, table: str, columns: list[str]) -> str:
            head = super().insert_head(table, columns)
            if dialect == "postgres":  # the keys the database would number are ours: GENERATED ALWAYS too
                return head.removesuffix("VALUES ") + "OVERRIDING SYSTEM VALUE VALUES "
            return str(head)

        def literal(self, v: Any) -> str:
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            return str(super().literal(v))

    return ScriptTarget(None, script)  # type: ignore[no-any-return]


class DatasetChunks:
    """(table, text) chunks of the whole dataset, made in a thread and read one at a time (`next`);
    `made` holds the rows per table and the notes once the last chunk is read. `stop` ends the thread
    at its next chunk, from any thread: a reader that went away leaves nothing running."""

    def __init__(
        self,
        imported: Imported,
        dialect: str,
        rows: dict[str, int],
        fmt: str,
        seed_value: int,
        chunk_rows: int,
        sources: dict[str, str] | None = None,
        csv_safe: bool = True,
        world: tuple[str, int] = ("en_US", REFERENCE_SECONDS),  # locale, as_of
    ) -> None:
        self.made = Seeded()
        self._handoff: queue.Queue[tuple[str, str] | BaseException | None] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._args = (imported, dialect, rows, fmt, seed_value, chunk_rows, sources, csv_safe)
        self.world = world
        self._thread: threading.Thread | None = None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return self

    def __next__(self) -> tuple[str, str]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="imported-dataset", daemon=True)
            self._thread.start()
        while not self._stop.is_set():
            try:
                item = self._handoff.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is None:
                self._stop.set()
                raise StopIteration
            if isinstance(item, BaseException):
                self._stop.set()
                raise item
            return item
        raise StopIteration

    def stop(self) -> None:
        self._stop.set()

    def _put(self, item: tuple[str, str] | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._handoff.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        raise _Stopped

    def _run(self) -> None:
        imported, dialect, rows, fmt, seed_value, chunk_rows, sources, csv_safe = self._args
        locale, as_of = self.world

        def emit(table: str, text: str) -> None:
            self._put((table, text))

        try:
            if fmt == "sql":
                script = _Script(emit, MAX_CHUNK_BYTES // 2)
                sql = sql_target(dialect, script)
                done = seed(
                    sql, imported, rows, seed_value=seed_value, sources=sources, locale=locale, as_of=as_of
                )
                script.flush()
            else:
                held = set(insertion_order(imported, []).deferred)
                target = RecordsTarget(imported, fmt, emit, chunk_rows, held, csv_safe)
                done = seed(
                    target, imported, rows, seed_value=seed_value, sources=sources, locale=locale, as_of=as_of
                )
                target.finish()
            self.made.counts, self.made.notes = done.counts, done.notes
            self._put(None)
        except _Stopped:
            return
        except Exception as exc:  # raised to the reader, in its thread
            try:
                self._put(exc)
            except _Stopped:
                return


__all__ = ["HELD_MAX", "DatasetChunks", "planned_counts"]
