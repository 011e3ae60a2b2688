"""Close-name suggestions: a known name inside the one given comes first; long names get none."""

from __future__ import annotations

from tools.errors import MAX_SUGGEST, close_names
from tools.registry import default_registry


def test_a_known_name_inside_the_given_one_is_suggested_first() -> None:
    names = default_registry().names()
    assert close_names("shoppingcart", names)[0] == "cart"
    assert close_names("ordr", names)[0] == "order"


def test_names_past_the_limit_get_no_suggestion() -> None:
    assert close_names("cart" * (MAX_SUGGEST // 4 + 1), ["cart"]) == []
