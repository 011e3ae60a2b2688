"""A schema as the request's country sees it: currency, language and whether shelf prices include
tax follow the locale.

Applied once per job before anything is compiled (tools/engine.py), so both makers and every path
draw the same values. It only sets a field's `pool` (a preference, never a restriction) and only
where the plan set none: a plan that asks for a currency mix keeps it. Values the field does not
allow are never chosen (values.enum_choices keeps a pool inside `values`).
"""

from __future__ import annotations

from collections.abc import Mapping

from tools.maker_kit import source_of
from tools.schema import EntitySchema, FieldSpec, FieldType
from tools.world.magnitudes import in_currency
from tools.world.places import Country, country_of_locale

CURRENCY_NAMES = frozenset({"currency", "currency_code"})
TIMEZONE_NAMES = frozenset({"timezone", "time_zone", "tz"})
LANGUAGE_NAMES = frozenset({"language", "preferred_language", "language_code", "locale_language"})


def _home_value(spec: FieldSpec, country: Country) -> str | None:
    source = source_of(spec)
    if spec.type is FieldType.CURRENCY or source == "currency_code":
        return country.currency
    if source == "language" or (spec.name in LANGUAGE_NAMES and spec.type in _TEXT):
        return country.language
    return None


_TEXT = (FieldType.STRING, FieldType.ENUM, FieldType.TEXT)


def _localise_field(spec: FieldSpec, country: Country) -> FieldSpec:
    update: dict[str, object] = {}
    home: object = _home_value(spec, country)
    if spec.name == "prices_include_tax" and spec.type is FieldType.BOOLEAN:
        home = country.prices_include_tax
    by = spec.pools_by
    if (
        spec.name in TIMEZONE_NAMES
        and by is not None
        and by.field in CURRENCY_NAMES
        and len(country.timezones) == 1
    ):
        # As languages below: the home currency's shoppers live in the home country's time zone (a
        # country of several zones keeps the schema's population-weighted pool for its currency).
        update["pools_by"] = by.model_copy(
            update={"pools": {**by.pools, country.currency: list(country.timezones)}}
        )
    elif home is not None and by is not None and by.field in CURRENCY_NAMES and home == country.language:
        # Language that follows the currency: the home currency's shoppers read the home language,
        # other currencies keep their own mix (an EUR override in en_US still reads German, French...).
        pools = {**by.pools, country.currency: [country.language]}
        update["pools_by"] = by.model_copy(update={"pools": pools})
    elif home is not None and not spec.pool and by is None and (not spec.values or home in spec.values):
        update.update(pool=[home], pool_weights=None)
    if spec.fields:
        fields = [_localise_field(f, country) for f in spec.fields]
        if any(a is not b for a, b in zip(fields, spec.fields, strict=True)):
            update["fields"] = fields
    if spec.items is not None:
        items = _localise_field(spec.items, country)
        if items is not spec.items:
            update["items"] = items
    return spec.model_copy(update=update) if update else spec


def localise(schema: EntitySchema, locale: str, keep_amounts: bool = False) -> EntitySchema:
    """`schema` as the locale's country sees it: currency, language and tax display fields (unchanged
    where the world has no data for the locale), and its amounts in the locale's currency's magnitude
    (magnitudes.py) unless `keep_amounts` (a scenario sets the currency itself)."""
    country = country_of_locale(locale)
    if country is None:
        return schema
    fields = [_localise_field(f, country) for f in schema.fields]
    if any(a is not b for a, b in zip(fields, schema.fields, strict=True)):
        schema = schema.model_copy(update={"fields": fields})
    return schema if keep_amounts else in_currency(schema, country.currency)


def sets_currency(overrides: Mapping[str, object]) -> bool:
    """Whether a scenario's overrides name the rows' currency (its amounts then stay as declared)."""
    return any(key.split(".")[0] in CURRENCY_NAMES for key in overrides)


def pinned(schema: EntitySchema, locale: str) -> set[str]:
    """Top-level fields the locale fixes for every row (its currency, language, tax display): one
    value per request by design, not a collapsed distribution."""
    country = country_of_locale(locale)
    if country is None:
        return set()
    return {f.name for f in schema.fields if _localise_field(f, country) is not f}


_WORLD_SOURCES = frozenset(
    {"address", "phone", "phone_e164", "currency_code", "language", "tax_rate", "email"}
)


def uses_world(schema: EntitySchema) -> bool:
    """Whether any field draws on places, people or money (what a locale without world data lacks)."""

    def touches(spec: FieldSpec) -> bool:
        if (
            spec.type in (FieldType.ADDRESS, FieldType.CURRENCY, FieldType.PHONE)
            or source_of(spec) in _WORLD_SOURCES
        ):
            return True
        return any(touches(f) for f in spec.fields) or (spec.items is not None and touches(spec.items))

    return any(touches(f) for f in schema.fields)
