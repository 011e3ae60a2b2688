"""Test-wide set-up. The first lines must run before anything imports httpx, respx or pydantic_ai."""

# The anthropic SDK speaks httpx2; the alias makes `httpx` mean httpx2 everywhere, so respx (which
# patches httpx) intercepts the SDK's requests. respx's own pytest plugin is off (-p no:respx).
import httpx2

httpx2.alias_httpx()

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import psycopg  # noqa: E402
import pytest  # noqa: E402
import respx  # noqa: E402
from pydantic_ai import models  # noqa: E402

# No test may reach a real model; tests that mock the HTTP layer opt back in explicitly.
models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture
def pg() -> Iterator[psycopg.Connection]:
    """A connection to the local PostgreSQL (database `test`) inside a schema of its own, dropped after."""
    conn = psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn.execute(f"CREATE SCHEMA {schema}")
    conn.execute(f"SET search_path TO {schema}")
    yield conn
    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


@pytest.fixture
def respx_mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router
