"""Negative rows for the rules of a record's lifecycle: an order (`created_at <= shipped_at <= ...`)
broken by moving one field before the field it follows, and a conditional field (`delivered_at`
present only if `status` is delivered or returned) set where its condition excludes it or cleared
where it requires it; and the sentence a correct system should reject each with.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tools.ranged import Ranged, make_ranged
from tools.rulespec import ScopeRules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType
from tools.temporal import DAY, datetime_text, day_text
from tools.violations import Violation

if TYPE_CHECKING:
    from tools.negative import Apply, Explain


def lifecycle_breaks(
    root: FieldSpec, rules: ScopeRules, window: tuple[int, int]
) -> list[tuple[str, str, Apply, Explain]]:
    """As (rule, field, apply, explain): each field of an order but the first moved before the one it
    follows; then for each conditional field, once set where excluded and once cleared where required."""
    out: list[tuple[str, str, Apply, Explain]] = []
    ranged = {n: make_ranged(c, n, window) for n in rules.chain_members if (c := root.child(n)) is not None}
    for o in rules.orders:
        for i in range(1, len(o.order)):
            out.append(("order", o.order[i], _before(o.order, i, ranged), _order_explain(o.order, i)))
    for name, (when, allowed) in rules.present_if.items():
        place = _placer(name, root.child(name), rules, ranged, window)
        choices = _condition_values(root.child(when))
        others = [(n, a) for n, (w, a) in rules.present_if.items() if w == when and n != name]
        explain = _present_explain(name, when, allowed)
        out.append(("present_if", name, _set_unless(name, when, allowed, others, choices, place), explain))
        out.append(("present_if", name, _clear_when(name, when, allowed, others, choices), explain))
    return out


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
