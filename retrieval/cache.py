"""The plan cache: Redis when REDIS_URL is set, an in-process LRU otherwise, behind one Protocol.

A cache is an optimisation, never a dependency: every failure surfaces as CacheError, which the
pipeline turns into "served without cache" (metrics and health say so), never into a failed request.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

KEY_PREFIX = "testdata:plan:"


class CacheError(Exception):
    """The cache could not answer (down, slow, refused)."""


class PlanCache(Protocol):
    name: str

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_s: int) -> None: ...

    async def delete(self, key: str) -> bool: ...

    async def ping(self) -> str:
        """`ok` or the error, for health."""
        ...

    async def close(self) -> None: ...


class MemoryCache:
    """A bounded LRU with per-entry expiry, for one process (the embedded default)."""

    name = "memory"

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def get(self, key: str) -> str | None:
        hit = self._data.get(key)
        if hit is None:
            return None
        expires, value = hit
        if expires < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        self._data[key] = (time.monotonic() + ttl_s, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    async def delete(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    async def ping(self) -> str:
        return "ok"

    async def close(self) -> None:
        self._data.clear()


class RedisCache:
    """Redis with short timeouts: a slow Redis costs a request at most `timeout_s` per call."""

    name = "redis"

    def __init__(self, url: str, timeout_s: float = 0.25) -> None:
        self.timeout_s = timeout_s
        self._client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, decode_responses=True
        )

    async def _call(self, what: str, op: object) -> object:
        try:
            return await asyncio.wait_for(op, self.timeout_s * 2)  # type: ignore[arg-type]
        except (RedisError, OSError, TimeoutError) as exc:
            raise CacheError(f"redis {what} failed: {type(exc).__name__}: {exc}"[:200]) from None

    async def get(self, key: str) -> str | None:
        value = await self._call("get", self._client.get(KEY_PREFIX + key))
        return value if isinstance(value, str) else None

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        await self._call("set", self._client.set(KEY_PREFIX + key, value, ex=ttl_s))

    async def delete(self, key: str) -> bool:
        return bool(await self._call("delete", self._client.delete(KEY_PREFIX + key)))

    async def ttl(self, key: str) -> int:
        value = await self._call("ttl", self._client.ttl(KEY_PREFIX + key))
        return int(value)  # type: ignore[call-overload]

    async def ping(self) -> str:
        try:
            await self._call("ping", self._client.ping())
        except CacheError as exc:
            return f"error: {exc}"
        return "ok"

    async def close(self) -> None:
        await self._client.aclose()
