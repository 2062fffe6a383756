"""Online evaluation verdicts in the local store: the sink pydantic-evals hands each judged turn's verdicts
to (`StoreSink`), the table that keeps each sampled conversation's latest verdict per check, and what the
monitor, the alert rules and the review sampler read of it.

The evaluators themselves live in the harness (evals/online.py), which this package may not import: the
CLI builds the capability with this sink (`trova serve`, `trova chat`). A verdict is stored with what
produced the conversation (model, prompt version, variant), its trace and the turn judged.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import logfire
from pydantic import BaseModel, Field

from ops.store import OpsStore

if TYPE_CHECKING:  # the site imports this module; pydantic-evals loads with the first judged conversation
    from pydantic_evals.online import SinkPayload

# The value the harness gives a verdict it could not give (evals/evaluators.py's NOT_JUDGED; this package may
# not import the harness): stored with passed NULL and no error.
NOT_JUDGED = "n/a"

checks_counter = logfire.metric_counter(
    "trova.online_checks",
    unit="{verdict}",
    description="Online evaluation verdicts on sampled conversations, by check and outcome (pass, fail, error)",
)


@dataclass(frozen=True)
class Verdict:
    """One online check's verdict on a conversation, after one of its turns."""

    conversation_id: str
    name: str
    passed: bool | None  # None: the evaluator raised (see `error`), or, with no error, it could not judge
    reason: str | None = None
    error: str | None = None
    evaluator: str | None = None
    turn: int | None = None
    trace_id: str | None = None
    span_id: str | None = None
    model: str | None = None
    prompt: str | None = None
    variant: str | None = None
    judged_ns: int = 0

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "error"
        return NOT_JUDGED if self.passed is None else "pass" if self.passed else "fail"


class CheckFigures(BaseModel):
    """One online check over a period's judged conversations."""

    judged: int = Field(0, description="conversations it gave a verdict on (pass or fail)")
    failed: int = 0
    unjudged: int = Field(0, description="conversations it could not judge (n/a): counted apart, not passes")
    errors: int = Field(0, description="conversations where its evaluator raised")
    pass_rate: float | None = None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def verdicts_from(payload: SinkPayload) -> list[Verdict]:
    """The verdicts in what pydantic-evals hands a sink, with the conversation and its cause (the agent
    run's metadata: agent/session.py) and the span it judged."""
    meta: Mapping[str, Any] = payload.context.metadata if isinstance(payload.context.metadata, dict) else {}
    conversation = _text(meta.get("conversation_id"))
    if not conversation:
        return []
    span = payload.span_reference
    turn = meta.get("turn")
    common: dict[str, Any] = {
        "conversation_id": conversation,
        "turn": turn if isinstance(turn, int) else None,
        "trace_id": span.trace_id if span else None,
        "span_id": span.span_id if span else None,
        "model": _text(meta.get("model")),
        "prompt": _text(meta.get("prompt_ref") or meta.get("prompt_version")),
        "variant": _text(meta.get("variant")),
        "judged_ns": time.time_ns(),
    }
    found = [
        Verdict(
            name=r.name,
            passed=bool(r.value),
            reason=r.reason,
            evaluator=r.source.name + (f"@{r.evaluator_version}" if r.evaluator_version else ""),
            **common,
        )
        for r in payload.results
        if isinstance(r.value, bool)
    ]
    found += [  # a check that could not judge: neither a pass nor a failure
        Verdict(name=r.name, passed=None, reason=r.reason, evaluator=r.source.name, **common)
        for r in payload.results
        if r.value == NOT_JUDGED
    ]
    found += [
        Verdict(
            name=f.name,
            passed=None,
            error=f"{f.error_type or 'error'}: {f.error_message}",
            evaluator=f.source.name,
            **common,
        )
        for f in payload.failures
    ]
    return found


class OnlineVerdicts:
    """The online_checks table: each sampled conversation's latest verdict per check."""

    def __init__(self, store: OpsStore) -> None:
        self.store = store

    def record(self, verdicts: Sequence[Verdict]) -> None:
        """Keep each verdict as its conversation's latest for that check (by turn: one judged after an
        earlier turn that arrives late changes nothing). An evaluator that raised keeps the last verdict it
        gave (a failure must not be hidden by a later crash) and notes the error."""
        if not verdicts:
            return
        with self.store.lock, self.store.connect() as conn:
            conn.executemany(
                "INSERT INTO online_checks (conversation_id, name, passed, reason, error, evaluator, turn,"
                " trace_id, span_id, model, prompt, variant, judged_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (conversation_id, name) DO UPDATE SET"
                # An evaluator that raised keeps the verdict before; one that could not judge replaces it.
                " passed = CASE WHEN excluded.error IS NULL THEN excluded.passed ELSE online_checks.passed END,"
                " reason = CASE WHEN excluded.error IS NULL THEN excluded.reason ELSE online_checks.reason END,"
                " error = excluded.error, evaluator = excluded.evaluator, turn = excluded.turn,"
                " trace_id = excluded.trace_id, span_id = excluded.span_id, model = excluded.model,"
                " prompt = excluded.prompt, variant = excluded.variant, judged_ns = excluded.judged_ns"
                # Turns are judged in the background: an earlier turn's verdict arriving late is stale.
                " WHERE excluded.turn IS NULL OR online_checks.turn IS NULL OR excluded.turn >= online_checks.turn",
                [
                    (
                        v.conversation_id,
                        v.name,
                        None if v.passed is None else int(v.passed),
                        v.reason,
                        v.error,
                        v.evaluator,
                        v.turn,
                        v.trace_id,
                        v.span_id,
                        v.model,
                        v.prompt,
                        v.variant,
                        v.judged_ns or time.time_ns(),
                    )
                    for v in verdicts
                ],
            )

    def of(self, conversation_id: str) -> list[Verdict]:
        """A conversation's latest verdicts, by check name."""
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT conversation_id, name, passed, reason, error, evaluator, turn, trace_id, span_id, model,"
                " prompt, variant, judged_ns FROM online_checks WHERE conversation_id = ? ORDER BY name",
                (conversation_id,),
            ).fetchall()
        return [_verdict(r) for r in rows]

    def all(self) -> list[Verdict]:
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT conversation_id, name, passed, reason, error, evaluator, turn, trace_id, span_id, model,"
                " prompt, variant, judged_ns FROM online_checks ORDER BY judged_ns"
            ).fetchall()
        return [_verdict(r) for r in rows]


