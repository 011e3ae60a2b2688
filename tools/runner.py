"""Making one entity's rows: plain rows, edge-case rows, rows that imitate examples, negative rows.

Every row passes the compiled validator before it is returned; rows that cannot hold are drawn
again a bounded number of times, then the request fails with the rule that could not be met.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from tools import edge_cases, negative
from tools.catalogue import Theme
from tools.chains import Retry
from tools.compiler import Forced, ItemCount, compile_object, constant
from tools.derive import compile_derives
from tools.errors import GenerationFailed, shorten
from tools.imitation import Imitator, Template
from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.records import record_makers, writers
from tools.validator import compile_validator
from tools.violations import Tally
from tools.world.lifecycle import lifecycle_makers
from tools.world.localise import localise, sets_currency

if TYPE_CHECKING:
    from tools.engine import Job, Scenario

MAX_ROW_ATTEMPTS = 60


class RowRunner:
    """Makes one entity's rows for one scenario: plain, edge-case, imitating, or negative, each validated."""

    def __init__(self, job: Job, scenario: Scenario, env: Env, window: tuple[int, int]) -> None:
        # The locale's currency and language (tools/world/localise.py): every maker below sees them.
        self.schema = localise(scenario.schema or job.schema, env.locale, sets_currency(scenario.overrides))
        self.env = env
        self.rnd = env.rnd
        self.links: dict[str, Any] | None = None
        self.forced: Forced = {
            p: (v if isinstance(v, ItemCount) else constant(v)) for p, v in scenario.overrides.items()
        }
        self.forced.update(scenario.makers)
        texts = writers(self.schema, scenario.records, env)
        for path, maker in record_makers(scenario.records, env.rnd, texts).items():
            self.forced.setdefault(path, maker)  # an override or a link wins over a plan's record
        # An entity with a lifecycle (an order) tells its story at env.as_of (tools/world/lifecycle.py).
        self.base_forced = dict(self.forced)  # before the story: an edge case or an example adds to it
        self.forced.update(self._told(self.base_forced))
        self.story: Any = None  # the last valid row's story: a linked dataset's children read it
        self.maker = compile_object(self.schema.as_object(), "", env, dict(self.forced))
        self.validate = compile_validator(self.schema, window, env.year)
        self.edge_share = (
            job.edge_case_share if scenario.edge_case_share is None else scenario.edge_case_share
        )
        self.all_edges = [e for e in job.plan_edges if e.path not in scenario.overrides] + _favoured(
            [e for e in edge_cases.catalogue(self.schema, window) if e.path not in scenario.overrides],
            job.edge_kinds,
        )
        self.edge_makers: dict[str, Maker] = {}
        self.mutations = negative.mutations(self.schema, window) if job.negative else []
        self.imitator = Imitator(self.schema, env.rnd)
        self.all_templates = list(job.templates)
        self.template_share = job.template_share if self.all_templates else 0.0
        self.template_makers: dict[str, Maker] = {}
        # Defect examples found real bugs: every third edge-case row replays one.
        self.all_defects = [edge_cases.EdgeCase(f"defect:{t.example_id}", "", t) for t in job.defects]
        self.derives = compile_derives(self.schema.as_object(), "") if job.negative else []
        self.start_block(0)

    def _told(self, forced: Forced) -> dict[str, Any]:
        """The lifecycle's makers around what `forced` fixes (none when it fixes an event time)."""
        return dict(lifecycle_makers(self.schema.as_object(), self.env, forced))

    def start_block(self, index: int) -> None:
        """Start a seekable block (tools/seeds.py) whose first row is row `index` of the scenario: what
        one row leaves for the next (kinds found infeasible, turns) starts again from the row number,
        so the block comes out the same made alone."""
        self.index = index
        self.slot = 0
        self.edges = list(self.all_edges)
        self.defects = list(self.all_defects)
        self.templates = list(self.all_templates)
        self.pick_template = _template_chooser(self.templates, self.rnd)
        self.mutation_turn = index

    def row(self, theme: Theme, links: dict[str, Any] | None = None, slot: int = 0) -> dict[str, Any]:
        """One validated row at `slot` (maker_kit.RowCtx.slot). `links` are the rows it hangs from in a
        linked dataset (see dataset.py)."""
        self.links = links
        self.slot = slot
        ctx_theme = theme
        i = self.index
        self.index += 1
        if self.edge_share and (self.edges or self.defects):
            # Row i is an edge case when the share's running total crosses a whole number at it.
            turn = int(i * self.edge_share + 1e-9)
            if int((i + 1) * self.edge_share + 1e-9) > turn:
                row = self._edge_row(ctx_theme, turn)
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
                forced = {**self.imitator.vary(template), **self.base_forced}
                forced.update(self._told(forced))
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
            ctx = RowCtx(theme, self.links, self.slot)
            row = maker({}, ctx)
            if not self.validate(row):
                self.story = ctx.story
                return row  # the common case: valid by construction, first time
        except Retry:
            pass
        return self._retry(maker, theme, attempts - 1)

    def _retry(self, maker: Maker, theme: Any, attempts: int) -> dict[str, Any]:
        tally = Tally()
        for _ in range(attempts):
            try:
                ctx = RowCtx(theme, self.links, self.slot)
                row = maker({}, ctx)
            except Retry:
                tally.count("order", "order")
                continue
            violations = self.validate(row)
            if not violations:
                self.story = ctx.story
                return row
            for v in violations:
                tally.add(v)
        if attempts < MAX_ROW_ATTEMPTS - 1:
            raise _EdgeInfeasible
        where, rule, detail = tally.worst()
        raise GenerationFailed(
            where,
            f"no row satisfied the {rule} rule in {attempts} attempts"
            + (f" (last: {shorten(detail.message)})" if detail else ""),
            "the constraints contradict each other or the entity's rules; loosen them",
        )

    def _edge_row(self, theme: Any, turn: int) -> dict[str, Any] | None:
        while self.edges or self.defects:
            turn += 1
            use_defect = self.defects and (turn % 3 == 0 or not self.edges)
            pool = self.defects if use_defect else self.edges
            case = pool[(turn // 3 if use_defect else turn) % len(pool)]
            maker = self.edge_makers.get(case.label)
            if maker is None:
                forced = dict(self.base_forced)
                if isinstance(case.value, Template):
                    forced.update(self.imitator.replay(case.value))
                elif isinstance(case.value, ItemCount):
                    forced[case.path] = case.value
                else:
                    forced[case.path] = constant(case.value)
                forced.update(self._told(forced))  # the story told around the edge value
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
                if m.rederive:
                    for target, fn in self.derives:
                        # Inputs now missing or mistyped (a line price nulled) give None: the stale value
                        # stays, as the validator skips a rule it cannot compute; None would break a
                        # second rule (a required total).
                        value = fn(candidate)
                        if value is not None:
                            candidate[target] = value
            except (KeyError, IndexError, TypeError, ValueError, OverflowError, GenerationFailed):
                continue  # the change cannot apply here (a date before year 1, a total past ±2^53)
            found = self.validate(candidate)
            if len(found) == 1 and found[0].rule == m.rule:
                candidate["_violates"] = {
                    "rule": m.rule,
                    "path": found[0].path,
                    "error": str(found[0]),
                    "expected_error": negative.expected_error(m, candidate, found[0]),
                }
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
