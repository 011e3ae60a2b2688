"""The gRPC half of the fake Weaviate: the `weaviate.v1.Weaviate` service, built from the message classes
weaviate-client ships (`weaviate.proto.v1`, the same version module the client picked for this protobuf).

It implements what WeaviateStore calls (Search with bm25, filters and a sort, BatchObjects, BatchDelete,
Aggregate with a count and integer sums) over the in-memory objects of FakeWeaviate, and records every
request.
Scoring is term overlap, not BM25: the point is to test the adapter, not Weaviate.
"""

from __future__ import annotations

import re
import struct
import uuid
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf.json_format import MessageToDict
from weaviate.proto.v1 import (
    aggregate_pb2,
    base_pb2,
    batch_delete_pb2,
    batch_pb2,
    properties_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)

if TYPE_CHECKING:
    from tests.retrieval.weaviate_fake import FakeWeaviate

Op = base_pb2.Filters
Agg = aggregate_pb2.AggregateReply.Aggregations
DEFAULT_LIMIT = 10  # Weaviate's QUERY_DEFAULTS_LIMIT


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def matches(f: base_pb2.Filters, uid: str, props: dict[str, Any]) -> bool:
    """Evaluates the filter subset the adapter uses; anything else fails loudly in the test."""
    if f.operator == Op.OPERATOR_AND:
        return all(matches(sub, uid, props) for sub in f.filters)
    if f.operator == Op.OPERATOR_OR:
        return any(matches(sub, uid, props) for sub in f.filters)
    name = f.target.property or (f.on[0] if f.on else "")
    value = uid if name == "_id" else props.get(name)
    if f.operator == Op.OPERATOR_EQUAL:
        return value == _filter_value(f)
    if f.operator == Op.OPERATOR_NOT_EQUAL:
        return value != _filter_value(f)
    if f.operator == Op.OPERATOR_GREATER_THAN:  # text compares as Weaviate's index does: byte order
        return value is not None and value > _filter_value(f)
    if f.operator == Op.OPERATOR_CONTAINS_ANY:
        wanted = set(f.value_text_array.values)
        return bool(wanted & (set(value) if isinstance(value, list) else {value}))
    raise NotImplementedError(f"fake weaviate: filter operator {Op.Operator.Name(f.operator)}")


def _filter_value(f: base_pb2.Filters) -> Any:
    kind = f.WhichOneof("test_value")
    return getattr(f, kind) if kind else None


def _value(data_type: str, value: Any) -> properties_pb2.Value:
    """Encodes a stored value the way Weaviate >= 1.25 does (uses_125_api)."""
    if value is None:
        return properties_pb2.Value(null_value=0)
    if data_type == "text[]":
        return properties_pb2.Value(
            list_value=properties_pb2.ListValue(text_values=properties_pb2.TextValues(values=value))
        )
    if data_type == "number[]":
        packed = struct.pack(f"<{len(value)}d", *value)
        return properties_pb2.Value(
            list_value=properties_pb2.ListValue(number_values=properties_pb2.NumberValues(values=packed))
        )
    if data_type == "number":
        return properties_pb2.Value(number_value=float(value))
    if data_type == "int":
        return properties_pb2.Value(int_value=int(value))
    if data_type == "boolean":
        return properties_pb2.Value(bool_value=bool(value))
    return properties_pb2.Value(text_value=str(value))


def _decode(obj: batch_pb2.BatchObject) -> dict[str, Any]:
    p = obj.properties
    props: dict[str, Any] = MessageToDict(p.non_ref_properties) if p.HasField("non_ref_properties") else {}
    props.update({a.prop_name: list(a.values) for a in p.text_array_properties})
    props.update({a.prop_name: list(a.values) for a in p.int_array_properties})
    props.update({a.prop_name: list(a.values) for a in p.boolean_array_properties})
    for a in p.number_array_properties:
        props[a.prop_name] = list(struct.unpack(f"<{len(a.values_bytes) // 8}d", a.values_bytes))
    props.update({name: [] for name in p.empty_list_props})
    return props


