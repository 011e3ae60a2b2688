"""Templates compiled once to closures: a text is a walk that draws only from the row's `rnd()`.

Template syntax (tools/world/data/text/README.md has the whole file format):
  {name}          another rule: one of its alternatives, plus its `name@<theme>` ones for the row's theme
  {^name}         the same with its first letter upper-cased (any slot takes ^)
  {product.kind}  the row's product (products.py lists the attributes)
  {key}           the value of the field that picked the branch
  {n:2-9}         a whole number in the range; {money:5-40} a price such as $23.99
  [a|b|c]         one of the alternatives (nestable, may hold slots); [?text] text or nothing
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tools.world.text.products import ProductText, find_product, product_filler


class GrammarError(ValueError):
    """A grammar file that cannot compile (a typo in a template, a rule that is never defined)."""


class State:
    """One text being made: the draws, the row (for its product, found only if a template asks), the
    row's theme and the value of the key that picked the branch."""

    __slots__ = ("ctx", "key", "obj", "product", "rnd", "theme")

    def __init__(self, rnd: Callable[[], float], obj: dict[str, Any], ctx: Any, key: str) -> None:
        self.rnd, self.obj, self.ctx, self.key = rnd, obj, ctx, key
        self.theme: str = ctx.theme.name
        self.product: ProductText | None = None

    def prod(self) -> ProductText:
        if self.product is None:
            self.product = find_product(self.obj, self.ctx, self.rnd)
        return self.product


Node = Callable[[State], str]
Part = str | Node  # a literal stays a string, so choices among literals and joins of literals fold


def _parse(text: str, i: int, inside: bool) -> tuple[list[list[Any]], int]:
    """Alternatives (each a list of literal strings, ("slot", name) and nested ("alt"/"opt", ...))."""
    alts: list[list[Any]] = [[]]
    buf: list[str] = []

    def flush() -> None:
        if buf:
            alts[-1].append("".join(buf))
            buf.clear()

    while i < len(text):
        c = text[i]
        if c == "{":
            end = text.find("}", i)
            if end < 0:
                raise GrammarError(f"unclosed {{ in {text!r}")
            flush()
            alts[-1].append(("slot", text[i + 1 : end].strip()))
            i = end + 1
        elif c == "[":
            optional = text.startswith("[?", i)
            inner, i = _parse(text, i + (2 if optional else 1), True)
            flush()
            alts[-1].append(("opt" if optional else "alt", inner))
        elif inside and c == "|":
            flush()
            alts.append([])
            i += 1
        elif inside and c == "]":
            flush()
            return alts, i + 1
        else:
            buf.append(c)
            i += 1
    if inside:
        raise GrammarError(f"unclosed [ in {text!r}")
    flush()
    return alts, i


