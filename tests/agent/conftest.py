"""What the agent tests share: the Messages API endpoint mocked with respx (the real Anthropic SDK
sends to it) and the real gRPC service started with a model key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import respx
from pydantic_ai import models

from tests.service.conftest import Live, live_service, make_settings

KEY = "sk-ant-test-0123456789"
URL = "https://api.anthropic.com/v1/messages"


@pytest.fixture
def api(respx_mock: respx.MockRouter) -> Iterator[respx.Route]:
    yield respx_mock.post(URL)


async def model_service(**overrides: Any) -> AsyncIterator[Live]:
    """The service with KEY and these settings; model requests allowed, since they reach respx only."""
    with models.override_allow_model_requests(True):
        async for item in live_service(make_settings(anthropic_api_key=KEY, **overrides)):
            yield item
