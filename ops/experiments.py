"""Online A/B experiments: a file per experiment (`experiments/<name>.yaml`), sticky assignment of sellers to
arms, the arm recorded with every conversation, and guardrails that stop an arm.

A file names the arms (a variant spec and a weight each), the control arm, the guardrails and the sample
the report needs before it trusts a difference:

    description: Price lower in the comparables' range
    control: A
    arms:
      A: {variant: "offline", weight: 1}
      B: {variant: "offline,offline_price_position=0.25", weight: 1}
    guardrails: {max_model_error_rate: 0.05, max_p95_turn_latency_s: 8, min_turns: 50}
    min_conversations: 100

Assignment is a hash of the seller id (salted with the experiment's name), so a seller lands in the same arm
on any server and after a restart; the first assignment is also stored, so editing the weights later does
not move sellers already in. An arm that breaks a guardrail (once it has `min_turns` turns) is stopped: new
conversations go to the control arm, conversations under way finish where they are; the stop is logged,
recorded in the store, and shown by `trova experiment report` and on /admin/experiments. `trova experiment
stop` ends the experiment (everyone gets the control), `promote` moves the prompt's `production` label to
an arm (everyone gets that arm until the server restarts on the new label).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import logfire
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_ai.capabilities.abstract import AbstractCapability

from agent.listing_agent import ListingAgent, build_agent, variant_for
from agent.models import resolve_model
from agent.prompts import remember, served_prompt
from agent.variants import Variant, VariantSpecError, parse_variant_spec
from ops.counts import counted
from ops.monitor import EVAL_MARKETPLACE, percentile
from ops.problems import located
from ops.rules import yaml_problem
from ops.store import OpsStore
from settings.environment import current
from tools.deps import TrovaDeps

logger = logging.getLogger(__name__)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,27}")
_ARM = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,10}")  # with the name, "<experiment>/<arm>" fits in 40 characters
Status = Literal["not started", "running", "stopped", "promoted"]


class ExperimentError(ValueError):
    """An experiment file that cannot be run, or a command that does not apply; the message says why."""


class PromotionRefused(ExperimentError):
    """A promotion the report cannot back (too few conversations, or worse than the control): the gate said
    no, which is a result (exit 1), not a bad command (exit 2)."""


class Guardrails(BaseModel):
    """Limits per arm; an arm past one is stopped (the control is never stopped: it is where sellers go)."""

    model_config = ConfigDict(extra="forbid")

    max_model_error_rate: float | None = Field(0.05, ge=0, le=1, description="turns the model failed / turns")
    max_tool_error_rate: float | None = Field(None, ge=0, le=1, description="tool calls failed / tool calls")
    max_p95_turn_latency_s: float | None = Field(None, gt=0, description="95th percentile of turn latency")
    min_turns: int = Field(50, ge=1, description="an arm is judged once it has this many turns")


class ArmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: str = Field(description="a variant spec: MODEL[,prompt=REF][,setting=value...]")
    weight: float = Field(1.0, gt=0, description="the arm's share of sellers, relative to the others")

    @field_validator("variant")
    @classmethod
    def _spec(cls, value: str) -> str:
        try:
            parse_variant_spec(value)
        except VariantSpecError as e:
            raise ValueError(str(e)) from None
        return value


class Experiment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    control: str
    arms: dict[str, ArmConfig]
    guardrails: Guardrails = Field(default_factory=Guardrails)
    min_conversations: int = Field(
        100, ge=1, description="per arm, before the report calls a difference (it warns until then)"
    )
    salt: str = Field("", description="changes the assignment (a new experiment on the same sellers)")

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if not _NAME.fullmatch(self.name):
            raise ValueError(
                f"name {self.name!r}: lower-case letters, digits, - and _, at most 28 characters"
            )
        if len(self.arms) < 2:
            raise ValueError("an experiment needs at least two arms")
        for arm in self.arms:
            if not _ARM.fullmatch(arm):
                raise ValueError(
                    f"arm {arm!r}: a letter, then letters, digits, - or _, at most 11 characters"
                )
        if self.control not in self.arms:
            raise ValueError(f"control {self.control!r} is not one of the arms ({', '.join(self.arms)})")
        return self

    def label(self, arm: str) -> str:
        """The arm as recorded on spans, metrics, conversations and listings."""
        return f"{self.name}/{arm}"

    def bucket(self, seller_id: str) -> float:
        """Where a seller falls in [0, 1): a hash of the seller id and the salt, the same on every server."""
        digest = hashlib.sha256(f"{self.salt or self.name}:{seller_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def assign(self, seller_id: str) -> str:
        """The seller's arm by weight (the arms in the file's order share [0, 1))."""
        point = self.bucket(seller_id) * sum(a.weight for a in self.arms.values())
        for name, arm in self.arms.items():
            if point < arm.weight:
                return name
            point -= arm.weight
        return list(self.arms)[-1]  # rounding at the very top


# The project's experiments/ wherever trova runs from, as scenarios/ and agent/prompts/ are found (a serve
# started from another directory would otherwise find no experiment by its name).
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "experiments"


def experiments_dir() -> Path:
    return current().experiments_dir or DEFAULT_DIR


def experiment_files() -> list[Path]:
    folder = experiments_dir()
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_experiment(ref: str) -> Experiment:
    """An experiment by name (`experiments/<name>.yaml`) or by the file's path; ExperimentError says what is
    wrong (the file, the field, the reason)."""
    path = Path(ref)
    if path.suffix not in (".yaml", ".yml"):
        if not _NAME.fullmatch(ref):
            raise ExperimentError(f"{ref!r} is not an experiment name (lower-case letters, digits, - and _)")
        path = experiments_dir() / f"{ref}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in experiment_files()) or "none"
        raise ExperimentError(f"no experiment file {path} (experiments in {experiments_dir()}: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ExperimentError(yaml_problem(path, e)) from e
    if not isinstance(data, dict):
        raise ExperimentError(f"{path}: expected a mapping (control, arms, guardrails ...)")
    name = data.setdefault("name", path.stem)
    if name != path.stem:
        raise ExperimentError(f"{path}: name {name!r} differs from the file's name {path.stem!r}")
    try:
        return Experiment.model_validate(data)
    except ValidationError as e:
        raise ExperimentError(f"{path}: {located(e)}") from None


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    kind: str  # started | arm_stopped | stopped | promoted
    arm: str | None
    detail: str | None


@dataclass(frozen=True)
class State:
    status: Status
    stopped_arms: dict[str, str] = field(default_factory=dict)  # arm -> why
    promoted: str | None = None
    ended_at: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ExperimentStore:
    """The experiments' part of the store: assignments, conversations and events."""

    def __init__(self, store: OpsStore) -> None:
        self.store = store
        self._writer: sqlite3.Connection | None = None

    def _conversations_writer(self) -> sqlite3.Connection:
        """One connection kept open for the records made on a request's path. Opening and closing one per
        conversation cost ~30 ms (the last connection to close checkpoints the WAL, with an fsync); this
        one commits in WAL's "normal" sync: no fsync per commit, and a power cut may lose the last few
        records, never corrupt the file (a lost assignment is recomputed to the same arm from the hash)."""
        if self._writer is None:
            self._writer = sqlite3.connect(self.store.path, timeout=10, check_same_thread=False)
            self._writer.execute("PRAGMA synchronous = NORMAL")
        return self._writer

    def events(self, name: str) -> list[Event]:
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT id, at, kind, arm, detail FROM experiment_events WHERE experiment = ? ORDER BY id",
                (name,),
            ).fetchall()
        return [Event(*r) for r in rows]

    def record(self, name: str, kind: str, arm: str | None = None, detail: str | None = None) -> None:
        with self.store.lock, self.store.connect() as conn:
            conn.execute(
                "INSERT INTO experiment_events (experiment, at, kind, arm, detail) VALUES (?, ?, ?, ?, ?)",
                (name, _now(), kind, arm, detail),
            )

    def names(self) -> list[str]:
        with self.store.connect() as conn:
            return [
                r[0] for r in conn.execute("SELECT DISTINCT experiment FROM experiment_events ORDER BY 1")
            ]

    def state(self, name: str) -> State:
        events = self.events(name)
        if not events:
            return State("not started")
        stopped: dict[str, str] = {}
        status: Status = "running"
        promoted, ended = None, None
        # (An arm stays stopped across restarts, an edited file's included; an ended experiment is not restarted.)
        for event in events:
            if event.kind == "arm_stopped" and event.arm:
                stopped[event.arm] = event.detail or "stopped"
            elif event.kind in ("stopped", "promoted"):
                status, ended = ("promoted" if event.kind == "promoted" else "stopped"), event.at
                promoted = event.arm if event.kind == "promoted" else None
        return State(status, stopped, promoted, ended)

    def definition(self, name: str) -> Experiment | None:
        """The experiment as it was served (recorded at its start), whatever the file says now."""
        for event in reversed(self.events(name)):
            if event.kind == "started" and event.detail:
                return Experiment.model_validate_json(event.detail)
        return None

    def enter(
        self,
        name: str,
        seller_id: str,
        conversation_id: str,
        hashed: str,
        serve: Callable[[str], tuple[str, str]],
    ) -> str:
        """A seller's new conversation, in one transaction: the seller's arm (the one stored at their first
        assignment, else `hashed`, stored now), then `serve(arm)` -> (the arm that serves it, its variant id),
        recorded with the conversation. Returns the serving arm."""
        conn = self._conversations_writer()
        with self.store.lock, conn:
            conn.execute(
                "INSERT OR IGNORE INTO experiment_sellers VALUES (?, ?, ?, ?)",
                (name, seller_id, hashed, _now()),
            )
            row = conn.execute(
                "SELECT arm FROM experiment_sellers WHERE experiment = ? AND seller_id = ?", (name, seller_id)
            ).fetchone()
            arm, variant = serve(str(row[0]))
            conn.execute(
                "INSERT OR REPLACE INTO experiment_conversations VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, name, arm, variant, seller_id, time.time_ns()),
            )
        return arm

    def add_conversation(
        self, conversation_id: str, name: str, arm: str, variant: str, seller_id: str | None
    ) -> None:
        with self.store.lock, self.store.connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO experiment_conversations VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, name, arm, variant, seller_id, time.time_ns()),
            )

    def served(self, name: str) -> dict[str, ArmCounts]:
        """Per arm, the sellers it served and the variant it served them: counted where their conversations
        went, as every other figure of the report is (a seller assigned to an arm a guardrail stopped is
        served, and counted, by the control; one with conversations in both counts in both)."""
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT arm, COUNT(DISTINCT seller_id), MAX(variant) FROM experiment_conversations"
                " WHERE experiment = ? GROUP BY arm",
                (name,),
            ).fetchall()
        return {arm: ArmCounts(sellers, variant) for arm, sellers, variant in rows}


