"""Issue 12's soak: attackers and normal traffic against one server process for ATTACK_S seconds."""

from __future__ import annotations

from tests.service.soak import run_soak

# The documented ceiling (README, Limits): 8 never-read streams per client hold one chunk each (about
# 10-15 MiB with gRPC's buffers), plus oversized requests parsed one at a time.
RSS_CEILING_MIB = 1024


def test_attacks_leave_normal_calls_served_memory_bounded_and_returning_to_idle() -> None:
    figures = run_soak()
    print(figures.summary())
    assert not figures.normal_failures, figures.normal_failures
    assert figures.attacked_ms, "normal traffic ran during the attack"
    assert figures.refused.get("RESOURCE_EXHAUSTED", 0) > 0  # the stream caps were reached
    assert figures.refused.get("UNAUTHENTICATED", 0) > 0
    assert figures.refused.get("INVALID_ARGUMENT", 0) > 0
    assert figures.peak_mib < RSS_CEILING_MIB, figures.summary()
    assert figures.after_mib - figures.idle_mib <= 50, figures.summary()
