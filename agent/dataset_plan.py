"""DatasetPlan: how a linked dataset's family is shaped (children per parent, value mixes).

The model writes one from the request's context; with no model, keyword rules write one. Either
way `apply_dataset_plan` applies it to the family tree and the same generator makes the rows, so
every cross-entity invariant still holds by construction: a plan moves counts and weights, never
the rules. Field descriptions are instructions to the model.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.dataset import DatasetGenerator, Node, walk
from tools.schema import EntitySchema

PREVIEW_ROOTS = 20
MAX_CHILDREN = 20  # children per parent a plan may ask for: beyond it a family stops being a test case


class Cardinality(BaseModel):
    """How many children of one entity each parent row gets."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="A child entity of the family, as named in the family summary.")
    count: list[int] = Field(
        min_length=2, max_length=2, description=f"[fewest, most] per parent row, 0 to {MAX_CHILDREN}."
    )
    weights: list[float] | None = Field(
        None, description="Relative frequency of each count from fewest to most (most - fewest + 1 numbers)."
    )


class ValueMix(BaseModel):
    """The distribution of one enum field, for example the order status mix."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="Entity of the family.")
    field: str = Field(description="An enum field listed as mixable in the family summary.")
    weights: dict[str, float] = Field(
        description="value -> relative frequency. Values left out never occur; list every value "
        "that should (copy the current weights of those the context does not change)."
    )


class DatasetPlan(BaseModel):
    """A linked dataset's shape. Leave out what the context does not call for: an empty plan keeps
    the registry's realistic defaults."""

    model_config = ConfigDict(extra="forbid")

    cardinalities: list[Cardinality] = Field(default_factory=list)
    mixes: list[ValueMix] = Field(default_factory=list)


def _link_fields(schema: EntitySchema) -> dict[str, str]:
    """Fields the link sets from an ancestor (field -> what it follows): a plan cannot mix them."""
    link = schema.dataset
    if link is None:
        return {}
    out = {name: path for name, path in link.copy_.items()}
    out.update({name: by.source for name, by in link.by.items()})
    out.update(link.after)
    out.update(link.at_most)
    if link.sequence is not None:
        out[link.sequence.field] = "its state walk"
        out[link.sequence.time] = "its state walk"
    return out


def fixed_count(node: Node) -> str:
    link = node.schema.dataset
    if link is None:
        return "it is a root: its count comes from the request"
    if link.per_item:
        return f"it has one row per item of {link.per_item}"
    if link.sequence is not None:
        return f"its rows walk the states of {link.sequence.by}"
    return ""


def _weights_problem(where: str, weights: list[float]) -> str:
    if any(w < 0 for w in weights) or not sum(weights) > 0:
        return f"{where}: weights must be 0 or more with at least one above 0"
    return ""


def check_dataset_plan(plan: DatasetPlan, roots: list[Node]) -> list[str]:
    """Every problem of the plan for this family, each naming the entry and the fix."""
    nodes = {n.name: n for n in walk(roots)}
    names = ", ".join(nodes)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, c in enumerate(plan.cardinalities):
        where = f"cardinalities[{i}] ({c.entity})"
        node = nodes.get(c.entity)
        if node is None:
            problems.append(f"{where}: not in this dataset; entities are {names}")
            continue
        if fixed := fixed_count(node):
            problems.append(f"{where}: its count cannot change: {fixed}")
        lo, hi = c.count
        if not 0 <= lo <= hi <= MAX_CHILDREN:
            problems.append(
                f"{where}: count must be [fewest, most] with 0 <= fewest <= most <= {MAX_CHILDREN}"
            )
        elif c.weights is not None:
            if len(c.weights) != hi - lo + 1:
                problems.append(f"{where}: give {hi - lo + 1} weights, one per count from {lo} to {hi}")
            elif bad := _weights_problem(where, c.weights):
                problems.append(bad)
        if ("count", c.entity) in seen:
            problems.append(f"{where}: {c.entity} appears twice; give one entry per entity")
        seen.add(("count", c.entity))
    for i, m in enumerate(plan.mixes):
        where = f"mixes[{i}] ({m.entity}.{m.field})"
        node = nodes.get(m.entity)
        if node is None:
            problems.append(f"{where}: {m.entity} is not in this dataset; entities are {names}")
            continue
        spec = node.schema.field(m.field)
        follows = _link_fields(node.schema).get(m.field)
        if spec is None or not spec.values:
            names = ", ".join(mixable(node.schema)) or "none"
            problems.append(f"{where}: not an enum field of {m.entity}; mixable fields: {names}")
        elif follows:
            problems.append(f"{where}: it follows {follows}; change that instead")
        else:
            known = {str(v) for v in spec.values}
            unknown = sorted(set(m.weights) - known)
            if unknown:
                problems.append(f"{where}: unknown values {unknown}; values are {sorted(known)}")
            elif bad := _weights_problem(where, list(m.weights.values())):
                problems.append(bad)
        if (m.entity, m.field) in seen:
            problems.append(f"{where}: appears twice; give one entry per field")
        seen.add((m.entity, m.field))
    return problems


