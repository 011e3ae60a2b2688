"""`generate ENTITY --schema FILE`: your own schema as the request's custom_schema. A JSON file goes as
it is (a fields document, a JSON Schema or an OpenAPI document: ENTITY names its schema); a .sql file of
DDL (ENTITY names the table; --dialect, else guessed); a .proto file
(with the other .proto files beside it, and the well-known types) or a FileDescriptorSet (.pb, .desc,
.binpb) is read into one message's schema (ENTITY names the message; tools/imports/proto.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from service.proto_sources import compile_protos, reflected_set
from tools.errors import InvalidRequest
from tools.imports.ddl import from_ddl
from tools.imports.entities import to_entity
from tools.imports.model import Note
from tools.imports.proto import message_schema

MAX_SCHEMA_BYTES = 2_000_000  # as the service's custom_schema limit


def read_file(flag: str, path: str, fix: str) -> bytes:
    """A file a CLI option names, or InvalidRequest naming the option, the path and why."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidRequest(flag, f"cannot read {path}: {exc.strerror}", fix) from None


def schema_arg(path: str, entity: str, dialect: str = "") -> str:
    """The custom_schema text for the file; what the import leaves out goes to stderr."""
    if path.startswith("grpc://"):  # a running server's reflection: ENTITY is a message's full name
        return _message(reflected_set(path.removeprefix("grpc://").rstrip("/"), entity), entity)
    file = Path(path)
    try:
        if file.stat().st_size > MAX_SCHEMA_BYTES:
            raise InvalidRequest("--schema", f"{path} is larger than {MAX_SCHEMA_BYTES:,} bytes", "split it")
        if file.suffix == ".sql":
            return _table_schema(file.read_text(encoding="utf-8"), entity, dialect)
        if file.suffix == ".proto":
            files = {p.name: p.read_text(encoding="utf-8") for p in sorted(file.parent.glob("*.proto"))}
            data = compile_protos(files)
        elif file.suffix in (".pb", ".desc", ".binpb"):
            data = file.read_bytes()
        else:
            return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(
            "--schema", f"cannot read {path}: {exc.strerror}", "give the path of a schema file"
        ) from None
    return _message(data, entity)


def _message(data: bytes, entity: str) -> str:
    notes: list[Note] = []
    doc = message_schema(data, entity, notes)
    for note in notes:
        sys.stderr.write(f"note: {note}\n")
    return json.dumps(doc)


def _table_schema(text: str, entity: str, dialect: str) -> str:
    """One table of DDL text as a custom schema (its foreign keys as plain values: no parent rows
    here; `seed` makes linked rows)."""
    dialect = dialect or _guess_dialect(text)
    imported = from_ddl(text, dialect)
    table = imported.tables.get(entity)
    if table is None:
        raise InvalidRequest(
            "entity", f"names no table of the DDL ({entity!r})", f"use one of {sorted(imported.tables)[:20]}"
        )
    notes = list(imported.notes)
    schema = to_entity(table, set(), notes)
    for note in notes:
        sys.stderr.write(f"note: {note}\n")
    return json.dumps(schema.model_dump(mode="json", exclude_defaults=True))


def _guess_dialect(text: str) -> str:
    upper = text.upper()
    if "AUTO_INCREMENT" in upper or "ENGINE=" in upper or "`" in text:
        return "mysql"
    return "sqlite" if "AUTOINCREMENT" in upper else "postgres"
