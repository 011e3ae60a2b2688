"""`test-data-agent seed DATABASE_URL --rows TABLE=N ... [--truncate] [--dry-run] [--ddl FILE]`: read
a database's schema (PostgreSQL, MySQL/MariaDB, a SQLite file; or DDL text with --ddl) and fill it with
linked rows (tools/imports) in one transaction; --dry-run prints the SQL script instead and writes
nothing. The server never runs this: only the CLI connects to a database."""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg

from agent.name_agent import Refined, refine, unreadable
from service.cli_schema import read_file
from tools.errors import InvalidRequest
from tools.imports.ddl import DIALECTS, from_ddl
from tools.imports.model import Imported
from tools.imports.postgres import introspect
from tools.imports.seed import Seeded, seed
from tools.imports.targets import Target, target_for
from tools.pools import check_locale
from tools.temporal import parse_as_of

URLS = "postgresql://user@host:5432/db, mysql://user:password@host:3306/db or sqlite:///path/to/file.db"


def add_parser(sub: Any) -> None:
    s = sub.add_parser("seed", help="fill a database's tables with linked rows (one transaction)")
    s.add_argument("database_url", metavar="DATABASE_URL", help=URLS)
    s.add_argument(
        "--rows",
        action="append",
        default=[],
        metavar="TABLE=N",
        help="rows for a table (default: 100 for a table with no parent, 2 per parent row else)",
    )
    s.add_argument("--schema", default="public", help="PostgreSQL: the schema to read and fill")
    s.add_argument("--ddl", metavar="FILE", help="read the schema from this DDL file instead of the database")
    s.add_argument("--seed", type=int, default=1, help="the same seed and schema give the same rows")
    s.add_argument("--locale", default="", help="Faker locale such as de_DE (default en_US)")
    s.add_argument(
        "--as-of", default="", help="the instant the rows are seen at, RFC 3339; default 2025-12-31T23:59:59Z"
    )
    s.add_argument(
        "--sources", metavar="FILE", help='a JSON or YAML file {"table.column": "email", ...}: value sources'
    )
    s.add_argument("--truncate", action="store_true", help="empty the tables first (not --reuse ones)")
    s.add_argument("--reuse", action="append", default=[], metavar="TABLE",
                   help="leave this table's rows as they are and point new children at them")  # fmt: skip
    s.add_argument("--dry-run", action="store_true", help="print the SQL script; write nothing")  # fmt: skip


def rows_arg(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        name, _, n = item.partition("=")
        if not name or not n.strip().isdigit():
            raise InvalidRequest("--rows", f"{item!r} is not TABLE=N", "write e.g. --rows customers=1000")
        out[name.strip()] = int(n)
    return out


def dialect_of(url: str) -> str:
    m = re.match(r"^(\w+)", url)
    kind = m.group(1).lower() if m else ""
    dialect = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql",
               "sqlite": "sqlite"}.get(kind)  # fmt: skip
    if dialect is None:
        raise InvalidRequest(
            "DATABASE_URL", f"{url.split('@')[-1]!r} names no database this reads", f"use {URLS}"
        )
    return dialect


def seed_command(args: argparse.Namespace) -> int:
    rows = rows_arg(args.rows)
    dialect = dialect_of(args.database_url)
    ddl = _read_ddl(args.ddl, dialect) if args.ddl else None
    if ddl is not None and args.dry_run:  # nothing to read from a database: the script starts at 1
        return _run(target_for(args.database_url, None, sys.stdout), ddl, rows, args)
    try:
        conn = _connect(dialect, args.database_url)
    except Exception as exc:  # each driver's own error: the message says what failed, never the password
        sys.stderr.write(
            f"error: cannot connect to the database: {_redacted(str(exc).strip(), args.database_url)}\n"
        )
        return 2
    with closing(conn):
        imported = ddl or _read_schema(dialect, conn, args.schema)
        if not imported.tables:
            sys.stderr.write("error: the schema has no tables\n")
            return 2
        target = target_for(args.database_url, conn, sys.stdout if args.dry_run else None)
        return _run(target, imported, rows, args)


