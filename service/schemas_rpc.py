"""ImportSchema and DeleteSchema: a client's own schema (SQL DDL, JSON Schema, OpenAPI, .proto, a
descriptor set) read into one custom schema document per entity (tools/imports), kept for a day under
an unguessable id, scoped to the caller's token when tokens are on; GenerateData then takes
`schema_id` and `entity` in place of `custom_schema`. The import never reads the server's disk (a
.proto may import the well-known types only) and never connects to a database.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import secrets
from typing import Any

from pydantic_ai.models import Model

from agent.name_agent import refine
from protos.testdata.v1 import test_data_pb2 as pb
from retrieval.cache import CacheError, PlanCache
from service.convert import schema_info
from service.errors import Unavailable
from service.proto_sources import compile_protos
from tools.client_json import parse_json_document
from tools.errors import DataError, InvalidRequest, SchemaNotFound
from tools.imports.ddl import DIALECTS, from_ddl
from tools.imports.entities import to_entity
from tools.imports.jsonschema import openapi_schema
from tools.imports.model import Imported, Note
from tools.imports.proto import message_schema
from tools.inference import infer_source
from tools.schema import EntitySchema, FieldType
from tools.schema_docs import schema_from_document

SOURCE_KINDS = ("sql", "json_schema", "openapi", "proto", "descriptor_set")
SCHEMA_TTL_S = 86_400
IMPORT_TIMEOUT_S = 30.0  # parsing and compiling one import, at most
MAX_ENTITIES = 200
MAX_STATEMENTS = 2000  # DDL statements read at most: sqlglot takes ~1 ms each
_PREFIX = "schema:"


def _key(scope: str, schema_id: str) -> str:
    return f"{_PREFIX}{scope}:{schema_id}"


def graph_key(scope: str, schema_id: str) -> str:
    return _key(scope, schema_id.strip()) + ":graph"


async def import_schema(
    req: pb.ImportSchemaRequest,
    store: PlanCache,
    scope: str,
    model: Model | None = None,
    names_cache: PlanCache | None = None,
) -> pb.ImportSchemaResponse:
    """`model`, when one is configured, reads the column names no rule reads (agent/name_agent.py)."""
    kind = req.source_kind.strip().lower()
    if kind not in SOURCE_KINDS:
        raise InvalidRequest(
            "source_kind", f"{req.source_kind!r} is not a source kind", f"use one of {SOURCE_KINDS}"
        )
    if not req.source.strip():
        raise InvalidRequest("source", "is empty", "send the schema text (base64 for descriptor_set)")
    try:
        docs, notes, imported = await asyncio.wait_for(
            asyncio.to_thread(_read, kind, req.source, req.dialect.strip().lower()), IMPORT_TIMEOUT_S
        )
    except TimeoutError:
        slow = f"took longer than {IMPORT_TIMEOUT_S:g} s to read"
        raise InvalidRequest("source", slow, "send a smaller schema") from None
    schemas: dict[str, EntitySchema] = {}
    warnings = [str(n) for n in notes]
    chosen: dict[str, str] = {}
    wanted = dict(req.sources)
    if imported is not None:  # SQL: the names no rule reads, read by the model (the client's win)
        refined = await refine(imported, model, names_cache)
        warnings += [str(n) for n in refined.notes]
        for path, source in refined.sources.items():
            wanted.setdefault(path, source)
    for name, doc in docs.items():
        _apply_sources(name, doc, wanted, chosen)
        try:
            schemas[name] = schema_from_document(json.dumps(doc), f"schemas[{name}]", name)
        except DataError as exc:
            warnings.append(f"{name}: {exc.message}; left out")
            docs[name] = {}
    unknown = sorted(set(wanted) - set(chosen))
    if unknown:
        raise InvalidRequest(
            "sources", f"names fields the schema lacks: {unknown[:10]}", "key it entity.field"
        )
    # Kept under the name SchemaInfo gives (lower case, as a table name), which GenerateData's entity names.
    kept = {schemas[n].name: d for n, d in docs.items() if d}
    schemas = {schemas[n].name: schemas[n] for n in docs if docs[n]}
    if not kept:
        empty = "holds no schema rows can be made from: " + "; ".join(warnings[:5])
        raise InvalidRequest("source", empty, "fix the schema")
    schema_id = "sch_" + secrets.token_urlsafe(24)
    try:
        await store.set(_key(scope, schema_id), json.dumps(kept), SCHEMA_TTL_S)
        if imported is not None:  # SQL: its tables and keys, for GenerateDataset (service/dataset_import.py)
            columns = {f"{t.name}.{c.name}" for t in imported.tables.values() for c in t.columns}
            graph = {"dialect": req.dialect.strip().lower(), "source": req.source,
                     "sources": {k: v for k, v in chosen.items() if k in columns}}  # fmt: skip
            await store.set(graph_key(scope, schema_id), json.dumps(graph), SCHEMA_TTL_S)
    except CacheError as exc:
        raise Unavailable(f"the schema store is unavailable: {exc}") from None
    return pb.ImportSchemaResponse(
        schema_id=schema_id,
        schemas=[schema_info(schemas[n]) for n in kept],
        warnings=warnings,
        sources=chosen,
    )


async def delete_schema(req: pb.DeleteSchemaRequest, store: PlanCache, scope: str) -> pb.DeleteSchemaResponse:
    try:
        await store.delete(graph_key(scope, req.schema_id))
        return pb.DeleteSchemaResponse(deleted=await store.delete(_key(scope, req.schema_id.strip())))
    except CacheError as exc:
        raise Unavailable(f"the schema store is unavailable: {exc}") from None


async def schema_document(schema_id: str, entity: str, store: PlanCache, scope: str) -> str:
    """The custom schema document `entity` names in the stored import; NOT_FOUND when the id is not
    this caller's (or has expired)."""
    try:
        raw = await store.get(_key(scope, schema_id.strip()))
    except CacheError as exc:
        raise Unavailable(f"the schema store is unavailable: {exc}") from None
    if raw is None:
        gone = "no imported schema with this id (it expires after a day, and is only the importer's)"
        raise SchemaNotFound("schema_id", gone, "import the schema again")
    docs = json.loads(raw)
    entity = entity if entity in docs else _table_name(entity)
    if entity not in docs:
        raise InvalidRequest(
            "entity", f"names no schema of this import ({entity!r})", f"use one of {sorted(docs)[:20]}"
        )
    return json.dumps(docs[entity])


