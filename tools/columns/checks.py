"""The validator's checks run over a block of rows (columns/objects.py), at a fraction of the per-row cost.

Nothing here is a second validator: the checks are the row validator's own closures (validator.py,
rule_checks.py). What changes is how often they run:
- a leaf check depends on the value alone, so it runs once per distinct (type, value) in the column:
  a currency column of 1,024 rows is four checks, a column of prices one per distinct price;
- rule checks (derived values, order, conditional presence) read several fields, so they run per object.
The object and array checks of the row validator (a dict, a list, no unknown keys) hold by construction:
columns.py builds each object from the schema's own field list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tools.patterns import ALPHABETS, Template, parse_template
from tools.ranged import Ranged, make_ranged
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType
from tools.validator import field_check
from tools.violations import Out


class FieldCheck:
    """A field's own check (validator.field_check) over a column of its values."""

    def __init__(self, spec: FieldSpec, window: tuple[int, int], year: int) -> None:
        self.name = spec.name
        self.check = field_check(spec, window, year)
        self.proven = array_proof(spec, window, year)

    def mark(self, values: list[Any], bad: np.ndarray) -> None:
        """Sets bad[i] for every row whose value fails the field's checks."""
        if self.proven is not None:
            ok = self.proven(values)
            if ok is not None:
                # Values the array test could not clear get the field's own check, one by one.
                doubtful = np.flatnonzero(~ok).tolist()
                bad[[i for i in doubtful if self._fails(values[i])]] = True
                return
        kinds = set(map(type, values))
        try:
            if len(kinds) == 1 and kinds <= {str, int}:
                # One type whose equal values are the same value: check each distinct one once.
                wrong = {v for v in set(values) if self._fails(v)}
                if wrong:
                    bad[[i for i, v in enumerate(values) if v in wrong]] = True
                return
            # Mixed types: 1, 1.0 and True are equal keys but not the same value to a check.
            keyed = {key for key in set(zip(map(type, values), values, strict=True)) if self._fails(key[1])}
        except TypeError:  # unhashable values (lists, dicts): check each
            bad[[i for i, v in enumerate(values) if self._fails(v)]] = True
            return
        if keyed:
            bad[[i for i, key in enumerate(zip(map(type, values), values, strict=True)) if key in keyed]] = (
                True
            )

    def _fails(self, value: Any) -> bool:
        out: Out = []
        self.check(value, "", out)
        return bool(out)


Proof = Callable[[list[Any]], "np.ndarray | None"]


def array_proof(spec: FieldSpec, window: tuple[int, int], year: int) -> Proof | None:
    """A whole-column test for fields of many distinct values (amounts, times): True where the value
    certainly passes the field's check (checks.py), None when the column is not of the expected type.
    Anything it does not clear still gets the field's own check, so it may be strict, never lax."""
    if spec.values or spec.is_nullable or spec.min_length is not None or spec.max_length is not None:
        return None
    if spec.type in NUMERIC_TYPES:
        return _number_proof(spec, make_ranged(spec, spec.name, window))
    if spec.type in TEMPORAL_TYPES and not (spec.format and "%" in spec.format):
        return _iso_proof(spec, make_ranged(spec, spec.name, window))
    if spec.type is FieldType.PATTERN and not spec.regex:
        return _template_proof(parse_template(spec.format or "", year, spec.name))
    return None


def _ascii_matrix(values: list[Any], width: int) -> np.ndarray | None:
    """Texts all `width` ASCII characters long as a (rows, width) matrix of codes; None otherwise."""
    if set(map(type, values)) != {str} or set(map(len, values)) != {width}:
        return None
    text = "".join(values)
    if not text.isascii():
        return None
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(len(values), width)


def _template_proof(tpl: Template) -> Proof:
    """Ids from a template: every character is one its slot allows (a byte table per position)."""
    allowed = np.zeros((tpl.length, 256), dtype=bool)
    at = 0
    for part in tpl.parts:
        chars = part if isinstance(part, str) else ALPHABETS[part[0]] * part[1]
        width = len(part) if isinstance(part, str) else part[1]
        for j in range(width):
            symbols = chars[j] if isinstance(part, str) else ALPHABETS[part[0]]
            allowed[at + j, [ord(c) for c in symbols if ord(c) < 256]] = True
        at += width
    for start in tpl.years:  # a {year} is any four digits (a record carries its own: tools/world/id_years.py)
        allowed[start : start + 4] = False
        allowed[start : start + 4, ord("0") : ord("9") + 1] = True
    width = tpl.length
    columns = np.arange(width)

    def proof(values: list[Any]) -> np.ndarray | None:
        codes = _ascii_matrix(values, width)
        if codes is None:
            return None
        return np.asarray(allowed[columns, codes].all(axis=1))

    return proof


def _number_proof(spec: FieldSpec, ranged: Ranged) -> Proof:
    integer = spec.type is FieldType.INTEGER
    scale = ranged.scale
    lo = ranged.lo if spec.min is not None else None
    hi = ranged.hi if spec.max is not None else None

    def proof(values: list[Any]) -> np.ndarray | None:
        types = set(map(type, values))
        if types == {int}:
            if max(max(values), -min(values)) * scale >= 2**53:
                return None  # past what int64 holds once scaled (a derived product of big ints)
            raw = np.array(values, dtype=np.int64) * scale
            ok = np.ones(len(values), dtype=bool)
        elif types == {float} and not integer:
            v = np.array(values, dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):  # inf and nan fail below, as they should
                scaled = v * scale
                raw = np.rint(scaled)  # round() to the nearest, halves to even, as Python's round
                ok = np.isfinite(scaled) & (np.abs(raw - scaled) <= 1e-6)
        else:
            return None
        if lo is not None:
            ok &= raw >= lo
        if hi is not None:
            ok &= raw <= hi
        return ok

    return proof


def _iso_proof(spec: FieldSpec, ranged: Ranged) -> Proof:
    """ISO texts (`2025-03-14T09:26:53Z`, `2025-03-14`), read as a matrix of ASCII codes: digits and
    separators where they belong, each part in its range, the day within its month (leap years
    included), so `fromisoformat` accepts the text. Texts of one width sort like their instants, so
    the bounds compare as text."""
    datetime = spec.type is FieldType.DATETIME
    width = 20 if datetime else 10
    layout = "dddd-dd-ddTdd:dd:ddZ"[:width]
    digits = np.array([i for i, c in enumerate(layout) if c == "d"])
    marks = [(i, ord(c)) for i, c in enumerate(layout) if c != "d"]
    lo = ranged.out(ranged.lo) if spec.min is not None else None
    hi = ranged.out(ranged.hi) if spec.max is not None else None

    def proof(values: list[Any]) -> np.ndarray | None:
        codes = _ascii_matrix(values, width)
        if codes is None:
            return None
        ok = ((codes[:, digits] >= 48) & (codes[:, digits] <= 57)).all(axis=1)
        for i, code in marks:
            ok &= codes[:, i] == code
        d = codes.astype(np.int64) - 48
        year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
        month, day = d[:, 5] * 10 + d[:, 6], d[:, 8] * 10 + d[:, 9]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = np.where(month == 2, 28 + leap, 30 + ((month + (month > 7)) % 2))
        ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
        if datetime:
            ok &= (d[:, 11] * 10 + d[:, 12] <= 23) & (d[:, 14] * 10 + d[:, 15] <= 59)
            ok &= d[:, 17] * 10 + d[:, 18] <= 59
        if lo is not None:
            ok &= np.array(values) >= lo
        if hi is not None:
            ok &= np.array(values) <= hi
        return np.asarray(ok)

    return proof
