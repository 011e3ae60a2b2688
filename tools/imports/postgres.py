"""A live PostgreSQL database read into the common model (psycopg 3, the system catalogs).

Only the CLI connects to a database (`test-data-agent seed`); the server never does.
"""

from __future__ import annotations

from typing import Any

import psycopg

from tools.imports.checks import apply_check
from tools.imports.model import Column, ForeignKey, Imported, Note, Table
from tools.imports.partitions import partition_bounds

# typname -> the normalised kind (model.Column.kind)
_KINDS = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "numeric": "numeric", "float4": "float",
    "float8": "float", "money": "money", "text": "text", "varchar": "text", "bpchar": "char",
    "citext": "text", "name": "text", "bool": "boolean", "date": "date", "timestamp": "timestamp",
    "timestamptz": "timestamptz", "time": "time", "timetz": "time", "interval": "interval",
    "uuid": "uuid", "json": "json", "jsonb": "json", "bytea": "bytea", "tsvector": "tsvector",
    "inet": "inet", "cidr": "inet", "macaddr": "macaddr",
}  # fmt: skip

_TABLES = """
SELECT c.oid, c.relname, c.relkind = 'p', coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname"""
_COLUMNS = """
SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attidentity, a.attgenerated,
       pg_get_expr(d.adbin, d.adrelid), coalesce(col_description(a.attrelid, a.attnum), ''),
       format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"""
_TYPE = """
SELECT typname, typtype, typcategory, typelem, typbasetype, typtypmod, typnotnull
FROM pg_type WHERE oid = %s"""
_CONSTRAINTS = """
SELECT c.conname, c.contype, c.conkey, f.relname, c.confkey, pg_get_constraintdef(c.oid), c.confrelid
FROM pg_constraint c LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE c.conrelid = %s ORDER BY c.conname"""
_PARTITIONS = """
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = %s ORDER BY c.relname"""


def introspect(conn: psycopg.Connection[Any], schema: str = "public") -> Imported:
    """Every table of `schema` (partitioned parents, not their partitions) and what cannot be carried."""
    out = Imported({})
    rows = conn.execute(_TABLES, (schema,)).fetchall()
    oids = {oid for oid, *_ in rows}
    for oid, name, partitioned, comment in rows:
        table, names = _table(conn, oid, name, out.notes)
        table.comment, table.partitioned = comment, partitioned
        _constraints(conn, oid, table, names, oids, out.notes)
        if partitioned:
            _partitions(conn, oid, table, out.notes)
        out.tables[name] = table
    return out


def _table(
    conn: psycopg.Connection[Any], oid: int, name: str, notes: list[Note]
) -> tuple[Table, dict[int, str]]:
    columns, names = [], {}
    for num, col, typ, typmod, notnull, identity, generated, default, comment, declared in conn.execute(
        _COLUMNS, (oid,)
    ):
        names[num] = col
        c = Column(col, "", declared, nullable=not notnull, comment=comment)
        _type(conn, c, typ, typmod, f"{name}.{col}", notes)
        if identity:
            c.generated = "identity"
        elif generated == "s":
            c.generated = "computed"
        elif default and default.startswith("nextval("):
            c.generated = "serial"
        columns.append(c)
    return Table(name, columns), names


def _type(
    conn: psycopg.Connection[Any], c: Column, typ: int, typmod: int, where: str, notes: list[Note]
) -> None:
    row = conn.execute(_TYPE, (typ,)).fetchone()
    assert row is not None
    typname, typtype, category, elem, base, base_mod, domain_notnull = row
    if typtype == "d":  # a domain: its base type, NOT NULL and CHECKs
        _type(conn, c, base, base_mod, where, notes)
        c.nullable = c.nullable and not domain_notnull
        probe = Table("domain", [Column("VALUE", c.kind, c.declared, scale=c.scale)])
        for (text,) in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = %s AND contype = 'c'",
            (typ,),
        ):
            notes += apply_check(probe, text, f"{where} (domain {typname})")
        v = probe.columns[0]
        c.low, c.high, c.values = v.low, v.high, v.values or c.values
        c.length = v.length if v.length is not None else c.length
        c.min_length = v.min_length
        return
    if typtype == "e":
        c.kind = "enum"
        c.values = [r[0] for r in conn.execute(
            "SELECT enumlabel FROM pg_enum WHERE enumtypid = %s ORDER BY enumsortorder", (typ,)
        )]  # fmt: skip
        return
    if category == "A" and elem:
        inner = Column(c.name, "", c.declared)
        _type(conn, inner, elem, -1, where, notes)
        c.kind, c.element = "array", inner.kind
        return
    c.kind = _KINDS.get(typname, f"unsupported:{typname}")
    if typname in ("varchar", "bpchar") and typmod > 4:
        c.length = typmod - 4
    if typname == "numeric" and typmod > 4:
        c.precision, c.scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF


def _constraints(
    conn: psycopg.Connection[Any],
    oid: int,
    table: Table,
    names: dict[int, str],
    oids: set[int],
    notes: list[Note],
) -> None:
    for conname, kind, keys, ref_table, ref_keys, definition, ref_oid in conn.execute(_CONSTRAINTS, (oid,)):
        cols = tuple(names[k] for k in keys or [])
        where = f"{table.name} ({conname})"
        if kind == "p":
            table.primary_key = cols
        elif kind == "u":
            table.uniques.append(cols)
        elif kind == "c":
            notes += apply_check(table, definition, where)
        elif kind == "f":
            if ref_oid not in oids:
                what = f"references {ref_table}, outside the imported schema"
                notes.append(Note(where, what, "left NULL where nullable, else the table is skipped"))
                continue
            ref_names = {r[0]: r[1] for r in conn.execute(
                "SELECT attnum, attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0", (ref_oid,)
            )}  # fmt: skip
            table.foreign_keys.append(
                ForeignKey(conname, cols, ref_table, tuple(ref_names[k] for k in ref_keys))
            )
        elif kind == "x":
            notes.append(Note(where, f"exclusion constraint {definition}", "not enforced: rows may break it"))


def _partitions(conn: psycopg.Connection[Any], oid: int, table: Table, notes: list[Note]) -> None:
    keydef = conn.execute("SELECT pg_get_partkeydef(%s)", (oid,)).fetchone()
    assert keydef is not None
    bounds = [str(b) for _, b in conn.execute(_PARTITIONS, (oid,))]
    partition_bounds(table, keydef[0], bounds, notes)
