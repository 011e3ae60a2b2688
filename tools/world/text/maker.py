"""`source: grammar.<name>`: a text field drawn from a grammar (tools/world/data/text/<name>.yaml).

values_text.text_maker calls grammar_maker for the fields grammar_of names; its length fitting and
unique suffixes wrap the maker as they wrap any other. The column maker leaves these fields to this
row maker (columns/values.py), which reads only the key field and the row's product there.
"""

from __future__ import annotations

from typing import Any

from tools.errors import InvalidRequest, close_names, quoted
from tools.maker_kit import Env, Maker, RowCtx, source_of
from tools.schema import FieldSpec
from tools.world.text.amounts import home_currency
from tools.world.text.grammar import Node, State
from tools.world.text.library import Grammar, grammar_names, load_grammar
from tools.world.text.style import Finish, joined, sentence_key, sentences

GRAMMAR_PREFIX = "grammar."
_RETRIES = 3  # fresh draws for a text longer than max_length before it is cut
_STALLS = 12  # draws in a row with nothing new before a padded text may repeat a sentence


def grammar_of(spec: FieldSpec) -> str | None:
    """The grammar a field's text comes from, or None. A source the schema names wins over its
    pools_by, which then only declares the field the text follows (made after it, and refused as a
    plan's flat pool); a source guessed from the field's name never replaces authored pools."""
    source = source_of(spec)
    if not source or not source.startswith(GRAMMAR_PREFIX) or spec.pool:
        return None
    if spec.pools_by is not None and not spec.source:
        return None
    return source[len(GRAMMAR_PREFIX) :]


def key_fields(grammar: Grammar, spec: FieldSpec) -> tuple[str, ...]:
    """The fields that pick the branch: the one the field's pools_by names first (a client's `stars`
    for a review body), then the grammar's own; a pools_by field the grammar already reads keeps its
    place (a notification's body follows its subject before its type)."""
    if spec.pools_by is None or spec.pools_by.field in grammar.keys:
        return grammar.keys
    return (spec.pools_by.field, *grammar.keys)


def grammar_maker(name: str, spec: FieldSpec, path: str, env: Env) -> Maker:
    if name not in grammar_names():
        known = [GRAMMAR_PREFIX + n for n in grammar_names()]
        close = close_names(GRAMMAR_PREFIX + name, known)
        raise InvalidRequest(
            f"{path}.source", f"unknown text grammar {quoted(GRAMMAR_PREFIX + name)}",
            f"use one of {', '.join(close or known)}",
        )  # fmt: skip
    grammar = load_grammar(name)
    finish, branch, keys, more = grammar.finish, grammar.branch, key_fields(grammar, spec), grammar.more
    rnd, home = env.rnd, home_currency(env.locale)
    lo, hi = spec.min_length or 0, spec.max_length

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        node, key = branch(obj, keys)
        st = State(rnd, obj, ctx, key, home)
        raw = node(st)
        text = finish(raw, rnd)
        if hi is not None:
            for _ in range(_RETRIES):
                if len(text) <= hi:
                    break
                raw = node(st)
                text = finish(raw, rnd)
        if len(text) < lo:
            text = _padded(raw, more or node, st, lo, finish)
        return text

    return make


def _padded(raw: str, more: Node, st: State, lo: int, finish: Finish) -> str:
    """More of the same voice until the text reaches `lo`: new sentences only, joined and then styled
    once; a grammar with nothing new left to say repeats itself rather than pad with random words."""
    parts = sentences(raw)
    seen = {sentence_key(s) for s in parts}
    repeats, stalls = False, 0
    text = finish(joined(parts), st.rnd)
    while len(text) < lo:
        drawn = sentences(more(st))
        fresh = [s for s in drawn if s and sentence_key(s) not in seen]
        if not fresh:
            stalls += 1
            if stalls < _STALLS:
                continue
            fresh, repeats = [s for s in drawn if s], True
            if not fresh:
                break
        stalls = 0
        seen.update(sentence_key(s) for s in fresh)
        parts += fresh
        text = finish(joined(parts), st.rnd, repeats)
    return text
