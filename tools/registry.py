"""The entity registry: one YAML data file per entity under tools/entities/.

Files write `fields` as a mapping (name -> spec), the same shape clients send in custom schemas; the
loader turns mappings into the ordered lists the schema model holds.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tools.errors import InvalidRequest, SchemaNotFound, close_names, quoted
from tools.schema import EntitySchema

ENTITY_DIR = Path(__file__).parent / "entities"


def fields_to_list(fields: Any) -> Any:
    """Recursively turn `{name: spec}` mappings into `[{name, **spec}]` lists (lists pass through)."""
    if isinstance(fields, dict):
        out = []
        for name, spec in fields.items():
            spec = dict(spec) if isinstance(spec, dict) else {"type": spec}
            spec["name"] = name
            out.append(_normalise_field(spec))
        return out
    if isinstance(fields, list):
        return [_normalise_field(dict(f)) if isinstance(f, dict) else f for f in fields]
    return fields


def _normalise_field(spec: dict[str, Any]) -> dict[str, Any]:
    if "fields" in spec:
        spec["fields"] = fields_to_list(spec["fields"])
    items = spec.get("items")
    if isinstance(items, dict):
        items = dict(items)
        items.setdefault("name", "items[]")
        spec["items"] = _normalise_field(items)
    elif isinstance(items, str):
        spec["items"] = {"name": "items[]", "type": items}
    return spec


def parse_entity(doc: dict[str, Any], origin: str) -> EntitySchema:
    doc = dict(doc)
    doc["fields"] = fields_to_list(doc.get("fields", {}))
    try:
        return EntitySchema.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InvalidRequest(origin, f"{loc}: {err['msg']}", "fix the schema document") from None


class Registry:
    """Read-only view of the shipped entities. Request schemas never enter it."""

    def __init__(self, schemas: dict[str, EntitySchema]) -> None:
        self._schemas = dict(sorted(schemas.items()))

    @classmethod
    def load(cls, directory: Path = ENTITY_DIR) -> Registry:
        schemas = {}
        for path in sorted(directory.glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            schema = parse_entity(doc, f"registry:{path.name}")
            schemas[schema.name] = schema
        return cls(schemas)

    def names(self, domain: str = "") -> list[str]:
        return [s.name for s in self.schemas(domain)]

    def schemas(self, domain: str = "") -> list[EntitySchema]:
        return [s for s in self._schemas.values() if not domain or s.domain == domain]

    def domains(self) -> list[str]:
        return sorted({s.domain for s in self._schemas.values()})

    def get(self, name: str, domain: str = "") -> EntitySchema:
        key = name.strip().lower()
        schema = self._schemas.get(key)
        if schema is not None and (not domain or schema.domain == domain):
            return schema
        candidates = self.names(domain) or self.names()
        close = close_names(key, candidates)
        fix = f"did you mean {', '.join(close)}?" if close else "call GetSchemas for the list"
        where = f" in domain {quoted(domain)}" if domain else ""
        raise SchemaNotFound("entity", f"unknown entity {quoted(name)}{where}", fix)


@cache
def default_registry() -> Registry:
    """The shipped registry, parsed once per process (the files are part of the package)."""
    return Registry.load()
