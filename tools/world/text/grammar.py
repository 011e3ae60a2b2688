"""Templates compiled once to closures: a text is a walk that draws only from the row's `rnd()`.

Template syntax (tools/world/data/text/README.md has the whole file format):
  {name}          another rule: one of its alternatives, plus its `name@<tag>` ones where the row's
                  product has that tag (its catalogue theme, or one of _product_tags.yaml)
  {^name}         the same with its first letter upper-cased (any slot takes ^)
  {product.kind}  the row's product (products.py lists the attributes)
  {key}           the value of the field that picked the branch
  {n:2-9}         a whole number in the range; {money:5-40} an amount in the row's currency;
                  {pct:10-40} the percentage the row's subject names, else one drawn (amounts.py)
  [a|b|c]         one of the alternatives (nestable, may hold slots); [?text] text or nothing
A rule may instead follow a field of the row: `{by: channel, sms: [...], "*": [...]}`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tools.maker_kit import pool_key
from tools.world.text.amounts import named_percent, number_slot
from tools.world.text.parse import GrammarError, parse
from tools.world.text.products import ProductText, find_product, product_filler

__all__ = ["Compiler", "GrammarError", "Node", "State"]


class State:
    """One text being made: the draws, the row (for its product, found only if a template asks), the
    value of the key that picked the branch, the locale's currency and the text's one percentage."""

    __slots__ = ("ctx", "home", "key", "obj", "pct", "product", "rnd")

    def __init__(
        self, rnd: Callable[[], float], obj: dict[str, Any], ctx: Any, key: str, home: str = "USD"
    ) -> None:
        self.rnd, self.obj, self.ctx, self.key, self.home = rnd, obj, ctx, key, home
        self.product: ProductText | None = None
        self.pct: int | None = None

    def prod(self) -> ProductText:
        if self.product is None:
            self.product = find_product(self.obj, self.ctx, self.rnd)
        return self.product

    def currency(self) -> str:
        """The row's own currency where it has one (a refund in JPY), else the locale's."""
        code = self.obj.get("currency")
        return code if isinstance(code, str) and len(code) == 3 else self.home

    def named_percent(self) -> int | None:
        return named_percent(self.obj.get("subject"))

    def percent(self, lo: int, width: int) -> int:
        """One percentage per text: the subject's, else a draw (a round 5 or 10, as shops offer)."""
        if self.pct is None:
            drawn = lo + int(self.rnd() * width)
            self.pct = self.named_percent() or (5 * round(drawn / 5) if drawn >= 10 else drawn)
        return self.pct


# Why a plain compiler refuses a slot: what goes on after a plan's words, or a plan's own template,
# may be about another product than the row's.
_PLAIN = "which a plain text (a goes_on, a plan's template) must not reach"
Node = Callable[[State], str]
Part = str | Node  # a literal stays a string, so choices among literals and joins of literals fold


class Compiler:
    """Rules (name -> weighted alternatives) compiled on first use, so references bind directly."""

    def __init__(
        self, name: str, rules: Mapping[str, Any], *, plain: bool = False, tags_stay: bool = False
    ) -> None:
        self.name = name
        self.rules = rules
        # tags_stay: a bracket with one plain choice is text, as "[Reminder] Your cart" is in a
        # subject line a plan writes (grammar files never bracket a single choice).
        self.tags_stay = tags_stay
        # plain: no product in the text (no {product.*} slot, no rule@tag): what goes on after a
        # plan's own words, which may be about a product the row does not hold.
        self.plain = plain
        self.done: dict[str, Part] = {}
        self.busy: set[str] = set()
        self.reads: set[str] = set()  # row fields that switch rules follow (column makers pass them)
        self.tagged: dict[str, dict[str, str]] = {}  # rule -> tag -> its `rule@tag` variant
        for rule in rules:
            base, _, tag = rule.partition("@")
            if tag:
                self.tagged.setdefault(base, {})[tag] = rule

    def template(self, text: str) -> Part:
        alts, _ = parse(str(text))
        return self._choice([self._seq(a) for a in alts], None)

    def rule(self, name: str) -> Part:
        if name in self.done:
            return self.done[name]
        if name in self.busy:
            raise GrammarError(f"{self.name}: rule {name!r} refers back to itself")
        if name not in self.rules and name not in self.tagged:
            raise GrammarError(f"{self.name}: no rule named {name!r}")
        if self.plain and name in self.tagged:
            raise GrammarError(f"{self.name}: {{{name}}} has variants by product, {_PLAIN}")
        self.busy.add(name)
        try:  # a rule that fails (a plain compiler's product slot) must not read as a loop later
            raw = self.rules.get(name)
            if isinstance(raw, Mapping) and "by" in raw:
                made: Part = self._switch(name, raw)
            else:
                parts, weights = self._alternatives(name) if name in self.rules else ([], None)
                made = self._choice(parts, weights)
                variants = self.tagged.get(name)
                if variants:
                    made = self._by_tags(
                        parts, weights, {t: self._alternatives(r) for t, r in variants.items()}
                    )
        finally:
            self.busy.discard(name)
        self.done[name] = made
        return made

    def _switch(self, name: str, raw: Mapping[str, Any]) -> Node:
        """A rule that follows a field of the row: its alternatives for the field's value, else "*"."""
        field = str(raw["by"])
        self.reads.add(field)
        table = {
            pool_key(k): self.choice(v, f"rule {name!r}[{k}]") for k, v in raw.items() if k not in ("by", "*")
        }
        other = self.choice(raw.get("*", ""), f"rule {name!r}[*]")
        return lambda st: table.get(pool_key(st.obj.get(field)), other)(st)

    def _by_tags(
        self, parts: list[Part], weights: list[float] | None, variants: dict[str, tuple[list[Part], Any]]
    ) -> Node:
        """The plain alternatives plus those of every tag the row's product has (fit for cat food),
        composed once per distinct tag set."""
        built: dict[tuple[str, ...], Node] = {}

        def build(tags: tuple[str, ...]) -> Node:
            all_parts, all_weights, weighted = list(parts), list(weights or [1.0] * len(parts)), bool(weights)
            for tag in tags:
                more = variants.get(tag)
                if more is not None:
                    all_parts += more[0]
                    all_weights += more[1] or [1.0] * len(more[0])
                    weighted = weighted or more[1] is not None
            node = built[tags] = _node(self._choice(all_parts, all_weights if weighted else None))
            return node

        def pick(st: State) -> str:
            tags = st.prod().tags
            return (built.get(tags) or build(tags))(st)

        return pick

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
            if self.tags_stay and len(body) == 1 and all(isinstance(x, str) for x in body[0]):
                return "[" + "".join(body[0]) + "]"
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
        if name.startswith("product.") and self.plain:
            raise GrammarError(f"{self.name}: {{{name}}} names the row's product, {_PLAIN}")
        if name.startswith("product."):
            filler = product_filler(name[len("product.") :])
            if filler is None:
                raise GrammarError(f"{self.name}: unknown product attribute in {{{name}}}")
            return filler
        kind, _, span = name.partition(":")
        if span:
            return number_slot(kind, span, self.name)
        return self.rule(name)

    @staticmethod
    def _choice(parts: Sequence[Part], weights: Sequence[float] | None) -> Part:
        n = len(parts)
        if n == 0:
            return ""  # a rule that only has tagged variants says nothing for other products
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
