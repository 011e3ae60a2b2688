"""Rules of one object scope, checked against its fields and indexed for the compiler and validator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.errors import InvalidRequest, quoted, shorten
from tools.expression_limits import MAX_CHARS, SPLIT
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, DeriveRule, FieldSpec, OrderRule, PresentIfRule
from tools.temporal import DAY, parse_duration

# Dates run from year 1 to 9999: a gap longer than that cannot hold between two of them (and a gap of
# 10^30 days makes the column maker's arithmetic overflow).
MAX_GAP = 10_000 * 366 * DAY


@dataclass
class ScopeRules:
    derives: list[DeriveRule] = field(default_factory=list)
    orders: list[OrderRule] = field(default_factory=list)
    # field -> (condition field, allowed values)
    present_if: dict[str, tuple[str, frozenset[Any]]] = field(default_factory=dict)
    # field -> every field listed before it in some order rule / after it
    chain_preds: dict[str, list[str]] = field(default_factory=dict)
    chain_succs: dict[str, list[str]] = field(default_factory=dict)
    gap_before: dict[str, int] = field(default_factory=dict)  # max seconds after the previous field
    min_gap_before: dict[str, int] = field(default_factory=dict)  # min seconds after it

    @property
    def chain_members(self) -> set[str]:
        return set(self.chain_preds) | set(self.chain_succs)


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, list | dict) else str(value)


def scope_rules(spec: FieldSpec, path: str) -> ScopeRules:
    out = ScopeRules()
    where = path or spec.name

    def need(name: str, rule: str) -> FieldSpec:
        child = spec.child(name)
        if child is None:
            known = ", ".join(f.name for f in spec.fields)
            raise InvalidRequest(
                f"{where}.rules",
                f"{rule} names unknown field {quoted(name)}",
                f"fields are: {shorten(known)}",
            )
        return child

    for i, rule in enumerate(spec.rules):
        if isinstance(rule, DeriveRule):
            if len(rule.derive) > MAX_CHARS:  # before any other look at it: it may be megabytes
                raise InvalidRequest(
                    f"{where}.rules[{i}]",
                    f"the derive rule is {len(rule.derive):,} characters long; at most {MAX_CHARS:,}",
                    SPLIT,
                )
            if "=" not in rule.derive:
                raise InvalidRequest(
                    f"{where}.rules[{i}]", f"derive {quoted(rule.derive)} has no '='", "write target = expr"
                )
            need(rule.target, "a derive rule")
            if any(d.target == rule.target for d in out.derives):  # each runs for every row
                raise InvalidRequest(
                    f"{where}.rules[{i}]", f"{rule.target} is derived by an earlier rule too", "keep one"
                )
            out.derives.append(rule)
        elif isinstance(rule, OrderRule):
            _add_order(out, rule, need, where)
        elif isinstance(rule, PresentIfRule):
            p = rule.present_if
            target = need(p.field, "a present_if rule")
            need(p.when, "a present_if rule")
            if target.required and not target.nullable:
                raise InvalidRequest(
                    f"{where}.{p.field}", "present_if needs an optional field", "set required: false"
                )
            out.present_if[p.field] = (p.when, frozenset(_hashable(v) for v in p.in_))
    derived = {r.target for r in out.derives}
    clash = derived & out.chain_members
    if clash:
        raise InvalidRequest(
            f"{where}.rules", f"{', '.join(sorted(clash))} is derived and ordered", "drop one rule"
        )
    return out


def _add_order(out: ScopeRules, rule: OrderRule, need: Any, where: str) -> None:
    label = shorten(rule.describe())  # up to 500 field names
    if len(set(rule.order)) < len(rule.order):  # 10,000 repeats took seconds (quadratic below)
        raise InvalidRequest(f"{where}.rules", f"{label} lists a field twice", "list each field once")
    kinds = set()
    for name in rule.order:
        f = need(name, "an order rule")
        if f.type not in NUMERIC_TYPES and f.type not in TEMPORAL_TYPES:
            raise InvalidRequest(f"{where}.{name}", f"an order rule needs numbers or dates, not {f.type}", "")
        kinds.add("time" if f.type in TEMPORAL_TYPES else "number")
    if len(kinds) > 1:
        raise InvalidRequest(f"{where}.rules", f"{label} mixes dates and numbers", "split the rule")
    try:
        gap = parse_duration(rule.max_gap) if rule.max_gap else None
        min_gap = parse_duration(rule.min_gap) if rule.min_gap else None
    except ValueError as exc:
        raise InvalidRequest(f"{where}.rules", str(exc), "") from None
    if max(gap or 0, min_gap or 0) > MAX_GAP:
        raise InvalidRequest(
            f"{where}.rules", f"{label}: a gap is longer than years 1 to 9999 allow", "shorten it"
        )
    if gap is not None and min_gap is not None and min_gap > gap:
        raise InvalidRequest(f"{where}.rules", f"{label}: min_gap is above max_gap", "swap them")
    for i, name in enumerate(rule.order):
        preds = out.chain_preds.setdefault(name, [])
        preds.extend(p for p in rule.order[:i] if p not in preds)
        succs = out.chain_succs.setdefault(name, [])
        succs.extend(s for s in rule.order[i + 1 :] if s not in succs)
        if i and gap is not None:
            out.gap_before[name] = gap
        if i and min_gap is not None:
            out.min_gap_before[name] = min_gap
    out.orders.append(rule)
