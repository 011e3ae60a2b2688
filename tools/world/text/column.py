"""A grammar field in the column maker (tools/columns/values.py): the row maker, row by row, given the
fields its grammar reads (the key, a review's product_id) from the block's columns made so far.

The column maker's generic fallback (columns.row_made) hands a field only the fields its schema says
it reads (pools_by), so a client's `source: grammar.review_body` without one would lose its rating;
this one hands it its keys and the fields its rules read (a notification's channel and subject, a
refund's currency) wherever the block has made them.
Draws come from env.rnd, which the column runner seeds per block, as row_made's do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tools.catalogue import Product, load_catalogue
from tools.maker_kit import Env, RowCtx
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType
from tools.world.text.library import load_grammar
from tools.world.text.maker import grammar_of, key_fields


def grammar_column(
    spec: FieldSpec, path: str, env: Env, products: Sequence[Product]
) -> Callable[[Any], list[Any]] | None:
    """The column of a grammar field, or None for one it leaves to row_made (unique: slots)."""
    name = grammar_of(spec)
    if name is None or spec.unique or not _text_made(spec):
        return None
    from tools.values_text import text_maker  # it imports this package: no import at load time

    make = text_maker(spec, path, env)  # the grammar, then length fitting, as in the row maker
    grammar = load_grammar(name)
    reads = tuple(dict.fromkeys((*key_fields(grammar, spec), *grammar.reads)))
    themes = load_catalogue()

    def column(b: Any) -> list[Any]:
        cols = [(k, b.cols[k]) for k in reads if k in b.cols]
        picked = b.products.tolist() if b.products is not None else None
        out = []
        for i, t in enumerate(b.themes.tolist()):
            ctx = RowCtx(themes[t])
            if picked is not None:
                ctx.product = products[picked[i]]  # the row's product, as its product.* columns have it
            out.append(make({k: v[i] for k, v in cols}, ctx))
        return out

    return column


def _text_made(spec: FieldSpec) -> bool:
    """Whether values.make_leaf hands this field to text_maker: a regex, enum values, an id template or
    a type of its own (a constraint's regex on a review title) wins over any source."""
    own_kind = spec.type in NUMERIC_TYPES or spec.type in TEMPORAL_TYPES or spec.type in _OWN_MAKERS
    return not (own_kind or spec.values or spec.regex or (spec.format and "{" in spec.format))


_OWN_MAKERS = (FieldType.ENUM, FieldType.BOOLEAN, FieldType.ADDRESS, FieldType.UUID, FieldType.PATTERN)
