"""Negative rows: a valid row changed to break exactly one rule, tagged with the rule and the error.

Each mutation targets one rule of the schema (a bound, an enum, a format, a derived total, an order,
a conditional field). The engine applies it, re-derives dependent totals when the mutation was not
on a total itself, and keeps the row only when the validator reports exactly that one violation.

Rules between fields are broken the way a checkout gets them wrong, and everything else in the row is
kept consistent so that only the one rule fails:
- a derived value (`subtotal`, `tax`, `total`): an input changed after it was computed (a line's
  quantity or price, the shipping charge) with the value left stale, or the value itself wrong (a
  term left out, a cent off) with the rules after it re-derived from the wrong value;
- an order (`created_at <= shipped_at <= ...`): one field moved before the field it follows;
- a conditional field (`delivered_at` present only if `status` is delivered or returned): set where
  the condition excludes it, or cleared where the condition requires it.

`expected_error` says, from the rule and the row's values, what a correct system should reject it with.
"""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tools.derive import Derivation, derivations
from tools.expressions import EACH, compile_expression
from tools.ranged import Ranged, make_ranged, precision_of
from tools.rulespec import ScopeRules, scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import DAY, datetime_text, day_text
from tools.violations import Violation

Apply = Callable[[dict[str, Any]], None]
Explain = Callable[[dict[str, Any], Violation], str]


@dataclass(frozen=True)
class Mutation:
    rule: str  # the validator's rule name this row must break
    path: str  # where, as the validator reports it (first array item for item fields)
    apply: Apply  # raises ValueError (or KeyError, IndexError, TypeError) where it cannot apply
    rederive: bool = True  # recompute derived fields afterwards (not when breaking a derived field)
    explain: Explain | None = None  # the expected error, from the changed row and its one violation


def expected_error(m: Mutation, row: dict[str, Any], found: Violation) -> str:
    """What a correct system should reject the row with: a short sentence naming the fields and values."""
    if m.explain is not None:
        try:
            return m.explain(row, found)
        except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            pass  # a value the sentence cannot show: the validator's own words below
    return _plain_error(found)


def mutations(schema: EntitySchema, window: tuple[int, int]) -> list[Mutation]:
    out: list[Mutation] = []
    root = schema.as_object()
    rules = scope_rules(root, schema.name)
    derived = {r.target for r in rules.derives}
    dependents: dict[str, list[str]] = {}  # a present_if condition field -> the fields it governs
    for name, (when, _allowed) in rules.present_if.items():
        dependents.setdefault(when, []).append(name)
    for f in root.fields:
        if f.name in derived:
            continue
        own = _field_mutations(f, f.name, [f.name], window)
        if f.name in dependents:
            # A status that is no status at all governs nothing: its conditional fields go with it, or
            # each would break its present_if rule too.
            own = [replace(m, apply=_then_clear(m.apply, dependents[f.name])) for m in own]
        out.extend(own)
    out.extend(_derive_mutations(root, rules, derivations(root, "")))
    ranged = {n: make_ranged(c, n, window) for n in rules.chain_members if (c := root.child(n)) is not None}
    for o in rules.orders:
        for i in range(1, len(o.order)):
            out.append(
                Mutation("order", o.order[i], _before(o.order, i, ranged), explain=_order_explain(o.order, i))
            )
    for name, (when, allowed) in rules.present_if.items():
        place = _placer(name, root.child(name), rules, ranged, window)
        choices = _condition_values(root.child(when))
        others = [(n, a) for n, (w, a) in rules.present_if.items() if w == when and n != name]
        explain = _present_explain(name, when, allowed)
        out.append(
            Mutation(
                "present_if", name, _set_unless(name, when, allowed, others, choices, place), explain=explain
            )
        )
        out.append(
            Mutation("present_if", name, _clear_when(name, when, allowed, others, choices), explain=explain)
        )
    out.extend(_tax_mutations(root))
    return out


# Rates no jurisdiction of the world model charges (tools/world/tax.py): a checkout must refuse them.
_NO_SUCH_RATES = (0.137, 0.0137, 0.2437)


