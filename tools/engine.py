"""The engine: (schema, scenarios, seed, ...) -> batches of validated rows, lazily.

Rows come from compiled makers (tools/compiler.py), pass the compiled validator, get their `_scenario`
and `_index`, and leave in batches; nothing but the current batch is held. One `random.Random(seed)`
drives everything in a fixed order, so the same job gives the same rows in any process.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools import edge_cases, negative
from tools.catalogue import load_catalogue
from tools.compiler import ItemCount, Retry, compile_derives, compile_object, constant
from tools.errors import GenerationFailed
from tools.imitation import Imitator, Template
from tools.schema import EntitySchema
from tools.temporal import REFERENCE_TIME, default_window
from tools.validator import Violation, compile_validator
from tools.values import Env, Maker, RowCtx, chooser

MAX_ROW_ATTEMPTS = 60
DEFAULT_BATCH = 1000


@dataclass
class Scenario:
    name: str
    count: int
    overrides: dict[str, Any] = field(default_factory=dict)  # path -> typed value (or ItemCount)
    schema: EntitySchema | None = None  # a plan may tighten the schema for one scenario
    theme_weights: dict[str, float] | None = None  # catalogue themes for this scenario's products
    edge_case_share: float | None = None  # None: the job's share


@dataclass
class Job:
    schema: EntitySchema
    scenarios: list[Scenario]
    seed: int
    locale: str = "en_US"
    edge_case_share: float = 0.0  # share of rows that are edge cases
    negative: bool = False  # every row breaks exactly one rule, tagged `_violates`
    theme_weights: dict[str, float] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH
    edge_kinds: list[str] = field(default_factory=list)  # favoured edge-case kinds; empty: all
    # Examples to imitate (share of rows that do) and defect examples replayed as edge cases.
    templates: list[Template] = field(default_factory=list)
    template_share: float = 0.0
    defects: list[Template] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.scenarios)


def generate(job: Job) -> Iterator[list[dict[str, Any]]]:
    # The entity name joins the seed so two entities made with one seed do not share id suffixes.
    rng = random.Random(f"{job.seed}/{job.schema.name}")
    window = default_window(REFERENCE_TIME)
    env = Env(rng=rng, locale=job.locale, year=REFERENCE_TIME.year, window=window)
    batch: list[dict[str, Any]] = []
    index = 0
    for scenario in job.scenarios:
        pick_theme = _theme_chooser(scenario.theme_weights or job.theme_weights, rng)
        runner = _ScenarioRunner(job, scenario, env, window)
        for _ in range(scenario.count):
            row = runner.row(pick_theme)
            row["_scenario"] = scenario.name
            row["_index"] = index
            index += 1
            batch.append(row)
            if len(batch) >= job.batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def _theme_chooser(weights: dict[str, float], rng: random.Random) -> Any:
    themes = load_catalogue()
    w = [max(0.0, float(weights.get(t.name, 1.0 if not weights else 0.0))) for t in themes]
    if not any(w):
        w = [1.0] * len(themes)
    return chooser(themes, w, rng.random)


class _ScenarioRunner:
    def __init__(self, job: Job, scenario: Scenario, env: Env, window: tuple[int, int]) -> None:
        self.schema = scenario.schema or job.schema
        self.env = env
        self.rnd = env.rnd
        self.forced = {
            p: (v if isinstance(v, ItemCount) else constant(v)) for p, v in scenario.overrides.items()
        }
        self.maker = compile_object(self.schema.as_object(), "", env, dict(self.forced))
        self.validate = compile_validator(self.schema, window, env.year)
        self.edge_share = (
            job.edge_case_share if scenario.edge_case_share is None else scenario.edge_case_share
        )
        self.edge_acc = 0.0
        self.edges = _favoured(
            [e for e in edge_cases.catalogue(self.schema, window) if e.path not in scenario.overrides],
            job.edge_kinds,
        )
        self.edge_turn = 0
        self.edge_makers: dict[str, Maker] = {}
        self.mutations = negative.mutations(self.schema, window) if job.negative else []
        self.imitator = Imitator(self.schema, env.rnd)
        self.templates = list(job.templates)
        self.pick_template = _template_chooser(self.templates, env.rnd)
        self.template_share = job.template_share if self.templates else 0.0
        self.template_makers: dict[str, Maker] = {}
        # Defect examples found real bugs: every third edge-case row replays one.
        self.defects = [edge_cases.EdgeCase(f"defect:{t.example_id}", "", t) for t in job.defects]
        self.mutation_turn = 0
        self.derives = compile_derives(self.schema.as_object(), "") if job.negative else []

    def row(self, pick_theme: Any) -> dict[str, Any]:
        ctx_theme = pick_theme()
        if self.edge_share and (self.edges or self.defects):
            self.edge_acc += self.edge_share
            if self.edge_acc >= 1.0 - 1e-9:
                self.edge_acc -= 1.0
                row = self._edge_row(ctx_theme)
                if row is not None:
                    return self._negate(row) if self.mutations else row
        row = self._imitation(ctx_theme) if self.template_share and self.rnd() < self.template_share else None
        if row is None:
            row = self._valid_row(self.maker, ctx_theme)
        return self._negate(row) if self.mutations else row

    def _imitation(self, theme: Any) -> dict[str, Any] | None:
        while self.templates:
            template = self.pick_template()
            if template not in self.templates:
                continue
            maker = self.template_makers.get(template.example_id)
            if maker is None:
                others = [t for t in self.templates if t is not template]
                forced = {**self.imitator.vary(template, others), **self.forced}
                maker = compile_object(self.schema.as_object(), "", self.env, forced)
                self.template_makers[template.example_id] = maker
            try:
                return self._valid_row(maker, theme, attempts=8)
            except _EdgeInfeasible:
                # This example cannot be imitated under the request's constraints: stop using it.
                self.templates.remove(template)
                self.pick_template = _template_chooser(self.templates, self.rnd)
        return None

    def _valid_row(self, maker: Maker, theme: Any, attempts: int = MAX_ROW_ATTEMPTS) -> dict[str, Any]:
        try:
            row = maker({}, RowCtx(theme))
            if not self.validate(row):
                return row  # the common case: valid by construction, first time
        except Retry:
            pass
        return self._retry(maker, theme, attempts - 1)

    def _retry(self, maker: Maker, theme: Any, attempts: int) -> dict[str, Any]:
        problems: Counter[tuple[str, str]] = Counter()
        sample: dict[tuple[str, str], Violation] = {}
        for _ in range(attempts):
            try:
                row = maker({}, RowCtx(theme))
            except Retry:
                problems[("order", "order")] += 1
                continue
            violations = self.validate(row)
            if not violations:
                return row
            for v in violations:
                key = (v.path.split("[")[0], v.rule)
                problems[key] += 1
                sample.setdefault(key, v)
        if attempts < MAX_ROW_ATTEMPTS - 1:
            raise _EdgeInfeasible
        if not problems:
            problems[("row", "order")] += 1
        (where, rule), _ = problems.most_common(1)[0]
        detail = sample.get((where, rule))
        raise GenerationFailed(
            where,
            f"no row satisfied the {rule} rule in {attempts} attempts"
            + (f" (last: {detail.message})" if detail else ""),
            "the constraints contradict each other or the entity's rules; loosen them",
        )

    def _edge_row(self, theme: Any) -> dict[str, Any] | None:
        while self.edges or self.defects:
            self.edge_turn += 1
            use_defect = self.defects and (self.edge_turn % 3 == 0 or not self.edges)
            pool = self.defects if use_defect else self.edges
            case = pool[(self.edge_turn // 3 if use_defect else self.edge_turn) % len(pool)]
            maker = self.edge_makers.get(case.label)
            if maker is None:
                forced = dict(self.forced)
                if isinstance(case.value, Template):
                    forced.update(self.imitator.replay(case.value))
                elif isinstance(case.value, ItemCount):
                    forced[case.path] = case.value
                else:
                    forced[case.path] = constant(case.value)
                maker = compile_object(self.schema.as_object(), "", self.env, forced)
                self.edge_makers[case.label] = maker
            try:
                row = self._valid_row(maker, theme, attempts=8)
            except _EdgeInfeasible:
                # This kind cannot hold in this schema (a bound, an order rule): drop it for good.
                pool.remove(case)
                continue
            row["_edge_case"] = case.label
            return row
        return None

    def _negate(self, row: dict[str, Any]) -> dict[str, Any]:
        for _ in range(len(self.mutations)):
            m = self.mutations[self.mutation_turn % len(self.mutations)]
            self.mutation_turn += 1
            candidate = _copy_row(row)
            try:
                m.apply(candidate)
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            if m.rederive:
                for target, fn in self.derives:
                    candidate[target] = fn(candidate)
            found = self.validate(candidate)
            if len(found) == 1 and found[0].rule == m.rule:
                candidate["_violates"] = {"rule": m.rule, "path": found[0].path, "error": str(found[0])}
                return candidate
        raise GenerationFailed("negative", "this schema has no rule a single change can break alone", "")


def _template_chooser(templates: list[Template], rnd: Any) -> Any:
    if not templates:
        return lambda: None
    return chooser(templates, [max(t.weight, 1e-6) for t in templates], rnd)


def _favoured(cases: list[edge_cases.EdgeCase], kinds: list[str]) -> list[edge_cases.EdgeCase]:
    """The catalogue narrowed to the plan's favoured kinds (`min`, `rtl_text`, `price=max`), if any match."""
    if not kinds:
        return cases
    wanted = {k.strip().lower() for k in kinds}
    chosen = [c for c in cases if c.kind.lower() in wanted or c.label.lower() in wanted]
    return chosen or cases


class _EdgeInfeasible(Exception):
    pass


def _copy_row(row: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(row)
