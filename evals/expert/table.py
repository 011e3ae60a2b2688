"""The expert table (console and markdown): each case's scores, deterministic -> expert."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from evals.expert.family_score import FamilyOutcome
    from evals.expert.runner import Outcome

AnyOutcome: TypeAlias = "Outcome | FamilyOutcome"

HEAD = ("case", "entity", "rows", "context fit", "text div.", "distinct", "realism", "coherence",
        "plan reached rows", "plan tokens", "verdict")  # fmt: skip


def fmt(v: float | None, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def pair(a: float | None, b: float | None, digits: int = 2) -> str:
    return f"{fmt(a, digits)} -> {fmt(b, digits)}"


def _what(o: AnyOutcome) -> str:
    """The entity, or a linked dataset's roots (`customer=60 +family`)."""
    r = o.case.request
    if "entity" in r:
        return str(r["entity"])
    return " ".join(f"{k}={v}" for k, v in r["entities"].items()) + " +family"


def _rows(o: AnyOutcome) -> int:
    made = o.expert
    return made.records if not isinstance(made.rows, list) else len(made.rows)


def _distinct(o: AnyOutcome, expert: bool) -> float | None:
    fields = (o.expert_scores if expert else o.det_scores).fields
    return sum(f.distinct for f in fields) / len(fields) if fields else None


def cells(o: AnyOutcome) -> tuple[str, ...]:
    d, e = o.det_scores, o.expert_scores
    reached = ", ".join(f"{k} {fmt(v)}" for k, v in o.reached.items()) or "-"
    return (o.case.name, _what(o), str(_rows(o)), pair(d.fit, e.fit),
            pair(d.diversity, e.diversity, 3), pair(_distinct(o, False), _distinct(o, True)),
            pair(d.realism, e.realism), pair(d.coherence, e.coherence, 3), reached, f"~{o.tokens:,}",
            "beats" if o.beats else "waits" if o.case.waits_for else "DOES NOT BEAT")  # fmt: skip


def console(outcomes: list[AnyOutcome]) -> list[str]:
    rows = [HEAD, *(cells(o) for o in outcomes)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def md_row(row: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"


def _case(o: AnyOutcome) -> list[str]:
    c, d, e = o.case, o.det_scores, o.expert_scores
    size = f"{c.request['count']} rows" if "count" in c.request else f"{_rows(o):,} records (expert)"
    out = [f"### {c.name}", "", f"`{_what(o)}`, {size}, seed {c.request.get('seed')}: "
           f"{c.request.get('context', '')}", ""]  # fmt: skip
    out += [md_row(("property", "deterministic", "expert", "holds (det / expert)")), md_row(("---",) * 4)]
    for pd, pe in zip(d.properties, e.properties, strict=True):
        out.append(md_row((pd.name, fmt(pd.value), fmt(pe.value), f"{'yes' if pd.held else 'no'} / "
                        f"{'yes' if pe.held else 'no'}")))  # fmt: skip
    if e.fields:
        out += ["", md_row(("text field", "texts", "distinct", "distinct-2", "distinct-2 of distinct texts")),
                md_row(("---",) * 5)]  # fmt: skip
        for fd, fe in zip(d.fields, e.fields, strict=True):
            out.append(md_row((fd.path, f"{fd.texts} -> {fe.texts}", pair(fd.distinct, fe.distinct),
                            pair(fd.d2, fe.d2, 3), pair(fd.d2_unique, fe.d2_unique, 3))))  # fmt: skip
    dn = {ch.name: ch for ch in d.checks}
    differ = [ch for ch in e.checks if ch.name not in dn or dn[ch.name].verdict != ch.verdict]
    if differ:
        out += ["", "Realism measures that differ (expert): " + "; ".join(
            f"`{ch.name}` {fmt(ch.value)} (wanted {ch.bound}; deterministic "
            f"{fmt(dn[ch.name].value) if ch.name in dn else 'n/a'})" for ch in differ)]  # fmt: skip
    if d.realism is None:
        out += [
            "",
            f"Realism: no measure of evals/realism applies to both paths' `{_what(o)}` rows (skipped).",
        ]
    if c.realism_waived:
        out += ["", "Realism waived: " + "; ".join(f"`{k}`: {v}" for k, v in c.realism_waived.items())]
    for label, problems in (("check_plan", o.expert.check_problems), ("build_job", o.expert.build_problems)):
        if problems:
            out += ["", f"Expert plan, {label} problems:", *(f"- {p}" for p in problems)]
    if o.failures:
        out += ["", "**Does not beat deterministic:** " + "; ".join(o.failures)]
    return [*out, ""]


def markdown(outcomes: list[AnyOutcome]) -> str:
    won = sum(o.beats for o in outcomes)
    head = [
        "# Expert plans vs deterministic",
        "",
        "Same request, seed and count on both paths; each cell is deterministic -> expert. Rule: the "
        "expert plan scores higher on context fit and text diversity (distinct-2 over every text "
        "field's bigrams together) and no lower on realism and coherence. `distinct` is distinct "
        "texts / texts; `plan reached rows` the share of rows showing each plan feature; `plan "
        "tokens` what writing the plan costs (at most 6,000). A linked dataset (`+family`) compares "
        "the expert's dataset plan with the keyword rules' over every record of the family. Generated "
        "by `python -m evals.expert` (and every offline `make evals`).",
        "",
        f"{won} of {len(outcomes)} expert plans beat deterministic.",
        "",
        md_row(HEAD),
        md_row(("---",) * len(HEAD)),
        *(md_row(cells(o)) for o in outcomes),
        "",
    ]
    return "\n".join([*head, *(line for o in outcomes for line in _case(o))])
