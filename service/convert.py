"""Proto <-> domain conversion. The only place (with the servicer) that touches generated code."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agent.datasets import DatasetRequest
from agent.request import DataRequest, ScenarioRequest
from protos.testdata.v1 import test_data_pb2 as pb
from retrieval.examples import Example
from service.bounds import check_message
from tools.constraints import FieldConstraint
from tools.errors import InvalidRequest
from tools.schema import DeriveRule, EntitySchema, FieldSpec

_FORMATS = {pb.JSON: "json", pb.CSV: "csv", pb.SQL: "sql", pb.JSONL: "jsonl"}
_METHODS = {pb.TRADITIONAL: "traditional", pb.LLM: "llm", pb.RAG: "rag", pb.HYBRID: "hybrid"}
_FIELD_TYPES = {
    pb.STRING: "string", pb.INTEGER: "integer", pb.FLOAT: "float", pb.BOOLEAN: "boolean", pb.DATE: "date",
    pb.DATETIME: "datetime", pb.EMAIL: "email", pb.PHONE: "phone", pb.ADDRESS: "address", pb.UUID: "uuid",
    pb.ENUM: "enum", pb.OBJECT: "object", pb.ARRAY: "array",
}  # fmt: skip


def _enum(value: int, table: dict[Any, str], field: str, proto_enum: Any) -> str:
    if proto_enum is pb.OutputFormat and value == pb.PARQUET:
        raise InvalidRequest(
            field,
            "PARQUET is written to files, and this call carries text",
            "use JSON, JSONL, CSV or SQL here, or the CLI for Parquet files:"
            " test-data-agent generate ENTITY --format parquet --out DIR",
        )
    if value not in table:
        names = ", ".join(proto_enum.keys())
        raise InvalidRequest(field, f"{value} is not a valid value", f"use one of {names}")
    return table[value]


def _field(f: pb.Field, path: str) -> dict[str, Any]:
    ftype = _enum(f.type, _FIELD_TYPES, f"{path}.type", pb.FieldType)
    out: dict[str, Any] = {
        "name": f.name,
        "type": ftype,
        "required": f.required,
        "description": f.description,
    }
    nested = [_field(n, f"{path}.nested_fields[{i}]") for i, n in enumerate(f.nested_fields)]
    if ftype == "array" and nested:
        # An array's nested fields describe its items (objects).
        out["items"] = {"type": "object", "fields": nested}
    elif nested:
        out["fields"] = nested
    return out


def checked_request_id(value: str) -> None:
    """A request id travels in response headers: printable ASCII only."""
    if any(not " " <= c <= "~" for c in value):
        raise InvalidRequest(
            "request_id", "must be printable ASCII", "use letters, digits and - _ . : (a UUID is fine)"
        )


def to_request(msg: pb.GenerateRequest, request_id: str) -> DataRequest:
    check_message(msg)
    checked_request_id(msg.request_id)
    constraints = {
        path: FieldConstraint(
            min=c.min if c.HasField("min") else None,
            max=c.max if c.HasField("max") else None,
            enum_values=list(c.enum_values),
            regex=c.regex if c.HasField("regex") else None,
            min_length=c.min_length if c.HasField("min_length") else None,
            max_length=c.max_length if c.HasField("max_length") else None,
            format=c.format if c.HasField("format") else None,
        )
        for path, c in msg.constraints.field_constraints.items()
    }
    return DataRequest(
        entity=msg.entity,
        domain=msg.domain,
        request_id=request_id,
        count=msg.count,
        output_format=_enum(msg.output_format, _FORMATS, "output_format", pb.OutputFormat),
        seed=msg.seed if msg.HasField("seed") else None,
        locale=msg.locale,
        as_of=msg.as_of,
        scenarios=[ScenarioRequest(s.name, s.count, dict(s.overrides), s.description) for s in msg.scenarios],
        constraints=constraints,
        context=msg.context,
        hints=list(msg.hints),
        custom_schema=msg.custom_schema,
        inline_schema=msg.inline_schema,
        schema_fields=[_field(f, f"schema.fields[{i}]") for i, f in enumerate(msg.schema.fields)],
        predefined_schema=msg.schema.predefined_schema,
        defect_triggering=msg.defect_triggering,
        negative=msg.negative,
        learn_from_history=msg.learn_from_history,
        production_like=msg.production_like,
        generation_method=(
            _enum(msg.generation_method, _METHODS, "generation_method", pb.GenerationMethod)
            if msg.HasField("generation_method")
            else None
        ),
        use_cache=msg.use_cache if msg.HasField("use_cache") else None,
        chunk_size=msg.chunk_size,
        csv_safe=msg.csv_safe if msg.HasField("csv_safe") else True,
    )


def _example_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value).decode()
    return str(value).lower() if isinstance(value, bool) else str(value)


def _field_infos(
    fields: list[FieldSpec], example: dict[str, Any] | None, prefix: str
) -> list[pb.SchemaFieldInfo]:
    out = []
    for f in fields:
        value = (example or {}).get(f.name) if example is not None else None
        out.append(
            pb.SchemaFieldInfo(
                name=prefix + f.name,
                type=f.type.value,
                required=f.required,
                description=f.description,
                example=_example_text(value if value is not None else f.example),
                constraints_json=_constraints_json(f),
            )
        )
        items = f.items.fields if f.items is not None else []
        if items:
            first = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else None
            out.extend(_field_infos(items, first, f"{prefix}{f.name}[]."))
        elif f.fields:
            out.extend(
                _field_infos(f.fields, value if isinstance(value, dict) else None, f"{prefix}{f.name}.")
            )
    return out


def schema_info(schema: EntitySchema) -> pb.SchemaInfo:
    return pb.SchemaInfo(
        name=schema.name,
        domain=schema.domain,
        description=schema.description,
        fields=_field_infos(schema.fields, schema.example, ""),
        rules=[r.derive if isinstance(r, DeriveRule) else r.describe() for r in schema.rules],
    )


_CONSTRAINT_KEYS = ("min", "max", "values", "regex", "min_length", "max_length", "format", "unique",
                    "min_items", "max_items", "source", "ref", "precision")  # fmt: skip


def _constraints_json(f: FieldSpec) -> str:
    """What bounds the field's values, as JSON: what a client needs to check or build against."""
    import orjson

    found = {k: getattr(f, k) for k in _CONSTRAINT_KEYS if getattr(f, k) not in (None, False, [])}
    if f.is_nullable:
        found["nullable"] = True
    return orjson.dumps(found).decode() if found else ""