@dataclass(frozen=True)
class ArmCounts:
    sellers: int
    variant: str | None  # the variant id its conversations carry


@dataclass(frozen=True)
class ArmHealth:
    """What the guardrails read of an arm: its turns in the store's turn index."""

    turns: int
    model_error_rate: float | None
    tool_error_rate: float | None
    p95_turn_latency_s: float | None


def arm_health(conn: sqlite3.Connection, name: str) -> dict[str, ArmHealth]:
    durations: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    calls: dict[str, int] = {}
    failed: dict[str, int] = {}
    for arm, ms, error_kind, tool_calls, tool_errors in conn.execute(
        "SELECT c.arm, t.duration_ms, t.error_kind, t.tool_calls, t.tool_errors FROM experiment_conversations c"
        " JOIN turns t ON t.conversation_id = c.conversation_id"
        " WHERE c.experiment = ? AND (t.marketplace IS NULL OR t.marketplace != ?)",
        (name, EVAL_MARKETPLACE),
    ):
        durations.setdefault(arm, []).append(ms / 1000)
        errors[arm] = errors.get(arm, 0) + (error_kind is not None)
        calls[arm] = calls.get(arm, 0) + tool_calls
        failed[arm] = failed.get(arm, 0) + tool_errors
    return {
        arm: ArmHealth(
            turns=len(values),
            model_error_rate=errors[arm] / len(values),
            tool_error_rate=failed[arm] / calls[arm] if calls[arm] else None,
            p95_turn_latency_s=percentile(values, 0.95),
        )
        for arm, values in durations.items()
    }


