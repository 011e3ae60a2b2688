"""Parquet files and the engines that make blocks (service/engines.py, service/cli_parquet.py): the
same records for any number of partitions and on worker processes, Dask and Spark; the same bytes for
the text formats; typed columns; a directory that appears whole or not at all."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from service.cli import main


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A Dask cluster of its own, reached by address as a remote one would be."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _generate(tmp: Path, name: str, *extra: str, entity: str = "order", count: int = 40_000) -> Path:
    out = tmp / name
    args = ["generate", entity, "--count", str(count), "--seed", "3", *extra, "--out", str(out)]
    assert main(args) == 0
    return out


def test_parquet_records_are_the_same_for_any_partitions_and_engine(tmp_path: Path, scheduler: str) -> None:
    parquet = ("--format", "parquet")
    one = _generate(tmp_path, "one", *parquet, "--workers", "0")
    two = _generate(tmp_path, "two", *parquet, "--partitions", "2", "--workers", "2")
    eight = _generate(
        tmp_path, "eight", *parquet, "--partitions", "8", "--engine", "dask", "--scheduler", scheduler
    )
    tables = [pq.read_table(d) for d in (one, two, eight)]
    assert tables[0].num_rows == 40_000 and all(t.equals(tables[0]) for t in tables)
    manifest = json.loads((eight / "_manifest.json").read_text())
    assert sum(f["rows"] for f in manifest["files"]) == 40_000 == manifest["rows"]
    # 40,000 rows are 3 row groups of 16,384: eight partitions asked, one file per group made.
    assert [f["first_index"] for f in manifest["files"]] == [0, 16_384, 32_768]
    assert pq.ParquetFile(one / "part-00000.parquet").metadata.num_row_groups == 3
    schema = tables[0].schema
    assert schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("total").type == pa.float64() and schema.field("_index").type == pa.int64()
    assert pa.types.is_list(schema.field("items").type) and pa.types.is_struct(
        schema.field("billing_address").type
    )
    first = tables[0].slice(0, 1).to_pylist()[0]
    jsonl = _generate(tmp_path, "one.jsonl", "--format", "jsonl", "--workers", "0", count=1)
    row = json.loads(jsonl.read_text())
    assert first["order_id"] == row["order_id"] and first["total"] == row["total"]
    assert first["created_at"].isoformat().replace("+00:00", "Z") == row["created_at"]


def test_text_formats_are_the_same_bytes_on_every_engine(tmp_path: Path, scheduler: str) -> None:
    for fmt in ("jsonl", "csv", "sql"):
        here = _generate(tmp_path, f"here.{fmt}", "--format", fmt, "--workers", "0", count=9000)
        dask = _generate(
            tmp_path, f"dask.{fmt}", "--format", fmt, "--engine", "dask", "--scheduler", scheduler, count=9000
        )
        assert dask.read_bytes() == here.read_bytes(), fmt


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime; this machine has none")
def test_spark_local_2_gives_the_same_records_and_bytes(tmp_path: Path) -> None:
    spark = ("--engine", "spark", "--workers", "2")
    parquet = _generate(tmp_path, "spark", "--format", "parquet", "--partitions", "2", *spark, count=20_000)
    here = _generate(tmp_path, "here", "--format", "parquet", "--workers", "0", count=20_000)
    assert pq.read_table(parquet).equals(pq.read_table(here))
    text = _generate(tmp_path, "spark.jsonl", "--format", "jsonl", *spark, count=5000)
    plain = _generate(tmp_path, "plain.jsonl", "--format", "jsonl", "--workers", "0", count=5000)
    assert text.read_bytes() == plain.read_bytes()


def test_negative_rows_keep_their_broken_values_as_json_text(tmp_path: Path) -> None:
    out = _generate(
        tmp_path, "neg", "--format", "parquet", "--negative", "--workers", "0", entity="payment", count=500
    )
    table = pq.read_table(out)
    assert table.num_rows == 500 and table.schema.field("amount").type == pa.string()
    assert all(json.loads(v)["rule"] for v in table.column("_violates").to_pylist())


def test_a_bad_out_directory_is_one_line_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    args = ["generate", "cart", "--count", "10", "--format", "parquet"]
    assert main([*args, "--out", str(full)]) == 2
    assert "not an empty directory" in capsys.readouterr().err and (full / "keep.txt").read_text() == "mine"
    assert main(args) == 2
    assert "add --out DIR" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]  # no temporary directory left


def test_objects_with_no_fields_declared_are_json_text_at_any_depth() -> None:
    from tools.engine import Job, Scenario, generate
    from tools.formats.parquet_format import arrow_schema, loose_columns, text_columns, to_table
    from tools.schema import EntitySchema

    schema = EntitySchema.model_validate(
        {
            "name": "t",
            "fields": [
                {"name": "o", "type": "object", "fields": [{"name": "meta", "type": "object"}]},
                {"name": "a", "type": "array", "items": {"name": "items[]", "type": "object"}},
            ],
        }
    )
    rows = [r for batch in generate(Job(schema, [Scenario("d", 30)], 1)) for r in batch]
    columns = ["o", "a", "_scenario", "_index"]
    loose = loose_columns(schema, columns)
    assert loose == {"o", "a"}
    table = to_table(rows, arrow_schema(schema, columns, False), text_columns(schema, columns, False), loose)
    first = table.slice(0, 1).to_pylist()[0]
    assert first["o"]["meta"] == "{}" and all(item == "{}" for item in first["a"])
