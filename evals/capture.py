"""From a real conversation to a regression scenario (`trova eval capture`): a conversation's trace, or
one run of an eval run's results (results.json).

The seller's messages become scripted turns; the tool calls the agent made become the expected
trajectory with loose argument matchers (ids must come from the lookup; a price the seller named must be
that price, any other one inside the comparison's range); the listing it created becomes the expected
end state. The scenario loads with the harness unchanged and is meant to be edited (tighten what
matters, fix what was wrong) and committed.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from evals.loader import parse_scenario
from evals.matchers import PriorResult, check
from evals.results import EvalResults, RepeatResult
from evals.schema import SCHEMA_PATH, Matcher, Scenario
from evals.seller_language import asks, grades
from traces.views import ConversationView, ModelStep, ToolStep

_FROM_COMPARISON = Matcher.model_validate({"from": "compare_prices"})
# Amounts as a seller writes them: 900, $1,200, 400.50.
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
JSONish = object  # tool arguments and results as JSON data


@dataclass(frozen=True)
class Step:
    """A tool call that ran: its name, arguments and result."""

    tool: str
    args: dict[str, JSONish]
    result: JSONish


@dataclass(frozen=True)
class Conversation:
    """What a scenario is captured from, whichever the source."""

    kind: str  # chat | eval
    ident: str
    model: str
    prompt: str
    turns: list[str]  # the seller's messages: those a person wrote (a simulated seller's are left out)
    steps: list[Step]  # tool calls that ran, in order (failed ones left out)
    created: int  # listings it created
    condition: str | None  # the last draft's condition
    model_requests: int
    # What a simulated seller answered after `turns` (an eval run's): the scenario simulates them too, so
    # its answers follow the agent's questions instead of replaying answers to another agent's questions;
    # what they said is read only for the seller's facts (their condition, their price).
    simulated: tuple[str, ...] = ()
    seller_simulated: bool = False  # some of the seller's messages were the simulated seller's
    # How many of `turns` led up to the last draft, the seller's message of the turn that made it included
    # (None: no draft was made). A reviewer's correction is of that draft: the turns a scenario needs to
    # reproduce the failure it corrects.
    drafted_after: int | None = None
    # The seller's messages that answered the agent's question for the condition, and those that approved a
    # draft ("looks good"): the first are where their condition is said, the second say no condition.
    condition_answers: tuple[str, ...] = ()
    approvals: tuple[str, ...] = ()
    # What drove it: the variant's id and spec, and the experiment arm that served it (None: not known).
    variant: str | None = None
    variant_spec: str | None = None
    arm: str | None = None

    @classmethod
    def from_trace(cls, view: ConversationView) -> Conversation:
        steps = [s for t in view.turns for s in t.steps]
        drafts = [d for t in view.turns for d in t.drafts]
        condition = drafts[-1].get("condition") if drafts else None
        return cls(
            drafted_after=_drafted_after([(t.seller, bool(t.drafts)) for t in view.turns]),
            kind=view.kind,
            ident=view.id,
            model=view.model,
            prompt=view.prompt,
            variant=view.variant,
            variant_spec=view.variant_spec,
            arm=view.arm,
            turns=[t.seller for t in view.turns if t.seller],
            steps=[
                Step(s.name, s.args if isinstance(s.args, dict) else {}, s.result)
                for s in steps
                if isinstance(s, ToolStep) and not s.error
            ],
            created=sum(len(t.created) for t in view.turns),
            condition=str(condition) if condition else None,
            model_requests=sum(1 for s in steps if isinstance(s, ModelStep)),
            condition_answers=_condition_answers([(t.seller, t.agent) for t in view.turns]),
            approvals=tuple(t.seller for t in view.turns if "approved" in t.approvals.values()),
        )

    @classmethod
    def from_run(cls, results: EvalResults, scenario_id: str, index: int | None = None) -> Conversation:
        """One run of a scenario in an eval run's results: run `index`, or the first that failed (else
        the first)."""
        scenario = next((s for s in results.scenarios if s.id == scenario_id), None)
        if scenario is None:
            raise LookupError(_unknown_scenario(results, scenario_id))
        run: RepeatResult | None
        if index is None:
            run = next(
                (r for r in scenario.runs if not r.passed), scenario.runs[0] if scenario.runs else None
            )
        else:
            run = next((r for r in scenario.runs if r.index == index), None)
        if run is None:
            raise LookupError(
                f"{scenario_id} has no run {index} in {results.run_id} ({len(scenario.runs)} runs)"
            )
        record = run.record
        drafts = [d for t in record.turns for d in t.drafts]
        condition = drafts[-1].get("condition") if drafts else None
        return cls(
            # Counted among the turns kept (a simulated seller's message is no scripted turn).
            drafted_after=_drafted_after(
                [
                    (t.seller if not t.simulated or i == 0 else "", bool(t.drafts))
                    for i, t in enumerate(record.turns)
                ]
            ),
            kind="eval",
            ident=record.conversation_id or f"{results.run_id}/{scenario_id}/{run.index}",
            model=results.model,
            variant=results.variant.id if results.variant else None,
            variant_spec=results.variant.spec if results.variant else None,
            prompt=f"{results.prompt.name}@{results.prompt.version}",
            # A wholly simulated conversation keeps its opening: the scenario needs a first message.
            turns=[t.seller for i, t in enumerate(record.turns) if not t.simulated or i == 0],
            steps=[Step(c.tool, c.args, c.result) for c in record.calls if c.outcome == "success"],
            created=len(record.listings),
            condition=str(condition) if condition else None,
            model_requests=record.usage.get("requests", 0),
            simulated=tuple(t.seller for i, t in enumerate(record.turns) if t.simulated and i > 0),
            seller_simulated=any(t.simulated for t in record.turns),
            condition_answers=_condition_answers([(t.seller, t.agent) for t in record.turns]),
            approvals=tuple(t.seller for t in record.turns if t.approved),
        )


def _condition_answers(turns: list[tuple[str, str]]) -> tuple[str, ...]:
    """The seller's messages that answered a reply of the agent's asking for the condition."""
    return tuple(
        seller for (_, agent), (seller, _) in itertools.pairwise(turns) if "condition" in asks(agent)
    )


def sellers_condition(conversation: Conversation) -> tuple[str | None, str | None]:
    """The condition the seller stated, from their own messages, and a note for the reviewer when their
    words cannot tell: their latest answer to the agent's question for it, else the one grade their messages
    state (approvals of a draft, "looks good", state none). Several grades: none (the agent's reading of
    them is no fact of the seller's). None stated: the last draft's, marked as the agent's, so a simulated
    seller can still answer the question."""
    answered = [g for text in conversation.condition_answers for g in grades(text)[-1:]]
    if answered:
        return answered[-1], None
    skip = set(conversation.approvals)
    said = [*conversation.turns, *conversation.simulated]
    stated = sorted({g for text in said if text not in skip for g in grades(text)})
    if len(stated) == 1:
        return stated[0], None
    if stated:
        return None, f"the seller's words state {' and '.join(stated)}: which did they mean?"
    if conversation.condition:
        return conversation.condition, "the agent's draft, not the seller's words (they never said it)"
    return None, "the seller never said it"


def sellers_item(conversation: Conversation) -> str:
    """The item in the seller's words: the agent's first search query when the seller wrote each of its
    words, else the seller's opening message as they wrote it (the agent read something else into it)."""
    first_query = next(
        (
            str(s.args["query"])
            for s in conversation.steps
            if s.tool == "search_categories" and s.args.get("query")
        ),
        None,
    )
    said = {
        w for text in [*conversation.turns, *conversation.simulated] for w in re.findall(r"\w+", text.lower())
    }
    if first_query and all(w in said for w in re.findall(r"\w+", first_query.lower())):
        return first_query
    return next((t.strip() for t in conversation.turns if t.strip()), first_query or "item")


def _drafted_after(turns: list[tuple[str, bool]]) -> int | None:
    """The seller's messages up to and including the last turn that made a draft (turns without a message
    of the seller's, a button's answer, count none); None when no turn made one."""
    said, found = 0, None
    for seller, drafted in turns:
        said += 1 if seller else 0
        if drafted:
            found = said
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "conversation"


def _amounts(turns: list[str]) -> set[float]:
    return {float(m.replace(",", "")) for text in turns for m in _AMOUNT.findall(text)}


def _price(price: JSONish, said: set[float], comparisons: list[PriorResult]) -> Matcher | None:
    """The matcher the agent's price passes: the seller's own figure when they named it (the agent
    kept it), the comparison's range when it lies inside it, otherwise a band around it."""
    if isinstance(price, bool) or not isinstance(price, int | float):
        return None
    if any(abs(price - amount) < 0.005 for amount in said):
        return Matcher(equals=int(price) if float(price).is_integer() else price)
    if comparisons and check(_FROM_COMPARISON, price, comparisons).ok:
        return _FROM_COMPARISON
    return Matcher(between=(round(price * 0.8, 2), round(price * 1.2, 2)))


def _args(
    step: Step, earlier: set[str], said: set[float], comparisons: list[PriorResult]
) -> dict[str, Matcher]:
    args = step.args
    loose: dict[str, Matcher] = {}
    if step.tool == "search_categories" and args.get("query"):
        # Any of the query's words: a search for the item without its colour ("iphone 12" for "iphone 12
        # black") is as good, and which word names the item is not this module's to guess.
        words = list(dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]{3,}", str(args["query"]))))
        loose["query"] = Matcher(regex="|".join(map(re.escape, words))) if words else Matcher(any=True)
    if "category_id" in args:
        loose["category_id"] = (
            Matcher.model_validate({"from": "search_categories"})
            if "search_categories" in earlier
            else Matcher(equals=args["category_id"])
        )
    if step.tool == "create_listing":
        price = _price(args.get("price"), said, comparisons)
        if price is not None:
            loose["price"] = price
        if args.get("condition"):
            loose["condition"] = Matcher(equals=args["condition"])
    if step.tool == "compare_prices" and args.get("condition"):
        loose["condition"] = Matcher(equals=args["condition"])
    return loose


def scenario_from(source: Conversation | ConversationView, scenario_id: str | None = None) -> Scenario:
    """A scenario reproducing the conversation."""
    conversation = Conversation.from_trace(source) if isinstance(source, ConversationView) else source
    turns = conversation.turns
    everything = [*turns, *conversation.simulated]  # all the seller said, for their facts
    calls: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    earlier: set[str] = set()
    said = _amounts(everything)
    comparisons: list[PriorResult] = []
    for step in conversation.steps:
        key = (step.tool, repr(step.args))
        if key in seen:  # the approved create runs the proposed call again: one expected call
            continue
        seen.add(key)
        calls.append({"tool": step.tool, "args": _args(step, earlier, said, comparisons)})
        earlier.add(step.tool)
        if step.tool == "compare_prices":
            comparisons.append(PriorResult(step.tool, step.result))
    item = sellers_item(conversation)
    listing: dict[str, object] = {"created": conversation.created}
    created = [s for s in conversation.steps if s.tool == "create_listing" and isinstance(s.result, dict)]
    if created:
        result = created[-1].result
        assert isinstance(result, dict)
        leaf = str(result.get("category_path", "")).split(" > ")[-1]
        if leaf:
            listing["category_path"] = Matcher(contains=leaf)
        if result.get("condition"):
            listing["condition"] = Matcher(equals=result["condition"])
        price = _price(result.get("price"), said, comparisons)
        if price is not None:
            listing["price"] = price
    requests = conversation.model_requests
    seller: dict[str, object] = {"item": item, "approves": bool(conversation.created)}
    # The seller's condition as the seller said it: a scenario made from a reviewed failure must not take the
    # agent's mistake as the seller's fact. None when their words cannot tell: `to_yaml` marks it to fill in.
    condition, _ = sellers_condition(conversation)
    if condition:
        seller["condition"] = condition.replace("_", " ")
    # A price the simulated seller named and the listing kept is theirs to name again when asked.
    kept = listing.get("price")
    named = _amounts(list(conversation.simulated))
    if (
        isinstance(kept, Matcher)
        and isinstance(kept.equals, int | float)
        and any(abs(kept.equals - a) < 0.005 for a in named)
    ):
        seller["asking_price"] = kept.equals
    return Scenario.model_validate(
        {
            "id": scenario_id or f"captured-{_slug(item)}-{_slug(conversation.ident)[-6:]}",
            "description": (
                f"Captured from {conversation.kind} conversation {conversation.ident} ({conversation.model}, "
                f"{conversation.prompt}) on {datetime.now(UTC).date().isoformat()}. Edit the expectations "
                "to what a good agent must do."
            ),
            "tags": ["captured"],
            "metadata": {
                "conversation": conversation.ident,
                "kind": conversation.kind,
                "model": conversation.model,
                "prompt": conversation.prompt,
                "variant": conversation.variant,
                "variant_spec": conversation.variant_spec,
                "arm": conversation.arm,
            },
            "seller": seller,
            "turns": turns,
            "simulate": conversation.seller_simulated,
            "expect": {
                "tools": {"order": "in_order", "calls": calls},
                "listing": listing,
                "budget": {"model_requests": max(requests + 4, int(requests * 1.5))},
            },
        }
    )


def to_check(conversation: Conversation) -> dict[str, str]:
    """The seller's facts a captured scenario could not read from their words, each with why: `to_yaml`
    marks them with a TODO for the reviewer."""
    _, condition = sellers_condition(conversation)
    return {} if condition is None else {"condition": condition}


def to_yaml(scenario: Scenario, path: Path | None = None, todo: Mapping[str, str] | None = None) -> str:
    """The scenario as a YAML file; `path`, where it will be written, points its `$schema` line at the
    project's scenarios/schema.json from there (editors validate it wherever it is kept); `todo`: seller
    facts to mark for the reviewer (`to_check`)."""
    todo = todo or {}
    document = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    # Spelled out although they are the defaults: what a reader of the file needs to see.
    document["expect"].setdefault("listing", {})["created"] = (
        scenario.expect.listing.created if scenario.expect.listing else 0
    )
    document["expect"].setdefault("tools", {})["order"] = (
        scenario.expect.tools.order if scenario.expect.tools else "in_order"
    )
    if "condition" in todo:
        document["seller"].setdefault("condition", None)  # the field shown, to fill in
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    for name, note in todo.items():  # a seller's fact the capture could not read: said where one looks
        line = re.search(rf"^  {re.escape(name)}: .*$", text, re.M)
        if line is not None:
            text = text[: line.end()] + f"  # TODO: {note}" + text[line.end() :]
    schema = "../schema.json"
    if path is not None:
        schema = Path(os.path.relpath(SCHEMA_PATH, path.resolve().parent)).as_posix()
    header = f"# yaml-language-server: $schema={schema}\n# Captured by `trova eval capture`; review before committing.\n"
    body = header + text
    parse_scenario(body, Path("captured.yaml"))  # fail here, not later, if it won't load
    return body


def _unknown_scenario(results: EvalResults, scenario_id: str) -> str:
    """No such scenario in the run: a few are listed whole, a whole scenario set by the ids it may mean."""
    import difflib

    ids = [s.id for s in results.scenarios]
    if len(ids) <= 10:
        return f"run {results.run_id} has no scenario {scenario_id!r} (it has {', '.join(ids)})"
    close = difflib.get_close_matches(scenario_id, ids, n=3, cutoff=0.8)  # a typo
    words = [w for w in scenario_id.lower().replace("_", "-").split("-") if w]  # or its words in any order
    close += [i for i in ids if words and all(w in i.lower() for w in words) and i not in close][
        : 3 - len(close)
    ]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"run {results.run_id} has no scenario {scenario_id!r} (it has {len(ids)}, listed in its summary.md)"
        f"{hint}"
    )
