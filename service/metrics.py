"""Prometheus metrics, in one registry per process (the HTTP app serves it at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "testdata_requests_total", "RPCs by method, generation path and status", ["method", "path", "status"],
    registry=REGISTRY,
)  # fmt: skip
DURATION = Histogram(
    "testdata_generation_duration_seconds", "Time to serve a generation request", ["path"], registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)  # fmt: skip
RECORDS = Counter(
    "testdata_records_generated_total", "Records generated", ["domain", "entity"], registry=REGISTRY
)
TOKENS = Counter("testdata_llm_tokens_used_total", "Model tokens used", ["model"], registry=REGISTRY)
CACHE_HITS = Counter("testdata_cache_hits_total", "Plan cache hits", registry=REGISTRY)
CACHE_MISSES = Counter("testdata_cache_misses_total", "Plan cache misses", registry=REGISTRY)
FALLBACKS = Counter("testdata_fallbacks_total", "Fallbacks taken, by reason", ["reason"], registry=REGISTRY)
COHERENCE = Gauge(
    "testdata_coherence_score", "Coherence score of the last dataset", ["domain"], registry=REGISTRY
)
