"""`test-data-agent seed` into the local PostgreSQL: rows/s through COPY for the 10-table schema of
tests/imports (plus an audit table), against the same seed written row by row with INSERT (what the
peers that seed row by row do), and peak RSS for a small and a big seed, each in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

CHILD = """
import json, sys, time, uuid
from pathlib import Path
import psycopg
from psycopg.types.json import Jsonb
from tools.imports.postgres import introspect
from tools.imports.seed import seed
from tools.imports.targets import PostgresTarget

class InsertTarget(PostgresTarget):
    # One INSERT per row, as a seeder that does not use COPY writes them.
    def write(self, table, columns, kinds, rows):
        listed, marks = ", ".join(self.ident(c) for c in columns), ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {self.ident(table)} ({listed}) OVERRIDING SYSTEM VALUE VALUES ({marks})"
        n = 0
        with self.conn.cursor() as cur:
            for row in rows:
                cur.execute(sql, [Jsonb(v) if isinstance(v, dict) else v for v in row])
                n += 1
        return n

customers, mode = int(sys.argv[1]), sys.argv[2]
conn = psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True)
schema = f"bench_{uuid.uuid4().hex[:8]}"
conn.execute(f"CREATE SCHEMA {schema}")
conn.execute(f"SET search_path TO {schema}")
try:
    conn.execute(Path("tests/imports/schema.sql").read_text())
    conn.execute("CREATE TABLE audit_log (id bigserial PRIMARY KEY, customer_id integer NOT NULL "
                 "REFERENCES customers (id), action text NOT NULL, created_at timestamptz NOT NULL)")
    imported = introspect(conn, schema)
    if mode == "stream":  # GenerateDataset over the import: the same seed as SQL text, no database
        from tools.imports.stream import DatasetChunks
        chunks = DatasetChunks(imported, "postgres", {"customers": customers}, "sql", 1, 1000)
        started = time.perf_counter()
        size = sum(len(text) for _, text in chunks)
        seconds = time.perf_counter() - started
        hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
        print(json.dumps({"rows": sum(chunks.made.counts.values()), "tables": len(chunks.made.counts),
                          "seconds": seconds, "peak_mib": int(hwm) / 1024, "mib": size / 2**20}))
        sys.exit(0)
    with conn.transaction():
        target = InsertTarget(conn) if mode == "insert" else PostgresTarget(conn)
        done = seed(target, imported, {"customers": customers})
    hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"rows": done.rows, "tables": len(done.counts), "seconds": done.seconds,
                      "peak_mib": int(hwm) / 1024}))
finally:
    conn.execute(f"DROP SCHEMA {schema} CASCADE")
"""


def _child(customers: int, mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(customers), mode], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(customers: int = 20_000) -> dict[str, dict[str, Any]]:
    return {
        "insert": _child(customers // 10, "insert"),  # the baseline, on a tenth of the rows
        "small": _child(customers // 10, "copy"),
        "big": _child(customers, "copy"),
        "stream_small": _child(customers // 10, "stream"),
        "stream": _child(customers, "stream"),
    }
