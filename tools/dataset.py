"""Linked datasets: entities that reference each other, generated parents first, memory flat in size.

The registry's `dataset:` sections form a tree (customer -> order -> payment -> shipment -> tracking).
Roots are made in batches; after each batch of roots come their children, then grandchildren, so
every chunk's foreign keys point at rows already sent and only one batch's family is ever in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.cancel import check as check_cancelled
from tools.catalogue import catalogue_in_use, made_in
from tools.compiler import item_bounds
from tools.engine import Job, Scenario, theme_chooser
from tools.errors import MAX_ITEMS, GenerationFailed, InvalidRequest
from tools.link_makers import link_makers, resolve, walk_times
from tools.links import anchor_paths
from tools.maker_kit import Env, chooser, pool_key
from tools.records import Records
from tools.registry import Registry
from tools.rollups import roll_up_for
from tools.runner import RowRunner
from tools.schema import EntitySchema
from tools.seeds import key_of
from tools.strides import job_strides
from tools.temporal import REFERENCE_SECONDS, parse_datetime, parse_duration, window_at, year_of
from tools.world.additions import Addition, catalogue_for

ROOT_BATCH = 200
BATCH_ROWS = 60_000  # records of one root batch's families, at most: 200 roots up to 300 records each
IDLE_ROOTS = 20_000  # roots made without a capped child growing before a capped request gives up


@dataclass
class Node:
    schema: EntitySchema
    count: int | None  # roots: how many; children: a cap (None: follow the cardinalities)
    children: list[Node] = field(default_factory=list)
    made: int = 0
    # A dataset plan's segments (agent/dataset_plan.py): on a root, (share, themes) per segment, each
    # root's family in one of them; on any node, the schema a segment gives it (segment number ->).
    segments: tuple[tuple[float, dict[str, float]], ...] = ()
    variants: dict[int, EntitySchema] = field(default_factory=dict)
    records: list[Records] = field(default_factory=list)  # a dataset plan's record tables for this entity

    @property
    def name(self) -> str:
        return self.schema.name


def parent_of(schema: EntitySchema) -> str | None:
    return schema.dataset.parent if schema.dataset is not None else None


def plan_tree(registry: Registry, requested: dict[str, int], domain: str = "") -> list[Node]:
    """Root nodes for the requested entities, their ancestors, and (for a bare root) its whole family."""
    if not requested:
        raise InvalidRequest("entities", "no entities requested", "send at least one, e.g. customer=100")
    for name, n in requested.items():
        registry.get(name, domain)
        if n < 0:
            raise InvalidRequest(f"entities[{name}]", "count must not be negative", "send 0 or more")
    wanted = set(requested)
    bare_roots = [n for n in requested if parent_of(registry.get(n)) is None]
    if len(wanted) == len(bare_roots):
        wanted |= {s.name for s in registry.schemas(domain) if _root_of(registry, s.name) in wanted}
    for name in list(wanted):
        p = parent_of(registry.get(name))
        while p is not None:
            wanted.add(p)
            p = parent_of(registry.get(p))
    nodes = {n: Node(registry.get(n), requested.get(n) or None) for n in sorted(wanted)}
    roots: list[Node] = []
    for name in sorted(
        wanted, key=lambda n: (_depth(registry, n), sibling_refs(nodes[n].schema) != set(), n)
    ):
        p = parent_of(nodes[name].schema)
        (nodes[p].children if p else roots).append(nodes[name])
    for root in roots:
        if root.count is None and not _capped(root):
            raise InvalidRequest(
                "entities", f"give {root.name} a count (it is the root)", f"e.g. {root.name}=100"
            )
    return roots


def sibling_refs(schema: EntitySchema) -> set[str]:
    """Siblings a child reads (an order takes its customer's cart): those are made before it."""
    link = schema.dataset
    if link is None:
        return set()
    after = [p for text in link.after.values() for p, _ in anchor_paths(text)]
    paths = [*link.copy_.values(), *after, *link.before.values()]
    return {p.removeprefix("sibling:").split(".")[0] for p in paths if p.startswith("sibling:")}


def _root_of(registry: Registry, name: str) -> str:
    while (p := parent_of(registry.get(name))) is not None:
        name = p
    return name


def _depth(registry: Registry, name: str) -> int:
    depth = 0
    while (p := parent_of(registry.get(name))) is not None:
        name, depth = p, depth + 1
    return depth


def _capped(node: Node) -> bool:
    return any(c.count is not None or _capped(c) for c in node.children)


def ancestors(roots: list[Node], name: str) -> set[str]:
    """The entities a node hangs from, up to its root."""
    parents = {c.name: n.name for n in walk(roots) for c in n.children}
    out = set()
    while name in parents:
        name = parents[name]
        out.add(name)
    return out


def walk(roots: list[Node]) -> list[Node]:
    """Every node, parents before children (the order chunks are sent in)."""
    out: list[Node] = []
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop(0)
            out.append(node)
            stack[0:0] = node.children
    return out


class DatasetGenerator:
    def __init__(
        self,
        roots: list[Node],
        seed: int,
        locale: str = "en_US",
        root_batch: int = ROOT_BATCH,
        themes: dict[str, float] | None = None,
        as_of: int = REFERENCE_SECONDS,
        peaks: dict[str, float] | None = None,
        products: tuple[Addition, ...] = (),
        product_share: float = 1.0,
    ) -> None:
        # A dataset plan's own products (tools/world/additions.py): the catalogue while this family is
        # compiled and made, and their share of product picks.
        self.catalogue = catalogue_for(products)
        self.product_share = product_share
        with catalogue_in_use(self.catalogue):
            self._compile(roots, seed, locale, root_batch, themes, as_of, peaks)

    def _compile(
        self,
        roots: list[Node],
        seed: int,
        locale: str,
        root_batch: int,
        themes: dict[str, float] | None,
        as_of: int,
        peaks: dict[str, float] | None,
    ) -> None:
        share = self.product_share if self.catalogue is not None else None
        self.roots = roots
        self.nodes = walk(roots)
        self.root_batch = root_batch_for(roots, root_batch)
        window = window_at(as_of)
        self.as_of = as_of
        self.seed = seed
        self.rng = random.Random(0)
        ids = {n.name: n.schema.id_field or "" for n in self.nodes}
        self.runners: dict[str, RowRunner] = {}
        self.envs: dict[str, Env] = {}
        self.families: dict[str, object] = {}  # entity -> the root whose family its generator is on
        self.position: dict[str, int] = {}  # entity -> its records made so far in that family
        # The most records of each entity one root's family can hold: a record's `_index` (and the
        # slot its unique ids are read at) is root number * that + its place in the family.
        self.most = {name: most for root in roots for name, most in per_root_most(root).items()}
        self.variants: dict[tuple[str, int], RowRunner] = {}
        for node in self.nodes:
            env = Env(
                rng=random.Random(key_of(seed, node.name, "compile")),
                locale=locale,
                year=year_of(as_of),
                window=window,
                as_of=as_of,
                peaks=tuple(sorted((peaks or {}).items())),
                seed_key=f"{seed}/{node.name}",
                strides=job_strides([node.schema.as_object()]),
                product_share=share,
            )
            link = node.schema.dataset if parent_of(node.schema) in ids else None
            ancestors = {a: ids[a] for a in self._ancestors(node)}
            makers = link_makers(node.schema, link, ancestors, env) if link is not None else {}
            job = Job(schema=node.schema, scenarios=[], seed=seed, locale=locale)
            own = Scenario("default", 0, makers=makers, records=list(node.records))
            self.runners[node.name] = RowRunner(job, own, env, window)
            self.envs[node.name] = env
            for i, schema in sorted(node.variants.items()):  # after the base: its compile draws stay put
                link = schema.dataset if parent_of(schema) in ids else None
                makers = link_makers(schema, link, ancestors, env) if link is not None else {}
                job = Job(schema=schema, scenarios=[], seed=seed, locale=locale)
                own = Scenario("default", 0, makers=makers, records=list(node.records))
                self.variants[(node.name, i)] = RowRunner(job, own, env, window)
        # A root's theme: its whole family's. Per root with segments: each segment's theme chooser (its
        # own themes, else the plan's).
        self.pick_theme = theme_chooser(themes or {}, self.rng, self.product_share)
        self.segment_themes = {
            r.name: [theme_chooser(t or themes or {}, self.rng, self.product_share) for _, t in r.segments]
            for r in roots
        }
        self.roll_up = roll_up_for(roots, as_of, locale)

    def _ancestors(self, node: Node) -> list[str]:
        out, p = [], parent_of(node.schema)
        by_name = {n.name: n for n in self.nodes}
        while p is not None and p in by_name:
            out.append(p)
            p = parent_of(by_name[p].schema)
        return out

    def batches(self, span: tuple[int, int] | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """(entity, rows) in sending order; with `span` (one root with a count, no capped children: see
        `partitionable`), only the families of roots span[0]..span[1] - 1, exactly as they are in the
        whole run when span[0] is a multiple of `root_batch`."""
        return made_in(self.catalogue, self._batches(span))

    def _batches(self, span: tuple[int, int] | None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        if span is not None:
            assert partitionable(self.roots), "spans are for one counted root without caps"
            self.roots[0].made, self.roots[0].count = span[0], span[1]
        for root in self.roots:
            idle, progress = 0, -1
            while self._root_more(root):
                if root.count is None:  # roots made until capped children are full: they must grow
                    idle = 0 if self._capped_made(root) > progress else idle + self.root_batch
                    progress = self._capped_made(root)
                    if idle >= IDLE_ROOTS:
                        wanted = ", ".join(c.name for c in walk(root.children) if c.count is not None)
                        raise GenerationFailed(
                            "entities",
                            f"{idle:,} {root.name} records in a row brought no more {wanted}",
                            "the plan or the context leaves none: ask for the root count instead",
                        )
                take = self.root_batch if root.count is None else min(self.root_batch, root.count - root.made)
                families: list[tuple[dict[str, Any], dict[str, Any]]] = []
                rows = []
                for _ in range(take):
                    check_cancelled()  # a family can be thousands of records: stop once the request is gone
                    family = (root.name, root.made)
                    self.rng.seed(key_of(self.seed, "dataset", *family))
                    self._enter(root.name, family)
                    segment = _segment_of(root, self.seed, family)
                    pick = self.pick_theme if segment is None else self.segment_themes[root.name][segment]
                    theme = pick()
                    links: dict[str, Any] = {"_theme": theme, "_family": family}
                    if segment is not None:  # the family's segment: its descendants take its variants
                        links["_segment"] = segment
                    slot = self._slot(root.name, family)
                    row = self._emit(root, self._runner(root, links).row(theme, links, slot), slot)
                    rows.append(row)
                    families.append((row, {**links, root.name: row}))
                # The batch's families first: a root may add them up (tools/rollups.py). A batch is
                # bounded (BATCH_ROWS), so memory stays flat in the number of roots.
                below = list(self._children(root, families))
                self.roll_up(root.name, rows, below)
                yield root.name, rows
                yield from below

    def _runner(self, node: Node, links: dict[str, Any]) -> RowRunner:
        """The node's runner for the family's segment: its variant where the segment shapes it."""
        segment = links.get("_segment")
        if segment is not None and (node.name, segment) in self.variants:
            return self.variants[(node.name, segment)]
        return self.runners[node.name]

    def _schema(self, node: Node, links: dict[str, Any]) -> EntitySchema:
        segment = links.get("_segment")
        return node.variants.get(segment, node.schema) if segment is not None else node.schema

    def _enter(self, name: str, family: tuple[str, int]) -> None:
        """Put an entity's generator on a root's family (tools/seeds.py): what a family draws depends on
        the seed and the root's number alone, not on the families made before it."""
        if self.families.get(name) != family:
            self.families[name] = family
            self.position[name] = 0
            self.envs[name].rng.seed(key_of(self.seed, name, *family))

    def _slot(self, name: str, family: tuple[str, int]) -> int:
        """The next record's `_index` and slot: a function of its root and its place in the family, so
        any range of roots can be made alone (tools/seeds.py)."""
        place = self.position[name]
        self.position[name] = place + 1
        return family[1] * self.most[name] + place

    def _capped_made(self, root: Node) -> int:
        return sum(c.made for c in walk(root.children) if c.count is not None)

    def _root_more(self, root: Node) -> bool:
        if root.count is not None:
            return root.made < root.count
        return any(c.count is not None and c.made < c.count for c in walk(root.children))

    def _emit(self, node: Node, row: dict[str, Any], slot: int) -> dict[str, Any]:
        row["_index"] = slot
        node.made += 1
        return row

    def _children(self, node: Node, families: list[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator:
        for child in node.children:
            made: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for _parent, links in families:
                check_cancelled()
                made.extend(self._family(child, links))
            if made:
                yield child.name, [row for row, _ in made]
            yield from self._children(child, made)

    def _family(self, child: Node, links: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        link = child.schema.dataset
        assert link is not None
        if any(
            pool_key(resolve(links, path)) not in {pool_key(v) for v in allowed}
            for path, allowed in link.when.items()
        ):
            return []
        siblings = links.setdefault("_siblings", {})
        out = []
        self._enter(child.name, links["_family"])
        for extra in self._slots(child, links):
            if child.count is not None and child.made >= child.count:
                break
            theme = links["_theme"]
            slot = self._slot(child.name, links["_family"])
            rank = len(siblings.get(child.name, ()))  # the sibling of this rank is the one it reads
            runner = self._runner(child, links)
            row = self._emit(
                child, runner.row(theme, {**links, **extra, "_siblings": siblings, "_rank": rank}, slot), slot
            )
            siblings.setdefault(child.name, []).append(row)
            below = {**links, child.name: row, "_siblings": {}}
            if runner.story is not None:  # its descendants read its story (an order's shipped instant)
                below["_stories"] = {**links.get("_stories", {}), child.name: runner.story.to_links()}
            out.append((row, below))
        return out

    def _slots(self, child: Node, links: dict[str, Any]) -> list[dict[str, Any]]:
        """One dict of per-child links per child to make: its item, or its state and time in a walk."""
        link = self._schema(child, links).dataset
        assert link is not None
        rnd = self.envs[child.name].rnd
        if link.per_item:
            return [{"_item": item} for item in resolve(links, link.per_item) or []]
        if link.sequence is not None:
            seq = link.sequence
            key = pool_key(resolve(links, seq.by))
            steps = seq.steps.get(key) or seq.steps.get("*") or []
            anchors = {s: _seconds(resolve(links, p)) for s, p in seq.anchors.items()}
            first = anchor_paths(link.after.get(seq.time, ""))[0][0]
            start = _seconds(resolve(links, first)) or self.envs[child.name].window[0]
            times = walk_times(start, steps, anchors, parse_duration(seq.gap), rnd, self.as_of)
            return [{"_seq": s, "_time": t} for s, t in zip(steps, times, strict=True)]
        lo, hi = link.count
        values = list(range(lo, hi + 1))
        weights = link.weights
        if link.weights_by is not None:  # a plan's cardinality weights (link.weights) win over these
            by = link.weights_by
            weights = weights or by.map.get(pool_key(resolve(links, by.source))) or by.map.get("*")
        n = chooser(values, weights if weights and len(weights) == len(values) else None, rnd)()
        return [{} for _ in range(n)]


def _segment_of(root: Node, seed: int, family: tuple[str, int]) -> int | None:
    """The segment a root's family is in (None: the plan's own), from its own draw: the root's
    other draws, and so a plan without segments, stay as they were."""
    if not root.segments:
        return None
    u = random.Random(key_of(seed, "segment", *family)).random()
    for i, (share, _) in enumerate(root.segments):
        if u < share:
            return i
        u -= share
    return None


def _seconds(value: Any) -> int | None:
    return parse_datetime(value) if value not in (None, "") else None


def worst_rows(node: Node, nodes: dict[str, Node] | None = None) -> int:
    """The most records one row of `node` can bring with its descendants (itself included): the
    largest count of every link multiplied down the tree. Bounds memory per root batch."""
    if nodes is None:
        nodes = {n.name: n for n in walk([node])}
    total = 1
    for child in node.children:
        total += most_children(child, nodes) * worst_rows(child, nodes)
    return total


def root_batch_for(roots: list[Node], most_roots: int = ROOT_BATCH) -> int:
    """Roots per batch: a batch's whole family is in memory at once, so fewer when families can be big."""
    most = max(worst_rows(r) for r in roots)
    return max(1, min(most_roots, BATCH_ROWS // most))


def partitionable(roots: list[Node]) -> bool:
    """Whether ranges of roots can be made apart (tools/blocks.py): one root with a count and no caps
    on its descendants (a cap counts records across families: it holds in one process only)."""
    return len(roots) == 1 and roots[0].count is not None and not _capped(roots[0])


def per_root_most(root: Node) -> dict[str, int]:
    """entity -> the most records of it one `root` record's family can hold (the root: 1)."""
    nodes = {n.name: n for n in walk([root])}
    out = {root.name: 1}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            out[child.name] = out[node.name] * max(1, most_children(child, nodes))
            stack.append(child)
    return out


def most_children(child: Node, nodes: dict[str, Node]) -> int:
    """The most rows of `child` one parent row can have, in any segment."""
    return max(_most(schema, nodes) for schema in [child.schema, *child.variants.values()])


def _most(schema: EntitySchema, nodes: dict[str, Node]) -> int:
    link = schema.dataset
    if link is None:
        return 0
    if link.per_item:
        owner, _, field = link.per_item.partition(".")
        spec = nodes[owner].schema.field(field) if owner in nodes else None
        return item_bounds(spec, link.per_item)[1] if spec is not None else MAX_ITEMS
    if link.sequence is not None:
        return max((len(s) for s in link.sequence.steps.values()), default=0)
    return link.count[1]
