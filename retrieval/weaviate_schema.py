"""How examples map onto Weaviate: one collection per kind with explicit properties, deterministic
object UUIDs, filters, and how a WEAVIATE_URL (+ gRPC port, API key) becomes an async client.

Kept apart from the store so the mapping can be read (and tested) without a client or a server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import weaviate
from weaviate.classes.config import DataType, Property, Tokenization
from weaviate.classes.init import AdditionalConfig, Auth, Timeout
from weaviate.classes.query import Filter, FilterReturn
from weaviate.util import generate_uuid5

from retrieval.examples import KINDS, Example, stored_bytes

COLLECTION_BY_KIND: dict[str, str] = {
    "pattern": "ExamplePattern",
    "defect": "ExampleDefect",
    "production_sample": "ExampleProductionSample",
}
assert set(COLLECTION_BY_KIND) == set(KINDS)

SEARCH_PROPERTY = "text"
# What each example weighs (retrieval.examples.stored_bytes): the store's total is its sum, one
# aggregate per collection, so every replica sees the same total and nothing has to be read at start.
# Left indexed (the default): the aggregate is answered from the property's index.
SIZE_PROPERTY = Property(name="size_bytes", data_type=DataType.INT)


def _exact(name: str) -> Property:
    # FIELD tokenization makes `equal` an exact match on the whole value; with the default WORD
    # tokenization, equal("e-commerce") would also match a domain written "commerce e".
    return Property(
        name=name, data_type=DataType.TEXT, tokenization=Tokenization.FIELD, index_searchable=False
    )


# Only `text` feeds BM25: it already holds the entity, scenario, description, tags and record values
# (Example.search_text), so indexing the parts as well would only count the same words twice.
PROPERTIES: list[Property] = [
    _exact("example_id"),
    _exact("domain"),
    _exact("entity"),
    Property(name="scenario", data_type=DataType.TEXT, index_searchable=False),
    Property(name="description", data_type=DataType.TEXT, index_searchable=False),
    # FIELD: a tag filter matches the whole tag ("happy_path", not every tag with "happy" in it).
    Property(
        name="tags", data_type=DataType.TEXT_ARRAY, tokenization=Tokenization.FIELD, index_searchable=False
    ),
    Property(name="quality_score", data_type=DataType.NUMBER),
    # The records as JSON: read back whole, never searched or filtered on.
    Property(name="data", data_type=DataType.TEXT, index_filterable=False, index_searchable=False),
    SIZE_PROPERTY,
    Property(name=SEARCH_PROPERTY, data_type=DataType.TEXT, tokenization=Tokenization.WORD),
]
# Everything an Example is rebuilt from (and its size); `text` is derived, so results do not carry it back.
RETURNED: list[str] = [p.name for p in PROPERTIES if p.name != SEARCH_PROPERTY]


def collection_names(prefix: str = "") -> dict[str, str]:
    """kind -> collection name; a prefix lets several deployments (or a test run) share a cluster."""
    return {kind: f"{prefix}{name}" for kind, name in COLLECTION_BY_KIND.items()}


def object_uuid(example_id: str) -> str:
    """The Weaviate UUID of an example: the same id always lands on the same object (upsert)."""
    return generate_uuid5(example_id)


def to_properties(example: Example) -> dict[str, Any]:
    return {
        "example_id": example.id,
        "domain": example.domain,
        "entity": example.entity,
        "scenario": example.scenario,
        "description": example.description,
        "tags": list(example.tags),
        "quality_score": float(example.quality_score),
        # mode="json" first: records may hold dates or decimals that json.dumps cannot take.
        "data": json.dumps(example.model_dump(mode="json")["data"], sort_keys=True, ensure_ascii=False),
        SIZE_PROPERTY.name: stored_bytes(example),
        SEARCH_PROPERTY: example.search_text(),
    }


def from_properties(kind: str, props: dict[str, Any]) -> Example:
    """Rebuilds an Example; raises ValueError (pydantic) when a stored object is not one."""
    score = props.get("quality_score")
    return Example.model_validate(
        {
            "id": props.get("example_id") or "",
            "kind": kind,
            "domain": props.get("domain") or "",
            "entity": props.get("entity") or "",
            "scenario": props.get("scenario") or "",
            "description": props.get("description") or "",
            # Weaviate may hand an empty text[] back as null.
            "tags": list(props.get("tags") or []),
            "quality_score": 0.5 if score is None else float(score),
            "data": props.get("data") or "[]",
        }
    )


def where(domain: str = "", entity: str = "") -> FilterReturn | None:
    """The filter for the non-empty fields, or None (no filter)."""
    parts = [
        Filter.by_property(name).equal(value)
        for name, value in (("domain", domain), ("entity", entity))
        if value
    ]
    return Filter.all_of(parts) if parts else None


@dataclass(frozen=True)
class Endpoint:
    http_host: str
    http_port: int
    http_secure: bool
    grpc_host: str
    grpc_port: int
    grpc_secure: bool


def endpoint(url: str, grpc_port: int | None = None, grpc_host: str = "") -> Endpoint:
    """http://weaviate:8080 or https://x.weaviate.cloud -> where REST and gRPC listen.

    gRPC defaults to the REST host on port 50051 (the Weaviate image and Helm chart), except on
    Weaviate Cloud, which serves gRPC only at grpc-<host>:443.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("WEAVIATE_URL must look like http://host:8080 or https://host")
    secure = parts.scheme == "https"
    host = parts.hostname
    cloud = host.endswith(".weaviate.cloud")
    return Endpoint(
        http_host=host,
        http_port=parts.port or (443 if secure else 80),
        http_secure=secure,
        grpc_host=grpc_host or (f"grpc-{host}" if cloud else host),
        grpc_port=grpc_port or (443 if cloud else 50051),
        grpc_secure=secure,
    )


def build_client(
    url: str,
    grpc_port: int | None = None,
    grpc_host: str = "",
    api_key: str = "",
    timeout_s: float = 2.0,
    write_timeout_s: float = 30.0,
) -> weaviate.WeaviateAsyncClient:
    """An unconnected async client (creating it does no I/O; `await client.connect()` does).

    skip_init_checks drops the client's start-up gRPC health probe and its version look-up on
    pypi.org (a call out of the cluster on every start); the store checks the server itself.
    """
    ep = endpoint(url, grpc_port, grpc_host)
    return weaviate.use_async_with_custom(
        http_host=ep.http_host,
        http_port=ep.http_port,
        http_secure=ep.http_secure,
        grpc_host=ep.grpc_host,
        grpc_port=ep.grpc_port,
        grpc_secure=ep.grpc_secure,
        auth_credentials=Auth.api_key(api_key) if api_key else None,
        additional_config=AdditionalConfig(
            timeout=Timeout(init=timeout_s, query=timeout_s, insert=write_timeout_s)
        ),
        skip_init_checks=True,
    )