def _verdict(row: Sequence[Any]) -> Verdict:
    return Verdict(
        conversation_id=row[0],
        name=row[1],
        passed=None if row[2] is None else bool(row[2]),
        reason=row[3],
        error=row[4],
        evaluator=row[5],
        turn=row[6],
        trace_id=row[7],
        span_id=row[8],
        model=row[9],
        prompt=row[10],
        variant=row[11],
        judged_ns=row[12],
    )


class StoreSink:
    """A pydantic-evals `EvaluationSink`: each judged turn's verdicts into the store (off the event loop)
    and counted as an OpenTelemetry metric, beside the `gen_ai.evaluation.result` events pydantic-evals
    emits itself."""

    def __init__(self, verdicts: OnlineVerdicts) -> None:
        self.verdicts = verdicts

    async def submit(self, payload: SinkPayload) -> None:
        found = verdicts_from(payload)
        await anyio.to_thread.run_sync(self.verdicts.record, found)
        for v in found:
            labels = {"model": v.model or "", "prompt_version": v.prompt or "", "check": v.name}
            if v.variant:
                labels["variant"] = v.variant
            checks_counter.add(1, {**labels, "outcome": v.outcome})


@dataclass
class Tally:
    """A group's judged conversations: those with a verdict, those failing a check, those where an
    evaluator raised."""

    judged: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    unjudged: set[str] = field(default_factory=set)  # a check could not judge it, and none failed it


def failing_conversations(
    conn: sqlite3.Connection, conversations: Collection[str], since_ns: int
) -> dict[str, list[str]]:
    """Of these conversations (active since `since_ns`, so judged since then if sampled), those with a
    failing latest verdict, with the checks that fail."""
    found: dict[str, list[str]] = {}
    for conversation, name in conn.execute(
        "SELECT conversation_id, name FROM online_checks WHERE judged_ns >= ? AND passed = 0 ORDER BY name",
        (since_ns,),
    ):
        if conversation in conversations:
            found.setdefault(conversation, []).append(name)
    return found


def figures(
    conn: sqlite3.Connection, groups: Mapping[str, str], since_ns: int
) -> dict[str, tuple[Tally, dict[str, CheckFigures]]]:
    """Per group (of the period's conversations, `groups`: conversation -> group), the conversations judged,
    failing and with evaluator errors, and each check's figures. A sampled conversation is judged at each
    of its turns, so those active since `since_ns` have their latest verdicts from then on."""
    tallies: dict[str, Tally] = {}
    judged: Counter[tuple[str, str]] = Counter()
    failed: Counter[tuple[str, str]] = Counter()
    unjudged: Counter[tuple[str, str]] = Counter()
    errors: Counter[tuple[str, str]] = Counter()
    for conversation, name, passed, error in conn.execute(
        "SELECT conversation_id, name, passed, error FROM online_checks WHERE judged_ns >= ?"
        " AND conversation_id IN (SELECT value FROM json_each(?))",
        (since_ns, json.dumps(list(groups))),
    ):
        group = groups.get(conversation)
        if group is None:
            continue
        tally = tallies.get(group) or tallies.setdefault(group, Tally())
        if passed is not None:
            tally.judged.add(conversation)
            judged[group, name] += 1
            if not passed:
                tally.failed.add(conversation)
                failed[group, name] += 1
        elif error is None:  # the check could not judge it: n/a, never a pass
            tally.unjudged.add(conversation)
            unjudged[group, name] += 1
        if error is not None:
            tally.errors.add(conversation)
            errors[group, name] += 1
    for tally in tallies.values():
        # A conversation passes only when every check that had something to judge passed: one a check
        # could not judge (and none failed) is counted apart, not as a pass.
        tally.unjudged -= tally.failed
        tally.judged -= tally.unjudged
    checks: dict[str, dict[str, CheckFigures]] = defaultdict(dict)
    for group, name in sorted({*judged, *errors, *unjudged}):
        n, bad = judged[group, name], failed[group, name]
        checks[group][name] = CheckFigures(
            judged=n,
            failed=bad,
            unjudged=unjudged[group, name],
            errors=errors[group, name],
            pass_rate=(n - bad) / n if n else None,
        )
    return {group: (tally, checks[group]) for group, tally in tallies.items()}
