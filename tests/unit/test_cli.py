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
    assert len(rows) == 25 and rows[0]["cart_id"].startswith(f"CRT-{rows[0]['created_at'][:4]}-")
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


# --out: all or nothing. A failed run leaves an existing file as it was and no temporary file behind.

OLD = b"yesterday's data\n"


def _only(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_a_refused_request_leaves_the_existing_file_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "carts.json"
    out.write_bytes(OLD)
    assert main(["generate", "carts", "--out", str(out)]) == 2
    assert out.read_bytes() == OLD and _only(tmp_path) == ["carts.json"]
    assert main(["dataset", "customer=lots", "--out", str(out)]) == 2
    assert out.read_bytes() == OLD and _only(tmp_path) == ["carts.json"]
    err = capsys.readouterr().err
    assert "unknown entity 'carts'" in err and "customer=100" in err and "Traceback" not in err


def test_a_failure_mid_document_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.engine

    real = tools.engine.generate

    def fails_after_the_first_batch(job):  # type: ignore[no-untyped-def]
        batches = real(job)
        yield next(batches)
        raise KeyboardInterrupt  # Ctrl+C half-way: what is written so far must not land in the target

    monkeypatch.setattr(tools.engine, "generate", fails_after_the_first_batch)
    out = tmp_path / "rows.jsonl"
    out.write_bytes(OLD)
    with pytest.raises(KeyboardInterrupt):
        main(["generate", "cart", "--count", "3000", "--format", "jsonl", "--out", str(out)])
    assert out.read_bytes() == OLD and _only(tmp_path) == ["rows.jsonl"]


def test_success_replaces_the_file_and_keeps_a_symlink_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(OLD)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert (
        main(["generate", "cart", "--count", "3", "--format", "csv", "--seed", "1", "--out", str(link)]) == 0
    )
    assert link.is_symlink() and real.read_text().startswith("cart_id,")
    assert _only(tmp_path) == ["link.csv", "real.csv"]
    assert main(["generate", "cart", "--count", "3", "--out", "/dev/null"]) == 0  # a device: written to


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("{dir}", "is a directory; name a file inside it"),
        ("{dir}/missing/x.json", "directory {dir}/missing does not exist; create it or pick another path"),
        ("{dir}/file.txt/x.json", "{dir}/file.txt is not a directory; pick a path inside a directory"),
        ("", "the path is empty; name a file, or leave --out off to write to stdout"),
    ],
)
@pytest.mark.parametrize("command", [["generate", "cart"], ["dataset", "customer=2"]])
def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, says: str, command: list[str]
) -> None:
    (tmp_path / "file.txt").write_bytes(OLD)
    target = where.format(dir=tmp_path)
    assert main([*command, "--out", target]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: --out {target}: ".replace(" : ", ": "))
    assert says.format(dir=tmp_path) in err
    assert _only(tmp_path) == ["file.txt"] and (tmp_path / "file.txt").read_bytes() == OLD


def test_a_directory_without_write_permission_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.engine

    def no_work(job):  # type: ignore[no-untyped-def]
        raise AssertionError("rows were generated before --out was checked")

    monkeypatch.setattr(tools.engine, "generate", no_work)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if _accepts_files(locked):  # root ignores the mode; /sys refuses even root
        locked = Path("/sys")
    if _accepts_files(locked):
        pytest.skip("no directory here refuses new files from this user")
    assert main(["generate", "cart", "--count", "100000", "--out", str(locked / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --out {locked}/x.json: permission denied; pick a path you may write to\n"


def _accepts_files(directory: Path) -> bool:
    try:
        (directory / ".probe").touch()
    except OSError:
        return False
    (directory / ".probe").unlink()
    return True


# --out with --server: what the server refuses or breaks off never reaches the target.


async def test_a_request_the_server_refuses_leaves_the_file_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from tests.service.conftest import live_service, make_settings
    from tests.service.hardening import assert_still_serving

    out = tmp_path / "data.sql"
    out.write_bytes(OLD)
    async for live in live_service(make_settings()):
        server = ["--server", f"127.0.0.1:{live.service.grpc_port}", "--out", str(out)]
        for command in (["generate", "carts", "--count", "5"], ["dataset", "customerz=3"]):
            assert await asyncio.to_thread(main, [*command, *server]) == 2
            assert out.read_bytes() == OLD and _only(tmp_path) == ["data.sql"]
        await assert_still_serving(live)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: NOT_FOUND: entity: unknown entity 'carts'"), err
    assert err[1].startswith("error: NOT_FOUND: ") and "customerz" in err[1], err


async def test_a_stream_broken_off_by_the_server_leaves_the_file_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from tests.service.conftest import live_service, make_settings

    out = tmp_path / "carts.jsonl"
    out.write_bytes(OLD)
    async for live in live_service(make_settings()):
        args = ["generate", "cart", "--count", "2000000", "--format", "jsonl", "--chunk-size", "500"]
        args += ["--server", f"127.0.0.1:{live.service.grpc_port}", "--out", str(out)]
        cli = asyncio.create_task(asyncio.to_thread(main, args))
        for _ in range(3000):  # until rows have reached the temporary file (bounded: 30 s)
            written = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") and p.stat().st_size]
            if written or cli.done():
                break
            await asyncio.sleep(0.01)
        assert written, "no rows reached the temporary file"
        await live.service.stop()  # the server shuts down mid-stream: UNAVAILABLE
        assert await cli == 2
    assert out.read_bytes() == OLD and _only(tmp_path) == ["carts.jsonl"]
    assert "error: UNAVAILABLE: " in capsys.readouterr().err


def test_a_reader_that_goes_away_ends_the_cli_quietly() -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "service", "generate", "cart", "--count", "3000", "--format", "jsonl"]
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.readline()
    writer.stdout.close()  # as `| head -1` does
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 141 and b"Traceback" not in err
