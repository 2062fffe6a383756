"""The offline dialogue policy: a deterministic, frame-based stand-in for an LLM.

Each request replays the conversation into a typed dialogue state (`state.py`): every seller message is
read for every slot and intent (`reading.py`), whatever was asked last; tool results fill the frame. The
state then decides the next step (`decide`): say something, call a tool, or both. What the agent asked at
each of its turns is the question `decide` chose then, recomputed from the state at that point of the
replay, never recovered from the reply's wording.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agent.offline.amounts import listable, refusal
from agent.offline.drafting import make_description, make_title, market_summary, money, nice_round, price_note
from agent.offline.lexicon import lexicon
from agent.offline.reading import Context, Intent, Question, Reading, read
from agent.offline.settings import PolicySettings
from agent.offline.state import Category, DialogueState, ItemFrame, Market, Pending, Source
from agent.offline.transcript import AgentSaid, AgentTurn, SellerSaid, ToolAnswered, ToolCalled, Transcript
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES
from tools.types import Condition

INTRO = "Hi! I'm Trova's offline assistant, a rule-based stand-in rather than an LLM."
CONDITION_QUESTION = "What condition is it in: new, like new, excellent, good, fair, or for parts?"
PRICE_QUESTION = "what price would you like to ask, in dollars?"
NONE_HINT = "Reply with the number, or say 'none of these'."
CONDITION_GUIDE = (
    "'new' is unused, 'like new' barely used with no marks, 'excellent' used but looks great, "
    "'good' normal wear and everything works, 'fair' heavy wear or small faults, 'for parts' doesn't work."
)
PHOTO_NOTE = "I can't see photos (I'm the offline rule-based assistant), so I go by your description."
RETRY_PROMPT = "Say 'try again'"
MAX_CREATE_RETRIES = 2
GIVE_UP = 3  # unclear answers in a row after which the policy stops asking and says what it needs
CLOSE_SCORE = 0.9  # a leaf scoring this close to the best one is worth offering
# The slot each question asks for.
_SLOT_OF = {Question.CONDITION: "condition", Question.PRICE: "price", Question.CHOICE: "category"}
# Every request replays the whole conversation: each message is read once (a long one takes a few hundred ms).
_read = lru_cache(maxsize=1024)(read)
_MORE = re.compile(r"\b(?:also|too|as well|and then|next|after that|afterwards|another thing)\b", re.I)


@dataclass
class Action:
    text: str | None = None
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    asks: Question | None = None  # the question this reply leaves open


# ---------------------------------------------------------------------------------------------- tracking


def _context(state: DialogueState) -> Context:
    item = state.item
    return Context(
        asked=state.asked,
        item=item.name if item else None,
        options=tuple(o.path for o in item.options) if item and state.asked == Question.CHOICE else (),
        in_progress=item is not None and not item.listing and not item.declined,
    )


def _same_thing(named: str, current: str) -> bool:
    """'bike' for the 'Trek road bike': words the seller already used for the item, no new name."""
    return set(re.findall(r"[a-z0-9]+", named.lower())) <= set(re.findall(r"[a-z0-9]+", current.lower()))


def _start_item(state: DialogueState, name: str) -> ItemFrame:
    state.item = ItemFrame(name)
    state.failed_tool = None
    return state.item


def _apply_pending(state: DialogueState, item: ItemFrame) -> None:
    p = state.pending
    if p.condition is not None and not item.condition.known:
        item.condition.fill(p.condition, answered=False)
    if p.price is not None and not item.price.known:
        item.price.fill(p.price, answered=False)
    if p.paid is not None and item.paid is None:
        item.paid = p.paid
    item.add_damage(p.damage)
    item.details = p.details.merge(item.details)
    state.pending = Pending()


def hear(state: DialogueState, text: str) -> None:
    """Update the state with one thing the seller said (a message, or their reply to a draft)."""
    asked, state.asked = state.asked, None
    item = state.item
    if not text.strip():
        state.notes.append("I didn't catch that.")
        state.asked = asked
        return
    r = _read(text, _context_for(state, asked))
    state.reading = r
    if Intent.INJECTION in r.intents:
        state.notes.append(
            "I can't skip steps or change how I work: I'll show you the draft and post it only when you approve."
        )
        if asked == Question.DRAFT and item is not None and item.draft is not None:
            item.show_again = True  # the same draft again, for a real approval
        if not r.text:
            state.asked = asked
            return
    text = r.text
    if item is not None and item.declined and item.draft is not None and not item.listing:
        _reconsider(state, item, r, asked)
    in_progress = item is not None and not item.listing and not item.declined
    # After a refusal, pushing for the same thing is refused again; naming a legal item moves on.
    insists = state.refused and not in_progress and Intent.INSIST in r.intents
    if Intent.PROHIBITED in r.intents or insists:
        state.refused = True
        state.notes.append(
            "Sorry, I can't help list that: weapons, ammunition and drugs aren't allowed on Trova."
        )
        if not in_progress or r.items:
            state.item, state.queue = None, []
        return
    if Intent.NON_ENGLISH in r.intents and not r.items and not r.changes:
        state.notes.append("Sorry, as the offline assistant I only understand English.")
        if not in_progress:
            state.item = None
        state.asked, state.unclear = asked, asked
        return
    plain_yes = (
        Intent.ACCEPT in r.intents and not r.changes and not r.items and Intent.INJECTION not in r.intents
    )
    if in_progress and item is not None and asked in (Question.DRAFT, Question.RETRY) and plain_yes:
        _settle_yes(state, item, asked)
        return
    state.value_now = Intent.VALUE in r.intents

    items = list(r.items)
    if items == ["?"]:
        if not in_progress:
            state.notes.append(
                "Sure, happy to help. What's the item? A few words are enough, like 'Trek road bike'."
            )
            state.item = None
            _remember(state, r)
            return
        items = []
    if (
        items
        and item is not None
        and (
            items[0].lower() == item.name.lower()
            or (Intent.CORRECTION in r.intents and _same_thing(items[0], item.name))
            or (asked == Question.CHOICE and _same_thing(items[0], item.name))
        )
    ):
        items = []  # the same item named again ("actually it's a great bike")
    if (
        items
        and item is not None
        and in_progress
        and _MORE.search(text)
        and Intent.CORRECTION not in r.intents
    ):
        # "also I want to sell my couch": after this one, not instead of it
        state.queue += [i for i in items if i not in state.queue]
        state.notes.append(f"Noted, the {items[0]} is next once this one is done.")
        items = []
    if items:
        old = item
        item = _start_item(state, items[0])
        corrected = Intent.CORRECTION in r.intents
        if (
            old is not None
            and not old.listing
            and (
                corrected or asked in (Question.CHOICE, Question.REDESCRIBE, Question.ITEM) or old.unplaceable
            )
        ):
            # The same thing named anew: what the seller said about it still holds; an old draft is dropped.
            item.condition, item.price, item.paid = old.condition, old.price, old.paid
            item.add_damage(old.damage)
            item.details = old.details
            if corrected:
                state.notes.append(f"Got it: your {item.name}, not the {old.name}.")
        state.queue = items[1:]
        state.refused = False
        if state.queue:
            state.notes.append(f"Let's do one item at a time: first the {items[0]}, then the {items[1]}.")
    if item is None:
        _remember(state, r)
        if state.pending.condition is not None and r.condition is not None and not r.items:
            state.notes.append(f"Noted: {state.pending.condition.label} condition.")
        if not r.items and not state.notes and asked == Question.ITEM:
            state.unclear = Question.ITEM
            state.item_missed += 1
        return
    state.item_missed = 0
    _apply_pending(state, item)
    _fill(state, item, r, asked)


def _context_for(state: DialogueState, asked: Question | None) -> Context:
    saved, state.asked = state.asked, asked
    try:
        return _context(state)
    finally:
        state.asked = saved


def _fill(state: DialogueState, item: ItemFrame, r: Reading, asked: Question | None) -> None:
    """The reading's facts into the item's slots, and what the answer does to the open question."""
    if r.condition is not None:
        worse = item.condition.value is not None and r.damage and not r.stated_condition
        value = (
            max(item.condition.value, r.condition, key=lambda c: c.rank)
            if worse and item.condition.value
            else r.condition
        )
        item.condition.fill(value, answered=asked == Question.CONDITION)
    item.add_damage(r.damage)
    item.details = item.details.merge(r.details)
    if r.price is not None:
        if not listable(r.price):
            item.price.clear()
            item.price_rejected, item.refused_price = True, r.price
        else:
            item.price.fill(r.price, answered=asked == Question.PRICE)
            item.price_rejected = False
    elif item.price_rejected and Intent.SUGGEST in r.intents:
        item.price_rejected = False  # price it from the comparables after all
    if r.paid is not None and r.paid > 0:
        item.paid = r.paid
    if r.title:
        item.title = r.title

    declines = Intent.DECLINE in r.intents and not r.changes and Intent.ACCEPT not in r.intents
    if asked == Question.CHOICE and item.options:
        if r.choice is not None:
            item.category.fill(item.options[r.choice], answered=True)
            item.options = []
        elif Intent.NONE_OF_THESE in r.intents:
            item.options, item.redescribe = [], True
        elif Intent.ANY_OPTION in r.intents or (Intent.SUGGEST in r.intents and "?" not in r.text):
            item.category.fill(item.options[0], answered=True)
            item.options = []
            state.notes.append(f"I'll go with {item.category.value.path if item.category.value else ''}.")
        elif declines:
            item.declined = True
        else:
            state.unclear = Question.CHOICE
            state.explain = Intent.QUESTION in r.intents
            if r.condition is not None:
                state.notes.append(f"Noted: {r.condition.label} condition.")
            if r.price is not None and listable(r.price):
                state.notes.append(f"Noted: {money(r.price)}.")
    elif asked == Question.RETRY:
        if declines or Intent.LATER in r.intents:
            state.notes.append(
                "OK, I'll leave it for now. Your draft is kept in this conversation; say 'try again' "
                "whenever you want me to post it."
            )
            state.parked = True
            state.asked = Question.RETRY  # the offer to retry still stands
        elif Intent.RETRY in r.intents:
            _settle_yes(state, item, asked)
        elif r.changes and state.failed_tool != SEARCH_CATEGORIES:
            pass  # a price (or other change) after a failure: go on with it, no retry needed
        else:
            state.asked = Question.RETRY
    elif asked == Question.DRAFT and item.draft is not None:
        if declines:
            item.declined = True
        elif r.changes:
            pass  # a new draft follows
        elif Intent.POST in r.intents or Intent.ACCEPT in r.intents or state.value_now:
            item.show_again = True
        else:
            state.unclear = Question.DRAFT
    elif declines and not r.items and not item.listing:
        item.declined = True
    understood = bool(r.items) or r.changes or state.value_now
    if asked in (Question.CONDITION, Question.PRICE) and not understood and not item.declined:
        state.unclear = asked
        state.unsure = Intent.UNSURE in r.intents
        state.explain = Intent.QUESTION in r.intents or Intent.SUGGEST in r.intents
        slot = item.condition if asked == Question.CONDITION else item.price
        slot.missed += 1


def _remember(state: DialogueState, r: Reading) -> None:
    """A condition or price said before the item is known applies to the item once it is."""
    p = state.pending
    if r.condition is not None:
        p.condition = r.condition
    if r.price is not None and listable(r.price):
        p.price = r.price
    elif r.price is not None and r.price <= 0:
        state.notes.append("A price has to be more than $0, so I haven't used that one.")
    elif r.price is not None:
        state.notes.append(refusal(r.price))
    if r.paid is not None and r.paid > 0:
        p.paid = r.paid
    p.damage += [d for d in r.damage if d not in p.damage]
    p.details = p.details.merge(r.details)


def _reconsider(state: DialogueState, item: ItemFrame, r: Reading, asked: Question | None) -> None:
    """After a decline: a clear wish to post or a change brings the draft back, shown again for approval;
    a bare 'yes' is asked about."""
    if Intent.PROHIBITED in r.intents or r.items:
        return  # another item: handled as one
    if r.changes or Intent.POST in r.intents or (asked == Question.REVIVE and Intent.ACCEPT in r.intents):
        item.declined = False
        item.show_again = True
    elif Intent.ACCEPT in r.intents:
        state.notes.append(
            f"Just to be sure: do you want to post the {item.name} after all? Say 'post it' and I'll show you "
            "the draft again, or tell me what else you'd like to sell."
        )
        state.asked = Question.REVIVE


def _settle_yes(state: DialogueState, item: ItemFrame, asked: Question | None) -> None:
    """'yes' to 'try again?' retries the failed step; to a draft it shows the draft again for approval."""
    if asked == Question.RETRY:
        state.retry_now = True
    elif item.draft is not None:
        item.show_again = True


def _apply_answer(state: DialogueState, event: ToolAnswered, call: ToolCalled | None) -> None:
    item = state.item
    state.last = "result"
    if item is None:
        return
    if event.outcome == "retried":
        state.last = "retried"
        if event.name == CREATE_LISTING:
            item.create_retries += 1
        elif event.name == COMPARE_PRICES:
            item.category.clear()  # the category was bad: look it up again
            item.searched = False
        return
    if event.outcome == "failed":
        state.last = "failed"
        state.retry_now = False  # a retry that failed again is told to the seller, not retried silently
        state.unknown = event.unknown
        if event.unavailable or event.unknown:
            state.failed_tool = event.name
            state.asked = Question.RETRY
        else:
            state.notes.append(f"Something went wrong: {event.message}")
        return
    if event.outcome == "denied":
        state.last = "denied"
        if call is not None:
            item.draft = dict(call.args)
        item.show_again = False
        if not event.message.strip():
            item.declined = True
            return
        # The seller's reply to the draft is heard like a message sent in answer to it.
        state.notes, state.unclear, state.unsure, state.explain = [], None, False, False
        state.asked = Question.DRAFT
        hear(state, event.message)
        return
    data = event.data if isinstance(event.data, dict) else {}
    if event.name == SEARCH_CATEGORIES:
        item.searched = True
        leaves = [Category.from_match(m) for m in data.get("matches", []) if m.get("is_leaf")]
        if not leaves:
            item.unplaceable = True
            return
        item.options = leaves  # the policy picks or offers them (its settings say how many)
    elif event.name == COMPARE_PRICES:
        market = Market.from_result(data)
        if call is not None and call.args.get("condition") is None:
            item.market = market
        else:
            item.comps = market
    elif event.name == CREATE_LISTING:
        item.listing = data
        item.draft = dict(call.args) if call is not None else item.draft
        item.show_again = False
        state.last = "created"


def _offered(item: ItemFrame, settings: PolicySettings) -> list[Category]:
    """The categories worth offering: the best, and any close enough to it, up to the setting's number."""
    if not item.options:
        return []
    top = item.options[0]
    close = [o for o in item.options[1:] if o.score >= CLOSE_SCORE * top.score]
    return [top, *close][: settings.max_categories]


