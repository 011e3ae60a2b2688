"""A template read into its parts: literal text, {slots}, [a|b] alternatives and [?optional] text.

Parsed once, when a grammar compiles (grammar.py); nothing here runs while texts are made.
"""

from __future__ import annotations

from typing import Any


class GrammarError(ValueError):
    """A grammar file that cannot compile (a typo in a template, a rule that is never defined)."""


def parse(text: str, i: int = 0, inside: bool = False) -> tuple[list[list[Any]], int]:
    """Alternatives (each a list of literal strings, ("slot", name) and nested ("alt"/"opt", ...))."""
    alts: list[list[Any]] = [[]]
    buf: list[str] = []

    def flush() -> None:
        if buf:
            alts[-1].append("".join(buf))
            buf.clear()

    while i < len(text):
        c = text[i]
        if c == "{":
            end = text.find("}", i)
            if end < 0:
                raise GrammarError(f"unclosed {{ in {text!r}")
            flush()
            alts[-1].append(("slot", text[i + 1 : end].strip()))
            i = end + 1
        elif c == "[":
            optional = text.startswith("[?", i)
            inner, i = parse(text, i + (2 if optional else 1), True)
            flush()
            alts[-1].append(("opt" if optional else "alt", inner))
        elif inside and c == "|":
            flush()
            alts.append([])
            i += 1
        elif inside and c == "]":
            flush()
            return alts, i + 1
        else:
            buf.append(c)
            i += 1
    if inside:
        raise GrammarError(f"unclosed [ in {text!r}")
    flush()
    return alts, i
