"""US sales tax by state, as data: (name, state rate %, highest local add-on %).

Source: Tax Foundation, "State and Local Sales Tax Rates, 2025" (Jared Walczak, February 2025; rates as
of January 1, 2025), columns "State Tax Rate" and "Max. Local Tax Rate". Kept here, apart from the
engine's own tables, so the evaluator checks the engine against the public figure and not against
itself. A plausible combined rate for a state lies in [state, state + max local]; special districts
and item exemptions (groceries, clothing) are left out. Typed in by hand from the published table,
not machine-read: re-check a state against the source before relying on its last decimal.
"""

from __future__ import annotations

US_SALES_TAX_2025: dict[str, tuple[str, float, float]] = {
    "AL": ("Alabama", 4.00, 7.50),
    "AK": ("Alaska", 0.00, 7.85),
    "AZ": ("Arizona", 5.60, 5.30),
    "AR": ("Arkansas", 6.50, 6.125),
    "CA": ("California", 7.25, 4.75),
    "CO": ("Colorado", 2.90, 8.30),
    "CT": ("Connecticut", 6.35, 0.00),
    "DE": ("Delaware", 0.00, 0.00),
    "DC": ("District of Columbia", 6.00, 0.00),
    "FL": ("Florida", 6.00, 2.00),
    "GA": ("Georgia", 4.00, 5.00),
    "HI": ("Hawaii", 4.00, 0.50),
    "ID": ("Idaho", 6.00, 3.00),
    "IL": ("Illinois", 6.25, 4.75),
    "IN": ("Indiana", 7.00, 0.00),
    "IA": ("Iowa", 6.00, 2.00),
    "KS": ("Kansas", 6.50, 5.25),
    "KY": ("Kentucky", 6.00, 0.00),
    "LA": ("Louisiana", 5.00, 7.00),
    "ME": ("Maine", 5.50, 0.00),
    "MD": ("Maryland", 6.00, 0.00),
    "MA": ("Massachusetts", 6.25, 0.00),
    "MI": ("Michigan", 6.00, 0.00),
    "MN": ("Minnesota", 6.875, 2.65),
    "MS": ("Mississippi", 7.00, 1.00),
    "MO": ("Missouri", 4.225, 5.875),
    "MT": ("Montana", 0.00, 0.00),
    "NE": ("Nebraska", 5.50, 2.50),
    "NV": ("Nevada", 6.85, 1.53),
    "NH": ("New Hampshire", 0.00, 0.00),
    "NJ": ("New Jersey", 6.625, 0.00),
    "NM": ("New Mexico", 4.875, 4.3125),
    "NY": ("New York", 4.00, 4.875),
    "NC": ("North Carolina", 4.75, 2.75),
    "ND": ("North Dakota", 5.00, 3.50),
    "OH": ("Ohio", 5.75, 2.25),
    "OK": ("Oklahoma", 4.50, 7.00),
    "OR": ("Oregon", 0.00, 0.00),
    "PA": ("Pennsylvania", 6.00, 2.00),
    "RI": ("Rhode Island", 7.00, 0.00),
    "SC": ("South Carolina", 6.00, 3.00),
    "SD": ("South Dakota", 4.20, 4.50),
    "TN": ("Tennessee", 7.00, 2.75),
    "TX": ("Texas", 6.25, 2.00),
    "UT": ("Utah", 6.10, 4.35),
    "VT": ("Vermont", 6.00, 1.00),
    "VA": ("Virginia", 5.30, 1.70),
    "WA": ("Washington", 6.50, 4.10),
    "WV": ("West Virginia", 6.00, 1.00),
    "WI": ("Wisconsin", 5.00, 2.90),
    "WY": ("Wyoming", 4.00, 2.00),
}
