"""Many small draws from one 64-bit key: what a person or an address is a function of.

sha256 turns (seed, person, index) into the key; splitmix64 then yields as many independent-looking
numbers as an address needs, without a Random object per address (about 1 us an address).
"""

from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1


def key64(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Draws:
    __slots__ = ("state",)

    def __init__(self, key: int) -> None:
        self.state = key & _MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def unit(self) -> float:
        """A float in [0, 1)."""
        return (self.next() >> 11) / 9007199254740992.0

    def below(self, n: int) -> int:
        return int(self.unit() * n)

    def digits(self, n: int) -> str:
        return "".join(str(self.below(10)) for _ in range(n))
