"""CSV: one header (in the first chunk only), nested values as JSON text, null as an empty cell."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from tools.formats.base import Rows, Writer


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


class CsvWriter(Writer):
    name = "csv"
    media_type = "text/csv"

    def chunk(self, rows: Rows, first: bool) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if first:
            w.writerow(self.columns)
        cols = self.columns
        w.writerows([cell(r.get(c)) for c in cols] for r in rows)
        return buf.getvalue()