def to_examples(msg: pb.AddExamplesRequest) -> tuple[list[tuple[int, Example]], list[str]]:
    """(position, example) for each readable example, and one reason per example that is not."""
    good, rejected = [], []
    for i, e in enumerate(msg.examples):
        fields = {
            "domain": e.domain or "ecommerce",
            "entity": e.entity,
            "kind": e.kind,
            "scenario": e.scenario,
            "description": e.description,
            "data": e.data,
            "tags": list(e.tags),
            "quality_score": e.quality_score if e.quality_score else 0.5,
        }
        try:
            good.append((i, Example(**fields)))
        except (ValidationError, ValueError) as exc:
            rejected.append(f"examples[{i}]: {_first_error(exc)}")
    return good, rejected


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg']}"
    return f"data: not valid JSON ({exc})"


def to_dataset_request(msg: pb.DatasetRequest, request_id: str) -> DatasetRequest:
    check_message(msg)
    checked_request_id(msg.request_id)
    entities: dict[str, int] = {}
    for i, e in enumerate(msg.entities):
        name = e.entity.strip().lower()
        if not name:
            raise InvalidRequest(f"entities[{i}].entity", "is empty", "name an entity, e.g. customer")
        if name in entities:
            raise InvalidRequest(f"entities[{i}]", f"{name} is listed twice", "list each entity once")
        entities[name] = e.count
    return DatasetRequest(
        entities=entities,
        domain=msg.domain,
        request_id=request_id,
        seed=msg.seed if msg.HasField("seed") else None,
        output_format=_enum(msg.output_format, _FORMATS, "output_format", pb.OutputFormat),
        context=msg.context,
        hints=list(msg.hints),
        generation_method=(
            _enum(msg.generation_method, _METHODS, "generation_method", pb.GenerationMethod)
            if msg.HasField("generation_method")
            else None
        ),
        locale=msg.locale,
        as_of=msg.as_of,
        use_cache=msg.use_cache if msg.HasField("use_cache") else None,
        csv_safe=msg.csv_safe if msg.HasField("csv_safe") else True,
    )


MAX_HEADER_CHARS = 2000  # clients accept 8 KiB of metadata by default; leave room for the rest


def header_text(text: str) -> str:
    """A metadata value: printable ASCII on one line (a reason may quote an error message), bounded."""
    flat = " ".join(text.split()).encode("ascii", "backslashreplace").decode()
    return "".join(c if " " <= c <= "~" else "?" for c in flat)[:MAX_HEADER_CHARS]
