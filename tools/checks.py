"""Per-type value checks for the validator: each returns None when the value is fine, else (rule, message)."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from tools.patterns import parse_template
from tools.pools import ADDRESS_KEYS
from tools.ranged import Ranged, make_ranged, precision_of
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType

Problem = tuple[str, str] | None
Check = Callable[[Any], Problem]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9(][0-9().\- x]{5,30}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _regex_check(pattern: re.Pattern[str], what: str) -> Check:
    def check(v: Any) -> Problem:
        if not isinstance(v, str):
            return ("type", f"expected {what} text, got {type(v).__name__}")
        return None if pattern.match(v) else ("format", f"{v!r} is not a valid {what}")

    return check


def _scalar_check(v: Any) -> Problem:
    if isinstance(v, str | int | float):
        return None
    return ("type", f"expected one of the enum's values, got {type(v).__name__}")


def str_check(v: Any) -> Problem:
    return None if isinstance(v, str) else ("type", f"expected a string, got {type(v).__name__}")


def _bool_check(v: Any) -> Problem:
    return None if isinstance(v, bool) else ("type", f"expected true or false, got {type(v).__name__}")


def _ip_check(v: Any) -> Problem:
    try:
        ipaddress.ip_address(v)
    except (ValueError, TypeError):
        return ("format", f"{v!r} is not an IP address")
    return None


def _address_check(spec: FieldSpec) -> Check:
    if spec.format == "single_line":
        return str_check

    def check(v: Any) -> Problem:
        if not isinstance(v, dict):
            return ("type", f"expected an address object, got {type(v).__name__}")
        missing = [k for k in ADDRESS_KEYS if not isinstance(v.get(k), str) or not v.get(k)]
        return ("required", f"address lacks {', '.join(missing)}") if missing else None

    return check


def _ranged_check(spec: FieldSpec, path: str, window: tuple[int, int], ranged: Ranged) -> Check:
    if spec.type in TEMPORAL_TYPES:
        return _temporal_check(spec, ranged)
    return _number_check(spec, ranged)


def _number_check(spec: FieldSpec, ranged: Ranged) -> Check:
    integer = spec.type is FieldType.INTEGER
    scale, digits = ranged.scale, precision_of(spec)
    # Bounds the engine falls back on when a field has none are for drawing values, not for checking.
    lo = ranged.lo if spec.min is not None else None
    hi = ranged.hi if spec.max is not None else None

    def check(v: Any) -> Problem:
        t = type(v)
        if t is int:
            raw = v * scale
        elif t is float and not integer:
            if not math.isfinite(v):
                return ("type", "expected a finite number")
            scaled = v * scale
            if not math.isfinite(scaled):  # 1e308 in cents: no bound or precision can hold it
                return ("type", f"{v!r} is too large for a number with {digits} decimals")
            raw = round(scaled)
            if abs(raw - scaled) > 1e-6:
                return ("precision", f"{v!r} has more than {digits} decimals")
        else:
            return (
                "type",
                f"expected {'an integer' if integer else 'a number'}, got {t.__name__} {v!r}"[:120],
            )
        if lo is not None and raw < lo:
            return ("min", f"{v!r} is below the minimum {ranged.out(lo)!r}")
        if hi is not None and raw > hi:
            return ("max", f"{v!r} is above the maximum {ranged.out(hi)!r}")
        return None

    return check


def _temporal_check(spec: FieldSpec, ranged: Ranged) -> Check:
    t = spec.type
    width = 20 if t is FieldType.DATETIME else 10
    example = "2025-03-14T09:26:53Z" if t is FieldType.DATETIME else "2025-03-14"
    iso = ranged.strftime is None
    # ISO texts of one width sort like the instants they name: bounds compare as strings.
    lo = ranged.out(ranged.lo) if spec.min is not None else None
    hi = ranged.out(ranged.hi) if spec.max is not None else None
    parse = datetime.fromisoformat if t is FieldType.DATETIME else date.fromisoformat

    def check(v: Any) -> Problem:
        if type(v) is not str:
            return ("type", f"expected an ISO {t.value} string, got {type(v).__name__}")
        if iso:
            if len(v) != width or (width == 20 and v[19] != "Z"):
                return ("format", f"{v!r} is not a UTC {t.value} like {example}")
            try:
                parse(v[:19] if width == 20 else v)
            except ValueError:
                return ("format", f"{v!r} is not a valid {t.value}")
            if lo is not None and v < lo:
                return ("min", f"{v!r} is before the minimum {lo!r}")
            if hi is not None and v > hi:
                return ("max", f"{v!r} is after the maximum {hi!r}")
            return None
        try:
            raw = ranged.raw_of(v)
        except (ValueError, OverflowError):
            return ("format", f"{v!r} does not match the format {ranged.strftime!r}")
        if spec.min is not None and raw < ranged.lo:
            return ("min", f"{v!r} is before the minimum {ranged.out(ranged.lo)!r}")
        if spec.max is not None and raw > ranged.hi:
            return ("max", f"{v!r} is after the maximum {ranged.out(ranged.hi)!r}")
        return None

    return check


def type_check(spec: FieldSpec, path: str, window: tuple[int, int], year: int) -> Check:
    """The check for a leaf value's type, format and bounds (not null-ness, enums or lengths)."""
    t = spec.type
    if t in NUMERIC_TYPES or t in TEMPORAL_TYPES:
        return _ranged_check(spec, path, window, make_ranged(spec, path, window))
    if t is FieldType.BOOLEAN:
        return _bool_check
    if t is FieldType.ADDRESS:
        return _address_check(spec)
    if t is FieldType.ENUM and spec.values and not all(isinstance(v, str) for v in spec.values):
        return _scalar_check  # an enum of numbers (a client's [1, 2, 3]): its values are the check

    if t is FieldType.PATTERN or (spec.format and "{" in spec.format and t in (FieldType.STRING,)):
        tpl = parse_template(spec.format or "", year, path)
        return _regex_check(re.compile(f"^{tpl.regex.pattern}$"), f"id like {spec.format}")
    simple: dict[FieldType, Check] = {
        FieldType.EMAIL: _regex_check(_EMAIL, "e-mail address"),
        FieldType.PHONE: _regex_check(_PHONE, "phone number"),
        FieldType.UUID: _regex_check(_UUID, "lower-case UUID"),
        FieldType.URL: _regex_check(_URL, "http(s) URL"),
        FieldType.COUNTRY: _regex_check(_COUNTRY, "ISO 3166 country code"),
        FieldType.CURRENCY: _regex_check(_CURRENCY, "ISO 4217 currency code"),
        FieldType.IP: _ip_check,
    }
    return simple.get(t, str_check)
