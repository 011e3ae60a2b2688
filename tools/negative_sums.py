"""Negative rows for derive rules (`subtotal`, `tax`, `total`): the ways a checkout gets a sum wrong,
and the sentence a correct system should reject each with.

A derived value goes wrong in one of three ways, chosen by the row's own value: an input changed after
it was computed (a line's quantity or price, the shipping charge) with the value left stale, or the
value itself wrong (a term left out, a cent off). The other derived values follow the change or the
wrong value, so only the one rule breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.derive import Derivation, derivations
from tools.expressions import EACH, compile_expression
from tools.ranged import precision_of
from tools.rulespec import ScopeRules, scope_rules
from tools.schema import NUMERIC_TYPES, FieldSpec, FieldType
from tools.violations import Violation

if TYPE_CHECKING:
    from tools.negative import Apply, Explain

Change = Callable[[dict[str, Any]], bool]  # changes the row; False when it cannot here


@dataclass(frozen=True)
class _Input:
    """A number a derive rule reads that may change on its own: a line's quantity or price, shipping."""

    array: str | None  # the array whose items hold it, or None for a field of the row
    name: str
    spec: FieldSpec


def derive_breaks(root: FieldSpec, rules: ScopeRules) -> list[tuple[str, Apply, Explain]]:
    """One break per derived field, as (field, apply, explain). Its ways to go wrong (a stale value
    after an input changed, a term left out, a cent off) take turns by the row's own value, so the same
    row always gets the same."""
    derives = derivations(root, "")
    out: list[tuple[str, Apply, Explain]] = []
    fixed = {d.target for d in derives} | rules.chain_members | set(rules.present_if)
    fixed |= {when for when, _ in rules.present_if.values()}
    fixed |= {f.name for f in root.fields if f.source == "tax_rate"}  # breaks the jurisdiction rule
    for k, d in enumerate(derives):
        spec = root.child(d.target)
        if spec is None or spec.type not in NUMERIC_TYPES:
            continue
        others = [x for x in derives if x is not d]
        later = derives[k + 1 :]
        inputs = _free_inputs(root, d, fixed)
        changes: list[Change] = [_stale(d, i, others) for i in inputs]
        names = _in_order(d)
        changes += [_left_out(d, spec, n, later) for n in reversed(names[1:])]
        changes.append(_off_by_one(d, spec, later))
        out.append((d.target, _first_that_applies(d, changes), _derive_explain(d, root)))
    return out


def _free_inputs(root: FieldSpec, d: Derivation, fixed: set[str]) -> list[_Input]:
    """The plain numbers the rule reads (no derived value, no order or condition field, no tax rate),
    with bounds to stay within, in the order the rule names them."""
    out: list[_Input] = []
    for array, name in EACH.findall(d.source):
        holder = root.child(array)
        items = holder.items if holder is not None else None
        spec = items.child(name) if items is not None else None
        if items is None or spec is None or spec.type not in NUMERIC_TYPES:
            continue
        item_rules = scope_rules(items, f"{array}[]")
        if name in {r.target for r in item_rules.derives} | item_rules.chain_members:
            continue
        if all(i.name != name or i.array != array for i in out):
            out.append(_Input(array, name, spec))
    for name in _in_order(d):
        spec = root.child(name)
        if spec is not None and spec.type in NUMERIC_TYPES and name not in fixed:
            out.append(_Input(None, name, spec))
    return out


def _in_order(d: Derivation) -> list[str]:
    """The fields the rule reads, in the order it names them (`subtotal`, `tax`, `shipping`)."""

    def first_at(name: str) -> int:
        m = re.search(rf"(?<![\w.\]]){re.escape(name)}(?!\w)", d.source)
        return m.start() if m else len(d.source)

    return sorted(compile_expression(d.source, d.origin).names, key=lambda n: (first_at(n), n))


def _first_that_applies(d: Derivation, changes: list[Change]) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        value = row.get(d.target)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{d.target} holds no number")
        start = round(abs(value) * 10**d.digits)  # the row's own turn: the same row, the same change
        for j in range(len(changes)):
            if changes[(start + j) % len(changes)](row):
                return
        raise ValueError(f"no change breaks {d.target} alone here")

    return apply


def _stale(d: Derivation, inp: _Input, others: list[Derivation]) -> Change:
    """An input changed after the value was computed (a quantity bumped, a price updated, shipping
    upgraded) and the value not recomputed; every other derived value follows the change."""

    def change(row: dict[str, Any]) -> bool:
        if inp.array is None:
            holders = [row]
        else:
            items = row.get(inp.array)
            holders = [items[-1]] if isinstance(items, list) and items and isinstance(items[-1], dict) else []
        if not holders:
            return False
        new = _changed_number(holders[0].get(inp.name), inp.spec)
        if new is None:
            return False
        holders[0][inp.name] = new
        for other in others:
            row[other.target] = other.value(row)
        return True

    return change


