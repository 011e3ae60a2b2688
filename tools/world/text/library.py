"""The grammar files (tools/world/data/text/<name>.yaml), each compiled once per process.

A file names the fields that pick its branch (`key: rating`, or a list tried in order such as
`[subject, category]`), a branch per value (`by`), a `start` for rows whose key has no branch, and its
rules. Files whose names start with `_` are shared parts (`include: [_shopper]`), not grammars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tools.catalogue import load_catalogue
from tools.maker_kit import pool_key
from tools.world.text.grammar import Compiler, GrammarError, Node
from tools.world.text.style import Style, finisher

DATA_DIR = Path(__file__).parent.parent / "data" / "text"
_KEYS = {"about", "key", "by", "start", "include", "style", "lexicon", "rules"}


@dataclass(frozen=True)
class Grammar:
    name: str
    keys: tuple[str, ...]
    branches: dict[str, Node]
    start: Node
    finish: Callable[[str, Callable[[], float]], str]
    # Phrases only one tone may use ({positive: [...], negative: [...]}): what tests check texts against.
    lexicon: dict[str, tuple[str, ...]]

    def branch(self, obj: dict[str, Any]) -> tuple[Node, str]:
        """The branch for this row (the first key whose value has one) and that value."""
        for key in self.keys:
            value = obj.get(key)
            if value is not None:
                node = self.branches.get(pool_key(value))
                if node is not None:
                    return node, str(value)
        return self.start, ""


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
    rules = dict(doc.get("rules") or {})
    for part in doc.get("include") or []:
        for rule, entries in (_read(str(part)).get("rules") or {}).items():
            rules.setdefault(rule, entries)  # the file's own rule wins over a shared one
    themes = {t.name for t in load_catalogue()}
    unknown = sorted({r.partition("@")[2] for r in rules if "@" in r} - themes)
    if unknown:  # a misspelt theme would never be drawn: say so now
        raise GrammarError(
            f"{name}: rules for unknown catalogue themes {unknown} (there are {sorted(themes)})"
        )
    compiler = Compiler(name, rules)
    key = doc.get("key") or []
    branches = {pool_key(k): compiler.choice(v, f"by[{k}]") for k, v in (doc.get("by") or {}).items()}
    if "start" not in doc:
        raise GrammarError(f"{name}: needs a start template (rows whose key has no branch)")
    start = compiler.choice(doc["start"], "start")
    for rule in rules:
        compiler.rule(rule.partition("@")[0])  # a typo in a rule nobody reaches yet fails now, not later
    lexicon = {tone: tuple(str(p) for p in phrases) for tone, phrases in (doc.get("lexicon") or {}).items()}
    return Grammar(
        name,
        (key,) if isinstance(key, str) else tuple(key),
        branches,
        start,
        finisher(Style.of(doc.get("style"))),
        lexicon,
    )