def _tax_mutations(root: FieldSpec) -> list[Mutation]:
    """A rate within the field's bounds that is charged nowhere; the tax is re-derived from it, so only
    the `tax` rule breaks."""
    out = []
    for f in root.fields:
        if f.source != "tax_rate":
            continue
        lo = f.min if isinstance(f.min, int | float) else 0.0
        hi = f.max if isinstance(f.max, int | float) else 1.0
        fits = [r for r in _NO_SUCH_RATES if lo <= r <= hi]
        if fits:
            out.append(Mutation("tax", f.name, _setter([f.name], fits[0]), explain=_tax_explain))
    return out


def _tax_explain(row: dict[str, Any], found: Violation) -> str:
    """The validator's finding without its advice: `tax_rate 0.137: a tax rate of 13.7% is not charged
    in Florida, United States`."""
    finding = re.split(r" \(rates there|; ", found.message)[0]
    return f"reject: {found.path} {row.get(found.path)!r}: {finding}"


# Values well formed for their type but in no list: a currency field checks the form before the list.
_NOT_LISTED = {FieldType.CURRENCY: "XXX", FieldType.COUNTRY: "ZZ"}


def _field_mutations(f: FieldSpec, path: str, keys: list[Any], window: tuple[int, int]) -> list[Mutation]:
    out: list[Mutation] = []
    if not f.is_nullable:
        out.append(Mutation("required", path, _setter(keys, None)))
    if f.type is FieldType.ARRAY:
        if f.max_items is not None:
            out.append(Mutation("max_items", path, _grow(keys, f.max_items + 1)))
        if f.min_items:
            out.append(Mutation("min_items", path, _shrink(keys, f.min_items - 1)))
        items = f.items
        if items is not None and items.fields:
            for sub in items.fields:
                out.extend(_field_mutations(sub, f"{path}[0].{sub.name}", [*keys, 0, sub.name], window))
        return out
    if f.type is FieldType.OBJECT:
        for sub in f.fields:
            out.extend(_field_mutations(sub, f"{path}.{sub.name}", [*keys, sub.name], window))
        return out
    if f.values:
        out.append(Mutation("enum", path, _setter(keys, _NOT_LISTED.get(f.type, "not_a_valid_value"))))
    elif f.type in NUMERIC_TYPES:
        out.append(Mutation("type", path, _setter(keys, "not a number")))
        r = make_ranged(f, path, window)
        step = 10 ** -precision_of(f) if f.type is not FieldType.INTEGER else 1
        if f.min is not None:
            out.append(Mutation("min", path, _setter(keys, r.out(r.lo - round(step * r.scale)))))
        if f.max is not None:
            out.append(Mutation("max", path, _setter(keys, r.out(r.hi + round(step * r.scale)))))
    elif f.type in TEMPORAL_TYPES:
        out.append(Mutation("format", path, _setter(keys, "31/02/2025 25:61")))
    elif f.type in (FieldType.EMAIL, FieldType.UUID, FieldType.PATTERN, FieldType.URL, FieldType.PHONE):
        out.append(Mutation("format", path, _setter(keys, "not-valid@@")))
    elif f.type is FieldType.BOOLEAN:
        out.append(Mutation("type", path, _setter(keys, "yes")))
    else:
        if f.max_length is not None:
            out.append(Mutation("max_length", path, _setter(keys, "x" * (f.max_length + 1))))
        if f.min_length:
            out.append(Mutation("min_length", path, _setter(keys, "x" * (f.min_length - 1))))
        if f.regex:
            out.append(Mutation("regex", path, _setter(keys, "!does-not-match!")))
    return out


def _dig(row: dict[str, Any], keys: list[Any]) -> Any:
    target: Any = row
    for k in keys[:-1]:
        target = target[k]
    return target


def _setter(keys: list[Any], value: Any) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        _dig(row, keys)[keys[-1]] = copy.deepcopy(value)

    return apply


def _grow(keys: list[Any], n: int) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        items = _dig(row, keys)[keys[-1]]
        while items and len(items) < n:
            items.append(copy.deepcopy(items[-1]))

    return apply