def broken_guardrail(guardrails: Guardrails, health: ArmHealth) -> str | None:
    """Why an arm must stop (None: it may go on, or it has too few turns to judge)."""
    if health.turns < guardrails.min_turns:
        return None
    checks = (
        ("model error rate", health.model_error_rate, guardrails.max_model_error_rate, "{:.1%}"),
        ("tool error rate", health.tool_error_rate, guardrails.max_tool_error_rate, "{:.1%}"),
        ("p95 turn latency", health.p95_turn_latency_s, guardrails.max_p95_turn_latency_s, "{:.2f} s"),
    )
    for label, value, limit, shown in checks:
        if value is not None and limit is not None and value > limit:
            return (
                f"{label} {shown.format(value)} is above {_limit(shown, limit)} over "
                f"{counted(health.turns, 'turn')}"
            )
    return None


def _limit(shown: str, limit: float) -> str:
    """A guardrail's limit as the file gives it: in the figure's format unless that rounds it (a limit
    of 0.001 s read "0.00 s"), then with all its digits."""
    percent = "%" in shown
    scaled = limit * 100 if percent else limit
    places = 1 if percent else 2
    if abs(round(scaled, places) - scaled) < 1e-12:
        return shown.format(limit)
    return f"{scaled:g}%" if percent else f"{scaled:g} s"