def _settle_category(item: ItemFrame, settings: PolicySettings) -> None:
    """After a search: take the only good match, or leave the close ones to be offered."""
    if item.category.known or not item.options or not item.searched:
        return
    offered = _offered(item, settings)
    if len(offered) == 1:
        item.category.value, item.category.source = offered[0], Source.TOOL
        item.options = []
    else:
        item.options = offered


def replay(transcript: Transcript, tools: Collection[str], settings: PolicySettings) -> DialogueState:
    state = DialogueState()
    calls: dict[str, ToolCalled] = {}
    for event in transcript.events:
        if isinstance(event, AgentTurn):
            # The question this response asked is the one `decide` chose at this point of the conversation.
            state.asked = decide(state, tools, settings).asks
            item = state.item
            if item is not None and state.asked in _SLOT_OF:
                getattr(item, _SLOT_OF[state.asked]).asked += 1
        elif isinstance(event, SellerSaid):
            state.notes, state.last, state.retry_now, state.parked = [], "seller", False, False
            state.unclear, state.unsure, state.explain, state.value_now = None, False, False, False
            if event.images and not state.photo_noted:
                state.notes.append(PHOTO_NOTE)  # said once; the words that came with it still count
                state.photo_noted = True
            hear(state, event.text)
            if state.item is not None:
                _settle_category(state.item, settings)
        elif isinstance(event, AgentSaid):
            state.agent_spoke = True
            state.last_reply = event.text
            state.notes = []
        elif isinstance(event, ToolCalled):
            calls[event.call_id] = event
            if event.name == CREATE_LISTING and state.item is not None:
                state.item.draft = dict(event.args)
                state.item.show_again = False
            elif event.name == SEARCH_CATEGORIES:
                query = str(event.args.get("query", ""))
                if state.item is None or (query and query.lower() != state.item.name.lower()):
                    # The agent moved on to another item (the next one the seller named).
                    if query in state.queue:
                        state.queue.remove(query)
                    _start_item(state, query)
                    _apply_pending(state, state.item)  # type: ignore[arg-type]
        elif isinstance(event, ToolAnswered):
            _apply_answer(state, event, calls.get(event.call_id))
            if state.item is not None:
                _settle_category(state.item, settings)
    return state