def _shrink(keys: list[Any], n: int) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        del _dig(row, keys)[keys[-1]][n:]

    return apply


def _then_clear(first: Apply, names: list[str]) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        first(row)
        for name in names:
            row[name] = None

    return apply


# --- derived values ---------------------------------------------------------------------------------

Change = Callable[[dict[str, Any]], bool]  # changes the row; False when it cannot here


@dataclass(frozen=True)
class _Input:
    """A number a derive rule reads that may change on its own: a line's quantity or price, shipping."""

    array: str | None  # the array whose items hold it, or None for a field of the row
    name: str
    spec: FieldSpec


def _derive_mutations(root: FieldSpec, rules: ScopeRules, derives: list[Derivation]) -> list[Mutation]:
    """One mutation per derived field. Its ways to go wrong (a stale value after an input changed, a
    term left out, a cent off) take turns by the row's own value, so the same row always gets the same."""
    out = []
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
        out.append(
            Mutation("derive", d.target, _first_that_applies(d, changes), False, _derive_explain(d, root))
        )
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


# --- order -------------------------------------------------------------------------------------------


def _latest_before(names: list[str], i: int, row: dict[str, Any]) -> str | None:
    """The nearest field before position i that holds a value: the one the order check compares with."""
    return next((names[j] for j in range(i - 1, -1, -1) if row.get(names[j]) is not None), None)


def _at(r: Ranged, value: Any) -> float:
    """Where a value of an ordered field sits: epoch seconds for dates and datetimes (as the order
    check compares them), the number itself otherwise."""
    raw = r.raw_of(value)
    if r.ftype is FieldType.DATE:
        return raw * DAY
    return raw if r.ftype is FieldType.DATETIME else raw / r.scale


