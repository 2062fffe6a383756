"""The typed dialogue state the offline policy keeps: the item's frame (its slots: what is known, how it
became known, how often it was asked for), what the agent asked last, and what the seller's latest
message did. Rebuilt from the conversation at every request, so it is never out of step with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from agent.offline.amounts import PriceChange
from agent.offline.details import Details
from agent.offline.reading import Question, Reading
from tools.types import Condition

T = TypeVar("T")


class Source(StrEnum):
    """How a slot's value became known."""

    SAID = "said"  # the seller said it unprompted
    ANSWERED = "answered"  # the seller said it in answer to the agent's question
    ASSUMED = "assumed"  # the policy assumed it (a setting), and said so
    TOOL = "tool"  # a tool's result (the category the search found)


@dataclass
class Slot(Generic[T]):
    value: T | None = None
    source: Source | None = None
    asked: int = 0  # how often the agent asked for it
    missed: int = 0  # replies to its question, in a row, that did not give it

    @property
    def known(self) -> bool:
        return self.value is not None

    def fill(self, value: T, answered: bool) -> None:
        self.value, self.source, self.missed = value, Source.ANSWERED if answered else Source.SAID, 0

    def clear(self) -> None:
        self.value, self.source = None, None


@dataclass(frozen=True)
class Category:
    id: int
    path: str
    score: float
    named: bool = True  # the search matched the category's own name, not only similar listings

    @classmethod
    def from_match(cls, match: dict[str, Any]) -> Category:
        return cls(
            int(match["id"]),
            str(match["path"]),
            float(match.get("score", 0.0)),
            bool(match.get("named", True)),
        )


@dataclass(frozen=True)
class Market:
    """What a price comparison returned."""

    count: int
    category_id: int
    condition: str | None
    p25: float = 0.0
    p75: float = 0.0
    median: float = 0.0
    suggested_low: float = 0.0
    suggested_high: float = 0.0
    suggested_price: float = 0.0
    examples: tuple[float, ...] = ()
    example_titles: tuple[str, ...] = ()  # the examples' titles: whether they sell one thing or several
    basis: str = ""  # why the suggestion is outside the middle half, when it is
    example_conditions: tuple[str, ...] = ()  # the examples' conditions: whether most are in better condition
    comparables_price: float = 0.0  # the comparables' weighted median, moved to the item's condition
    model_price: float = 0.0  # the price model's estimate: the other price the suggestion weighs
    alike: bool = True  # the comparables share the item's words (else: the category's listings in general)

    @classmethod
    def from_result(cls, data: dict[str, Any]) -> Market:
        def number(key: str) -> float:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else 0.0

        examples = tuple(
            float(e["price"]) for e in data.get("examples", []) or [] if isinstance(e, dict) and "price" in e
        )
        return cls(
            count=int(data.get("count") or 0),
            category_id=int(data.get("category_id", -1)),
            condition=data.get("condition"),
            p25=number("p25"),
            p75=number("p75"),
            median=number("median"),
            suggested_low=number("suggested_low"),
            suggested_high=number("suggested_high"),
            suggested_price=number("suggested_price"),
            examples=examples,
            example_titles=tuple(
                str(e.get("title", "")) for e in data.get("examples", []) or [] if isinstance(e, dict)
            ),
            basis=str(data.get("suggestion_basis") or ""),
            example_conditions=tuple(
                str(e.get("condition", "")) for e in data.get("examples", []) or [] if isinstance(e, dict)
            ),
            comparables_price=number("comparables_price"),
            model_price=number("model_price"),
            alike=bool(data.get("alike", True)),
        )


