"""AddExamples, ListExamples and DeleteExamples: what the servicer's methods of those names run.

Each returns (response, generation path) for TestDataServicer._guard, which maps DataError to its
status code; a store that cannot answer is UNAVAILABLE (Unavailable).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from dataclasses import dataclass

from protos.testdata.v1 import test_data_pb2 as pb
from retrieval.examples import Example, ExampleStore, Page, RetrievalError, StoreFull, stored_bytes
from retrieval.validate_examples import check_example
from service.convert import to_examples
from service.errors import Unavailable
from service.logs import log
from service.settings import Settings
from tools.errors import InvalidRequest, LimitExceeded
from tools.registry import Registry

MAX_EXAMPLES_PER_CALL = 1000
MAX_IDS = 1000
MAX_NAME_CHARS = 256  # an id, entity or tag
DEFAULT_PAGE, MAX_PAGE = 100, 1000
# A page stops before it would pass this (one example at least), so a client with gRPC's default
# 4 MiB receive limit can read every page; follow next_page_token until it is empty.
PAGE_BYTES = 3 * 1024 * 1024
MAX_TOKEN_CHARS = 1024
DELETE_FIX = "delete examples you no longer need (DeleteExamples, or `test-data-agent examples delete`)"


@dataclass(frozen=True)
class ExampleLimits:
    example_bytes: int
    call_bytes: int
    total_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> ExampleLimits:
        return cls(
            settings.examples_max_example_bytes, settings.examples_max_call_bytes, settings.examples_max_bytes
        )


async def add(
    request: pb.AddExamplesRequest, store: ExampleStore, registry: Registry, limits: ExampleLimits
) -> tuple[pb.AddExamplesResponse, str]:
    if len(request.examples) > MAX_EXAMPLES_PER_CALL:
        raise LimitExceeded(
            "examples",
            f"{len(request.examples)} examples in one call",
            f"send at most {MAX_EXAMPLES_PER_CALL}",
        )
    size = request.ByteSize()
    if size > limits.call_bytes:
        raise LimitExceeded(
            "examples",
            f"this call carries {size:,} bytes; at most {limits.call_bytes:,} per call "
            "(EXAMPLES_MAX_CALL_BYTES)",
            "send the examples in several calls",
        )
    parsed, rejected = to_examples(request)
    accepted = []
    for i, example in parsed:
        reasons = _too_big(example, limits.example_bytes) or await asyncio.to_thread(
            check_example, example, registry
        )
        if reasons:
            rejected.append(f"examples[{i}]: " + "; ".join(reasons))
        else:
            accepted.append(example)
    if accepted:
        try:
            await store.add(accepted, max_bytes=limits.total_bytes)
        except StoreFull as full:
            raise LimitExceeded(
                "examples",
                f"the example store holds {_mib(full.stored)} of examples and these would add "
                f"{_mib(full.adding)}, past its limit of {_mib(full.limit)} (EXAMPLES_MAX_BYTES)",
                f"{DELETE_FIX}, or raise EXAMPLES_MAX_BYTES",
            ) from None
        except RetrievalError as exc:
            raise Unavailable(f"the example store is unavailable: {exc}") from None
    log.info("examples added", added=len(accepted), rejected=len(rejected))
    return pb.AddExamplesResponse(added=len(accepted), rejected=sorted(rejected, key=_position)), ""


async def list_page(
    request: pb.ListExamplesRequest, store: ExampleStore
) -> tuple[pb.ListExamplesResponse, str]:
    entity = _name("entity", request.entity)
    tag = _name("tag", request.tag)
    if not 0 <= request.limit <= MAX_PAGE:
        raise InvalidRequest(
            "limit", f"{request.limit} is out of range", f"ask for 1 to {MAX_PAGE} (0 means {DEFAULT_PAGE})"
        )
    after = _read_token(request.page_token, entity, tag)
    try:
        page: Page = await store.page(
            entity=entity, tag=tag, limit=request.limit or DEFAULT_PAGE, after=after, max_bytes=PAGE_BYTES
        )
    except RetrievalError as exc:
        raise Unavailable(f"the example store is unavailable: {exc}") from None
    token = _token(page.after, entity, tag) if page.after else ""
    return pb.ListExamplesResponse(examples=[to_proto(e) for e in page.examples], next_page_token=token), ""


async def delete(
    request: pb.DeleteExamplesRequest, store: ExampleStore
) -> tuple[pb.DeleteExamplesResponse, str]:
    if len(request.ids) > MAX_IDS:
        raise InvalidRequest(
            "ids",
            f"{len(request.ids)} ids in one call; at most {MAX_IDS}",
            "delete in several calls, or by tag",
        )
    ids = [_name(f"ids[{i}]", value, required=True) for i, value in enumerate(request.ids)]
    tag = _name("tag", request.tag)
    if not ids and not tag:
        raise InvalidRequest(
            "ids",
            "neither ids nor a tag given",
            "name the examples by id (ListExamples shows them) or by tag",
        )
    try:
        deleted = await store.delete(ids, tag=tag)
    except RetrievalError as exc:
        raise Unavailable(f"the example store is unavailable: {exc}") from None
    log.info("examples deleted", deleted=deleted, ids=len(ids), tag=tag[:100] or None)
    return pb.DeleteExamplesResponse(deleted=deleted), ""


def to_proto(example: Example) -> pb.Example:
    records = example.model_dump(mode="json")["data"]
    return pb.Example(
        domain=example.domain,
        entity=example.entity,
        kind=example.kind,
        scenario=example.scenario,
        description=example.description,
        data=json.dumps(records, ensure_ascii=False, separators=(",", ":")),  # compact, as stored
        tags=example.tags,
        quality_score=example.quality_score,
        id=example.id,
    )


def _too_big(example: Example, limit: int) -> list[str]:
    size = stored_bytes(example)
    if size <= limit:
        return []
    return [
        f"weighs {size:,} bytes stored; at most {limit:,} per example (EXAMPLES_MAX_EXAMPLE_BYTES): "
        "split its records over several examples"
    ]


def _name(field: str, value: str, *, required: bool = False) -> str:
    if required and not value:
        raise InvalidRequest(field, "is empty", "give the id ListExamples shows, e.g. pat-0123abcd...")
    if len(value) > MAX_NAME_CHARS:
        raise InvalidRequest(
            field, f"is {len(value):,} characters long; at most {MAX_NAME_CHARS}", "send the name as stored"
        )
    return value


def _token(after: str, entity: str, tag: str) -> str:
    raw = json.dumps({"a": after, "e": entity, "t": tag}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str, entity: str, tag: str) -> str:
    """The id the page starts after. A token names its filters, so one cannot jump between listings."""
    if not token:
        return ""
    try:
        if len(token) > MAX_TOKEN_CHARS:
            raise ValueError("too long")
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, same = body["a"], (body["e"], body["t"]) == (entity, tag)
        if not isinstance(after, str) or not after:
            raise ValueError("no position")
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidRequest(
            "page_token",
            "is not one this service gave out",
            "pass next_page_token from the previous page unchanged, or leave it empty for the first page",
        ) from None
    if not same:
        raise InvalidRequest(
            "page_token",
            "belongs to a listing with another entity or tag",
            "send the same entity and tag as for the first page, or start again with an empty page_token",
        )
    return after


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _position(reason: str) -> int:
    return int(reason.split("]", 1)[0].removeprefix("examples["))
