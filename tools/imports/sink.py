"""Where a seed goes: a PostgreSQL connection (COPY, in the caller's transaction) or a SQL script
(`--dry-run`), written from the same statements and the same COPY text, so what a dry run prints is
what a seed sends."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import psycopg

COPY_CHUNK = 1 << 20  # characters of COPY text sent at a time


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
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


class Sink:
    def execute(self, statement: str) -> None:
        raise NotImplementedError

    def copy(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def _copy_sql(self, table: str, columns: list[str]) -> str:
        return f"COPY {ident(table)} ({', '.join(ident(c) for c in columns)}) FROM STDIN"


class DatabaseSink(Sink):
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, statement: str) -> None:
        self.conn.execute(statement.encode())  # bytes: psycopg reads no %s placeholders in it

    def copy(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
        n = 0
        with self.conn.cursor() as cur, cur.copy(self._copy_sql(table, columns).encode()) as cp:
            buf: list[str] = []
            size = 0
            for row in rows:
                line = "\t".join(copy_text(v) for v in row) + "\n"
                buf.append(line)
                size += len(line)
                n += 1
                if size >= COPY_CHUNK:
                    cp.write("".join(buf))
                    buf, size = [], 0
            if buf:
                cp.write("".join(buf))
        return n


class ScriptSink(Sink):
    """A psql script: statements, and COPY ... FROM STDIN blocks ended by \\."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def execute(self, statement: str) -> None:
        self.out.write(statement.rstrip(";") + ";\n")

    def copy(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
        self.out.write(self._copy_sql(table, columns) + ";\n")
        n = 0
        for row in rows:
            self.out.write("\t".join(copy_text(v) for v in row) + "\n")
            n += 1
        self.out.write("\\.\n")
        return n