def mixable(schema: EntitySchema) -> list[str]:
    follows = _link_fields(schema)
    return [f.name for f in schema.fields if f.values and f.name not in follows]


def apply_dataset_plan(roots: list[Node], plan: DatasetPlan) -> None:
    """Shape the family in place. The plan must have passed `check_dataset_plan`."""
    nodes = {n.name: n for n in walk(roots)}
    for c in plan.cardinalities:
        node = nodes[c.entity]
        assert node.schema.dataset is not None
        link = node.schema.dataset.model_copy(update={"count": list(c.count), "weights": c.weights})
        node.schema = node.schema.model_copy(update={"dataset": link})
    for m in plan.mixes:
        node = nodes[m.entity]
        node.schema = node.schema.model_copy(deep=True)
        spec = node.schema.field(m.field)
        assert spec is not None and spec.values
        spec.weights = [float(m.weights.get(str(v), 0.0)) for v in spec.values]


def preview(roots: list[Node], plan: DatasetPlan, seed: int = 0) -> dict[str, Any]:
    """A small family made under the plan: counts per entity and shares of the values the plan
    mixes and of every status field."""
    small = [_copied(r, PREVIEW_ROOTS) for r in roots]
    apply_dataset_plan(small, plan)
    watched = {(m.entity, m.field) for m in plan.mixes}
    watched |= {(n.name, f.name) for n in walk(small) for f in n.schema.fields if f.name == "status"}
    counts: Counter[str] = Counter()
    shares: dict[str, Counter[str]] = {}
    for entity, rows in DatasetGenerator(small, seed).batches():
        counts[entity] += len(rows)
        for e, f in watched:
            if e == entity:
                shares.setdefault(f"{e}.{f}", Counter()).update(str(r.get(f)) for r in rows)
    return {
        "records": dict(counts),
        "shares": {
            k: {v: round(n / sum(c.values()), 2) for v, n in c.most_common()} for k, c in shares.items()
        },
    }


def _copied(node: Node, count: int | None) -> Node:
    # Schemas are shared: applying a plan replaces a node's schema, never changes it in place.
    return Node(node.schema, count, [_copied(c, None) for c in node.children])


def current_weights(schema: EntitySchema, field: str) -> dict[str, float]:
    spec = schema.field(field)
    assert spec is not None and spec.values
    weights = spec.weights or [1.0] * len(spec.values)
    return {str(v): float(w) for v, w in zip(spec.values, weights, strict=True)}


def family_summary(roots: list[Node], requested: bool = True) -> str:
    """The family as the model reads it: who hangs from whom, counts, and what a plan may change.
    Without `requested` the root counts are left out (plan cache keys)."""
    lines = []
    for node in walk(roots):
        link = node.schema.dataset
        root = link is None or any(node is r for r in roots)
        pad = "" if root else "  " * (1 + _depth(roots, node.name))
        if root or link is None:
            asked = f" ({node.count or 'as capped'} requested)" if requested else ""
            lines.append(f"{pad}{node.name}: root{asked}")
        elif fixed := fixed_count(node):
            lines.append(f"{pad}{node.name} (under {link.parent}): fixed count, {fixed}")
        else:
            lo, hi = link.count
            weights = f", weights {link.weights}" if link.weights else " (uniform)"
            when = f", only when {link.when}" if link.when else ""
            lines.append(
                f"{pad}{node.name} (under {link.parent}): {lo}-{hi} per {link.parent}{weights}{when}"
            )
        for name in mixable(node.schema):
            lines.append(f"{pad}  mixable {node.name}.{name}: {current_weights(node.schema, name)}")
        for name, source in sorted(_link_fields(node.schema).items()):
            if (spec := node.schema.field(name)) is not None and spec.values:
                lines.append(f"{pad}  {node.name}.{name} follows {source}")
    return "\n".join(lines)


def _depth(roots: list[Node], name: str) -> int:
    parents = {c.name: n.name for n in walk(roots) for c in n.children}
    depth = 0
    while parents.get(name) in parents:
        name, depth = parents[name], depth + 1
    return depth


def plan_summary(plan: DatasetPlan) -> str:
    """One line for response metadata and logs: what the plan changed."""
    parts = [f"{c.entity}.count={c.count[0]}-{c.count[1]}" for c in plan.cardinalities]
    for m in plan.mixes:
        total = sum(m.weights.values()) or 1.0
        top = sorted(m.weights.items(), key=lambda kv: -kv[1])[:4]
        parts.append(f"{m.entity}.{m.field}=" + ",".join(f"{v}:{w / total:.0%}" for v, w in top))
    return "; ".join(parts) or "registry defaults"
