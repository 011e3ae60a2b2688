"""Text grammars (tools/world/text): near-unique texts that agree with their rating, subject or reason
code and name the row's own product; the same seed gives the same texts; free text in a client's
schema reads like what its name says, never lorem."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from functools import cache
from typing import Any

import pytest
import yaml

from agent.request import DataRequest
from tests.helpers import rows_for
from tools import pools
from tools.catalogue import load_catalogue
from tools.dataset import DatasetGenerator, plan_tree
from tools.errors import InvalidRequest
from tools.inference import infer_source
from tools.maker_kit import RowCtx
from tools.registry import default_registry
from tools.schema import FieldType
from tools.validator import validate_rows
from tools.world.localise import localise
from tools.world.text import GrammarError, grammar_names, load_grammar
from tools.world.text.grammar import Compiler, State
from tools.world.text.library import DATA_DIR
from tools.world.text.products import text_of
from tools.world.text.style import TYPOS

PRODUCTS = {p.id: p for t in load_catalogue() for p in t.products}
BRANDS = sorted({p.brand for p in PRODUCTS.values() if p.brand}, key=len, reverse=True)
BRAND_AT = re.compile(r"\b(" + "|".join(re.escape(b.lower()) for b in BRANDS) + r")\b")


@cache
def _rows(entity: str, count: int, seed: int = 11, locale: str = "en_US") -> list[dict[str, Any]]:
    rows = rows_for(DataRequest(entity=entity, count=count, seed=seed, locale=locale))
    # As the engine validates: the locale's schema (a yen world's amounts are in yen).
    assert validate_rows(localise(default_registry().get(entity), locale), rows) == []
    return rows


def _share(values: list[str]) -> float:
    return len(set(values)) / len(values)


def _phrases(tone: str, *grammars: str) -> re.Pattern[str]:
    words = {p.lower() for g in grammars for p in load_grammar(g).lexicon[tone]}
    return re.compile(
        r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len)[::-1]) + r")(?![\w'])"
    )


def test_review_bodies_are_near_unique_and_every_row_is_valid() -> None:
    rows = _rows("review", 2000)
    assert _share([r["body"] for r in rows]) >= 0.95
    assert all(len(r["title"]) <= 120 and len(r["body"]) <= 2000 for r in rows)
    lengths = sorted(len(r["body"].split()) for r in rows)
    assert lengths[0] <= 3 and lengths[-1] >= 30  # from "love it" to a short paragraph


def test_ticket_descriptions_are_near_unique_and_follow_the_subject() -> None:
    rows = _rows("support_ticket", 1000)
    assert _share([r["description"] for r in rows]) >= 0.90
    grammar = yaml.safe_load((DATA_DIR / "ticket_description.yaml").read_text())
    subjects = {s for r in rows for s in [r["subject"]]}
    assert subjects <= set(grammar["by"])  # every subject the entity writes has its own branch
    resets = [r["description"].lower() for r in rows if r["subject"] == "Password reset email never arrives"]
    assert resets and all("password" in d or "reset" in d for d in resets)


@pytest.mark.parametrize(("entity", "floor"), [("refund", 0.75), ("return", 0.7)])
def test_reasons_vary_far_more_than_a_pool(entity: str, floor: float) -> None:
    assert _share([r["reason"] for r in _rows(entity, 500)]) >= floor


def test_review_texts_agree_with_the_rating() -> None:
    positive = _phrases("positive", "review_body", "review_title")
    negative = _phrases("negative", "review_body", "review_title")
    rows = _rows("review", 2000, seed=5)
    for r in rows:
        text = f"{r['title']} | {r['body']}".lower()
        own = text_of(PRODUCTS[r["product_id"]])
        for words in (own.name, own.short, own.kind, own.brand):  # "waste bags" is a product, not a tone
            text = text.replace(words.lower(), "")
        if r["rating"] <= 2:
            assert not positive.search(text), (r["rating"], text)
        if r["rating"] >= 4:
            assert not negative.search(text), (r["rating"], text)
    assert Counter(r["rating"] for r in rows).keys() == {1, 2, 3, 4, 5}


def test_a_review_names_only_its_own_product() -> None:
    named = 0
    for r in _rows("review", 1500, seed=3):
        own = PRODUCTS[r["product_id"]]
        brands = set(BRAND_AT.findall(f"{r['title']} {r['body']}".lower()))
        assert brands <= {own.brand.lower()}, (own.brand, r["title"], r["body"])
        named += bool(brands)
    assert named > 50


def test_in_a_dataset_texts_name_products_the_order_holds() -> None:
    registry = default_registry()
    orders: dict[str, set[str]] = {}
    checked = 0
    for entity, rows in DatasetGenerator(plan_tree(registry, {"customer": 60}), 8).batches():
        for r in rows:
            if entity == "order":
                orders[r["order_id"]] = {PRODUCTS[i["product_id"]].brand.lower() for i in r["items"]}
            text = {"review": "body", "refund": "reason", "notification": "content"}.get(entity)
            if text and r.get("order_id") in orders and r.get(text):
                for brand in BRAND_AT.findall(r[text].lower()):
                    assert brand in orders[r["order_id"]], (entity, r[text])
                    checked += 1
    assert checked > 0


def test_same_seed_same_texts_another_seed_other_texts() -> None:
    def texts(seed: int) -> list[str]:
        return [
            r["description"] for r in rows_for(DataRequest(entity="support_ticket", count=1200, seed=seed))
        ]

    assert texts(4) == texts(4)
    assert texts(4) != texts(5)


def _client(fields: dict[str, Any], count: int = 300) -> list[dict[str, Any]]:
    schema = json.dumps({"name": "crm_contact", "fields": fields})
    return rows_for(DataRequest(custom_schema=schema, count=count, seed=2))


def _vocabulary(*files: str) -> set[str]:
    text = " ".join((DATA_DIR / f"{f}.yaml").read_text() for f in files)
    return set(re.findall(r"[a-z]+", text.lower())) | {
        w for t in TYPOS.values() for w in re.findall(r"[a-z]+", t.lower())
    }


def test_a_notes_field_in_a_client_schema_reads_like_notes_not_lorem() -> None:
    rows = _client(
        {"id": {"type": "uuid"}, "notes": {"type": "string", "min_length": 120, "max_length": 400}}
    )
    lorem = set(pools.pool("en_US", "sentence")) | set(pools.pool("en_US", "paragraph"))
    words = _vocabulary("notes", "_office")
    for r in rows:
        assert 120 <= len(r["notes"]) <= 400 and r["notes"] not in lorem
        assert set(re.findall(r"[a-z]+", r["notes"].lower())) <= words, r["notes"]  # no padding words
    assert _share([r["notes"] for r in rows]) > 0.9


@pytest.mark.parametrize(
    ("name", "ftype", "description", "grammar"),
    [
        ("notes", FieldType.STRING, "", "notes"),
        ("agent_remarks", FieldType.TEXT, "", "notes"),
        ("comments", FieldType.STRING, "", "comment"),
        ("description", FieldType.TEXT, "", "description"),
        ("message", FieldType.TEXT, "", "message"),
        ("bio", FieldType.STRING, "", "bio"),
        ("subject", FieldType.STRING, "", "title"),
        ("cancel_reason", FieldType.STRING, "", "reason"),
        ("feedback", FieldType.TEXT, "", "feedback"),
        ("delivery_instructions", FieldType.STRING, "", "instructions"),
        ("xyz", FieldType.STRING, "Reason the payment failed", "reason"),
        ("payload", FieldType.TEXT, "", "description"),
    ],
)
def test_free_text_names_pick_a_grammar(name: str, ftype: FieldType, description: str, grammar: str) -> None:
    assert infer_source(name, ftype, description) == f"grammar.{grammar}"
    rows = _client({name: {"type": ftype.value, "description": description}}, count=40)
    lorem = set(pools.pool("en_US", "sentence")) | set(pools.pool("en_US", "paragraph"))
    assert all(r[name] and r[name] not in lorem for r in rows)


def test_a_code_field_is_not_mistaken_for_free_text() -> None:
    assert infer_source("discount_code", FieldType.STRING, "Discount code shown in the notes") is None
    assert infer_source("job_title", FieldType.STRING) == "job"


def test_a_grammar_source_in_a_client_schema_and_an_unknown_one() -> None:
    rows = _client(
        {
            "rating": {"type": "integer", "min": 1, "max": 1},
            "text": {"type": "text", "source": "grammar.review_body"},
        }
    )
    assert not any(_phrases("positive", "review_body").search(r["text"].lower()) for r in rows)
    with pytest.raises(InvalidRequest) as info:
        _client({"body": {"type": "text", "source": "grammar.review_bdy"}})
    assert info.value.field.endswith("body.source") and "grammar.review_body" in info.value.fix


def test_every_grammar_compiles_and_draws_from_its_rnd_alone() -> None:
    theme = load_catalogue()[0]
    for name in grammar_names():
        grammar = load_grammar(name)
        draws = [random.Random(9).random for _ in range(2)]
        a, b = (
            [grammar.finish(grammar.start(State(rnd, {}, RowCtx(theme), "")), rnd) for _ in range(20)]
            for rnd in draws
        )
        assert a == b and all(a), name


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ({"a": ["[x|y"]}, "unclosed ["),
        ({"a": ["{b"]}, "unclosed {"),
        ({"a": ["{missing}"]}, "no rule named 'missing'"),
        ({"a": ["{a}"]}, "refers back to itself"),
        ({"a": ["{product.colour}"]}, "unknown product attribute"),
        ({"a": ["{n:9}"]}, "needs a range"),
    ],
)
def test_a_broken_template_fails_when_the_grammar_loads(rules: dict[str, list[str]], problem: str) -> None:
    with pytest.raises(GrammarError, match=re.escape(problem)):
        Compiler("t", rules).rule("a")
