"""The held-out benchmark's only contact with the eval harness: held-out listings become scenario files,
the harness runs them (fresh marketplace per conversation, the agent, the rule-based simulated seller),
and each run's record becomes a `Conversation` here.

Only public entry points are used (`Scenario`, `load_scenarios`, `run_eval`, `run_parallel`, the typed
`EvalResults`); `conversations` and `_outcome` alone read the results, so a change in their shape is a
change here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.models import ModelChoice
from agent.prompts import load_prompt
from benchmarks.heldout_items import Listing, Openings, Taxonomy
from evals.driver import RunRecord
from evals.loader import LoadedScenario, load_scenarios
from evals.results import EvalResults
from evals.runner import EvalSettings, run_eval
from evals.schema import Expectations, ListingExpectation, Scenario, SellerFacts

MAX_TURNS = 10


@dataclass(frozen=True)
class Conversation:
    """What the agent did with one held-out listing."""

    post_id: str
    template: str
    opening: str
    created: bool  # a listing was created, after the seller approved its draft
    category_id: (
        int | None
    )  # of the created listing, else of the last draft, else of the last price comparison
    price: float | None  # of the created listing, else of the last draft, else the comparison's suggestion
    comparables: int | None  # how many comparables the last price comparison found (None: no comparison)
    turns: int
    tokens: int
    requests: int
    error: str | None = None  # the run crashed, or the provider failed a request


def scenario_id(item: Listing) -> str:
    return f"heldout-{item.post_id}"


def branch_hint(item: Listing, taxonomy: Taxonomy) -> str | None:
    """The path of the listing's category's parent: an offered category whose path has it is in the branch
    (the simulated seller picks the option that contains its hint). None for a top-level category."""
    parent = taxonomy.by_id[item.category_id].parent_id
    return taxonomy.by_id[parent].path if parent is not None else None


def scenario_for(item: Listing, openings: Openings, taxonomy: Taxonomy) -> Scenario:
    """A held-out listing as a scenario: the seller opens with one of the templates, answers questions from
    the listing's facts, takes the agent's price (the suggestion is what is measured), accepts the draft,
    and, offered a choice of categories, picks the first in the listing's own branch (under its category's
    parent: the kind of thing its seller knows it is), or says none of these. Asked outright for a price
    with no suggestion to go by (no comparables), they name the listing's asking price, as its seller
    would; such items have no comparables, so the price figures, which count only items with
    comparables, are not touched by it."""
    return Scenario(
        id=scenario_id(item),
        description=f"Held-out {item.source} listing {item.post_id} ({openings.template_for(item)} opening)",
        tags=["heldout", item.source, openings.template_for(item)],
        seller=SellerFacts(
            item=item.title,
            condition=openings.conditions[item.condition],
            asking_price=None,
            price_if_asked=item.price,
            approves=True,
            price_reaction="accept",
            category_hint=branch_hint(item, taxonomy),
            opening=openings.opening(item),
        ),
        max_turns=MAX_TURNS,
        expect=Expectations(listing=ListingExpectation(created=1)),
    )


def write_scenarios(
    items: Sequence[Listing], openings: Openings, taxonomy: Taxonomy, folder: Path
) -> list[LoadedScenario]:
    """One scenario file per listing under `folder` (each can be re-run alone with `trova eval run FILE`),
    loaded back through the harness's loader, which validates them as it would any scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in items:
        scenario = scenario_for(item, openings, taxonomy)
        data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        data["expect"] = {"listing": {"created": 1}}  # the figures are the benchmark's, not the checks'
        (folder / f"{scenario.id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_scenarios([folder])


def run(
    scenarios: list[LoadedScenario],
    choice: ModelChoice,
    *,
    model: str | None,
    base_url: str | None,
    concurrency: int,
    workers: int,
    progress: bool,
    on_progress: Callable[[int], None] | None = None,
) -> EvalResults:
    """Run the scenarios through the harness, as `trova eval run` does; returns its results."""
    settings = EvalSettings(concurrency=concurrency, min_pass_rate=0.0, progress=progress, workers=workers)
    if workers > 1:
        from evals.parallel import EvalJob, run_parallel

        files = tuple(sorted(str(s.path) for s in scenarios))
        job = EvalJob(files, model, base_url, "listing_agent", settings, tracing=False)
        return run_parallel(job, scenarios, workers, on_progress=on_progress)
    return asyncio.run(run_eval(scenarios, choice, load_prompt(), settings))


def conversations(results: EvalResults, items: Sequence[Listing], openings: Openings) -> list[Conversation]:
    by_id = {scenario_id(item): item for item in items}
    return [
        _outcome(run_result.record, by_id[scenario.id], openings)
        for scenario in results.scenarios
        for run_result in scenario.runs
    ]


def _outcome(record: RunRecord, item: Listing, openings: Openings) -> Conversation:
    """A run's record -> what the benchmark measures."""
    drafts = [d for turn in record.turns for d in turn.drafts]
    compares = [c for c in record.calls if c.tool == "compare_prices" and c.outcome == "success"]
    comparison = compares[-1].result if compares and isinstance(compares[-1].result, dict) else None
    category_id: int | None = None
    price: float | None = None
    if record.listings:
        category_id, price = (
            _int(record.listings[-1].get("category_id")),
            _float(record.listings[-1].get("price")),
        )
    elif drafts:
        category_id, price = _int(drafts[-1].get("category_id")), _float(drafts[-1].get("price"))
    elif compares:
        category_id = _int(compares[-1].args.get("category_id"))
        price = _float(comparison.get("suggested_price")) if comparison else None
    error = record.error or record.model_error
    return Conversation(
        post_id=item.post_id,
        template=openings.template_for(item),
        opening=openings.opening(item),
        created=bool(record.listings),
        category_id=category_id,
        price=price,
        comparables=_int(comparison.get("count")) if comparison else None,
        turns=len(record.turns),
        tokens=record.usage.get("input_tokens", 0) + record.usage.get("output_tokens", 0),
        requests=record.usage.get("requests", 0),
        error=error.splitlines()[0] if error else None,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
