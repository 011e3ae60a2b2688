"""`make bench` is not run in CI; this keeps its modules importable as the code they measure changes."""

import importlib

import pytest


@pytest.mark.parametrize(
    "module", ["bench.baselines", "bench.engine_bench", "bench.memory_bench", "bench.service_bench",
               "bench.agent_bench", "bench.dataset_bench", "bench.retrieval_bench", "bench.__main__"]
)  # fmt: skip
def test_bench_module_imports(module: str) -> None:
    importlib.import_module(module)
