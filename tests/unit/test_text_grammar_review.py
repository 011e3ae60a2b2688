"""Text grammars, regressions from review: each test below failed before its fix (sentences that fit
the product, no repeats, amounts that follow the row, lengths, key fields, typos, reasons, notices)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
import yaml

from agent.request import DataRequest
from tests.helpers import rows_for
from tests.unit.test_text_grammar import BRANDS, PRODUCTS, _client, _phrases, _rows, _vocabulary
from tools.catalogue import load_catalogue
from tools.constraints import FieldConstraint
from tools.inference import infer_source
from tools.schema import FieldType
from tools.world.text import load_grammar
from tools.world.text.library import DATA_DIR
from tools.world.text.products import TAGS_FILE, text_of
from tools.world.text.style import Style, finisher


def _sentences(text: str) -> list[str]:
    return [s.lower().rstrip(".!? ") for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _tagged_phrases() -> dict[str, set[str]]:
    """tag -> the literal sentences only products with that tag (or theme) may get, from _review.yaml."""
    rules = yaml.safe_load((DATA_DIR / "_review.yaml").read_text())["rules"]
    out: dict[str, set[str]] = {}
    for name, entries in rules.items():
        for e in entries if "@" in name else []:
            if isinstance(e, str) and "{" not in e and "[" not in e:
                out.setdefault(name.partition("@")[2], set()).add(e.lower())
    return out


def _off_product(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    tagged = _tagged_phrases()
    bad = []
    for r in rows:
        tags = set(text_of(PRODUCTS[r["product_id"]]).tags)
        mine = {p for t in tags for p in tagged.get(t, ())}
        text = f"{r['title']} | {r['body']}".lower()
        others = {p for t, ps in tagged.items() if t not in tags for p in ps} - mine
        bad += [(r["product_id"], p) for p in others if p in text]
    return bad


def test_review_sentences_fit_the_product_not_the_rows_theme() -> None:
    fixed = {"product_id": FieldConstraint(enum_values=["PRD-400179"])}  # a dry cat food
    rows = rows_for(DataRequest(entity="review", count=800, seed=7, constraints=fixed))
    assert _off_product(rows) == [] and _off_product(_rows("review", 2000)) == []
    text = " ".join(r["body"] for r in rows).lower()
    assert "cat" in text and not re.search(r"\b(dog|pup|still going strong|held up|stopped working)\b", text)


def test_every_product_tag_entry_names_a_product() -> None:
    kinds = {x.lower() for p in PRODUCTS.values() for x in (text_of(p).kind, p.name)}
    known = kinds | {"*"} | {f"@{t.name}" for t in load_catalogue()}
    for tag, entries in yaml.safe_load(TAGS_FILE.read_text()).items():
        assert {str(e).lower().lstrip("!") for e in entries} <= known, tag
        known.add(f"@{tag}")
        assert any(tag in text_of(p).tags for p in PRODUCTS.values()), tag


def test_no_text_says_a_sentence_twice() -> None:
    texts = [r["body"] for r in _rows("review", 2000)]
    texts += [r["description"] for r in _rows("support_ticket", 1000)]
    assert [t for t in texts if len(set(_sentences(t))) < len(_sentences(t))] == []


def test_amounts_follow_the_row() -> None:
    reviews = [r["body"] for r in _rows("review", 2000)]
    sales = [(r, re.search(r"on sale for \$([\d,.]+)", r["body"])) for r in _rows("review", 2000)]
    sales = [(PRODUCTS[r["product_id"]].price, float(m.group(1).replace(",", ""))) for r, m in sales if m]
    assert sales and all(0.55 * list_price <= paid < list_price for list_price, paid in sales)
    german = _rows("review", 800, 11, "de_DE")
    assert not any("$" in r["body"] for r in german) and any("€" in r["body"] for r in german)
    assert any("$" in t for t in reviews)
    for r in _rows("refund", 1000, 11, "ja_JP"):  # a refund reason states no amount of its own
        assert not re.search(r"[$€£¥]\s?\d|\d+\.\d\d", r["reason"]), r["reason"]


def test_min_length_alone_invents_no_cap_and_a_real_cap_cuts_at_a_word() -> None:
    long = _client({"rating": {"type": "integer", "min": 5, "max": 5},
                    "text": {"type": "text", "source": "grammar.review_body", "min_length": 40}})  # fmt: skip
    assert max(len(r["text"]) for r in long) > 4 * 40 + 64
    cut = _client({"notes": {"type": "string", "min_length": 60, "max_length": 100}})
    words = _vocabulary("notes", "_office")
    for r in cut:
        assert 60 <= len(r["notes"]) <= 100 and set(re.findall(r"[a-z]+", r["notes"].lower())) <= words


def test_padding_is_styled_once_and_never_repeats() -> None:
    for name in ("message", "comment", "notes", "bio"):
        for r in _client({name: {"type": "text", "min_length": 300}}, count=60):
            text, starts = r[name], re.findall(r"(?:^|[.!?] )(\w)", r[name])
            assert len(text) >= 300 and len(set(_sentences(text))) == len(_sentences(text)), text
            assert not re.search(r"\b(Cheers|Thanks) [A-Z]", text), text
            assert not any(c.islower() for c in starts) or text == text.lower(), text


def test_a_clients_own_key_field_and_scale_pick_the_branch() -> None:
    def bodies(stars: dict[str, Any]) -> str:
        rows = _client({"stars": stars, "text": {"type": "text", "source": "grammar.review_body",
                                                 "pools_by": {"field": "stars", "pools": {}}}})  # fmt: skip
        return " ".join(r["text"].lower() for r in rows)

    assert not _phrases("positive", "review_body").search(bodies({"type": "integer", "min": 1, "max": 1}))
    assert not _phrases("negative", "review_body").search(bodies({"type": "integer", "min": 9, "max": 10}))
    grammar = load_grammar("review_body")
    for value, branch in [(4.62, "5"), (8, "4"), (10, "5"), (1.2, "1"), (0, "1"), (70, "4"), ("3", "3")]:
        assert grammar.branch({"rating": value})[0] is grammar.branches[branch], value


@pytest.mark.parametrize(
    ("name", "description"),
    [("code", "Error code returned by the API"), ("checksum", "Notes checksum"),
     ("template_id", "Message template"), ("isbn", "Description of the book"), ("api_key", ""),
     ("status", "Reason the order is on hold")],
)  # fmt: skip
def test_ids_codes_and_hashes_never_become_prose(name: str, description: str) -> None:
    for ftype in (FieldType.STRING, FieldType.TEXT):
        assert not (infer_source(name, ftype, description) or "").startswith("grammar."), (name, ftype)


def test_typos_keep_contractions_whole() -> None:
    finish, rnd = finisher(Style(typo=1.0)), random.Random(3).random
    texts = [finish("If you're sure, you've got a thank-you note.", rnd) for _ in range(99)]
    assert not any(re.search(r"\bu'|-u\b", t) for t in texts)
    assert not any(re.search(r"\bu'", r["body"]) for r in _rows("review", 2000))


def test_refund_and_return_reasons_agree_with_their_code() -> None:
    assert not any(re.search(r"(?<!\.)\.\.(?!\.)", r["reason"]) for r in _rows("refund", 1000))
    unused = re.compile(r"unused|still sealed|tags are still on|original packaging", re.I)
    for r in _rows("return", 1000):
        if r["reason_code"] in ("defective", "damaged_in_shipping"):
            assert not unused.search(r["reason"]), r["reason"]
        if r["reason_code"] in ("changed_mind", "better_price", "arrived_late"):
            assert not re.search(r"photos|replacement|exchange", r["reason"], re.I), r["reason"]


_TRACKING = {"UPS": r"1Z\d{6}0[123]\d{8}", "USPS": r"9400\d{18}", "FedEx": r"\d{12}", "DHL": r"\d{10}"}


def test_notifications_agree_with_channel_subject_and_calendar() -> None:
    days = r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Jan|Sep|Oct|Nov|Dec)\b"
    for r in _rows("notification", 1500):
        text, subject = r["content"], r["subject"] or ""
        assert ("STOP" in text) <= (r["channel"] == "sms") and not re.search(days, text), r
        named = re.search(r"(\d+)%", subject)
        if named:
            assert set(re.findall(r"(\d+)%", text)) <= {named.group(1)}, (subject, text)
        for carrier, number in re.findall(r"(\w+) tracking: (\w+)", text):
            assert re.fullmatch(_TRACKING[carrier], number), text
        if subject == "Out for delivery today":
            assert "tomorrow" not in text


def test_template_slips_are_gone() -> None:
    texts = [f"{r['title']}. {r['body']}" for r in _rows("review", 2000)]
    texts += [r["description"] for r in _rows("support_ticket", 1000)]
    texts += [r[f] for f in ("message", "comment") for r in _client({f: {"type": "text"}}, count=300)]
    vowel_brands = "|".join(re.escape(b) for b in BRANDS if b[0] in "AEIO")
    slips = re.compile(
        rf"\b[Aa] (?:{vowel_brands}|[aio]|e(?!u)|un(?!i))|\bon a the\b|\bthe The\b|\bto (?:by|on) |"
        r"\bMy (?:son|daughter|husband|wife|mom|dad|girlfriend) love\b|\bkids loves\b|"
        r"(?:Hi|Hello|Hey|morning|there|support), (?!I\b|I'[a-z]+)[A-Z]|\b5 stars, would be 5"
    )
    assert [m.group(0) for t in texts for m in [slips.search(t)] if m] == []
    kinds = {text_of(p).kind for p in PRODUCTS.values()}
    for r in _rows("support_ticket", 1000):  # not bought yet: no "my" product, no order
        if r["category"] == "product_question":
            text = r["description"].lower()
            assert not re.search(r"\bmy order|\bi ordered", text), text
            assert not any(f"my {k}" in text for k in kinds), text
