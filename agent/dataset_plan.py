"""DatasetPlan: how a linked dataset's family is shaped (children per parent, value mixes).

The model writes one from the request's context; with no model, keyword rules write one. Either
way `apply_dataset_plan` applies it to the family tree and the same generator makes the rows, so
every cross-entity invariant still holds by construction: a plan moves counts and weights, never
the rules. Field descriptions are instructions to the model.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from agent.plan import (
    Peaks,
    ProductAddition,
    RecordTable,
    peaks_field,
    product_share_field,
    products_field,
)
from agent.plan_products import checked_products
from agent.plan_values import record_tables
from agent.plannable import RECORD, Plannable
from agent.segments import MAX_SEGMENTS
from tools.catalogue import load_catalogue
from tools.dataset import Node, walk, worst_rows
from tools.records import Records
from tools.schema import EntitySchema, FieldType
from tools.world.additions import Addition
from tools.world.text.maker import source_of
from tools.world.wanted import leads_to

PREVIEW_ROOTS = 20
MAX_CHILDREN = 20  # children per parent a plan may ask for: beyond it a family stops being a test case
# Records one root may bring under a plan, at most (the registry's customer family: 234). Bounds the
# memory of a root batch, the preview and the model's appetite.
MAX_ROWS_PER_ROOT = 2_500
Weight = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]


class Cardinality(BaseModel):
    """How many children of one entity each parent row gets."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="A child entity of the family, as named in the family summary.")
    count: list[int] = Field(
        min_length=2, max_length=2, description=f"[fewest, most] per parent row, 0 to {MAX_CHILDREN}."
    )
    weights: list[Weight] | None = Field(
        None, description="Relative frequency of each count from fewest to most (most - fewest + 1 numbers)."
    )


