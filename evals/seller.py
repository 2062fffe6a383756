"""The simulated seller: answers the agent's questions from the scenario's facts, and nothing else.

`RuleSeller` is deterministic (offline, CI). `LLMSeller` lets a real model phrase the answers, for
evaluating real models with varied sellers; a guard flags any message of its that states a fact the
scenario does not give (a price, a condition), since an inventing simulator makes the eval meaningless.
Approvals are never left to a model: the scenario says whether the seller approves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from agent.offline import language as lang
from evals.schema import SellerFacts


@dataclass
class SellerView:
    """What the seller sees after an agent turn."""

    reply: str
    drafts: list[dict[str, Any]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    turn: int = 0


@dataclass
class SimulatorFlag:
    turn: int
    message: str
    reason: str


class Seller(Protocol):
    flags: list[SimulatorFlag]

    def opening(self) -> str: ...
    async def next(self, view: SellerView) -> str | None: ...


def _fmt(price: float) -> str:
    return f"{price:g}" if price < 1e6 else f"{price:.0f}"


_ASKS_CONDITION = re.compile(r"\bcondition\b|\bhow (?:worn|used)\b|\bstate is it in\b", re.I)
_ASKS_PRICE = re.compile(r"\b(?:price|how much|what (?:do|would) you (?:want|like) (?:for|to ask))\b", re.I)
_ASKS_ITEM = re.compile(
    r"what (?:would you like|do you want|are you) (?:to )?sell|what'?s the item|what is (?:the item|it)\b|"
    r"describe (?:it|the item)|what (?:kind|type) of (?:item|thing)|which item",
    re.I,
)
_ASKS_CHOICE = re.compile(r"\bwhich\b.*\b(?:category|fits|one)\b|\breply with the number\b", re.I | re.S)
_ASKS_FEEDBACK = re.compile(r"what should i change|say '?post it'?", re.I)
_ASKS_TO_POST = re.compile(
    r"\b(?:shall|should|can|may) i (?:post|list|publish)|want me to (?:post|list|publish)|ready to (?:post|publish)|"
    r"\b(?:post|publish) (?:it|this|the listing)\?",
    re.I,
)
_OUTAGE = re.compile(r"\b(?:couldn'?t reach|unreachable|unavailable|is down|try again)\b", re.I)
_OPTION = re.compile(r"(?:^|\s)(\d)[.)]\s+([^\n]+?)(?=\s+\d[.)]\s|\s*Reply|\s*$)", re.S)


def choose_option(reply: str, hint: str | None) -> str:
    options = _OPTION.findall(reply)
    if hint:
        for number, text in options:
            if hint.lower() in text.lower():
                return number
    return options[0][0] if options else "the first one"


class RuleSeller:
    """Answers by keyword: a question about the condition gets the condition, and so on."""

    def __init__(self, facts: SellerFacts) -> None:
        self.facts = facts
        self.flags: list[SimulatorFlag] = []
        self.countered = False
        self.retries = 0
        self.unknown_questions = 0

    def opening(self) -> str:
        return self.facts.opening or f"I want to sell my {self.facts.item}"

    def describe_item(self, reply: str) -> str:
        """The item; and its condition and price too when the question asks for them."""
        parts = [self.facts.item]
        if self.facts.condition and _ASKS_CONDITION.search(reply):
            parts.append(f"it's {self.facts.condition}")
        if self.facts.asking_price is not None and _ASKS_PRICE.search(reply):
            parts.append(f"I'd like ${_fmt(self.facts.asking_price)} for it")
        return ", ".join(parts)

    def answer_draft(self) -> str:
        facts = self.facts
        if facts.price_reaction == "decline":
            return "no, don't post it"
        if facts.price_reaction == "counter" and not self.countered:
            self.countered = True
            assert facts.counter_price is not None
            return f"make it {_fmt(facts.counter_price)} instead"
        return "yes" if facts.approves else "no"

    async def next(self, view: SellerView) -> str | None:
        if view.drafts:
            return self.answer_draft()
        if view.created:
            return None
        reply = view.reply
        if not reply.strip():
            return None
        if _OUTAGE.search(reply) and self.retries < 2:
            self.retries += 1
            return "try again"
        if _ASKS_CHOICE.search(reply) and _OPTION.search(reply):
            return choose_option(reply, self.facts.category_hint)
        if not reply.rstrip().endswith("?") and "?" not in reply:
            return None  # the agent asked nothing: the conversation is over
        if _ASKS_FEEDBACK.search(reply) or _ASKS_TO_POST.search(reply):
            return (
                "post it"
                if self.facts.approves and self.facts.price_reaction != "decline"
                else "no, don't post it"
            )
        if _ASKS_ITEM.search(reply):
            return self.describe_item(reply)
        if (
            self.facts.category_hint
            and self.facts.category_hint.lower() in reply.lower()
            and _ASKS_CHOICE.search(reply)
        ):
            return self.facts.category_hint
        if _ASKS_CONDITION.search(reply):
            return self.facts.condition or "I'm not sure, it's used"
        if _ASKS_PRICE.search(reply):
            if self.facts.asking_price is not None:
                return _fmt(self.facts.asking_price)
            return "I don't know, what would you suggest?"
        self.unknown_questions += 1
        return "I'm not sure." if self.unknown_questions <= 1 else None


SELLER_INSTRUCTIONS = """You play a private person selling one item on a classifieds site, chatting with the site's
listing assistant. Reply with one short, natural message, as that seller would type it.

What you know (and all you know):
{facts}

Rules:
- Answer only what the assistant asks. Never volunteer facts it did not ask for.
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
    else:
        lines.append("- You have no price in mind.")
    if facts.category_hint:
        lines.append(f"- If offered categories, you pick the one about: {facts.category_hint}")
    return "\n".join(lines)


def invented_facts(message: str, facts: SellerFacts) -> list[str]:
    """Facts in a simulated seller message that the scenario does not give."""
    problems = []
    price = lang.parse_price(message, bare=True)
    allowed_prices = {p for p in (facts.asking_price, facts.counter_price) if p is not None}
    if price is not None and all(abs(price - p) > 0.01 for p in allowed_prices):
        problems.append(f"states a price of {_fmt(price)}, which the scenario does not give")
    condition = lang.parse_condition(message)
    known = lang.parse_condition(facts.condition) if facts.condition else None
    if condition is not None and condition != known:
        problems.append(
            f"states the condition '{condition.label}', but the scenario says {facts.condition!r}"
        )
    return problems


class LLMSeller(RuleSeller):
    """A model phrases the answers; drafts, outages and category choices stay rule-based."""

    def __init__(self, facts: SellerFacts, model: Any) -> None:
        super().__init__(facts)
        from pydantic_ai import Agent

        self.agent: Agent[None, str] = Agent(
            model,
            name="simulated_seller",
            instructions=SELLER_INSTRUCTIONS.format(facts=describe_facts(facts)),
        )
        self.history: list[Any] = []

    async def next(self, view: SellerView) -> str | None:
        if view.drafts or view.created or _OUTAGE.search(view.reply) or _ASKS_CHOICE.search(view.reply):
            return await super().next(view)
        if not view.reply.strip():
            return None
        result = await self.agent.run(f"The assistant says: {view.reply}", message_history=self.history)
        self.history = result.all_messages()
        message = result.output.strip()
        if not message or message.upper().startswith("DONE"):
            return None
        for problem in invented_facts(message, self.facts):
            self.flags.append(SimulatorFlag(view.turn, message, problem))
        return message