def _from(r: Ranged, at: float) -> Any:
    if r.ftype is FieldType.DATE:
        return r.out(int(at // DAY))
    if r.ftype is FieldType.DATETIME:
        return r.out(int(at))
    return r.out(int(at * r.scale // 1))


def _before(names: list[str], i: int, ranged: dict[str, Ranged]) -> Apply:
    """The field at position i moved to just before the field it follows (an hour for datetimes, a day
    for dates, one unit for numbers): shipped an hour before the order was created."""
    second = names[i]

    def apply(row: dict[str, Any]) -> None:
        first = _latest_before(names, i, row)
        if row.get(second) is None or first is None:
            raise ValueError(f"{second} or the field it follows is not set")
        r = ranged[second]
        anchor = _at(ranged[first], row[first])
        if r.ftype is FieldType.DATETIME:
            row[second] = _from(r, anchor - 3600)
        elif r.ftype is FieldType.DATE:
            row[second] = _from(r, anchor - DAY)
        else:
            row[second] = r.out(-int(-anchor * r.scale // 1) - 1)  # one unit below, whatever the scales

    return apply


def _order_explain(names: list[str], i: int) -> Explain:
    def explain(row: dict[str, Any], _found: Violation) -> str:
        first = _latest_before(names, i, row)
        if first is None:
            return f"reject: {names[i]} {row.get(names[i])} is out of order"
        return f"reject: {names[i]} {row.get(names[i])} is before {first} {row.get(first)}"

    return explain


# --- present_if --------------------------------------------------------------------------------------


def _condition_values(when: FieldSpec | None) -> list[Any]:
    """The values the condition field may take, in schema order ([] when it is not an enum)."""
    if when is None:
        return []
    if when.values:
        return list(when.values)
    if when.type is FieldType.BOOLEAN:
        return [False, True]
    return []


def _key(value: Any) -> Any:
    return str(value) if isinstance(value, list | dict) else value


def _turn(row: dict[str, Any]) -> int:
    """A number of the row's own (not of the process: no hash()), to pick among ways to break a rule."""
    return zlib.crc32(repr(row).encode())


def _condition_for(
    row: dict[str, Any],
    when: str,
    want: bool,
    allowed: frozenset[Any],
    others: list[tuple[str, frozenset[Any]]],
    choices: list[Any],
) -> tuple[Any, list[str]]:
    """A value of the condition field under which the target is (want) / is not allowed, and the other
    fields it governs that must be cleared for their own rules to hold (a field it would require that
    is not set rules a value out). The row's own value when it serves unchanged; else one of those that
    serve, by the row's turn. Raises ValueError when none does."""
    current = row.get(when)
    fits: list[tuple[Any, list[str]]] = []
    for value in [current, *(c for c in choices if c != current)]:
        key = _key(value)
        try:
            if (key in allowed) != want or any(row.get(n) is None and key in a for n, a in others):
                continue
            clear = [n for n, a in others if row.get(n) is not None and key not in a]
        except TypeError:
            continue
        if value is current and not clear:
            return value, []
        fits.append((value, clear))
    if not fits:
        raise ValueError(f"no value of {when} breaks only this rule")
    return fits[_turn(row) % len(fits)]


def _set_unless(
    name: str,
    when: str,
    allowed: frozenset[Any],
    others: list[tuple[str, frozenset[Any]]],
    choices: list[Any],
    place: Callable[[dict[str, Any]], Any],
) -> Apply:
    """The field set where its condition excludes it: a delivered_at on a pending order (or on one
    still marked shipped)."""

    def apply(row: dict[str, Any]) -> None:
        value, clear = _condition_for(row, when, False, allowed, others, choices)
        row[when] = copy.deepcopy(value)
        for n in clear:
            row[n] = None
        if row.get(name) is None:
            row[name] = place(row)

    return apply


def _clear_when(
    name: str,
    when: str,
    allowed: frozenset[Any],
    others: list[tuple[str, frozenset[Any]]],
    choices: list[Any],
) -> Apply:
    """The field missing where its condition requires it: a delivered order without delivered_at."""

    def apply(row: dict[str, Any]) -> None:
        row[name] = None
        value, clear = _condition_for(row, when, True, allowed, others, choices)
        row[when] = copy.deepcopy(value)
        for n in clear:
            row[n] = None

    return apply


def _placer(
    name: str, f: FieldSpec | None, rules: ScopeRules, ranged: dict[str, Ranged], window: tuple[int, int]
) -> Callable[[dict[str, Any]], Any]:
    """A value for a field that is not set, keeping its order rules: midway between the nearest set
    fields before and after it in every order it is in (delivered between created and updated)."""
    preds, succs = rules.chain_preds.get(name, []), rules.chain_succs.get(name, [])

    def place(row: dict[str, Any]) -> Any:
        if name in ranged:
            lows = [_at(ranged[p], row[p]) for p in preds if row.get(p) is not None]
            highs = [_at(ranged[s], row[s]) for s in succs if row.get(s) is not None]
            if lows and highs:
                return _from(ranged[name], (max(lows) + min(highs)) / 2)
            if lows or highs:
                return _from(ranged[name], max(lows) if lows else min(highs))
        if f is not None and f.example is not None:
            return copy.deepcopy(f.example)
        if f is not None and f.type in TEMPORAL_TYPES:
            return datetime_text(window[1]) if f.type is FieldType.DATETIME else day_text(window[1] // 86400)
        if f is not None and f.type in NUMERIC_TYPES:
            return 1
        return "1234"

    return place


def _present_explain(name: str, when: str, allowed: frozenset[Any]) -> Explain:
    listed = " or ".join(sorted(map(str, allowed)))

    def explain(row: dict[str, Any], _found: Violation) -> str:
        cond = row.get(when)
        if row.get(name) is not None:
            return f"reject: {name} is set but {when} is {cond!r}; only {when} {listed} has a {name}"
        return f"reject: {name} is missing but {when} is {cond!r}, which requires it"

    return explain


# --- the validator's own words -----------------------------------------------------------------------


def _plain_error(found: Violation) -> str:
    """`cart_id: is required but missing or null [required]` -> `reject: cart_id is required but ...`"""
    message = found.message
    if not found.path:
        return f"reject: {message}"
    if re.match(r"(is|has|must|'|\"|-?\d)", message):
        return f"reject: {found.path} {message}"
    return f"reject: {found.path}: {message}"
