"""The held-out benchmark's only contact with the eval harness: held-out listings become scenario files,
the harness runs them (fresh marketplace per conversation, the agent, the rule-based simulated seller),
and each run's record becomes a `Conversation` here.

Only public entry points are used (`Scenario`, `load_scenarios`, `run_eval`, `run_parallel`); `_outcome`
alone reads the harness's results, so a change in their shape is a change in one function.
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
from evals.loader import LoadedScenario, load_scenarios
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


def scenario_for(item: Listing, openings: Openings, taxonomy: Taxonomy) -> Scenario:
    """A held-out listing as a scenario: the seller opens with one of the templates, answers questions from
    the listing's facts, has no price in mind (the agent's suggestion is what is measured), accepts the
    draft, and, offered a choice of categories, picks the one named like the listing's own (as its seller,
    who knows what the item is, would)."""
    return Scenario(
        id=scenario_id(item),
        description=f"Held-out {item.source} listing {item.post_id} ({openings.template_for(item)} opening)",
        tags=["heldout", item.source, openings.template_for(item)],
        seller=SellerFacts(
            item=item.title,
            condition=openings.conditions[item.condition],
            asking_price=None,
            approves=True,
            price_reaction="accept",
            category_hint=taxonomy.name(item.category_id),
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
) -> dict[str, Any]:
    """Run the scenarios through the harness, as `trova eval run` does; returns its results document."""
    settings = EvalSettings(concurrency=concurrency, min_pass_rate=0.0, progress=progress, workers=workers)
    if workers > 1:
        from evals.parallel import EvalJob, run_parallel

        files = tuple(sorted(str(s.path) for s in scenarios))
        job = EvalJob(files, model, base_url, "listing_agent", settings, tracing=False)
        return run_parallel(job, scenarios, workers, on_progress=on_progress)
    return asyncio.run(run_eval(scenarios, choice, load_prompt(), settings))


def conversations(
    results: dict[str, Any], items: Sequence[Listing], openings: Openings
) -> list[Conversation]:
    by_id = {scenario_id(item): item for item in items}
    out = []
    for document in results["scenarios"]:
        item = by_id[document["id"]]
        for run_document in document["runs"]:
            out.append(_outcome(run_document["record"], item, openings))
    return out


def _outcome(record: dict[str, Any], item: Listing, openings: Openings) -> Conversation:
    """A run's record (evals.driver.RunRecord.as_dict) -> what the benchmark measures."""
    usage = record.get("usage") or {}
    listings = record.get("listings") or []
    drafts = [d for turn in record.get("turns", []) for d in turn.get("drafts", [])]
    compares = [
        c for c in record.get("calls", []) if c["tool"] == "compare_prices" and c.get("outcome") == "success"
    ]
    comparison = compares[-1]["result"] if compares and isinstance(compares[-1]["result"], dict) else None
    category_id: int | None = None
    price: float | None = None
    if listings:
        category_id, price = int(listings[-1]["category_id"]), float(listings[-1]["price"])
    elif drafts:
        category_id, price = _int(drafts[-1].get("category_id")), _float(drafts[-1].get("price"))
    elif compares:
        category_id = _int(compares[-1]["args"].get("category_id"))
        price = _float(comparison.get("suggested_price")) if comparison else None
    error = record.get("error") or record.get("model_error")
    return Conversation(
        post_id=item.post_id,
        template=openings.template_for(item),
        opening=openings.opening(item),
        created=bool(listings),
        category_id=category_id,
        price=price,
        comparables=int(comparison.get("count", 0)) if comparison else None,
        turns=len(record.get("turns", [])),
        tokens=int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0)),
        requests=int(usage.get("requests", 0)),
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
