"""The listing agent: instructions from a versioned prompt file, the marketplace tools, approvals."""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from pydantic_ai import Agent, DeferredToolRequests, UsageLimits
from pydantic_ai.capabilities.abstract import AbstractCapability
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from agent.prompts import Prompt, load_prompt
from agent.variants import Variant, toolset_version
from tools.deps import TrovaDeps
from tools.toolset import marketplace_tools

AGENT_NAME = "trova_listing_agent"
# A whole conversation's budget; a model that loops (calls tools over and over) is stopped by it.
CONVERSATION_REQUEST_LIMIT = 40
CONVERSATION_TOOL_CALL_LIMIT = 30
# One seller message should never need more than this many model requests.
TURN_REQUEST_LIMIT = 8

ListingAgent = Agent[TrovaDeps, str | DeferredToolRequests]


def build_agent(
    model: Model,
    prompt: Prompt | None = None,
    exclude_tools: frozenset[str] = frozenset(),
    model_settings: ModelSettings | None = None,
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> ListingAgent:
    """The agent; `capabilities` are extensions the caller adds (the CLI adds online evaluation)."""
    prompt = prompt or load_prompt()
    tools = list(marketplace_tools(exclude_tools).tools.values())
    agent: ListingAgent = Agent(
        model,
        name=AGENT_NAME,
        deps_type=TrovaDeps,
        output_type=[str, DeferredToolRequests],
        instructions=prompt.text,
        # The tools as the agent's own (not a second toolset): one toolset is walked in the calling task,
        # where two are gathered in new tasks at every step, hops that cost a busy event loop dearly.
        tools=tools,
        model_settings=model_settings,
        metadata={"prompt": prompt.name, "prompt_version": prompt.version},
        capabilities=list(capabilities),
    )
    # The tools just made, not a second set: each tool's schema (its docstring read by griffe) is work.
    _VARIANTS[id(agent)] = _variant("", prompt, [t.tool_def for t in tools], model_settings)
    weakref.finalize(agent, _VARIANTS.pop, id(agent), None)
    return agent


def variant_for(
    model: str,
    prompt: Prompt,
    exclude_tools: frozenset[str] = frozenset(),
    model_settings: ModelSettings | None = None,
) -> Variant:
    """The variant `build_agent` makes of these, `model` being the model's name as the user gave it."""
    tools = marketplace_tools(exclude_tools).tools.values()
    return _variant(model, prompt, [t.tool_def for t in tools], model_settings)


def _variant(
    model: str, prompt: Prompt, tool_defs: Sequence[ToolDefinition], model_settings: ModelSettings | None
) -> Variant:
    settings = {k: v for k, v in (model_settings or {}).items() if isinstance(v, bool | int | float | str)}
    return Variant(model=model, prompt=prompt.ref, settings=settings, toolset=toolset_version(tool_defs))


# What each agent built here is, but its model's name (given by whoever chose the model); pydantic-ai's
# Agent is an unhashable dataclass, hence keyed by id and dropped with the agent.
_VARIANTS: dict[int, Variant] = {}


def agent_variant(agent: ListingAgent, model: str) -> Variant:
    """The variant an agent is, `model` being the model's name as the user gave it (offline, openai:...)."""
    known = _VARIANTS.get(id(agent))
    if known is None:  # built elsewhere (tests' own agents): what can be read off the agent itself
        toolset = getattr(agent, "_function_toolset", None)
        tools = [t.tool_def for t in toolset.tools.values()] if toolset is not None else []
        own = agent.model_settings if isinstance(agent.model_settings, dict) else {}
        settings = {k: v for k, v in own.items() if isinstance(v, bool | int | float | str)}
        known = Variant(model="", prompt="unknown@unknown", settings=settings, toolset=toolset_version(tools))
    return known.model_copy(update={"model": model})


def turn_limits(requests_so_far: int, tool_calls_so_far: int) -> UsageLimits:
    """Limits for the next run of a conversation that has used this much (usage carries across runs)."""
    return UsageLimits(
        request_limit=min(CONVERSATION_REQUEST_LIMIT, requests_so_far + TURN_REQUEST_LIMIT),
        tool_calls_limit=CONVERSATION_TOOL_CALL_LIMIT,
    )
