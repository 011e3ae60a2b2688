"""The last pass over a drawn text: tidy spacing, capital letters, and the slips real people make.

Real reviews and tickets are not proofread: some are all lower case, some drop the last full stop,
some misspell a common word or an apostrophe. A grammar's `style` gives the share of each, drawn
from the row's `rnd()` like everything else. Company voices (notifications) set none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Misspellings seen in real reviews; each one a word that appears in the grammars.
TYPOS = {
    "definitely": "definately", "recommend": "recomend", "received": "recieved", "really": "realy",
    "disappointed": "dissapointed", "separately": "seperately", "quality": "qualty", "because": "becuase",
    "until": "untill", "arrived": "arived", "immediately": "immediatly", "comfortable": "confortable",
    "package": "pakage", "already": "allready", "which": "wich", "though": "tho", "probably": "probly",
    "expected": "expcted", "don't": "dont", "it's": "its", "I'm": "Im", "can't": "cant",
    "didn't": "didnt", "doesn't": "doesnt", "wasn't": "wasnt", "won't": "wont", "I've": "Ive",
    "couldn't": "couldnt", "isn't": "isnt", "instructions": "instuctions",
    "customer": "custmer", "replacement": "replacment", "minutes": "mins", "you": "u",
}  # fmt: skip
_TYPO_AT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in TYPOS) + r")\b")
_SENTENCE_START = re.compile(r"([.!?] )([a-z])")  # starts with a literal class: the scan skips ahead
_SPACE_BEFORE = re.compile(r" +([,.!?;])")


@dataclass(frozen=True)
class Style:
    lower: float = 0.0  # share of texts written all in lower case
    typo: float = 0.0  # share with one misspelled word
    no_period: float = 0.0  # share that drop the final full stop

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> Style:
        raw = raw or {}
        return cls(float(raw.get("lower", 0)), float(raw.get("typo", 0)), float(raw.get("no_period", 0)))


def finisher(style: Style) -> Callable[[str, Callable[[], float]], str]:
    """text, rnd -> the finished text. A style of all zeros draws nothing."""
    lower, typo, no_period = style.lower, style.typo, style.no_period
    slips = bool(lower or typo or no_period)
    upper = _SENTENCE_START.sub
    tidy = _SPACE_BEFORE.sub

    def finish(text: str, rnd: Callable[[], float]) -> str:
        text = " ".join(text.split())
        if " " in text and (" ," in text or " ." in text or " !" in text or " ?" in text or " ;" in text):
            text = tidy(r"\1", text)
        if text[:1].islower():
            text = text[0].upper() + text[1:]
        text = upper(_upper_first, text)
        if not slips:
            return text
        if rnd() < lower:
            text = text.lower()
        if rnd() < typo:
            text = _misspell(text, rnd)
        if rnd() < no_period and text.endswith("."):
            text = text[:-1]
        return text

    return finish


def _upper_first(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2).upper()


def _misspell(text: str, rnd: Callable[[], float]) -> str:
    hits = list(_TYPO_AT.finditer(text))
    if not hits:
        return text
    m = hits[int(rnd() * len(hits))]
    return f"{text[: m.start()]}{TYPOS[m.group(0)]}{text[m.end() :]}"
