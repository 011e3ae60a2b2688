"""The CLI in-process: generate to a file, list schemas, report bad input on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import join_json_chunks, main


def test_generate_to_a_file_is_the_same_as_the_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "carts.json"
    assert main(["generate", "cart", "--count", "25", "--seed", "9", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 25 and rows[0]["cart_id"].startswith("CRT-2025-")
    assert "25 rows, seed 9" in capsys.readouterr().err
    again = tmp_path / "again.json"
    main(["generate", "cart", "--count", "25", "--seed", "9", "--out", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_schemas_lists_every_entity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--domain", "ecommerce"]) == 0
    text = capsys.readouterr().out
    assert text.count("(ecommerce)") == 36 and "cart_id" in text


def test_bad_input_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "carts"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "error: entity: unknown entity 'carts'; did you mean cart, favorites, cart_item?"
    )


def test_stream_chunks_join_into_one_json_document() -> None:
    assert json.loads("".join(join_json_chunks(['[{"a":1},{"a":2}]', "[]", '[{"a":3}]']))) == [
        {"a": 1},
        {"a": 2},
        {"a": 3},
    ]
