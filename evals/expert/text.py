"""Text diversity of a case's text fields, the standard distinct-2 (Li et al., 2016).

distinct-2 of a field = distinct word bigrams / all word bigrams, over the field's non-empty values in
every row, repeats included (a text drawn 10 times adds its bigrams 10 times). Words are lower-cased
runs of letters and digits; each text starts with a start marker, so a one-word value still counts
(as the bigram <s>-word). The case's text diversity is distinct-2 over every text field's bigrams
together (each field's kept apart), so each bigram counts once whatever field it is in: a mean of the
fields' figures would weigh a five-word subject line like a thirty-word description, and a plan could
win on subjects alone while its descriptions repeat more than the grammar's.
Distinct-2 with repeats falls as texts grow longer (more of each text is common words), so a plan of
longer texts needs more variety to score the same; the table shows each field's figures.

It is the product of two things the table also shows: how many different texts the rows carry
(`distinct`, distinct texts / texts) and how formulaic the different texts are (distinct-2 over the
distinct texts only, `d2_unique`). A grammar that recombines a few hundred phrases scores low on the
second; a plan that repeats a handful of hand-written texts scores low on the first.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from evals.requests import values_at

WORD = re.compile(r"\w+(?:'\w+)?")


@dataclass(frozen=True)
class FieldText:
    path: str
    texts: int
    distinct: float  # distinct texts / texts
    d2: float  # distinct-2 over every row's text
    d2_unique: float  # distinct-2 over the distinct texts


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = ["<s>", *WORD.findall(text.casefold())]
    return list(itertools.pairwise(words))


def distinct_2(texts: list[str]) -> float:
    grams = [g for t in texts for g in _bigrams(t)]
    return len(set(grams)) / len(grams) if grams else 0.0


def field_text(rows: list[dict[str, Any]], path: str) -> FieldText:
    texts = [str(v) for r in rows for v in values_at(r, path) if isinstance(v, str) and v.strip()]
    unique = list(dict.fromkeys(texts))
    return FieldText(
        path=path,
        texts=len(texts),
        distinct=len(unique) / len(texts) if texts else 0.0,
        d2=distinct_2(texts),
        d2_unique=distinct_2(unique),
    )


def text_diversity(rows: list[dict[str, Any]], paths: list[str]) -> tuple[float | None, list[FieldText]]:
    """distinct-2 over every text field's bigrams together (None when the case names none), and
    each field's own figures."""
    fields = [field_text(rows, p) for p in paths]
    grams = [
        (p, *g) for p in paths for r in rows for v in values_at(r, p) if isinstance(v, str) and v.strip()
        for g in _bigrams(str(v))
    ]  # fmt: skip
    return (len(set(grams)) / len(grams) if grams else None) if fields else None, fields
