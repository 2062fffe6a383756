"""From a real conversation's trace to a regression scenario (`trova eval capture ID`).

The seller's messages become scripted turns; the tool calls the agent made become the expected
trajectory with loose argument matchers (ids must come from the lookup; a price the seller named must be
that price, any other one inside the comparison's range); the listing it created becomes the expected
end state. The file loads with the harness unchanged and is
meant to be edited (tighten what matters, fix what was wrong) and committed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from evals.loader import parse_scenario
from evals.matchers import PriorResult, check
from evals.schema import Matcher
from traces.views import ConversationView, ToolStep

_FROM_COMPARISON = Matcher.model_validate({"from": "compare_prices"})
# Amounts as a seller writes them: 900, $1,200, 400.50.
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "conversation"


def _amounts(turns: list[str]) -> set[float]:
    return {float(m.replace(",", "")) for text in turns for m in _AMOUNT.findall(text)}


def _price(price: Any, said: set[float], comparisons: list[PriorResult]) -> dict[str, Any] | None:
    """The matcher the agent's price passes: the seller's own figure when they named it (the agent
    kept it), the comparison's range when it lies inside it, otherwise a band around it."""
    if isinstance(price, bool) or not isinstance(price, int | float):
        return None
    if any(abs(price - amount) < 0.005 for amount in said):
        return {"equals": int(price) if float(price).is_integer() else price}
    if comparisons and check(_FROM_COMPARISON, price, comparisons).ok:
        return {"from": "compare_prices"}
    return {"between": [round(price * 0.8, 2), round(price * 1.2, 2)]}


def _args(
    step: ToolStep, earlier: set[str], said: set[float], comparisons: list[PriorResult]
) -> dict[str, Any]:
    args = step.args if isinstance(step.args, dict) else {}
    loose: dict[str, Any] = {}
    if step.name == "search_categories" and args.get("query"):
        words = [w for w in re.findall(r"[A-Za-z]{3,}", str(args["query"]))][-1:]
        loose["query"] = {"contains": words[0]} if words else {"any": True}
    if "category_id" in args:
        loose["category_id"] = (
            {"from": "search_categories"}
            if "search_categories" in earlier
            else {"equals": args["category_id"]}
        )
    if step.name == "create_listing":
        price = _price(args.get("price"), said, comparisons)
        if price is not None:
            loose["price"] = price
        if args.get("condition"):
            loose["condition"] = {"equals": args["condition"]}
    if step.name == "compare_prices" and args.get("condition"):
        loose["condition"] = {"equals": args["condition"]}
    return loose


def scenario_from(view: ConversationView, scenario_id: str | None = None) -> dict[str, Any]:
    """A scenario document (plain data, ready for YAML) reproducing `view`."""
    turns = [t.seller for t in view.turns if t.seller]
    tools = [s for t in view.turns for s in t.steps if isinstance(s, ToolStep) and not s.error]
    calls: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    earlier: set[str] = set()
    said = _amounts(turns)
    comparisons: list[PriorResult] = []
    for step in tools:
        key = (step.name, repr(step.args))
        if key in seen:  # the approved create runs the proposed call again: one expected call
            continue
        seen.add(key)
        calls.append({"tool": step.name, "args": _args(step, earlier, said, comparisons)})
        earlier.add(step.name)
        if step.name == "compare_prices":
            comparisons.append(PriorResult(step.name, step.result))
    created = [x for t in view.turns for x in t.created]
    drafts = [d for t in view.turns for d in t.drafts]
    final = drafts[-1] if drafts else {}
    first_query = next(
        (s.args.get("query") for s in tools if s.name == "search_categories" and isinstance(s.args, dict)),
        None,
    )
    item = str(first_query or (turns[0] if turns else "item"))
    listing: dict[str, Any] = {"created": len(created)}
    created_steps = [s for s in tools if s.name == "create_listing" and isinstance(s.result, dict)]
    if created_steps:
        result = created_steps[-1].result
        leaf = str(result.get("category_path", "")).split(" > ")[-1]
        if leaf:
            listing["category_path"] = {"contains": leaf}
        if result.get("condition"):
            listing["condition"] = {"equals": result["condition"]}
        price = _price(result.get("price"), said, comparisons)
        if price is not None:
            listing["price"] = price
    requests = sum(1 for t in view.turns for s in t.steps if not isinstance(s, ToolStep))
    document: dict[str, Any] = {
        "id": scenario_id or f"captured-{_slug(item)}-{_slug(view.id)[-6:]}",
        "description": (
            f"Captured from {view.kind} conversation {view.id} ({view.model}, {view.prompt}) on "
            f"{datetime.now(UTC).date().isoformat()}. Edit the expectations to what a good agent must do."
        ),
        "tags": ["captured"],
        "seller": {
            "item": item,
            **({"condition": str(final["condition"]).replace("_", " ")} if final.get("condition") else {}),
            "approves": bool(created),
        },
        "turns": turns,
        "simulate": False,
        "expect": {
            "tools": {"order": "in_order", "calls": calls},
            "listing": listing,
            "budget": {"model_requests": max(requests + 4, int(requests * 1.5))},
        },
    }
    return document


def to_yaml(document: dict[str, Any]) -> str:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    header = "# yaml-language-server: $schema=../schema.json\n# Captured by `trova eval capture`; review before committing.\n"
    body = header + text
    parse_scenario(body, Path("captured.yaml"))  # fail here, not later, if it won't load
    return body
