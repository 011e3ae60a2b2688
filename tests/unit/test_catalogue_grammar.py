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
