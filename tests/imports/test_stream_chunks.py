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