@dataclass(frozen=True)
class ServedArm:
    """An arm ready to serve: its agent, and what to record with its conversations."""

    name: str
    agent: ListingAgent
    model: str  # the model's name, as the user gave it
    prompt: str  # NAME@VERSION
    variant: Variant


@dataclass(frozen=True)
class Assignment:
    arm: ServedArm
    label: str | None  # "<experiment>/<arm>"; None once the experiment has ended (not recorded)


def build_arms(
    experiment: Experiment,
    base_url: str | None = None,
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> dict[str, ServedArm]:
    """Each arm's agent from its spec (a spec without a prompt gets what `trova serve` serves: the
    `production` label), with `capabilities` (online evaluation) as the site's own agent has them.
    Raises ModelConfigError, PromptRefError or VariantSpecError."""
    arms = {}
    for name, config in experiment.arms.items():
        spec = parse_variant_spec(config.variant)
        choice = resolve_model(spec.model, base_url)
        prompt, _ = served_prompt(spec.prompt)
        remember(prompt, "serve")
        settings = spec.model_settings()
        arms[name] = ServedArm(
            name,
            build_agent(choice.model, prompt, model_settings=settings, capabilities=capabilities),
            choice.name,
            prompt.ref,
            variant_for(choice.name, prompt, frozenset(), settings),
        )
    return arms


class LiveExperiment:
    """An experiment being served: assigns conversations to arms and checks the guardrails as it goes.

    The store is read again every `refresh_every_s` (so `trova experiment stop` reaches a running server) and
    the guardrails every `check_every_s`, both on the way to a new conversation."""

    def __init__(
        self,
        experiment: Experiment,
        arms: dict[str, ServedArm],
        store: OpsStore,
        *,
        check_every_s: float = 30.0,
        refresh_every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        missing = set(experiment.arms) - set(arms)
        if missing:
            raise ExperimentError(f"no agent for arm(s) {', '.join(sorted(missing))}")
        self.experiment = experiment
        self.arms = arms
        self.store = ExperimentStore(store)
        self.check_every_s = check_every_s
        self.refresh_every_s = refresh_every_s
        self.clock = clock
        self._checked = self._refreshed = clock()
        self._state = self.start()

    def start(self) -> State:
        """Record the start (with the experiment as served), or pick up a running one after a restart;
        an ended experiment is not started again."""
        name = self.experiment.name
        state = self.store.state(name)
        if state.status in ("stopped", "promoted"):
            raise ExperimentError(
                f"experiment {name} ended ({state.status} at {state.ended_at}); give it a new name to run again"
            )
        served = self.experiment.model_dump_json()
        before = self.store.definition(name)
        if before is None or before.model_dump_json() != served:
            self.store.record(name, "started", detail=served)
        return self.store.state(name)

    @property
    def state(self) -> State:
        return self._state

    def refresh(self) -> State:
        self._state = self.store.state(self.experiment.name)
        self._refreshed = self.clock()
        return self._state

    def serve(self, seller_id: str, conversation_id: str) -> Assignment:
        """The arm for a seller's new conversation, recorded with it."""
        now = self.clock()
        if now - self._refreshed >= self.refresh_every_s:
            self.refresh()
        if now - self._checked >= self.check_every_s:
            self.check_guardrails()
        state, name = self._state, self.experiment.name
        control = self.arms[self.experiment.control]
        if state.status == "promoted" and state.promoted in self.arms:
            return Assignment(self.arms[state.promoted], None)
        if state.status != "running":
            return Assignment(control, None)

        def serving(arm: str) -> tuple[str, str]:
            # An arm since removed from the file, or stopped by a guardrail: the control serves.
            chosen = self.arms.get(arm, control) if arm not in state.stopped_arms else control
            return chosen.name, chosen.variant.id

        arm = self.store.enter(name, seller_id, conversation_id, self.experiment.assign(seller_id), serving)
        return Assignment(self.arms[arm], self.experiment.label(arm))

    def check_guardrails(self) -> list[str]:
        """Stop every arm past a guardrail; returns those stopped now."""
        self._checked = self.clock()
        name, guardrails = self.experiment.name, self.experiment.guardrails
        with self.store.store.connect() as conn:
            health = arm_health(conn, name)
        stopped = []
        state = self.refresh()
        for arm, figures in health.items():
            if arm == self.experiment.control or arm in state.stopped_arms or state.status != "running":
                continue
            reason = broken_guardrail(guardrails, figures)
            if reason is None:
                continue
            self.store.record(name, "arm_stopped", arm, reason)
            logger.warning(
                "experiment %s: arm %s stopped: %s; its new sellers go to %s",
                name,
                arm,
                reason,
                self.experiment.control,
            )
            logfire.warn(
                "experiment {experiment}: arm {arm} stopped",
                experiment=name,
                arm=arm,
                reason=reason,
                control=self.experiment.control,
            )
            stopped.append(arm)
        if stopped:
            self.refresh()
        return stopped


def stop(store: OpsStore, name: str, reason: str = "stopped by hand") -> State:
    """End an experiment: every new conversation gets the control arm."""
    experiments = ExperimentStore(store)
    state = experiments.state(name)
    if state.status == "not started":
        raise ExperimentError(f"experiment {name} was never served (trova serve --experiment {name})")
    if state.status != "running":
        raise ExperimentError(f"experiment {name} already ended ({state.status} at {state.ended_at})")
    experiments.record(name, "stopped", detail=reason)
    return experiments.state(name)


def _served(arm: str, conversations: int) -> str:
    """An arm's conversations for a refusal: one the experiment never served to anyone says so."""
    return (
        f"{arm} has served no conversation yet"
        if not conversations
        else f"{arm} has {conversations} conversations"
    )


@dataclass(frozen=True)
class Promotion:
    arm: str
    prompt: str  # the version the production label now points at
    labels_file: Path
    not_in_label: list[str]  # what else the arm changes, which a prompt label cannot carry
    serve_variant: str  # `trova serve --variant` for the arm once the label is moved: its model and settings
    label_moved: bool = True  # False: production already meant the arm's prompt (nothing to commit)


def promote(store: OpsStore, experiment: Experiment, arm: str, force: bool = False) -> Promotion:
    """Move the `production` label to the arm's prompt version and end the experiment (a running server gives
    every new conversation that arm from then on; `trova serve` serves the label when it starts).

    Refused, unless `force`, when the report cannot back it: the arm has too few conversations to tell a
    difference yet, or is worse than the control on some figure (a decision the report argues against
    should be made knowingly)."""
    from agent.prompts import PRODUCTION, load_labels, set_label
    from ops.experiment_report import experiment_report  # it reads this module's store

    if arm not in experiment.arms:
        raise ExperimentError(f"{experiment.name} has no arm {arm!r} (arms: {', '.join(experiment.arms)})")
    experiments = ExperimentStore(store)
    state = experiments.state(experiment.name)
    if state.status == "not started":  # as stop: a typo or the wrong data directory, not a result to act on
        raise ExperimentError(
            f"experiment {experiment.name} was never served (trova serve --experiment {experiment.name}): "
            f"no result to promote; to serve an arm's prompt without one, trova prompts label REF production"
        )
    if state.status in ("stopped", "promoted"):
        raise ExperimentError(
            f"experiment {experiment.name} already ended ({state.status} at {state.ended_at})"
        )
    if not force and arm == experiment.control:
        # The control's own verdict is "n/a": what backs keeping it is what the other arms came to.
        reported = experiment_report(store, experiment).arms
        rivals = [a for a in reported if not a.control]
        control = next(a for a in reported if a.control)
        few = [a for a in rivals if a.verdict == "too few"]
        if few:
            raise PromotionRefused(
                f"{', '.join(_served(a.name, a.conversations) for a in few)} (the control "
                f"{arm} {control.conversations}); the report calls a difference from "
                f"{experiment.min_conversations} each, so it cannot back promoting the control yet: wait, "
                "stop the experiment (trova experiment stop), or promote anyway with --force"
            )
        better = [a for a in rivals if a.verdict == "better"]
        if better:
            found = "; ".join(f"{a.name} better on {', '.join(a.better_on)}" for a in better)
            raise PromotionRefused(
                f"the report finds {found} "
                f"than the control {arm}: promote that arm, stop the experiment, or promote {arm} anyway with "
                "--force"
            )
    if not force and arm != experiment.control:
        arms = {a.name: a for a in experiment_report(store, experiment).arms}
        report, control = arms[arm], arms[experiment.control]
        if report.verdict == "too few":
            raise PromotionRefused(
                f"{_served(arm, report.conversations)} (the control {control.conversations}); "
                f"the report calls a difference from {experiment.min_conversations} each, so it cannot back this "
                "yet: wait, or promote anyway with --force"
            )
        if report.verdict == "worse":
            raise PromotionRefused(
                f"the report finds {arm} worse than the control {experiment.control} on "
                f"{', '.join(report.worse_on)}: stop the experiment, or promote anyway with --force"
            )
    spec = parse_variant_spec(experiment.arms[arm].variant)
    prompt, _ = served_prompt(spec.prompt)
    moved = load_labels().get(prompt.name, {}).get(PRODUCTION) != prompt.version
    labels = set_label(prompt, PRODUCTION)
    others = [f"model {spec.model}", *(f"{k}={v}" for k, v in sorted(spec.settings.items()))]
    experiments.record(
        experiment.name, "promoted", arm, json.dumps({"variant": experiment.arms[arm].variant})
    )
    return Promotion(arm, prompt.ref, labels, others, spec.model_copy(update={"prompt": None}).text(), moved)
