"""Realism: how coherent the generated world is, measured offline and deterministically against
figures about real shops, each threshold with its public source beside it.

Properties (each a row or more in the table): currency_country, tax_rate_plausible, address_ownership,
amounts, text_uniqueness, catalogue, basket_shape, loyalty, locale_coherence. `make evals` prints the
table and writes evals/reports/realism.md (or <--report>/realism.md); a property fails the run only
when it is listed in evals/realism/policy.py's ENFORCED. `python -m evals.realism` runs it alone.
"""
