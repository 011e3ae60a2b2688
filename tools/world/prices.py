"""Amounts in the currency a row is in: where a currency's unit is far from the dollar's (the yen),
catalogue list prices and a schema's money bounds are in that currency's own magnitudes and units.

Shops set yen prices at price points (¥980, ¥4,980), not by converting a dollar price, so a list
price becomes the next price point above its dollar price at a reference rate. EUR, GBP, CAD and AUD
prices keep their numbers: shops there price at the same .99 points (£29.99, €29.99).
"""

from __future__ import annotations

import math
from collections.abc import Callable

# Yen per US dollar, the 2024-2025 average (Bank of Japan / Federal Reserve H.10: about 150).
SCALE = {"JPY": 150.0}
# Digits after the point an amount has (ISO 4217 minor units): whole yen.
DIGITS = {"JPY": 0}


def local_price(usd: float, currency: str) -> float:
    """A dollar list price as a shop in `currency` would list it (unchanged outside SCALE)."""
    scale = SCALE.get(currency)
    if scale is None:
        return usd
    amount = usd * scale
    if amount <= 0:
        return 0.0
    step = 100 if amount < 1000 else 1000  # ¥980 below a thousand, ¥4,980 above
    return float(max(step, math.ceil(amount / step) * step) - 20)


def pricer(currency: str | None) -> Callable[[float], float]:
    """usd -> the local list price, for makers compiled once per currency."""
    if currency is None or currency not in SCALE:
        return lambda usd: usd
    return lambda usd: local_price(usd, currency)


def scaled_amount(usd: float, currency: str) -> float:
    """A bound or typical amount of a schema (not a list price) in `currency`'s magnitude."""
    scale = SCALE.get(currency)
    return usd if scale is None else round(usd * scale, DIGITS.get(currency, 2))
