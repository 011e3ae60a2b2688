"""The example file after a crash: a torn last line or a line that is not an example never stops a
start-up; it is reported, set aside, and the next append does not land behind it."""

from __future__ import annotations

from pathlib import Path

from retrieval import example_file
from retrieval.embedded_store import ADDED_FILE, EmbeddedStore
from retrieval.examples import Example


def example(i: int) -> Example:
    return Example(
        domain="ecommerce", entity="cart", kind="pattern", description=f"cart {i}", data=[{"n": i}]
    )


def line(i: int) -> bytes:
    return example(i).model_dump_json(exclude={"id"}).encode() + b"\n"


def test_a_torn_last_line_is_skipped_reported_and_set_aside(tmp_path: Path) -> None:
    path = tmp_path / ADDED_FILE
    torn = line(2)[:25]  # a crash mid-write: half a JSON object, no newline
    path.write_bytes(line(0) + line(1) + torn)
    store = EmbeddedStore(tmp_path, seed_dir=None)
    assert sorted(store._examples) == sorted(example(i).with_id().id for i in (0, 1))
    assert store.problems == [f"{ADDED_FILE} line 3: torn last line (a write cut short); skipped"]
    assert path.read_bytes() == line(0) + line(1)  # rewritten without it
    assert (tmp_path / (ADDED_FILE + ".corrupt")).read_bytes() == torn + b"\n"  # kept, not lost
    assert EmbeddedStore(tmp_path, seed_dir=None).problems == []  # reported once, not every start


def test_bad_lines_anywhere_are_skipped_with_their_reason(tmp_path: Path) -> None:
    path = tmp_path / ADDED_FILE
    nul = b'{"domain":"e","entity":"cart","kind":"pattern","data":[{"a":"x\\u0000"}]}\n'
    path.write_bytes(line(0) + b"{not json\n" + b"\xff\xfe\n" + nul + line(1))
    store = EmbeddedStore(tmp_path, seed_dir=None)
    assert len(store._examples) == 2
    assert [p.split(":", 1)[0] for p in store.problems] == [f"{ADDED_FILE} line {n}" for n in (2, 3, 4)]
    assert "holds NUL" in store.problems[2] and len(store.problems[2]) < 200
    assert path.read_bytes() == line(0) + line(1)


async def test_an_append_after_an_unterminated_tail_starts_on_a_new_line(tmp_path: Path) -> None:
    path = tmp_path / ADDED_FILE
    path.write_bytes(line(0) + line(1)[:-1])  # a whole example, but its newline never made it
    store = EmbeddedStore(tmp_path, seed_dir=None)
    assert store.problems == [] and len(store._examples) == 2
    await store.add([example(2)])
    assert path.read_bytes() == line(0) + line(1) + line(2)
    assert len(EmbeddedStore(tmp_path, seed_dir=None)._examples) == 3


def test_append_closes_a_torn_tail_it_finds(tmp_path: Path) -> None:
    path = tmp_path / ADDED_FILE
    path.write_bytes(line(0) + b'{"domain": "ecom')  # torn while this process was running
    example_file.append(path, [line(1)])
    assert path.read_bytes() == line(0) + b'{"domain": "ecom\n' + line(1)
    loaded = example_file.load(path)
    assert [e.description for e, _ in loaded.examples] == ["cart 0", "cart 1"]
    assert loaded.problems[0].startswith(f"{ADDED_FILE} line 2: not an example (")


def test_a_directory_that_cannot_be_rewritten_still_loads(tmp_path: Path) -> None:
    path = tmp_path / ADDED_FILE
    path.write_bytes(line(0) + b"torn")
    (tmp_path / (ADDED_FILE + ".corrupt")).mkdir()  # setting the line aside fails
    loaded = example_file.load(path)
    assert len(loaded.examples) == 1 and loaded.problems[-1].startswith(f"{ADDED_FILE}: could not set")
