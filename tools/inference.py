"""Realistic sources for fields that do not name one, guessed from the field's name.

Custom schemas arrive as `{"first_name": {"type": "string"}}`; a QA engineer expects a first name
there, not a random word. Registry files name their sources explicitly and never reach this guess.
"""

from __future__ import annotations

import re

from tools.schema import FieldType

# Free text reads like what its name says, from a grammar (tools/world/data/text), never lorem: a `notes`
# field reads like notes. English only for now, whatever the locale.
_FREE_TEXT: list[tuple[str, str]] = [
    (
        r"(delivery|special|shipping)_?(notes?|instructions?|requests?)|instructions?|directions",
        "grammar.instructions",
    ),
    (r"notes?|remarks?|memo|annotations?", "grammar.notes"),
    (r"comments?", "grammar.comment"),
    (r"feedback|testimonial", "grammar.feedback"),
    (r"error(_message|_text|_details?)?|failure_message", "grammar.error"),
    (r"reason", "grammar.reason"),
    (r"bio|biography|about(_me)?", "grammar.bio"),
    (r"description|desc|summary|details|overview", "grammar.description"),
    (r"message|body|content|msg", "grammar.message"),
    (r"title|subject|headline", "grammar.title"),
]
_PRODUCT_TEXT = [
    (r"(product|item)_?(description|desc|details)", "product.description"),
    (r"(product|item)_?title", "product.name"),
]

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
    *_PRODUCT_TEXT,
    *_FREE_TEXT,
    (r"slogan|tagline", "catch_phrase"),
    (r"product(_name)?|item_?name", "product.name"),
    (r"brand", "product.brand"),
    (r"sku", "product.sku"),
    (r"category", "product.category"),
]
_COMPILED = [(re.compile(rf"^(?:.*_)?(?:{p})$"), s) for p, s in _BY_NAME]
_TEXT_COMPILED = [(re.compile(rf"^(?:.*_)?(?:{p})$"), s) for p, s in _PRODUCT_TEXT + _FREE_TEXT]
_DESCRIPTION_WORDS = 4  # only a description's opening words name what the text is ("Notes the agent wrote")
# Names of identifiers, codes and references: never prose, whatever the description says (`code`,
# "Error code returned by the API"; `checksum`; `template_id`; `isbn13`).
_ID_LIKE = re.compile(
    r"(?:^|_)(?:id|ids|uuid|guid|ref|no|num)$"
    r"|(?:code|codes|hash|key|keys|sum|isbn|slug|token|tokens|number|url|uri|digest|nonce|sha|md5)\d*$"
)
# Names of values from a small set or of quantities: a description may not turn them into prose
# (`status`, "Reason the order is on hold").
_NOT_TEXT = re.compile(
    r"(?:^|_)(?:status|state|type|kind|mode|level|tier|role|priority|version|format|method|channel|unit"
    r"|flag|count|amount|total|price|date|time|at|year|score|rating|size|gender)$"
)

_BY_TYPE = {
    FieldType.EMAIL: "email",
    FieldType.PHONE: "phone",
    FieldType.URL: "url",
    FieldType.COUNTRY: "country_code",
    FieldType.CURRENCY: "currency_code",
}


def infer_source(name: str, ftype: FieldType, description: str = "") -> str | None:
    if ftype in _BY_TYPE:
        return _BY_TYPE[ftype]
    if ftype not in (FieldType.STRING, FieldType.TEXT):
        return None
    key = name.lower()
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("-", "_")
    id_like = bool(_ID_LIKE.search(snake))
    for pattern, source in _COMPILED if ftype is FieldType.STRING else _TEXT_COMPILED:
        if pattern.match(key):
            return None if id_like and source.startswith("grammar.") else source
    if id_like or _NOT_TEXT.search(snake):
        return None
    # A name that says nothing: the description's first words may ("Reason the payment failed").
    for word in re.findall(r"[a-z]+", description.lower())[:_DESCRIPTION_WORDS]:
        for pattern, source in _TEXT_COMPILED:
            if source.startswith("grammar.") and pattern.match(word):
                return source
    return "grammar.description" if ftype is FieldType.TEXT else None
