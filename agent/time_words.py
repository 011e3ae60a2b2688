"""Context words about a season's peaks, for the deterministic planners (a model plan says the same in
GenerationPlan.peaks / DatasetPlan.peaks): "holiday rush" doubles the Thanksgiving week's lift."""

from __future__ import annotations

import re

# (pattern, peak multipliers): a rush doubles how far above a usual day its days rise.
PEAK_RULES: tuple[tuple[str, dict[str, float]], ...] = (
    (
        r"holiday rush|black friday|cyber (monday|week)|thanksgiving|peak season",
        {
            "thanksgiving": 2.0,
            "black_friday": 2.0,
            "black_friday_saturday": 2.0,
            "black_friday_sunday": 2.0,
            "cyber_monday": 2.0,
        },
    ),
    (r"prime day|summer (deal|sale) event", {"prime_day": 2.0, "prime_day_2": 2.0}),
)


def peak_multipliers(text: str) -> dict[str, float]:
    """The peaks a request's context and hints call for (empty: the usual year)."""
    out: dict[str, float] = {}
    lowered = text.lower()
    for pattern, peaks in PEAK_RULES:
        if re.search(pattern, lowered):
            out.update(peaks)
    return out
