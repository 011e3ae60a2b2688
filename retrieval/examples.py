"""Examples: records worth imitating (patterns, production-like samples) or worth breaking things
with (defects), and the store Protocol that Weaviate and the embedded BM25 store both implement."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

Kind = Literal["pattern", "defect", "production_sample"]
KINDS: tuple[str, ...] = ("pattern", "defect", "production_sample")

# Records deeper than this are refused: nothing real nests so deep, and every walk over an example
# (search text, size, validation, JSON encoding) stays far from Python's recursion limit.
MAX_DEPTH = 32
# NUL, and lone surrogates (JSON can spell them, "\ud800", but no UTF-8 can store them), in any kind.
_NEVER = re.compile("[\x00\ud800-\udfff]")
# Also C0 controls but tab, LF and CR: they break CSV cells, terminals and the prompts examples reach.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


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
            try:
                v = json.loads(v)
            except RecursionError:
                raise _refusal(_too_deep()) from None
        return [v] if isinstance(v, dict) else v

    @field_validator("domain", "entity", "scenario", "description", "tags", "data")
    @classmethod
    def _clean(cls, v: Any, info: ValidationInfo) -> Any:
        # domain and entity come before kind, so they are held to the strict rule: names never need
        # control characters. Defect payloads may (a bug found with a stray \x1b is worth keeping).
        controls_ok = info.data.get("kind") == "defect"
        problem = content_problem(v, str(info.field_name), controls_ok)
        if problem:
            raise _refusal(problem)
        return v

    def with_id(self) -> Example:
        """The same example with its stable id: the hash of everything but the id (re-adding is a no-op)."""
        body = self.model_dump(exclude={"id"}, mode="json")
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
        return self.model_copy(update={"id": f"{self.kind[:3]}-{digest}"})

    def search_text(self) -> str:
        """What keyword search matches on: words, not JSON syntax."""
        values = " ".join(_leaf_texts(self.data))
        return " ".join([self.entity, self.scenario, self.description, " ".join(self.tags), values])


def stored_bytes(example: Example) -> int:
    """What an example weighs against the store's limits: its stored JSON line (data and text)."""
    return len(example.model_dump_json(exclude={"id"}).encode())


def content_problem(value: Any, where: str, controls_ok: bool) -> str:
    """The first thing wrong with the strings in `value` (keys included, however deep), or ''.

    Iterative, so a hostile depth costs a loop, not the stack."""
    pattern = _NEVER if controls_ok else _CONTROL
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list) and depth > MAX_DEPTH:  # data's records are at depth 1
            return _too_deep()
        if isinstance(item, str):
            found = pattern.search(item)
            if found:
                return _bad_char(path, found.group(), found.start())
        elif isinstance(item, dict):
            for key, sub in item.items():
                sub_path = f"{path}.{_shown(key)}"
                found = pattern.search(key) if isinstance(key, str) else None
                if found:
                    return _bad_char(f"{sub_path} (the key)", found.group(), found.start())
                stack.append((sub, sub_path, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, f"{path}[{i}]", depth + 1) for i, sub in enumerate(item))
    return ""


def _bad_char(path: str, char: str, at: int) -> str:
    if char == "\x00":
        return f"{path} holds NUL (\\x00) at character {at}; remove it (no database loads it)"
    if "\ud800" <= char <= "\udfff":
        return f"{path} holds a lone surrogate (\\u{ord(char):04x}) at character {at}; send valid Unicode"
    return (
        f"{path} holds control character \\x{ord(char):02x} at character {at}; only examples of kind "
        "defect may hold control characters other than tab, LF and CR: remove it, or add it as a defect"
    )


def _too_deep() -> str:
    return f"data is nested deeper than {MAX_DEPTH} levels; flatten the records to at most {MAX_DEPTH}"


def _shown(key: Any) -> str:
    """A key as an error message may quote it: escaped, and short."""
    text = str(key).encode("unicode_escape").decode()
    return text if len(text) <= 40 else text[:40] + "..."


def _refusal(problem: str) -> PydanticCustomError:
    return PydanticCustomError("example_content", "{problem}", {"problem": problem})


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


@dataclass(frozen=True)
class Page:
    """One page of a listing in id order; `after` is the id the next page starts after ('' at the end)."""

    examples: list[Example]
    after: str


class StoreFull(Exception):
    """Adding would take the examples past the store's byte limit; nothing was added."""

    def __init__(self, stored: int, adding: int, limit: int) -> None:
        self.stored, self.adding, self.limit = stored, adding, limit
        super().__init__(f"{stored} bytes stored + {adding} new > {limit}")


class ExampleStore(Protocol):
    name: str

    async def add(self, examples: list[Example], *, max_bytes: int = 0) -> list[str]:
        """Stores the examples (ids assigned by `with_id`); returns their ids. With max_bytes, raises
        StoreFull and adds nothing when the examples added at run time would weigh more than that."""
        ...

    async def search(
        self, query: str, *, domain: str = "", entity: str = "", kind: str = "", k: int = 5
    ) -> list[Hit]:
        """Top-k by relevance to `query`, filtered by the non-empty filters, best first."""
        ...

    async def page(
        self, *, entity: str = "", tag: str = "", limit: int = 100, after: str = "", max_bytes: int = 0
    ) -> Page:
        """Up to `limit` examples with ids greater than `after`, in id order, filtered by the non-empty
        filters; with max_bytes, the page stops before it would weigh more (one example at least)."""
        ...

    async def delete(self, ids: list[str], *, tag: str = "") -> int:
        """Deletes the examples with these ids and every example tagged `tag`; returns how many."""
        ...

    async def stored_bytes(self) -> int:
        """What the examples added at run time weigh (`stored_bytes` of each): what max_bytes limits."""
        ...

    async def count(self, *, domain: str = "", entity: str = "", kind: str = "") -> int: ...

    async def ping(self) -> str:
        """`ok` or the error, for health."""
        ...

    async def close(self) -> None: ...


class RetrievalError(Exception):
    """The store could not answer; callers degrade (plan without examples) and say so.

    The message reaches clients (a response's fallback reason) and says only what failed; `detail`
    (hosts, ports, the server's own words) is for the log."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message
