"""Bounds on a derive rule, checked when it is compiled, so no client's rule can keep a core busy.

Python's whole numbers grow without limit: a rule multiplying literals of thousands of digits costs
minutes per row, and `round(5, -10**9)` builds a number of a billion digits. A float costs the same
whatever its value. So a rule's text, its terms and their nesting, every number written in it and the
digits of round() are bounded, and from those, how many bits a whole number it computes can have.
Fields are read as at most int64 (expressions.py checks each value as it is read), so every value a
rule computes is bounded before it runs.
"""

from __future__ import annotations

import ast

from tools.errors import MAX_ITEMS, InvalidRequest, quoted

MAX_CHARS = 2000  # the text of one expression
MAX_NODES = 200  # numbers, names, operators and calls in it
MAX_DEPTH = 50  # how deeply they nest (a 5,000-term sum would overflow Python's stack)
MAX_LITERAL = 1e15  # the largest number a rule may write
MAX_LITERAL_CHARS = 24  # the longest a number may be written
MAX_INPUT = 2**63  # the largest whole number a rule may read from a row (int64)
MAX_BITS = 4096  # the largest whole number a rule may compute, in bits (64 int64 fields multiplied)
FLOAT_BITS = 1024  # a float is below 2**1024
MAX_ROUND_DIGITS = 15  # round(x, d): |d| at most this (round(5, -10**9) builds 10**(10**9))
INPUT_BITS = MAX_INPUT.bit_length()
ITEM_BITS = MAX_ITEMS.bit_length()  # what a sum over an array's items adds


class OutOfRange(ArithmeticError):
    """A whole number read from a row is past MAX_INPUT: computing with it could take minutes."""


SPLIT = "split it: derive parts of it into fields of their own with separate rules"


def check_size(tree: ast.Expression, source: str, origin: str) -> None:
    """Nodes, nesting and numbers within bounds; walked without recursion, as the tree may be deep."""
    nodes = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, ast.expr):
            continue  # operators and contexts
        nodes += 1
        if nodes > MAX_NODES:
            raise InvalidRequest(origin, f"the derive rule has more than {MAX_NODES} terms", SPLIT)
        if depth > MAX_DEPTH:
            raise InvalidRequest(origin, f"the derive rule nests deeper than {MAX_DEPTH} levels", SPLIT)
        if isinstance(node, ast.Constant):
            _check_literal(node, source, origin)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    worst: list[int] = []
    _int_bits(tree.body, worst)
    bits = max(worst, default=0)
    if bits > MAX_BITS:
        raise InvalidRequest(
            origin,
            f"the derive rule multiplies so many fields and numbers that a value could have {bits:,} bits",
            f"multiply at most {MAX_BITS // INPUT_BITS} fields together (at most {MAX_BITS:,} bits); {SPLIT}",
        )


def _check_literal(node: ast.Constant, source: str, origin: str) -> None:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return  # refused with the rest of the whitelist
    written = ast.get_source_segment(source, node) or ""
    if len(written) > MAX_LITERAL_CHARS or not abs(value) <= MAX_LITERAL:  # `not <=`: also NaN
        raise InvalidRequest(
            origin,
            f"the number {quoted(written, 30)} in the derive rule is out of range",
            f"numbers in a rule stay within ±{MAX_LITERAL:.0e} and {MAX_LITERAL_CHARS} characters",
        )


def round_digits(node: ast.expr) -> int | None:
    """The digits of round(x, digits) when written as a whole number in range, else None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if not isinstance(node, ast.Constant) or type(node.value) is not int:
        return None
    digits = sign * node.value
    return digits if -MAX_ROUND_DIGITS <= digits <= MAX_ROUND_DIGITS else None


def _int_bits(node: ast.expr, worst: list[int]) -> tuple[int, bool]:
    """(how many bits this node's value can have, whether it is surely a float); the bits of every
    whole number on the way go into `worst`. Fields count as int64 (expressions.py checks them as
    they are read), a float as at most 1,024 bits: round() of one is a whole number that large."""
    if isinstance(node, ast.Constant):
        value = node.value
        return (abs(value).bit_length(), False) if type(value) is int else (FLOAT_BITS, True)
    if isinstance(node, ast.UnaryOp):
        return _int_bits(node.operand, worst)
    if isinstance(node, ast.BinOp):
        (a, a_float), (b, b_float) = _int_bits(node.left, worst), _int_bits(node.right, worst)
        if isinstance(node.op, ast.Div) or a_float or b_float:
            return FLOAT_BITS, True  # true division, and anything mixed with a float, gives a float
        bits = a + b if isinstance(node.op, ast.Mult) else max(a, b) + 1
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        parts = [_int_bits(a, worst) for a in node.args] or [(0, False)]
        if node.func.id == "round" and len(parts) == 1:
            return parts[0][0], False  # round(x) is a whole number, as large as x
        ints = [bits for bits, is_float in parts if not is_float]
        if not ints:
            return FLOAT_BITS, True
        bits = max(ints)
        if node.func.id in ("sum", "count"):
            bits += ITEM_BITS + len(parts)  # up to MAX_ITEMS items, or the arguments, added up
    else:
        bits = INPUT_BITS  # a field (or something refused when rewritten)
    worst.append(bits)
    return bits, False
