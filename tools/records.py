"""Record tables: values that belong together (a review's title, body and rating), drawn as one.

A plan's table forces its paths with makers that share one draw per row: the first path the
compiler fills picks an entry (stored on the row's context), the others read the same entry. Every
other field is made as usual, so derived fields, ids and rules hold around the record, and the
validator still checks each row.

The plan writes a few dozen entries; the engine multiplies them. A free text whose grammar says what
goes on after a plan's words (`goes_on`: a review body, a ticket description; not a headline) opens
with the entry's text and goes on with a draw of it in the row's tone (the entry's rating), naming no
product, so 200 rows from 20 entries read as 200 texts about those 20 things, not 20 texts said ten
times over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.schema import EntitySchema, FieldSpec
from tools.world.text.amounts import home_currency
from tools.world.text.grammar import State
from tools.world.text.library import Grammar, load_grammar
from tools.world.text.maker import grammar_of, key_fields
from tools.world.text.style import Style, finisher

_STOPS = (".", "!", "?", "…")


@dataclass(frozen=True)
class Records:
    paths: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True)
class GoOn:
    """How a record's text for one path continues: the field's grammar maker and its max length."""

    maker: Maker
    max_length: int | None


def record_makers(
    tables: list[Records], rnd: Callable[[], float], go_on: dict[str, GoOn] | None = None
) -> dict[str, Maker]:
    """path -> maker for every path of every table (a later table does not take a path twice)."""
    out: dict[str, Maker] = {}
    for key, table in enumerate(tables):
        if not table.rows:
            continue
        pick = chooser(range(len(table.rows)), table.weights, rnd)
        for col, path in enumerate(table.paths):
            if path not in out:
                out[path] = _column(key, col, table.rows, pick, (go_on or {}).get(path))
    return out


def _column(
    key: int, col: int, rows: tuple[tuple[Any, ...], ...], pick: Callable[[], Any], more: GoOn | None
) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        picks = ctx.picks
        if picks is None:
            picks = ctx.picks = {}
        i = picks.get(key)
        if i is None:
            i = picks[key] = pick()
        value = rows[i][col]
        if more is None or not isinstance(value, str) or not value.strip():
            return value
        return continued(value, more.maker(obj, ctx), more.max_length)

    return make


def continued(text: str, rest: str, max_length: int | None) -> str:
    """The entry's text, then the grammar's; the entry alone when both would pass max_length."""
    head = text.rstrip()
    if not head.endswith(_STOPS):
        head += "."
    out = f"{head} {rest.strip()}" if rest.strip() else text
    return text if max_length is not None and len(out) > max_length else out


def continuations(schema: EntitySchema, tables: list[Records], env: Env) -> dict[str, GoOn]:
    """The record paths whose texts go on: top-level fields written by a grammar with a `goes_on`
    (tools/world/data/text/README.md); `continued` keeps their max_length."""
    out: dict[str, GoOn] = {}
    for path in sorted({p for t in tables for p in t.paths}):
        spec = schema.field(path)
        name = grammar_of(spec) if spec is not None else None
        if spec is not None and name is not None and load_grammar(name).goes_on:
            out[path] = GoOn(_after(load_grammar(name), spec, env), spec.max_length)
    return out


def _after(grammar: Grammar, spec: FieldSpec, env: Env) -> Maker:
    keys, rnd, home = key_fields(grammar, spec), env.rnd, home_currency(env.locale)
    tidy = finisher(Style())  # the grammar's slips (all lower case, typos) would clash with the plan's text

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        node = grammar.after(obj, keys)
        return "" if node is None else tidy(node(State(rnd, obj, ctx, "", home)), rnd)

    return make