# ---------------------------------------------------------------------------------------------- deciding


def _say(state: DialogueState, *lines: str) -> str:
    parts = ([] if state.agent_spoke else [INTRO]) + state.notes + [line for line in lines if line]
    return " ".join(parts)


def _condition(item: ItemFrame, settings: PolicySettings) -> tuple[Condition | None, bool]:
    """The condition to list with, and whether it is assumed (the seller gave none)."""
    if item.condition.value is not None:
        return item.condition.value, False
    if settings.condition == "assume":
        return lexicon().drafting.assumed_condition, True
    return None, False


def _price(item: ItemFrame, settings: PolicySettings) -> float:
    if item.price.value is not None:
        return item.price.value
    comps = item.comps
    assert comps is not None
    if settings.price_position is None or not comps.count:
        return comps.suggested_price
    low, high = comps.suggested_low or comps.p25, comps.suggested_high or comps.p75
    return min(max(nice_round(low + (high - low) * settings.price_position), low), high)


def _draft_args(item: ItemFrame, condition: Condition, settings: PolicySettings) -> dict[str, Any]:
    assert item.category.value is not None
    return {
        # A title the seller gave is theirs, word for word; ours carries what tells the item apart.
        "title": make_title(item.title) if item.title else make_title(item.name, item.details),
        "description": make_description(
            item.name, condition, item.category.value.path, item.damage, item.details
        ),
        "category_id": item.category.value.id,
        "condition": condition.value,
        "price": _price(item, settings),
        "currency": "USD",
    }


