"""Id templates such as `CRT-{year}-{alnum:7}`: random values, unique values, and matching.

Unique ids come from a seeded bijection of a counter (affine map, digit reversal, affine map over the
template's value space), so they never repeat, look random, and need no memory of earlier ids.
"""

from __future__ import annotations

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


def _segment_writer(chars: str, n: int) -> Callable[[int], str]:
    """Writes the integer v (0 <= v < len(chars)**n) as n characters of the alphabet."""
    if chars == ALPHABETS["digits"]:
        return lambda v: f"{v:0{n}d}"
    if chars == ALPHABETS["hex"]:
        return lambda v: f"{v:0{n}x}"
    k = len(chars)

    def write(v: int) -> str:
        out = []
        for _ in range(n):
            v, d = divmod(v, k)
            out.append(chars[d])
        return "".join(out)

    return write


def _segments(tpl: Template) -> list[tuple[str, int, Callable[[int], str]] | str]:
    return [
        p if isinstance(p, str) else (ALPHABETS[p[0]], p[1], _segment_writer(ALPHABETS[p[0]], p[1]))
        for p in tpl.parts
    ]


def random_maker(tpl: Template, rnd: Callable[[], float]) -> Callable[[], str]:
    parts: list[tuple[str, int, Callable[[int], str]]] = []
    for seg in _segments(tpl):
        if isinstance(seg, str):
            parts.append((seg, 0, str))
            continue
        chars, n, _ = seg
        # One draw per segment while it fits a double's 53 bits exactly; else split the segment.
        while n:
            take = n
            while len(chars) ** take > 2**52:
                take -= 1
            parts.append((chars, len(chars) ** take, _segment_writer(chars, take)))
            n -= take

    def make() -> str:
        return "".join([text if space == 0 else write(int(rnd() * space)) for text, space, write in parts])

    return make


def unique_maker(tpl: Template, rng: random.Random, origin: str) -> Callable[[], str]:
    """Values that never repeat within one generator, until the template's space runs out."""
    segs = _segments(tpl)
    space = tpl.space
    perm = Bijection(space, rng)
    counter = iter(range(space))
    sizes = [len(s[0]) ** s[1] for s in segs if not isinstance(s, str)]

    def make() -> str:
        k = next(counter, None)
        if k is None:
            raise InvalidRequest(
                origin, f"template {tpl.text!r} has only {space} distinct values", "widen it"
            )
        v = perm(k)
        out, i = [], 0
        for seg in segs:
            if isinstance(seg, str):
                out.append(seg)
                continue
            v, part = divmod(v, sizes[i])
            out.append(seg[2](part))
            i += 1
        return "".join(out)

    return make


class Bijection:
    """A seeded permutation of range(space) that looks random and needs no memory.

    A bijection on the next power of two (multiply by an odd number, xor-shift, twice), restricted to
    range(space) by cycle walking: values that land outside are mapped again until they land inside.
    """

    def __init__(self, space: int, rng: random.Random) -> None:
        self.space = space
        bits = max(2, (space - 1).bit_length())
        self.mask = (1 << bits) - 1
        self.shift = max(1, bits // 2)
        self.a = rng.getrandbits(bits) | 1
        self.b = rng.getrandbits(bits)
        self.c = rng.getrandbits(bits) | 1

    def __call__(self, k: int) -> int:
        x, mask, shift, space = k, self.mask, self.shift, self.space
        while True:
            x = (x * self.a + self.b) & mask
            x ^= x >> shift
            x = (x * self.c) & mask
            x ^= x >> shift
            if x < space:
                return x
