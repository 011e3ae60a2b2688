"""The one executor every path shares: request -> checked inputs -> plan applied -> engine -> text.

`prepare` does all checking up front (schema, constraints, counts, overrides, locale, format), so a
bad request fails before a row is made. `run` turns a prepared request and any GenerationPlan into
batches; `render` turns batches into chunks or one document.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agent.apply_plan import apply_field_plans
from agent.deterministic import DEFECT_SHARE, EDGE_HINTS
from agent.plan import GenerationPlan
from agent.plan_products import plan_products
from agent.plan_values import plan_edges, record_tables
from agent.request import DataRequest
from agent.segments import parts
from tools.blocks import PARALLEL_FROM, BlockRunner, Rendered, WriterSpec, fits_tasks, tasks_for
from tools.coherence import CoherenceMeter
from tools.constraints import apply_constraints
from tools.engine import Job, Scenario, generate
from tools.errors import InvalidRequest, LimitExceeded
from tools.formats import FORMATS, Writer, columns_for
from tools.formats.chunking import stream_chunks, stream_texts, utf8_size
from tools.formats.sql_format import check_sql_names
from tools.imitation import Template
from tools.pools import check_locale
from tools.registry import Registry
from tools.report import Report
from tools.row_size import check_row_size
from tools.scenarios import DEFAULT_COUNT, reconcile_counts, typed_overrides
from tools.schema import EntitySchema
from tools.schema_docs import schema_from_document
from tools.temporal import REFERENCE_SECONDS, parse_as_of
from tools.world.additions import catalogue_for
from tools.world.clock import as_seen_at
from tools.world.localise import localise, sets_currency

MAX_SEED = 2**63 - 1
MAX_SCENARIOS = 1000
SCENARIO_NAME = re.compile(r"[A-Za-z0-9_ .-]{1,64}")


@dataclass
class Prepared:
    request: DataRequest
    schema: EntitySchema
    scenarios: list[Scenario]
    seed: int
    locale: str
    output_format: str
    as_of: int = REFERENCE_SECONDS  # epoch seconds: the instant every status is seen at
    coherence: CoherenceMeter = field(init=False)

    def __post_init__(self) -> None:
        self.coherence = CoherenceMeter(self.schema)

    @property
    def schema_from_request(self) -> bool:
        """The schema came with the request (custom, inline or a field list), not from the registry."""
        r = self.request
        return bool(r.custom_schema.strip() or r.inline_schema.strip() or r.schema_fields)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.scenarios)

    @property
    def scenario_counts(self) -> dict[str, int]:
        return {s.name: s.count for s in self.scenarios}


def resolve_schema(request: DataRequest, registry: Registry) -> EntitySchema:
    """The request's own schema if it sends one (custom, inline, field list), else the registry's."""
    name = request.entity or "custom"
    if request.custom_schema.strip():
        return schema_from_document(request.custom_schema, "custom_schema", name)
    if request.inline_schema.strip():
        return schema_from_document(request.inline_schema, "inline_schema", name)
    if request.schema_fields:
        import json

        doc = {"name": name, "domain": request.domain or "custom", "fields": request.schema_fields}
        return schema_from_document(json.dumps(doc), "schema.fields", name)
    entity = request.predefined_schema or request.entity
    if not entity.strip():
        raise InvalidRequest(
            "entity", "no entity and no schema in the request", "set entity (see GetSchemas)"
        )
    return registry.get(entity, request.domain)


def prepare(request: DataRequest, registry: Registry) -> Prepared:
    fmt = checked_format(request.output_format)
    locale = check_locale(request.locale)
    seed = checked_seed(request.seed)
    as_of = parse_as_of(request.as_of)
    schema = resolve_schema(request, registry)
    if not (request.custom_schema.strip() or request.inline_schema.strip() or request.schema_fields):
        schema = as_seen_at(schema, as_of)  # the registry's dates are relative to the reference instant
    schema = apply_constraints(schema, request.constraints)
    check_row_size(schema)
    check_sql_names(fmt, schema)
    if len(request.scenarios) > MAX_SCENARIOS:
        raise InvalidRequest(
            "scenarios", f"{len(request.scenarios):,} scenarios; at most {MAX_SCENARIOS:,}", "merge scenarios"
        )
    if request.scenarios:
        counts = reconcile_counts(request.count, [(s.name, s.count) for s in request.scenarios])
        names = [s.name.strip() or f"scenario_{i + 1}" for i, s in enumerate(request.scenarios)]
        for i, name in enumerate(names):
            if not SCENARIO_NAME.fullmatch(name):
                raise InvalidRequest(
                    f"scenarios[{i}].name",
                    f"{name[:40]!r} is not a scenario name",
                    "use letters, digits, _ - . or spaces (64 at most)",
                )
        if len(set(names)) != len(names):
            raise InvalidRequest(
                "scenarios", "two scenarios share a name", "give every scenario its own name"
            )
        scenarios = [
            # Checked as the rows will be: in the locale's currency (a yen world's amounts in yen).
            Scenario(
                name,
                n,
                typed_overrides(
                    localise(schema, locale, sets_currency(s.overrides)), s.overrides, f"scenarios[{i}]", n
                ),
            )
            for i, (name, n, s) in enumerate(zip(names, counts, request.scenarios, strict=True))
        ]
    else:
        reconcile_counts(request.count, [])  # the same checks (count >= 0) without scenarios
        scenarios = [Scenario("default", request.count or DEFAULT_COUNT)]
    return Prepared(request, schema, scenarios, seed, locale, fmt, as_of)


def _overrides(schema: EntitySchema, locale: str, raw: dict[str, str], i: int, n: int) -> dict[str, Any]:
    """A scenario's overrides, checked as its rows will be: in the locale's currency (a yen world's
    amounts in yen) unless the scenario sets the currency itself (tools/world/localise.py)."""
    return typed_overrides(localise(schema, locale, sets_currency(raw)), raw, f"scenarios[{i}]", n)


def checked_format(name: str) -> str:
    fmt = (name or "json").lower()
    if fmt not in FORMATS:
        raise InvalidRequest("output_format", f"unknown format {name!r}", f"use one of {', '.join(FORMATS)}")
    return fmt


def checked_seed(seed: int | None) -> int:
    """The request's seed, or a fresh one (reported back, so the response can be reproduced)."""
    if seed is None:
        return secrets.randbits(63)
    if not 0 <= seed <= MAX_SEED:
        raise InvalidRequest("seed", "must be between 0 and 2^63-1", "send a non-negative 64-bit integer")
    return seed