class FakeWeaviateServicer(weaviate_pb2_grpc.WeaviateServicer):
    def __init__(self, fake: FakeWeaviate) -> None:
        self.fake = fake

    def _begin(self, method: str, context: grpc.ServicerContext) -> None:
        """Records the caller's credentials, then fails the call if the test asked for it."""
        metadata = dict(context.invocation_metadata())
        self.fake.grpc_auth.append(str(metadata.get("authorization", "")))
        code = self.fake.fail_grpc.get(method)
        if code is not None:
            context.abort(code, f"fake weaviate: {method} made to fail")

    def _selected(self, collection: str, f: base_pb2.Filters | None) -> list[tuple[str, dict[str, Any]]]:
        rows = sorted(self.fake.objects.get(collection, {}).items())
        return [(uid, props) for uid, props in rows if f is None or matches(f, uid, props)]

    def _known(self, collection: str, context: grpc.ServicerContext) -> dict[str, Any]:
        definition = self.fake.collections.get(collection)
        if definition is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"class {collection} not found")
        return definition  # type: ignore[return-value]

    def Search(self, request: search_get_pb2.SearchRequest, context: grpc.ServicerContext) -> Any:
        with self.fake.lock:
            self.fake.searches.append(request)
            self._begin("Search", context)
            types = {
                p["name"]: p["dataType"][0] for p in self._known(request.collection, context)["properties"]
            }
            rows = self._selected(
                request.collection, request.filters if request.HasField("filters") else None
            )
        for sort in reversed(request.sort_by):  # the first sort key decides, the next breaks ties
            key = sort.path[0]
            rows.sort(
                key=lambda r, key=key: (r[1].get(key) is None, r[1].get(key)), reverse=not sort.ascending
            )
        scored = [(0.0, uid, props) for uid, props in rows]
        if request.HasField("bm25_search"):
            scored = _bm25(request.bm25_search, rows)
        limit = request.limit or DEFAULT_LIMIT
        scored = scored[request.offset : request.offset + limit]
        wanted = request.properties
        all_props = not request.HasField("properties") or wanted.return_all_nonref_properties
        results = []
        for score, uid, props in scored:
            names = props.keys() if all_props else [n for n in wanted.non_ref_properties if n in props]
            fields = {n: _value(types.get(n, "text"), props[n]) for n in names}
            results.append(
                search_get_pb2.SearchResult(
                    properties=search_get_pb2.PropertiesResult(
                        non_ref_props=properties_pb2.Properties(fields=fields),
                        target_collection=request.collection,
                    ),
                    metadata=search_get_pb2.MetadataResult(
                        id=uid,
                        id_as_bytes=uuid.UUID(uid).bytes,  # 16 bytes, as the client expects
                        score=score,
                        score_present=request.HasField("bm25_search") and request.metadata.score,
                    ),
                )
            )
        return search_get_pb2.SearchReply(took=0.001, results=results)

    def BatchObjects(self, request: batch_pb2.BatchObjectsRequest, context: grpc.ServicerContext) -> Any:
        errors = []
        with self.fake.lock:
            self.fake.batches.append(request)
            self._begin("BatchObjects", context)
            for index, obj in enumerate(request.objects):
                if obj.collection not in self.fake.collections:
                    errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error="no such class"))
                    continue
                # Same UUID = same object: Weaviate replaces it, which makes re-adding idempotent.
                self.fake.objects.setdefault(obj.collection, {})[obj.uuid] = _decode(obj)
        return batch_pb2.BatchObjectsReply(took=0.001, errors=errors)

    def BatchDelete(self, request: batch_delete_pb2.BatchDeleteRequest, context: grpc.ServicerContext) -> Any:
        with self.fake.lock:
            self.fake.deletes.append(request)
            self._begin("BatchDelete", context)
            self._known(request.collection, context)
            doomed = [uid for uid, _ in self._selected(request.collection, request.filters)]
            if not request.dry_run:
                for uid in doomed:
                    del self.fake.objects[request.collection][uid]
        n = len(doomed)
        return batch_delete_pb2.BatchDeleteReply(took=0.001, failed=0, matches=n, successful=n)

    def Aggregate(self, request: aggregate_pb2.AggregateRequest, context: grpc.ServicerContext) -> Any:
        with self.fake.lock:
            self.fake.aggregates.append(request)
            self._begin("Aggregate", context)
            self._known(request.collection, context)
            rows = self._selected(
                request.collection, request.filters if request.HasField("filters") else None
            )
        out = []
        for wanted in request.aggregations:
            if not wanted.HasField("int"):
                raise NotImplementedError("fake weaviate: only integer aggregations")
            values = [int(p[wanted.property]) for _, p in rows if p.get(wanted.property) is not None]
            result = Agg.Aggregation.Integer(count=len(values))
            if wanted.int.sum:
                result.sum = sum(values)
            out.append(Agg.Aggregation(property=wanted.property, int=result))
        return aggregate_pb2.AggregateReply(
            took=0.001,
            single_result=aggregate_pb2.AggregateReply.Single(
                objects_count=len(rows), aggregations=Agg(aggregations=out)
            ),
        )


def _bm25(bm25: Any, rows: list[tuple[str, dict[str, Any]]]) -> list[tuple[float, str, dict[str, Any]]]:
    """Distinct query terms found, plus a little for repeats; only matching objects, best first."""
    terms = set(tokens(bm25.query))
    scored = []
    for uid, props in rows:
        searched = bm25.properties or [n for n, v in props.items() if isinstance(v, str)]
        words = tokens(" ".join(str(props.get(n, "")) for n in searched))
        hits = [w for w in words if w in terms]
        if hits:
            scored.append((len(set(hits)) + 0.1 * len(hits), uid, props))
    scored.sort(key=lambda r: (-r[0], r[1]))
    return scored
