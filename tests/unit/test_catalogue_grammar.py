"""The product catalogue built from its grammar: thousands of products, each with one id, one SKU,
one name and one list price inside its type's band, the same in every process."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retrieval.embedded_store import SEED_DIR, load_jsonl
from tools import catalogue
from tools.catalogue import CATALOGUE_FILE, Product, load_catalogue, shelf_price, theme_names
from tools.engine import Job, Scenario, generate
from tools.registry import default_registry


def _products() -> list[Product]:
    return [p for t in load_catalogue() for p in t.products]


def test_thousands_of_products_in_every_theme() -> None:
    themes = load_catalogue()
    assert len(themes) == 16 and theme_names() == [t.name for t in themes]
    assert len(_products()) >= 2000
    for theme in themes:
        assert 100 <= len(theme.products) <= 250, theme.name
        assert {p.theme for p in theme.products} == {theme.name}
        assert {p.category for p in theme.products} == {theme.category}
        assert len({p.kind for p in theme.products if p.kind}) >= 8, theme.name  # many product types


def test_ids_skus_and_names_are_unique() -> None:
    products = _products()
    assert all(re.fullmatch(r"PRD-\d{6}", p.id) for p in products)
    assert len({p.id for p in products}) == len(products)
    assert len({p.sku for p in products}) == len(products)
    assert len({p.name for p in products}) == len(products)
    prefixes = {t.name: t.products[0].sku[:3] for t in load_catalogue()}
    assert len(set(prefixes.values())) == len(prefixes)
    assert all(re.fullmatch(prefixes[p.theme] + r"-[A-HJ-NP-Z2-9]{6}", p.sku) for p in products)


def test_one_list_price_per_product_inside_its_band() -> None:
    for p in _products():
        low, high = p.band
        assert p.price_low == p.price_high == p.price, p.name
        assert 0 < low < high and low <= p.price <= high, p.name


def test_list_prices_end_as_shop_prices_do() -> None:
    for p in _products():
        cents = round(p.price * 100) % 100
        assert cents in (0, 49, 99), p
        if p.price >= 100:
            assert cents in (0, 99), p  # whole dollars (or .99) for expensive items
    assert shelf_price(1000, 4000, 0.5, 0.1) == 1999  # $19.99: the middle of $10-$40 on a log scale
    assert shelf_price(1000, 4000, 0.5, 0.9) == 2049  # now and then .49
    assert shelf_price(14900, 89900, 0.5, 0.1) % 1000 == 900  # $3x9.00


def test_a_bigger_size_costs_more() -> None:
    by_name = {p.name: p for p in _products()}
    kettlebells = [
        by_name[f"Competition Steel Kettlebell {w} lb"].price for w in (10, 15, 20, 25, 35, 45, 53)
    ]
    assert kettlebells == sorted(kettlebells) and len(set(kettlebells)) == len(kettlebells)
    ssds = [by_name[f"Rugged Portable SSD {s}"].price for s in ("500GB", "1TB", "2TB", "4TB")]
    assert ssds == sorted(ssds)
    # A clothing size does not change the price; a colour never does.
    jeans = {by_name[f"Men's Slim Taper Jeans Size {s}"].price for s in (28, 30, 32, 34)}
    mats = {by_name[f"Carpet Floor Mats 4-Piece {c}"].price for c in ("Black", "Gray", "Beige")}
    assert len(jeans) == len(mats) == 1


def test_every_product_has_a_brand_and_a_sentence_that_names_it() -> None:
    for p in _products():
        assert p.brand and p.description.endswith(".") and not p.description[0].islower(), p
        assert "{" not in p.name + p.description and "  " not in p.name + p.description, p
        if p.kind:
            assert p.brand in p.description, p


def test_hand_written_products_keep_their_names_and_ids() -> None:
    # Seed examples (and the evals that imitate them) name catalogue products with their ids.
    by_name = {p.name: p for p in _products()}
    assert sum(not p.kind for p in by_name.values()) == 288
    assert by_name["Non-Slip Yoga Mat 6mm"].id == "PRD-861847"
    pairs = set()
    for path in sorted(Path(SEED_DIR).glob("*.jsonl")):
        for example in load_jsonl(path):
            pairs |= set(_named_ids(example.data))
    named = [(pid, name) for pid, name in pairs if name in by_name]
    assert len(named) > 100
    assert [(pid, name) for pid, name in named if by_name[name].id != pid] == []


def _named_ids(data: object) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        name = data.get("name") or data.get("product_name")
        if isinstance(name, str) and isinstance(data.get("product_id"), str):
            yield data["product_id"], name
        for value in data.values():
            yield from _named_ids(value)
    elif isinstance(data, list):
        for value in data:
            yield from _named_ids(value)


def test_loading_again_gives_the_same_catalogue() -> None:
    first = load_catalogue()
    load_catalogue.cache_clear()
    try:
        again = load_catalogue()
    finally:
        load_catalogue.cache_clear()
    assert again == first and again is not first


def _digest() -> str:
    rows = [(p.id, p.sku, p.name, p.brand, p.price, p.description) for p in _products()]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def test_a_fresh_process_builds_the_same_catalogue() -> None:
    script = "from tests.unit.test_catalogue_grammar import _digest; print(_digest())"
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == _digest()


@pytest.mark.parametrize("columns", [True, False])
def test_rows_sell_a_product_at_its_list_price(columns: bool) -> None:
    by_id = {p.id: p for p in _products()}
    job = Job(default_registry().get("product"), [Scenario("default", 3000)], 5, columns=columns)
    rows = [r for batch in generate(job) for r in batch]
    prices: dict[str, set[float]] = {}
    for row in rows:
        product = by_id[row["product_id"][:10]]  # PRD-123456, or PRD-123456-1 once the walk comes round
        assert row["price"] == product.price and row["sku"] == product.sku, row
        prices.setdefault(product.id, set()).add(row["price"])
    assert all(len(seen) == 1 for seen in prices.values())


def _catalogue_file(tmp_path: Path, themes: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text("themes:\n" + themes, encoding="utf-8")
    return path


def test_colliding_hashes_take_the_next_free_id_and_sku(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _catalogue_file(
        tmp_path,
        """
  t:
    category: "T"
    prefix: "TTT"
    products:
      - {name: "Hand-Written", brand: "B", band: [1, 9], price: 4.99, description: "One."}
    types:
      - {type: Mug, band: [5, 20], brands: [B], variants: [Red, Blue], sizes: [8 oz, 12 oz]}
