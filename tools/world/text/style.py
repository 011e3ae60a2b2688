"""The last pass over a drawn text: tidy spacing, articles, capital letters, no sentence said twice,
and the slips real people make.

Real reviews and tickets are not proofread: some are all lower case, some drop the last full stop,
some misspell a common word or an apostrophe. A grammar's `style` gives the share of each, drawn
from the row's `rnd()` like everything else. Company voices (notifications) set none. A text padded
to a length is joined first and finished once, so its slips and capitals read as one text.
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
# Whole words only: not the "you" in "you're" or "thank-you" ("u're" is no typo anyone makes).
_TYPO_AT = re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(w) for w in TYPOS) + r")(?![\w'-])")
_SENTENCE_START = re.compile(r"([.!?] )([a-z])")  # starts with a literal class: the scan skips ahead
_SPACE_BEFORE = re.compile(r" +([,.!?;])")
_SENTENCE_END = re.compile(r"(?<=[.!?]) +")
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # "Approved by Hannah K.." but not an ellipsis
_THE_THE = re.compile(r"\b[Tt]he (?=The )")  # "rating the The Meeting-Free Week"
# "a" before a vowel sound: "an anniversary", "an Aurelle", "an SSD", "an 8 oz", but "a used", "a unit",
# "a one-off", "a European", "a USB cable".
_VOWEL_SOUND = (
    r"(?=[aiAI]|[eE](?!u)|[oO](?!n[ce])|[uU](?:n(?!i)|[gmp]|lt|rg|tt)[a-z]"
    r"|[AEIOFHLMNRSX][A-Z0-9]+(?![a-z])|8|1[18](?!\d))"
)
_AN = re.compile(" a " + _VOWEL_SOUND)  # a literal start: the scan jumps from " a " to " a "
_AN_FIRST = re.compile(r"(?<![\w'])A " + _VOWEL_SOUND)  # "A anniversary gift" opening a sentence


@dataclass(frozen=True)
class Style:
    lower: float = 0.0  # share of texts written all in lower case
    typo: float = 0.0  # share with one misspelled word
    no_period: float = 0.0  # share that drop the final full stop

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> Style:
        raw = raw or {}
        return cls(float(raw.get("lower", 0)), float(raw.get("typo", 0)), float(raw.get("no_period", 0)))


Finish = Callable[..., str]  # (text, rnd, repeats=False) -> the finished text


def finisher(style: Style) -> Finish:
    """text, rnd -> the finished text. A style of all zeros draws nothing. A sentence said twice is
    dropped unless `repeats` (a text padded past everything its grammar can say)."""
    lower, typo, no_period = style.lower, style.typo, style.no_period
    slips = bool(lower or typo or no_period)
    upper = _SENTENCE_START.sub
    tidy = _SPACE_BEFORE.sub
    an = _AN.sub

    def finish(text: str, rnd: Callable[[], float], repeats: bool = False) -> str:
        text = " ".join(text.split())
        if " " in text and (" ," in text or " ." in text or " !" in text or " ?" in text or " ;" in text):
            text = tidy(r"\1", text)
        if ".." in text:
            text = _DOUBLE_STOP.sub(".", text)
        if "he The " in text:
            text = _THE_THE.sub("", text)
        text = an(" an ", text)
        if "A " in text:
            text = _AN_FIRST.sub("An ", text)
        if text[:1].islower():
            text = text[0].upper() + text[1:]
        text = upper(_upper_first, text)
        if not repeats:
            text = unrepeated(text)
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


def sentences(text: str) -> list[str]:
    return _SENTENCE_END.split(" ".join(text.split()))


def sentence_key(sentence: str) -> str:
    """What makes two sentences the same: "Avoid." and "avoid!" are."""
    return sentence.lower().rstrip(".!? ")


def unrepeated(text: str) -> str:
    """The text without a sentence it already said ("Nothing like the description." twice)."""
    if ". " not in text and "! " not in text and "? " not in text:
        return text
    # str.replace and split run in C; the text is one line (finish joined its whitespace).
    parts = text.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n").split("\n")
    keys = [p.rstrip(".!?") for p in parts]  # sentences are capitalised alike by now
    if len(set(keys)) == len(keys):
        return text
    seen: set[str] = set()
    kept = []
    for p, k in zip(parts, keys, strict=True):
        if k not in seen:
            seen.add(k)
            kept.append(p)
    return " ".join(kept)


def joined(parts: list[str]) -> str:
    """Chunks as one text, each ending a sentence ("Cheers" + "Could you ..." -> "Cheers. Could you ...")."""
    out = [p if p[-1:] in ".!?)" else f"{p}." for p in (" ".join(p.split()) for p in parts) if p]
    return " ".join(out)


def _upper_first(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2).upper()


def _misspell(text: str, rnd: Callable[[], float]) -> str:
    hits = list(_TYPO_AT.finditer(text))
    if not hits:
        return text
    m = hits[int(rnd() * len(hits))]
    return f"{text[: m.start()]}{TYPOS[m.group(0)]}{text[m.end() :]}"