def _ask_item(state: DialogueState) -> Action:
    if state.unclear == Question.ITEM or state.item_missed:
        if state.item_missed >= GIVE_UP:
            text = "Whenever you're ready, just name the thing you're selling, for example 'road bike' or 'sofa'."
        elif state.item_missed >= 2:
            text = (
                "Sorry, I still didn't get it. Just name the thing you're selling, for example 'road bike', "
                "'sofa' or 'iPhone 8'. What's the item?"
            )
        elif state.reading is not None and state.reading.has(Intent.META, Intent.QUESTION):
            text = (
                "I help you list something for sale: tell me what it is, and I'll find its category, compare "
                "prices with similar listings and draft the listing for you to approve. What would you like to sell?"
            )
        else:
            text = (
                "Sorry, I didn't catch what you'd like to sell. What's the item? A few words are enough, like "
                "'Trek road bike' or 'IKEA desk'."
            )
        return Action(_say(state, text), asks=Question.ITEM)
    if state.refused and state.notes:
        # No question after a refusal: asked again, a seller would only name the same thing again.
        return Action(
            _say(state, "If there's something else you'd like to sell, tell me what it is."),
            asks=Question.ITEM,
        )
    if state.notes:
        return Action(_say(state, "What would you like to sell?"), asks=Question.ITEM)
    return Action(
        _say(
            state,
            "What would you like to sell? Tell me the item, its condition, and a price if you have one in mind.",
        ),
        asks=Question.ITEM,
    )


