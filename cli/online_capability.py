"""The online checks as the agent's capability, loaded when first needed: the harness (pydantic-evals, the
checks, the store of verdicts) costs a third of a second to import, and a conversation outside the sample
(three in four by default) never needs it, so a command starts without it and imports it on the first
sampled conversation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_ai.capabilities.abstract import AbstractCapability, WrapRunHandler
from pydantic_ai.run import AgentRunResult
from pydantic_ai.tools import RunContext

from evals.sampling import in_sample
from tools.deps import TrovaDeps

logger = logging.getLogger(__name__)


@dataclass
class SampledEvaluation(AbstractCapability[TrovaDeps]):
    """`evals.online.live_evaluation(rate, <the local store's sink>)`, built on the first run of a sampled
    conversation and asked to judge those runs; other runs go straight through."""

    rate: float
    store: Path | None = None
    _real: AbstractCapability[TrovaDeps] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"the online evaluation rate must be between 0 and 1, not {self.rate}")

    @classmethod
    def get_serialization_name(cls) -> str | None:
        return None  # built by the command, never from an agent spec

    def real(self) -> AbstractCapability[TrovaDeps]:
        if self._real is None:
            from evals.online import live_evaluation
            from ops.online import OnlineVerdicts, StoreSink
            from ops.store import OpsStore

            self._real = live_evaluation(self.rate, StoreSink(OnlineVerdicts(OpsStore(self.store))))
        return self._real

    async def wrap_run(self, ctx: RunContext[TrovaDeps], *, handler: WrapRunHandler) -> AgentRunResult[Any]:
        if not in_sample(ctx.conversation_id or ctx.run_id or "", self.rate):
            return await handler()
        try:
            real = self.real()
        except Exception as e:  # a store it cannot open: the turn runs unjudged, as any evaluation failure
            logger.warning("online evaluation unavailable: %s: %s", type(e).__name__, e)
            return await handler()
        return await real.wrap_run(ctx, handler=handler)
