"""Two readers kept under their old names for the eval harness's simulated-seller guard
(`evals/seller.py`), which is moving off them: the judge should share no code with the agent it judges.
The policy itself reads messages with `reading.read`."""

from __future__ import annotations

from agent.offline.amounts import read_amounts
from agent.offline.conditions import read_condition
from tools.types import Condition


def parse_price(text: str, *, bare: bool = False) -> float | None:
    """An asking price in the seller's words; with `bare`, a lone number ('250') counts too."""
    return read_amounts(text, expecting_price=bare).price


def parse_condition(text: str) -> Condition | None:
    """The condition a seller states ('barely used' -> like_new), or None when they state none."""
    return read_condition(text).condition
