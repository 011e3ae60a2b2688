"""Real tax rates by jurisdiction, independent of the engine's tables: what a cart's or an order's
tax may be for the country (and, in the US and Canada, the state or province) it is taxed in.

Sources, beside each table:
- US: Tax Foundation, State and Local Sales Tax Rates 2025 (evals/realism/us_sales_tax.py).
- Canada: Canada Revenue Agency, "GST/HST rates" (GST 5%; HST 13% ON, 15% NB/NL/PE, 14% NS from
  1 April 2025, 15% before) and the provinces' PST (BC 7%, MB 7%, SK 6%) and Revenu Québec's QST 9.975%.
  GST alone (5%) is allowed everywhere: goods exempt from the provincial part (children's clothing);
  0% for zero-rated basic groceries (CRA, "GST/HST and basic groceries").
- EU: European Commission, "VAT rates applied in the Member States of the European Union" (2025):
  DE 19/7, FR 20/10/5.5/2.1, ES 21/10/4, IT 22/10/5/4, NL 21/9.
- GB: GOV.UK, "VAT rates": 20% standard, 5% reduced, 0% zero rate.
- AU: Australian Taxation Office, GST 10%; basic food is GST-free (0%).
- JP: National Tax Agency, consumption tax 10% standard, 8% reduced (food, since October 2019).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from evals.realism.us_sales_tax import US_SALES_TAX_2025

VAT: dict[str, tuple[float, ...]] = {
    "GB": (0.20, 0.05, 0.0),
    "DE": (0.19, 0.07),
    "FR": (0.20, 0.10, 0.055, 0.021),
    "ES": (0.21, 0.10, 0.04),
    "IT": (0.22, 0.10, 0.05, 0.04),
    "NL": (0.21, 0.09),
    "AU": (0.10, 0.0),  # ATO: basic food is GST-free
    "JP": (0.10, 0.08),
}
GST_CA = 0.05
CA_PROVINCES: dict[str, tuple[str, tuple[float, ...]]] = {  # code: (name, combined GST + PST/QST or HST)
    "AB": ("Alberta", (0.05,)),
    "BC": ("British Columbia", (0.12,)),
    "MB": ("Manitoba", (0.12,)),
    "NB": ("New Brunswick", (0.15,)),
    "NL": ("Newfoundland and Labrador", (0.15,)),
    "NS": ("Nova Scotia", (0.14, 0.15)),
    "NT": ("Northwest Territories", (0.05,)),
    "NU": ("Nunavut", (0.05,)),
    "ON": ("Ontario", (0.13,)),
    "PE": ("Prince Edward Island", (0.15,)),
    "QC": ("Quebec", (0.14975,)),
    "SK": ("Saskatchewan", (0.11,)),
    "YT": ("Yukon", (0.05,)),
}


@dataclass(frozen=True)
class Rates:
    """Statutory rates lines may mix (`discrete`), or one rate anywhere in `span` (US state + local)."""

    discrete: tuple[float, ...] = ()
    span: tuple[float, float] | None = None

    def allows(self, rate: float, tol: float = 0.0005) -> bool:
        if self.span is not None:
            return self.span[0] - tol <= rate <= self.span[1] + tol
        return any(abs(rate - r) <= tol for r in self.discrete)


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().replace("territory", "").split())


@cache
def _us_index() -> dict[str, str]:
    return {_key(k): k for k in US_SALES_TAX_2025} | {_key(v[0]): k for k, v in US_SALES_TAX_2025.items()}


@cache
def _ca_index() -> dict[str, str]:
    return {_key(k): k for k in CA_PROVINCES} | {_key(v[0]): k for k, v in CA_PROVINCES.items()}


def rates_for(country: str, region: str = "") -> Rates | None:
    """The rates of a jurisdiction; a US state or Canadian province that is missing or unknown gets
    every rate of the country. None for a country without a table here."""
    country = country.upper()
    if country == "US":
        code = _us_index().get(_key(region))
        if code is None:
            return Rates(span=(0.0, max(s + m for _, s, m in US_SALES_TAX_2025.values()) / 100))
        _, state, local = US_SALES_TAX_2025[code]
        return Rates(span=(state / 100, (state + local) / 100))
    if country == "CA":
        code = _ca_index().get(_key(region))
        chosen = [CA_PROVINCES[code]] if code else list(CA_PROVINCES.values())
        # CRA: basic groceries are zero-rated (no GST/HST, no PST).
        return Rates(discrete=tuple(sorted({0.0, GST_CA, *(r for _, rs in chosen for r in rs)})))
    if country in VAT:
        return Rates(discrete=VAT[country])
    return None
