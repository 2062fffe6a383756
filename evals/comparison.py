"""Variants side by side on the scenario set: each scenario's pass rate and pass^k under each variant with
Wilson intervals, and a paired comparison of a variant against the control over the scenarios.

The paired test is McNemar's exact test: the scenarios are the pairs (the same scenario under both
variants), and only those whose outcome flipped carry evidence; under "no difference" a flip is as likely
either way, so the number of flips toward the treatment is Binomial(flips, 1/2). Why this one:
- the scenario, not the run, is the unit: runs of one scenario are correlated (one prompt weakness fails
  all of them), so counting runs as independent would overstate the evidence;
- it is exact at the sizes a scenario set has (tens of scenarios, a handful of flips), where a normal
  approximation or a chi-square is not;
- it assumes nothing about how large the changes are, only their direction.
With repeats, a scenario "flips" when its pass rate moved (the exact sign test over scenarios, which is
McNemar's test when every scenario ran once). How large the change is comes with a paired bootstrap
interval over the scenarios for the mean pass-rate difference.

Two variants that behaved identically in every paired run (the same replies and the same tool calls) are
reported as identical for the model, not as "no detectable difference": the offline model ignores the
prompt, so two prompts on it say nothing about the prompts.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Sequence
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from agent.stats import bootstrap, sign_test, wilson
from agent.variants import Variant
from evals.metrics import percentile
from evals.results import EvalResults, RepeatResult, ScenarioResult, Status

ALPHA = 0.05
Verdict = Literal["better", "worse", "no detectable difference", "identical"]
METHOD_MCNEMAR = "McNemar's exact test over scenarios (each ran once per variant)"
METHOD_SIGN = "exact sign test over scenarios (McNemar's test on pass-rate changes; repeats per scenario)"
WHY = (
    "the scenario is the unit (its runs are correlated), only scenarios that flipped carry evidence, and the "
    "test is exact at a scenario set's size; the interval is a paired bootstrap over scenarios"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rate(_Model):
    """A proportion with its 95% Wilson interval."""

    value: float
    low: float
    high: float

    @classmethod
    def of(cls, successes: int, trials: int) -> Rate | None:
        if trials <= 0:
            return None
        interval = wilson(successes, trials)
        return cls(value=successes / trials, low=interval.low, high=interval.high)


class Cell(_Model):
    """One scenario under one variant."""

    status: Status
    expected_failure: bool
    passes: int
    runs: int
    pass_rate: Rate | None
    k: int
    # pass^k (tau-bench's estimate) and the interval of p^k from p's Wilson interval: the chance that k
    # runs in a row all pass.
    pass_k: Rate | None
    tokens_mean: float | None
    cost_usd: float | None
    latency_p50_s: float | None


class ScenarioRow(_Model):
    id: str
    description: str
    cells: dict[str, Cell]  # by variant name


class ArmSummary(_Model):
    """One variant over the whole set (gated scenarios; expected failures are reported, not counted)."""

    name: str
    spec: str
    variant: Variant | None
    run_id: str
    folder: str | None = None  # its full single-run reports, relative to the comparison's folder
    scenarios: int
    runs: int
    passes: int
    pass_rate: (
        Rate | None
    )  # Wilson, with the scenarios as the sample size (runs of one scenario are correlated)
    pass_k: float | None
    tokens_total: int
    tokens_mean: float | None
    cost_usd: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    errored_runs: int  # the provider failed a request
    crashed_runs: int = 0  # the run itself crashed (a bad setting, a bug): no conversation to judge


class Flip(_Model):
    id: str
    control: float  # pass rates
    treatment: float
    direction: Literal["better", "worse"]


class PairedComparison(_Model):
    control: str
    treatment: str
    method: str
    why: str = WHY
    scenarios: int  # paired: gated under both, run under both, not every run failed by the provider
    left_out: list[str]  # scenarios not paired, and why
    improved: int
    worsened: int
    unchanged: int
    p_value: float
    mean_difference: float | None  # treatment's pass rate minus control's, averaged over the paired scenarios
    low: float | None  # its 95% paired bootstrap interval
    high: float | None
    verdict: Verdict
    identical: bool  # every paired run behaved the same under both (replies and tool calls)
    differs: list[str]  # what differs between the two variants (prompt, settings, model, tools)
    summary: str
    flipped: list[Flip]
    # Fewer paired scenarios than the one-way flips the test needs to call any difference: no verdict is
    # possible and a bootstrap over so few is no interval (one scenario gives "-100 to -100").
    too_few: bool = False


def fewest_flips(alpha: float = ALPHA) -> int:
    """The fewest flips, all one way, that the paired test calls a difference (6 at alpha 0.05)."""
    return next(n for n in range(1, 64) if sign_test(n, 0) < alpha)


def _rate(scenario: ScenarioResult) -> Rate | None:
    return Rate.of(scenario.passes, scenario.runs_count)


def _pass_k(scenario: ScenarioResult, k: int) -> Rate | None:
    interval = wilson(scenario.passes, scenario.runs_count)
    if scenario.pass_k is None or not scenario.runs_count:
        return None
    return Rate(value=scenario.pass_k, low=interval.low**k, high=interval.high**k)


def cell(scenario: ScenarioResult, k: int) -> Cell:
    runs = scenario.runs
    costs = [r.metrics.cost_usd for r in runs]
    return Cell(
        status=scenario.status,
        expected_failure=scenario.expected_failure,
        passes=scenario.passes,
        runs=scenario.runs_count,
        pass_rate=_rate(scenario),
        k=k,
        pass_k=_pass_k(scenario, k),
        tokens_mean=statistics.fmean(r.metrics.tokens for r in runs) if runs else None,
        cost_usd=None if not runs or any(c is None for c in costs) else sum(c or 0.0 for c in costs),
        latency_p50_s=percentile([r.metrics.duration_s for r in runs], 0.5),
    )


def scenario_rows(arms: Sequence[tuple[str, EvalResults]]) -> list[ScenarioRow]:
    """Every scenario of any arm, with a cell per arm that ran it (in the arms' first scenario order)."""
    order: dict[str, ScenarioResult] = {}
    for _, results in arms:
        for s in results.scenarios:
            order.setdefault(s.id, s)
    rows = []
    for sid, first in order.items():
        cells = {}
        for name, results in arms:
            found = next((s for s in results.scenarios if s.id == sid), None)
            if found is not None:
                cells[name] = cell(found, results.metrics.k)
        rows.append(ScenarioRow(id=sid, description=first.description, cells=cells))
    return rows


def _gated(results: EvalResults) -> list[ScenarioResult]:
    return [s for s in results.scenarios if not s.expected_failure and s.runs_count]


def arm_summary(name: str, spec: str, results: EvalResults, folder: str | None = None) -> ArmSummary:
    gated = _gated(results)
    passes = sum(s.passes for s in gated)
    runs = sum(s.runs_count for s in gated)
    m = results.metrics
    overall = None
    if runs:
        # Runs of one scenario are correlated: the interval counts scenarios, not runs, as the sample.
        value = passes / runs
        interval = wilson(value * len(gated), len(gated))
        overall = Rate(value=value, low=interval.low, high=interval.high)
    return ArmSummary(
        name=name,
        spec=spec,
        variant=results.variant,
        run_id=results.run_id,
        folder=folder,
        scenarios=len(gated),
        runs=runs,
        passes=passes,
        pass_rate=overall,
        pass_k=m.pass_k,
        tokens_total=m.tokens_total,
        tokens_mean=m.tokens_mean,
        cost_usd=m.cost_usd,
        latency_p50_s=m.latency_p50_s,
        latency_p95_s=m.latency_p95_s,
        errored_runs=m.errored_runs,
        crashed_runs=sum(1 for sc in results.scenarios for r in sc.runs if r.record.error is not None),
    )


def behaviour(run: RepeatResult) -> str:
    """What a run did, as a hash: the seller's and the agent's words each turn, and every tool call with
    its arguments and outcome (not ids, times or results, which differ between identical runs)."""
    record = run.record
    shape = [
        [[t.seller, t.agent, t.stopped] for t in record.turns],
        [[c.tool, c.args, c.outcome, c.turn] for c in record.calls],
        record.error,
        record.refused,
    ]
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()


def _same_behaviour(a: ScenarioResult, b: ScenarioResult) -> bool:
    """The same runs, judged the same (an edited scenario file can judge the same runs otherwise)."""
    return sorted((behaviour(r), r.passed) for r in a.runs) == sorted(
        (behaviour(r), r.passed) for r in b.runs
    )


def variant_differences(a: Variant | None, b: Variant | None) -> list[str]:
    """What differs between two variants, in words ("prompt listing_agent@1a2b → @3c4d")."""
    if a is None or b is None:
        return [] if a == b else ["variant not recorded for one run"]
    found = []
    if a.model != b.model:
        found.append(f"model {a.model} → {b.model}")
    if a.prompt != b.prompt:
        found.append(f"prompt {a.prompt} → {b.prompt}")
    if a.settings != b.settings:
        keys = sorted(set(a.settings) | set(b.settings))
        changed = [
            f"{k}={a.settings.get(k, '(unset)')} → {b.settings.get(k, '(unset)')}"
            for k in keys
            if a.settings.get(k) != b.settings.get(k)
        ]
        found.append("settings " + ", ".join(changed))
    if a.toolset != b.toolset:
        found.append(f"tools {a.toolset} → {b.toolset}")
    return found


def compare_pair(
    control: tuple[str, EvalResults], treatment: tuple[str, EvalResults], alpha: float = ALPHA
) -> PairedComparison:
    """The treatment against the control over the scenarios both ran and gate."""
    (a_name, a), (b_name, b) = control, treatment
    before = {s.id: s for s in a.scenarios}
    after = {s.id: s for s in b.scenarios}
    left_out: list[str] = []
    pairs: list[tuple[ScenarioResult, ScenarioResult]] = []
    for sid in [*before, *(s for s in after if s not in before)]:
        x, y = before.get(sid), after.get(sid)
        if x is None or y is None:
            left_out.append(f"{sid}: run under {a_name if x else b_name} only")
        elif x.expected_failure or y.expected_failure:
            left_out.append(f"{sid}: an expected failure")
        elif not x.runs_count or not y.runs_count:
            left_out.append(f"{sid}: no runs")
        elif x.status == "error" or y.status == "error":
            left_out.append(f"{sid}: the provider failed every run")
        else:
            pairs.append((x, y))
    differences = [y.pass_rate - x.pass_rate for x, y in pairs]
    improved = sum(1 for d in differences if d > 1e-9)
    worsened = sum(1 for d in differences if d < -1e-9)
    p_value = sign_test(improved, worsened)
    identical = bool(pairs) and all(_same_behaviour(x, y) for x, y in pairs)
    once = all(x.runs_count == 1 and y.runs_count == 1 for x, y in pairs)
    too_few = len(pairs) < fewest_flips(alpha)
    spread = bootstrap(differences, statistics.fmean) if differences and not too_few else None
    verdict: Verdict
    if identical:
        verdict = "identical"
    elif p_value < alpha and improved != worsened:
        verdict = "better" if improved > worsened else "worse"
    else:
        verdict = "no detectable difference"
    flipped = [
        Flip(
            id=x.id,
            control=x.pass_rate,
            treatment=y.pass_rate,
            direction="better" if y.pass_rate > x.pass_rate else "worse",
        )
        for x, y in pairs
        if abs(y.pass_rate - x.pass_rate) > 1e-9
    ]
    flipped.sort(key=lambda f: (f.direction != "worse", f.id))
    differs = variant_differences(a.variant, b.variant)
    comparison = PairedComparison(
        control=a_name,
        treatment=b_name,
        method=METHOD_MCNEMAR if once else METHOD_SIGN,
        scenarios=len(pairs),
        left_out=left_out,
        improved=improved,
        worsened=worsened,
        unchanged=len(pairs) - improved - worsened,
        p_value=p_value,
        mean_difference=statistics.fmean(differences) if differences else None,
        low=spread.low if spread else None,
        high=spread.high if spread else None,
        verdict=verdict,
        identical=identical,
        differs=differs,
        summary="",
        flipped=flipped,
        too_few=too_few,
    )
    comparison.summary = summarize(comparison)
    return comparison


def summarize(c: PairedComparison) -> str:
    """One sentence a reader can act on."""
    what = "; ".join(c.differs)
    if c.identical and not c.differs:
        return f"{c.treatment} and {c.control} are the same variant, and behaved identically in every paired run."
    if c.identical:
        return (
            f"{c.treatment} behaved exactly like {c.control} in every paired run (the same replies and tool "
            f"calls in all {c.scenarios} scenarios): identical for this model, which does not respond to what "
            f"differs ({what}). This says nothing about that change; try a model that reads it."
        )
    if not c.scenarios:
        return f"No scenario could be paired between {c.control} and {c.treatment}."
    flips = f"{c.improved} scenario(s) better, {c.worsened} worse, {c.unchanged} unchanged"
    size = (
        f"; mean pass-rate change {c.mean_difference * 100:+.1f} pts (95% CI {c.low * 100:+.1f} to "
        f"{c.high * 100:+.1f})"
        if c.mean_difference is not None and c.low is not None and c.high is not None
        else ""
    )
    if c.too_few and not c.identical:
        return (
            f"Too few paired scenarios to compare {c.treatment} with {c.control}: {flips} (p = "
            f"{c.p_value:.3g}, no interval). {_sensitivity(c.scenarios)}"
        )
    if c.verdict == "no detectable difference":
        return (
            f"The flips do not show {c.treatment} better or worse than {c.control} (p = {c.p_value:.3g}; {flips}"
            f"{size}). {_sensitivity(c.scenarios)}"
        )
    return f"{c.treatment} is {c.verdict} than {c.control} (p = {c.p_value:.3g}; {flips}{size})."


def _sensitivity(scenarios: int, alpha: float = ALPHA) -> str:
    """How sensitive the set is: the fewest flips, all one way, that the test would call a difference."""
    needed = fewest_flips(alpha)
    if scenarios < needed:
        return (
            f"With {scenarios} paired scenario(s) no outcome could show one: it takes at least {needed} "
            "flipping the same way."
        )
    return f"With {scenarios} scenarios, a change needs about {needed} one-way flips to show."


VARIANTS_FORMAT: Final = "trova-eval-variants"


class VariantsGate(_Model):
    required: bool  # --gate: every treatment must not be worse than the control
    passed: bool
    reasons: list[str] = []


class VariantsRun(_Model):
    """A side-by-side run: its `comparison.json`; each variant's own results are in its folder."""

    format: Literal["trova-eval-variants"] = VARIANTS_FORMAT
    schema_version: Literal[1] = 1
    run_id: str
    started_at: str
    finished_at: str
    duration_s: float
    repeat: int
    k: int
    scenario_set_hash: str
    git_commit: str | None = None
    control: str
    arms: list[ArmSummary]
    scenarios: list[ScenarioRow]
    comparisons: list[PairedComparison]
    gate: VariantsGate

    def to_json(self) -> str:
        return self.model_dump_json(indent=1) + "\n"


def variants_gate(
    comparisons: Sequence[PairedComparison], arms: Sequence[ArmSummary], required: bool
) -> VariantsGate:
    """`--gate`: no treatment detectably worse than the control, none crashing more often, and enough paired
    scenarios that "not worse" means something (a gate on one scenario would pass anything).

    A run that crashed is no sample of the agent's quality: a variant whose runs crash (a bad setting,
    a model that cannot be reached) fails the gate whatever the paired test says, which with few
    scenarios cannot tell anything apart."""
    worse = [c for c in comparisons if c.verdict == "worse"]
    reasons = [
        f"{c.treatment} is worse than {c.control} (p = {c.p_value:.3g}; worse in "
        f"{', '.join(f.id for f in c.flipped if f.direction == 'worse')})"
        for c in worse
    ]
    reasons += [
        f"{c.treatment} against {c.control}: {c.scenarios} paired scenario(s) cannot show a difference (it "
        f"takes at least {fewest_flips()} flipping one way); gate on more scenarios"
        for c in comparisons
        if c.too_few and not c.identical
    ]
    if arms:
        control = arms[0]
        for arm in arms[1:]:
            if arm.crashed_runs > control.crashed_runs:
                reasons.append(
                    f"{arm.name} crashed in {arm.crashed_runs} of {arm.runs} runs "
                    f"({control.name} in {control.crashed_runs})"
                )

    return VariantsGate(required=required, passed=not (required and reasons), reasons=reasons)
