"""The agent's tools as one toolset; `create_listing` saves a draft and asks for the seller's approval
itself (it raises `ApprovalRequired` once the draft is saved), and only the seller's client can publish."""

from __future__ import annotations

import dataclasses
from typing import cast

from pydantic_ai import Tool
from pydantic_ai.toolsets import FunctionToolset
from pydantic_core import SchemaValidator

from tools.categories import search_categories
from tools.deps import TrovaDeps
from tools.errors import PlainWordsValidator
from tools.listings import create_listing, validate_listing
from tools.prices import compare_prices

SEARCH_CATEGORIES = "search_categories"
COMPARE_PRICES = "compare_prices"
CREATE_LISTING = "create_listing"
TOOL_NAMES = (SEARCH_CATEGORIES, COMPARE_PRICES, CREATE_LISTING)
MAX_TOOL_RETRIES = 2
# Tool metadata: the tool changes the world (a listing is published). An agent must do it once per draft;
# the eval harness holds agents to that for every tool so declared.
SIDE_EFFECT = "side_effect"


def marketplace_tools(exclude: frozenset[str] = frozenset()) -> FunctionToolset[TrovaDeps]:
    """The three marketplace tools (`exclude` drops some, e.g. to check that evals notice a missing one)."""
    tools: list[Tool[TrovaDeps]] = [
        Tool(search_categories, name=SEARCH_CATEGORIES, max_retries=MAX_TOOL_RETRIES),
        Tool(compare_prices, name=COMPARE_PRICES, max_retries=MAX_TOOL_RETRIES),
        Tool(
            create_listing,
            name=CREATE_LISTING,
            max_retries=MAX_TOOL_RETRIES,
            args_validator=validate_listing,
            metadata={SIDE_EFFECT: True},
        ),
    ]
    for tool in tools:  # a refused argument goes back to the model in plain words, not pydantic's JSON
        schema = tool.function_schema
        # pydantic-ai only calls validate_python/validate_json on it (its SchemaValidatorProt).
        plain = cast(SchemaValidator, PlainWordsValidator(schema.validator))
        tool.function_schema = dataclasses.replace(schema, validator=plain)
    return FunctionToolset([t for t in tools if t.name not in exclude])


def side_effect_tools() -> frozenset[str]:
    """The tools whose metadata declares a side effect."""
    return frozenset(
        name for name, tool in marketplace_tools().tools.items() if (tool.metadata or {}).get(SIDE_EFFECT)
    )