class ValueMix(BaseModel):
    """The distribution of one enum field, for example the order status mix."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description="Entity of the family.")
    field: str = Field(description="An enum field listed as mixable in the family summary.")
    weights: dict[str, Weight] = Field(
        description="value -> relative frequency. Values left out never occur; list every value "
        "that should (copy the current weights of those the context does not change)."
    )


class DatasetSegment(BaseModel):
    """A kind of root record the context implies (bargain hunters, corporate buyers) and what its
    whole family is like: a share of the roots, with counts, value mixes and themes of its own for
    the root and its descendants (a bargain hunter's orders are small and coupon-heavy)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="A short name, e.g. 'bargain_hunters'.")
    share: float = Field(gt=0, le=1, description="Share of the root records in this segment; all at most 1.")
    intent: str = Field("", description="One sentence: who these roots are.")
    cardinalities: list[Cardinality] = Field(
        default_factory=list, description="Counts for this segment's families (replace the plan's)."
    )
    mixes: list[ValueMix] = Field(
        default_factory=list, description="Value mixes for this segment's families (replace the plan's)."
    )
    themes: dict[str, Weight] = Field(
        default_factory=dict, description="Theme weights for this segment's families; empty: the plan's."
    )


class FamilyRecords(RecordTable):
    """A record table for one entity of the family: its records draw their entries (a review's title,
    body and rating; a ticket's subject and description), written for the context, and the engine
    makes every other field. Fields the family links set (ids, what follows a parent) cannot be filled."""

    entity: str = Field(description="The entity whose records the entries fill, as in the family summary.")


class DatasetPlan(BaseModel):
    """A linked dataset's shape. Leave out what the context does not call for: an empty plan keeps
    the registry's realistic defaults."""

    model_config = ConfigDict(extra="forbid")

    cardinalities: list[Cardinality] = Field(default_factory=list)
    mixes: list[ValueMix] = Field(default_factory=list)
    themes: dict[str, Weight] = Field(
        default_factory=dict,
        description="Catalogue theme weights for the family's products (theme name -> weight): carts, "
        "orders, items and reviews of one root record share its theme. Empty: every theme alike.",
    )
    peaks: Peaks = peaks_field()
    products: list[ProductAddition] = products_field(
        ": the family's carts, orders, items, reviews and wishlists"
    )
    product_share: float = product_share_field()
    segments: list[DatasetSegment] = Field(
        default_factory=list,
        description="Kinds of root records with families of their own shape; the other roots follow the "
        "plan's own settings.",
    )
    records: list[FamilyRecords] = Field(
        default_factory=list,
        description="Texts the context calls for, as record tables per entity (the summary lists the "
        "texts each entity writes): every record of that entity draws one entry.",
    )


def link_fields(schema: EntitySchema) -> dict[str, str]:
    """Fields the link sets from an ancestor (field -> what it follows): a plan cannot mix them."""
    link = schema.dataset
    if link is None:
        return {}
    out = {name: _story_field(path) for name, path in link.copy_.items()}
    out.update({name: _story_field(by.source) for name, by in link.by.items()})
    out.update(link.after)
    out.update(link.at_most)
    if link.sequence is not None:
        out[link.sequence.field] = "its state walk"
        out[link.sequence.time] = "its state walk"
    return out


def _story_field(path: str) -> str:
    """`story:order.payment` -> `order.status`: what follows an order's story follows its status."""
    if not path.startswith("story:"):
        return path
    return f"{path.removeprefix('story:').split('.', 1)[0]}.status"


def fixed_count(node: Node) -> str:
    """Why a plan cannot change this entity's count ('' when it can)."""
    link = node.schema.dataset
    if link is None:
        return "it is a root: its count comes from the request"
    if link.per_item:
        return f"it has one row per item of {link.per_item}"
    if link.sequence is not None:
        return f"its rows walk the states of {link.sequence.by}"
    if link.count == [1, 1]:
        # One payment per order, one preference row per customer: amounts and unique keys rely on it.
        return f"there is exactly one per {link.parent}"
    return ""


def record_texts(schema: EntitySchema) -> list[str]:
    """The texts the entity's grammars write that a record table may fill (the family summary's list)."""
    can, follows = Plannable(schema), link_fields(schema)
    return [
        f.name
        for f in schema.fields
        if (source_of(f) or "").startswith("grammar.")
        and f.name not in follows
        and not can.refusal(RECORD, f.name, f)
    ]


def mixable(schema: EntitySchema) -> list[str]:
    follows = link_fields(schema)
    return [f.name for f in schema.fields if f.values and f.name not in follows]


def spellings(schema: EntitySchema, field: str) -> dict[str, str]:
    """Accepted spellings of an enum field's values -> the value as str (true/false for booleans)."""
    spec = schema.field(field)
    assert spec is not None and spec.values
    out = {str(v): str(v) for v in spec.values}
    if spec.type is FieldType.BOOLEAN:
        out.update({str(v).lower(): str(v) for v in spec.values})
    return out


def check_dataset_plan(
    plan: DatasetPlan, roots: list[Node], requested: frozenset[str] = frozenset()
) -> list[str]:
    """Every problem of the plan for this family, each naming the entry and the fix. `requested`:
    the entities the client listed, which the plan must not leave out."""
    nodes = {n.name: n for n in walk(roots)}
    problems = _count_problems(plan, nodes) + _mix_problems(plan, nodes) + _theme_problems(plan)
    problems += _segment_problems(plan, nodes)
    problems += dataset_products(plan, roots)[1]
    problems += family_records(plan, nodes)[1]
    if not problems:
        problems = _reach_problems(plan, roots, nodes, requested) + _size_problems(plan, roots)
    return problems


def dataset_products(plan: DatasetPlan, roots: list[Node]) -> tuple[tuple[Addition, ...], list[str]]:
    """The plan's own products as catalogue additions for this family, and what is wrong with any."""
    return checked_products(
        plan.products, [n.schema for n in walk(roots)], "the family's records", dropped=False
    )


def family_records(plan: DatasetPlan, nodes: dict[str, Node]) -> tuple[dict[str, list[Records]], list[str]]:
    """The plan's record tables by entity, as the engine draws them, and what is wrong with any (a
    dataset plan is served whole: every problem goes back to the model)."""
    out: dict[str, list[Records]] = {}
    problems: list[str] = []
    filled: dict[tuple[str, str], int] = {}  # (entity, field) -> the table that fills it
    for i, t in enumerate(plan.records):
        at = f"records[{i}] ({t.entity})"
        node = nodes.get(t.entity)
        if node is None:
            problems.append(_absent(at, nodes))
            continue
        linked = link_fields(node.schema)
        tops = {f: f.split(".")[0].removesuffix("[]") for f in t.fields}  # the top-level field of a path
        followed = next((f for f, top in tops.items() if top in linked), None)
        if followed is not None:
            why = f"follows {linked[tops[followed]]} in the family"
            problems.append(f"{at}: field {followed!r} {why}; leave it out of the table")
            continue
        shared = next((f for f in t.fields if (t.entity, f) in filled), None)
        if shared is not None:  # two draws for one field: its values would not go with the others'
            j = filled[(t.entity, shared)]
            problems.append(f"{at}: field {shared!r} is in records[{j}] too; put them in one table")
            continue
        filled.update({(t.entity, f): i for f in t.fields})
        table = RecordTable(fields=t.fields, rows=t.rows, weights=t.weights)
        made, more = record_tables(node.schema, [table], "")
        # Served whole, not with parts dropped as a row plan is: say what to do, not what was dropped.
        said = (p.removeprefix("records[0]").replace("; the table was dropped", "") for p in more)
        problems += [
            f"{at}{p.replace('entries dropped', 'entries refused')}; fix it or leave it out" for p in said
        ]
        out.setdefault(t.entity, []).extend(made)
    return out, problems


def _absent(where: str, nodes: dict[str, Node]) -> str:
    return f"{where}: not in this dataset; entities are {', '.join(nodes)}"


def _segment_problems(plan: DatasetPlan, nodes: dict[str, Node]) -> list[str]:
    """Each segment checked as a plan of its own (entries named segments[i] (name): ...)."""
    problems: list[str] = []
    if len(plan.segments) > MAX_SEGMENTS:
        problems.append(f"segments: {len(plan.segments)} segments; give {MAX_SEGMENTS} at most")
    if sum(g.share for g in plan.segments) > 1 + 1e-9:
        problems.append("segments: shares add up to more than 1; the rest of the roots follow the plan")
    names = [g.name for g in plan.segments]
    if len(set(names)) != len(names):
        problems.append("segments: two segments share a name; give each its own")
    for i, g in enumerate(plan.segments):
        own = DatasetPlan(cardinalities=g.cardinalities, mixes=g.mixes, themes=g.themes)
        found = _count_problems(own, nodes) + _mix_problems(own, nodes) + _theme_problems(own)
        problems += [f"segments[{i}] ({g.name}): {p}" for p in found]
    return problems


def _weights_problem(where: str, weights: list[float]) -> str:
    if not sum(weights) > 0:
        return f"{where}: weights must be 0 or more with at least one above 0"
    return ""


def _theme_problems(plan: DatasetPlan) -> list[str]:
    if not plan.themes:
        return []
    names = [t.name for t in load_catalogue()]
    unknown = sorted(set(plan.themes) - set(names))
    if unknown:
        return [f"themes: unknown themes {unknown}; themes are {', '.join(names)}"]
    return [bad] if (bad := _weights_problem("themes", list(plan.themes.values()))) else []


def _count_problems(plan: DatasetPlan, nodes: dict[str, Node]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(plan.cardinalities):
        where = f"cardinalities[{i}] ({c.entity})"
        node = nodes.get(c.entity)
        if node is None:
            problems.append(_absent(where, nodes))
            continue
        if fixed := fixed_count(node):
            problems.append(f"{where}: its count cannot change: {fixed}")
        lo, hi = c.count
        most = 1 if node.schema.dataset and node.schema.dataset.count[1] == 1 else MAX_CHILDREN
        if not 0 <= lo <= hi <= most:
            problems.append(f"{where}: count must be [fewest, most] with 0 <= fewest <= most <= {most}")
        elif c.weights is not None:
            if len(c.weights) != hi - lo + 1:
                problems.append(f"{where}: give {hi - lo + 1} weights, one per count from {lo} to {hi}")
            elif bad := _weights_problem(where, c.weights):
                problems.append(bad)
        if c.entity in seen:
            problems.append(f"{where}: {c.entity} appears twice; give one entry per entity")
        seen.add(c.entity)
    return problems


def _mix_problems(plan: DatasetPlan, nodes: dict[str, Node]) -> list[str]:
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, m in enumerate(plan.mixes):
        where = f"mixes[{i}] ({m.entity}.{m.field})"
        node = nodes.get(m.entity)
        if node is None:
            problems.append(f"{where}: {m.entity} is not in this dataset; entities are {', '.join(nodes)}")
            continue
        spec = node.schema.field(m.field)
        follows = link_fields(node.schema).get(m.field)
        if spec is None or not spec.values:
            fields = ", ".join(mixable(node.schema)) or "none"
            problems.append(f"{where}: not an enum field of {m.entity}; mixable fields: {fields}")
        elif follows:
            problems.append(f"{where}: it follows {follows}; change that instead")
        else:
            known = spellings(node.schema, m.field)
            unknown = sorted(set(m.weights) - set(known))
            if unknown:
                values = sorted(set(known.values()))
                problems.append(f"{where}: unknown values {unknown}; values are {values}")
            elif bad := _weights_problem(where, list(m.weights.values())):
                problems.append(bad)
        if (m.entity, m.field) in seen:
            problems.append(f"{where}: appears twice; give one entry per field")
        seen.add((m.entity, m.field))
    return problems


def _reach_problems(
    plan: DatasetPlan, roots: list[Node], nodes: dict[str, Node], requested: frozenset[str]
) -> list[str]:
    """A requested entity must stay reachable: no zero count, no ruled-out state on its way down."""
    parents = {c.name: n.name for n in walk(roots) for c in n.children}
    counts = {c.entity: c.count for c in plan.cardinalities}
    mixes = {(m.entity, m.field): m for m in plan.mixes}
    problems = []
    for name in sorted(requested & set(parents)):
        node: str | None = name
        while node in parents:
            if counts.get(node, [1, 1])[1] == 0:
                problems.append(f"{node}: count 0 leaves no {name}, which the request asks for")
            link = nodes[node].schema.dataset
            for path, allowed in (link.when if link else {}).items():
                blocked = _ruled_out(path, {str(v) for v in allowed}, nodes, mixes)
                if blocked:
                    lost = node if node == name else f"{node} and no {name}"
                    problems.append(
                        f"mixes ({blocked}): gives none of the values that lead to {path} in {allowed}, "
                        f"so no {lost}, which the request asks for"
                    )
            node = parents.get(node)
    return problems


def _ruled_out(
    path: str,
    allowed: set[str],
    nodes: dict[str, Node],
    mixes: dict[tuple[str, str], ValueMix],
    depth: int = 0,
) -> str:
    """The mixed `entity.field` that makes every value in `allowed` impossible at `path` ('' if none),
    following fields that copy or map an ancestor's (payment.status follows order.status)."""
    if path.startswith("story:"):  # a story's key (story:order.payment): the order statuses it comes with
        owner, _, key = path.removeprefix("story:").partition(".")
        return _ruled_out(f"{owner}.status", leads_to(key, allowed), nodes, mixes, depth + 1)
    entity, _, field = path.partition(".")
    node = nodes.get(entity)
    if node is None or depth > 8:
        return ""
    mix = mixes.get((entity, field))
    if mix is not None:
        known = spellings(node.schema, field)
        given = {known[k]: w for k, w in mix.weights.items()}
        return "" if any(given.get(v, 0) > 0 for v in allowed) else f"{entity}.{field}"
    link = node.schema.dataset
    if link is None:
        return ""
    if field in link.by:
        by = link.by[field]
        sources = {str(k) for k, values in by.map.items() if {str(v) for v in values} & allowed}
        if "*" in sources or not sources:
            return ""  # any other value may lead there; or none ever does, whatever the plan says
        return _ruled_out(by.source, sources, nodes, mixes, depth + 1)
    if field in link.copy_ and not link.copy_[field].startswith("sibling:"):
        return _ruled_out(link.copy_[field], allowed, nodes, mixes, depth + 1)
    return ""


def _size_problems(plan: DatasetPlan, roots: list[Node]) -> list[str]:
    shaped = [copied(r, r.count) for r in roots]
    apply_dataset_plan(shaped, plan)
    problems = []
    for root in shaped:
        most = worst_rows(root)  # over every segment's counts too (most_children)
        if most > MAX_ROWS_PER_ROOT:
            problems.append(
                f"the plan allows up to {most:,} records per {root.name} (the most of every count "
                f"multiplied down the family), above {MAX_ROWS_PER_ROOT:,}: lower the counts per parent"
            )
    return problems


def apply_dataset_plan(roots: list[Node], plan: DatasetPlan) -> None:
    """Shape the family in place. The plan must have passed `check_dataset_plan`. A segment's
    settings are applied on top of the plan's into the nodes' variants; the roots carry the shares."""
    nodes = {n.name: n for n in walk(roots)}
    for name, tables in family_records(plan, nodes)[0].items():
        nodes[name].records = tables
    shaped = _shaped({n: node.schema for n, node in nodes.items()}, plan.cardinalities, plan.mixes)
    for name, schema in shaped.items():
        nodes[name].schema = schema
    for i, g in enumerate(plan.segments):
        base = {n: node.schema for n, node in nodes.items()}
        for name, schema in _shaped(base, g.cardinalities, g.mixes).items():
            nodes[name].variants[i] = schema
    if plan.segments:
        for root in roots:
            root.segments = tuple((g.share, dict(g.themes)) for g in plan.segments)


def _shaped(
    schemas: dict[str, EntitySchema], cardinalities: list[Cardinality], mixes: list[ValueMix]
) -> dict[str, EntitySchema]:
    """The schemas these counts and mixes change, changed (the others are left out)."""
    out: dict[str, EntitySchema] = {}
    for c in cardinalities:
        schema = out.get(c.entity, schemas[c.entity])
        assert schema.dataset is not None
        link = schema.dataset.model_copy(update={"count": list(c.count), "weights": c.weights})
        out[c.entity] = schema.model_copy(update={"dataset": link})
    for m in mixes:
        schema = out.get(m.entity, schemas[m.entity])
        known = spellings(schema, m.field)
        weights = {known[k]: w for k, w in m.weights.items()}
        schema = schema.model_copy(deep=True)
        spec = schema.field(m.field)
        assert spec is not None and spec.values
        spec.weights = [float(weights.get(str(v), 0.0)) for v in spec.values]
        out[m.entity] = schema
    return out


def copied(node: Node, count: int | None) -> Node:
    """The tree again, sharing schemas (applying a plan replaces a node's schema, never changes it)."""
    return Node(
        node.schema, count, [copied(c, None) for c in node.children],
        segments=node.segments, variants=dict(node.variants),
    )  # fmt: skip


def current_weights(schema: EntitySchema, field: str) -> dict[str, float]:
    spec = schema.field(field)
    assert spec is not None and spec.values
    weights = spec.weights or [1.0] * len(spec.values)
    return {str(v): float(w) for v, w in zip(spec.values, weights, strict=True)}
