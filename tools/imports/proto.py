"""Protobuf messages as schemas: a FileDescriptorSet (service/proto_sources.py makes one from .proto text,
compiled against the files given and the well-known types only, or from a server's reflection). One message
becomes a custom schema document (tools/schema_docs.py reads it): nested messages as objects, repeated
as arrays, enums by name, Timestamp as a date-time, Duration as "12s", wrappers as nullable values,
proto3 `optional` as nullable. Rows read back as the message through protobuf's JSON mapping.

Left out, each with a Note: a map field (a JSON object with free keys has no fixed fields here), every
member of a oneof but its first (JSON mapping allows one), google.protobuf.Any, and a message's second
appearance inside itself (a tree's children stop there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2

from tools.errors import InvalidRequest
from tools.imports.model import Note

F = descriptor_pb2.FieldDescriptorProto
_INT: dict[str, Any] = {"type": "integer"}
_UINT: dict[str, Any] = {"type": "integer", "min": 0}
_BYTES: dict[str, Any] = {
    "type": "pattern",
    "format": "{alnum:16}",
}  # base64 text, as JSON mapping writes bytes
_SCALARS: dict[int, dict[str, Any]] = {
    F.TYPE_DOUBLE: {"type": "float"}, F.TYPE_FLOAT: {"type": "float"}, F.TYPE_BOOL: {"type": "boolean"},
    F.TYPE_STRING: {"type": "string"}, F.TYPE_BYTES: _BYTES,
    **dict.fromkeys([F.TYPE_INT32, F.TYPE_SINT32, F.TYPE_SFIXED32, F.TYPE_INT64, F.TYPE_SINT64], _INT),
    **dict.fromkeys([F.TYPE_SFIXED64], _INT),
    **dict.fromkeys([F.TYPE_UINT32, F.TYPE_FIXED32, F.TYPE_UINT64, F.TYPE_FIXED64], _UINT),
}  # fmt: skip
_WRAPPERS: dict[str, dict[str, Any]] = {
    "DoubleValue": {"type": "float"}, "FloatValue": {"type": "float"}, "Int64Value": {"type": "integer"},
    "UInt64Value": {"type": "integer", "min": 0}, "Int32Value": {"type": "integer"},
    "UInt32Value": {"type": "integer", "min": 0}, "BoolValue": {"type": "boolean"},
    "StringValue": {"type": "string"}, "BytesValue": {"type": "pattern", "format": "{alnum:16}"},
}  # fmt: skip
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    ".google.protobuf.Timestamp": {"type": "datetime"},
    ".google.protobuf.Duration": {"type": "pattern", "format": "{digits:3}s"},
    ".google.protobuf.FieldMask": {"type": "string", "regex": "[a-z]{3,8}(,[a-z]{3,8}){0,2}"},
    ".google.protobuf.Empty": {"type": "object", "fields": []},
}


def message_schema(data: bytes, message: str, notes: list[Note]) -> dict[str, Any]:
    """The custom schema document of `message` (its full name, or a name only one message has)."""
    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    except Exception:  # protobuf's DecodeError: not a descriptor set
        fix = "write one with protoc --descriptor_set_out=FILE --include_imports"
        raise InvalidRequest("descriptor_set", "is not a FileDescriptorSet", fix) from None
    messages: dict[str, descriptor_pb2.DescriptorProto] = {}
    enums: dict[str, list[str]] = {}
    for f in fds.file:
        prefix = f".{f.package}" if f.package else ""
        for e in f.enum_type:
            enums[f"{prefix}.{e.name}"] = [v.name for v in e.value]
        for m in f.message_type:
            _index(m, prefix, messages, enums)
    full = _pick(message, messages)
    msg = messages[full]
    return {
        "name": _snake(msg.name),
        "title": msg.name,
        "fields": _Reader(messages, enums, notes).fields(full, (full,)),
    }


def _index(
    m: descriptor_pb2.DescriptorProto, prefix: str, messages: dict[str, Any], enums: dict[str, list[str]]
) -> None:
    name = f"{prefix}.{m.name}"
    messages[name] = m
    for e in m.enum_type:
        enums[f"{name}.{e.name}"] = [v.name for v in e.value]
    for nested in m.nested_type:
        _index(nested, name, messages, enums)


def _pick(message: str, messages: dict[str, Any]) -> str:
    wanted = message if message.startswith(".") else f".{message}"
    if wanted in messages:
        return wanted
    short = [n for n in messages if n.rsplit(".", 1)[-1] == message and not messages[n].options.map_entry]
    if len(short) == 1:
        return short[0]
    names = sorted(
        n.lstrip(".") for n, m in messages.items() if not m.options.map_entry and not n.startswith(".google.")
    )
    raise InvalidRequest("entity", f"names no single message ({message!r})", f"use one of {names[:20]}")


@dataclass
class _Reader:
    """One message read into fields: the set's messages and enums, and what is left out."""

    messages: dict[str, Any]
    enums: dict[str, list[str]]
    notes: list[Note]

    def fields(self, full: str, seen: tuple[str, ...]) -> list[dict[str, Any]]:
        msg = self.messages[full]
        out: list[dict[str, Any]] = []
        oneofs_taken: set[int] = set()
        for f in msg.field:
            where = f"{full.lstrip('.')}.{f.name}"
            synthetic = f.proto3_optional
            if f.HasField("oneof_index") and not synthetic:
                if f.oneof_index in oneofs_taken:
                    what = f"a member of oneof {msg.oneof_decl[f.oneof_index].name}"
                    self.notes.append(Note(where, what, "left out: rows set its first member only"))
                    continue
                oneofs_taken.add(f.oneof_index)
            spec = self.spec(f, where, seen)
            if spec is None:
                continue
            spec["name"] = f.name
            if synthetic:
                spec |= {"required": False, "null_rate": 0.1}
            out.append(spec)
        return out

    def spec(self, f: Any, where: str, seen: tuple[str, ...]) -> dict[str, Any] | None:
        entry = self.messages.get(f.type_name) if f.type == F.TYPE_MESSAGE else None
        if entry is not None and entry.options.map_entry:
            why = "left out: a JSON object with free keys has no fixed fields here"
            self.notes.append(Note(where, "a map field", why))
            return None
        one = self.single(f, where, seen)
        if one is None:
            return None
        if f.label == F.LABEL_REPEATED:
            return {"type": "array", "items": one, "min_items": 0, "max_items": 3}
        return one

    def single(self, f: Any, where: str, seen: tuple[str, ...]) -> dict[str, Any] | None:
        if f.type in _SCALARS:
            return dict(_SCALARS[f.type])
        if f.type == F.TYPE_ENUM:
            labels = self.enums.get(f.type_name, [])
            return {"type": "enum", "values": [v for v in labels if not v.endswith("_UNSPECIFIED")] or labels}
        if f.type != F.TYPE_MESSAGE:
            self.notes.append(Note(where, "a group field", "left out"))
            return None
        name = f.type_name
        if name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[name])
        if name.startswith(".google.protobuf.") and name.rsplit(".", 1)[-1] in _WRAPPERS:
            return {**_WRAPPERS[name.rsplit(".", 1)[-1]], "required": False, "null_rate": 0.1}
        if name not in self.messages:
            self.notes.append(Note(where, f"type {name.lstrip('.')} (e.g. google.protobuf.Any)", "left out"))
            return None
        if name in seen:
            self.notes.append(
                Note(where, f"{name.lstrip('.')} inside itself", "left out at its second appearance")
            )
            return None
        return {"type": "object", "fields": self.fields(name, (*seen, name))}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
