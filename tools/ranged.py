"""Ranged values (integer, float, money, date, datetime) drawn in an integer "raw" space.

Money 12.34 is raw 1234 (cents), a datetime is epoch seconds, a date epoch days. Drawing integers
keeps amounts exact to the cent, and order rules (`created_at <= updated_at`, `reserved <= on_hand`)
become integer comparisons on the raw values.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from tools import temporal
from tools.errors import InvalidRequest
from tools.schema import FieldSpec, FieldType
from tools.shapes import RawShape, histogram_shape, normal_shape
from tools.world.prices import scaled_amount

MAX_SAFE = 2**53 - 1
# Epoch seconds of the first and last second that dates can show (0001-01-01, 9999-12-31T23:59:59Z).
FIRST_SECOND = -62_135_596_800
LAST_SECOND = 253_402_300_799
DEFAULT_BOUNDS = {
    FieldType.INTEGER: (0.0, 1000.0),
    FieldType.FLOAT: (0.0, 1000.0),
    FieldType.MONEY: (1.0, 500.0),
}


@dataclass
class Ranged:
    ftype: FieldType
    lo: int
    hi: int
    scale: int  # raw units per value unit: 100 for cents, 1 for integers and times
    strftime: str | None = None
    log_scale: bool = False
    typical: NormalDist | None = None  # of log(raw): FieldSpec.typical
    shape: RawShape | None = None  # FieldSpec.distribution (tools/shapes.py)

    def draw(self, rnd: Callable[[], float], lo: int, hi: int) -> int:
        if self.shape is not None:
            raw = self.shape.raw(rnd(), rnd(), lo, hi)
            if raw is not None:
                return raw
        if self.typical is not None and hi > 0:
            raw = typical_raw(self.typical, rnd(), max(lo, 1), hi)  # a min of 0: from the first unit
            if raw is not None:
                return raw
        if self.log_scale and lo > 0 and hi > 50 * lo:
            # Amounts spread over orders of magnitude: most are small, a few are large.
            return min(hi, max(lo, int(math.exp(math.log(lo) + rnd() * (math.log(hi + 1) - math.log(lo))))))
        return lo + int(rnd() * (hi - lo + 1))

    def out(self, raw: int) -> Any:
        t = self.ftype
        if t is FieldType.INTEGER:
            return raw
        if t is FieldType.DATETIME:
            return (
                temporal.strftime_text(raw, self.strftime) if self.strftime else temporal.datetime_text(raw)
            )
        if t is FieldType.DATE:
            if self.strftime:
                return temporal.strftime_text(raw * temporal.DAY, self.strftime)
            return temporal.day_text(raw)
        return raw / self.scale if self.scale != 1 else float(raw)

    def raw_of(self, value: Any) -> int:
        """The raw integer of a final value (for forced values and validation). Raises ValueError."""
        t = self.ftype
        if t is FieldType.DATETIME:
            return temporal.parse_datetime(value) if not self.strftime else _parse_strf(value, self.strftime)
        if t is FieldType.DATE:
            if self.strftime:
                return _parse_strf(value, self.strftime) // temporal.DAY
            return temporal.parse_date(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a number")
        return round(value * self.scale)


# Below this share of the log-normal's mass inside the bounds, the bounds sit far in a tail (a user's
# min of 10,000 on payments typical at 15..350): draw as if no typical was given.
_MIN_MASS = 1e-6
_P90_Z = 1.2815515655446004  # the standard normal's 90th percentile


def log_normal(p10: float, p90: float, scale: int) -> NormalDist:
    """The normal distribution of log(raw) whose 10th and 90th percentiles are p10 and p90."""
    lo, hi = math.log(p10 * scale), math.log(p90 * scale)
    return NormalDist((lo + hi) / 2, (hi - lo) / (2 * _P90_Z))


def typical_raw(dist: NormalDist, u: float, lo: int, hi: int) -> int | None:
    """A raw value from `dist` truncated to [lo, hi] by inverse transform: one uniform, no rejection."""
    a, b = dist.cdf(math.log(lo)), dist.cdf(math.log(hi + 1))
    if b - a < _MIN_MASS:
        return None
    p = min(max(a + u * (b - a), 1e-12), 1 - 1e-12)
    return min(hi, max(lo, int(math.exp(dist.inv_cdf(p)))))


def _parse_strf(value: Any, pattern: str) -> int:
    from datetime import UTC, datetime

    return int(datetime.strptime(str(value), pattern).replace(tzinfo=UTC).timestamp())


def precision_of(spec: FieldSpec) -> int:
    if spec.precision is not None:
        return spec.precision
    if spec.source == "tax_rate" and spec.type is FieldType.FLOAT:
        return 5  # a rate such as Quebec's 0.14975 (tools/world/tax.py RATE_DIGITS)
    return 2 if spec.type in (FieldType.MONEY, FieldType.FLOAT) else 0


def make_ranged(spec: FieldSpec, path: str, window: tuple[int, int]) -> Ranged:
    t = spec.type
    strf = spec.format if spec.format and "%" in spec.format else None
    if t in (FieldType.DATE, FieldType.DATETIME):
        div = temporal.DAY if t is FieldType.DATE else 1
        probe = Ranged(t, 0, 0, 1, strf)
        lo = _bound(probe, spec.min, path, "min", window[0] // div)
        hi = _bound(probe, spec.max, path, "max", window[1] // div)
        if t is FieldType.DATETIME and isinstance(spec.max, str) and len(spec.max.strip()) == 10:
            hi += temporal.DAY - 1  # a date-only maximum includes that whole day
        if spec.min is not None and spec.max is None:
            hi = max(hi, lo + temporal.DEFAULT_SPAN_DAYS * temporal.DAY // div)
        if spec.max is not None and spec.min is None:
            lo = min(lo, hi - temporal.DEFAULT_SPAN_DAYS * temporal.DAY // div)
        # A default span past year 1 or 9999 (min 9999-06-01 alone) stops at the calendar's end.
        ranged = Ranged(t, max(lo, FIRST_SECOND // div), min(hi, LAST_SECOND // div), 1, strf)
    else:
        scale = 10 ** precision_of(spec) if t is not FieldType.INTEGER else 1
        dlo, dhi = DEFAULT_BOUNDS[t]
        if spec.currency is not None and t is FieldType.MONEY:  # a yen field's default range is in yen
            dlo, dhi = scaled_amount(dlo, spec.currency), scaled_amount(dhi, spec.currency)
        vmin = _number(spec.min, path, "min")
        vmax = _number(spec.max, path, "max")
        if vmin is None:
            vmin = dlo if vmax is None or vmax >= dlo else vmax - (dhi - dlo)
        if vmax is None:
            vmax = max(dhi, vmin + (dhi - dlo)) if vmin <= dhi else vmin + (dhi - dlo)
        ranged = Ranged(t, math.ceil(vmin * scale - 1e-9), math.floor(vmax * scale + 1e-9), scale)
        ranged.log_scale = t is FieldType.MONEY
        if spec.typical is not None:
            ranged.typical = log_normal(spec.typical[0], spec.typical[1], scale)
        _check_held(spec, ranged, path)
    if spec.distribution is not None:
        ranged.shape = _shape(spec, ranged, path)
    if ranged.lo > ranged.hi:
        if t in (FieldType.DATE, FieldType.DATETIME):  # an ISO text and epoch seconds do not compare
            raise InvalidRequest(path, f"min ({spec.min}) is after max ({spec.max})", "swap or widen them")
        if spec.min is not None and spec.max is not None and float(spec.min) <= float(spec.max):
            unit = "integer" if t is FieldType.INTEGER else f"value with {precision_of(spec)} decimals"
            raise InvalidRequest(path, f"no {unit} lies between {spec.min} and {spec.max}", "widen the range")
        raise InvalidRequest(path, f"min ({spec.min}) is greater than max ({spec.max})", "swap or widen them")
    return ranged


def _shape(spec: FieldSpec, ranged: Ranged, path: str) -> RawShape:
    d = spec.distribution
    assert d is not None
    if d.kind == "normal":
        assert d.mean is not None and d.sd is not None
        if spec.type in (FieldType.DATE, FieldType.DATETIME):
            raise InvalidRequest(f"{path}.distribution", "a normal shape needs a number field", "use bins")
        return normal_shape(d.mean, d.sd, ranged.scale)
    bars = []
    for i, (lo, hi, weight) in enumerate(d.bins):
        try:
            bars.append((ranged.raw_of(lo), ranged.raw_of(hi), float(weight)))
        except (TypeError, ValueError) as exc:
            where = f"{path}.distribution.bins[{i}]"
            raise InvalidRequest(where, str(exc), "give lo and hi as the field's values") from None
    return histogram_shape(bars)


def _number(value: Any, path: str, key: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{path}.{key}", f"{value!r} is not a number", "send a number") from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidRequest(f"{path}.{key}", "must be a finite number", "send a finite number")
    if abs(number) > MAX_SAFE:
        # Past 2^53 doubles lose integers and JSON readers disagree; no test data needs more.
        raise InvalidRequest(f"{path}.{key}", f"{value!r} is out of range", f"stay within ±{MAX_SAFE:,}")
    if 0 < abs(number) < sys.float_info.min:
        # A subnormal double has lost precision already; scaled to the field's decimals it reads as 0.
        raise InvalidRequest(
            f"{path}.{key}", f"{value!r} is too close to 0 for a float to hold", "send 0 or a larger bound"
        )
    return number


def _check_held(spec: FieldSpec, ranged: Ranged, path: str) -> None:
    """The range as the field holds it (whole cents, whole numbers) stays where doubles count exactly
    and still honours the bounds asked for: else values could fall below min or above max."""
    integer = spec.type is FieldType.INTEGER
    digits = precision_of(spec)
    unit = "whole numbers" if integer else f"{digits} decimals"
    key = "max" if spec.max is not None else "min"
    if max(abs(ranged.lo), abs(ranged.hi)) > MAX_SAFE:
        largest = f"{MAX_SAFE / ranged.scale:,.{digits}f}"
        raise InvalidRequest(
            f"{path}.{key}",
            f"the range reaches past ±{largest}, where values with {unit} stop being exact",
            "narrow the range" + ("" if integer else " or lower precision"),
        )
    for key, raw, bound in (("min", ranged.lo, spec.min), ("max", ranged.hi, spec.max)):
        held = raw / ranged.scale
        if bound is not None and (held < float(bound) if key == "min" else held > float(bound)):
            raise InvalidRequest(
                f"{path}.{key}",
                f"the field holds {unit}, and {bound!r} sits within a rounding error of one of them, so "
                f"values could fall {'below' if key == 'min' else 'above'} it",
                f"round it to {unit}" + ("" if integer else ", or raise precision (up to 10)"),
            )


def _bound(probe: Ranged, value: Any, path: str, key: str, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, str) and not FIRST_SECOND <= value <= LAST_SECOND:  # `not <=`: NaN too
        raise InvalidRequest(
            f"{path}.{key}",
            f"{value:g} seconds since 1970 is outside years 1 to 9999",
            f"send epoch seconds from {FIRST_SECOND:,} to {LAST_SECOND:,}, or an ISO date such as 2025-01-31",
        )
    try:
        return probe.raw_of(value) if isinstance(value, str) else _epoch(probe, value)
    except (ValueError, OverflowError, TypeError):
        raise InvalidRequest(
            f"{path}.{key}", f"{str(value)[:40]!r} is not a date", "send an ISO date such as 2025-01-31"
        ) from None


def _epoch(probe: Ranged, value: float) -> int:
    seconds = int(value)
    return seconds // temporal.DAY if probe.ftype is FieldType.DATE else seconds
