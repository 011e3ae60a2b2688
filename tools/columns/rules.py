"""Cross-field rules checked over a block of rows (columns/objects.py): derived values and datetime order.

Each rule keeps the row validator's own check (rule_checks.py) as the judge. Before it runs, a whole-
column proof clears the rows that certainly pass; only the rest get the per-row check. A proof may be
strict, never lax:
- a derive rule's expression is evaluated on the columns with numpy, carrying a bound on how far each
  value can be from Python's (sums in another order, products rounded differently). Python's round()
  and numpy's agree on every value not within that bound of a tie; those near a tie are left to the
  row check. So a cleared row's expected value is exactly the one the row check computes;
- an order rule over ISO datetimes compares the columns as text, as the row check does.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from tools.columns.values import Block
from tools.expressions import EACH, EACH_PREFIX
from tools.ranged import precision_of
from tools.rule_checks import rule_checks
from tools.rulespec import scope_rules
from tools.schema import FieldSpec, FieldType
from tools.violations import Out, ValueCheck
from tools.world.tax_columns import tax_proof

EPS = 2.0**-52  # a generous unit roundoff: the bound must hold, not be tight
Proof = Callable[[Block], "np.ndarray | None"]
Value = tuple[np.ndarray, np.ndarray, np.ndarray]  # values, error bound, rows in doubt


class CannotProve(Exception):
    pass


class RuleCheck:
    """An object scope's rules, each as (the row validator's check, a column proof or None)."""

    def __init__(self, spec: FieldSpec, window: tuple[int, int]) -> None:
        rules = scope_rules(spec, spec.name)
        checks = rule_checks(spec, window)  # in rule_checks' order: derives, orders, present_if, tax
        proofs: list[Proof | None] = [_derive_proof(spec, d.target, d.expression) for d in rules.derives]
        proofs += [_order_proof(spec, o.order) for o in rules.orders]
        proofs += [None] * len(rules.present_if)
        proofs += [tax_proof(f.name) for f in spec.fields if f.source == "tax_rate"]  # rule_checks' order
        self.rules: list[tuple[ValueCheck, Proof | None]] = list(zip(checks, proofs, strict=True))

    def mark(self, objs: list[dict[str, Any]], b: Block, bad: np.ndarray) -> None:
        for check, proof in self.rules:
            ok = proof(b) if proof is not None else None
            rows = range(len(objs)) if ok is None else np.flatnonzero(~ok).tolist()
            out: Out = []
            for i in rows:
                check(objs[i], "", out)
                if out:
                    bad[i] = True
                    out = []


def _numbers(values: list[Any]) -> np.ndarray:
    kinds = set(map(type, values))
    if not kinds <= {int, float}:
        raise CannotProve  # None, bool, text: the row check decides
    array = np.array(values, dtype=np.float64)
    if kinds != {float} and np.abs(array).max(initial=0) >= 2**53:
        raise CannotProve  # an int numpy would round
    return array


def _derive_proof(spec: FieldSpec, target: str, expression: str) -> Proof | None:
    field = spec.child(target)
    if field is None:
        return None
    integer = field.type is FieldType.INTEGER
    digits = 0 if integer else precision_of(field)
    tolerance = 0.5 if integer else 0.5 * 10**-digits
    text = EACH.sub(lambda m: f"{EACH_PREFIX}{m.group(1)}__{m.group(2)}", expression)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None

    def proof(b: Block) -> np.ndarray | None:
        try:
            value, err, doubt = _Evaluator(b).eval(tree, None)
            expected, near_tie = _round(value, err, digits)
            actual = _numbers(b.cols[target])
        except CannotProve:
            return None
        with np.errstate(invalid="ignore"):
            return np.asarray(~doubt & ~near_tie & (np.abs(actual - expected) < tolerance - 1e-12))

    return proof


def _round(value: np.ndarray, err: np.ndarray, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Python's round(value, digits), and where it might differ: within the error bound of a tie."""
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = value * scale
        slack = err * scale + 4 * EPS * np.abs(scaled) + 1e-300
        tie_distance = np.abs(scaled - np.floor(scaled) - 0.5)
        doubt = ~np.isfinite(scaled) | (np.abs(scaled) >= 2**52) | (tie_distance <= slack)
        return np.rint(scaled) / scale, doubt


