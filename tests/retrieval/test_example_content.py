"""What an example may hold: no NUL anywhere, no C0 control characters but tab, LF and CR unless it is a
defect, no nesting deeper than MAX_DEPTH, and JSON too deep for Python is a refusal, not a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from retrieval.examples import MAX_DEPTH, Example


def make(kind: str = "pattern", **fields: Any) -> Example:
    body: dict[str, Any] = {"domain": "ecommerce", "entity": "cart", "kind": kind, "data": [{"a": 1}]}
    body.update(fields)
    return Example.model_validate(body)


def refusal(**fields: Any) -> str:
    with pytest.raises(ValidationError) as err:
        make(**fields)
    first = err.value.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


PLACES = [
    ("description", lambda s: {"description": f"ok {s}"}, "description holds"),
    ("scenario", lambda s: {"scenario": s}, "scenario holds"),
    ("domain", lambda s: {"domain": s}, "domain holds"),
    ("tag", lambda s: {"tags": ["fine", s]}, "tags[1] holds"),
    ("value", lambda s: {"data": [{"a": {"b": [1, s]}}]}, "data[0].a.b[1] holds"),
    ("key", lambda s: {"data": [{"a": {s: 1}}]}, "(the key) holds"),
    ("json text", lambda s: {"data": json.dumps({"a": s})}, "data[0].a holds"),
]


@pytest.mark.parametrize(("place", "put", "said"), PLACES, ids=[p[0] for p in PLACES])
@pytest.mark.parametrize("kind", ["pattern", "defect"])
def test_nul_is_refused_everywhere_for_every_kind(place: str, put: Any, said: str, kind: str) -> None:
    message = refusal(kind=kind, **put("x\x00y"))
    assert said in message and "NUL (\\x00)" in message


@pytest.mark.parametrize(("place", "put", "said"), PLACES, ids=[p[0] for p in PLACES])
def test_other_control_characters_only_in_defects(place: str, put: Any, said: str) -> None:
    message = refusal(**put("bell\x07"))
    assert said in message and "\\x07" in message and "defect" in message
    if place != "domain":  # names are held to the strict rule whatever the kind
        assert make("defect", **put("esc\x1b[31m"))


def test_tab_lf_and_cr_are_text_in_any_kind() -> None:
    assert make(description="a\tb\nc\r\n", data=[{"note": "x\ty"}]).description == "a\tb\nc\r\n"


def test_depth_is_capped_and_deep_json_is_a_refusal_not_a_crash() -> None:
    nested: dict[str, Any] = {"leaf": 1}
    for _ in range(MAX_DEPTH - 1):
        nested = {"n": nested}
    assert make(data=[nested])  # the record and 31 levels inside it: 32
    assert "nested deeper than 32 levels" in refusal(data=[{"n": nested}])
    thousands = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"  # past Python's recursion limit
    assert "nested deeper than 32 levels" in refusal(data=thousands)


def test_a_huge_key_is_quoted_short() -> None:
    message = refusal(data=[{"k" * 100_000 + "\x00": 1}])
    assert len(message) < 300 and "..." in message


def test_a_lone_surrogate_is_refused_in_any_kind() -> None:
    for kind in ("pattern", "defect"):
        message = refusal(kind=kind, data='{"a": "x\\ud800"}')
        assert "data[0].a holds a lone surrogate (\\ud800)" in message
