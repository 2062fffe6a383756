"""The offline policy's own choices, as pydantic-ai model settings, so variants of it genuinely differ.

An LLM's behaviour moves with its prompt; the offline policy ignores the prompt, so what can move is
these: where in the comparables' range it prices, whether it asks for the condition or assumes one, and
how many close categories it offers. Set them on the model (`OfflineModel(settings=...)`), on the agent
or per run (`model_settings=`), like any provider's settings; their keys start with `offline_`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic_ai.settings import ModelSettings

ConditionMode = Literal["ask", "assume"]


class OfflineModelSettings(ModelSettings, total=False):
    """Settings of the offline model (other providers ignore them, as they ignore each other's)."""

    offline_price_position: float
    """Where to price in the range the comparison suggests (`suggested_low`..`suggested_high`, the
    comparables' middle half when it gives none): 0 its low end (sells fast), 1 its high end. Unset: the
    marketplace's suggestion, which leans by condition. A seller's own price always wins."""

    offline_condition: ConditionMode
    """'ask' (default): ask for the condition before pricing. 'assume': take 'good' when the seller gave
    none, say so in the draft, and let the seller change it."""

    offline_max_categories: int
    """How many close categories to offer when the search finds several (1 to 5, default 3); 1 never
    asks and takes the best match."""


@dataclass(frozen=True)
class PolicySettings:
    """The validated settings the policy runs with."""

    price_position: float | None = None
    condition: ConditionMode = "ask"
    max_categories: int = 3

    @classmethod
    def from_model_settings(cls, settings: Mapping[str, Any] | None) -> PolicySettings:
        """The policy's settings from model settings; a bad value raises ValueError naming the key."""
        s = settings or {}
        position = s.get("offline_price_position")
        if position is not None and (
            isinstance(position, bool) or not isinstance(position, int | float) or not 0 <= position <= 1
        ):
            raise ValueError(f"offline_price_position must be a number from 0 to 1, not {position!r}")
        condition = s.get("offline_condition", "ask")
        if condition not in ("ask", "assume"):
            raise ValueError(f"offline_condition must be 'ask' or 'assume', not {condition!r}")
        categories = s.get("offline_max_categories", 3)
        if isinstance(categories, bool) or not isinstance(categories, int) or not 1 <= categories <= 5:
            raise ValueError(f"offline_max_categories must be a whole number from 1 to 5, not {categories!r}")
        return cls(None if position is None else float(position), condition, categories)

    def as_model_settings(self) -> OfflineModelSettings:
        out = OfflineModelSettings(
            offline_condition=self.condition, offline_max_categories=self.max_categories
        )
        if self.price_position is not None:
            out["offline_price_position"] = self.price_position
        return out


_KEYS = {"price_position": float, "condition": str, "max_categories": int}


def parse_offline_settings(pairs: Mapping[str, str]) -> OfflineModelSettings:
    """Settings written as text (`price_position=0.2`, `condition=assume`, as in a variant spec or on a
    command line), checked: an unknown key or a bad value raises ValueError saying which."""
    raw: dict[str, Any] = {}
    for key, value in pairs.items():
        name = key.removeprefix("offline_")
        if name not in _KEYS:
            raise ValueError(f"unknown offline model setting {key!r}; known: {', '.join(sorted(_KEYS))}")
        try:
            raw[f"offline_{name}"] = _KEYS[name](value)
        except ValueError as e:
            raise ValueError(
                f"offline model setting {key!r}: {value!r} is not a {_KEYS[name].__name__}"
            ) from e
    return PolicySettings.from_model_settings(raw).as_model_settings()
