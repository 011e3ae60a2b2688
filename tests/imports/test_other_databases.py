"""The same seed into a SQLite file and into the MariaDB on this machine (127.0.0.1:3306): each
database enforces its own foreign keys and CHECKs as the rows load; a dry run's script loads too."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from service.cli import main

HERE = Path(__file__).parent
MYSQL = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def _sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((HERE / "schema_sqlite.sql").read_text())
    return path


def test_a_sqlite_file_is_seeded_with_its_keys_and_checks_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _sqlite_file(tmp_path)
    assert main(["seed", f"sqlite:///{path}", "--rows", "customers=60"]) == 0
    err = capsys.readouterr().err
    assert "customers: 60 rows" in err and "wrote " in err
    with sqlite3.connect(path) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("customers", "orders", "order_lines")
        }
        assert counts["customers"] == 60 and counts["orders"] == 120 and counts["order_lines"] > 150
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert 40 < conn.execute("SELECT count(referred_by) FROM customers").fetchone()[0] < 60
        assert (
            conn.execute(
                "SELECT count(*) FROM customers WHERE country NOT IN ('US','GB','DE','FR')"
            ).fetchone()[0]
            == 0
        )
    # Truncated and seeded again with the same seed: the same rows.
    before = sqlite3.connect(path).execute("SELECT * FROM orders ORDER BY id").fetchall()
    assert main(["seed", f"sqlite:///{path}", "--rows", "customers=60", "--truncate"]) == 0
    assert sqlite3.connect(path).execute("SELECT * FROM orders ORDER BY id").fetchall() == before
    # Seen at another instant: nothing happens after it.
    as_of = ["--as-of", "2024-03-31T00:00:00Z", "--locale", "de_DE", "--truncate"]
    assert main(["seed", f"sqlite:///{path}", "--rows", "customers=60", *as_of]) == 0
    latest = sqlite3.connect(path).execute("SELECT max(updated_at), max(placed_at) FROM customers, orders")
    assert all(v <= "2024-03-31T00:00:00Z" for v in latest.fetchone())
    capsys.readouterr()
    assert main(["seed", f"sqlite:///{path}", "--rows", "customers=1", "--as-of", "soon"]) == 2
    assert "--as-of: 'soon' is not an RFC 3339 instant" in capsys.readouterr().err


@pytest.fixture
def mysql_db() -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = pymysql.connect(**MYSQL, autocommit=True)  # type: ignore[arg-type]
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE {name}")
        conn.close()


def _mysql(db: str) -> Any:
    return pymysql.connect(**MYSQL, database=db, autocommit=True)  # type: ignore[arg-type]


def _load_mysql(db: str, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["mysql", "-h", "127.0.0.1", "-P", "3306", "-u", "root", db],
        input=sql, text=True, capture_output=True, check=False,
    )  # fmt: skip


def test_mariadb_is_seeded_and_enforces_every_key_and_check(
    mysql_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = _load_mysql(mysql_db, (HERE / "schema_mysql.sql").read_text())
    assert loaded.returncode == 0, loaded.stderr
    url = f"mysql://root@127.0.0.1:3306/{mysql_db}"
    assert main(["seed", url, "--rows", "customers=50", "--rows", "products=30"]) == 0
    err = capsys.readouterr().err
    assert "departments: departments_head set" in err and "wrote " in err
    conn = _mysql(mysql_db)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers")
        assert cur.fetchone()[0] == 50
        cur.execute("SELECT count(*), count(head_id) FROM departments")
        total, heads = cur.fetchone()
        assert total == 100 and heads > 50
        cur.execute("SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id")
        assert cur.fetchone()[0] == 100
        cur.execute("SELECT max(id) FROM customers")
        top = cur.fetchone()[0]
        cur.execute("INSERT INTO customers (first_name, last_name, email, country, created_at, updated_at) "
                    "VALUES ('A', 'B', 'a@b.example', 'US', NOW(), NOW())")  # fmt: skip
        cur.execute("SELECT max(id) FROM customers")
        assert cur.fetchone()[0] == top + 1  # AUTO_INCREMENT moved past the seeded keys
    conn.close()


def test_a_dry_run_from_ddl_needs_no_database_and_its_script_loads(
    mysql_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = HERE / "schema_mysql.sql"
    assert (
        main(["seed", "mysql://nowhere.invalid/x", "--ddl", str(ddl), "--dry-run", "--rows", "customers=20"])
        == 0
    )
    script = capsys.readouterr().out
    assert script.startswith("START TRANSACTION;") and script.rstrip().endswith("COMMIT;")
    assert _load_mysql(mysql_db, ddl.read_text()).returncode == 0
    loaded = _load_mysql(mysql_db, script)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    conn = _mysql(mysql_db)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        assert cur.fetchone()[0] == 40
    conn.close()
    path = _sqlite_file(tmp_path)
    assert main(["seed", "sqlite:///nowhere.db", "--ddl", str(HERE / "schema_sqlite.sql"), "--dry-run"]) == 0
    with sqlite3.connect(path) as conn2:
        conn2.executescript(capsys.readouterr().out)
        assert conn2.execute("SELECT count(*) FROM customers").fetchone()[0] == 100
        assert conn2.execute("PRAGMA foreign_key_check").fetchall() == []


def test_bad_urls_and_files_are_errors_naming_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "oracle://db/x"]) == 2
    assert "names no database this reads" in capsys.readouterr().err
    assert main(["seed", "sqlite:///no/such/file.db"]) == 2
    assert "cannot connect to the database: no SQLite file at /no/such/file.db" in capsys.readouterr().err
    assert main(["seed", "mysql://root:s3cret@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "s3cret" not in err
    assert main(["seed", "sqlite:///x.db", "--ddl", "/no/such.sql", "--dry-run"]) == 2
    assert "--ddl: cannot read /no/such.sql" in capsys.readouterr().err


def test_a_sources_file_overrides_what_column_names_suggest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _sqlite_file(tmp_path)
    sources = tmp_path / "sources.yaml"
    sources.write_text("customers.email: city\n")  # a column whose name says e-mail, told to hold cities
    assert main(["seed", f"sqlite:///{path}", "--rows", "customers=20", "--sources", str(sources)]) == 0
    with sqlite3.connect(path) as conn:
        assert not any("@" in e for (e,) in conn.execute("SELECT email FROM customers"))
    sources.write_text("customers.nickname: email\n")
    assert main(["seed", f"sqlite:///{path}", "--sources", str(sources)]) == 2
    assert "--sources: names columns the schema lacks: ['customers.nickname']" in capsys.readouterr().err
