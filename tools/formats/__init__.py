"""Output formats. Every writer turns batches of rows into text chunks that parse on their own
(`chunk`), or into one document written piece by piece (`document`)."""

from __future__ import annotations

from tools.formats.base import FORMATS, MAX_CHUNK_BYTES, Writer, columns_for, make_writer

__all__ = ["FORMATS", "MAX_CHUNK_BYTES", "Writer", "columns_for", "make_writer"]