def build_job(
    prepared: Prepared,
    plan: GenerationPlan,
    batch_size: int = 1000,
    templates: list[Template] | None = None,
    defects: list[Template] | None = None,
    template_share: float = 0.0,
) -> tuple[Job, list[str]]:
    """The engine job for a prepared request under a plan (and the examples it imitates or replays),
    and the plan problems that were skipped."""
    base, problems = apply_field_plans(prepared.schema, plan.fields)
    records, more = record_tables(base, plan.records, "")
    problems += more
    edges, more = plan_edges(base, plan.edge_values)
    problems += more
    products, more = plan_products(base, plan)
    problems += more
    scenarios = []
    shares = []
    by_name = {sp.name: sp for sp in plan.scenarios}
    for s in prepared.scenarios:
        sp = by_name.get(s.name)
        schema = base
        own = records
        if sp is not None and sp.fields:
            schema, more = apply_field_plans(base, sp.fields)
            problems += [f"scenario {s.name}: {p}" for p in more]
        if sp is not None and sp.records:
            own, more = record_tables(schema, sp.records, f"scenario {s.name}: ")
            problems += more
        themes = (sp.themes if sp is not None and sp.themes else None) or plan.themes
        share = (
            sp.edge_case_share if sp is not None and sp.edge_case_share is not None else plan.edge_case_share
        )
        segments = (sp.segments if sp is not None and sp.segments else None) or plan.segments
        made, more = parts(s.count, segments, schema, own, themes, f"scenario {s.name}: " if sp else "")
        problems += more
        for part in made:  # one part (the scenario itself) unless the plan has segments
            scenario = Scenario(s.name, part.count, s.overrides, part.schema, part.themes, share)
            scenario.records = part.records
            scenarios.append(scenario)
            shares.append(share)
    if _wants_edges(prepared.request):
        # The request's promise (at least half the rows are edge cases) holds whoever wrote the plan.
        shares = [max(s, DEFECT_SHARE) for s in shares]
        for s in scenarios:
            s.edge_case_share = max(s.edge_case_share or 0.0, DEFECT_SHARE)
    job = Job(
        schema=base,
        scenarios=scenarios,
        seed=prepared.seed,
        locale=prepared.locale,
        as_of=prepared.as_of,
        peaks=tuple(sorted(plan.peaks.items())),
        edge_case_share=max(shares, default=plan.edge_case_share),
        negative=prepared.request.negative,
        theme_weights=plan.themes,
        batch_size=batch_size,
        edge_kinds=list(plan.edge_cases),
        templates=list(templates or []),
        template_share=template_share if templates else 0.0,
        defects=list(defects or []),
        plan_edges=edges,
        products=products,
        product_share=plan.product_share if products else 1.0,
    )
    if edges and not any(sc.edge_case_share for sc in scenarios):
        problems.append("edge_values: no row is an edge case (edge_case_share is 0); set edge_case_share")
    prepared.coherence.catalogue = catalogue_for(products)  # scored with the catalogue they are made with
    return job, problems


