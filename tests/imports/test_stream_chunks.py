"""An imported dataset's SQL chunks are whole statements under the 3 MiB a chunk may be, however wide
the table (tools/imports/stream.py), and they run as they come."""

from __future__ import annotations

import sqlite3

from tools.formats.base import MAX_CHUNK_BYTES
from tools.imports.ddl import from_ddl
from tools.imports.stream import DatasetChunks


def test_a_wide_tables_chunks_stay_small_and_each_runs_alone() -> None:
    columns = ", ".join(f"note_{i} varchar(40) NOT NULL" for i in range(1500))
    ddl = f"CREATE TABLE wide (id integer PRIMARY KEY, {columns});"
    chunks = list(DatasetChunks(from_ddl(ddl, "sqlite"), "sqlite", {"wide": 400}, "sql", 1, 1000))
    assert max(len(text.encode()) for _, text in chunks) < MAX_CHUNK_BYTES
    db = sqlite3.connect(":memory:")
    db.executescript(ddl)
    for _, text in chunks:
        db.executescript(text)  # whole statements: no chunk ends inside one
    assert db.execute("SELECT count(*) FROM wide").fetchone() == (400,)


def test_a_plain_integer_primary_key_is_counted_not_drawn() -> None:
    # `id integer PRIMARY KEY` without serial: drawn, its keys ran out at 1,001 rows.
    ddl = """CREATE TABLE t (id integer PRIMARY KEY, v text);
             CREATE TABLE u (id bigint PRIMARY KEY, t_id integer NOT NULL REFERENCES t (id));"""
    chunks = DatasetChunks(from_ddl(ddl, "sqlite"), "sqlite", {"t": 5000}, "sql", 1, 1000)
    db = sqlite3.connect(":memory:")
    db.executescript("PRAGMA foreign_keys = ON;" + ddl)
    for _, text in chunks:
        db.executescript(text)
    assert db.execute("SELECT count(*), min(id), max(id) FROM t").fetchone() == (5000, 1, 5000)
    assert db.execute("SELECT count(*) FROM u").fetchone() == (10000,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == [] and chunks.made.notes == []
