"""Numbers in a text: {n:2-9}, {money:5-40} and {pct:10-40}, and prices in the row's currency.

The engine states every amount in one number whatever the currency (a catalogue price of 12.99 is
12.99 in a euro row too), so a text states its amounts the same way, written as the row's currency is:
"$12.99", "€12.99", "£12.99", whole yen "¥13". The currency is the row's `currency` field, else the
one of the request's locale, else US dollars.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from tools.world.places import country_of_locale
from tools.world.prices import SCALE, scaled_amount
from tools.world.text.parse import GrammarError

if TYPE_CHECKING:
    from tools.world.text.grammar import State

_FORMATS = {
    "USD": "${}", "EUR": "€{}", "GBP": "£{}", "CAD": "CA${}", "AUD": "A${}", "JPY": "¥{}",
    "CHF": "CHF {}", "SEK": "{} kr", "MXN": "MX${}", "BRL": "R${}", "INR": "₹{}", "CNY": "CN¥{}",
    "NZD": "NZ${}", "NOK": "{} kr", "DKK": "{} kr", "PLN": "{} zł", "KRW": "₩{}",
}  # fmt: skip
_WHOLE = frozenset({"JPY", "KRW", "HUF", "CLP", "ISK", "VND", "IDR"})  # no minor unit in use
_PERCENT = re.compile(r"(\d{1,2})\s?%")


@cache
def home_currency(locale: str) -> str:
    country = country_of_locale(locale)
    return country.currency if country is not None and country.currency else "USD"


def money(amount: float, currency: str, cents: bool = True) -> str:
    """`amount` written as a shop writes it in `currency` ($1,234.99; ¥1,235; 12.99 kr)."""
    number = f"{round(amount):,}" if currency in _WHOLE or not cents else f"{amount:,.2f}"
    return _FORMATS.get(currency, "{} " + currency).format(number)


def named_percent(text: object) -> int | None:
    """The percentage a heading names ("48 hours only - 30% off sitewide" -> 30), or None."""
    if not isinstance(text, str) or "%" not in text:
        return None
    m = _PERCENT.search(text)
    return int(m.group(1)) if m else None


def number_slot(kind: str, span: str, grammar: str) -> Callable[[State], str]:
    """{n:2-9} a whole number; {money:5-40} an amount in the row's currency; {pct:10-40} the
    percentage the row's subject names, else one drawn once per text (a code such as SAVE{pct:10-40}
    then agrees with the "{pct:10-40}% off" before it)."""
    try:
        lo, hi = (int(v) for v in span.split("-", 1))
    except ValueError:
        raise GrammarError(f"{grammar}: {{{kind}:{span}}} needs a range such as 2-9") from None
    if lo > hi:
        raise GrammarError(f"{grammar}: {{{kind}:{span}}} runs backwards; write the smaller number first")
    width = hi - lo + 1
    if kind == "n":
        return lambda st: str(lo + int(st.rnd() * width))
    if kind == "money":

        def amount(st: State) -> str:
            whole = lo + int(st.rnd() * width)
            cents = st.rnd() < 0.7  # most amounts end in .99, the rest are whole ("$23")
            currency = st.currency()
            if currency in SCALE:  # a dollar range in the currency's magnitude: "$23" is about ¥3,450
                return money(scaled_amount(whole, currency), currency, False)
            return money(whole + 0.99 if cents else whole, currency, cents)

        return amount
    if kind == "pct":
        return lambda st: str(st.percent(lo, width))
    raise GrammarError(f"{grammar}: unknown slot kind {kind!r} (use n, money or pct)")
