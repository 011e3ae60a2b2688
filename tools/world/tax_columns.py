"""Tax for the column maker (tools/columns/values.py, tools/columns/rules.py): a block of rates drawn at
once, and the `tax` check proved for a block, where rows carry no address (carts). Rows with an
address, or in another country's currency, take the row maker's chooser and check one by one."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from tools.world.money import TAX_INPUTS, category_rate, home_rates, tax_rate_chooser
from tools.world.places import country_of_currency, country_of_locale
from tools.world.tax import ADDRESS_FIELDS, ranges


def tax_rate_column(locale: str, lo: float, hi: float) -> Callable[[Any], list[Any]]:
    """money.rate_chooser for every row of a block `b` (a columns.values.Block)."""
    choose = tax_rate_chooser(locale, lo, hi)
    table = home_rates(locale, lo, hi)
    assert table is not None, "the world has US data"
    rates, cum = np.array(table[0], dtype=object), np.array(table[1], dtype=np.float64)
    home = country_of_locale(locale) or country_of_locale("en_US")
    assert home is not None
    at_home = home.currency  # rows in it are taxed at home
    by_category = bool(home.tax.get("reduced_categories"))

    def make(b: Any) -> list[Any]:
        u = b.gen.random(b.n)
        picked = np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1)
        out: list[Any] = rates[picked].tolist()
        names = [n for n in TAX_INPUTS if n in b.cols]
        if not any(n in ADDRESS_FIELDS for n in names):
            currencies = b.cols.get("currency") or [None] * b.n
            abroad = [i for i, c in enumerate(currencies) if c is not None and c != at_home]
        else:
            abroad = list(range(b.n))
        lines = b.cols.get("items")
        if by_category and lines is not None:  # baskets of only reduced-rate goods (books, food)
            for i, basket in enumerate(lines):
                reduced = category_rate(home, {"items": basket})
                if reduced is not None and lo <= reduced <= hi:
                    out[i] = reduced
        draws = u.tolist()
        for i in abroad:  # another country's currency, or an address: row by row
            out[i] = choose({n: b.cols[n][i] for n in names}, draws[i])
        return out

    return make


@cache
def _spans(currency: str) -> np.ndarray:
    """Every rate charged where `currency` is paid, as (low, high) rows."""
    rows = [span for c in country_of_currency(currency) for span in ranges(c.code, "")]
    return np.array(rows or [(np.inf, -np.inf)], dtype=np.float64)


def tax_proof(rate_field: str) -> Callable[[Any], np.ndarray | None]:
    """Which rows of a block certainly pass the `tax` check: a stated rate charged in some country of
    the row's currency, for rows without an address (the rest are checked row by row)."""

    def prove(b: Any) -> np.ndarray | None:
        if any(n in b.cols for n in ADDRESS_FIELDS) or rate_field not in b.cols:
            return None
        currencies = b.cols.get("currency")
        values = b.cols[rate_field]
        if currencies is None or any(not isinstance(v, float) for v in values):
            return None
        rates = np.array(values, dtype=np.float64)
        ok = np.zeros(b.n, dtype=bool)
        for currency in set(currencies):
            if not isinstance(currency, str):
                continue
            rows = np.array([c == currency for c in currencies])
            spans = _spans(currency)
            inside = (rates[:, None] >= spans[:, 0] - 1e-9) & (rates[:, None] <= spans[:, 1] + 1e-9)
            ok |= rows & inside.any(axis=1)
        return ok

    return prove
