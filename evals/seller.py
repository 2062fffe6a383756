"""The simulated seller: answers the agent from the scenario's facts, as a real seller would.

It answers what it is asked (the item, its condition, a price, approval, which category), and volunteers
what a real seller would: the price it has in mind when the agent proposes another (or, when the scenario
says so, up front). It never colludes: offered categories none of which is what it sells, it says "none
of these". Its understanding of the agent is its own (evals/seller_language.py), never the agent's.

`RuleSeller` is deterministic (offline, CI). `LLMSeller` lets a real model phrase the answers, for
evaluating real models with varied sellers; a guard flags any message of its that states a fact the
scenario does not give (a price, a condition), since an inventing simulator makes the eval meaningless.
Approvals are never left to a model: the scenario says whether the seller approves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic_ai.messages import ModelMessage
from pydantic_ai.models import Model

from evals import seller_language as lang
from evals.ending import SellerStop
from evals.schema import SellerFacts


@dataclass
class SellerView:
    """What the seller sees after an agent turn: the reply, the drafts awaiting their answer (each draft's
    fields), the listings created."""

    reply: str
    drafts: Sequence[Mapping[str, object]] = ()
    created: Sequence[object] = ()
    turn: int = 0

    @property
    def draft_price(self) -> float | None:
        prices = [p for d in self.drafts if isinstance(p := d.get("price"), int | float)]
        return float(prices[-1]) if prices else None


@dataclass
class SimulatorFlag:
    turn: int
    message: str
    reason: str


class Seller(Protocol):
    flags: list[SimulatorFlag]
    stopped: SellerStop | None  # why `next` last returned None (the conversation is over)

    def opening(self) -> str: ...
    async def next(self, view: SellerView) -> str | None: ...


# What the simulated seller says to turn a draft down (the checks know a "no" when they see their own).
DECLINE = "no, don't post it"
REFUSE = "no"
REFUSALS = frozenset({DECLINE, REFUSE})


def _fmt(price: float) -> str:
    return f"{price:g}" if price < 1e6 else f"{price:.0f}"


NONE_OF_THESE = "none of these"


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > max(0.01, 0.005 * b)


@dataclass
class RuleSeller:
    """Answers what the agent asks from the scenario's facts, as a real seller would: what they are asked,
    plus the price they have in mind when the agent proposes another; never a choice of category that is
    not what they sell."""

    facts: SellerFacts
    flags: list[SimulatorFlag] = field(default_factory=list)
    countered: bool = False
    insisted: bool = False  # said their own price against the agent's
    retries: int = 0
    unknown_questions: int = 0
    stopped: SellerStop | None = None

    def opening(self) -> str:
        facts = self.facts
        text = facts.opening or f"I want to sell my {facts.item}"
        if facts.price_upfront and facts.asking_price is not None and not lang.prices(text):
            text += f", asking ${_fmt(facts.asking_price)}"
        return text

    def describe_item(self, asked: list[lang.Field]) -> str:
        """The item; and its condition and price too when the question asks for them."""
        parts = [self.facts.item]
        if self.facts.condition and "condition" in asked:
            parts.append(f"it's {self.facts.condition}")
        if self.facts.asking_price is not None and "price" in asked:
            parts.append(f"I'd like ${_fmt(self.facts.asking_price)} for it")
        return ", ".join(parts)

    def _own_price(self, proposed: float | None) -> str | None:
        """The asking price they have in mind, said once, when the agent puts another one forward."""
        asking = self.facts.asking_price
        if asking is None or proposed is None or self.insisted or not _differs(proposed, asking):
            return None
        self.insisted = True
        return f"I was hoping for ${_fmt(asking)}."

    def answer_draft(self, view: SellerView) -> str:
        facts = self.facts
        if facts.price_reaction == "decline":
            return DECLINE
        if facts.price_reaction == "counter" and not self.countered:
            self.countered = True
            assert facts.counter_price is not None
            return f"make it {_fmt(facts.counter_price)} instead"
        if facts.approves and facts.price_reaction != "counter":
            own = self._own_price(view.draft_price)
            if own is not None:
                return own
        return "yes" if facts.approves else REFUSE

    def choose_category(self, offered: list[lang.Option]) -> str:
        chosen = lang.choose(offered, self.facts.item, self.facts.category_hint)
        return NONE_OF_THESE if chosen is None else chosen.answer

    async def next(self, view: SellerView) -> str | None:
        if view.drafts:
            return self.answer_draft(view)
        if view.created:
            self.stopped = "listing_created"
            return None
        reply = view.reply
        if not reply.strip():
            self.stopped = "empty_reply"
            return None
        if lang.reports_outage(reply) and self.retries < 2:
            self.retries += 1
            return "try again"
        asked = lang.asks(reply)
        offered = lang.options(reply)
        if offered and ("category" in asked or not asked):
            return self.choose_category(offered)
        own = self._own_price(lang.proposed_price(reply))
        if own is not None:
            return own
        if not asked:
            self.stopped = "asked_nothing"  # the conversation is over
            return None
        if "approval" in asked:
            return "post it" if self.facts.approves and self.facts.price_reaction != "decline" else DECLINE
        if "item" in asked:
            return self.describe_item(asked)
        if "condition" in asked:
            return self.facts.condition or "I'm not sure, it's used"
        if "price" in asked:
            if self.facts.asking_price is not None:
                return _fmt(self.facts.asking_price)
            if self.facts.price_if_asked is not None and not lang.prices(reply):
                return _fmt(self.facts.price_if_asked)  # asked outright, nothing suggested: their own price
            return "I don't know, what would you suggest?"
        if "category" in asked and self.facts.category_hint:
            return self.facts.category_hint
        self.unknown_questions += 1
        if self.unknown_questions <= 1:
            return "I'm not sure."
        self.stopped = "unanswerable"
        return None


SELLER_INSTRUCTIONS = """You play a private person selling one item on a classifieds site, chatting with the site's
listing assistant. Reply with one short, natural message, as that seller would type it.

