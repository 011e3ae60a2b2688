"""The shipped seed examples: every one valid for its entity; enough patterns, defects and samples."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from retrieval.embedded_store import SEED_DIR, load_jsonl
from retrieval.validate_examples import check_example
from tools.registry import default_registry


def test_every_seed_example_is_valid_and_every_entity_is_covered() -> None:
    registry = default_registry()
    kinds: Counter[tuple[str, str]] = Counter()
    problems = []
    for path in sorted(Path(SEED_DIR).glob("*.jsonl")):
        for example in load_jsonl(path):
            problems += [f"{path.name} {example.id}: {p}" for p in check_example(example, registry)]
            kinds[(example.entity, example.kind)] += 1
            if example.kind == "defect":
                assert len(example.description) > 30, f"{example.id}: a defect names the bug it caused"
    assert problems == []
    for entity in registry.names():
        assert kinds[(entity, "pattern")] >= 3, entity
        assert kinds[(entity, "defect")] >= 2, entity
        assert kinds[(entity, "production_sample")] >= 1, entity
