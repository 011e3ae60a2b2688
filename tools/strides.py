"""Slots per parent for every array of a job: how far apart its rows' unique item values sit.

An array item's slot is its parent's slot times the array's stride plus its position (tools/seeds.py),
so the stride must hold the most items any maker of the job can put there: the largest max_items of
the job's schemas (a plan may tighten one per scenario) and of its forced item counts. It is fixed
before anything is made, so every block and process agrees on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from tools.chains import join
from tools.compiler import natural_stride
from tools.schema import FieldSpec, FieldType


def job_strides(specs: Iterable[FieldSpec], counts: Iterable[tuple[str, int]] = ()) -> dict[str, int]:
    """item path (`items[]`) -> stride, over every schema a job makes rows of and its forced counts."""
    out: dict[str, int] = {}
    for spec in specs:
        _walk(spec, "", out)
    for path, n in counts:
        out[f"{path}[]"] = max(out.get(f"{path}[]", 1), n)
    return out


def _walk(spec: FieldSpec, path: str, out: dict[str, int]) -> None:
    for f in spec.fields:
        _field(f, join(path, f.name), out)


def _field(spec: FieldSpec, path: str, out: dict[str, int]) -> None:
    if spec.type is FieldType.ARRAY:
        item_path = f"{path}[]"
        out[item_path] = max(out.get(item_path, 1), natural_stride(spec, path))
        if spec.items is not None:
            _field(spec.items, item_path, out)
    elif spec.fields:
        _walk(spec, path, out)