def _ask_condition(state: DialogueState, item: ItemFrame) -> Action:
    market = ""
    if state.value_now and item.market is not None and item.market.count:
        market = f"{market_summary(item.market)} Where yours lands depends on its condition, so I'll price it once I know."
    elif state.value_now and item.market is not None:
        market = "There are no similar listings to compare with yet."
    said = state.reading.price if state.last == "seller" and state.reading is not None else None
    kept = (
        f"Got it, {money(said)} for your {item.name}."
        if said and said > 0 and item.price.value == said
        else ""
    )
    if state.unclear == Question.CONDITION and not market:
        if item.condition.missed >= GIVE_UP and not (state.unsure or state.explain):
            # The same question a fourth time reads as not listening: say what works, and wait.
            return Action(
                _say(
                    state,
                    "I still can't tell the condition from that. Whenever you're ready, tell me one of: new, "
                    "like new, excellent, good, fair or for parts.",
                ),
                asks=Question.CONDITION,
            )
        if state.unsure or state.explain or item.condition.missed >= 2:
            lead = (
                "No problem, here's what they mean:"
                if state.unsure or state.explain
                else "Sorry, I still didn't get it."
            )
            return Action(
                _say(state, kept, f"{lead} {CONDITION_GUIDE} {CONDITION_QUESTION}"), asks=Question.CONDITION
            )
        return Action(
            _say(
                state,
                kept,
                f"Sorry, I didn't catch the condition of your {item.name}. {CONDITION_QUESTION} "
                "(Words like 'barely used', 'works fine' or 'some scratches' work too.)",
            ),
            asks=Question.CONDITION,
        )
    if kept:
        return Action(_say(state, kept, CONDITION_QUESTION), asks=Question.CONDITION)
    if market:
        return Action(_say(state, market, CONDITION_QUESTION), asks=Question.CONDITION)
    return Action(_say(state, f"Got it: your {item.name}. {CONDITION_QUESTION}"), asks=Question.CONDITION)