class _Evaluator:
    """An expression of expressions.py's language on whole columns: values, error bounds and doubt."""

    def __init__(self, b: Block) -> None:
        self.b = b

    def eval(self, node: ast.expr, each: str | None) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise CannotProve
            if isinstance(node.value, int) and abs(node.value) >= 2**53:
                raise CannotProve  # exact in Python, rounded in numpy
            n = self._rows(each)
            return np.full(n, float(node.value)), np.zeros(n), np.zeros(n, dtype=bool)
        if isinstance(node, ast.Name):
            return self._name(node.id, each)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v, e, d = self.eval(node.operand, each)
            return (-v if isinstance(node.op, ast.USub) else v), e, d
        if isinstance(node, ast.BinOp):
            return self._binop(node, each)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self._call(node.func.id, node.args, each)
        raise CannotProve

    def _rows(self, each: str | None) -> int:
        return self.b.n if each is None else len(self.b.arrays[each][1])

    def _name(self, name: str, each: str | None) -> Value:
        if name.startswith(EACH_PREFIX):
            array, field = name[len(EACH_PREFIX) :].split("__", 1)
            if array != each:
                raise CannotProve
            inner = self.b.arrays[array][0]
            values = inner.cols.get(field)
        else:
            if each is not None:
                raise CannotProve
            values = self.b.cols.get(name)
        if values is None:
            raise CannotProve
        v = _numbers(values)
        return v, np.zeros(len(v)), np.zeros(len(v), dtype=bool)

    def _binop(self, node: ast.BinOp, each: str | None) -> Value:
        a, ea, da = self.eval(node.left, each)
        c, ec, dc = self.eval(node.right, each)
        doubt = da | dc
        with np.errstate(all="ignore"):
            if isinstance(node.op, ast.Add | ast.Sub):
                v = a + c if isinstance(node.op, ast.Add) else a - c
                err = ea + ec
            elif isinstance(node.op, ast.Mult):
                v = a * c
                err = np.abs(a) * ec + np.abs(c) * ea + ea * ec
            elif isinstance(node.op, ast.Div):
                doubt = doubt | (np.abs(c) <= ec)  # a divisor that may be zero: the row check decides
                v = a / np.where(doubt, 1.0, c)
                err = (ea + np.abs(v) * ec) / np.where(doubt, 1.0, np.abs(c) - ec)
            else:
                raise CannotProve
            err = err + EPS * np.abs(v)
            doubt = doubt | ~np.isfinite(v) | ~np.isfinite(err)
        return v, err, doubt

    def _call(self, name: str, args: list[ast.expr], each: str | None) -> Value:
        if name in ("sum", "count", "min", "max") and len(args) == 1 and EACH_PREFIX in ast.unparse(args[0]):
            return self._aggregate(name, args[0], each)
        if name == "round" and len(args) in (1, 2):
            digits = 0
            if len(args) == 2:
                if not (isinstance(args[1], ast.Constant) and type(args[1].value) is int):
                    raise CannotProve
                digits = args[1].value
                if not 0 <= digits <= 15:
                    raise CannotProve
            v, e, d = self.eval(args[0], each)
            r, near_tie = _round(v, e, digits)
            return r, np.zeros(len(r)), d | near_tie  # off a tie, numpy's result is Python's exactly
        if name == "abs" and len(args) == 1:
            v, e, d = self.eval(args[0], each)
            return np.abs(v), e, d
        if name in ("min", "max") and len(args) >= 2:
            parts = [self.eval(a, each) for a in args]
            pick = np.minimum if name == "min" else np.maximum
            v, e, d = parts[0]
            for pv, pe, pd in parts[1:]:
                v, e, d = pick(v, pv), np.maximum(e, pe), d | pd
            return v, e, d
        raise CannotProve

    def _aggregate(self, name: str, arg: ast.expr, each: str | None) -> Value:
        arrays = {m[len(EACH_PREFIX) :].split("__", 1)[0] for m in _names(arg) if m.startswith(EACH_PREFIX)}
        if each is not None or len(arrays) != 1:
            raise CannotProve
        array = arrays.pop()
        if array not in self.b.arrays or any(v is None for v in self.b.cols.get(array, [None])):
            raise CannotProve  # a null array reads as no items; its items were still made
        _, parents = self.b.arrays[array]
        n = self.b.n
        counts = np.bincount(parents, minlength=n).astype(np.float64)
        v, e, d = self.eval(arg, array)  # also refuses null values, which Python's aggregates skip
        if name == "count":
            return counts, np.zeros(n), np.zeros(n, dtype=bool)
        doubt = np.bincount(parents, weights=d.astype(np.float64), minlength=n) > 0
        if name == "sum":
            total = np.bincount(parents, weights=v, minlength=n)
            # Python adds in item order, numpy in its own: each order is within k*eps*sum|v| of exact.
            spread = np.bincount(parents, weights=np.abs(v), minlength=n)
            err = np.bincount(parents, weights=e, minlength=n) + 2 * counts * EPS * spread
            return total, err, doubt
        out = np.full(n, np.inf if name == "min" else -np.inf)
        (np.minimum if name == "min" else np.maximum).at(out, parents, v)
        worst = np.zeros(n)
        np.maximum.at(worst, parents, e)
        return out, worst, doubt | (counts == 0)  # no items: Python gives None, the row check decides


def _names(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def _order_proof(spec: FieldSpec, names: list[str]) -> Proof | None:
    """An order over ISO datetimes: the row check compares them as text when each is 20 characters
    ending in Z; a column that is not all like that is left to it."""
    fields = [spec.child(n) for n in names]
    if not all(f is not None and f.type is FieldType.DATETIME and not f.format for f in fields):
        return None

    def proof(b: Block) -> np.ndarray | None:
        columns = []
        for name in names:
            values = b.cols.get(name)
            if values is None or set(map(type, values)) != {str} or set(map(len, values)) != {20}:
                return None
            if any(v[19] != "Z" for v in values):
                return None
            columns.append(np.array(values))
        ok = np.ones(b.n, dtype=bool)
        for earlier, later in itertools.pairwise(columns):
            ok &= later >= earlier
        return ok

    return proof
