"""A tiny, safe expression language for derived fields: `subtotal = sum(items[].quantity * items[].price)`.

Expressions are parsed with `ast`, checked against a whitelist (numbers, field names, `a.b`, + - * /,
unary minus, and the functions below), rewritten to read from a row dict and compiled once. Nothing
else (attributes of objects, subscripts, comprehensions, **) can get through, so schemas sent by
clients can carry rules too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tools.errors import InvalidRequest

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
    "_sum": _agg(sum),
    "_count": _agg(len),
    "_min": _agg(min),
    "_max": _agg(max),
    "_round": round,
    "_abs": abs,
}


class _Rewrite(ast.NodeTransformer):
    """Rewrites field names to row look-ups and checks every node against the whitelist."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.names: set[str] = set()
        self.each_array: str | None = None

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
            raise self.fail(f"the constant {node.value!r}")
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
        if node.id.startswith(EACH_PREFIX):
            array, field = node.id[len(EACH_PREFIX) :].split("__", 1)
            self.names.add(array)
            return _lookup(ast.Name("_it", ast.Load()), field)
        self.names.add(node.id)
        return _lookup(ast.Name("r", ast.Load()), node.id)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr.startswith("_"):
            raise self.fail(f"the name {node.attr!r}")
        return _lookup(self.visit(node.value), node.attr)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise self.fail("that function call")
        name = node.func.id
        if name in _AGGREGATES and len(node.args) == 1 and EACH_PREFIX in ast.unparse(node.args[0]):
            return self._aggregate(name, node.args[0])
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


def _lookup(obj: ast.expr, key: str) -> ast.expr:
    return ast.Subscript(obj, ast.Constant(key), ast.Load())


@lru_cache(maxsize=2048)
def compile_expression(text: str, origin: str) -> Expression:
    """Compiled once per (text, origin) per process: the result is a pure function of the text."""
    rewritten = EACH.sub(lambda m: f"{EACH_PREFIX}{m.group(1)}__{m.group(2)}", text)
    try:
        tree = ast.parse(rewritten.strip(), mode="eval")
    except SyntaxError as exc:
        raise InvalidRequest(origin, f"cannot parse {text!r}: {exc.msg}", "check the rule's syntax") from None
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
