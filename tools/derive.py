"""Derived fields (`total = subtotal + tax`), compiled to functions of the object they live in.

A derived value must fit its field: finite, and within ±MAX_SAFE as every bound of a number field
is. One that does not (a product that overflows to inf, a whole number of thousands of digits)
stops the request with an error naming the rule: no later retry can make the same rule fit, and
letting it through would fail later, far from its cause (SQL, JSON readers, the next rule).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tools.chains import join
from tools.errors import GenerationFailed, InvalidRequest, quoted
from tools.expression_limits import OutOfRange
from tools.expressions import compile_expression
from tools.ranged import MAX_SAFE, precision_of
from tools.rulespec import scope_rules
from tools.schema import FieldSpec, FieldType


def compile_derives(spec: FieldSpec, path: str) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    """The object's derive rules as (target, fn(obj) -> value), in the order they are listed."""
    return [(d.target, d.value) for d in derivations(spec, path)]


class Derivation:
    """One derive rule: the target, the compiled expression, and how its value is rounded."""

    def __init__(self, spec: FieldSpec, path: str, rule: Any) -> None:
        self.target = rule.target
        field = spec.child(self.target)
        self.origin = origin = join(path, self.target)
        if field is None:
            raise InvalidRequest(
                origin, "a derive rule names a field the object lacks", "add the field or fix the rule"
            )
        expr = compile_expression(rule.expression, origin)
        missing = [n for n in expr.names if spec.child(n) is None]
        if missing:
            raise InvalidRequest(
                origin, f"the rule reads unknown fields {quoted(', '.join(sorted(missing)))}", "fix the rule"
            )
        self.source = rule.expression
        self.fn = expr.fn
        self.integer = field.type is FieldType.INTEGER
        self.kind = ("an " if field.type.value[0] in "aeiou" else "a ") + field.type.value
        self.digits = precision_of(field)

    def value(self, obj: dict[str, Any]) -> Any:
        """The derived value for one object; None when its inputs are missing or not numbers."""
        try:
            value = self.fn(obj)
        except (TypeError, KeyError, ZeroDivisionError):
            return None
        except OutOfRange as exc:  # a whole number past int64 in the row
            raise self._unfit(str(exc)) from None
        except (ArithmeticError, ValueError) as exc:  # an int too large for a float, round() of NaN
            raise self._unfit(f"cannot be computed ({exc})") from None
        if value is None:
            return None
        try:
            out = round(value) if self.integer else round(value + 0.0, self.digits)
        except TypeError:  # min() of texts, say: not a number, like a mistyped input
            return None
        except (OverflowError, ValueError):  # round() of inf or NaN, a huge int as a float
            raise self._unfit(f"gives {_describe(value)}, which {self.kind} field cannot hold") from None
        if not -MAX_SAFE <= out <= MAX_SAFE:  # NaN fails this too
            raise self._unfit(f"gives {_describe(out)}, which {self.kind} field cannot hold")
        return out

    def fill(self, objs: list[dict[str, Any]]) -> None:
        """The derived value of every object in a block (columns/objects.py), as `value` makes it. The loop is
        written out (a call per object cost a fifth more); a value that does not fit goes back to
        `value`, which raises naming the rule."""
        fn, target, integer, digits = self.fn, self.target, self.integer, self.digits
        low, high = -MAX_SAFE, MAX_SAFE
        for obj in objs:
            try:
                value = fn(obj)
                if value is not None:
                    value = round(value) if integer else round(value + 0.0, digits)
                    if not low <= value <= high:
                        value = self.value(obj)
            except (TypeError, KeyError, ZeroDivisionError):
                value = None
            except (ArithmeticError, ValueError):
                value = self.value(obj)
            obj[target] = value

    def _unfit(self, what: str) -> GenerationFailed:
        return GenerationFailed(
            self.origin,
            f"the derive rule {quoted(self.source, 40)} {what}",
            f"derived values must be finite and within ±{MAX_SAFE:,}: bound the fields the rule reads "
            "or change the rule",
        )


def derivations(spec: FieldSpec, path: str) -> list[Derivation]:
    return [Derivation(spec, path, r) for r in scope_rules(spec, path).derives]


def check_rules(spec: FieldSpec, path: str = "") -> None:
    """Every object's rules, checked and compiled as the makers will: a client's schema is refused for
    a bad rule when it arrives, before any planning or row (compiled rules are cached for the makers)."""
    if spec.type is FieldType.ARRAY:
        if spec.items is not None:
            check_rules(spec.items, f"{path}[]")
        return
    if spec.type is FieldType.OBJECT or spec.fields:
        derivations(spec, path)
        for f in spec.fields:
            check_rules(f, join(path, f.name))


def _describe(value: Any) -> str:
    """A value for an error message: a whole number of thousands of digits by its size, not its digits
    (str() of one past 4,300 digits raises)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a whole number of about {int(value.bit_length() * math.log10(2)):,} digits"
    return repr(value)
