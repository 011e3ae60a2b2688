"""Record tables: values that belong together (a review's title, body and rating), drawn as one.

A plan's table forces its paths with makers that share one draw per row: the first path the
compiler fills picks an entry (stored on the row's context), the others read the same entry. Every
other field is made as usual, so derived fields, ids and rules hold around the record, and the
validator still checks each row.

The plan writes a few dozen entries; the engine multiplies them. A free text whose grammar says what
goes on after a plan's words (`goes_on`: a review body, a ticket description; not a headline) opens
with the entry's text and goes on with a draw of it in the row's tone (the entry's rating), naming no
product, so 200 rows from 20 entries read as 200 texts about those 20 things, not 20 texts said ten
times over. An entry may instead be a template in the grammar's language ([a|b] choices, {n:2-9},
the grammar's rules that name no product, such as a ticket's {hi} and {bye}), or for another free
text (a subject line) in the bare syntax: drawn per row, so one entry reads many ways, and whole (the
grammar does not go on after it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.schema import EntitySchema, FieldSpec, FieldType
from tools.world.text.amounts import home_currency
from tools.world.text.grammar import Compiler, Node, State
from tools.world.text.library import Grammar, load_grammar, plan_compiler
from tools.world.text.maker import grammar_of, key_fields
from tools.world.text.style import Style, finisher

_STOPS = (".", "!", "?", "…")
_RETRIES = 3  # draws of a plan's template before one past max_length is cut


@dataclass(frozen=True)
class Records:
    paths: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    weights: tuple[float, ...] | None = None


Writer = Callable[[str, dict[str, Any], RowCtx], str]  # an entry's text, the row -> the row's text


def record_makers(
    tables: list[Records], rnd: Callable[[], float], writers: dict[str, Writer] | None = None
) -> dict[str, Maker]:
    """path -> maker for every path of every table (a later table does not take a path twice)."""
    out: dict[str, Maker] = {}
    for key, table in enumerate(tables):
        if not table.rows:
            continue
        pick = chooser(range(len(table.rows)), table.weights, rnd)
        for col, path in enumerate(table.paths):
            if path not in out:
                out[path] = _column(key, col, table.rows, pick, (writers or {}).get(path))
    return out


def _column(
    key: int, col: int, rows: tuple[tuple[Any, ...], ...], pick: Callable[[], Any], write: Writer | None
) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        picks = ctx.picks
        if picks is None:
            picks = ctx.picks = {}
        i = picks.get(key)
        if i is None:
            i = picks[key] = pick()
        value = rows[i][col]
        if write is None or not isinstance(value, str) or not value.strip():
            return value
        return write(value, obj, ctx)

    return make


def is_template(text: str) -> bool:
    """A plan's text with the grammar's syntax: {slot} or [a|b] (tools/world/text/grammar.py)."""
    return "{" in text or "[" in text


def continued(text: str, rest: str, max_length: int | None) -> str:
    """The entry's text, then the grammar's; the entry alone when both would pass max_length."""
    head = text.rstrip()
    if not head.endswith(_STOPS):
        head += "."
    out = f"{head} {rest.strip()}" if rest.strip() else text
    return text if max_length is not None and len(out) > max_length else out


def free_text(spec: FieldSpec) -> bool:
    """A string field with no format of its own (no values, regex or pattern): a subject line, a name."""
    plain = spec.type in (FieldType.STRING, FieldType.TEXT) and not (spec.values or spec.regex or spec.format)
    return plain and not spec.unique


def template_compiler(spec: FieldSpec) -> Compiler | None:
    """What compiles a plan's template for the field: its grammar's plain rules, or for another free
    text the bare syntax ([a|b], [?x], {n:..}, {money:..}, {pct:..}); a bracket with one plain choice
    stays as written ("[Reminder]"). None: its entries are used as written."""
    name = grammar_of(spec)
    if name is not None:
        return plan_compiler(name)
    return Compiler("text", {}, plain=True, tags_stay=True) if free_text(spec) else None


def writers(schema: EntitySchema, tables: list[Records], env: Env) -> dict[str, Writer]:
    """The record paths whose entries may be templates (template_compiler), and for a grammar that
    says what `goes_on` after a plan's words (tools/world/data/text/README.md), texts that go on."""
    out: dict[str, Writer] = {}
    for path in sorted({p for t in tables for p in t.paths}):
        spec = schema.field(path)
        compiler = template_compiler(spec) if spec is not None else None
        if spec is not None and compiler is not None:
            out[path] = _writer(compiler, grammar_of(spec), spec, env)
    return out


def _writer(compiler: Compiler, name: str | None, spec: FieldSpec, env: Env) -> Writer:
    rnd, home, hi = env.rnd, home_currency(env.locale), spec.max_length
    grammar = load_grammar(name) if name is not None else None
    go_on = _after(grammar, spec, env) if grammar is not None and grammar.goes_on else None
    tidy = finisher(Style())  # the grammar's slips (all lower case, typos) would clash with the plan's text
    nodes: dict[str, Node] = {}

    def write(value: str, obj: dict[str, Any], ctx: RowCtx) -> str:
        if not is_template(value):  # a plain entry: the grammar goes on with it, so rows differ
            return value if go_on is None else continued(value, go_on(obj, ctx), hi)
        # A template is the plan's whole text: it varies itself, and a sentence the grammar added
        # could repeat or contradict it.
        node = nodes.get(value)
        if node is None:  # checked when the plan was (agent/plan_values.py): it compiles
            node = nodes[value] = compiler.choice(value, "a plan's text")
        text = value
        for _ in range(_RETRIES):  # a fresh draw for one past max_length, then the shortest cut
            text = tidy(node(State(rnd, obj, ctx, "", home)), rnd)
            if hi is None or len(text) <= hi:
                break
        return text if hi is None or len(text) <= hi else _cut(text, hi)

    return write


def _cut(text: str, n: int) -> str:
    """The text's first n characters, ending at a word."""
    head = text[:n]
    return head.rsplit(" ", 1)[0] if " " in head and len(text) > n else head


def _after(grammar: Grammar, spec: FieldSpec, env: Env) -> Maker:
    keys, rnd, home = key_fields(grammar, spec), env.rnd, home_currency(env.locale)
    tidy = finisher(Style())

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        node = grammar.after(obj, keys)
        return "" if node is None else tidy(node(State(rnd, obj, ctx, "", home)), rnd)

    return make
