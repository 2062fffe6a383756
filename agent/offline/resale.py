"""A rule-of-thumb starting price from what the seller paid and the item's condition (`data/resale.yaml`),
for when nothing comparable is listed: the only figure the agent may offer that is not the market's."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from agent.offline.drafting import nice_round
from agent.offline.lexicon import DATA, read_yaml
from tools.types import Condition


class ResaleRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shares: dict[Condition, float] = Field(min_length=len(Condition))

    def share(self, condition: Condition) -> float:
        return self.shares[condition]

    def start(self, paid: float, condition: Condition) -> float:
        """The starting price: the condition's share of what was paid, rounded, never above it."""
        return min(paid, max(1.0, nice_round(paid * self.share(condition))))


@cache
def resale_rule() -> ResaleRule:
    rule = ResaleRule.model_validate(read_yaml(DATA / "resale.yaml"))
    bad = {c: s for c, s in rule.shares.items() if not 0 < s <= 1}
    if bad:
        raise ValueError(f"resale.yaml: shares must be above 0 and at most 1, got {bad}")
    return rule
