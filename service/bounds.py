"""Sizes checked on every request message before any work: names, paths, counts, NUL characters.

A client's string reaches close-name searches, regex compilers, error messages and logs; an 8 MB
constraint path once pushed RSS to 2.2 GB through a close-match search. Every string and repeated field
of a request is measured here first, by (message, field), against the table below; anything not named
is bounded by the request size limit (MAX_REQUEST_BYTES) and by the checks downstream. NUL is refused in
every string: no database loads it, and it would reach other clients through output and examples.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from tools.errors import InvalidRequest, quoted

NAME = 256  # field names and paths (items[].price), override keys, tags, ids

# (message, field) -> most characters in one string
MAX_CHARS: dict[tuple[str, str], int] = {
    ("GenerateRequest", "request_id"): 128,
    ("GenerateRequest", "domain"): 64,
    ("GenerateRequest", "entity"): 128,
    ("GenerateRequest", "locale"): 35,  # the longest BCP 47 tag
    ("GenerateRequest", "custom_schema"): 2_000_000,
    ("GenerateRequest", "inline_schema"): 2_000_000,
    ("Schema", "predefined_schema"): 128,
    ("Field", "name"): NAME,
    ("FieldConstraint", "enum_values"): 1000,
    ("FieldConstraint", "regex"): 1000,
    ("FieldConstraint", "format"): 64,
    ("Constraints", "field_constraints"): NAME,  # map keys: field paths
    ("Scenario", "name"): 64,
    ("Scenario", "overrides"): NAME,  # map keys: field paths
    ("DatasetRequest", "request_id"): 128,
    ("DatasetRequest", "domain"): 64,
    ("DatasetRequest", "locale"): 35,
    ("EntityCount", "entity"): 128,
    ("GetSchemasRequest", "domain"): 64,
    ("Example", "domain"): 64,
    ("Example", "entity"): 128,
    ("Example", "kind"): 64,
    ("Example", "scenario"): 64,
    ("Example", "tags"): NAME,
    ("GenerateRequest", "schema_id"): 128,
    ("DatasetRequest", "schema_id"): 128,
    ("ImportSchemaRequest", "request_id"): 128,
    ("ImportSchemaRequest", "source_kind"): 32,
    ("ImportSchemaRequest", "source"): 2_000_000,  # as custom_schema
    ("ImportSchemaRequest", "dialect"): 32,
    ("ImportSchemaRequest", "sources"): NAME,  # map keys: entity.field
    ("DeleteSchemaRequest", "schema_id"): 128,
}
# (message, field) -> most entries in one repeated or map field
MAX_ITEMS: dict[tuple[str, str], int] = {
    ("GenerateRequest", "hints"): 100,
    ("GenerateRequest", "scenarios"): 1000,
    ("Schema", "fields"): 500,
    ("Field", "nested_fields"): 500,
    ("Constraints", "field_constraints"): 500,
    ("FieldConstraint", "enum_values"): 1000,
    ("Scenario", "overrides"): 500,
    ("DatasetRequest", "entities"): 100,
    ("DatasetRequest", "hints"): 100,
    ("Example", "tags"): 50,
    ("ImportSchemaRequest", "sources"): 2000,
}
MAX_NESTING = 16  # Field.nested_fields inside each other


def check_message(msg: Message, where: str = "") -> None:
    """Raises InvalidRequest naming the first field that is too long, too many or holds NUL."""
    _check(msg, where, 0)


def _check(msg: Message, where: str, depth: int) -> None:
    if depth > MAX_NESTING:
        raise InvalidRequest(where, f"nests deeper than {MAX_NESTING} levels", "flatten the schema")
    kind = msg.DESCRIPTOR.name
    for fd, value in msg.ListFields():
        path = f"{where}.{fd.name}" if where else fd.name
        key = (kind, fd.name)
        if _is_map(fd):
            _count(path, len(value), key)
            for k, v in value.items():
                item = f"{path}[{quoted(k, 40)}]"
                if isinstance(k, str):
                    _string(item, k, MAX_CHARS.get(key), "key")
                _value(fd.message_type.fields_by_name["value"], item, v, None, depth)
        elif fd.is_repeated:
            _count(path, len(value), key)
            for i, v in enumerate(value):
                _value(fd, f"{path}[{i}]", v, MAX_CHARS.get(key), depth)
        else:
            _value(fd, path, value, MAX_CHARS.get(key), depth)


def _value(fd: FieldDescriptor, path: str, value: Any, limit: int | None, depth: int) -> None:
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        _check(value, path, depth + 1)
    elif isinstance(value, str):
        _string(path, value, limit, "")


def _string(path: str, value: str, limit: int | None, what: str) -> None:
    label = f"{path} ({what})" if what else path
    if limit is not None and len(value) > limit:
        raise InvalidRequest(
            label, f"is {len(value):,} characters, {quoted(value, 40)}; the limit is {limit:,}", "shorten it"
        )
    if "\x00" in value:
        raise InvalidRequest(label, "holds a NUL character (\\x00)", "remove it: no database stores it")


def _count(path: str, n: int, key: tuple[str, str]) -> None:
    limit = MAX_ITEMS.get(key)
    if limit is not None and n > limit:
        raise InvalidRequest(path, f"has {n:,} entries; the limit is {limit:,}", "send fewer")


def _is_map(fd: FieldDescriptor) -> bool:
    return fd.type == FieldDescriptor.TYPE_MESSAGE and fd.message_type.GetOptions().map_entry
