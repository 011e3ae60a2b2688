"""Realistic sources for fields that do not name one, guessed from the field's name.

Custom schemas arrive as `{"first_name": {"type": "string"}}`; a QA engineer expects a first name
there, not a random word. Registry files name their sources explicitly and never reach this guess.
"""

from __future__ import annotations

import re

from tools.schema import FieldType

# (name pattern, source), first match wins; patterns match the whole snake_case name or its last part.
_BY_NAME: list[tuple[str, str]] = [
    (r"first_?name|given_?name|forename", "first_name"),
    (r"last_?name|surname|family_?name", "last_name"),
    (r"(full_?|customer_?|user_?|contact_?|display_?)?name", "full_name"),
    (r"user_?name|login|handle", "username"),
    (r"company|employer|organi[sz]ation|vendor|supplier|merchant", "company"),
    (r"job|job_?title|occupation|position", "job"),
    (r"e_?mail(_address)?", "email"),
    (r"phone(_number)?|mobile|telephone|tel", "phone"),
    (r"street(_address)?|address_?line_?1?|address1", "street_address"),
    (r"city|town", "city"),
    (r"state|province|region", "state"),
    (r"zip(_?code)?|post(al)?_?code", "zip"),
    (r"country(_code)?", "country_code"),
    (r"currency(_code)?", "currency_code"),
    (r"lang(uage)?(_code)?|locale", "language"),
    (r"url|website|link|homepage", "url"),
    (r"domain|host(name)?", "domain"),
    (r"ip(_address)?|ipv4", "ipv4"),
    (r"ipv6", "ipv6"),
    (r"user_?agent", "user_agent"),
    (r"colou?r", "color"),
    (r"time_?zone|tz", "timezone"),
    (r"description|comment|notes?|body|message|content|summary|bio|details", "sentence"),
    (r"title|subject|headline|slogan|tagline", "catch_phrase"),
    (r"product(_name)?|item_?name", "product.name"),
    (r"brand", "product.brand"),
    (r"sku", "product.sku"),
    (r"category", "product.category"),
]
_COMPILED = [(re.compile(rf"^(?:.*_)?(?:{p})$"), s) for p, s in _BY_NAME]

_BY_TYPE = {
    FieldType.EMAIL: "email",
    FieldType.PHONE: "phone",
    FieldType.URL: "url",
    FieldType.COUNTRY: "country_code",
    FieldType.CURRENCY: "currency_code",
}


def infer_source(name: str, ftype: FieldType) -> str | None:
    if ftype in _BY_TYPE:
        return _BY_TYPE[ftype]
    if ftype is FieldType.TEXT:
        return "paragraph" if re.search(r"body|content|description|bio", name) else "sentence"
    if ftype is not FieldType.STRING:
        return None
    key = name.lower()
    for pattern, source in _COMPILED:
        if pattern.match(key):
            return source
    return None
