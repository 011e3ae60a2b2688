"""A plan's segments (agent/plan.py SegmentPlan): a scenario's rows split by share into the scenario's
own rows and each segment's, every part its own engine Scenario under the request's scenario name
(rows still say `_scenario` as the request named it; the engine seeds each part by its position, so
the parts draw different rows). The scenario's own rows come first, then each segment's, in order.
A plan without segments makes exactly the scenario it made before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.apply_plan import apply_field_plans
from agent.plan import SegmentPlan
from agent.plan_values import record_tables
from tools.schema import EntitySchema

MAX_SEGMENTS = 8


@dataclass
class Part:
    count: int
    schema: EntitySchema
    records: list[Any]
    themes: dict[str, float] | None


def split_count(n: int, shares: list[float]) -> list[int]:
    """n rows over the shares (which add up to 1) by largest remainder: the counts add up to n, and the
    same n and shares always split the same way."""
    raw = [n * s for s in shares]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def parts(
    n: int,
    segments: list[SegmentPlan],
    schema: EntitySchema,
    records: list[Any],
    themes: dict[str, float] | None,
    where: str,
) -> tuple[list[Part], list[str]]:
    """The scenario's parts: its own rows, then each segment's (segments with no rows are left out)."""
    own = Part(n, schema, records, themes)
    if not segments:
        return [own], []
    problems: list[str] = []
    kept: list[SegmentPlan] = []
    for seg in segments:
        if any(k.name == seg.name for k in kept):
            problems.append(f"{where}segment {seg.name!r}: a second segment of that name; ignored")
        elif len(kept) >= MAX_SEGMENTS:
            problems.append(f"{where}segment {seg.name!r}: more than {MAX_SEGMENTS} segments; ignored")
        else:
            kept.append(seg)
    total = sum(seg.share for seg in kept)
    if total > 1 + 1e-9:
        problems.append(
            f"{where}segments: shares add up to {total:.2f}, more than 1; segments ignored "
            "(give shares that add up to 1 at most: the rest are the scenario's own rows)"
        )
        return [own], problems
    counts = split_count(n, [max(0.0, 1 - total), *(seg.share for seg in kept)])
    out = [Part(counts[0], schema, records, themes)]
    for seg, count in zip(kept, counts[1:], strict=True):
        label = f"{where}segment {seg.name}: "
        seg_schema, more = apply_field_plans(schema, seg.fields)
        problems += [label + p for p in more]
        seg_records = records
        if seg.records:
            seg_records, more = record_tables(seg_schema, seg.records, label)
            problems += more
        if count:
            out.append(Part(count, seg_schema, seg_records, seg.themes or themes))
    return out, problems
