"""The markdown view of a report: header, comparison (regressions first), failures, cases, judge notes."""

from __future__ import annotations

from typing import Any

from evals.table import COLUMNS


def fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def render(doc: dict[str, Any]) -> str:
    t = doc["totals"]
    cost = f"${t['cost_usd']:.4f}" if t["cost_usd"] is not None else "n/a (no price for this model)"
    out = [
        f"# Eval report {doc['created']}",
        "",
        f"- mode: {doc['mode']}; model: `{doc['model']}`; prompt version: `{doc['prompt_version']}`",
        f"- datasets: {', '.join(doc['datasets'])}; {doc['seconds']:.1f} s",
        f"- cases: {t['cases']}, failed: {t['failed']}, rows: {t['rows']}",
        f"- tokens: {t['tokens']:.0f} ({t['input_tokens']:.0f} in, {t['output_tokens']:.0f} out); "
        f"estimated cost: {cost}",
        "",
    ]
    out += _comparison(doc.get("comparison"))
    if doc["failures"]:
        out += ["## Failures", "", *(f"- {f}" for f in doc["failures"]), ""]
    header = ["case", "path", "rows", *(h for h, _, _ in COLUMNS), "result"]
    out += ["## Cases", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in doc["cases"]:
        cells = [spec.format(r["scores"][n]) if n in r["scores"] else "-" for _, n, spec in COLUMNS]
        result = "ok" if r["passed"] else "**FAIL**"
        out.append(
            f"| {r['dataset']}/{r['case']} | {r['path']} | {r['rows']} | "
            + " | ".join(cells)
            + f" | {result} |"
        )
    notes = [(r, r["score_reasons"]["realism"]) for r in doc["cases"] if "realism" in r["score_reasons"]]
    if notes:
        out += ["", "## Judge's notes (realism)", ""]
        out += [f"- {r['dataset']}/{r['case']}: {r['scores']['realism']:.2f}: {note}" for r, note in notes]
    return "\n".join(out) + "\n"


def _comparison(cmp: dict[str, Any] | None) -> list[str]:
    if cmp is None:
        return ["## Comparison", "", "No earlier report of this mode in this folder: nothing to compare.", ""]
    prev = cmp["previous"]
    out = [
        f"## Comparison with {prev['folder']}",
        "",
        f"Earlier run: model `{prev['model']}`, prompt version `{prev['prompt_version']}`. Tolerance: scores "
        f"{cmp['tolerance']}, cost figures {cmp['cost_tolerance']:.0%}.",
        "",
    ]
    if cmp["regressions"]:
        out += ["| | case | measure | before | after |", "|---|---|---|---|---|"]
        out += [
            f"| **REGRESSION** | {c['case']} | {c['name']} | {fmt(c['before'])} | {fmt(c['after'])} |"
            for c in cmp["regressions"]
        ]
    else:
        out.append("No regressions.")
    if cmp["improvements"]:
        out += ["", *(f"- improved: {c['case']} {c['name']} {fmt(c['before'])} -> {fmt(c['after'])}"
                      for c in cmp["improvements"])]  # fmt: skip
    for label in ("new_cases", "missing_cases"):
        if cmp[label]:
            out += ["", f"{label.replace('_', ' ')}: {', '.join(cmp[label])}"]
    return [*out, ""]
