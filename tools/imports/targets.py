"""Where a seed goes, per database: PostgreSQL (COPY), SQLite (a file) and MySQL/MariaDB (batched
INSERTs), each either on a live connection or written as a SQL script (`--dry-run`) from the same
statements and values, so what a dry run prints is what a seed sends. Each runs inside the caller's
one transaction; nothing here commits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TextIO

COPY_CHUNK = 1 << 20  # characters of COPY text sent at a time
INSERT_ROWS = 500  # rows per INSERT statement (MySQL, SQLite)
_TEMPORAL = ("timestamp", "timestamptz")


class Target:
    """A database, or a script of what would be sent to one (`script`)."""

    dialect = ""
    quote = '"'
    insert_rows = INSERT_ROWS  # rows per INSERT statement

    def __init__(self, conn: Any = None, script: TextIO | None = None) -> None:
        self.conn, self.script = conn, script

    @property
    def dry(self) -> bool:
        return self.script is not None

    def ident(self, name: str) -> str:
        q = self.quote
        return q + name.replace(q, q + q) + q

    def execute(self, statement: str) -> None:
        if self.script is not None:
            self.script.write(statement.rstrip(";") + ";\n")
        else:
            self._run(statement)

    def _run(self, statement: str) -> None:
        self.conn.execute(statement)

    def _scalar(self, statement: str) -> Any:
        row = self.conn.execute(statement).fetchone()
        return None if row is None else row[0]

    def keys(self, table: str, columns: list[str], limit: int | None = None) -> list[tuple[Any, ...]]:
        """The existing rows' values of `columns` (a reused table's keys), read even in a dry run."""
        if self.conn is None:
            raise LookupError("reusing a table's rows needs the database, not DDL alone")
        listed = ", ".join(self.ident(c) for c in columns)
        where = " AND ".join(f"{self.ident(c)} IS NOT NULL" for c in columns)
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        return [tuple(r) for r in self._rows(f"SELECT {listed} FROM {self.ident(table)} WHERE {where}{tail}")]

    def _rows(self, statement: str) -> list[Any]:
        return list(self.conn.execute(statement).fetchall())

    def count(self, table: str) -> int:
        return int(self._scalar(f"SELECT count(*) FROM {self.ident(table)}"))

    def begin(self) -> None:
        if self.script is not None:
            self.script.write("BEGIN;\n")

    def commit_script(self) -> None:
        if self.script is not None:
            self.script.write("COMMIT;\n")

    def numbers(self, table: str, column: str, n: int, truncated: bool) -> list[int]:
        """n keys for a column the database numbers: after its current largest (an explicit value
        moves MySQL's AUTO_INCREMENT and SQLite's rowid counter past it)."""
        start = 1
        if not truncated and self.conn is not None:
            start = (
                int(self._scalar(f"SELECT coalesce(max({self.ident(column)}), 0) FROM {self.ident(table)}"))
                + 1
            )
        return list(range(start, start + n))

    def after_table(self, table: str, numbered: list[str]) -> None:
        """After a table's rows: what the database needs to number its next row past them."""

    def truncate(self, tables: list[str]) -> None:
        for t in reversed(tables):  # children first
            self.execute(f"DELETE FROM {self.ident(t)}")

    def value(self, kind: str, v: Any) -> Any:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, dict | list):
            return json.dumps(v, ensure_ascii=False)
        return v

    def write(self, table: str, columns: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]) -> int:
        values = ([self.value(k, v) for k, v in zip(kinds, row, strict=True)] for row in rows)
        head = self.insert_head(table, columns)
        n = 0
        for batch in _batches(values, self.insert_rows):
            n += len(batch)
            if self.script is not None:
                self.script.write(
                    head + ",\n".join(f"({', '.join(self.literal(v) for v in r)})" for r in batch) + ";\n"
                )
            else:
                self._insert(head, len(columns), batch)
        return n

    def insert_head(self, table: str, columns: list[str]) -> str:
        return f"INSERT INTO {self.ident(table)} ({', '.join(self.ident(c) for c in columns)}) VALUES "

    def _insert(self, head: str, width: int, batch: list[list[Any]]) -> None:
        raise NotImplementedError

    def literal(self, v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, int | float):
            return repr(v)
        return "'" + str(v).replace("'", "''") + "'"

    def update(
        self, table: str, pk: list[str], cols: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Set `cols` of the rows whose primary key leads each row (deferred foreign keys): through
        a temporary table, in one UPDATE."""
        tmp = f"_seed_{table}"[:60]
        listed = ", ".join(self.ident(c) for c in (*pk, *cols))
        self.execute(self._temp_table(tmp, listed, table))
        self.write(tmp, [*pk, *cols], kinds, rows)
        self.execute(self._update(table, tmp, pk, cols))
        self.execute(f"DROP TABLE {self.ident(tmp)}")

    def _temp_table(self, tmp: str, listed: str, table: str) -> str:
        return f"CREATE TEMP TABLE {self.ident(tmp)} AS SELECT {listed} FROM {self.ident(table)} WHERE 1 = 0"

    def _update(self, table: str, tmp: str, pk: list[str], cols: list[str]) -> str:
        i = self.ident
        match = " AND ".join(f"s.{i(c)} = {i(table)}.{i(c)}" for c in pk)
        sets = ", ".join(f"{i(c)} = (SELECT s.{i(c)} FROM {i(tmp)} AS s WHERE {match})" for c in cols)
        keys = ", ".join(i(c) for c in pk)
        return f"UPDATE {i(table)} SET {sets} WHERE ({keys}) IN (SELECT {keys} FROM {i(tmp)})"


class PostgresTarget(Target):
    dialect = "postgres"

    def _run(self, statement: str) -> None:
        self.conn.execute(statement.encode())  # bytes: psycopg reads no %s placeholders in it

    def _scalar(self, statement: str) -> Any:
        row = self.conn.execute(statement.encode()).fetchone()
        return None if row is None else row[0]

    def _rows(self, statement: str) -> list[Any]:
        return list(self.conn.execute(statement.encode()).fetchall())

    def numbers(self, table: str, column: str, n: int, truncated: bool) -> list[int]:
        """The column's own sequence's next n values, reserved (a script counts on from the maximum)."""
        if self.dry:
            return super().numbers(table, column, n, truncated)
        seq = self.conn.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", (self.ident(table), column)
        ).fetchone()
        if seq is None or seq[0] is None:
            raise LookupError(f"{column} has no sequence to number rows with")
        return [
            v for (v,) in self.conn.execute("SELECT nextval(%s) FROM generate_series(1, %s)", (seq[0], n))
        ]

    def after_table(self, table: str, numbered: list[str]) -> None:
        if self.dry:  # a live seed took its numbers from the sequence; a script moves it on
            for c in numbered:
                seq = f"pg_get_serial_sequence({self.literal(self.ident(table))}, {self.literal(c)})"
                self.execute(f"SELECT setval({seq}, (SELECT max({self.ident(c)}) FROM {self.ident(table)}))")

    def truncate(self, tables: list[str]) -> None:
        self.execute(f"TRUNCATE {', '.join(self.ident(t) for t in tables)} RESTART IDENTITY")

    def value(self, kind: str, v: Any) -> Any:
        return v  # copy_text writes every type in COPY's text format

    def write(self, table: str, columns: list[str], kinds: list[str], rows: Iterable[Sequence[Any]]) -> int:
        copy = f"COPY {self.ident(table)} ({', '.join(self.ident(c) for c in columns)}) FROM STDIN"
        lines = ("\t".join(copy_text(v) for v in row) + "\n" for row in rows)
        n = 0
        if self.script is not None:
            self.script.write(copy + ";\n")
            for line in lines:
                self.script.write(line)
                n += 1
            self.script.write("\\.\n")
            return n
        with self.conn.cursor() as cur, cur.copy(copy.encode()) as cp:
            buf: list[str] = []
            size = 0
            for line in lines:
                buf.append(line)
                size += len(line)
                n += 1
                if size >= COPY_CHUNK:
                    cp.write("".join(buf))
                    buf, size = [], 0
            if buf:
                cp.write("".join(buf))
        return n

    def _temp_table(self, tmp: str, listed: str, table: str) -> str:
        return f"CREATE TEMP TABLE {self.ident(tmp)} AS SELECT {listed} FROM {self.ident(table)} WITH NO DATA"

    def _update(self, table: str, tmp: str, pk: list[str], cols: list[str]) -> str:
        i = self.ident
        sets = ", ".join(f"{i(c)} = s.{i(c)}" for c in cols)
        match = " AND ".join(f"t.{i(c)} = s.{i(c)}" for c in pk)
        return f"UPDATE {i(table)} AS t SET {sets} FROM {i(tmp)} AS s WHERE {match}"


class SqliteTarget(Target):
    dialect = "sqlite"

    def _run(self, statement: str) -> None:
        self.conn.execute(statement)

    def begin(self) -> None:
        super().begin()
        if self.script is not None:
            self.script.write("PRAGMA foreign_keys = ON;\n")

    def _insert(self, head: str, width: int, batch: list[list[Any]]) -> None:
        self.conn.executemany(head + "(" + ", ".join("?" * width) + ")", batch)


class MysqlTarget(Target):
    dialect = "mysql"
    quote = "`"

    def _run(self, statement: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(statement)

    def _scalar(self, statement: str) -> Any:
        with self.conn.cursor() as cur:
            cur.execute(statement)
            row = cur.fetchone()
        return None if row is None else row[0]

    def _rows(self, statement: str) -> list[Any]:
        with self.conn.cursor() as cur:
            cur.execute(statement)
            return list(cur.fetchall())

    def begin(self) -> None:
        if self.script is not None:
            self.script.write("START TRANSACTION;\n")

    def value(self, kind: str, v: Any) -> Any:
        if kind in _TEMPORAL and isinstance(v, str):  # MySQL's DATETIME reads no T, zone or fraction
            return v.replace("T", " ").removesuffix("Z")[:19]
        return super().value(kind, v)

    def literal(self, v: Any) -> str:
        if isinstance(v, str):
            return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
        return super().literal(v)

    def _insert(self, head: str, width: int, batch: list[list[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(head + "(" + ", ".join(["%s"] * width) + ")", batch)

    def _temp_table(self, tmp: str, listed: str, table: str) -> str:
        return f"CREATE TEMPORARY TABLE {self.ident(tmp)} AS SELECT {listed} FROM {self.ident(table)} LIMIT 0"

    def _update(self, table: str, tmp: str, pk: list[str], cols: list[str]) -> str:
        i = self.ident
        match = " AND ".join(f"t.{i(c)} = s.{i(c)}" for c in pk)
        sets = ", ".join(f"t.{i(c)} = s.{i(c)}" for c in cols)
        return f"UPDATE {i(table)} AS t JOIN {i(tmp)} AS s ON {match} SET {sets}"


def _batches(rows: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def copy_text(value: Any) -> str:
    """One value in PostgreSQL COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list | tuple):
        text = _array(value)
    else:
        text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _array(values: Sequence[Any]) -> str:
    def item(v: Any) -> str:
        if v is None:
            return "NULL"
        text = ("t" if v else "f") if isinstance(v, bool) else str(v)
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(item(v) for v in values) + "}"


def target_for(url: str, conn: Any, script: TextIO | None) -> Target:
    scheme = re.match(r"^(\w+)(\+\w+)?:", url)
    kind = scheme.group(1).lower() if scheme else ""
    if kind in ("postgres", "postgresql"):
        return PostgresTarget(conn, script)
    if kind == "sqlite":
        return SqliteTarget(conn, script)
    if kind in ("mysql", "mariadb"):
        return MysqlTarget(conn, script)
    raise ValueError(url)