def _ask_price(state: DialogueState, item: ItemFrame) -> Action:
    comps = item.comps
    if item.price_rejected:
        market = (
            f"Similar listings ask {money(round(comps.p25))} to {money(round(comps.p75))}; "
            f"say 'suggest' and I'll use {money(comps.suggested_price)}, or {PRICE_QUESTION}"
            if comps is not None and comps.count and comps.suggested_price
            else PRICE_QUESTION[0].upper() + PRICE_QUESTION[1:]
        )
        return Action(
            _say(state, f"{refusal(item.refused_price or 0.0)} {market}"),
            asks=Question.PRICE,
        )
    why = (
        "There are no similar listings to compare with"
        if comps is not None
        else "I can't compare prices right now"
    )
    reading = state.reading
    if (
        state.last == "seller"
        and reading is not None
        and (state.value_now or reading.has(Intent.SUGGEST, Intent.UNSURE))
    ):
        why = "I can't suggest one: " + why[0].lower() + why[1:] + ", and I won't guess"
    elif state.unclear == Question.PRICE and item.price.missed >= GIVE_UP:
        return Action(
            _say(
                state,
                "I still need a price to go on: whenever you're ready, tell me a number in dollars, e.g. 120.",
            ),
            asks=Question.PRICE,
        )
    elif state.unclear == Question.PRICE and item.price.missed >= 2:
        why = "Sorry, I still need a price: a number in dollars, e.g. 120. " + why
    elif state.unclear == Question.PRICE and item.paid is None:
        why = "Sorry, I didn't catch a price in that. " + why
    paid = (
        f" You paid {money(item.paid)}; used items usually sell for less than that."
        if item.paid is not None
        else ""
    )
    return Action(_say(state, f"{why}, so {PRICE_QUESTION}{paid}"), asks=Question.PRICE)


