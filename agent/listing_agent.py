"""The listing agent: instructions from a versioned prompt file, the marketplace tools, approvals."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_ai import Agent, DeferredToolRequests, UsageLimits
from pydantic_ai.capabilities.abstract import AbstractCapability
from pydantic_ai.models import Model

from agent.prompts import Prompt, load_prompt
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
    capabilities: Sequence[AbstractCapability[TrovaDeps]] = (),
) -> ListingAgent:
    """The agent; `capabilities` are extensions the caller adds (the CLI adds online evaluation)."""
    prompt = prompt or load_prompt()
    agent: ListingAgent = Agent(
        model,
        name=AGENT_NAME,
        deps_type=TrovaDeps,
        output_type=[str, DeferredToolRequests],
        instructions=prompt.text,
        # The tools as the agent's own (not a second toolset): one toolset is walked in the calling task,
        # where two are gathered in new tasks at every step, hops that cost a busy event loop dearly.
        tools=list(marketplace_tools(exclude_tools).tools.values()),
        metadata={"prompt": prompt.name, "prompt_version": prompt.version},
        capabilities=list(capabilities),
    )
    return agent


def turn_limits(requests_so_far: int, tool_calls_so_far: int) -> UsageLimits:
    """Limits for the next run of a conversation that has used this much (usage carries across runs)."""
    return UsageLimits(
        request_limit=min(CONVERSATION_REQUEST_LIMIT, requests_so_far + TURN_REQUEST_LIMIT),
        tool_calls_limit=CONVERSATION_TOOL_CALL_LIMIT,
    )
