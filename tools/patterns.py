"""Id templates such as `CRT-{year}-{alnum:7}`: random values, unique values, and matching.

Unique ids come from a seeded bijection of a counter (affine map, digit reversal, affine map over the
template's value space), so they never repeat, look random, and need no memory of earlier ids.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from tools.errors import InvalidRequest

ALPHABETS = {
    "alnum": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "digits": "0123456789",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "hex": "0123456789abcdef",
}
_SLOT = re.compile(r"\{(\w+)(?::(\d+))?\}")


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple[str | tuple[str, int], ...]  # literal text or (alphabet, length)
    regex: re.Pattern[str]

    @property
    def space(self) -> int:
        """How many distinct values the template can make."""
        n = 1
        for p in self.parts:
            if isinstance(p, tuple):
                n *= len(ALPHABETS[p[0]]) ** p[1]
        return n

    @property
    def length(self) -> int:
        return sum(p[1] if isinstance(p, tuple) else len(p) for p in self.parts)


def parse_template(text: str, year: int, origin: str) -> Template:
    parts: list[str | tuple[str, int]] = []
    pattern = ""
    pos = 0
    for m in _SLOT.finditer(text):
        literal = text[pos : m.start()]
        if literal:
            parts.append(literal)
            pattern += re.escape(literal)
        kind, size = m.group(1), m.group(2)
        if kind == "year":
            parts.append(str(year))
            pattern += r"\d{4}"
        elif kind in ALPHABETS:
            n = int(size or 1)
            if not 1 <= n <= 64:
                raise InvalidRequest(origin, f"{{{kind}:{n}}} must have a length from 1 to 64", "")
            parts.append((kind, n))
            pattern += f"[{re.escape(ALPHABETS[kind])}]{{{n}}}"
        else:
            known = ", ".join(["year", *ALPHABETS])
            raise InvalidRequest(origin, f"unknown template slot {{{kind}}}", f"use one of {known}")
        pos = m.end()
    if text[pos:]:
        parts.append(text[pos:])
        pattern += re.escape(text[pos:])
    if not any(isinstance(p, tuple) for p in parts) and "{" in text:
        raise InvalidRequest(origin, f"template {text!r} has no slots", "use {alnum:N} or {digits:N}")
    return Template(text, tuple(parts), re.compile(pattern))


def random_maker(tpl: Template, rnd: Callable[[], float]) -> Callable[[], str]:
    parts = [(p, None) if isinstance(p, str) else (ALPHABETS[p[0]], p[1]) for p in tpl.parts]

    def make() -> str:
        out = []
        for chars, n in parts:
            if n is None:
                out.append(chars)
            else:
                k = len(chars)
                out.append("".join([chars[int(rnd() * k)] for _ in range(n)]))
        return "".join(out)

    return make


def unique_maker(tpl: Template, rng: random.Random, origin: str) -> Callable[[], str]:
    """Values that never repeat within one generator, until the template's space runs out."""
    slots = [(ALPHABETS[p[0]], p[1]) for p in tpl.parts if isinstance(p, tuple)]
    radices = [len(chars) for chars, n in slots for _ in range(n)]
    space = tpl.space
    perm = Bijection(space, rng, radices)
    counter = iter(range(space))

    def make() -> str:
        k = next(counter, None)
        if k is None:
            raise InvalidRequest(
                origin, f"template {tpl.text!r} has only {space} distinct values", "widen it"
            )
        digits = perm.digits(k)
        out, i = [], 0
        for p in tpl.parts:
            if isinstance(p, str):
                out.append(p)
                continue
            chars = ALPHABETS[p[0]]
            out.append("".join(chars[d] for d in digits[i : i + p[1]]))
            i += p[1]
        return "".join(out)

    return make


class Bijection:
    """A seeded permutation of range(space): affine, mixed-radix digit reversal, affine."""

    def __init__(self, space: int, rng: random.Random, radices: list[int] | None = None) -> None:
        self.space = space
        self.radices = radices or [space]
        self.a, self.b = _coprime(space, rng), rng.randrange(space)
        self.c, self.d = _coprime(space, rng), rng.randrange(space)

    def digits(self, k: int) -> list[int]:
        x = (self.a * k + self.b) % self.space
        # Reverse the digits: write x least-significant first, read it back most-significant first.
        ds = []
        for r in self.radices:
            x, d = divmod(x, r)
            ds.append(d)
        y = 0
        for r, d in zip(self.radices, ds, strict=True):
            y = y * r + d
        y = (self.c * y + self.d) % self.space
        out = []
        for r in reversed(self.radices):
            y, d = divmod(y, r)
            out.append(d)
        return out[::-1]

    def __call__(self, k: int) -> int:
        ds = self.digits(k)
        n = 0
        for r, d in zip(self.radices, ds, strict=True):
            n = n * r + d
        return n


def _coprime(space: int, rng: random.Random) -> int:
    if space <= 2:
        return 1
    while True:
        a = rng.randrange(2, space)
        if math.gcd(a, space) == 1:
            return a