def _run(target: Target, imported: Imported, rows: dict[str, int], args: argparse.Namespace) -> int:
    progress = (lambda _: None) if args.dry_run else _progress
    read = _read_names(target, imported)  # the model's reading of names no rule reads, if one is set
    for note in read.notes:
        sys.stderr.write(f"note: {note}\n")
    sources = {**read.sources, **(_sources(args.sources) if args.sources else {})}  # the file wins
    locale, as_of = check_locale(args.locale), parse_as_of(args.as_of, "--as-of")
    target.begin()
    if target.dry:
        done = seed(
            target,
            imported,
            rows,
            seed_value=args.seed,
            truncate=args.truncate,
            sources=sources,
            reuse=frozenset(args.reuse),
            locale=locale,
            as_of=as_of,
        )
        target.commit_script()
    else:

        def work() -> Seeded:
            return seed(
                target, imported, rows, seed_value=args.seed, truncate=args.truncate, sources=sources,
                reuse=frozenset(args.reuse), progress=progress,
                locale=locale, as_of=as_of,
            )  # fmt: skip

        done = _in_transaction(target, work)
    for note in done.notes:
        sys.stderr.write(f"note: {note}\n")
    for name, n in done.reused.items():
        sys.stderr.write(f"{name}: {n:,} existing rows referenced, none written\n")
    verb = "would write" if args.dry_run else "wrote"
    rate = done.rows / done.seconds if done.seconds else 0
    sys.stderr.write(
        f"{verb} {done.rows:,} rows in {len(done.counts)} tables in {done.seconds:.1f} s "
        f"({rate:,.0f} rows/s)\n"
    )
    return 0


def _in_transaction(target: Target, work: Any) -> Seeded:
    """All or nothing: one transaction around the whole seed."""
    conn = target.conn
    if target.dialect == "postgres":
        with conn.transaction():
            return work()  # type: ignore[no-any-return]
    if target.dialect == "sqlite":
        conn.execute("BEGIN")
    else:
        conn.begin()
    try:
        done = work()
    except BaseException:
        conn.rollback() if target.dialect == "mysql" else conn.execute("ROLLBACK")
        raise
    conn.commit() if target.dialect == "mysql" else conn.execute("COMMIT")
    return done  # type: ignore[no-any-return]


def _connect(dialect: str, url: str) -> Any:
    if dialect == "postgres":
        return psycopg.connect(url, autocommit=True)
    if dialect == "sqlite":
        path = urlparse(url).path
        if not Path(path).is_file():
            raise FileNotFoundError(f"no SQLite file at {path}")
        conn = sqlite3.connect(path, isolation_level=None)  # transactions are ours (BEGIN ... COMMIT)
        conn.execute("PRAGMA foreign_keys = ON")  # SQLite checks foreign keys only when asked
        return conn
    import pymysql

    u = urlparse(url)
    return pymysql.connect(
        host=u.hostname or "127.0.0.1", port=u.port or 3306, user=unquote(u.username or "root"),
        password=unquote(u.password or ""), database=u.path.lstrip("/") or None, autocommit=True,
    )  # fmt: skip


def _read_schema(dialect: str, conn: Any, schema: str) -> Imported:
    if dialect == "postgres":
        conn.execute("SELECT set_config('search_path', quote_ident(%s), false)", (schema,))
        return introspect(conn, schema)
    if dialect == "sqlite":
        sql = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') "
                                          "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        return from_ddl(";\n".join(sql), "sqlite")
    with conn.cursor() as cur:
        cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
        names = [r[0] for r in cur.fetchall()]
        ddl = []
        for name in names:
            cur.execute(f"SHOW CREATE TABLE `{name.replace('`', '``')}`")
            ddl.append(cur.fetchone()[1])
    return from_ddl(";\n".join(ddl), "mysql")


def _read_ddl(path: str, dialect: str) -> Imported:
    if dialect not in DIALECTS:
        raise InvalidRequest("--ddl", f"no DDL dialect for {dialect}", f"use one of {DIALECTS}")
    text = read_file("--ddl", path, "give the path of a .sql file").decode("utf-8", errors="replace")
    return from_ddl(text, dialect)


def _redacted(text: str, url: str) -> str:
    password = urlparse(url).password
    return text.replace(password, "***") if password else text


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")


def _sources(path: str) -> dict[str, str]:
    import yaml

    raw = read_file("--sources", path, "give a JSON or YAML file")
    try:
        doc = yaml.safe_load(raw)  # JSON is YAML too
    except yaml.YAMLError as exc:
        raise InvalidRequest(
            "--sources", f"{path} is not YAML or JSON: {exc}", "give a JSON or YAML file"
        ) from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in doc.items()
    ):
        what = f"{path} is not a mapping of table.column to a source"
        raise InvalidRequest("--sources", what, 'write {"users.nick": "username"}')
    return doc


def _read_names(target: Target, imported: Imported) -> Refined:
    """The configured model (ANTHROPIC_API_KEY; .env too) reads the column names no rule reads; with
    SEND_SAMPLES_TO_MODEL, five values of each go along."""
    from service.app import build_model
    from service.settings import load_settings

    settings = load_settings()
    samples: dict[str, list[str]] = {}
    if settings.send_samples_to_model and target.conn is not None:
        for table, column in unreadable(imported):
            got = target.keys(table, [column.name], limit=5)
            samples[f"{table}.{column.name}"] = [str(v[0])[:60] for v in got]
    return asyncio.run(refine(imported, build_model(settings), None, samples))