def decide(state: DialogueState, tools: Collection[str], settings: PolicySettings) -> Action:
    """The next step, from the state alone (it changes nothing)."""
    item = state.item
    if item is None:
        return _ask_item(state)
    if item.listing:
        listing = item.listing
        if state.last == "created":
            text = (
                f'Done! Your listing #{listing.get("id")} "{listing.get("title")}" is live at '
                f"{money(float(listing.get('price', 0)))} in {listing.get('category_path', 'its category')}."
            )
            if state.queue:
                nxt = state.queue[0]
                return Action(
                    _say(state, text, f"Now the {nxt}: let me find its category."),
                    SEARCH_CATEGORIES,
                    {"query": nxt},
                )
            return Action(_say(state, text))
        return Action(
            _say(state, f"Your listing #{listing.get('id')} is already live. Anything else to sell?"),
            asks=Question.ITEM,
        )
    if item.declined:
        if state.asked == Question.REVIVE or state.notes:
            return Action(_say(state), asks=state.asked)
        return Action(
            _say(
                state,
                "OK, I won't post it. Nothing was listed. If you change your mind, say 'post it'; if you "
                "want to sell something else, just tell me what it is.",
            ),
            asks=Question.ITEM,
        )
    if state.asked == Question.RETRY and not state.retry_now:
        if state.parked and state.last == "seller":
            return Action(_say(state), asks=Question.RETRY)
        action = {
            SEARCH_CATEGORIES: "look up categories",
            COMPARE_PRICES: "compare prices",
            CREATE_LISTING: "post your listing",
        }.get(state.failed_tool or "", "reach it")
        kept = " Your draft is kept as it is." if item.draft else ""
        if state.last == "failed" and state.unknown:
            return Action(
                _say(
                    state,
                    f"I sent it, but the marketplace's answer never came back, so I don't know whether your "
                    f"listing was posted. You can check your listings.{kept} {RETRY_PROMPT} and I'll send it "
                    "again: that's safe, the same draft is never posted twice.",
                ),
                asks=Question.RETRY,
            )
        if state.last == "failed":
            return Action(
                _say(
                    state,
                    f"I couldn't reach the marketplace to {action}; nothing was posted.{kept} "
                    f"{RETRY_PROMPT} when you'd like me to retry, or tell me your price and I'll go on without "
                    "the comparison."
                    if state.failed_tool == COMPARE_PRICES and not item.price.known
                    else f"I couldn't reach the marketplace to {action}; nothing was posted.{kept} "
                    f"{RETRY_PROMPT} when you'd like me to retry.",
                ),
                asks=Question.RETRY,
            )
        return Action(
            _say(state, f"The marketplace was unreachable last time.{kept} {RETRY_PROMPT} to retry."),
            asks=Question.RETRY,
        )
    if state.retry_now and state.failed_tool == CREATE_LISTING and item.draft:
        args = {k: v for k, v in item.draft.items() if not k.startswith("_")}
        return Action(
            _say(state, "Trying again with the same draft."), CREATE_LISTING, args, asks=Question.DRAFT
        )

    if not item.searched:
        if SEARCH_CATEGORIES not in tools:
            return Action(_say(state, "I can't look up categories right now, so I can't list it."))
        return Action(
            _say(state, f"Let me find the right category for your {item.name}."),
            SEARCH_CATEGORIES,
            {"query": item.name},
        )
    if item.unplaceable:
        return Action(
            _say(
                state,
                f'I couldn\'t find a category for "{item.name}". Could you describe it another way, e.g. what kind of thing it is?',
            ),
            asks=Question.REDESCRIBE,
        )
    if item.redescribe:
        return Action(
            _say(
                state,
                f"OK, none of those. How would you describe it in other words, e.g. what kind of thing your "
                f"{item.name} is? I'll search again with your words.",
            ),
            asks=Question.REDESCRIBE,
        )
    if item.category.value is None:
        if item.options:
            listed = " ".join(f"{i}. {o.path}" for i, o in enumerate(item.options, start=1))
            lead = ""
            if state.unclear == Question.CHOICE:
                lead = (
                    "They're the marketplace's categories; pick the one a buyer would browse for it. "
                    if state.explain
                    else "Sorry, I didn't catch which one. "
                )
            return Action(
                _say(state, f"{lead}Which category fits your {item.name} best? {listed} {NONE_HINT}"),
                asks=Question.CHOICE,
            )
        return Action(
            _say(state, f"Let me look up the category for your {item.name} again."),
            SEARCH_CATEGORIES,
            {"query": item.name},
        )
    category = item.category.value
    condition, assumed = _condition(item, settings)
    if condition is None:
        if state.value_now and item.market is None and COMPARE_PRICES in tools:
            return Action(
                _say(state, "Let me see what similar listings ask."),
                COMPARE_PRICES,
                {"category_id": category.id, "item": item.name},
            )
        return _ask_condition(state, item)

    key = (category.id, condition.value)
    went_without = state.failed_tool == COMPARE_PRICES and item.price.known and not state.retry_now
    if (
        COMPARE_PRICES in tools
        and (item.comps is None or (item.comps.category_id, item.comps.condition) != key)
        and not went_without  # the seller gave their price after the comparison failed: go on without it
    ):
        return Action(
            _say(state, "Let me check what similar listings ask."),
            COMPARE_PRICES,
            {"category_id": category.id, "item": item.name, "condition": condition.value},
        )
    comps_ok = item.comps is not None and (item.comps.category_id, item.comps.condition) == key
    if item.price.value is None and (
        item.price_rejected or not comps_ok or not item.comps or not item.comps.count
    ):
        return _ask_price(state, item)

    if item.create_retries > MAX_CREATE_RETRIES:
        return Action(
            _say(
                state,
                "I couldn't get the marketplace to accept this draft. Could you tell me the title and price you want?",
            ),
            asks=Question.DRAFT,
        )
    args = _draft_args(item, condition, settings)
    previous = {k: v for k, v in (item.draft or {}).items() if not k.startswith("_")}
    comps = item.comps if comps_ok else None
    if state.unclear == Question.DRAFT and previous == args and not item.show_again:
        return Action(
            _say(
                state,
                "Nothing's posted yet. What should I change: the price, the title or the condition? Or say 'post it' to see the draft again.",
            ),
            asks=Question.DRAFT,
        )
    if CREATE_LISTING not in tools:
        return Action(
            _say(
                state,
                f"Here's the draft: {args['title']}, {money(args['price'])}. I can't post listings right now.",
            )
        )
    note = price_note(args["price"], comps, seller_price=item.price.value is not None)
    if item.paid is not None and item.price.value is None:
        note += (
            f" You paid {money(item.paid)}, but what something cost isn't what it sells for used, "
            "so I've priced it from similar listings."
        )
    if assumed:
        note += f" You didn't say its condition, so I've assumed {condition.label}: tell me if it's better or worse."
    if (
        item.damage
        and condition != Condition.FOR_PARTS
        and previous.get("description") != args["description"]
    ):
        note += " I've mentioned the damage in the description, so buyers know."
    revised = (
        "Here's the draft again"
        if previous == args
        else "Here's the updated draft"
        if previous
        else "Here's the draft"
    )
    ask = (
        "approve it to post, or tell me what to change."
        if previous != args
        else "say yes to post it, or tell me what to change."
    )
    return Action(_say(state, f"{note} {revised}: {ask}"), CREATE_LISTING, args, asks=Question.DRAFT)


def next_action(
    transcript: Transcript, tools: Collection[str], settings: PolicySettings | None = None
) -> Action:
    settings = settings or PolicySettings()
    state = replay(transcript, tools, settings)
    action = decide(state, tools, settings)
    if (
        action.text
        and action.tool is None
        and state.last == "seller"
        and action.text == state.last_reply
        and "?" in action.text
    ):
        # Asking the very same question again reads as not listening: say the answer wasn't understood.
        if action.text.startswith("Sorry, "):
            action.text = "Sorry again, " + action.text.removeprefix("Sorry, ")
        else:
            action.text = f"Sorry, I didn't catch that. {action.text}"
    return action
