"""SQL DDL text (PostgreSQL, MySQL or SQLite) read with sqlglot into the common model: CREATE TABLE
(columns, types, NOT NULL, defaults, keys, CHECKs, partitions), CREATE TYPE ... AS ENUM, CREATE DOMAIN,
ALTER TABLE ... ADD FOREIGN KEY, COMMENT ON and MySQL's COMMENT. A statement it cannot read is a Note;
the rest is still read.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from tools.errors import InvalidRequest
from tools.imports.checks import apply_check, apply_check_expression
from tools.imports.model import Column, ForeignKey, Imported, Note, Table
from tools.imports.partitions import partition_bounds

DIALECTS = ("postgres", "mysql", "sqlite")
_INTS = {"TINYINT": "smallint", "SMALLINT": "smallint", "MEDIUMINT": "integer", "INT": "integer",
         "BIGINT": "bigint", "UTINYINT": "smallint", "USMALLINT": "integer", "UMEDIUMINT": "integer",
         "UINT": "bigint", "UBIGINT": "bigint"}  # fmt: skip
_SERIALS = {"SMALLSERIAL": "smallint", "SERIAL": "integer", "BIGSERIAL": "bigint"}
_KINDS = {
    "DECIMAL": "numeric", "MONEY": "money", "FLOAT": "float", "DOUBLE": "float",
    "VARCHAR": "text", "NVARCHAR": "text", "TEXT": "text", "MEDIUMTEXT": "text", "LONGTEXT": "text",
    "TINYTEXT": "text", "CHAR": "char", "NCHAR": "char", "BOOLEAN": "boolean", "DATE": "date",
    "DATETIME": "timestamp", "TIMESTAMP": "timestamp", "TIMESTAMPNTZ": "timestamp",
    "TIMESTAMPTZ": "timestamptz", "TIMESTAMPLTZ": "timestamptz", "TIME": "time", "TIMETZ": "time",
    "INTERVAL": "interval", "UUID": "uuid", "JSON": "json", "JSONB": "json", "BLOB": "bytea",
    "MEDIUMBLOB": "bytea", "LONGBLOB": "bytea", "TINYBLOB": "bytea", "BINARY": "bytea",
    "VARBINARY": "bytea", "INET": "inet", "TSVECTOR": "tsvector",
}  # fmt: skip
_USER_KINDS = {"citext": "text", "tsvector": "tsvector", "bytea": "bytea", "macaddr": "macaddr"}
_DOMAIN = re.compile(r"DOMAIN\s+(\S+)\s+AS\s+(.+?)(\s+NOT\s+NULL)?(\s+CHECK\s*\(.*\))?\s*$", re.I | re.S)


def from_ddl(text: str, dialect: str, max_statements: int | None = None) -> Imported:
    if dialect not in DIALECTS:
        raise InvalidRequest(
            "dialect", f"{dialect!r} is not a DDL dialect read here", f"use one of {DIALECTS}"
        )
    statements = _statements(text)
    if max_statements is not None and len(statements) > max_statements:
        what = f"holds {len(statements):,} statements; at most {max_statements:,} are read at once"
        raise InvalidRequest("source", what, "import the schema in parts")
    out = Imported({})
    enums: dict[str, list[Any]] = {}
    domains: dict[str, Column] = {}
    partitions: dict[str, list[str]] = {}
    keydefs: dict[str, str] = {}
    later: list[exp.Expression] = []  # ALTERs and COMMENTs, once every table is read
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" warnings
    for i, statement in enumerate(statements):
        where = f"statement {i + 1}"
        try:
            tree = sqlglot.parse_one(statement, read=dialect)
        except (ParseError, ValueError) as exc:
            out.notes.append(Note(where, f"cannot be read ({str(exc).splitlines()[0][:120]})", "skipped"))
            continue
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TYPE":
            dt = tree.args.get("expression")
            if isinstance(dt, exp.DataType) and dt.this == exp.DataType.Type.ENUM:
                enums[tree.this.name] = [e.this for e in dt.expressions]
                continue
        if isinstance(tree, exp.Command) and (m := _DOMAIN.match(str(tree.expression).strip())):
            domains[m.group(1)] = _domain(m, dialect, out.notes)
            continue
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
            of = tree.find(exp.PartitionedOfProperty)
            if of is not None:  # a partition: its bounds bound its parent's key
                partitions.setdefault(of.this.name, []).append(_bound_text(of.expression, dialect))
                continue
            table = _table(tree, dialect, enums, domains, out.notes)
            if table is not None:
                out.tables[table.name] = table
                by = tree.find(exp.PartitionedByProperty)
                if by is not None:
                    table.partitioned = True
                    keydefs[table.name] = _keydef(by, dialect)
            continue
        if isinstance(tree, exp.Alter | exp.Comment):
            later.append(tree)
            continue
        kind = str(tree.args.get("kind", "")).upper() if isinstance(tree, exp.Create) else ""
        if kind == "INDEX":
            if tree.args.get("unique"):  # a unique index is a unique key
                later.append(tree)  # type: ignore[arg-type]
            continue
        if kind:
            what = f"CREATE {kind} {tree.this.name}"
            out.notes.append(Note(where, f"{what} is not a table", "skipped: no rows are made for it"))
            continue
        if not isinstance(tree, exp.Command | exp.Create | exp.Set | exp.Use | exp.Drop):
            out.notes.append(
                Note(where, f"{type(tree).__name__} statement is not part of a schema", "skipped")
            )
    for tree in later:
        _apply_later(tree, out, dialect)
    for name, keydef in keydefs.items():
        partition_bounds(out.tables[name], keydef, partitions.get(name, []), out.notes)
    return out


def _statements(text: str) -> list[str]:
    """Statements split at semicolons outside quotes and dollar quotes."""
    out, buf, quote = [], [], ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            buf.append(c)
            if text.startswith(quote, i):
                buf.append(text[i + 1 : i + len(quote)])
                i += len(quote)
                quote = ""
                continue
        elif c in "'\"`":
            quote = c
            buf.append(c)
        elif c == "$" and (m := re.match(r"\$\w*\$", text[i:])):
            quote = m.group(0)
            buf.append(quote)
            i += len(quote)
            continue
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif c == ";":
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    out.append("".join(buf).strip())
    return [s for s in out if s]


def _kind(dt: exp.DataType, col: Column, enums: dict[str, list[Any]], domains: dict[str, Column]) -> None:
    name = dt.this.name if hasattr(dt.this, "name") else str(dt.this)
    params = [p.this.this if isinstance(p, exp.DataTypeParam) else p for p in dt.expressions]
    numbers = [int(p) for p in params if isinstance(p, str) and p.isdigit()]
    if name == "USERDEFINED":
        user = dt.args["kind"].name if dt.args.get("kind") is not None else ""
        user = user.split(".")[-1]
        if user in enums:
            col.kind, col.values = "enum", list(enums[user])
        elif user in domains:
            d = domains[user]
            col.kind, col.length, col.min_length = d.kind, d.length, d.min_length
            col.precision, col.scale = d.precision, d.scale
            col.low, col.high, col.values = d.low, d.high, list(d.values)
            col.nullable = col.nullable and d.nullable
        else:
            col.kind = _USER_KINDS.get(user.lower(), f"unsupported:{user}")
        return
    if name == "ENUM":  # MySQL's ENUM('a', 'b')
        col.kind, col.values = "enum", [e.this for e in dt.expressions if isinstance(e, exp.Literal)]
        return
    if name == "ARRAY" and dt.expressions:
        inner = Column(col.name, "", col.declared)
        _kind(dt.expressions[0], inner, enums, domains)  # type: ignore[arg-type]
        col.kind, col.element = "array", inner.kind
        return
    if name in _SERIALS:
        col.kind, col.generated = _SERIALS[name], "serial"
        return
    if name in _INTS:
        col.kind = "boolean" if name == "TINYINT" and numbers == [1] else _INTS[name]  # MySQL's bool
        return
    col.kind = _KINDS.get(name, f"unsupported:{name.lower()}")
    if col.kind in ("text", "char") and numbers:
        col.length = numbers[0]
    if col.kind == "numeric" and numbers:
        col.precision, col.scale = numbers[0], numbers[1] if len(numbers) > 1 else 0


def _domain(m: re.Match[str], dialect: str, notes: list[Note]) -> Column:
    col = Column("VALUE", "", m.group(2).strip(), nullable=not m.group(3))
    _kind(exp.DataType.build(m.group(2).strip(), dialect=dialect), col, {}, {})
    if m.group(4):
        probe = Table("domain", [col])
        notes += apply_check(probe, m.group(4).strip(), f"domain {m.group(1)}", dialect)
    return col


def _names(e: exp.Expression | None) -> tuple[str, ...]:
    if e is None:
        return ()
    items = e.expressions if isinstance(e, exp.Schema | exp.Tuple) or e.expressions else [e]
    return tuple(i.name for i in items)


def _reference(ref: exp.Reference) -> tuple[str, tuple[str, ...]]:
    target = ref.this
    if isinstance(target, exp.Schema):
        return target.this.name, tuple(i.name for i in target.expressions)
    return target.name, ()


def _table(
    tree: exp.Create, dialect: str, enums: dict[str, list[Any]], domains: dict[str, Column], notes: list[Note]
) -> Table | None:
    schema = tree.this
    if not isinstance(schema, exp.Schema):
        notes.append(Note(tree.this.name, "a table without columns (CREATE TABLE ... AS)", "skipped"))
        return None
    table = Table(schema.this.name, [])
    checks: list[exp.Expression] = []
    fks: list[tuple[str, tuple[str, ...], exp.Reference]] = []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            col = Column(
                item.name, "", item.args["kind"].sql(dialect=dialect) if item.args.get("kind") else ""
            )
            if item.args.get("kind") is not None:
                _kind(item.args["kind"], col, enums, domains)
            else:  # SQLite lets a column go untyped
                col.kind = "text"
            for cc in item.constraints:
                k = cc.kind
                if isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null"):
                    col.nullable = False
                elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                    table.primary_key, col.nullable = (col.name,), False
                elif isinstance(k, exp.UniqueColumnConstraint):
                    table.uniques.append((col.name,))
                elif isinstance(
                    k, exp.GeneratedAsIdentityColumnConstraint | exp.AutoIncrementColumnConstraint
                ):
                    col.generated = (
                        "identity" if isinstance(k, exp.GeneratedAsIdentityColumnConstraint) else "serial"
                    )
                elif isinstance(k, exp.ComputedColumnConstraint):
                    col.generated = "computed"
                elif isinstance(k, exp.CheckColumnConstraint):
                    checks.append(k.this)
                elif isinstance(k, exp.Reference):
                    fks.append((f"{table.name}_{col.name}_fkey", (col.name,), k))
                elif isinstance(k, exp.CommentColumnConstraint):
                    col.comment = k.this.this if isinstance(k.this, exp.Literal) else str(k.this)
            table.columns.append(col)
        elif isinstance(item, exp.Constraint):  # CONSTRAINT name ...: the same, named
            for inner in item.expressions:
                _table_constraint(inner, item.name, table, checks, fks)
        elif not _table_constraint(item, "", table, checks, fks) and not isinstance(
            item,
            exp.IndexColumnConstraint,  # a plain index constrains nothing
        ):
            notes.append(
                Note(table.name, f"{item.sql(dialect=dialect)[:80]}", "not enforced: rows may break it")
            )
    for c in table.columns:
        if c.name in table.primary_key:
            c.nullable = False
    if dialect == "sqlite" and len(table.primary_key) == 1:  # INTEGER PRIMARY KEY is the rowid
        pk = table.column(table.primary_key[0])
        if pk.kind == "integer" and not pk.generated:
            pk.generated = "serial"
    for tree_check in checks:
        notes += apply_check_expression(table, tree_check, table.name, dialect)
    for name, cols, ref in fks:
        target, ref_cols = _reference(ref)
        table.foreign_keys.append(ForeignKey(name, cols, target, ref_cols))
    comment = tree.find(exp.SchemaCommentProperty)
    if comment is not None:
        table.comment = comment.this.this if isinstance(comment.this, exp.Literal) else ""
    return table


def _table_constraint(
    item: exp.Expression,
    name: str,
    table: Table,
    checks: list[exp.Expression],
    fks: list[tuple[str, tuple[str, ...], exp.Reference]],
) -> bool:
    """A table-level PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY put on `table`; False for anything else."""
    if isinstance(item, exp.PrimaryKey):
        table.primary_key = _names(item)
    elif isinstance(item, exp.UniqueColumnConstraint):
        table.uniques.append(_names(item.this))
    elif isinstance(item, exp.CheckColumnConstraint):
        checks.append(item.this)
    elif isinstance(item, exp.ForeignKey):
        fks.append((name or f"{table.name}_fkey{len(fks)}", _names(item), item.args["reference"]))
    else:
        return False
    return True


def _apply_later(tree: exp.Expression, out: Imported, dialect: str) -> None:
    if isinstance(tree, exp.Create):  # CREATE UNIQUE INDEX
        index = tree.this
        table = out.tables.get(index.args["table"].name)
        params = index.args.get("params")
        cols = tuple(o.this.name for o in (params.args.get("columns") or [])) if params is not None else ()
        if table is not None and cols:
            table.uniques.append(cols)
        return
    if isinstance(tree, exp.Comment):
        kind, text = str(tree.args.get("kind", "")).upper(), tree.expression.this
        if kind == "TABLE" and tree.this.name in out.tables:
            out.tables[tree.this.name].comment = text
        elif kind == "COLUMN":
            parts = tree.this.sql(dialect=dialect).replace('"', "").split(".")
            t = out.tables.get(parts[-2]) if len(parts) >= 2 else None
            if t is not None and any(c.name == parts[-1] for c in t.columns):
                t.column(parts[-1]).comment = text
        return
    assert isinstance(tree, exp.Alter)
    table = out.tables.get(tree.this.name)
    for action in tree.args.get("actions") or []:
        for inner in action.expressions if isinstance(action, exp.AddConstraint) else [action]:
            fk = inner if isinstance(inner, exp.ForeignKey) else inner.find(exp.ForeignKey)
            if table is not None and fk is not None:
                target, ref_cols = _reference(fk.args["reference"])
                name = (
                    inner.name
                    if isinstance(inner, exp.Constraint)
                    else f"{table.name}_fkey{len(table.foreign_keys)}"
                )
                table.foreign_keys.append(ForeignKey(name, _names(fk), target, ref_cols))
            else:
                where = f"ALTER TABLE {tree.this.name}"
                out.notes.append(Note(where, inner.sql(dialect=dialect)[:80], "not applied"))


def _bound_text(spec: exp.Expression, dialect: str) -> str:
    """A PartitionBoundSpec as PostgreSQL prints it ("FOR VALUES FROM ('a') TO ('b')")."""
    if spec.args.get("from_expressions"):
        lo = ", ".join(e.sql(dialect=dialect) for e in spec.args["from_expressions"])
        hi = ", ".join(e.sql(dialect=dialect) for e in spec.args["to_expressions"])
        return f"FOR VALUES FROM ({lo}) TO ({hi})"
    if spec.expressions:
        return f"FOR VALUES IN ({', '.join(e.sql(dialect=dialect) for e in spec.expressions)})"
    return "DEFAULT"


def _keydef(by: exp.PartitionedByProperty, dialect: str) -> str:
    f = by.this
    cols = ", ".join(e.name for e in f.expressions) if isinstance(f, exp.Anonymous) else ""
    return f"{f.name.upper()} ({cols})" if isinstance(f, exp.Anonymous) else f.sql(dialect=dialect)
