"""`test-data-agent seed DATABASE_URL --rows TABLE=N ... [--truncate] [--dry-run]`: read a live
PostgreSQL schema and fill it with linked rows (tools/imports), in one transaction; --dry-run prints
the SQL script instead (psql runs it) and writes nothing."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import psycopg

from tools.errors import InvalidRequest
from tools.imports.postgres import introspect
from tools.imports.seed import ScriptSink, seed


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "seed", help="fill a PostgreSQL database's tables with linked rows (COPY, one transaction)"
    )
    s.add_argument("database_url", metavar="DATABASE_URL", help="postgresql://user@host:5432/db")
    s.add_argument(
        "--rows",
        action="append",
        default=[],
        metavar="TABLE=N",
        help="rows for a table (default: 100 for a table with no parent, 2 per parent row else)",
    )
    s.add_argument("--schema", default="public", help="the database schema to read and fill")
    s.add_argument("--seed", type=int, default=1, help="the same seed and schema give the same rows")
    s.add_argument(
        "--truncate", action="store_true", help="empty the schema's tables first (RESTART IDENTITY)"
    )
    s.add_argument("--dry-run", action="store_true", help="print the SQL (psql runs it); write nothing")


def rows_arg(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        name, _, n = item.partition("=")
        if not name or not n.strip().isdigit():
            raise InvalidRequest("--rows", f"{item!r} is not TABLE=N", "write e.g. --rows customers=1000")
        out[name.strip()] = int(n)
    return out


def seed_command(args: argparse.Namespace) -> int:
    rows = rows_arg(args.rows)
    try:
        conn = psycopg.connect(args.database_url, autocommit=True)
    except psycopg.Error as exc:
        sys.stderr.write(f"error: cannot connect to the database: {str(exc).strip()}\n")
        return 2
    with conn:
        conn.execute("SELECT set_config('search_path', %s, false)", (args.schema,))
        imported = introspect(conn, args.schema)
        if not imported.tables:
            sys.stderr.write(f"error: schema {args.schema!r} has no tables\n")
            return 2
        if args.dry_run:
            sys.stdout.write("BEGIN;\n")
            done = seed(
                conn,
                imported,
                rows,
                seed_value=args.seed,
                truncate=args.truncate,
                sink=ScriptSink(sys.stdout),
                dry_run=True,
            )
            sys.stdout.write("COMMIT;\n")
        else:
            with conn.transaction():  # all or nothing
                done = seed(
                    conn, imported, rows, seed_value=args.seed, truncate=args.truncate, progress=_progress
                )
    for note in done.notes:
        sys.stderr.write(f"note: {note}\n")
    verb = "would write" if args.dry_run else "wrote"
    rate = done.rows / done.seconds if done.seconds else 0
    sys.stderr.write(
        f"{verb} {done.rows:,} rows in {len(done.counts)} tables in {done.seconds:.1f} s "
        f"({rate:,.0f} rows/s)\n"
    )
    return 0


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