def _changed_number(value: Any, spec: FieldSpec) -> Any:
    """A nearby value within the field's bounds, as an edit would leave it: the next pool value (a
    shipping tier), one more (or fewer) of a count, a price up (or down) a tenth; None if none fits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    lo = spec.min if isinstance(spec.min, int | float) else None
    hi = spec.max if isinstance(spec.max, int | float) else None

    def fits(v: float) -> bool:
        return v != value and (lo is None or v >= lo) and (hi is None or v <= hi)

    if spec.pool:
        pool = [p for p in spec.pool if isinstance(p, int | float) and not isinstance(p, bool)]
        after = [p for p in pool if p > value and fits(p)] or [p for p in pool if fits(p)]
        if after:
            return after[0]
    if spec.type is FieldType.INTEGER:
        options: list[float] = [value + 1, value - 1]
    else:
        digits = precision_of(spec)
        step = 10**-digits
        options = [
            round(max(value * 1.1, value + step), digits),
            round(min(value * 0.9, value - step), digits),
        ]
    return next((v for v in options if fits(v)), None)


def _left_out(d: Derivation, spec: FieldSpec, name: str, later: list[Derivation]) -> Change:
    """The value computed with one term left out (a total without the tax or the shipping, a tax that
    was never charged); the rules after it re-derived from the wrong value."""

    def change(row: dict[str, Any]) -> bool:
        value = row.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
            return False
        return _set_wrong(d, spec, row, d.value({**row, name: 0}), later)

    return change


def _off_by_one(d: Derivation, spec: FieldSpec, later: list[Derivation]) -> Change:
    """The value a cent (or one) off, as a rounding slip leaves it; the rules after it re-derived."""

    def change(row: dict[str, Any]) -> bool:
        value = row[d.target]
        step = 1 if d.integer else 10**-d.digits
        return _set_wrong(d, spec, row, round(value + step, d.digits), later) or _set_wrong(
            d, spec, row, round(value - step, d.digits), later
        )

    return change


def _set_wrong(
    d: Derivation, spec: FieldSpec, row: dict[str, Any], wrong: Any, later: list[Derivation]
) -> bool:
    value = row[d.target]
    if wrong is None or abs(wrong - value) < 10**-d.digits / 2:
        return False
    if (isinstance(spec.min, int | float) and wrong < spec.min) or (
        isinstance(spec.max, int | float) and wrong > spec.max
    ):
        return False
    row[d.target] = round(wrong) if d.integer else wrong
    for other in later:
        row[other.target] = other.value(row)
    return True


def _derive_explain(d: Derivation, root: FieldSpec) -> Explain:
    body = _unrounded(d.source)
    target = root.child(d.target)

    def explain(row: dict[str, Any], _found: Violation) -> str:
        expected = d.value(row)
        shown = _with_values(body, row, root)
        return (
            f"reject: {d.target} {_number_text(row.get(d.target), target)} != {shown}"
            f" = {_number_text(expected, target)}"
        )

    return explain


def _unrounded(source: str) -> str:
    """`round(x, 2)` -> `x`: the rounding is the field's; the sentence shows the sum."""
    m = re.fullmatch(r"\s*round\((.*),\s*-?\d+\s*\)\s*", source)
    if m is None:
        return source.strip()
    inner, depth = m.group(1), 0
    for ch in inner:  # `round(a, 2) + round(b, 2)` is not one round() around everything
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return source.strip()
    return inner.strip() if depth == 0 else source.strip()


_NAME = re.compile(r"[A-Za-z_]\w*(?:\[\]\.[A-Za-z_]\w*|\.[A-Za-z_]\w*)*")


def _with_values(body: str, row: dict[str, Any], root: FieldSpec) -> str:
    """`subtotal + tax + shipping` -> `subtotal 96.00 + tax 7.92 + shipping 0.00`; names inside
    `sum(items[].quantity * items[].price)` and function names stay as written."""

    def show(m: re.Match[str]) -> str:
        name = m.group(0)
        if "[]" in name or body[m.end() :].lstrip().startswith("("):
            return name
        value: Any = row
        spec: FieldSpec | None = root
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
            spec = spec.child(part) if spec is not None else None
        return f"{name} {_number_text(value, spec)}"

    return _NAME.sub(show, body)


def _number_text(value: Any, spec: FieldSpec | None) -> str:
    """A value as the field shows it: money to its cents (96.00), a rate without trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return repr(value)
    if spec is None or spec.type not in (FieldType.MONEY, FieldType.FLOAT):
        return str(value)
    text = f"{value:.{precision_of(spec)}f}"
    if spec.type is FieldType.FLOAT and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
