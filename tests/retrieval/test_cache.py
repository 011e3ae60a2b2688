"""The plan caches for real: the shared Redis (127.0.0.1:6379), a private one we stop, and the LRU."""

from __future__ import annotations

import uuid

import pytest

from retrieval.cache import CacheError, MemoryCache, RedisCache
from tests.redis_server import private_redis

SHARED = "redis://127.0.0.1:6379/0"


async def test_redis_miss_hit_and_ttl() -> None:
    cache = RedisCache(SHARED)
    key = uuid.uuid4().hex
    try:
        assert await cache.get(key) is None
        await cache.set(key, '{"summary": "x"}', ttl_s=120)
        assert await cache.get(key) == '{"summary": "x"}'
        assert 0 < await cache.ttl(key) <= 120
        assert await cache.ping() == "ok"
    finally:
        await cache.close()


async def test_redis_stopped_mid_run_raises_cache_error_and_ping_says_so() -> None:
    with private_redis() as (url, proc):
        cache = RedisCache(url, timeout_s=0.2)
        await cache.set("k", "v", 60)
        assert await cache.get("k") == "v"
        proc.terminate()
        proc.wait()
        with pytest.raises(CacheError):
            await cache.get("k")
        assert (await cache.ping()).startswith("error: redis ping failed")
        await cache.close()


async def test_memory_cache_expires_and_evicts() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", "1", ttl_s=60)
    await cache.set("b", "2", ttl_s=60)
    await cache.get("a")
    await cache.set("c", "3", ttl_s=60)
    assert await cache.get("b") is None and await cache.get("a") == "1"
    await cache.set("gone", "x", ttl_s=0)
    assert await cache.get("gone") is None
