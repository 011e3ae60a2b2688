"""Strings that match a regular expression, made from Python's own regex parse tree.

Supports literals, classes, `.`, alternation, groups and back-references, and bounded or unbounded
repeats (unbounded ones stop a few characters past their minimum). Look-arounds cannot be generated
and are refused up front with a clear error, as is a pattern whose length range misses the field's
length bounds.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

import re2

from tools.errors import MAX_STRING_LENGTH, GenerationFailed, InvalidRequest, quoted

_PRINTABLE = [c for c in string.printable if c not in "\r\x0b\x0c"]
_CATEGORY = {
    C.CATEGORY_DIGIT: string.digits,
    C.CATEGORY_NOT_DIGIT: string.ascii_letters + "-_ ",
    C.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    C.CATEGORY_NOT_WORD: " -.,:;!?",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
}
MAX_ATTEMPTS = 200
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is the client's error, not a server log line


def compile_regex(pattern: str, origin: str) -> Any:
    """A client's regex, compiled for matching with RE2: linear time on any input, so no pattern can
    freeze the server (catastrophic backtracking). Features RE2 lacks (back-references, look-arounds)
    are refused with the reason."""
    try:
        re.compile(pattern)  # Python's own syntax check, and its parse tree drives generation
    except re.error as exc:
        raise InvalidRequest(
            origin, f"invalid regex {quoted(pattern)}: {exc}", "fix the regular expression"
        ) from None
    if _makes_nul(P.parse(pattern)):  # `\x00` or `[\x00-\x1f]` in the text: PostgreSQL refuses NUL
        raise InvalidRequest(
            origin, f"regex {quoted(pattern)} can make a NUL character (\\x00)", "leave out \\x00"
        )
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise InvalidRequest(
            origin, f"regex {quoted(pattern)} uses a feature this service does not run ({reason})",
            "drop back-references and look-arounds; keep repeat counts at 1000 or less",
        ) from None  # fmt: skip


def check_regex_fits(pattern: str, min_length: int | None, max_length: int | None, where: str) -> None:
    """Refuses, up front, a regex whose match lengths miss the field's length bounds."""
    lo, hi = P.parse(pattern).getwidth()
    if max_length is not None and lo > max_length:
        raise InvalidRequest(
            where,
            f"regex {quoted(pattern)} needs at least {lo} characters but max_length is {max_length}",
            "",
        )
    if min_length is not None and hi < min_length:
        raise InvalidRequest(
            where,
            f"regex {quoted(pattern)} allows at most {hi} characters but min_length is {min_length}",
            "",
        )


def regex_maker(
    pattern: str, origin: str, rnd: Callable[[], float], min_length: int | None, max_length: int | None
) -> Callable[[], str]:
    compiled = compile_regex(pattern, origin)
    check_regex_fits(pattern, min_length, max_length, origin)
    tree = P.parse(pattern)
    if tree.getwidth()[0] > MAX_STRING_LENGTH:
        raise InvalidRequest(
            origin, f"regex {quoted(pattern)} needs more than {MAX_STRING_LENGTH:,} characters", ""
        )
    _check_supported(tree, origin, pattern)
    slack = max(8, min_length or 0)
    low_len, high_len = min_length or 0, max_length if max_length is not None else 10**9

    def make() -> str:
        for _ in range(MAX_ATTEMPTS):
            groups: dict[int, str] = {}
            text = _emit(tree, rnd, slack, groups)
            if low_len <= len(text) <= high_len and compiled.fullmatch(text):
                return text
        raise GenerationFailed(
            origin, f"no string matching {quoted(pattern)} within the length bounds", "loosen them"
        )

    return make


def _makes_nul(tree: Any) -> bool:
    """Whether a string made from the tree can hold NUL: a literal 0 or a class that includes it (a
    negated class and `.` are made from printable characters only)."""
    for op, av in tree:
        if op is C.LITERAL and av == 0:
            return True
        if (
            op is C.IN
            and any((o is C.LITERAL and a == 0) or (o is C.RANGE and a[0] == 0) for o, a in av)
            and not any(o is C.NEGATE for o, _ in av)
        ):
            return True
        if op is C.SUBPATTERN and _makes_nul(av[-1]):
            return True
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and _makes_nul(av[2]):
            return True
        if op is C.BRANCH and any(_makes_nul(branch) for branch in av[1]):
            return True
    return False


def _check_supported(tree: Any, origin: str, pattern: str) -> None:
    for op, av in tree:
        if op in (C.ASSERT, C.ASSERT_NOT):
            raise InvalidRequest(origin, f"regex {quoted(pattern)} uses a look-around", "remove it")
        if op is C.SUBPATTERN:
            _check_supported(av[-1], origin, pattern)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            _check_supported(av[2], origin, pattern)
        elif op is C.BRANCH:
            for branch in av[1]:
                _check_supported(branch, origin, pattern)


def _pick(seq: Any, rnd: Callable[[], float]) -> Any:
    return seq[int(rnd() * len(seq))]


def _emit(tree: Any, rnd: Callable[[], float], slack: int, groups: dict[int, str]) -> str:
    out = []
    for op, av in tree:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(_pick([c for c in _PRINTABLE if ord(c) != av], rnd))
        elif op is C.ANY:
            out.append(_pick(_PRINTABLE[:-1], rnd))  # never a newline: `.` does not match one
        elif op is C.IN:
            out.append(_pick(_class_chars(av), rnd))
        elif op is C.BRANCH:
            out.append(_emit(_pick(av[1], rnd), rnd, slack, groups))
        elif op is C.SUBPATTERN:
            text = _emit(av[-1], rnd, slack, groups)
            if av[0] is not None:
                groups[av[0]] = text
            out.append(text)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, high, sub = av
            # Unbounded and very wide repeats stop a little past their minimum: `[a-z]{1,1000000}`
            # makes short strings, not megabytes per value.
            high = min(high, low + slack)
            for _ in range(low + int(rnd() * (high - low + 1))):
                out.append(_emit(sub, rnd, slack, groups))
        elif op is C.GROUPREF:
            out.append(groups.get(av, ""))
        elif op is C.CATEGORY:
            out.append(_pick(_CATEGORY[av], rnd))
        # AT (anchors) emit nothing.
    return "".join(out)


def _class_chars(items: Any) -> list[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            chars.update(chr(c) for c in range(av[0], min(av[1], av[0] + 2000) + 1))
        elif op is C.CATEGORY:
            chars.update(_CATEGORY[av])
    if negate:
        return [c for c in _PRINTABLE[:-1] if c not in chars] or ["~"]
    return sorted(chars)