@dataclass
class ItemFrame:
    """Everything about the item being listed."""

    name: str
    condition: Slot[Condition] = field(default_factory=Slot)
    price: Slot[float] = field(default_factory=Slot)
    category: Slot[Category] = field(default_factory=Slot)
    damage: list[str] = field(default_factory=list)  # in the seller's words, for the description
    details: Details = field(default_factory=Details)  # what tells it apart, what comes with it
    paid: float | None = None  # what the seller paid: a guide, not the asking price
    price_each: bool = (
        False  # the seller's price is for one of several ("$300 each"): the description says so
    )
    title: str | None = None  # a title the seller asked for
    condition_inferred: bool = False  # the grade was read from how it was used or its damage, not said
    condition_left: bool = False  # "whatever you think" to the condition question: assumed, and said so
    # an answer to the condition question that gives no grade the policy can read ("meh", "A+"): the assumed
    # grade is used at once, and said so, rather than the question asked again
    condition_unread: bool = False
    options: list[Category] = field(default_factory=list)  # close categories offered
    searched: bool = False
    unplaceable: bool = False  # the search found nothing
    redescribe: bool = (
        False  # none of the offered categories fits and no other was found: ask for other words
    )
    # The category dialogue after a refusal: what the seller turned down is never offered again; a wider
    # search offers others (one per branch); a second refusal files it under the closest match, said so.
    rejected: list[Category] = field(default_factory=list)  # categories the seller turned down
    refusals: int = 0  # times the seller turned down what was offered (or had no other words for it)
    query: str | None = None  # the words to search next, when not the item's name (the seller's own)
    queries: list[str] = field(default_factory=list)  # what was searched for it already (lower case)
    wide: bool = False  # the next search looks wider (more matches, other branches)
    branches: bool = False  # the options are other branches' best, offered whatever their scores
    looked_wide: bool = False  # a wider search was made for it
    closest: Category | None = None  # the best match any search found: where it goes when nothing fits
    passed: int = 0  # replies to the category list, in a row, that picked none and turned none down
    filed: bool = False  # filed under the closest match after refusals (said so; the seller can change it)
    # The whole category's prices, for a seller who can't name one when nothing is comparable.
    typical: Market | None = None
    typical_offered: bool = False  # the category's middle price was put to the seller, who can take it
    # Nothing listed to go by at all: a start from what the seller paid (a rule of thumb) was put to them, the
    # last reply asked what they paid, and how often the agent has said it can't pick a number.
    paid_rule_offered: bool = False
    paid_asked: bool = False
    no_figure_told: int = 0
    # Nothing listed in the category at all: its parent, looked up once, whose listings are the guide instead.
    wider_looked: bool = False
    wider: Category | None = None
    comps: Market | None = None  # the comparison for the item's category and condition
    market: Market | None = None  # a comparison made before the condition was known (a value question)
    draft: dict[str, Any] | None = None  # the last draft shown
    show_again: bool = False  # show the same draft again for approval
    revived: bool = False  # a declined draft the seller now wants posted: shown once more, to confirm
    listing: dict[str, Any] | None = None
    declined: bool = False
    create_retries: int = 0
    price_rejected: bool = False  # the seller's price was impossible (0 or less): ask again, don't guess
    refused_price: float | None = None  # the impossible price (0 or less, or above the marketplace's limit)
    price_change: PriceChange | None = None  # "lower it by 20" before there was a price: applied to the first
    notes: list[str] = field(default_factory=list)  # sentences the seller asked to add to the description
    removed: list[str] = field(default_factory=list)  # words the seller asked to take out of the draft
    field_asked: str | None = None  # a field the seller asked to add without its value: its value is asked
    shorter: int = 0  # how often the seller asked for a shorter description

    def rejected_ids(self) -> set[int]:
        return {c.id for c in self.rejected}

    def refuse(self, offered: list[Category]) -> None:
        """The seller turned the offered categories down."""
        known = self.rejected_ids()
        self.rejected += [c for c in offered if c.id not in known]
        self.refusals += 1
        self.options = []

    def add_damage(self, notes: list[str]) -> None:
        for note in notes:
            if note.lower() not in (d.lower() for d in self.damage):
                self.damage.append(note)


@dataclass
class Pending:
    """What the seller said before naming the item; it applies to the item once named."""

    condition: Condition | None = None
    price: float | None = None
    price_each: bool = False
    paid: float | None = None
    damage: list[str] = field(default_factory=list)
    details: Details = field(default_factory=Details)
    notes: list[str] = field(default_factory=list)  # facts for the description ("about 5 years old")


@dataclass
class DialogueState:
    item: ItemFrame | None = None
    queue: list[str] = field(default_factory=list)  # more items the seller named, in order
    shared_condition: Condition | None = None  # said of all the items named together ("all good condition")
    queued_prices: dict[str, float] = field(default_factory=dict)  # a queued item's own price, as listed
    pending: Pending = field(default_factory=Pending)
    asked: Question | None = None  # the agent's open question (the one a reply answers)
    reading: Reading | None = None  # the seller's latest message, as read
    notes: list[str] = field(default_factory=list)  # things to say in the next reply
    unclear: Question | None = None  # the question the latest message left unanswered
    unsure: bool = False  # the seller said they don't know
    explain: bool = False  # the seller asked what the question means
    value_now: bool = False  # the latest message asked what the item is worth
    item_missed: int = 0  # replies to "what are you selling?" that named nothing, in a row
    agent_spoke: bool = False
    refused: bool = False  # the last item named was one Trova does not allow
    parked: bool = False  # the seller chose not to retry now
    photo_noted: bool = False
    last_reply: str = ""  # the agent's latest words
    last: str = ""  # the latest event: seller | created | denied | failed | result | retried
    retry_now: bool = False
    unknown: bool = False  # the failed step was sent and its answer lost: it may have taken effect
    failed_tool: str | None = None
    edit_field: str | None = None  # the draft field the seller wants changed, without saying how
    question_at_draft: bool = False  # the seller asked something at the approval prompt
    assent_unpicked: bool = False  # a bare 'ok' to categories offered after one was turned down: which?
