"""The grammar files (tools/world/data/text/<name>.yaml), each compiled once per process.

A file names the fields that pick its branch (`key: rating`, or a list tried in order such as
`[subject, category]`), a branch per value (`by`), a `start` for rows whose key has no branch, and its
rules. Files whose names start with `_` are shared parts (`include: [_shopper]`), not grammars.
A number with no branch of its own takes the nearest one: a 4.62 rating the 5-star branch, an 8 out
of 10 the 4-star one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tools.catalogue import load_catalogue
from tools.maker_kit import pool_key
from tools.world.text.grammar import Compiler, GrammarError, Node
from tools.world.text.products import tag_names
from tools.world.text.style import Finish, Style, finisher

DATA_DIR = Path(__file__).parent.parent / "data" / "text"
_KEYS = {"about", "key", "by", "start", "more", "goes_on", "include", "style", "lexicon", "rules"}
# Row fields any grammar may read besides its keys: the product, the currency amounts are written in,
# the subject a percentage is taken from.
_ALWAYS_READ = ("product_id", "currency", "subject")


@dataclass(frozen=True)
class Grammar:
    name: str
    keys: tuple[str, ...]
    branches: dict[str, Node]
    start: Node
    finish: Finish
    # Phrases only one tone may use ({positive: [...], negative: [...]}): what tests check texts against.
    lexicon: dict[str, tuple[str, ...]]
    more: Node | None = None  # what a text padded to min_length goes on with; None: its branch again
    reads: tuple[str, ...] = ()  # row fields its rules read besides the keys (column makers pass them)
    scale: tuple[int, ...] = ()  # the branches' keys when all are whole numbers (ratings 1..5)
    # What follows a plan's own text for the field (tools/records.py), naming no product, by the
    # branch the row takes ("*" for any other); empty: the plan's text is used as written (a headline).
    goes_on: dict[str, Node] = field(default_factory=dict)

    def after(self, obj: dict[str, Any], keys: tuple[str, ...] | None = None) -> Node | None:
        """What goes on after a plan's own text in this row: the row's branch's, else "*"'s."""
        if not self.goes_on:
            return None
        node, _ = self.branch(obj, keys)
        label = next((k for k, n in self.branches.items() if n is node), None)
        return self.goes_on.get(label or "*", self.goes_on.get("*"))

    def branch(self, obj: dict[str, Any], keys: tuple[str, ...] | None = None) -> tuple[Node, str]:
        """The branch for this row (the first key whose value has one, or the nearest number's) and
        that value."""
        for key in keys or self.keys:
            value = obj.get(key)
            if value is not None:
                node = self.branches.get(pool_key(value))
                if node is None and self.scale:
                    node = self.branches.get(self._nearest(value))
                if node is not None:
                    return node, str(value)
        return self.start, ""

    def _nearest(self, value: Any) -> str:
        """A number's branch: rounded inside the branches' range (4.62 -> 5); above it, read as out
        of 10 or 100 and scaled (8/10 -> 4); below it, the lowest."""
        if isinstance(value, bool):
            return ""
        try:
            v = float(value)
        except (TypeError, ValueError):
            return ""
        if math.isnan(v):
            return ""
        lo, hi = self.scale[0], self.scale[-1]
        if v > hi:
            v = v / 10 * hi if v <= 10 else v / 100 * hi if v <= 100 else hi
        n = min(hi, max(lo, math.floor(v + 0.5)))
        return str(min(self.scale, key=lambda k: abs(k - n)))


@cache
def grammar_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in DATA_DIR.glob("*.yaml") if not p.stem.startswith("_")))


def _read(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise GrammarError(f"{name}: a grammar file is a mapping")
    unknown = set(doc) - _KEYS
    if unknown:
        raise GrammarError(f"{name}: unknown keys {sorted(unknown)} (use {sorted(_KEYS)})")
    return doc


@cache
def load_grammar(name: str) -> Grammar:
    """The compiled grammar; `name` must be one of grammar_names() (never a path from a request)."""
    if name not in grammar_names():
        raise GrammarError(f"no grammar named {name!r}")
    doc = _read(name)
    rules = _rules(doc)
    tags = {t.name for t in load_catalogue()} | tag_names()
    unknown = sorted({r.partition("@")[2] for r in rules if "@" in r} - tags)
    if unknown:  # a misspelt theme or tag would never be drawn: say so now
        raise GrammarError(
            f"{name}: rules for unknown themes or product tags {unknown} (there are {sorted(tags)})"
        )
    compiler = Compiler(name, rules)
    key = doc.get("key") or []
    branches = {pool_key(k): compiler.choice(v, f"by[{k}]") for k, v in (doc.get("by") or {}).items()}
    if "start" not in doc:
        raise GrammarError(f"{name}: needs a start template (rows whose key has no branch)")
    start = compiler.choice(doc["start"], "start")
    more = compiler.choice(doc["more"], "more") if "more" in doc else None
    for rule in rules:
        compiler.rule(rule.partition("@")[0])  # a typo in a rule nobody reaches yet fails now, not later
    lexicon = {tone: tuple(str(p) for p in phrases) for tone, phrases in (doc.get("lexicon") or {}).items()}
    numbers = [k for k in branches if k.lstrip("-").isdigit()]
    return Grammar(
        name,
        (key,) if isinstance(key, str) else tuple(key),
        branches,
        start,
        finisher(Style.of(doc.get("style"))),
        lexicon,
        more,
        tuple(sorted(compiler.reads)) + _ALWAYS_READ,
        tuple(sorted(int(k) for k in numbers)) if numbers and len(numbers) == len(branches) else (),
        _goes_on(name, rules, doc.get("goes_on")),
    )


def _rules(doc: dict[str, Any]) -> dict[str, Any]:
    rules = dict(doc.get("rules") or {})
    for part in doc.get("include") or []:
        for rule, entries in (_read(str(part)).get("rules") or {}).items():
            rules.setdefault(rule, entries)  # the file's own rule wins over a shared one
    return rules


@cache
def plan_compiler(name: str) -> Compiler:
    """Compiles a plan's own templates for a field of this grammar (tools/records.py): plain, so a
    template names no product (the plan's words may be about another one than the row's)."""
    return _plain(name)[0]


def plan_rules(name: str) -> tuple[str, ...]:
    """The rules a plan's template may name for this grammar: those that reach no product."""
    return _plain(name)[1]


@cache
def _plain(name: str) -> tuple[Compiler, tuple[str, ...]]:
    """Every rule compiled now: compiling a plan's template later only reads the compiler's caches,
    which every request shares."""
    load_grammar(name)  # the name is checked and the file's rules are known to compile
    compiler, usable = Compiler(name, _rules(_read(name)), plain=True, tags_stay=True), []
    for rule in sorted(compiler.rules):
        if "@" in rule:
            continue
        try:
            compiler.rule(rule)
        except GrammarError:
            continue
        usable.append(rule)
    return compiler, tuple(usable)


def _goes_on(name: str, rules: dict[str, Any], raw: Any) -> dict[str, Node]:
    """A template for every row, or one per branch ({"5": ..., "1": ..., "*": ...})."""
    if raw is None:
        return {}
    plain = Compiler(name, rules, plain=True)
    if not isinstance(raw, dict):
        return {"*": plain.choice(raw, "goes_on")}
    return {pool_key(k): plain.choice(v, f"goes_on[{k}]") for k, v in raw.items()}
