"""`test-data-agent examples add|list|delete` in-process on EXAMPLES_DIR, and list/delete with --server."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from agent.request import DataRequest
from protos.testdata.v1 import test_data_pb2 as pb
from service.cli import main
from tests.helpers import rows_for
from tests.service.conftest import live_service, make_settings

CART = {
    k: v for k, v in rows_for(DataRequest(entity="cart", count=1, seed=4))[0].items() if not k.startswith("_")
}


def write_examples(path: Path, n: int, tag: str, pad: int = 0) -> Path:
    rows = [
        {"domain": "ecommerce", "entity": "cart", "kind": "pattern", "description": f"{tag} {i} " + "x" * pad,
         "data": CART, "tags": [tag]}
        for i in range(n)
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def listed_ids(out: str) -> list[str]:
    # Only the listing's lines: a server in the same process logs to the same stdout.
    return [line.split()[0] for line in out.splitlines() if re.match(r"(pat|def|pro)-[0-9a-f]{24}  ", line)]


def test_examples_dir_defaults_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXAMPLES_DIR", str(tmp_path / "store"))
    assert main(["examples", "add", str(write_examples(tmp_path / "in.jsonl", 3, "envdir"))]) == 0
    assert f"added 3, rejected 0 (store: {tmp_path / 'store'})" in capsys.readouterr().out
    assert len((tmp_path / "store" / "examples.jsonl").read_text().splitlines()) == 3


def test_list_then_delete_by_id_and_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--dir", str(tmp_path)]
    main(["examples", "add", str(write_examples(tmp_path / "a.jsonl", 4, "alpha")), *where])
    main(["examples", "add", str(write_examples(tmp_path / "b.jsonl", 2, "beta")), *where])
    capsys.readouterr()
    assert main(["examples", "list", "--tag", "alpha", *where]) == 0
    out, err = capsys.readouterr()
    alpha = listed_ids(out)
    assert len(alpha) == 4 and alpha == sorted(alpha) and "cart/pattern  [alpha]  alpha " in out
    assert err.strip() == "4 examples"
    assert main(["examples", "list", "--tag", "alpha", "--limit", "3", *where]) == 0
    out, err = capsys.readouterr()
    assert listed_ids(out) == alpha[:3] and "more follow" in err
    assert main(["examples", "delete", alpha[0], alpha[1], "--tag", "beta", *where]) == 0
    assert "deleted 4" in capsys.readouterr().out
    main(["examples", "list", "--entity", "review", "--limit", "0", *where])  # the seed corpus too
    reviews = capsys.readouterr().out
    assert listed_ids(reviews) and all("  review/" in line for line in reviews.splitlines())
    main(["examples", "list", "--tag", "alpha", *where])
    assert listed_ids(capsys.readouterr().out) == alpha[2:]


def test_bad_examples_input_is_one_line_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "delete", "--dir", str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err
        == "error: delete: no ids and no --tag given; name ids (from `examples list`) or --tag T\n"
    )
    deep = tmp_path / "deep.json"
    deep.write_text('[{"data": ' + "[" * 5000 + "]" * 5000 + "}]")
    assert main(["examples", "add", str(deep), "--dir", str(tmp_path)]) == 2
    assert "is nested too deeply to read" in capsys.readouterr().err


def test_add_past_the_store_limit_says_how_to_make_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXAMPLES_MAX_BYTES", "70000")
    where = ["--dir", str(tmp_path)]
    pad = 6400 - len(json.dumps(CART))  # about 6,400 bytes an example: 10 fit in 70,000, 12 do not
    assert (
        main(["examples", "add", str(write_examples(tmp_path / "a.jsonl", 10, "big", pad=pad)), *where]) == 0
    )
    assert (
        main(["examples", "add", str(write_examples(tmp_path / "b.jsonl", 2, "more", pad=pad)), *where]) == 2
    )
    err = capsys.readouterr().err
    assert "past its limit of 70,000 (EXAMPLES_MAX_BYTES)" in err and "`examples delete`" in err
    monkeypatch.setenv("EXAMPLES_MAX_EXAMPLE_BYTES", "2048")
    assert (
        main(["examples", "add", str(write_examples(tmp_path / "c.jsonl", 1, "huge", pad=5000)), *where]) == 1
    )
    assert "EXAMPLES_MAX_EXAMPLE_BYTES" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_list_and_delete_through_a_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async for live in live_service(make_settings(examples_dir=str(tmp_path))):
        server = ["--server", f"127.0.0.1:{live.service.grpc_port}"]

        def cli(*argv: str) -> Any:  # the CLI is synchronous: off the loop that runs the server
            return asyncio.to_thread(main, list(argv))

        request = pb.AddExamplesRequest(
            examples=[
                pb.Example(
                    entity="cart",
                    kind="pattern",
                    description=f"remote {i}",
                    data=json.dumps(CART),
                    tags=["remote"],
                )
                for i in range(3)
            ]
        )
        assert (await live.stub.AddExamples(request)).added == 3
        assert await cli("examples", "list", "--tag", "remote", *server) == 0
        ids = listed_ids(capsys.readouterr().out)
        assert len(ids) == 3
        assert await cli("examples", "delete", ids[0], *server) == 0
        assert f"deleted 1 (server: 127.0.0.1:{live.service.grpc_port})" in capsys.readouterr().out
        assert await cli("examples", "delete", "--tag", "remote", *server) == 0
        assert "deleted 2" in capsys.readouterr().out
        assert await cli("examples", "list", "--limit", "1001", "--tag", "remote", *server) == 0
        assert listed_ids(capsys.readouterr().out) == []
