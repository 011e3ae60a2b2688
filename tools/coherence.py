"""Coherence score: how well rows hang together, from the rules plus entity-specific checks.

Per row: the mean of (share of rules and constraints that hold) and each entity check (for example
`items_theme_affinity`: the share of a basket's items from its dominant category or a category affine to
it, tools/world/baskets.py). Per dataset: the mean.
"""

from __future__ import annotations

from typing import Any

from tools.catalogue import Theme, catalogue_in_use, load_catalogue, per_catalogue
from tools.schema import EntitySchema
from tools.world.additions import PLAN_THEME


def _items_theme_affinity(row: dict[str, Any]) -> float | None:
    items = row.get("items")
    if not isinstance(items, list) or not items:
        return None
    cats = [i.get("category") for i in items if isinstance(i, dict)]
    if not cats:
        return None
    # Runs on every streamed row: the usual one-category basket costs one count.
    if cats.count(cats[0]) == len(cats):
        return 1.0
    near = _affine_categories()
    # The best reading: the basket's theme is whichever category holds most items with its affine ones.
    return max(sum(c in near.get(theme, {theme}) for c in cats) for theme in set(cats)) / len(cats)


@per_catalogue
def _affine_categories() -> dict[Any, frozenset[Any]]:
    """Category -> itself and the categories affine to it either way (catalogue.yaml `affinity`, and
    the departments of a plan's own products among themselves)."""
    themes = load_catalogue()
    by_name = {t.name: t.category for t in themes}
    near: dict[Any, set[Any]] = {t.category: {t.category} for t in themes}
    for t in themes:
        for a in t.affinity:
            if a in by_name:
                near[t.category].add(by_name[a])
                near[by_name[a]].add(t.category)
        if t.name == PLAN_THEME:  # a plan's own range (a swim shop's masks, rash guards, sunscreen) is
            # one shop's: its departments go together in a basket as a theme's do
            range_ = {p.category for p in t.products}
            for c in range_:
                near.setdefault(c, {c}).update(range_)
    return {c: frozenset(s) for c, s in near.items()}


CHECKS = {"items_theme_affinity": _items_theme_affinity, "items_one_theme": _items_theme_affinity}


class CoherenceMeter:
    def __init__(self, schema: EntitySchema, catalogue: tuple[Theme, ...] | None = None) -> None:
        self.checks = [CHECKS[c] for c in schema.checks if c in CHECKS]
        self.rule_count = max(1, len(schema.rules) + len(schema.fields))
        self.total = 0.0
        self.rows = 0
        # The catalogue the rows were made with (a plan's own products): their categories' affinity.
        self.catalogue = catalogue

    def scores(self, rows: list[dict[str, Any]]) -> list[float]:
        """Each row's score (edge rows count one broken rule)."""
        with catalogue_in_use(self.catalogue):
            return [self.row_score(r, 1 if "_violates" in r else 0) for r in rows]

    def row_score(self, row: dict[str, Any], violations: int = 0) -> float:
        total = 1.0 - min(1.0, violations / self.rule_count)
        parts = 1
        for check in self.checks:
            s = check(row)
            if s is not None:
                total += s
                parts += 1
        return total / parts

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.add_scores(self.scores(rows))

    def add_scores(self, scores: list[float]) -> None:
        """Rows scored elsewhere (a worker process, tools/blocks.py), added in the same order as `add`."""
        for s in scores:
            self.total += s
        self.rows += len(scores)

    @property
    def score(self) -> float:
        return self.total / self.rows if self.rows else 1.0
