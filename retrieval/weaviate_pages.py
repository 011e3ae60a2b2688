"""Listing, deleting by tag and weighing the examples a WeaviateStore holds.

Pages run in example-id order across the three collections (keyset paging: each page asks every
collection for its first ids after the last one seen, sorted, and merges them), so a page costs the
same however deep it is and an example added or deleted between pages moves no other one. A page is
read in two steps: its ids first, then the examples whole, a few at a time, so a page cut short by its
byte budget never fetched the examples it leaves out.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from weaviate.classes.query import Filter, Metrics, Sort
from weaviate.collections.classes.filters import _Filters

from retrieval.examples import Example, Page, StoreFull, stored_bytes
from retrieval.weaviate_schema import RETURNED, SIZE_PROPERTY, from_properties, object_uuid

if TYPE_CHECKING:
    from retrieval.weaviate_store import WeaviateStore, _Collection

FETCH = 50  # examples per read of a page's examples whole (each may be up to the per-example limit)
DELETE_CHUNK = 1000  # ids per delete_many: well inside Weaviate's QUERY_MAXIMUM_RESULTS (10,000)
SCAN = 1000  # ids per step when finding the examples a tag marks
log = logging.getLogger(__name__)
Head = tuple[str, str]  # (example id, kind)


def page_filter(entity: str, tag: str, after: str) -> _Filters | None:
    parts = []
    if entity:
        parts.append(Filter.by_property("entity").equal(entity))
    if tag:
        parts.append(Filter.by_property("tags").contains_any([tag]))
    if after:  # example_id is FIELD-tokenized: the comparison is on the whole id, byte order
        parts.append(Filter.by_property("example_id").greater_than(after))
    return Filter.all_of(parts) if parts else None


async def heads(
    store: WeaviateStore, entity: str, tag: str, after: str, limit: int
) -> tuple[list[Head], str]:
    """The first `limit` (id, kind) after `after` that match, in id order, and the id the next step starts
    after ('' when nothing follows)."""
    filters = page_filter(entity, tag, after)

    async def one(collection: _Collection) -> list[tuple[str, str, list[str]]]:
        res = await collection.query.fetch_objects(
            filters=filters,
            limit=limit + 1,  # one more than asked: it says whether anything follows
            sort=Sort.by_property("example_id", ascending=True),
            return_properties=["example_id", "tags"],
        )
        kind = store.kind_of[collection.name]
        return [
            (str(o.properties["example_id"]), kind, list(o.properties.get("tags") or [])) for o in res.objects
        ]  # type: ignore[arg-type]

    per_collection = await store.each("list", store.names(""), one)
    merged = sorted(h for found in per_collection for h in found)
    window = merged[: limit + 1]  # the true first limit + 1 overall: each collection sent its own
    # Collections made before tags were FIELD-tokenized match a tag word by word: check it whole here.
    kept = [(i, kind) for i, kind, tags in window if not tag or tag in tags]
    if len(kept) > limit:
        return kept[:limit], kept[limit - 1][0]
    more = len(merged) > len(window) or any(len(found) > limit for found in per_collection)
    return kept, window[-1][0] if more and window else ""


async def page(store: WeaviateStore, entity: str, tag: str, limit: int, after: str, max_bytes: int) -> Page:
    found, next_after = await heads(store, entity, tag, after, limit)
    out: list[Example] = []
    weight = 0
    for start in range(0, len(found), FETCH):
        chunk = found[start : start + FETCH]
        whole = await _read(store, chunk)
        for doc_id, _ in chunk:
            if doc_id not in whole:  # deleted since its id was read, or not readable as an example
                continue
            example, size = whole[doc_id]
            if out and max_bytes and weight + size > max_bytes:
                return Page(out, out[-1].id)
            out.append(example)
            weight += size
    return Page(out, next_after)


async def _read(store: WeaviateStore, chunk: list[Head]) -> dict[str, tuple[Example, int]]:
    by_kind: dict[str, list[str]] = {}
    for doc_id, kind in chunk:
        by_kind.setdefault(kind, []).append(object_uuid(doc_id))

    async def one(collection: _Collection) -> dict[str, tuple[Example, int]]:
        kind = store.kind_of[collection.name]
        res = await collection.query.fetch_objects(
            filters=Filter.by_id().contains_any(by_kind[kind]),
            limit=len(by_kind[kind]),
            return_properties=[*RETURNED],
        )
        out = {}
        for o in res.objects:
            props: dict[str, Any] = dict(o.properties)
            try:
                example = from_properties(kind, props)
            except ValueError as exc:
                log.warning("weaviate object %s is not an example: %s", o.uuid, str(exc)[:200])
                continue
            size = props.get(SIZE_PROPERTY.name)
            out[example.id] = (example, int(size) if size else stored_bytes(example))
        return out

    names = [store.collections[kind] for kind in by_kind]
    found: dict[str, tuple[Example, int]] = {}
    for part in await store.each("list", names, one):
        found.update(part)
    return found


async def delete(store: WeaviateStore, ids: list[str], tag: str) -> int:
    """Deletes the examples with these ids (in whichever collection) and every example tagged `tag`."""
    doomed: dict[str, set[str]] = {name: {object_uuid(i) for i in ids} for name in store.names("")}
    after = ""
    while tag:  # ids first, then deletes by id: a tag filter alone could match by word on old collections
        found, after = await heads(store, "", tag, after, SCAN)
        for doc_id, kind in found:
            doomed[store.collections[kind]].add(object_uuid(doc_id))
        if not after:
            break
    deleted = 0
    for name, uuids in doomed.items():
        ordered = sorted(uuids)
        for start in range(0, len(ordered), DELETE_CHUNK):
            match = Filter.by_id().contains_any(ordered[start : start + DELETE_CHUNK])
            collection = store.client.collections.use(name)
            result = await store.call(
                "delete", collection.data.delete_many(where=match), store.write_timeout_s
            )
            deleted += result.successful
    return deleted


async def total_bytes(store: WeaviateStore) -> int:
    metric = Metrics(SIZE_PROPERTY.name).integer(sum_=True)
    results = await store.each("size", store.names(""), lambda c: c.aggregate.over_all(return_metrics=metric))
    total = 0
    for r in results:
        agg = r.properties.get(SIZE_PROPERTY.name)
        total += int(getattr(agg, "sum_", 0) or 0)
    return total


async def check_room(store: WeaviateStore, by_kind: dict[str, dict[str, Example]], max_bytes: int) -> None:
    """StoreFull unless the examples not stored yet fit (a re-added one is an upsert: it weighs 0)."""

    async def stored_ids(collection: _Collection) -> set[str]:
        uuids = [object_uuid(i) for i in by_kind[store.kind_of[collection.name]]]
        res = await collection.query.fetch_objects(
            filters=Filter.by_id().contains_any(uuids), limit=len(uuids), return_properties=["example_id"]
        )
        return {str(o.properties["example_id"]) for o in res.objects}

    names = [store.collections[k] for k in by_kind]
    known: set[str] = set().union(*await store.each("add", names, stored_ids))
    adding = sum(stored_bytes(e) for unique in by_kind.values() for i, e in unique.items() if i not in known)
    stored = await total_bytes(store) if adding else 0
    if adding and stored + adding > max_bytes:
        raise StoreFull(stored, adding, max_bytes)
