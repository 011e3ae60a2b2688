"""Examples: records worth imitating (patterns, production-like samples) or worth breaking things
with (defects), and the store Protocol that Weaviate and the embedded BM25 store both implement."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, field_validator

Kind = Literal["pattern", "defect", "production_sample"]
KINDS: tuple[str, ...] = ("pattern", "defect", "production_sample")


class Example(BaseModel):
    domain: str
    entity: str
    kind: Kind
    scenario: str = ""
    description: str = ""
    data: list[dict[str, Any]] = Field(min_length=1)  # one record or several
    tags: list[str] = Field(default_factory=list)
    quality_score: float = Field(0.5, ge=0.0, le=1.0)
    id: str = ""  # content hash, set by `with_id`

    @field_validator("data", mode="before")
    @classmethod
    def _records(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = json.loads(v)
        return [v] if isinstance(v, dict) else v

    def with_id(self) -> Example:
        """The same example with its stable id: the hash of everything but the id (re-adding is a no-op)."""
        body = self.model_dump(exclude={"id"}, mode="json")
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
        return self.model_copy(update={"id": f"{self.kind[:3]}-{digest}"})

    def search_text(self) -> str:
        """What keyword search matches on: words, not JSON syntax."""
        values = " ".join(_leaf_texts(self.data))
        return " ".join([self.entity, self.scenario, self.description, " ".join(self.tags), values])


def _leaf_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (k, *_leaf_texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _leaf_texts(v)]
    return [] if value is None else [str(value)]


@dataclass(frozen=True)
class Hit:
    example: Example
    score: float


class ExampleStore(Protocol):
    name: str

    async def add(self, examples: list[Example]) -> list[str]:
        """Stores the examples (ids assigned by `with_id`); returns their ids."""
        ...

    async def search(
        self, query: str, *, domain: str = "", entity: str = "", kind: str = "", k: int = 5
    ) -> list[Hit]:
        """Top-k by relevance to `query`, filtered by the non-empty filters, best first."""
        ...

    async def delete(self, ids: list[str]) -> int: ...

    async def count(self, *, domain: str = "", entity: str = "", kind: str = "") -> int: ...

    async def ping(self) -> str:
        """`ok` or the error, for health."""
        ...

    async def close(self) -> None: ...


class RetrievalError(Exception):
    """The store could not answer; callers degrade (plan without examples) and say so."""
