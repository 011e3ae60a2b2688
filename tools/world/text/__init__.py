"""Text grammars: review, ticket, reason and notification texts, and free text in clients' schemas.

A grammar (tools/world/data/text/<name>.yaml, format in its README.md) is templates with slots,
alternatives and optional parts; slots read the field that picks the branch (a review's rating), the
row's catalogue product (its kind and tags pick the sentences that fit it) and the row's currency.
Texts are English only for now, whatever the request's locale (amounts are in its currency).
Every draw comes from the maker's `rnd()`, so the same seed gives the same texts.
"""

from tools.world.text.grammar import GrammarError
from tools.world.text.library import Grammar, grammar_names, load_grammar
from tools.world.text.maker import GRAMMAR_PREFIX, grammar_maker, grammar_of

__all__ = [
    "GRAMMAR_PREFIX",
    "Grammar",
    "GrammarError",
    "grammar_maker",
    "grammar_names",
    "grammar_of",
    "load_grammar",
]
