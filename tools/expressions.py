"""A tiny, safe expression language for derived fields: `subtotal = sum(items[].quantity * items[].price)`.

Expressions are parsed with `ast`, checked against a whitelist (numbers, field names, `a.b`, + - * /,
unary minus, and the functions below), rewritten to read from a row dict and compiled once. Nothing
else (attributes of objects, subscripts, comprehensions, **) can get through, so schemas sent by
clients can carry rules too.

A client's rule must not be able to keep a core busy either: its size is bounded when it is compiled
(tools/expression_limits.py), and whole numbers it reads from a row are checked as they are read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tools.errors import InvalidRequest, quoted, shorten
from tools.expression_limits import (
    MAX_CHARS,
    MAX_INPUT,
    MAX_ROUND_DIGITS,
    SPLIT,
    OutOfRange,
    check_size,
    round_digits,
)

EACH = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\[\]\.([A-Za-z_][A-Za-z0-9_]*)")
EACH_PREFIX = "__each__"
_AGGREGATES = {"sum", "count", "min", "max"}
_FUNCTIONS = _AGGREGATES | {"round", "abs"}
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


@dataclass(frozen=True)
class Expression:
    source: str
    fn: Callable[[dict[str, Any]], Any]
    names: frozenset[str]  # top-level fields the expression reads (arrays by their name)


def _agg(fn: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if len(args) == 1 and isinstance(args[0], list):
            values = [v for v in args[0] if v is not None]
            return fn(values) if values else (0 if fn in (sum, len) else None)
        return fn(list(args))

    return call


_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    "_type": type,
    "_int": int,
    "_sum": _agg(sum),
    "_count": _agg(len),
    "_min": _agg(min),
    "_max": _agg(max),
    "_round": round,
    "_abs": abs,
    "_too_large": lambda v: _too_large(v),
}


def _too_large(value: int) -> Any:
    raise OutOfRange(f"reads a whole number of {value.bit_length():,} bits; at most {MAX_INPUT.bit_length()}")


class _Rewrite(ast.NodeTransformer):
    """Rewrites field names to row look-ups and checks every node against the whitelist."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.names: set[str] = set()
        self.each_array: str | None = None
        self.in_aggregate = False

    def fail(self, what: str) -> InvalidRequest:
        return InvalidRequest(
            self.origin,
            f"{what} is not allowed in a rule",
            "use fields, numbers, + - * / and sum/round/min/max",
        )

    def generic_visit(self, node: ast.AST) -> ast.AST:
        raise self.fail(type(node).__name__)

    def visit_Expression(self, node: ast.Expression) -> ast.AST:
        node.body = self.visit(node.body)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise self.fail(f"the constant {node.value!r:.40}")
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if not isinstance(node.op, _OPS):
            raise self.fail(type(node.op).__name__)
        node.left = self.visit(node.left)
        node.right = self.visit(node.right)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise self.fail(type(node.op).__name__)
        node.operand = self.visit(node.operand)
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return _checked(self._read(node))

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        return _checked(self._read(node))

    def _read(self, node: ast.expr) -> ast.expr:
        """The look-up a name or dotted path stands for; only the value at its end is checked (by
        `_checked`), the objects on the way are not numbers."""
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise self.fail(f"the name {node.attr!r:.40}")
            return _lookup(self._read(node.value), node.attr)
        if not isinstance(node, ast.Name):
            raise self.fail(f"reading a field of {type(node).__name__}")
        if node.id.startswith(EACH_PREFIX):
            array, field = node.id[len(EACH_PREFIX) :].split("__", 1)
            if not self.in_aggregate:  # it would read an item that is not there: a NameError
                read = shorten(f"{array}[].{field}", 60)
                raise InvalidRequest(
                    self.origin, f"{read} is read outside sum(), count(), min() or max()", "wrap it in one"
                )
            self.names.add(array)
            return _lookup(ast.Name("_it", ast.Load()), field)
        self.names.add(node.id)
        return _lookup(ast.Name("r", ast.Load()), node.id)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise self.fail("that function call")
        name = node.func.id
        if name == "round" and len(node.args) == 2 and round_digits(node.args[1]) is None:
            raise InvalidRequest(
                self.origin,
                f"round(x, digits) needs digits written as a whole number from -{MAX_ROUND_DIGITS} to "
                f"{MAX_ROUND_DIGITS}",
                "write round(x, 2), say",
            )
        if name in _AGGREGATES and len(node.args) == 1 and EACH_PREFIX in ast.unparse(node.args[0]):
            if self.in_aggregate:
                # Each would walk the array once per item of the other: quadratic in the items.
                raise self.fail("a sum, count, min or max over items inside another")
            self.in_aggregate = True
            try:
                return self._aggregate(name, node.args[0])
            finally:
                self.in_aggregate = False
        node.func = ast.Name(f"_{name}", ast.Load())
        node.args = [self.visit(a) for a in node.args]
        return node

    def _aggregate(self, name: str, arg: ast.expr) -> ast.AST:
        arrays = {a for a, _ in _each_refs(ast.unparse(arg))}
        if len(arrays) != 1:
            raise self.fail("mixing items of different arrays in one sum")
        array = arrays.pop()
        inner = self.visit(arg)
        # sum(items[].q * items[].p) -> _sum([q*p for _it in (r["items"] or [])])
        comp = ast.ListComp(
            elt=inner,
            generators=[
                ast.comprehension(
                    target=ast.Name("_it", ast.Store()),
                    iter=ast.BoolOp(
                        ast.Or(), [_lookup(ast.Name("r", ast.Load()), array), ast.List([], ast.Load())]
                    ),
                    ifs=[],
                    is_async=0,
                )
            ],
        )
        return ast.Call(ast.Name(f"_{name}", ast.Load()), [comp], [])


