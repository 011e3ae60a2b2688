"""Per-type value checks for the validator: each returns None when the value is fine, else (rule, message)."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
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


def _str_check(v: Any) -> Problem:
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
        return _str_check

    def check(v: Any) -> Problem:
        if not isinstance(v, dict):
            return ("type", f"expected an address object, got {type(v).__name__}")
        missing = [k for k in ADDRESS_KEYS if not isinstance(v.get(k), str) or not v.get(k)]
        return ("required", f"address lacks {', '.join(missing)}") if missing else None

    return check


def _ranged_check(spec: FieldSpec, path: str, window: tuple[int, int], ranged: Ranged) -> Check:
    t = spec.type
    digits = precision_of(spec)
    lo, hi = ranged.lo, ranged.hi
    # Bounds the engine falls back on when a field has none are for drawing values, not for checking.
    enforce_lo, enforce_hi = spec.min is not None, spec.max is not None

    def check(v: Any) -> Problem:
        if t in TEMPORAL_TYPES:
            if not isinstance(v, str):
                return ("type", f"expected an ISO {t.value} string, got {type(v).__name__}")
            try:
                raw = ranged.raw_of(v)
            except (ValueError, OverflowError):
                return ("format", f"{v!r} is not a valid {t.value}")
            if t is FieldType.DATETIME and not ranged.strftime and len(v) != 20:
                return ("format", f"{v!r} is not a UTC datetime like 2025-03-14T09:26:53Z")
            if t is FieldType.DATE and not ranged.strftime and len(v) != 10:
                return ("format", f"{v!r} is not a date like 2025-03-14")
        else:
            if isinstance(v, bool) or not isinstance(v, int | float):
                return ("type", f"expected a number, got {type(v).__name__}")
            if t is FieldType.INTEGER and not isinstance(v, int):
                return ("type", f"expected an integer, got {v!r}")
            if isinstance(v, float) and not math.isfinite(v):
                return ("type", "expected a finite number")
            if t is not FieldType.INTEGER and abs(round(v, digits) - v) > 1e-9:
                return ("precision", f"{v!r} has more than {digits} decimals")
            raw = round(v * ranged.scale)
        if enforce_lo and raw < lo:
            return ("min", f"{v!r} is below the minimum {ranged.out(lo)!r}")
        if enforce_hi and raw > hi:
            return ("max", f"{v!r} is above the maximum {ranged.out(hi)!r}")
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
    return simple.get(t, _str_check)
