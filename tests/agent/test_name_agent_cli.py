"""`test-data-agent seed` with a model configured (the real SDK, its HTTP mocked): the names no rule
reads are read by it, and samples go along only with SEND_SAMPLES_TO_MODEL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import respx
from pydantic_ai import models

from service.cli import main
from tests.agent.conftest import KEY
from tests.agent.test_model_through_service import final

DDL = "CREATE TABLE acct (acct_id INTEGER PRIMARY KEY, cust_nm TEXT NOT NULL, dlv_cty TEXT);"
READING = {"columns": [{"column": "acct.cust_nm", "source": "full_name", "why": "customer name"},
                       {"column": "acct.dlv_cty", "source": "city", "why": "delivery city"}]}  # fmt: skip


@pytest.mark.parametrize("samples", [False, True])
def test_seed_asks_the_model_for_unread_names(
    tmp_path: Path, api: respx.Route, monkeypatch: pytest.MonkeyPatch, samples: bool
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("SEND_SAMPLES_TO_MODEL", "true" if samples else "false")
    monkeypatch.chdir(tmp_path)  # no .env of the checkout's
    path = tmp_path / "acct.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(DDL + "INSERT INTO acct VALUES (1, 'J. Doe', 'Leeds');")
    api.side_effect = [final(READING)]
    with models.override_allow_model_requests(True):  # they reach respx only
        assert main(["seed", f"sqlite:///{path}", "--rows", "acct=10"]) == 0
    sent = json.dumps(json.loads(api.calls[0].request.content)["messages"])
    assert ("samples: J. Doe" in sent) is samples
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT cust_nm FROM acct WHERE acct_id > 1")]
    assert len(names) == 10 and all(" " in n for n in names)  # full names, as the model read it
