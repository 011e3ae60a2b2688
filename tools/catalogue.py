"""The product catalogue: themes of products that belong together (tools/data/catalogue.yaml).

Rows that hold products (carts, orders, wishlists) pick one theme per row and draw every product from
it, so a fitness cart holds fitness gear. Ids and SKUs are derived from the product name with a stable
hash, so a product has the same id and SKU in every row, request and process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOGUE_FILE = Path(__file__).parent / "data" / "catalogue.yaml"
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: SKUs are read by people


@dataclass(frozen=True)
class Product:
    id: str
    sku: str
    name: str
    category: str
    brand: str
    description: str
    price_low: float
    price_high: float
    theme: str


@dataclass(frozen=True)
class Theme:
    name: str
    category: str
    keywords: tuple[str, ...]
    products: tuple[Product, ...]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _code(n: int, length: int) -> str:
    out = []
    for _ in range(length):
        n, d = divmod(n, len(_ALNUM))
        out.append(_ALNUM[d])
    return "".join(out)


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[Theme, ...]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    themes = []
    seen_ids: set[str] = set()
    for name, raw in doc["themes"].items():
        if not isinstance(raw.get("prefix"), str):
            raise ValueError(
                f"catalogue theme {name}: prefix must be a quoted string (YAML reads OFF as false)"
            )
        products = []
        for p in raw["products"]:
            h = _digest(f"{name}/{p['name']}")
            if f"PRD-{h % 1_000_000:06d}" in seen_ids:
                raise ValueError(
                    f"catalogue: {p['name']!r} hashes to an id already taken; rename it slightly"
                )
            seen_ids.add(f"PRD-{h % 1_000_000:06d}")
            low, high = (float(v) for v in p["price"])
            products.append(
                Product(
                    id=f"PRD-{h % 1_000_000:06d}",
                    sku=f"{raw['prefix']}-{_code(h >> 20, 6)}",
                    name=p["name"],
                    category=raw["category"],
                    brand=str(p.get("brand", "")),
                    description=p.get("description", ""),
                    price_low=low,
                    price_high=high,
                    theme=name,
                )
            )
        themes.append(Theme(name, raw["category"], tuple(raw.get("keywords", ())), tuple(products)))
    return tuple(themes)


def theme_names() -> list[str]:
    return [t.name for t in load_catalogue()]
