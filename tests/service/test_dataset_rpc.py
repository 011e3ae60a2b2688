"""GenerateDataset over the wire: parents before children, chunks that load into PostgreSQL (foreign
keys enforced, chunk by chunk) and SQLite, the seed reported, bad input refused."""

from __future__ import annotations

import json
import sqlite3

import grpc
import psycopg
import pytest

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live
from tools.registry import default_registry
from tools.seeds import ENGINE_VERSION

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _chunks(live: Live, **fields: object) -> list[pb.DatasetChunk]:
    return [c async for c in live.stub.GenerateDataset(pb.DatasetRequest(**fields))]


async def test_json_family_parents_first_and_final_flag(live: Live) -> None:
    chunks = await _chunks(live, entities=[pb.EntityCount(entity="customer", count=30)], seed=8)
    assert chunks[-1].is_final and not any(c.is_final for c in chunks[:-1])
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    seen: set[str] = set()
    registry = default_registry()
    for c in chunks:
        link = registry.get(c.entity).dataset
        assert link is None or link.parent in seen
        seen.add(c.entity)
        assert json.loads(c.data)


async def test_1000_customers_load_into_postgresql_with_foreign_keys_enforced(
    live: Live, pg: psycopg.Connection
) -> None:
    call = live.stub.GenerateDataset(
        pb.DatasetRequest(
            entities=[pb.EntityCount(entity="customer", count=1000)], seed=1, output_format=pb.SQL
        )
    )
    loaded = 0
    async for chunk in call:
        pg.execute(chunk.data)  # in chunk order: every REFERENCES target is already there
        loaded += 1
    head = await call.initial_metadata()
    assert head.get("x-seed") == "1" and head.get("x-engine-version") == ENGINE_VERSION
    fks = pg.execute(
        "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'"
        " AND table_schema = current_schema()"
    ).fetchone()
    assert fks is not None and fks[0] >= 12
    customers = pg.execute('SELECT count(*) FROM "customer"').fetchone()
    payments = pg.execute('SELECT count(*) FROM "payment"').fetchone()
    assert customers == (1000,) and payments is not None and payments[0] >= 1000
    orphan = pg.execute(
        'SELECT count(*) FROM "payment" p LEFT JOIN "order" o USING (order_id) WHERE o.order_id IS NULL'
    )
    assert orphan.fetchone() == (0,)
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        pg.execute("INSERT INTO \"payment\" (payment_id, order_id) VALUES ('PAY-X', 'ORD-NOPE')")
    mismatched = pg.execute(
        'SELECT count(*) FROM "payment" p JOIN "order" o USING (order_id) WHERE p.amount <> o.total'
    )
    assert mismatched.fetchone() == (0,)


async def test_a_family_seen_at_as_of_keeps_one_clock_in_postgresql(
    live: Live, pg: psycopg.Connection
) -> None:
    # One timeline per family (tools/world/stories.py), checked where a QA engineer would: in SQL.
    as_of = "2026-03-15T12:00:00Z"
    request = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=300)], seed=4, output_format=pb.SQL, as_of=as_of
    )
    call = live.stub.GenerateDataset(request)
    async for chunk in call:
        pg.execute(chunk.data)
    assert (await call.initial_metadata()).get("x-as-of") == as_of

    def count(sql: str) -> int:
        row = pg.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    assert count('SELECT count(*) FROM "order"') > 300
    for sql in CLOCK_CHECKS:  # every one counts records that break the family's clock
        assert count(sql.replace("AS_OF", f"TIMESTAMPTZ '{as_of}'")) == 0, sql
    delivered_scans = [
        'SELECT count(*) FROM "tracking" t JOIN "shipment" s USING (shipment_id)',
        "WHERE t.status = 'delivered'",
    ]
    assert count(" ".join(delivered_scans)) > 0
    late = f'SELECT count(*) {ORDERS} JOIN "customer" c USING (customer_id) WHERE o.created_at > c.last_login'
    # Orders fall before the last login, but a cart updated in the days after it is checked out
    # minutes after its last change: a handful (a kept-signed-in session) in 1,000 orders.
    assert count(late) <= count('SELECT count(*) FROM "order"') // 100


