"""CSV: one header (in the first chunk only), nested values as JSON text, null as an empty cell.

Formula guarding (`csv_safe`, on unless a request turns it off): a text cell that a spreadsheet would
run as a formula gets the usual leading `'` (OWASP's advice for CSV injection). That is a cell starting
with `=`, `@`, tab or CR, or with `+` or `-` unless the whole cell is a number or a phone number.
Numbers, booleans and JSON text are never touched, and JSON, JSONL and SQL never are.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson

from tools.formats.base import Rows, Writer
from tools.schema import EntitySchema

_ALWAYS = frozenset("=@\t\r")
_SIGNS = frozenset("+-")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# An international phone number: + then digits with the usual separators, an extension allowed.
_PHONE = re.compile(r"\+[\d ().\-/]+( ?(x|ext\.?) ?\d+)?")
_PHONE_DIGITS = 7


def _phone(text: str) -> bool:
    return bool(_PHONE.fullmatch(text)) and sum(c.isdigit() for c in text) >= _PHONE_DIGITS


def guarded(text: str) -> str:
    first = text[:1]
    if first in _ALWAYS:
        return "'" + text
    if first in _SIGNS and first and not (_NUMBER.fullmatch(text) or (first == "+" and _phone(text))):
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

    def chunk(self, rows: Rows, first: bool) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if first:
            w.writerow(self.header)
        cols, cell_of = self.columns, self.cell
        w.writerows([cell_of(r.get(c)) for c in cols] for r in rows)
        return buf.getvalue()
