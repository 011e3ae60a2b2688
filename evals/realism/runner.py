"""The realism evaluation end to end: make the rows, measure, print the table, write the markdown,
and decide the exit code (only ENFORCED properties can fail a run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from evals.realism.activity import activity_checks
from evals.realism.amounts import amount_checks
from evals.realism.carriers import carrier_checks
from evals.realism.goods import basket_checks, catalogue_checks, text_checks
from evals.realism.ids import id_year_checks
from evals.realism.lifecycle import future_checks, status_checks
from evals.realism.links import text as as_of_text
from evals.realism.locales import locale_checks
from evals.realism.money import currency_checks, tax_checks
from evals.realism.people import loyalty_checks, ownership_checks
from evals.realism.policy import ENFORCED
from evals.realism.refunds import refund_checks
from evals.realism.sample import AS_OF, LOCALES, SEED, Sample, Sizes
from evals.realism.table import INFO, Check, console_table, enforced_failures, markdown_table, summary
from evals.realism.time_shapes import time_shape_checks
from evals.realism.timeline import cart_checks, timeline_checks

REALISM_MD = "realism.md"


def evaluate(sizes: Sizes | None = None) -> list[Check]:
    """Every measure, in the order of the issue's list of properties; then a `rows.made` line (n/a, with
    the error) for each request the service failed to make."""
    sample = Sample.make(sizes or Sizes())
    return [
        *currency_checks(sample),
        *tax_checks(sample),
        *ownership_checks(sample),
        *amount_checks(sample),
        *text_checks(sample),
        *catalogue_checks(sample),
        *basket_checks(sample),
        *loyalty_checks(sample),
        *locale_checks(sample),
        # Realism II: linked datasets and what they look like at as_of (reported, not yet ENFORCED)
        *timeline_checks(sample),
        *cart_checks(sample),
        *status_checks(sample),
        *future_checks(sample),
        *refund_checks(sample),
        *time_shape_checks(sample),
        *id_year_checks(sample),
        *carrier_checks(sample),
        *activity_checks(sample),
        *(Check("rows", "made", what, None, INFO, "service path", e) for what, e in sample.errors.items()),
    ]


def markdown(checks: list[Check], sizes: Sizes) -> str:
    """The report; nothing in it depends on the clock, so it changes only when the data does."""
    enforced = ", ".join(f"`{p}`" for p in sorted(ENFORCED)) or "none yet"
    head = [
        "# Realism report",
        "",
        f"Offline, deterministic: seed {SEED}, locales {', '.join(LOCALES)}; {sizes}.",
        f"Rows seen at as_of {as_of_text(AS_OF)} (tools/temporal.REFERENCE_TIME until requests carry one).",
        f"Enforced (fail `make evals`): {enforced}. Everything else is reported only.",
        "",
    ]
    return "\n".join([*head, *markdown_table(checks), "", summary(checks), ""])


def report(out: TextIO, md_path: Path | None, sizes: Sizes | None = None) -> int:
    """Measure, print and write; 1 when an ENFORCED property is below its threshold (or n/a)."""
    sizes = sizes or Sizes()
    started = time.perf_counter()
    checks = evaluate(sizes)
    seconds = time.perf_counter() - started
    print("\nRealism (reported; only ENFORCED properties fail the run):", file=out)
    print("\n".join(console_table(checks)), file=out)
    print(f"\n{summary(checks)}; {seconds:.1f} s", file=out)
    if md_path is not None:
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(markdown(checks, sizes), encoding="utf-8")
        print(f"realism report: {md_path}", file=out)
    failed = enforced_failures(checks, ENFORCED)
    if failed:
        print(f"\nFAILED: {len(failed)} enforced realism measure(s):", file=out)
        print("\n".join(f"- {c.name} [{c.scope}] = {c.value} (wanted {c.bound})" for c in failed), file=out)
        return 1
    return 0
