"""A plan's own products (GenerationPlan.products) checked and turned into catalogue additions.

Each product is checked on its own and dropped alone, with a problem naming it, the rule and the fix:
its texts pass the output-side guard (agent/text_guard.py), its department is one the catalogue has
(tax by category, coherence and the product.category field read it), its price fits every price field
of the schema, and its line stays small. The engine merges what is kept into the catalogue for this
plan's rows only (tools/world/additions.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.plan import GenerationPlan, ProductAddition
from agent.plan_values import value_problem
from agent.text_guard import refusal
from tools.catalogue import base_catalogue
from tools.schema import EntitySchema, FieldSpec
from tools.world.additions import MAX_LINE, MAX_PRODUCTS, Addition, line

MAX_NAME = 100
MAX_BRAND = 40
MAX_DESCRIPTION = 300
MAX_OPTION = 30
MAX_ATTRIBUTES = 3
MIN_PRICE, MAX_PRICE = 0.5, 100_000.0


def _product_fields(fields: list[FieldSpec]) -> Iterator[FieldSpec]:
    for f in fields:
        if (f.source or "").startswith("product."):
            yield f
        yield from _product_fields(f.fields or [])
        if f.items is not None:
            yield from _product_fields([f.items])


def plan_products(schema: EntitySchema, plan: GenerationPlan) -> tuple[tuple[Addition, ...], list[str]]:
    """The plan's products the checks keep, and a problem for each one dropped."""
    return checked_products(plan.products, [schema], f"{schema.name} rows", dropped=True)


def checked_products(
    products: list[ProductAddition], schemas: list[EntitySchema], holder: str, dropped: bool
) -> tuple[tuple[Addition, ...], list[str]]:
    """The products that pass the checks against `schemas` (the request's, or a dataset's family), and
    a problem for each one that does not: `dropped` (a row plan is served without it) or to be fixed
    (a dataset plan is checked whole, agent/dataset_plan.py)."""
    if not products:
        return (), []
    then = "the product was dropped" if dropped else "fix it or leave it out"
    held = [f for schema in schemas for f in _product_fields(schema.fields)]
    if not held:
        gone = "the products were dropped" if dropped else "leave products out"
        return (), [f"products: {holder} hold no catalogue products; {gone}"]
    prices = [f for f in held if f.source == "product.price"]
    departments = sorted({p.category for t in base_catalogue() for p in t.products})
    themes = {t.name for t in base_catalogue()}
    out: list[Addition] = []
    problems: list[str] = []
    names: set[str] = set()
    total = 0
    for i, p in enumerate(products):
        at = f"products[{i}] {p.name[:60]!r}"
        why = _problem(p, departments, prices)
        if why:
            problems.append(f"{at}: {why}; {then}")
            continue
        near = p.near_theme if p.near_theme in themes else ""
        if p.near_theme and not near:
            fix = "it was ignored" if dropped else "fix it or leave it out"
            problems.append(
                f"{at}: near_theme {p.near_theme!r} is not a catalogue theme; use one of "
                f"{', '.join(sorted(themes))} or leave it empty; {fix}"
            )
        band = (p.price, p.price) if p.price is not None else tuple(p.price_band or ())
        addition = Addition(
            " ".join(p.name.split()),
            p.category,
            " ".join(p.brand.split()),
            " ".join(p.description.split()),
            (float(band[0]), float(band[1])),
            tuple((k.strip(), tuple(v.strip() for v in vs)) for k, vs in p.attributes.items() if vs),
            near,
        )
        made = [name for name, _ in line(addition)]
        clash = next((n for n in made if n in names), None)
        if clash is not None:
            problems.append(
                f"{at}: {clash!r} is already a product of this plan; give each a name of its own; {then}"
            )
            continue
        if total + len(made) > MAX_PRODUCTS:
            problems.append(f"{at}: the plan's products pass {MAX_PRODUCTS} with it; write fewer; {then}")
            continue
        names.update(made)
        total += len(made)
        out.append(addition)
    return tuple(out), problems


def _problem(p: ProductAddition, departments: list[str], prices: list[FieldSpec]) -> str:
    """Why the product cannot join the catalogue ("" when it can)."""
    for what, text, most in (("name", p.name, MAX_NAME), ("brand", p.brand, MAX_BRAND),
                             ("description", p.description, MAX_DESCRIPTION)):  # fmt: skip
        if what != "description" and not text.strip():
            return f"{what} is empty; write one"
        if len(text) > most:
            return f"{what} has {len(text)} characters; keep it to {most}"
        why = refusal(text)
        if why:
            return f"{what} {why}"
    if p.category not in departments:
        return f"category {p.category!r} is not a store department; use one of {', '.join(departments)}"
    if (p.price is None) == (p.price_band is None):
        return "give either price (one list price) or price_band ([low, high]), one of them"
    band = [p.price] if p.price is not None else list(p.price_band or [])
    if len(band) not in (1, 2) or (len(band) == 2 and band[0] > band[1]):
        return "price_band must be [low, high] with low <= high"
    if any(not MIN_PRICE <= b <= MAX_PRICE for b in band):
        return f"a price must lie between {MIN_PRICE} and {MAX_PRICE:,.0f} USD"
    for spec in prices:
        why = next((w for b in band if (w := value_problem(spec, b, spec.name))), "")
        if why:
            return f"price {why}"
    if len(p.attributes) > MAX_ATTRIBUTES:
        return f"{len(p.attributes)} attributes; at most {MAX_ATTRIBUTES} (size, colour, ...)"
    combos = 1
    for key, options in p.attributes.items():
        for text in (key, *options):
            if not text.strip() or len(text) > MAX_OPTION:
                return f"attribute {key!r}: options of 1 to {MAX_OPTION} characters"
            why = refusal(text)
            if why:
                return f"attribute {key!r} {why}"
        if len({o.strip().casefold() for o in options}) != len(options):  # "M" and "m ": one option
            return f"attribute {key!r} repeats an option"
        combos *= max(1, len(options))
    if combos > MAX_LINE:
        return f"its attributes make {combos} products; at most {MAX_LINE} (fewer options)"
    return ""