""",
    )
    monkeypatch.setattr(catalogue, "_digest", lambda text: 999_999)  # every product hashes alike
    try:
        products = load_catalogue(path)[0].products
    finally:
        load_catalogue.cache_clear()
    assert [p.id for p in products] == ["PRD-999999", "PRD-000000", "PRD-000001", "PRD-000002", "PRD-000003"]
    assert len({p.sku for p in products}) == 5
    assert [p.name for p in products][1:] == [
        "Red Mug 8 oz",
        "Red Mug 12 oz",
        "Blue Mug 8 oz",
        "Blue Mug 12 oz",
    ]


@pytest.mark.parametrize(
    ("product", "error"),
    [
        ('{name: "P", brand: "B", band: [1, 9], price: 12.99}', "outside its band"),
        ('{name: "P", brand: "B", band: [9, 1], price: 4.99}', "must rise"),
        ('{name: "P", brand: "B", price: 4.99}', "band must be"),
        ('{name: "P", brand: "B", band: [1, 9], price: [1, 9]}', "the one list price"),  # no ranges
    ],
)
def test_a_range_or_a_price_off_its_band_is_refused(tmp_path: Path, product: str, error: str) -> None:
    path = _catalogue_file(
        tmp_path, f'  t:\n    category: "T"\n    prefix: "TTT"\n    products:\n      - {product}\n'
    )
    with pytest.raises(ValueError, match=error):
        load_catalogue(path)
    load_catalogue.cache_clear()


def test_the_shipped_file_is_the_default() -> None:
    assert CATALOGUE_FILE.name == "catalogue.yaml" and CATALOGUE_FILE.exists()


# Review findings: names the grammar once made by crossing every variant with every size, and prices
# that ignored the variant (a Mini massage gun dearer than the Pro one).
_NONSENSE = [
    "2-Burner Natural Gas Gas Grill",
    "4-Burner Natural Gas Gas Grill",
    "1-Person Family Camping Tent",
    "2-Person Family Camping Tent",
    "6-Person Backpacking Tent",
    "65L Daypack Hiking Backpack",
    "55L Daypack Hiking Backpack",
    "20L Internal Frame Hiking Backpack",
    "40 Gallon Planted Nano Aquarium Kit",
    "20 Gallon Planted Nano Aquarium Kit",
    "Kids Edition 8-inch Tablet 256GB",
    "Kids Edition 8-inch Tablet 128GB",
    "Compact Bluetooth Keyboard Full-Size",
    "Laptop Power Bank 5000mAh",
    "Shower Bluetooth Speaker 40W",
    "2 Qt Dual-Basket Air Fryer",
    "L-Shaped Electric Standing Desk 40 x 24 inch",
    "Red-Light Astronomy Headlamp 1200 Lumens",
    "Retractable Dog Leash 4 ft",
    "Wash and Wax Car Wash Soap 1 Gallon",
    "Cooler-Compartment Trunk Organizer 2-Compartment",
]
_SMALL_WORDS = frozenset(
    {"and", "with", "or", "of", "the", "a", "an", "in", "for", "to", "by", "on", "at", "&"}
)


def _repeated_words(name: str) -> set[str]:
    """Words (of letters) a name says twice, small words aside: "Natural Gas Gas Grill" -> {"gas"},
    and a hyphenated part said again ("Cooler-Compartment ... 3-Compartment"). "USB-C to USB-C" and
    "Step by Step" are one phrase each, "Side-by-Side" one word."""
    tokens = [t.strip("()\"',:;").lower() for t in name.split()]
    phrase = {
        tokens[i - 1]
        for i in range(1, len(tokens) - 1)
        if tokens[i] in ("to", "by") and tokens[i - 1] == tokens[i + 1]
    }
    words = [t for t in tokens if re.search("[a-z]", t) and t not in _SMALL_WORDS | phrase]
    said_twice = {w for w in words if words.count(w) > 1}
    owners: dict[str, set[int]] = {}
    for i, word in enumerate(words):
        for part in word.split("-"):
            if len(part) >= 4 and part.isalpha():
                owners.setdefault(part, set()).add(i)
    return said_twice | {part for part, at in owners.items() if len(at) > 1}


def test_no_word_is_repeated_in_a_name() -> None:
    assert _repeated_words("4-Burner Natural Gas Gas Grill") == {"gas"}
    assert _repeated_words("Wash and Wax Car Wash Soap 1 Gallon") == {"wash"}
    assert _repeated_words("Cooler-Compartment Trunk Organizer 3-Compartment") == {"compartment"}
    assert not _repeated_words("USB-C to USB-C Braided Cable 6 ft")
    assert not _repeated_words("Double Side-by-Side Stroller Sand")
    assert not _repeated_words("Linen Throw Pillow Covers 18 x 18 inch Set of 2")
    assert [(p.name, _repeated_words(p.name)) for p in _products() if _repeated_words(p.name)] == []


def test_the_reviewed_nonsense_is_never_made() -> None:
    names = {p.name for p in _products()}
    assert [n for n in _NONSENSE if n in names] == []
    for p in _products():
        number = re.search(r"(\d+)(L|-Person| Gallon|GB)\b", p.name)
        value, unit = (int(number[1]), number[2]) if number else (0, "")
        assert not ("Daypack" in p.name and unit == "L" and value > 35), p.name
        assert not ("Nano" in p.name and unit == " Gallon" and value > 10), p.name
        assert not ("Family" in p.name and unit == "-Person" and value < 4), p.name
        assert not ("Backpacking" in p.name and unit == "-Person" and value > 3), p.name
        assert not ("Kids" in p.name and unit == "GB" and value > 64), p.name


# A variant whose name says small does not come in its type's biggest size, nor one that says big in
# the smallest (sizes that measure the thing, not how many come in a pack).
_SAYS_SMALL = re.compile(
    r"\b(Mini|Nano|Kids|Compact|Travel|Pocket|Slim|Shower|Daypack|Starter|Bistro|Inflatable|Smoothie)\b"
)
_SAYS_BIG = re.compile(
    r"\b(Family|Party|Professional|Pro|Deluxe|Laptop|L-Shaped|Bowl-Lift|Dual-Basket|Reef-Ready|Sectional"
    r"|Internal Frame|Auto-Feed|3-Port|Dual-Motor|Mountaineering)\b"
)
_COUNTED = re.compile(r"Pack|Count|Set|Piece|Servings|Varieties|Sheets|Refills", re.I)


def _types() -> Iterator[tuple[str, dict[str, Any]]]:
    for theme, raw in catalogue._read(CATALOGUE_FILE)["themes"].items():
        for spec in raw.get("types") or ():
            yield theme, spec


def test_a_variant_comes_in_the_sizes_its_name_implies() -> None:
    by_type: dict[tuple[str, str], list[Product]] = {}
    for p in _products():
        by_type.setdefault((p.theme, p.kind), []).append(p)
    checked = 0
    for theme, spec in _types():
        sizes = [str(s) for s in spec.get("sizes") or ()]
        if len(sizes) < 3 or not spec.get("price_by_size", True) or any(_COUNTED.search(s) for s in sizes):
            continue
        for p in by_type[theme, spec["type"]]:
            checked += 1
            assert not (_SAYS_SMALL.search(p.variant) and p.size == sizes[-1]), p.name
            assert not (_SAYS_BIG.search(p.variant) and p.size == sizes[0]), p.name
    assert checked > 500


def _tiers(spec: dict[str, Any]) -> dict[str, float]:
    """The price factor of each variant of a tiered type (1 where a variant has none); {} if the type
    has no tiers. A variant with a band of its own has no tier."""
    variants = spec["variants"]
    if not any(isinstance(v, dict) and "factor" in v for v in variants):
        return {}
    return {
        str(v["name"] if isinstance(v, dict) else v): float(v.get("factor", 1) if isinstance(v, dict) else 1)
        for v in variants
        if not (isinstance(v, dict) and "band" in v)
    }


def test_a_higher_price_tier_never_costs_less_than_a_lower_one_of_the_same_size() -> None:
    products = _products()
    tiered = 0
    for theme, spec in _types():
        tiers = _tiers(spec)
        if not tiers:
            continue
        tiered += 1
        cells: dict[str, list[Product]] = {}
        for p in products:
            if p.theme == theme and p.kind == spec["type"] and p.variant in tiers:
                cells.setdefault(p.size, []).append(p)
        assert cells, spec["type"]
        for size_products in cells.values():
            for cheap in size_products:
                for dear in size_products:
                    if tiers[cheap.variant] < tiers[dear.variant]:
                        assert cheap.price <= dear.price, (cheap.name, cheap.price, dear.name, dear.price)
    assert tiered >= 40
    by_name = {p.name: p.price for p in products}
    guns = [by_name[f"{v} Massage Gun Black"] for v in ("Mini", "Percussion", "Heated", "Pro Deep-Tissue")]
    assert guns == sorted(guns) and guns[0] < guns[-1] / 2
    brushes = [by_name[f"{v} Electric Toothbrush White"] for v in ("Kids Sonic", "Travel Sonic", "Sonic")]
    assert brushes == sorted(brushes) and brushes[0] < brushes[-1]
    assert by_name["Kids Edition 8-inch Tablet 64GB"] < by_name["10.9-inch Android Tablet 64GB"]


def test_a_bigger_size_never_costs_less_in_any_line() -> None:
    lines: dict[tuple[str, str, str], list[float]] = {}
    for theme, spec in _types():
        if not spec.get("price_by_size", True) or not spec.get("sizes"):
            continue
        order = {str(s): i for i, s in enumerate(spec["sizes"])}
        for p in sorted(
            (p for p in _products() if p.theme == theme and p.kind == spec["type"]),
            key=lambda p: order[p.size],
        ):
            lines.setdefault((theme, p.kind, p.variant), []).append(p.price)
    assert len(lines) > 300
    assert [line for line, prices in lines.items() if prices != sorted(prices)] == []


def test_a_generated_product_knows_its_variant_and_size() -> None:
    by_name = {p.name: p for p in _products()}
    assert (by_name["2-Person Backpacking Tent"].variant, by_name["2-Person Backpacking Tent"].size) == (
        "Backpacking",
        "2-Person",
    )
    assert by_name["Mini Massage Gun Sage"].size == "" and by_name["Mini Massage Gun Sage"].variant == "Mini"
    assert all(p.variant == p.size == "" for p in by_name.values() if not p.kind)


def test_variants_take_their_sizes_colours_and_price_tiers(tmp_path: Path) -> None:
    path = _catalogue_file(
        tmp_path,
        """
  t:
    category: "T"
    prefix: "TTT"
    types:
      - type: Mug
        band: [10, 40]
        brands: [B]
        sizes: [8 oz, 12 oz, 16 oz, 20 oz]
        colors: [Red, Blue]
        variants:
          - {name: Mini, factor: 0.5, sizes: [8 oz, 12 oz]}
          - Plain
          - {name: Travel, factor: 1.5, excludes: [8 oz, Red]}
          - {name: Artisan, band: [30, 90], sizes: [16 oz]}
