"""The quality report (tools/report.py): field shapes, enum coverage, rule pass rates from negative
rows, edge-case kinds, the row limit; in GenerateData's metadata (brief) and from the CLI (whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.request import DataRequest
from service.cli import main
from tests.helpers import rows_for
from tools.registry import default_registry
from tools.report import quality_report, summary

CART = default_registry().get("cart")


def test_fields_are_shaped_and_enums_covered() -> None:
    rows = rows_for(DataRequest(entity="cart", count=400, seed=2))
    report = quality_report(CART, rows)
    price = report["fields"]["items[].price"]
    assert price["count"] == sum(len(r["items"]) for r in rows) and price["null_share"] == 0.0
    assert price["min"] == min(i["price"] for r in rows for i in r["items"])
    assert abs(sum(bar[2] for bar in price["histogram"]) - 1.0) < 1e-3 and len(price["histogram"]) == 10
    currency = report["fields"]["currency"]
    assert currency["values_covered"] == [len({r["currency"] for r in rows}), 6]
    assert sum(n for _, n in currency["top"]) == 400 and report["rule_pass_rate"] == 1.0
    assert summary(report)["rows"] == 400 and quality_report(CART, rows, limit=50)["rows"] == 50


def test_dates_are_shaped_over_time_by_hour_and_weekday() -> None:
    rows = rows_for(DataRequest(entity="cart", count=300, seed=4))
    created = quality_report(CART, rows)["fields"]["created_at"]
    assert created["min"] == min(r["created_at"] for r in rows)  # ISO 8601 UTC, as the rows write it
    assert created["max"] == max(r["created_at"] for r in rows) and "top" not in created
    assert created["histogram"][0][0] == created["min"] and created["histogram"][-1][1] == created["max"]
    hours = [0] * 24
    for r in rows:
        hours[int(r["created_at"][11:13])] += 1
    assert created["by_hour"] == [round(n / 300, 4) for n in hours] and len(created["by_weekday"]) == 7


def test_negative_rows_lower_the_pass_rates_of_what_they_break() -> None:
    rows = rows_for(DataRequest(entity="cart", count=60, seed=1, negative=True))
    report = quality_report(CART, rows)
    assert report["rule_pass_rate"] == 0.0  # every row breaks exactly one check
    kinds = {r["_violates"]["rule"] for r in rows}
    assert set(report["checks"]) == kinds and all(0 < v < 1 for v in report["checks"].values())
    derive = sum(1 for r in rows if r["_violates"]["rule"] == "derive" and r["_violates"]["path"] == "total")
    assert report["rules"]["derive total"] == round(1 - derive / 60, 4)


def test_edge_cases_are_counted_by_kind() -> None:
    rows = rows_for(DataRequest(entity="cart", count=100, seed=3, defect_triggering=True))
    report = quality_report(CART, rows)
    assert sum(report["edge_cases"].values()) == sum(1 for r in rows if r.get("_edge_case"))
    assert summary(report)["edge_case_kinds"] == len(report["edge_cases"]) > 5


def test_the_cli_writes_the_whole_report_and_refuses_it_where_it_cannot_make_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "carts.csv", tmp_path / "report.json"
    assert main(["generate", "cart", "--count", "120", "--seed", "5", "--format", "csv",
                 "--out", str(out), "--report", str(report)]) == 0  # fmt: skip
    data = json.loads(report.read_text())
    assert data["rows"] == 120 and data["row_limit"] == 100_000 and "items[].quantity" in data["fields"]
    assert main(["generate", "cart", "--report", str(report), "--server", "127.0.0.1:1"]) == 2
    assert "--report: is made in this process" in capsys.readouterr().err


def test_the_brief_report_the_metadata_carries_sums_up_as_the_whole_does() -> None:
    from tools.report import Report

    rows = rows_for(DataRequest(entity="cart", count=80, seed=4, defect_triggering=True))
    brief = Report(CART, brief=True)
    brief.add_batch(rows)
    assert set(brief.result()["fields"]) == {"currency"}  # enums only: what the summary reads
    assert summary(brief.result()) == summary(quality_report(CART, rows))