def _each_refs(text: str) -> list[tuple[str, str]]:
    return [tuple(m.split("__", 1)) for m in re.findall(EACH_PREFIX + r"(\w+?__\w+)", text)]  # type: ignore[misc]


def _checked(read: ast.expr) -> ast.expr:
    """`read`, with a whole number past MAX_INPUT refused, written inline (a call per value read cost
    a third more): `_v if type(_v := read) is not int or -MAX_INPUT <= _v <= MAX_INPUT else ...`."""
    value = ast.Name("_v", ast.Load())
    kind = ast.Call(ast.Name("_type", ast.Load()), [ast.NamedExpr(ast.Name("_v", ast.Store()), read)], [])
    fits = ast.BoolOp(
        ast.Or(),
        [
            ast.Compare(kind, [ast.IsNot()], [ast.Name("_int", ast.Load())]),
            ast.Compare(ast.Constant(-MAX_INPUT), [ast.LtE(), ast.LtE()], [value, ast.Constant(MAX_INPUT)]),
        ],
    )
    refuse = ast.Call(ast.Name("_too_large", ast.Load()), [value], [])
    return ast.IfExp(fits, ast.Name("_v", ast.Load()), refuse)


def _lookup(obj: ast.expr, key: str) -> ast.expr:
    return ast.Subscript(obj, ast.Constant(key), ast.Load())


@lru_cache(maxsize=2048)
def compile_expression(text: str, origin: str) -> Expression:
    """Compiled once per (text, origin) per process: the result is a pure function of the text."""
    if len(text) > MAX_CHARS:
        raise InvalidRequest(
            origin,
            f"the derive rule is {len(text):,} characters long; at most {MAX_CHARS:,}",
            "write it shorter, or derive parts of it into fields of their own with separate rules",
        )
    rewritten = EACH.sub(lambda m: f"{EACH_PREFIX}{m.group(1)}__{m.group(2)}", text).strip()
    try:
        tree = ast.parse(rewritten, mode="eval")
    except SyntaxError as exc:
        raise InvalidRequest(
            origin, f"cannot parse the derive rule {quoted(text)}: {exc.msg}", "check the rule's syntax"
        ) from None
    except (RecursionError, MemoryError):
        raise InvalidRequest(
            origin, f"cannot parse the derive rule {quoted(text)}: it nests too deeply", SPLIT
        ) from None
    check_size(tree, rewritten, origin)
    rewriter = _Rewrite(origin)
    body = rewriter.visit(tree)
    lam = ast.Expression(
        ast.Lambda(
            args=ast.arguments(
                posonlyargs=[], args=[ast.arg("r")], kwonlyargs=[], kw_defaults=[], defaults=[]
            ),
            body=body.body,
        )
    )
    ast.fix_missing_locations(lam)
    fn = eval(compile(lam, origin, "eval"), dict(_GLOBALS))  # whitelisted AST only, no builtins
    return Expression(text, fn, frozenset(rewriter.names))