class Compiler:
    """Rules (name -> weighted alternatives) compiled on first use, so references bind directly."""

    def __init__(self, name: str, rules: Mapping[str, Sequence[Any]]) -> None:
        self.name = name
        self.rules = rules
        self.done: dict[str, Part] = {}
        self.busy: set[str] = set()
        self.themed: dict[str, dict[str, str]] = {}  # rule -> theme -> its `rule@theme` variant
        for rule in rules:
            base, _, theme = rule.partition("@")
            if theme:
                self.themed.setdefault(base, {})[theme] = rule

    def template(self, text: str) -> Part:
        alts, _ = _parse(str(text), 0, False)
        return self._choice([self._seq(a) for a in alts], None)

    def rule(self, name: str) -> Part:
        if name in self.done:
            return self.done[name]
        if name in self.busy:
            raise GrammarError(f"{self.name}: rule {name!r} refers back to itself")
        if name not in self.rules and name not in self.themed:
            raise GrammarError(f"{self.name}: no rule named {name!r}")
        self.busy.add(name)
        parts, weights = self._alternatives(name) if name in self.rules else ([], None)
        plain = self._choice(parts, weights)
        themes = self.themed.get(name, {})
        if themes:
            # A theme's own alternatives join the plain ones for rows of that theme (fit for clothing).
            by_theme = {}
            for theme, rule in themes.items():
                more, more_weights = self._alternatives(rule)
                both = None
                if weights is not None or more_weights is not None:
                    both = (weights or [1.0] * len(parts)) + (more_weights or [1.0] * len(more))
                by_theme[theme] = _node(self._choice(parts + more, both))
            fallback = _node(plain)
            plain = lambda st: by_theme.get(st.theme, fallback)(st)  # noqa: E731
        self.busy.discard(name)
        self.done[name] = plain
        return plain

    def _alternatives(self, name: str) -> tuple[list[Part], list[float] | None]:
        return self.entries(self.rules[name], f"rule {name!r}")

    def entries(self, entries: Any, where: str) -> tuple[list[Part], list[float] | None]:
        """A list of templates, each a string or {text, weight}; weights None when all are equal."""
        if isinstance(entries, str):
            entries = [entries]
        parts: list[Part] = []
        weights: list[float] = []
        for entry in entries or []:
            if isinstance(entry, dict):
                parts.append(self.template(str(entry["text"])))
                weights.append(float(entry.get("weight", 1)))
            else:
                parts.append(self.template(str(entry)))
                weights.append(1.0)
        if not parts:
            raise GrammarError(f"{self.name}: {where} has no alternatives")
        return parts, (weights if len(set(weights)) > 1 else None)

    def choice(self, entries: Any, where: str) -> Node:
        return _node(self._choice(*self.entries(entries, where)))

    def _seq(self, items: list[Any]) -> Part:
        parts: list[Part] = []
        for item in items:
            part = item if isinstance(item, str) else self._item(item)
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part  # neighbouring literals fold into one
            else:
                parts.append(part)
        if not parts:
            return ""
        if len(parts) == 1:
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)  # type: ignore[arg-type]
        # str.format joins in C: literals go in the format string, the rest by position.
        fmt = "".join(p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else "{}" for p in parts)
        nodes = [p for p in parts if not isinstance(p, str)]
        if len(nodes) == 1:
            one = nodes[0]
            return lambda st: fmt.format(one(st))
        return lambda st: fmt.format(*[n(st) for n in nodes])

    def _item(self, item: tuple[str, Any]) -> Part:
        kind, body = item
        if kind == "alt":
            return self._choice([self._seq(a) for a in body], None)
        if kind == "opt":
            inner = _node(self._choice([self._seq(a) for a in body], None))
            return lambda st: inner(st) if st.rnd() < 0.5 else ""
        return self._slot(str(body))

    def _slot(self, name: str) -> Part:
        if name.startswith("^"):
            inner = _node(self._slot(name[1:]))
            return lambda st: _cap(inner(st))
        if name == "key":
            return lambda st: st.key
        if name.startswith("product."):
            filler = product_filler(name[len("product.") :])
            if filler is None:
                raise GrammarError(f"{self.name}: unknown product attribute in {{{name}}}")
            return filler
        kind, _, span = name.partition(":")
        if span:
            return _number(kind, span, self.name)
        return self.rule(name)

    @staticmethod
    def _choice(parts: Sequence[Part], weights: Sequence[float] | None) -> Part:
        n = len(parts)
        if n == 0:
            return ""  # a rule that only has theme variants says nothing for other themes
        if n == 1:
            return parts[0]
        if weights:
            cum = list(itertools.accumulate(weights))
            total, bis, nodes = cum[-1], bisect.bisect_right, [_node(p) for p in parts]
            return lambda st: nodes[min(n - 1, bis(cum, st.rnd() * total))](st)
        if all(isinstance(p, str) for p in parts):
            values = tuple(parts)
            return lambda st: values[int(st.rnd() * n)]  # type: ignore[return-value]
        nodes = [_node(p) for p in parts]
        return lambda st: nodes[int(st.rnd() * n)](st)


def _node(part: Part) -> Node:
    if isinstance(part, str):
        return lambda st: part
    return part


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(kind: str, span: str, grammar: str) -> Node:
    try:
        lo, hi = (int(v) for v in span.split("-", 1))
    except ValueError:
        raise GrammarError(f"{grammar}: {{{kind}:{span}}} needs a range such as 2-9") from None
    width = hi - lo + 1
    if kind == "n":
        return lambda st: str(lo + int(st.rnd() * width))
    if kind == "money":
        return lambda st: (
            f"${lo + int(st.rnd() * width)}.99" if st.rnd() < 0.7 else f"${lo + int(st.rnd() * width)}"
        )
    raise GrammarError(f"{grammar}: unknown slot kind {kind!r} (use n or money)")
