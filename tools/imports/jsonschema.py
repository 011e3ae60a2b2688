"""A JSON Schema (2020-12 or draft-07) or an OpenAPI 3 document read into the one shape the custom
schema reader takes (tools/schema_docs.py): local `$ref`s (`$defs`, `definitions`,
`components/schemas`) inlined, `allOf` merged, a `null` alternative of `oneOf`/`anyOf` read as
nullable, alternatives of plain values as one enum, `const` as a one-value enum, numeric
`exclusiveMinimum`/`exclusiveMaximum` as bounds, OpenAPI 3.0's `nullable`. What has no one shape (two
object alternatives, a remote `$ref`) is refused with every place named at once; a recursive `$ref`
(a category's subcategories) stops at its second appearance, where it is left out if optional.
"""

from __future__ import annotations

from typing import Any

from tools.errors import InvalidRequest

_MERGE_KEYS = ("properties", "required")
NULL_SHARE = 0.1  # of a nullable value's rows, as tools/imports/entities.py does for a nullable column
MAX_REFS = 2_000  # references followed in one document: a shared $def used everywhere stays cheap


def openapi_schema(doc: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    """The OpenAPI document's `components.schemas[name]` (or its only schema), resolved."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    if not isinstance(schemas, dict) or not schemas:
        raise InvalidRequest(where, "is an OpenAPI document with no components.schemas", "add the schemas")
    pick = name if name in schemas else (next(iter(schemas)) if len(schemas) == 1 else None)
    if pick is None:
        raise InvalidRequest(
            where, f"has no schema named {name!r}", f"set the entity to one of {sorted(schemas)[:20]}"
        )
    out = resolve({"$ref": f"#/components/schemas/{pick}"}, doc, where)
    out.setdefault("title", pick)
    return out


def resolve(node: Any, root: dict[str, Any], where: str) -> dict[str, Any]:
    r = _Resolver(root)
    try:
        out = r.walk(node, "#", ())
    except RecursionError:
        raise InvalidRequest(where, "nests too deeply to read", "flatten the schema") from None
    if r.problems:
        shown = "; ".join(r.problems[:8]) + (
            f" (and {len(r.problems) - 8} more)" if len(r.problems) > 8 else ""
        )
        raise InvalidRequest(
            where, f"cannot be read into one shape: {shown}", "inline one alternative, or use enum"
        )
    return out if isinstance(out, dict) else {}


class _Resolver:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root, self.refs = root, 0
        self.problems: list[str] = []

    def walk(self, node: Any, at: str, seen: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        node = dict(node)
        ref = node.pop("$ref", None)
        if ref is not None:
            target = self._target(str(ref), at, seen)
            if target is None:
                return {"$recursive": True}
            node = {**self.walk(target, f"{at} ($ref {ref})", (*seen, str(ref))), **node}
        for key in ("$defs", "definitions", "$schema", "$id", "$comment"):
            node.pop(key, None)
        if "allOf" in node:
            parts = [self.walk(p, f"{at}/allOf/{i}", seen) for i, p in enumerate(node.pop("allOf") or [])]
            for part in parts:
                node = _merge(node, part)
        for key in ("oneOf", "anyOf"):
            if key in node:
                node = _merge(node, self._one(node.pop(key) or [], f"{at}/{key}", seen))
        if "const" in node:
            node["enum"] = [node.pop("const")]
        if node.pop("nullable", False) is True:  # OpenAPI 3.0
            node["type"] = [node.get("type", "string"), "null"]
        kinds = node.get("type")
        if isinstance(kinds, list) and "null" in kinds:  # null is one of its values: some rows say so
            node.setdefault("null_rate", NULL_SHARE)
        for bound, key in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.pop(bound, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                step = 1 if node.get("type") == "integer" else 1e-6
                node[key] = value + step if key == "minimum" else value - step
        if isinstance(node.get("properties"), dict):
            props = {}
            for name, sub in node["properties"].items():
                walked = self.walk(sub, f"{at}/properties/{name}", seen)
                if isinstance(walked, dict) and walked.get("$recursive"):
                    if name in (node.get("required") or []):
                        self.problems.append(f"{at}/properties/{name}: a required $ref to itself never ends")
                    continue  # the recursion stops here: an optional self-reference is left out
                props[name] = walked
            node["properties"] = props
        if isinstance(node.get("items"), dict):
            items = self.walk(node["items"], f"{at}/items", seen)
            node["items"] = {} if items.get("$recursive") else items
        return node

    def _target(self, ref: str, at: str, seen: tuple[str, ...]) -> Any:
        self.refs += 1
        if self.refs > MAX_REFS:
            self.problems.append(f"more than {MAX_REFS} $refs")
            return {}
        if not ref.startswith("#"):
            self.problems.append(f"{at}: $ref {ref!r} is not in this document (only #/... refs are read)")
            return {}
        if ref in seen:
            return None
        node: Any = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                self.problems.append(f"{at}: $ref {ref!r} points at nothing")
                return {}
            node = node[part]
        return node

    def _one(self, alternatives: list[Any], at: str, seen: tuple[str, ...]) -> dict[str, Any]:
        walked = [self.walk(a, f"{at}/{i}", seen) for i, a in enumerate(alternatives)]
        nullable = any(isinstance(a, dict) and a.get("type") == "null" for a in walked)
        rest = [a for a in walked if isinstance(a, dict) and a.get("type") != "null"]
        if len(rest) == 1:
            out = dict(rest[0])
        elif rest and all("enum" in a and set(a) <= {"enum", "type", "description"} for a in rest):
            out = {"enum": [v for a in rest for v in a["enum"]]}
            if "type" in rest[0]:
                out["type"] = rest[0]["type"]
        else:
            self.problems.append(f"{at}: {len(rest)} different shapes")
            return {}
        if nullable:
            out["type"] = [out.get("type", "string"), "null"]
        return out


def _merge(base: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    out = {**base, **{k: v for k, v in part.items() if k not in _MERGE_KEYS}}
    if "properties" in base or "properties" in part:
        out["properties"] = {**(base.get("properties") or {}), **(part.get("properties") or {})}
    if "required" in base or "required" in part:
        out["required"] = list(dict.fromkeys([*(base.get("required") or []), *(part.get("required") or [])]))
    return out