def _wants_edges(request: DataRequest) -> bool:
    return request.defect_triggering or bool({h.strip().lower() for h in request.hints} & EDGE_HINTS)


def writer_for(prepared: Prepared, job: Job) -> Writer:
    return writer_spec(prepared, job).text_writer()


def writer_spec(prepared: Prepared, job: Job) -> WriterSpec:
    edges = any(s.edge_case_share for s in job.scenarios) or job.edge_case_share > 0
    cols = columns_for(prepared.schema, edges, job.negative)
    return WriterSpec(
        prepared.output_format,
        prepared.schema,
        cols,
        negative=job.negative,
        csv_safe=prepared.request.csv_safe,
    )


def measured(prepared: Prepared, batches: Iterable[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    for rows in batches:
        prepared.coherence.add(rows)
        yield rows
        # Let go of a batch before the next is made: else two batches of rows are alive at once.
        del rows


def render_document(
    prepared: Prepared, job: Job, max_bytes: int | None = None, report: Report | None = None
) -> str:
    """The whole dataset as one text; past `max_bytes` it stops and says to stream instead. `report`
    sees every row on its way (tools/report.py)."""
    writer = writer_for(prepared, job)
    pieces, size = [], 0
    batches = measured(prepared, generate(job))
    for piece in writer.document(_seen(batches, report) if report is not None else batches):
        size += utf8_size(piece)  # the limit is on bytes: CJK text is three per character
        if max_bytes is not None and size > max_bytes:
            raise LimitExceeded(
                "count",
                f"the response would pass {max_bytes // 2**20} MiB",
                "use GenerateDataStream or fewer rows",
            )
        pieces.append(piece)
    return "".join(pieces)


def _seen(batches: Iterator[list[dict[str, Any]]], report: Report) -> Iterator[list[dict[str, Any]]]:
    for batch in batches:
        report.add_batch(batch)
        yield batch


def render_chunks(
    prepared: Prepared, job: Job, chunk_rows: int, run_blocks: BlockRunner | None = None
) -> Iterator[tuple[str, bool]]:
    """(chunk, is_final): chunks of at most `chunk_rows` rows (and MAX_CHUNK_BYTES), each parsing alone.
    Make `job` with a small batch_size: a stream then holds a few rows and one chunk, never a chunk's rows.
    With `run_blocks` (worker processes) a large job's blocks are made there: the same bytes."""
    writer = writer_for(prepared, job)
    if run_blocks is None or prepared.total < PARALLEL_FROM or not fits_tasks(job):
        return stream_chunks(writer, measured(prepared, generate(job)), chunk_rows, prepared.total)
    rendered = run_blocks(tasks_for(job, writer_spec(prepared, job), prepared.schema))
    return stream_texts(writer, scored(prepared, rendered), chunk_rows, prepared.total)


def scored(prepared: Prepared, results: Iterator[Rendered]) -> Iterator[list[str]]:
    """Rows rendered elsewhere: their coherence scores go to the meter, their texts on."""
    for result in results:
        prepared.coherence.add_scores(result.scores)
        yield result.texts
