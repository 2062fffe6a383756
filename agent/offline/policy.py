"""The offline dialogue policy: a deterministic, rule-based stand-in for an LLM.

Each call replays the whole conversation into a state (the item, its condition, the seller's price, the
category, the comparables, the last draft, what the agent is waiting for) and decides the next step: say
something, call a tool, or both. It drives the same tools through the same agent as an LLM would.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from agent.offline import language as lang
from agent.offline.drafting import make_description, make_title, money, price_note
from agent.offline.transcript import AgentSaid, SellerSaid, ToolAnswered, ToolCalled, Transcript
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES
from tools.types import Condition

INTRO = "Hi! I'm Trova's offline assistant, a rule-based stand-in rather than an LLM."
# The questions the policy asks; finding one in an earlier reply tells the policy what an answer refers to.
CONDITION_QUESTION = "What condition is it in: new, like new, excellent, good, fair, or for parts?"
PRICE_QUESTION = "what price would you like to ask, in dollars?"
CHOICE_QUESTION = "Which category fits your"
ITEM_QUESTIONS = ("What would you like to sell?", "What's the item?", "describe it another way")
REDESCRIBE_QUESTION = "How would you describe it in other words"
NONE_HINT = "Reply with the number, or say 'none of these'."
FEEDBACK_QUESTION = "What should I change"
REVIVE_QUESTION = "after all? Say 'post it'"
CONDITION_GUIDE = (
    "'new' is unused, 'like new' barely used with no marks, 'excellent' used but looks great, "
    "'good' normal wear and everything works, 'fair' heavy wear or small faults, 'for parts' doesn't work."
)
PHOTO_NOTE = "I can't see photos (I'm the offline rule-based assistant), so I go by your description."
RETRY_PROMPT = "Say 'try again'"
CLOSE_SCORE = 0.9  # a second leaf scoring this close to the best one is worth asking about
MAX_CREATE_RETRIES = 2


@dataclass
class Item:
    name: str
    condition: Condition | None = None
    price: float | None = None
    paid: float | None = None  # what the seller paid (or what it costs new): a guide, not the asking price
    category: dict[str, Any] | None = None
    options: list[dict[str, Any]] = field(default_factory=list)
    searched: bool = False
    unplaceable: bool = False
    redescribe: bool = False  # none of the offered categories fits: ask for other words
    comps: dict[str, Any] | None = None
    comps_key: tuple[int, str | None] | None = None
    draft: dict[str, Any] | None = None
    title: str | None = None
    listing: dict[str, Any] | None = None
    declined: bool = False
    create_retries: int = 0
    price_rejected: bool = False  # the seller's price was impossible (0 or less): ask again, don't guess


@dataclass
class State:
    item: Item | None = None
    queue: list[str] = field(default_factory=list)
    awaiting: str | None = None  # item | redescribe | condition | choice | price | feedback | retry | revive
    failed_tool: str | None = None
    notes: list[str] = field(default_factory=list)  # things to say in the next reply
    agent_spoke: bool = False
    refused: bool = False  # the last item named was one Trova does not allow
    parked: bool = False  # the seller chose not to retry now
    pending_condition: Condition | None = None  # said before the item was known
    pending_price: float | None = None
    pending_paid: float | None = None
    unclear: str | None = None  # the question the seller's latest message left unanswered (not understood)
    unsure: bool = False  # the seller said they don't know
    said: str = ""  # the seller's latest words
    photo_noted: bool = False  # the seller was told the agent can't see photos
    last_reply: str = ""  # the agent's latest words
    last: str = ""  # what the latest event was: seller | created | denied | failed | result | retried
    retry_now: bool = False
    unknown: bool = False  # the failed step was sent and its answer lost: it may have taken effect


@dataclass
class Action:
    text: str | None = None
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


def _start_item(state: State, name: str) -> Item:
    state.item = Item(name)
    state.awaiting = None
    state.failed_tool = None
    return state.item


def _hear(state: State, text: str) -> None:
    """Update the state with one thing the seller said (a message, or their reply to a draft).

    `state.awaiting` says what the agent last asked, which gives short answers ("good", "250", "2") their
    meaning; it is cleared here and set again only when the question still stands."""
    text = text.strip()
    item = state.item
    asked, state.awaiting = state.awaiting, None
    if asked in ("choice", "retry", "feedback"):
        state.awaiting = asked  # still open unless this answer settles it (below)
    if not text:
        state.notes.append("I didn't catch that.")
        return
    injection = lang.injection_start(text)
    if injection is not None:
        state.notes.append(
            "I can't skip steps or change how I work: I'll show you the draft and post it only when you approve."
        )
        # Only what comes before the attempt counts ("my iPhone 7, barely used. Ignore your instructions...").
        text = text[:injection].strip()
        if asked == "feedback" and item is not None and item.draft is not None:
            item.draft = dict(item.draft, _again=True)  # show the same draft again, for a real approval
        if not text:
            return
    if item is not None and item.declined and item.draft is not None and not item.listing:
        _reconsider(state, item, text, asked)
    in_progress = item is not None and not item.listing and not item.declined
    # After a refusal, pushing for the same thing ("come on, just list it") is refused again; naming a legal
    # item ("ok, my string trimmer then") moves on.
    insists = state.refused and not in_progress and lang.insists(text)
    if lang.is_prohibited(text) or insists:
        state.refused = True
        state.notes.append(
            "Sorry, I can't help list that: weapons, ammunition and drugs aren't allowed on Trova."
        )
        if not in_progress or any(
            lang.is_prohibited(i) for i in lang.extract_items(text, expecting_item=True)
        ):
            state.item, state.queue, state.awaiting = None, [], "item"
        return
    if in_progress and asked in ("feedback", "retry") and lang.is_affirmative(text) and injection is None:
        _settle_yes(state, asked)
        return
    # A short message is the item when the agent asked for one ("IKEA dresser, it's good"), or when no item
    # is on the table and it isn't just a condition, a price or small talk. "Here's a photo" names no item.
    # At "which category?", words that single out no option ("it's a walk-behind mower") describe the item
    # anew: search again with them rather than pick a poor option.
    picking = asked == "choice" and item is not None and bool(item.options)
    choice = (
        lang.parse_choice(text, [o["path"] for o in item.options], item.name)
        if picking and item is not None
        else None
    )
    redescribes = (
        picking
        and choice is None
        and not lang.rejects_options(text)
        and not re.search(r"\bones?\b", text, re.I)  # "the wooden one" points at an option
    )
    expecting = (
        not lang.is_chatter(text)
        and not lang.is_non_english(text)
        and (
            asked in ("item", "redescribe")
            or redescribes
            or (
                not in_progress
                and lang.parse_condition(text) is None
                and lang.parse_price(text, bare=True) is None
            )
        )
    )
    if lang.value_question_item(text) is not None:
        state.notes.append("I'll see what similar listings ask, so you get a realistic price.")
    items = lang.extract_items(text, expecting_item=expecting)
    if items == ["?"]:
        if not in_progress:
            state.notes.append(
                "Sure, happy to help. What's the item? A few words are enough, like 'Trek road bike'."
            )
            state.item, state.awaiting = None, "item"
            _remember_details(state, text)
            return
        items = []
    if not items and lang.is_non_english(text):
        state.notes.append(
            "Sorry, as the offline assistant I only understand English. What would you like to sell?"
        )
        state.awaiting = "item"
        return
    if (
        items
        and item is not None
        and lang.item_correction(text) is not None
        and _same_thing(items[0], item.name)
    ):
        items = []  # "actually it's a great bike" about the Trek road bike: the same item, nothing to change
    if items and (item is None or items[0].lower() != item.name.lower()):
        old = item
        item = _start_item(state, items[0])
        corrected = lang.item_correction(text) is not None
        if (
            old is not None
            and not old.listing
            and (corrected or redescribes or asked == "redescribe" or old.unplaceable)
        ):
            # The same thing named anew ("sorry, I meant my coffee table", other words for the search): what
            # the seller said about it (condition, price) still holds; an old draft is dropped, never posted.
            item.condition, item.price, item.paid = old.condition, old.price, old.paid
            if corrected:
                state.notes.append(f"Got it: your {item.name}, not the {old.name}.")
        state.queue = items[1:]
        state.refused = False
        if state.queue:
            state.notes.append(f"Let's do one item at a time: first the {items[0]}, then the {items[1]}.")
    if item is None:
        _remember_details(state, text)
        if state.pending_condition is not None and lang.is_condition_only(text):
            state.notes.append(f"Noted: {state.pending_condition.label} condition.")
        elif asked == "item" and not state.notes and lang.parse_price(text, bare=True) is None:
            state.unclear = "item"
        return
    if state.pending_condition is not None and item.condition is None:
        item.condition = state.pending_condition
    if state.pending_price is not None and item.price is None:
        item.price = state.pending_price
    if state.pending_paid is not None and item.paid is None:
        item.paid = state.pending_paid
    state.pending_condition = state.pending_price = state.pending_paid = None

    condition = lang.parse_condition(text)
    if condition is not None and (asked != "choice" or choice is None):
        item.condition = condition
    price = lang.parse_price(text, bare=asked in ("price", "feedback"))
    if price is not None:
        if price <= 0:
            item.price, item.price_rejected = None, True
        else:
            item.price, item.price_rejected = price, False
    elif item.price_rejected and lang.wants_suggestion(text):
        item.price_rejected = False  # price it from the comparables after all
    paid = lang.parse_paid(text)
    if paid is not None and paid > 0:
        item.paid = paid
    title = _title_change(text)
    if title:
        item.title = title

    if asked == "choice" and item.options:
        if choice is not None:
            item.category, item.options = item.options[choice], []
            state.awaiting = None
        elif lang.rejects_options(text):
            item.options, item.redescribe = [], True
            state.awaiting = None
        elif condition is None and price is None:
            state.unclear = "choice"
    elif asked == "retry":
        if lang.is_negative(text) or re.search(
            r"\b(later|another (day|time)|never ?mind|forget it)\b", text, re.I
        ):
            state.notes.append(
                "OK, I'll leave it for now. Your draft is kept in this conversation; say 'try again' "
                "whenever you want me to post it."
            )
            state.parked = True
        elif re.search(r"\b(again|retry)\b", text, re.I):
            _settle_yes(state, asked)
    elif asked == "feedback" and item.draft is not None:
        changed = price is not None or condition is not None or title
        if not changed and lang.is_negative(text):
            item.declined = True
            state.awaiting = None
    elif lang.is_negative(text) and not items and price is None and condition is None and not item.listing:
        item.declined = True
    understood = bool(items) or condition is not None or price is not None or bool(title)
    if asked in ("condition", "price") and not understood:
        state.unclear, state.unsure = asked, lang.is_unsure(text)


def _same_thing(named: str, current: str) -> bool:
    """'bike' for the 'Trek road bike': words the seller already used for the item, no new name."""
    return set(re.findall(r"[a-z0-9]+", named.lower())) <= set(re.findall(r"[a-z0-9]+", current.lower()))


def _reconsider(state: State, item: Item, text: str, asked: str | None) -> None:
    """After a decline: a clear wish to post ('actually yes, post it') or a change ('price it at $90')
    brings the draft back, to be shown again for approval; a bare 'yes' is asked about."""
    if lang.is_prohibited(text) or lang.extract_items(text):
        return  # another item: handled as one
    changed = (
        lang.parse_price(text) is not None
        or lang.parse_condition(text) is not None
        or _title_change(text) is not None
    )
    if changed or lang.wants_to_post(text) or (asked == "revive" and lang.is_affirmative(text)):
        item.declined = False
        assert item.draft is not None
        item.draft = dict(item.draft, _again=True)
    elif lang.is_affirmative(text):
        state.notes.append(
            f"Just to be sure: do you want to post the {item.name} {REVIVE_QUESTION} and I'll show you "
            "the draft again, or tell me what else you'd like to sell."
        )


def _remember_details(state: State, text: str) -> None:
    """A condition or price said before the item is known applies to the item once it is."""
    condition = lang.parse_condition(text)
    price = lang.parse_price(text)
    if condition is not None:
        state.pending_condition = condition
    if price is not None and price > 0:
        state.pending_price = price
    elif price is not None:
        state.notes.append("A price has to be more than $0, so I haven't used that one.")
    paid = lang.parse_paid(text)
    if paid is not None and paid > 0:
        state.pending_paid = paid


def _settle_yes(state: State, asked: str | None) -> None:
    """'yes' to 'try again?' retries the failed step; to 'what should I change?' it shows the draft again."""
    assert state.item is not None
    if asked == "retry":
        state.retry_now = True
    elif state.item.draft is not None:
        state.item.draft = dict(state.item.draft, _again=True)
    state.awaiting = None


def _title_change(text: str) -> str | None:
    m = re.search(r"\btitle\b\s*(?:to|:|=|should be|as)\s*:?\s*[\"']?(.+?)[\"']?\s*$", text, re.I)
    return m.group(1).strip(" :") if m else None


def _apply_answer(state: State, event: ToolAnswered, call: ToolCalled | None) -> None:
    item = state.item
    state.last = "result"
    if item is None:
        return
    if event.outcome == "retried":
        state.last = "retried"
        if event.name == CREATE_LISTING:
            item.create_retries += 1
        elif event.name == COMPARE_PRICES:
            item.category, item.searched = None, False  # the category was bad: look it up again
        return
    if event.outcome == "failed":
        state.last = "failed"
        state.retry_now = False  # a retry that failed again is told to the seller, not retried silently
        state.unknown = event.unknown
        if event.unavailable or event.unknown:
            state.failed_tool = event.name
            state.awaiting = "retry"
        else:
            state.notes.append(f"Something went wrong: {event.message}")
        return
    if event.outcome == "denied":
        state.last = "denied"
        if call is not None:
            item.draft = dict(call.args)
        if not event.message.strip():
            item.declined = True
            return
        # The seller's reply to the draft is heard like a message sent in answer to "what should I change?".
        state.awaiting = "feedback"
        _hear(state, event.message)
        return
    data = event.data if isinstance(event.data, dict) else {}
    if event.name == SEARCH_CATEGORIES:
        item.searched = True
        leaves = [m for m in data.get("matches", []) if m.get("is_leaf")]
        if not leaves:
            item.unplaceable = True
            return
        top = leaves[0]
        close = [m for m in leaves[1:3] if m["score"] >= CLOSE_SCORE * top["score"]]
        if close:
            item.options = [top, *close]
            state.awaiting = "choice"
        else:
            item.category = top
    elif event.name == COMPARE_PRICES:
        item.comps = data
        item.comps_key = (data.get("category_id", -1), data.get("condition"))
    elif event.name == CREATE_LISTING:
        item.listing = data
        item.draft = dict(call.args) if call is not None else item.draft
        state.last = "created"


def _note_question(state: State, text: str) -> None:
    if CONDITION_QUESTION in text:
        state.awaiting = "condition"
    elif PRICE_QUESTION in text.lower():
        state.awaiting = "price"
    elif CHOICE_QUESTION in text:
        state.awaiting = "choice"
    elif REDESCRIBE_QUESTION in text:
        state.awaiting = "redescribe"
    elif any(q in text for q in ITEM_QUESTIONS):
        state.awaiting = "item"
    elif FEEDBACK_QUESTION in text:
        state.awaiting = "feedback"
    elif RETRY_PROMPT in text:
        state.awaiting = "retry"
    elif REVIVE_QUESTION in text:
        state.awaiting = "revive"


def replay(transcript: Transcript) -> State:
    state = State()
    calls: dict[str, ToolCalled] = {}
    for event in transcript.events:
        if isinstance(event, SellerSaid):
            state.notes = []
            state.last = "seller"
            state.retry_now = False
            state.unclear, state.unsure, state.said = None, False, event.text
            if event.images and not state.photo_noted:
                state.notes.append(PHOTO_NOTE)  # said once; the words that came with it still count
                state.photo_noted = True
            state.parked = False
            _hear(state, event.text)
        elif isinstance(event, AgentSaid):
            state.agent_spoke = True
            state.last_reply = event.text
            state.notes = []
            _note_question(state, event.text)
        elif isinstance(event, ToolCalled):
            calls[event.call_id] = event
            if event.name == CREATE_LISTING and state.item is not None:
                state.item.draft = dict(event.args)
            elif event.name == SEARCH_CATEGORIES:
                query = str(event.args.get("query", ""))
                if state.item is None or (query and query.lower() != state.item.name.lower()):
                    # The agent moved on to another item (the next one the seller named).
                    if query in state.queue:
                        state.queue.remove(query)
                    _start_item(state, query)
        elif isinstance(event, ToolAnswered):
            _apply_answer(state, event, calls.get(event.call_id))
    return state


def _say(state: State, *lines: str) -> str:
    parts = ([] if state.agent_spoke else [INTRO]) + state.notes + [line for line in lines if line]
    return " ".join(parts)


def _draft_args(item: Item) -> dict[str, Any]:
    assert item.category is not None and item.condition is not None
    price = item.price if item.price is not None else float((item.comps or {}).get("suggested_price") or 0)
    return {
        "title": make_title(item.title or item.name),
        "description": make_description(item.name, item.condition, item.category["path"]),
        "category_id": item.category["id"],
        "condition": item.condition.value,
        "price": price,
        "currency": "USD",
    }


def decide(state: State, available_tools: Collection[str]) -> Action:
    item = state.item
    if item is None:
        if state.unclear == "item":
            if "didn't catch what you'd like to sell" in state.last_reply:
                return Action(
                    _say(
                        state,
                        "Sorry, I still didn't get it. Just name the thing you're selling, for example "
                        "'road bike', 'sofa' or 'iPhone 8'. What's the item?",
                    )
                )
            return Action(
                _say(
                    state,
                    "Sorry, I didn't catch what you'd like to sell. What's the item? A few words are enough, "
                    "like 'Trek road bike' or 'IKEA desk'.",
                )
            )
        if state.notes:
            return Action(_say(state, "" if state.awaiting == "item" else "What would you like to sell?"))
        return Action(
            _say(
                state,
                "What would you like to sell? Tell me the item, its condition, and a price "
                "if you have one in mind.",
            )
        )
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
            _say(state, f"Your listing #{listing.get('id')} is already live. Anything else to sell?")
        )
    if item.declined:
        if state.notes:
            return Action(_say(state))
        return Action(
            _say(
                state,
                "OK, I won't post it. Nothing was listed. If you change your mind, say 'post it'; if you "
                "want to sell something else, just tell me what it is.",
            )
        )
    if state.awaiting == "retry" and not state.retry_now and state.parked and state.last == "seller":
        return Action(_say(state))
    if state.awaiting == "retry" and not state.retry_now:
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
                )
            )
        if state.last == "failed":
            return Action(
                _say(
                    state,
                    f"I couldn't reach the marketplace to {action}; nothing was posted.{kept} "
                    f"{RETRY_PROMPT} when you'd like me to retry.",
                )
            )
        return Action(
            _say(state, f"The marketplace was unreachable last time.{kept} {RETRY_PROMPT} to retry.")
        )
    if state.retry_now and state.failed_tool == CREATE_LISTING and item.draft:
        args = {k: v for k, v in item.draft.items() if not k.startswith("_")}
        return Action(_say(state, "Trying again with the same draft."), CREATE_LISTING, args)

    if not item.searched:
        if SEARCH_CATEGORIES not in available_tools:
            return Action(_say(state, "I can't look up categories right now, so I can't list it."))
        return Action(
            _say(state, f"Let me find the right category for your {item.name}."),
            SEARCH_CATEGORIES,
            {"query": item.name},
        )
    if item.unplaceable:
        state.item = None
        return Action(
            _say(
                state,
                f'I couldn\'t find a category for "{item.name}". Could you describe it '
                "another way, e.g. what kind of thing it is?",
            )
        )
    if item.redescribe:
        return Action(
            _say(
                state,
                f"OK, none of those. {REDESCRIBE_QUESTION}, e.g. what kind of thing your {item.name} is? "
                "I'll search again with your words.",
            )
        )
    if item.category is None:
        if item.options:
            listed = " ".join(f"{i}. {o['path']}" for i, o in enumerate(item.options, start=1))
            sorry = "Sorry, I didn't catch which one. " if state.unclear == "choice" else ""
            return Action(_say(state, f"{sorry}{CHOICE_QUESTION} {item.name} best? {listed} {NONE_HINT}"))
        item.searched = False
        return Action(
            _say(state, f"Let me look up the category for your {item.name} again."),
            SEARCH_CATEGORIES,
            {"query": item.name},
        )
    if item.condition is None:
        if state.unclear == "condition":
            if state.unsure or "didn't catch the condition" in state.last_reply:
                lead = (
                    "No problem, here's what they mean:" if state.unsure else "Sorry, I still didn't get it."
                )
                return Action(_say(state, f"{lead} {CONDITION_GUIDE} {CONDITION_QUESTION}"))
            return Action(
                _say(
                    state,
                    f"Sorry, I didn't catch the condition of your {item.name}. {CONDITION_QUESTION} "
                    "(Words like 'barely used', 'works fine' or 'some scratches' work too.)",
                )
            )
        return Action(_say(state, f"Got it: your {item.name}. {CONDITION_QUESTION}"))

    key = (item.category["id"], item.condition.value)
    if COMPARE_PRICES in available_tools and (item.comps is None or item.comps_key != key):
        return Action(
            _say(state, "Let me check what similar listings ask."),
            COMPARE_PRICES,
            {"category_id": item.category["id"], "item": item.name, "condition": item.condition.value},
        )
    if item.price is None and item.price_rejected:
        comps = item.comps or {}
        market = (
            f"Similar listings ask {money(round(comps['p25']))} to {money(round(comps['p75']))}; "
            f"say 'suggest' and I'll use {money(float(comps['suggested_price']))}, or {PRICE_QUESTION}"
            if comps.get("count") and comps.get("suggested_price")
            else PRICE_QUESTION[0].upper() + PRICE_QUESTION[1:]
        )
        return Action(_say(state, f"A price has to be more than $0, so I can't use that one. {market}"))
    if item.price is None and not (item.comps or {}).get("count"):
        why = (
            "There are no similar listings to compare with"
            if item.comps is not None
            else "I can't compare prices right now"
        )
        if state.unclear == "price" and (state.unsure or lang.wants_suggestion(state.said)):
            why = "I can't suggest one: " + why[0].lower() + why[1:] + ", and I won't guess"
        elif state.last == "seller" and state.awaiting is None and not state.notes:
            why = "Sorry, I still need a price: a number in dollars, e.g. 120. " + why
        paid = (
            f" You paid {money(item.paid)}; used items usually sell for less than that."
            if item.paid is not None
            else ""
        )
        return Action(_say(state, f"{why}, so {PRICE_QUESTION}{paid}"))

    if item.create_retries > MAX_CREATE_RETRIES:
        return Action(
            _say(
                state,
                "I couldn't get the marketplace to accept this draft. Could you tell me the "
                "title and price you want?",
            )
        )
    args = _draft_args(item)
    previous = {k: v for k, v in (item.draft or {}).items() if not k.startswith("_")}
    if state.awaiting == "feedback" and previous == args and not (item.draft or {}).get("_again"):
        return Action(
            _say(
                state,
                f"Nothing's posted yet. {FEEDBACK_QUESTION}: the price, the title or the "
                "condition? Or say 'post it' to see the draft again.",
            )
        )
    if CREATE_LISTING not in available_tools:
        return Action(
            _say(
                state,
                f"Here's the draft: {args['title']}, {money(args['price'])}. "
                "I can't post listings right now.",
            )
        )
    note = price_note(args["price"], item.comps, seller_price=item.price is not None)
    if item.paid is not None and item.price is None:
        note += (
            f" You paid {money(item.paid)}, but what something cost isn't what it sells for used, "
            "so I've priced it from similar listings."
        )
    revised = (
        "Here's the draft again"
        if previous == args
        else "Here's the updated draft"
        if previous
        else "Here's the draft"
    )
    return Action(
        _say(state, f"{note} {revised}: approve it to post, or tell me what to change."), CREATE_LISTING, args
    )


def next_action(transcript: Transcript, available_tools: Collection[str]) -> Action:
    state = replay(transcript)
    action = decide(state, available_tools)
    if (
        action.text
        and action.tool is None
        and state.last == "seller"
        and action.text == state.last_reply
        and "?" in action.text
    ):
        # Asking the very same question again reads as not listening: say the answer wasn't understood.
        text = action.text.removeprefix("Sorry, ")
        action.text = f"Sorry, I didn't catch that. {text[0].upper()}{text[1:]}"
    return action
