"""Tracking numbers written the way each carrier writes them, check digit included.

A format is data (data/carriers.yaml): a list of parts (literal text, digits, letters, a choice), then
an optional check character computed by a named algorithm over the body from position `from`, then a
literal suffix (the S10 country code). The same parts give the generator and the matcher, so what
`make` writes is exactly what `matches` accepts.

The check algorithms below are each the published or widely reproduced rule for one family of numbers,
and every one is tested against real example numbers in tests/unit/test_carriers.py; where no rule was
found the format carries no check (its `check` is absent) rather than an invented one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _gs1_sum(digits: str, offset: int = 0) -> str:
    # Weights 3,1,3,... from the rightmost data digit, as GS1 (GTIN/SSCC) check digits are made.
    # USPS Publication 199 (IMpb) "Mod 10", Canada Post, Hermes and DHL's 20-digit NVE use this rule
    # (left-to-right 3,1 on an odd-length body is the same thing).
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits))) + offset
    return str((10 - total % 10) % 10)


def _ups(body: str) -> str:
    # UPS 1Z check: letters count as (ASCII - 3) mod 10 (A=2 ... Z=7), every second character doubled,
    # 10 minus the sum mod 10. Checks UPS's own test number 1Z999AA10123456784.
    total = 0
    for i, c in enumerate(body):
        value = int(c) if c.isdigit() else (ord(c) - 3) % 10
        total += value * 2 if i % 2 else value
    return str((10 - total % 10) % 10)


def _fedex12(digits: str) -> str:
    # FedEx Express 12-digit: weights 3,1,7 repeating over the first 11 digits, sum mod 11 mod 10.
    # Not from a FedEx document (none found); reproduced from jkeen/tracking_number_data, which checks it
    # against real FedEx numbers (986578788855, 799531274483, ...).
    weights = (3, 1, 7) * 4
    return str(sum(int(c) * w for c, w in zip(digits, weights, strict=False)) % 11 % 10)


def _s10(digits: str) -> str:
    # UPU S10 standard: weights 8,6,4,2,3,5,9,7 on the 8 serial digits; 11 - sum mod 11; 10 -> 0, 11 -> 5.
    r = 11 - sum(int(c) * w for c, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return str({10: 0, 11: 5}.get(r, r))


def _mod7(digits: str) -> str:
    # The body read as one number, mod 7: DHL Express waybills; Yamato, Sagawa and Japan Post's 12-digit
    # numbers (the "7DR" rule of Japanese carriers).
    return str(int(digits) % 7)


def _luhn(digits: str) -> str:
    # ISO/IEC 7812 Luhn: Purolator's 12-digit PINs (jkeen/tracking_number_data).
    total = 0
    for i, c in enumerate(reversed(digits)):
        v = int(c) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return str((10 - total % 10) % 10)


def _identcode(digits: str) -> str:
    # Deutsche Post / DHL 12-digit Identcode: weights 4,9 alternating from the left, mod 10.
    total = sum(int(c) * (4 if i % 2 == 0 else 9) for i, c in enumerate(digits))
    return str((10 - total % 10) % 10)


CHECKS: dict[str, Callable[[str], str]] = {
    "gs1_mod10": _gs1_sum,
    "gls_mod10": lambda d: _gs1_sum(d, offset=1),  # GLS: the GS1 sum plus 1 (GLS Uni-Box TechDoku 3.2.1)
    "ups_mod10": _ups,
    "fedex_mod11": _fedex12,
    "s10_mod11": _s10,
    "mod7": _mod7,
    "luhn": _luhn,
    "dhl_identcode": _identcode,
}


@dataclass(frozen=True)
class Format:
    # Each part: literal text | {"digits": n or [n, m]} | {"letters": n} | {"alnum": n} | {"oneof": [...]}
    # (a oneof may add "accept": a regex for what the standard allows beyond the values we write)
    parts: tuple[Any, ...]
    check: str | None  # a CHECKS name, or None where no published check digit was found
    check_from: int  # the check covers body[check_from:]
    suffix: str
    weight: float
    regex: re.Pattern[str]  # with named groups body and check, for matches()
    text: str  # the same layout without group names, to report or to join with other formats


def _part_regex(part: Any) -> str:
    if isinstance(part, str):
        return re.escape(part)
    if "accept" in part:  # a standard wider than the prefixes we write: S10 allows any 2 letters
        return f"(?:{part['accept']})"
    kind, arg = next(iter(part.items()))
    if kind == "oneof":
        return "(?:" + "|".join(re.escape(str(a)) for a in arg) + ")"
    # ASCII classes, not \d: a full-width digit is not one a carrier prints.
    cls = {"digits": "[0-9]", "letters": "[A-Z]", "alnum": "[0-9A-Z]"}[kind]
    lengths = arg if isinstance(arg, list) else [arg]
    return "(?:" + "|".join(f"{cls}{{{n}}}" for n in lengths) + ")"


def parse(raw: dict[str, Any]) -> Format:
    """A Format from one `formats` entry of data/carriers.yaml."""
    parts = tuple(raw["parts"])
    check = raw.get("check")
    if check and check["algo"] not in CHECKS:
        raise ValueError(f"unknown check algorithm {check['algo']!r}; known: {sorted(CHECKS)}")
    suffix = str(raw.get("suffix", ""))
    body = "".join(_part_regex(p) for p in parts)
    tail = re.escape(suffix)
    return Format(
        parts=parts,
        check=str(check["algo"]) if check else None,
        check_from=int(check.get("from", 0)) if check else 0,
        suffix=suffix,
        weight=float(raw.get("weight", 1.0)),
        regex=re.compile(f"(?P<body>{body})" + ("(?P<check>[0-9])" if check else "") + tail),
        text=body + ("[0-9]" if check else "") + tail,
    )


def _pick(options: Sequence[Any], rnd: Callable[[], float]) -> Any:
    return options[min(int(rnd() * len(options)), len(options) - 1)]


def make(fmt: Format, rnd: Callable[[], float]) -> str:
    """One number in `fmt`, every random character from `rnd`."""
    out = []
    for part in fmt.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        kind, arg = next(iter(part.items()))
        if kind == "oneof":
            out.append(str(_pick(arg, rnd)))
            continue
        n = int(_pick(arg, rnd)) if isinstance(arg, list) else int(arg)
        alphabet = {"digits": _DIGITS, "letters": _LETTERS, "alnum": _DIGITS + _LETTERS}[kind]
        out.append("".join(_pick(alphabet, rnd) for _ in range(n)))
    body = "".join(out)
    check = CHECKS[fmt.check](body[fmt.check_from :]) if fmt.check else ""
    return body + check + fmt.suffix


def normalise(text: str) -> str:
    """As a shopper types it: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]", "", text).upper()


def matches(fmt: Format, text: str) -> bool:
    """`text` has the format's layout and, where it defines one, the right check digit."""
    m = fmt.regex.fullmatch(normalise(text))
    if m is None:
        return False
    if fmt.check is None:
        return True
    return CHECKS[fmt.check](m["body"][fmt.check_from :]) == m["check"]
