"""What people and the model see of a linked family and its plan: the family summary (the model's
instructions), a small preview made under a plan, and the plan in one line (headers and logs)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from agent.dataset_plan import (
    PREVIEW_ROOTS,
    DatasetPlan,
    apply_dataset_plan,
    copied,
    current_weights,
    dataset_products,
    fixed_count,
    link_fields,
    mixable,
    record_texts,
)
from tools.catalogue import load_catalogue
from tools.dataset import DatasetGenerator, Node, walk
from tools.world.additions import catalogue_for


def preview(roots: list[Node], plan: DatasetPlan, seed: int = 0) -> dict[str, Any]:
    """A small family made under the plan: counts per entity and shares of the values the plan
    mixes and of every status field."""
    small = [copied(r, PREVIEW_ROOTS) for r in roots]
    apply_dataset_plan(small, plan)
    watched = {(m.entity, m.field) for m in plan.mixes}
    watched |= {(n.name, f.name) for n in walk(small) for f in n.schema.fields if f.name == "status"}
    counts: Counter[str] = Counter()
    shares: dict[str, Counter[str]] = {}
    themes: Counter[str] = Counter()
    category_of = {p.id: t.category for t in load_catalogue() for p in t.products}
    products = dataset_products(plan, roots)[0]  # the plan's checked ones: check_plan names the rest
    made = DatasetGenerator(
        small, seed, themes=plan.themes, products=products, product_share=plan.product_share
    )
    category_of.update({p.id: p.category for t in catalogue_for(products) or () for p in t.products})
    for entity, rows in made.batches():
        counts[entity] += len(rows)
        themes.update(c for i in _items(rows) if (c := category_of.get(str(i.get("product_id")))))
        for e, f in watched:
            if e == entity:
                shares.setdefault(f"{e}.{f}", Counter()).update(str(r.get(f)) for r in rows)
    return {
        "records": dict(counts),
        "item_categories": {k: round(n / sum(themes.values()), 2) for k, n in themes.most_common(6)},
        "shares": {
            k: {v: round(n / sum(c.values()), 2) for v, n in c.most_common()} for k, c in shares.items()
        },
    }


def _items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for r in rows if isinstance(r.get("items"), list) for i in r["items"] if isinstance(i, dict)]


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
            when = f", only when {link.when}" if link.when else ""
            lines.append(f"{pad}{node.name} (under {link.parent}): fixed count, {fixed}{when}")
        else:
            lo, hi = link.count
            weights = f", weights {link.weights}" if link.weights else " (uniform)"
            when = f", only when {link.when}" if link.when else ""
            lines.append(
                f"{pad}{node.name} (under {link.parent}): {lo}-{hi} per {link.parent}{weights}{when}"
            )
        for name in mixable(node.schema):
            lines.append(f"{pad}  mixable {node.name}.{name}: {current_weights(node.schema, name)}")
        if texts := record_texts(node.schema):
            lines.append(f"{pad}  texts for records: {', '.join(f'{node.name}.{t}' for t in texts)}")
        for name, source in sorted(link_fields(node.schema).items()):
            if (spec := node.schema.field(name)) is not None and spec.values:
                lines.append(f"{pad}  {node.name}.{name} follows {source}")
    themes = ", ".join(f"{t.name} ({t.category})" for t in load_catalogue())
    lines.append(f"Product themes (for `themes` weights): {themes}")
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
    if plan.themes:
        total = sum(plan.themes.values()) or 1.0
        top = sorted(plan.themes.items(), key=lambda kv: -kv[1])[:4]
        parts.append("themes=" + ",".join(f"{t}:{w / total:.0%}" for t, w in top))
    if plan.products:
        parts.append(f"products={len(plan.products)}:{plan.product_share:.0%}")
    if plan.records:
        parts.append("records=" + ",".join(f"{t.entity}:{len(t.rows)}" for t in plan.records))
    if plan.segments:
        parts.append("segments=" + ",".join(f"{g.name}:{g.share:.0%}" for g in plan.segments))
    return "; ".join(parts) or "registry defaults"