What you know (and all you know):
{facts}

Rules:
- Answer what the assistant asks. Volunteer only what a real seller would: if it proposes a price other
  than the one you'd like, say the price you'd like.
- Never state a fact that is not in the list above: no other price, condition, brand, model or detail.
  If asked something you don't know, say you're not sure.
- If the assistant asks nothing (it is done), reply exactly: DONE
"""


def describe_facts(facts: SellerFacts) -> str:
    lines = [f"- The item: {facts.item}"]
    lines.append(
        f"- Its condition: {facts.condition}"
        if facts.condition
        else "- You don't know how to describe its condition."
    )
    if facts.asking_price is not None:
        lines.append(f"- You'd like {_fmt(facts.asking_price)} dollars for it.")
    elif facts.price_if_asked is not None:
        lines.append(
            f"- You'd rather take the assistant's suggestion; only if it asks your price without suggesting "
            f"any, you'd say {_fmt(facts.price_if_asked)} dollars."
        )
    else:
        lines.append("- You have no price in mind.")
    if facts.category_hint:
        lines.append(f"- If offered categories, you pick the one about: {facts.category_hint}")
    return "\n".join(lines)


def invented_facts(message: str, facts: SellerFacts) -> list[str]:
    """Facts in a simulated seller message that the scenario does not give (read with the seller's own
    understanding: a price, a condition grade)."""
    problems = []
    allowed_prices = [
        p for p in (facts.asking_price, facts.counter_price, facts.price_if_asked) if p is not None
    ]
    for price in lang.prices(message):
        if all(_differs(price, p) for p in allowed_prices):
            problems.append(f"states a price of {_fmt(price)}, which the scenario does not give")
    known = set(lang.grades(facts.condition)) if facts.condition else set()
    for grade in lang.grades(message):
        if grade not in known:
            problems.append(
                f"states the condition '{grade.replace('_', ' ')}', but the scenario says {facts.condition!r}"
            )
    return problems


class LLMSeller(RuleSeller):
    """A model phrases the answers; drafts, outages and category choices stay rule-based."""

    def __init__(self, facts: SellerFacts, model: Model) -> None:
        super().__init__(facts)
        from pydantic_ai import Agent

        self.agent: Agent[None, str] = Agent(
            model,
            name="simulated_seller",
            instructions=SELLER_INSTRUCTIONS.format(facts=describe_facts(facts)),
        )
        self.history: list[ModelMessage] = []

    async def next(self, view: SellerView) -> str | None:
        if view.drafts or view.created or lang.reports_outage(view.reply) or lang.options(view.reply):
            return await super().next(view)
        if not view.reply.strip():
            self.stopped = "empty_reply"
            return None
        result = await self.agent.run(f"The assistant says: {view.reply}", message_history=self.history)
        self.history = result.all_messages()
        message = result.output.strip()
        if not message or message.upper().startswith("DONE"):
            self.stopped = "said_done"
            return None
        for problem in invented_facts(message, self.facts):
            self.flags.append(SimulatorFlag(view.turn, message, problem))
        return message