def _read(
    kind: str, source: str, dialect: str
) -> tuple[dict[str, dict[str, Any]], list[Note], Imported | None]:
    notes: list[Note] = []
    imported: Imported | None = None
    if kind == "sql":
        if dialect not in DIALECTS:
            raise InvalidRequest(
                "dialect", f"{dialect!r} is not a SQL dialect read here", f"use one of {DIALECTS}"
            )
        imported = from_ddl(source, dialect, max_statements=MAX_STATEMENTS)
        notes += imported.notes
        docs = {
            n: to_entity(t, set(), notes).model_dump(mode="json", exclude_defaults=True)
            for n, t in imported.tables.items()
        }
    elif kind in ("json_schema", "openapi"):
        doc = _json(source)
        if kind == "openapi":
            names = list((doc.get("components") or {}).get("schemas") or {})
            docs = {n: openapi_schema(doc, n, f"source.components.schemas.{n}") for n in names[:MAX_ENTITIES]}
        else:
            docs = {str(doc.get("title") or "custom"): doc}
    else:
        data = (
            compile_protos({"schema.proto": source}, IMPORT_TIMEOUT_S) if kind == "proto" else _base64(source)
        )
        docs = {}
        for full in _message_names(data)[:MAX_ENTITIES]:
            docs[full.rsplit(".", 1)[-1]] = message_schema(data, full, notes)
    if len(docs) > MAX_ENTITIES:
        raise InvalidRequest("source", f"holds more than {MAX_ENTITIES} schemas", "import fewer at a time")
    return docs, notes, imported


def _json(source: str) -> dict[str, Any]:
    doc = parse_json_document(source, "source")  # NaN, huge numbers and deep nesting named, not raised
    if not isinstance(doc, dict):
        raise InvalidRequest("source", "must be a JSON object", "send a JSON Schema or an OpenAPI document")
    return doc


def _base64(source: str) -> bytes:
    try:
        return base64.b64decode(source, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(
            "source", "is not base64", "send the FileDescriptorSet's bytes base64-encoded"
        ) from None


def _message_names(data: bytes) -> list[str]:
    from google.protobuf import descriptor_pb2

    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    except Exception:
        fix = "protoc --descriptor_set_out=FILE --include_imports, base64-encoded"
        raise InvalidRequest("source", "is not a FileDescriptorSet", fix) from None
    return [
        f"{f.package}.{m.name}" if f.package else m.name
        for f in fds.file
        if not f.package.startswith("google.protobuf")
        for m in f.message_type
    ]


def _apply_sources(entity: str, doc: dict[str, Any], wanted: dict[str, str], chosen: dict[str, str]) -> None:
    """The client's value source for a top-level field where it names one, else the one its name
    suggests; both reported back."""
    fields = doc.get("fields")
    if isinstance(doc.get("properties"), dict):  # a JSON Schema: the same, over its properties
        fields = [{**v, "name": k} for k, v in doc["properties"].items() if isinstance(v, dict)]
        for f in fields:
            doc["properties"][f["name"]] = f
    if not isinstance(fields, list):
        return
    for f in fields:
        if not isinstance(f, dict) or "name" not in f:
            continue
        path = f"{entity}.{f['name']}"
        if path in wanted:
            f["source"] = wanted[path]
            chosen[path] = wanted[path]
            continue
        try:
            kind = FieldType(f.get("type", "string"))
        except ValueError:
            continue
        guess = f.get("source") or infer_source(str(f["name"]), kind, str(f.get("description", "")))
        if guess:
            chosen[path] = str(guess)


def _table_name(name: str) -> str:
    """An entity as SchemaInfo names it: "Order" and "order" find the same schema."""
    return re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
