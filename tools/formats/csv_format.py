"""CSV: one header (in the first chunk only), nested values as JSON text, null as an empty cell.

Formula guarding (`csv_safe`, on unless a request turns it off), after OWASP's advice on CSV injection:
- a text cell that a spreadsheet would run as a formula gets a leading `'`: one starting with `=`, `@`,
  tab or CR (or their full-width forms), or with `+` or `-` unless the whole cell is a number (also with a
  decimal comma or a %), a UTC offset (-08:00) or an international phone number; spaces and invisible
  characters before that first character do not hide it;
- every text cell is quoted, so a spreadsheet that splits on `;` or tab cannot cut a cell in two.
Numbers, booleans and JSON text keep their values, and JSON, JSONL and SQL are never changed.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson

from tools.formats.base import Rows, Writer
from tools.schema import EntitySchema

_ALWAYS = frozenset("=@\t\r\uff1d\uff20")  # full-width = and @ too
_SIGNS = frozenset("+-\uff0b\uff0d")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?|[+-]\d{2}:?\d{2}|[+-]")
# What a spreadsheet skips before it looks for a formula: spaces, no-break spaces, zero-width characters.
_INVISIBLE = " \u00a0\u200b\u200c\u200d\u2060\ufeff"
# An international phone number: + then digits with the usual separators, an extension allowed.
_PHONE = re.compile(r"\+[\d ().\-/]+( ?(x|ext\.?) ?\d+)?")
_PHONE_DIGITS = 7


def _phone(text: str) -> bool:
    return bool(_PHONE.fullmatch(text)) and sum(c.isdigit() for c in text) >= _PHONE_DIGITS


def guarded(text: str) -> str:
    bare = text.lstrip(_INVISIBLE)
    first = bare[:1]
    if first in _ALWAYS and first:
        return "'" + text
    if first in _SIGNS and first and not (_NUMBER.fullmatch(bare) or (first == "+" and _phone(bare))):
        return "'" + text
    return text


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


def safe_cell(value: Any) -> Any:
    return guarded(value) if isinstance(value, str) and value else cell(value)


class CsvWriter(Writer):
    name = "csv"
    media_type = "text/csv"

    def __init__(self, schema: EntitySchema, columns: list[str], safe: bool = True) -> None:
        super().__init__(schema, columns)
        self.cell = safe_cell if safe else cell
        self.header = [guarded(c) for c in columns] if safe else columns
        # Safe CSV quotes every text cell: a spreadsheet that splits on `;` or tab (de_DE Excel) would
        # otherwise cut `x;=HYPERLINK(...)` into a second cell that starts with `=`.
        self.quoting: Any = csv.QUOTE_NONNUMERIC if safe else csv.QUOTE_MINIMAL
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(self.header)  # names, guarded, quoted only if needed
        self.header_line = buf.getvalue()
        self.header_bytes = len(self.header_line.encode())

    def chunk(self, rows: Rows, first: bool) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n", quoting=self.quoting)
        cols, cell_of = self.columns, self.cell
        w.writerows([cell_of(r.get(c)) for c in cols] for r in rows)
        return (self.header_line if first else "") + buf.getvalue()

    def row_texts(self, rows: Rows) -> list[str]:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n", quoting=self.quoting)
        cols, cell_of, out = self.columns, self.cell, []
        for r in rows:
            w.writerow([cell_of(r.get(c)) for c in cols])
            out.append(buf.getvalue())
            buf.seek(0)
            buf.truncate()
        return out

    def assemble(self, texts: list[str], first: bool) -> str:
        return (self.header_line if first else "") + "".join(texts)

    def overhead(self, n: int, first: bool) -> int:
        return self.header_bytes if first else 0