""",
    )
    try:
        products = load_catalogue(path)[0].products
    finally:
        load_catalogue.cache_clear()
    names = [p.name for p in products]
    assert names == [
        "Mini Mug 8 oz Red",
        "Mini Mug 8 oz Blue",
        "Mini Mug 12 oz Red",
        "Mini Mug 12 oz Blue",
        *[f"Plain Mug {s} {c}" for s in ("8 oz", "12 oz", "16 oz", "20 oz") for c in ("Red", "Blue")],
        "Travel Mug 12 oz Blue",
        "Travel Mug 16 oz Blue",
        "Travel Mug 20 oz Blue",
        "Artisan Mug 16 oz Red",
        "Artisan Mug 16 oz Blue",
    ]
    price = {p.name: p.price for p in products}
    band = {p.variant: p.band for p in products}
    assert band == {
        "Mini": (5.0, 20.0),
        "Plain": (10.0, 40.0),
        "Travel": (15.0, 60.0),
        "Artisan": (30.0, 90.0),
    }
    for size in ("8 oz", "12 oz"):
        assert price[f"Mini Mug {size} Red"] <= price[f"Plain Mug {size} Red"]
    for size in ("12 oz", "16 oz", "20 oz"):
        assert price[f"Plain Mug {size} Blue"] <= price[f"Travel Mug {size} Blue"]
    plain = [price[f"Plain Mug {s} Red"] for s in ("8 oz", "12 oz", "16 oz", "20 oz")]
    assert plain == sorted(plain)


@pytest.mark.parametrize(
    ("variant", "error"),
    [
        ("{name: Mini, sizes: [32 oz]}", "not sizes or colours"),
        ("{name: Mini, excludes: [Green]}", "not sizes or colours"),
        ("{name: Mini, excludes: [8 oz, 12 oz]}", "no size or no colour"),
        ("{name: Mini, band: [5, 9], factor: 0.5}", "band or a factor, not both"),
        ("{name: Mini, factor: 0}", "factor must be"),
        ("{name: Mini, factor: cheap}", "factor must be"),
        ("{name: Mini, price: 5}", "a variant is"),
        ("{factor: 0.5}", "a variant is"),
    ],
)
def test_a_bad_variant_is_refused(tmp_path: Path, variant: str, error: str) -> None:
    path = _catalogue_file(
        tmp_path,
        f"""
  t:
    category: "T"
    prefix: "TTT"
    types:
      - {{type: Mug, band: [5, 20], brands: [B], sizes: [8 oz, 12 oz], colors: [Red],
         variants: [Plain, {variant}]}}
""",
    )
    with pytest.raises(ValueError, match=error):
        load_catalogue(path)
    load_catalogue.cache_clear()
