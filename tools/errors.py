"""Domain errors. Each names the field (a JSON-style path) and the fix; service/ maps them to status codes."""

from __future__ import annotations


class DataError(Exception):
    """Base for every error a caller can fix by changing the request."""

    def __init__(self, field: str, problem: str, fix: str = "") -> None:
        self.field = field
        self.problem = problem
        self.fix = fix
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[DataError], tuple[str, str, str]]:
        # Raised in a worker process (tools/blocks.py), it comes back whole: field, problem and fix.
        return (type(self), (self.field, self.problem, self.fix))

    @property
    def message(self) -> str:
        text = f"{self.field}: {self.problem}" if self.field else self.problem
        return f"{text}; {self.fix}" if self.fix else text


class InvalidRequest(DataError):
    """The request contradicts itself or the schema (INVALID_ARGUMENT)."""


class SchemaNotFound(DataError):
    """The entity is not in the registry (NOT_FOUND)."""


class LimitExceeded(DataError):
    """The request asks for more than a configured limit allows (RESOURCE_EXHAUSTED)."""


class GenerationFailed(DataError):
    """Bounded retries could not produce a row that satisfies every rule (INVALID_ARGUMENT: the
    constraints are too tight to satisfy together)."""


# Per-value bounds no request may exceed, wherever its schema, constraints or plan came from:
# they keep one row small enough that no client can exhaust the server's memory with a few rows.
MAX_ITEMS = 1000
MAX_STRING_LENGTH = 100_000

# What an error message may echo of a client's input: enough to recognise it, never the whole of it
# (a 2 MB regex once came back whole, as a metadata-size error, and into every log line).
QUOTE_CHARS = 60
MAX_MESSAGE_CHARS = 1000


def quoted(value: object, limit: int = QUOTE_CHARS) -> str:
    """`value` as repr, cut to `limit` characters with the full length said."""
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def shorten(text: str, limit: int = 2 * QUOTE_CHARS) -> str:
    """A message that may hold a client's value, cut to `limit` characters: inside another message, or
    whole (MAX_MESSAGE_CHARS) as the backstop before a message reaches a client or a log."""
    return text if len(text) <= limit else text[:limit] + "..."


# Close-name suggestions compare the client's name with every known one (difflib, quadratic in their
# lengths): an 8 MB name took 2.2 GB. Longer names get no suggestion.
MAX_SUGGEST = 64


def close_names(name: str, known: list[str], cutoff: float = 0.5) -> list[str]:
    """Up to three known names close to `name` ("did you mean ...?"); none for a name past MAX_SUGGEST."""
    if len(name) > MAX_SUGGEST:
        return []
    import difflib

    # A known name inside the one given ("shoppingcart" holds "cart") is the likeliest meaning.
    inside = sorted((k for k in known if len(k) >= 4 and k in name.lower()), key=len, reverse=True)
    close = difflib.get_close_matches(name, known, n=3, cutoff=cutoff)
    return list(dict.fromkeys([*inside, *close]))[:3]
