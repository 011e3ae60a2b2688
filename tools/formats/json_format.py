"""JSON (an array per chunk; one array for the whole document) and JSON Lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson

from tools.formats.base import Rows, Writer


class JsonWriter(Writer):
    name = "json"
    media_type = "application/json"

    opening = "["
    closing = "]"

    def chunk(self, rows: Rows, first: bool) -> str:
        return orjson.dumps(rows).decode()

    def piece(self, rows: Rows, first: bool, first_in_chunk: bool) -> str:
        body = orjson.dumps(rows).decode()[1:-1]
        return body if first_in_chunk or not body else "," + body

    def document(self, batches: Iterable[Rows]) -> Iterator[str]:
        yield "["
        first = True
        for rows in batches:
            if not rows:
                continue
            body = orjson.dumps(rows).decode()[1:-1]
            yield body if first else "," + body
            first = False
        yield "]"


class JsonLinesWriter(Writer):
    name = "jsonl"
    media_type = "application/x-ndjson"

    def chunk(self, rows: Rows, first: bool) -> str:
        dumps = orjson.dumps
        return "".join(dumps(r).decode() + "\n" for r in rows)
