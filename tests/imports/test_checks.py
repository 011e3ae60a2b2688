"""CHECK constraints as PostgreSQL prints them, read into column bounds, lists, lengths and orders."""

from __future__ import annotations

from tools.imports.checks import apply_check
from tools.imports.model import Column, Table


def _table() -> Table:
    return Table(
        "t",
        [
            Column("price", "numeric", "numeric(8,2)", scale=2),
            Column("qty", "integer", "integer"),
            Column("code", "text", "text"),
            Column("kind", "text", "text"),
            Column("starts_on", "date", "date"),
            Column("ends_on", "date", "date"),
            Column("a", "integer", "integer"),
            Column("b", "integer", "integer"),
        ],
    )


def test_bounds_lists_lengths_and_orders_land_on_the_columns() -> None:
    t = _table()
    checks = [
        "CHECK ((price > (0)::numeric))",
        "CHECK (((0 < qty) AND (qty <= 12)))",
        "CHECK ((length(code) = 8))",
        "CHECK ((kind = ANY (ARRAY['a'::text, 'b'::text])))",
        "CHECK ((starts_on < ends_on))",
        "CHECK ((a IS NOT NULL))",
        "CHECK ((b IN (1, 2, 3))) NOT VALID",
    ]
    notes = [n for c in checks for n in apply_check(t, c, "t")]
    assert notes == []
    assert t.column("price").low == 0.01  # strict, two decimals
    assert (t.column("qty").low, t.column("qty").high) == (1, 12)
    assert (t.column("code").length, t.column("code").min_length) == (8, 8)
    assert t.column("kind").values == ["a", "b"] and t.column("b").values == [1, 2, 3]
    assert t.orders == [("starts_on", "ends_on", True)] and not t.column("a").nullable


def test_what_it_cannot_read_is_a_note_naming_the_part_and_the_rest_still_lands() -> None:
    t = _table()
    notes = apply_check(t, "CHECK (((qty >= 1) AND ((a + b) > 3) AND (code ~~ 'X%'::text)))", "t (t_check)")
    assert [n.what for n in notes] == ["CHECK ((a + b) > 3)", "CHECK (code LIKE 'X%')"]
    assert all(n.where == "t (t_check)" and "not enforced" in n.action for n in notes)
    assert t.column("qty").low == 1
    assert apply_check(t, "CHECK (((a < b)))", "t")[0].what == "CHECK (a < b)"  # numbers: not ordered
    assert "could not be read" in apply_check(t, "CHECK ((((", "t")[0].what
