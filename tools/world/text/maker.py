"""`source: grammar.<name>`: a text field drawn from a grammar (tools/world/data/text/<name>.yaml).

values_text.text_maker calls grammar_maker for the fields grammar_of names; its length fitting and
unique suffixes wrap the maker as they wrap any other. The column maker leaves these fields to this
row maker (column_values.py), which reads only the key field and the row's product there.
"""

from __future__ import annotations

from typing import Any

from tools.errors import InvalidRequest, close_names, quoted
from tools.maker_kit import Env, Maker, RowCtx, source_of
from tools.schema import FieldSpec
from tools.world.text.grammar import State
from tools.world.text.library import grammar_names, load_grammar

GRAMMAR_PREFIX = "grammar."
_RETRIES = 3  # fresh draws for a text longer than max_length before it is cut


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


def grammar_maker(name: str, spec: FieldSpec, path: str, env: Env) -> Maker:
    if name not in grammar_names():
        known = [GRAMMAR_PREFIX + n for n in grammar_names()]
        close = close_names(GRAMMAR_PREFIX + name, known)
        raise InvalidRequest(
            f"{path}.source", f"unknown text grammar {quoted(GRAMMAR_PREFIX + name)}",
            f"use one of {', '.join(close or known)}",
        )  # fmt: skip
    grammar = load_grammar(name)
    finish, branch = grammar.finish, grammar.branch
    rnd = env.rnd
    lo, hi = spec.min_length or 0, spec.max_length

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        node, key = branch(obj)
        st = State(rnd, obj, ctx, key)
        text = finish(node(st), rnd)
        if hi is not None:
            for _ in range(_RETRIES):
                if len(text) <= hi:
                    break
                text = finish(node(st), rnd)
        while len(text) < lo:  # more of the same voice, not filler words
            more = finish(node(st), rnd)
            if not more:
                break
            text = f"{text} {more}"
        return text

    return make
