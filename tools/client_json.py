"""A JSON document a client sends (a custom or inline schema), read as strictly as other readers would:
no NaN or Infinity, no number past a float's range or Python's 4,300 digits, no NUL character, no
nesting past MAX_DEPTH. Each is INVALID_ARGUMENT naming where it is."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from tools.errors import InvalidRequest

MAX_DEPTH = 8


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as inf
        raise _NotFinite(text)
    return value


def _no_constant(text: str) -> Any:
    raise _NotFinite(text)  # NaN, Infinity: Python's json reads them, no other reader does


def parse_json_document(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except _NotFinite as exc:
        raise InvalidRequest(
            where, f"holds {str(exc)[:30]}, which is not a finite number", "send finite numbers"
        ) from None
    except RecursionError:
        raise InvalidRequest(where, f"nests deeper than {MAX_DEPTH} levels", "flatten the document") from None
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            where,
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            "send a valid JSON document",
        ) from None
    except ValueError:  # a whole number past Python's 4,300 digits
        raise InvalidRequest(where, "holds a number of thousands of digits", "send smaller numbers") from None


def check_no_nul(doc: Any, text: str, where: str) -> None:
    """No NUL character in any name or value of the document: PostgreSQL refuses NUL in text, so SQL
    holding one loads nowhere (an enum value, a description, a field name)."""
    if "\\u0000" not in text:
        return  # JSON carries a NUL only escaped (raw control characters are malformed)
    at = _nul_at(doc)
    if at is not None:
        raise InvalidRequest(where + at, "holds a NUL character (\\x00)", "remove it")


def _nul_at(doc: Any) -> str | None:
    """The path of the first NUL, walked without recursion and without a path per value held."""
    names: list[str] = [""]
    stack: list[Iterator[tuple[str | int, Any]]] = [iter([("", doc)])]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            names.pop()
            continue
        key, value = step
        label = _label(key)
        if isinstance(key, str) and "\x00" in key:
            return "".join(names) + label + " (its name)"
        if isinstance(value, str) and "\x00" in value:
            return "".join(names) + label
        if isinstance(value, dict):
            names.append(label)
            stack.append(iter(value.items()))
        elif isinstance(value, list):
            names.append(label)
            stack.append(enumerate(value))
    return None


def _label(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    return f".{key[:60]}".replace("\x00", "\\x00") if key else ""