ORDERS = 'FROM "order" o'
CLOCK_CHECKS = [
    # The same instants wherever they appear.
    """SELECT count(*) FROM "shipment" s JOIN "order" o USING (order_id) WHERE s.status <> 'label_created'
        AND s.ship_date <> (o.shipped_at AT TIME ZONE 'UTC')::date""",
    """SELECT count(*) FROM "shipment" s JOIN "order" o USING (order_id)
        WHERE s.delivery_date <> (o.delivered_at AT TIME ZONE 'UTC')::date""",
    """SELECT count(*) FROM "tracking" t JOIN "shipment" s USING (shipment_id) JOIN "order" o USING (order_id)
        WHERE t.status = 'delivered' AND t.timestamp <> o.delivered_at""",
    """SELECT count(*) FROM "payment" p JOIN "order" o USING (order_id) WHERE p.captured_at > o.shipped_at""",
    """SELECT count(*) FROM "review" r JOIN "order" o USING (order_id) WHERE r.created_at < o.delivered_at""",
    # An order is its cart checked out: made after the cart, in its currency, for its lines.
    f"""SELECT count(*) {ORDERS} JOIN "cart" c USING (cart_id)
        WHERE c.created_at > o.created_at OR c.currency <> o.currency OR c.subtotal <> o.subtotal""",
    # Statuses are what the records' ages say at as_of, and nothing happened after it.
    f"""SELECT count(*) {ORDERS} WHERE o.created_at < AS_OF - INTERVAL '60 days'
        AND o.status NOT IN ('delivered', 'returned', 'cancelled')""",
    f"""SELECT count(*) {ORDERS}
        WHERE o.created_at > AS_OF OR o.delivered_at > AS_OF OR o.updated_at > AS_OF""",
    # Payment status agrees with its refunds; ids carry their own record's year.
    """SELECT count(*) FROM "payment" p JOIN "refund" r USING (payment_id)
        WHERE (p.status = 'refunded') <> (r.amount = p.amount)""",
    f"""SELECT count(*) {ORDERS}
        WHERE substr(o.order_id, 5, 4) <> to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY')""",
]


async def test_sql_loads_into_sqlite_with_foreign_keys_on(live: Live) -> None:
    chunks = await _chunks(
        live, entities=[pb.EntityCount(entity="customer", count=60)], seed=3, output_format=pb.SQL
    )
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = ON")
    for c in chunks:
        db.executescript(c.data)
    assert db.execute('SELECT count(*) FROM "customer"').fetchone() == (60,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_bad_dataset_request_is_refused(live: Live) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _chunks(live, entities=[pb.EntityCount(entity="custmer", count=5)])
    assert info.value.code() == grpc.StatusCode.NOT_FOUND and "customer" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _chunks(
            live, entities=[pb.EntityCount(entity="customer", count=5), pb.EntityCount(entity="customer")]
        )
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_locale_shapes_the_family_and_a_bad_one_is_refused(live: Live) -> None:
    entities = [pb.EntityCount(entity="customer", count=20)]
    request = pb.DatasetRequest(entities=entities, seed=4, locale="de_DE", output_format=pb.JSON)
    chunks = [c async for c in live.stub.GenerateDataset(request)]
    customers = [r for c in chunks if c.entity == "customer" for r in json.loads(c.data)]
    german = [c for c in customers if c["email"].endswith((".de", "googlemail.com"))]
    assert len(customers) == 20 and len(german) >= 5  # German free-mail domains: Faker's de_DE
    with pytest.raises(grpc.aio.AioRpcError) as info:
        [c async for c in live.stub.GenerateDataset(pb.DatasetRequest(entities=entities, locale="xx_XX"))]
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "locale: unknown locale 'xx_XX'" in (info.value.details() or "")
