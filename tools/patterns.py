"""Id templates such as `CRT-{year}-{alnum:7}`: random values, unique values, and matching.

Unique ids come from a seeded bijection of a counter (affine map, digit reversal, affine map over the
template's value space), so they never repeat, look random, and need no memory of earlier ids.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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
    years: tuple[int, ...] = ()  # where a {year} starts: a record may carry its own year there

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
    years: list[int] = []
    for m in _SLOT.finditer(text):
        literal = text[pos : m.start()]
        if literal:
            parts.append(literal)
            pattern += re.escape(literal)
        kind, size = m.group(1), m.group(2)
        if kind == "year":
            years.append(sum(p[1] if isinstance(p, tuple) else len(p) for p in parts))
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
    return Template(text, tuple(parts), re.compile(pattern), tuple(years))


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


class UniqueIds:
    """Values that never repeat within one job, until the template's space runs out.

    The value at slot k is the template written from a seeded permutation of k (tools/seeds.py): rows
    made one at a time (`at`) and a block at a time (`many`, tools/columns/objects.py) read the same
    permutation at their own slots, so no two rows of a job share an id, whichever made them.
    """

    def __init__(self, tpl: Template, rng: random.Random, origin: str) -> None:
        self.tpl, self.origin = tpl, origin
        self.segs = _segments(tpl)
        self.space = tpl.space
        self.perm = Bijection(self.space, rng)
        self.sizes = [len(s[0]) ** s[1] for s in self.segs if not isinstance(s, str)]

    def _ran_out(self) -> InvalidRequest:
        return InvalidRequest(
            self.origin, f"template {self.tpl.text!r} has only {self.space} distinct values", "widen it"
        )

    def at(self, slot: int) -> str:
        if slot >= self.space:
            raise self._ran_out()
        v = self.perm(slot)
        out, i = [], 0
        for seg in self.segs:
            if isinstance(seg, str):
                out.append(seg)
                continue
            v, part = divmod(v, self.sizes[i])
            out.append(seg[2](part))
            i += 1
        return "".join(out)

    def many(self, slots: np.ndarray) -> np.ndarray:
        """The permuted values (uint64) `at` writes for each slot, in order."""
        if len(slots) and int(slots.max()) >= self.space:
            raise self._ran_out()
        return self.perm.many(slots.astype(np.uint64))


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

    def many(self, ks: np.ndarray) -> np.ndarray:
        """`self(k)` for every k of a uint64 array (spaces up to 2**63: products wrap mod 2**64, and
        the mask keeps only low bits, which wrapping leaves exact)."""
        if self.space > 2**63:
            raise ValueError("space too large for a vectorized bijection")
        a, b, c = np.uint64(self.a), np.uint64(self.b), np.uint64(self.c)
        mask, shift = np.uint64(self.mask), np.uint64(self.shift)
        x = ks.astype(np.uint64)
        out = np.empty_like(x)
        todo = np.arange(len(x))
        while len(todo):
            y = (x[todo] * a + b) & mask
            y ^= y >> shift
            y = (y * c) & mask
            y ^= y >> shift
            x[todo] = y
            inside = y < np.uint64(self.space)
            out[todo[inside]] = y[inside]
            todo = todo[~inside]
        return out
