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

from agent.offline.amounts import PriceChange, listable, money, names_only_a_price, refusal
from agent.offline.details import compared_item, read_details
from agent.offline.drafting import (
    compared_each,
    is_several,
    item_unit,
    make_description,
    make_title,
    market_summary,
    nice_round,
    per_item_line,
    price_basis,
    price_note,
    why_lower,
    why_outside,
    without_removed,
)
from agent.offline.items import is_chatter, known_word, spelled_as_category
from agent.offline.lexicon import lexicon
from agent.offline.names import names, without_names
from agent.offline.reading import Context, Intent, Question, Reading, is_negative, read, stems
from agent.offline.resale import resale_rule
from agent.offline.search import search_query
from agent.offline.settings import PolicySettings
from agent.offline.state import Category, DialogueState, ItemFrame, Market, Pending, Source
from agent.offline.transcript import AgentSaid, AgentTurn, SellerSaid, ToolAnswered, ToolCalled, Transcript
from tools.toolset import COMPARE_PRICES, CREATE_LISTING, SEARCH_CATEGORIES
from tools.types import Condition

INTRO = "Hi! I'm Trova's offline assistant, a rule-based stand-in rather than an LLM."
CONDITION_QUESTION = "What condition is it in: new, like new, excellent, good, fair, or for parts?"
CONDITION_QUESTION_SEVERAL = "What condition are they in: new, like new, excellent, good, fair, or for parts?"
PRICE_QUESTION = "what price would you like to ask, in dollars?"
PRICE_AGAIN = "I need a number from you to go on"  # the price question again, after a bare "ok" to it
YOU_PICK = "say 'you pick'"  # how a seller leaves the price to the agent, as the agent tells them
# Said with the price question asked again when nothing is comparable: the seller can leave it to the agent.
WAY_OUT = f"If you're not sure, {YOU_PICK} and I'll look for a guide."
NONE_HINT = "Reply with the number, or say 'none of these'."
# The grades in the order the condition question lists them: "the second one" is like new.
GRADES = (
    Condition.NEW,
    Condition.LIKE_NEW,
    Condition.EXCELLENT,
    Condition.GOOD,
    Condition.FAIR,
    Condition.FOR_PARTS,
)
CHANGE_LIST = "What should I change: the price, the title or the condition?"
CHANGEABLE = ("price", "title", "condition")  # the fields CHANGE_LIST names, in its order
NUMBERED_GRADES = (
    "Just reply with a number: 1. new, 2. like new, 3. excellent, 4. good (normal wear, works fine), "
    "5. fair (heavy wear or small faults), 6. for parts (doesn't work)."
)
PHOTO_NOTE = "I can't see photos (I'm the offline rule-based assistant), so I go by your description."
RETRY_PROMPT = "Say 'try again'"
MAX_CREATE_RETRIES = 2
MAX_REFUSALS = 2  # turned-down category offers after which the item is filed under the closest match
MAX_PASSES = 2  # replies in a row to the category list that pick none, after which the top option is taken
MAX_QUERY = 200  # search_categories takes a query of at most this many characters
WIDE_LIMIT = 10  # matches a wider search asks for, to find categories in other branches
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
    offers_typical: bool = False  # it puts the category's middle price to the seller
    offers_paid_rule: bool = False  # it puts a rule-of-thumb start from what the seller paid to them
    asks_paid: bool = False  # it asks what the seller paid (a number in answer is that, not the price)
    no_figure: bool = False  # it says, once more, that it can't pick a number with nothing to go by


# ---------------------------------------------------------------------------------------------- tracking


def _context(state: DialogueState) -> Context:
    item = state.item
    options: tuple[str, ...] = ()
    if item and state.asked == Question.CHOICE:
        options = tuple(o.path for o in item.options)
    elif state.asked == Question.CONDITION:
        options = tuple(g.value for g in GRADES)  # the list the condition question just named
    elif state.asked == Question.DRAFT and CHANGE_LIST in state.last_reply:
        options = CHANGEABLE  # "the second one": the title
    return Context(
        asked=state.asked,
        item=item.name if item else None,
        options=options,
        numbered=state.asked == Question.CONDITION and NUMBERED_GRADES in state.last_reply,
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
        item.price_each = p.price_each and is_several(item.name)
    if p.paid is not None and item.paid is None:
        item.paid = p.paid
    item.add_damage(p.damage)
    item.details = p.details.merge(item.details)
    item.notes[:0] = [n for n in p.notes if n not in item.notes]
    state.pending = Pending()


def hear(state: DialogueState, text: str) -> None:
    """Update the state with one thing the seller said (a message, or their reply to a draft)."""
    asked, state.asked = state.asked, None
    item = state.item
    if not text.strip():
        state.notes.append("I didn't catch that.")
        state.asked = asked
        return
    if (
        asked == Question.FIELD_VALUE
        and item is not None
        and item.field_asked
        and _field_value(state, item, text)
    ):
        return
    if item is not None:
        item.field_asked = None  # asked once: an answer that is something else is read as such
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
    state.notes.extend(r.service)  # how selling here works: answered, then on with the listing
    at_choice = asked == Question.CHOICE and r.asks_field == "category"  # the options shown are the answer
    if r.asks_field and item is not None and not item.listing and not at_choice:
        state.notes.append(_field_answer(item, r.asks_field))
    if item is not None and item.declined and not item.listing:
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
    if Intent.SERVICE_OFFER in r.intents and not in_progress:
        state.notes.append(lexicon().service_offer_answer)
        state.item, state.queue = None, []
        return
    # A price in a foreign message with nothing under way is no item to list: say so, not 'what do you sell?'.
    if Intent.NON_ENGLISH in r.intents and not r.items and (not r.changes or not in_progress):
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
            # "I'm only selling the table" of the "oak dining table with 6 chairs": part of it, the same item
            or (
                in_progress
                and len(items) == 1
                and not _MORE.search(text)
                and _same_thing(items[0], item.name)
            )
        )
    ):
        if in_progress and not _same_thing(item.name, items[0]):
            item.details = item.details.without_parts_named(text)  # "keeping the chairs": not listed with it
        items = []  # the same item named again ("actually it's a great bike")
        if asked == Question.CHOICE and in_progress and item.branches and r.choice is None:
            _turned_down(state, item)  # its name again, after other branches were shown: none of them
            return
        if asked == Question.REDESCRIBE and in_progress:
            _same_words_again(state, item, text)
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
        corrected = Intent.CORRECTION in r.intents
        # The item before, neither listed nor declined ("no thanks ... my crib instead" is another thing).
        open_before = old is not None and not old.listing and not old.declined
        name, kind = items[0], None
        redescribed = (
            open_before
            and old is not None
            and (not corrected or Intent.NONE_OF_THESE in r.intents)
            and (
                asked == Question.REDESCRIBE
                or (asked == Question.CHOICE and Intent.NONE_OF_THESE in r.intents)
            )
            and len(name.split()) <= 4
        )
        if redescribed and old is not None and old.unplaceable:
            # "I still can't find a category for your macrame wall hanging. What kind of thing is it?" -
            # "decor": the kind is searched, the seller's name stays (the title, the comparables). A name the
            # agent can't read ("wshng mchine") is replaced by the words they give now.
            if known_word(old.name.split()[-1]):
                name, kind = old.name, name
        elif redescribed and old is not None:
            # "what kind of thing is your PS5 disc edition?" - "video game console": the kind joins the name,
            # which stays the seller's (the title, the comparables); the kind finds the category. A kind
            # sharing a word with the name ("Pokemon cards collection" - "trading cards") is searched as said.
            if set(name.lower().split()) & set(old.name.lower().split()):
                name, kind = old.name, name
            else:
                name = f"{old.name} {name}"
        item = _start_item(state, name)
        item.query = kind
        item.notes += [remark for remark in r.remarks if remark not in item.notes]
        if (
            open_before
            and old is not None
            and (
                corrected or asked in (Question.CHOICE, Question.REDESCRIBE, Question.ITEM) or old.unplaceable
            )
        ):
            # The same thing named anew: what the seller said about it still holds; an old draft is dropped.
            item.condition, item.price, item.paid = old.condition, old.price, old.paid
            item.add_damage(old.damage)
            item.details = old.details
            item.notes[:0] = [n for n in old.notes if n not in item.notes]
            if not corrected and asked in (Question.CHOICE, Question.REDESCRIBE):
                # Other words for it, in answer to the category question: the options shown didn't fit, and
                # what the seller turned down stays turned down.
                if old.options:
                    old.refuse(old.options)
                item.rejected, item.refusals, item.closest = old.rejected, old.refusals, old.closest
                item.queries, item.looked_wide = old.queries, old.looked_wide
            if corrected:
                state.notes.append(f"Got it: your {item.name}, not the {old.name}.")
        state.queue = items[1:]
        state.refused = False
        if state.queue:
            # "a crib, a high chair and a stroller, all good": for each; "the iPhone is barely used": not
            state.shared_condition = r.condition if lexicon().all_items.search(text) else None
            state.queued_prices = dict(zip(items[1:], r.item_prices[1:], strict=False))
            rest = " and the ".join(state.queue)
            state.notes.append(f"Let's do one item at a time: first the {items[0]}, then the {rest}.")
    if (
        item is not None
        and asked == Question.REDESCRIBE
        and in_progress
        and not r.items
        and Intent.NONE_OF_THESE in r.intents
    ):
        # No other words for it: nothing is filed anywhere; the agent says it can't find one and asks
        # what kind of thing it is.
        item.redescribe, item.unplaceable, item.options = False, True, []
        item.refusals += 1
        return
    if (
        item is not None
        and asked == Question.REDESCRIBE
        and in_progress
        and not items
        and not r.items
        and (item.unplaceable or item.redescribe)
        and not (is_chatter(text) or r.has(Intent.UNSURE, Intent.DECLINE, Intent.QUESTION, Intent.POST))
        and not names_only_a_price(text)  # "two hundred dollars", "actually post it": never words to search
        and not r.changes
        and r.category_words is None  # "put it under film cameras": those words, looked for as a category
    ):
        _same_words_again(state, item, text)  # words the reader found no item in: search them as they are
    if item is None:
        _remember(state, r)
        # What was said before the item is named is kept for it, and said so
        heard = []
        if state.pending.condition is not None and r.condition is not None and not r.items:
            heard.append(f"{state.pending.condition.label} condition")
        if state.pending.price is not None and r.price is not None and not r.items:
            heard.append(f"{money(state.pending.price)} as your price")
        if heard:
            state.notes.append(f"Noted: {' and '.join(heard)}.")
        if not r.items and not state.notes and asked == Question.ITEM:
            state.unclear = Question.ITEM
            state.item_missed += 1
        return
    state.item_missed = 0
    _apply_pending(state, item)
    _fill(state, item, r, asked)


# "not sure about the price", "whatever you think it's worth": the price is what the seller is unsure of
_PRICE_WORDS = re.compile(r"\b(?:price|pricing|how much|worth|cost|charge|asking)\b", re.I)


def _a(name: str) -> str:
    """The article before a name as it is said: 'an LG', 'an Apple', 'a Samsung', 'a 2012 honda civic'."""
    spelled = name.isupper() and len(name) <= 4  # read letter by letter
    vowel_sound = name[:1].upper() in ("AEFHILMNORSX" if spelled else "AEIOU")
    return "an" if vowel_sound else "a"


def _shorten(state: DialogueState, item: ItemFrame) -> None:
    """'Shorten the description': one sentence fewer, the least important (`make_description`), or said to be
    as short as it gets."""
    draft, category = item.draft, item.category.value
    if not draft or category is None:
        item.shorter += 1  # applied to the first draft
        state.notes.append("Noted: I'll keep the description short.")
        return
    condition = Condition(str(draft["condition"]))

    def described(shorter: int) -> str:
        return make_description(
            item.name, condition, category.path, item.damage, item.details, item.notes, shorter
        )

    if described(item.shorter + 1) == described(item.shorter):
        state.notes.append(
            "That's as short as it gets: the opening, what you told me and any damage stay. Tell me what to "
            "take out, e.g. 'remove the last sentence'."
        )
        item.show_again = True
    else:
        item.shorter += 1
        state.notes.append("OK, a shorter description.")


def _field_value(state: DialogueState, item: ItemFrame, text: str) -> bool:
    """The value of the field the seller asked to add ("12000" to "What's the shutter count?"), added to the
    description as "Shutter count: 12000."; False when the words are something else (a question, a no, a
    change), which are then read as usual."""
    field_name = item.field_asked or ""
    said = text.strip().rstrip(" .!")
    said = re.sub(
        rf"^(?:it'?s|it is|its|the\s+{re.escape(field_name)}\s+is|about\s+is)\s+", "", said, flags=re.I
    )
    lex = lexicon()
    if (
        not said
        or "?" in text
        or len(said.split()) > 8
        or is_negative(text)
        or lex.unsure.search(text)
        or lex.description_remove.search(text)
        or lex.title_change.search(text)
    ):
        return False
    item.field_asked = None
    sentence = f"{field_name[:1].upper()}{field_name[1:]}: {said}."
    if sentence.lower() not in (n.lower() for n in item.notes):
        item.notes.append(sentence)
    state.notes.append(f'Added "{sentence}"')
    return True


def _context_for(state: DialogueState, asked: Question | None) -> Context:
    saved, state.asked = state.asked, asked
    try:
        return _context(state)
    finally:
        state.asked = saved


def _field_answer(item: ItemFrame, field: str) -> str:
    """'What's the category?': what the draft says of it, or when it will say it."""
    draft = item.draft
    if field == "category" and item.category.value is not None:
        return f"Its category is {item.category.value.path}."
    if draft and field in ("title", "description"):
        said = str(draft[field])
        return f'The {field} says: "{said}"' + ("" if said.endswith((".", "!", "?")) else ".")
    if field == "condition" and item.condition.value is not None:
        return f"It says {item.condition.value.label} condition."
    if field == "price" and draft:
        return f"The draft asks {money(float(draft['price']))}."
    return f"There's no {field} yet: you'll see it in the draft as soon as I have what I'm asking for."


def _wish_for_title(state: DialogueState, item: ItemFrame, wish: str) -> None:
    """'Make the title shorter': the item's name without its details, when that is shorter."""
    shown = str(item.draft["title"]) if item.draft else None
    name = item.name
    for attribute in item.details.attributes:  # "size L", "black": the description keeps them
        name = re.sub(rf"\s*\b{re.escape(attribute.words)}\b", "", name, flags=re.I).strip(" ,")
    plain = make_title(name or item.name)
    if "short" in wish and shown is not None and len(plain) < len(shown):
        item.title = plain
        state.notes.append(f'OK, a shorter title: "{plain}".')
    # otherwise the title's words are asked for (the field named): the offline model writes no new ones


# "the last sentence", "the first line": a part of the description by its place, not by its words.
_PLACE = re.compile(r"(?:the\s+)?(?P<place>first|second|third|last|final)\s+(?:sentence|line|bit|part)", re.I)
_PLACES = {"first": 0, "second": 1, "third": 2, "last": -1, "final": -1}


def _remove(state: DialogueState, item: ItemFrame, words: str) -> None:
    """Take the seller's words (or the sentence they point at) out of the draft, and say so."""
    place = _PLACE.fullmatch(words.strip())
    if place is not None:
        if not item.draft:
            state.notes.append("There's no draft yet: once you've seen it, tell me what to take out.")
            return
        sentences = [x for x in re.split(r"(?<=[.!?])\s+", str(item.draft["description"])) if x.strip()]
        index = _PLACES[place.group("place").lower()]
        if index >= len(sentences):
            state.notes.append(f"The description has only {len(sentences)} sentences, so it's unchanged.")
            return
        words = sentences[index].rstrip(".!?")
    if item.draft and words.lower() not in f"{item.draft['title']} {item.draft['description']}".lower():
        state.notes.append(f"I couldn't find \"{words}\" in the draft, so it's unchanged.")
        return
    item.notes = [n for n in item.notes if words.lower() not in n.lower()]
    item.removed.append(words)
    if item.draft:
        state.notes.append(f'OK, I\'ve taken out "{words}".')
    else:
        state.notes.append(f'OK, I\'ll leave out "{words}".')


# Words that ask for a lower or a higher price, said with a new price that goes the other way.
_SAYS_LOWER = re.compile(r"\b(?:lower|reduce|drop|cut|less)\b", re.I)
_SAYS_HIGHER = re.compile(r"\b(?:raise|increase|bump|higher)\b", re.I)


def _fill(state: DialogueState, item: ItemFrame, r: Reading, asked: Question | None) -> None:
    """The reading's facts into the item's slots, and what the answer does to the open question."""
    if r.condition is not None:
        before = item.condition.value
        worse = before is not None and r.damage and not r.stated_condition
        value = max(before, r.condition, key=lambda c: c.rank) if worse and before else r.condition
        item.condition.fill(value, answered=asked == Question.CONDITION)
        item.condition_inferred = not r.stated_condition and asked != Question.CONDITION
        if worse and before is not None and value != before:
            # Damage told after the grade lowers it: said, so the seller can keep their own grade.
            state.notes.append(
                f"With that damage I've changed the condition from {before.label} to {value.label}: "
                f"say 'keep it {before.label}' if you'd rather."
            )
    item.add_damage(r.damage)
    item.details = item.details.merge(r.details)
    if r.price is not None and asked == Question.PRICE and item.paid_asked and names_only_a_price(r.text):
        # "150" to "what did you pay for it?": what was paid, the guide the question asked for
        item.paid = r.price
    elif r.price is not None:
        item.price_change = None  # a price said outright replaces any change asked for before
        if not listable(r.price):
            item.price.clear()
            item.price_rejected, item.refused_price = True, r.price
        else:
            shown = item.draft.get("price") if item.draft and not item.listing else None
            if isinstance(shown, int | float) and r.price != shown:
                # "lower the price to 300" on a $145 draft: the seller's number, with the direction said
                up = r.price > shown
                if (_SAYS_LOWER if up else _SAYS_HIGHER).search(r.text):
                    direction = "more" if up else "less"
                    state.notes.append(
                        f"That's {direction} than the {money(shown)} the draft asked; I've used {money(r.price)} as you said."
                    )
            item.price.fill(r.price, answered=asked == Question.PRICE)
            item.price_rejected = False
            if r.price_each is not None:  # unsaid, a new price keeps what the one before was for
                item.price_each = r.price_each and is_several(item.name)
    elif r.price_change is not None:
        _change_price(state, item, r.price_change)
    elif item.price_rejected and (
        Intent.SUGGEST in r.intents
        or (
            asked == Question.PRICE
            and Intent.ACCEPT in r.intents
            and item.comps is not None
            and item.comps.count > 0
            and item.comps.suggested_price > 0
        )
    ):
        item.price_rejected = False  # price it from the comparables after all ('yes' to the one offered)
    elif (
        asked == Question.PRICE
        and item.typical_offered
        and item.typical is not None
        and item.typical.count
        and (Intent.ACCEPT in r.intents or (Intent.SUGGEST in r.intents and "?" not in r.text))
    ):
        # 'ok' / 'you pick' to the category's middle price, which the agent put to them: their price now.
        item.price.fill(_typical_price(item.typical), answered=True)
        state.notes.append(_took_typical_note(item))
    if r.paid is not None and r.paid > 0:
        item.paid = r.paid
    if (
        asked == Question.PRICE
        and item.paid_rule_offered
        and item.paid is not None
        and r.price is None
        and r.price_change is None
        and (Intent.ACCEPT in r.intents or (Intent.SUGGEST in r.intents and "?" not in r.text))
    ):
        # 'ok' / 'you pick' to the rule-of-thumb start the agent put to them: their price now, labelled so.
        start = _paid_start(item)
        item.price.fill(start, answered=True)  # the draft's note says where it comes from
    if r.title:
        item.title = r.title
    elif r.title_wish:
        _wish_for_title(state, item, r.title_wish)
    if (
        r.make
        and r.make.lower() not in item.name.lower()
        and (item.name.lower() == item.name.split()[0].lower() or names().alone(r.make))
    ):
        item.name = (
            f"{r.make} {item.name}"  # "it's a bose soundlink" of a speaker: the title and comparables say it
        )
        state.notes.append(f"Noted: {_a(r.make)} {r.make}.")
        if asked == Question.CHOICE and item.category.value is None and names().alone(r.make):
            # "its a GoPro" to "which camera category?": the make says which; searched again with it
            item.searched, item.options = False, []
    elif r.note and r.note.lower() not in (n.lower() for n in item.notes):
        item.notes.append(r.note)
    item.notes += [remark for remark in r.remarks if remark not in item.notes]
    if r.remove:
        _remove(state, item, r.remove)
    if r.field_named:
        item.field_asked = r.field_named
    if r.shorten:
        _shorten(state, item)
    if (
        asked in (Question.PRICE, Question.CONDITION, Question.CHOICE)
        and not r.make
        and (r.title or r.note or r.details or r.remarks)
    ):
        # Said while another question is open: kept for the draft, and said so (the question stays).
        state.notes.append(f'Noted: the title will be "{r.title}".' if r.title else KEPT_NOTE)
    if asked == Question.PRICE and r.condition is not None and item.condition.value is not None:
        # a condition said (or corrected) in answer to the price question: taken, and said so
        state.notes.append(f"Noted: {item.condition.value.label} condition.")
    if asked in (Question.CONDITION, Question.CHOICE) and r.paid is not None and r.paid > 0:
        state.notes.append(f"Noted: you paid {money(r.paid)}; I'll price it from what similar listings ask.")

    lex = lexicon()
    asks_back = r.has(Intent.QUESTION, Intent.VALUE) and not (
        lex.dont_post.search(r.text) or lex.keep.search(r.text)
    )  # "no wait, how much do these go for?" is a question, not a no
    declines = (
        Intent.DECLINE in r.intents
        and not r.changes
        and Intent.ACCEPT not in r.intents
        and r.edit_field is None
        and not asks_back
    )
    if r.kind_words is not None and not item.listing:
        _kind_named(state, item, r.kind_words)
        declines = False
        if asked == Question.DRAFT:
            return  # a new draft follows, in the category found for the kind
    elif (
        Intent.CATEGORY in r.intents
        and item.searched
        and not item.listing
        and not (asked == Question.CHOICE and item.options and (not r.category_words or r.choice is not None))
    ):  # "put it under end tables" with End Tables offered picks it; other words look again
        _another_category(state, item, r.category_words)
        declines = False
        if asked == Question.DRAFT:
            return  # a new draft follows, in the category the seller asked for
    if asked == Question.CHOICE and item.options:
        if r.choice is not None:
            item.category.fill(item.options[r.choice], answered=True)
            item.options = []
        elif Intent.NONE_OF_THESE in r.intents or (Intent.CATEGORY in r.intents and not r.category_words):
            _turned_down(state, item)
        elif (
            item.branches
            and lex.choice_assent.match(r.text)
            and not lex.any_option.match(r.text)
            and not r.has(Intent.SUGGEST)
        ):
            # "ok" to the other branches shown after a category was turned down picks none: the seller said
            # the category was wrong, so the top one is not taken on a guess; asked which (a second time
            # in a row, the top one is taken and said so, as for any reply that passes the list by)
            item.passed += 1
            state.assent_unpicked = item.passed < MAX_PASSES
            if not state.assent_unpicked:
                _take_top(state, item)
        elif Intent.ANY_OPTION in r.intents or (Intent.SUGGEST in r.intents and "?" not in r.text):
            _take_top(state, item)
        elif declines:
            item.declined = True
        else:
            asks = r.has(Intent.QUESTION, Intent.VALUE) or r.service or r.asks_field or "?" in r.text
            if not (asks or r.remove or r.shorten or r.field_named or r.edit_field):
                item.passed += 1  # talk past the list; a question or a request is answered, and counts not
            if r.condition is not None:
                state.notes.append(f"Noted: {r.condition.label} condition.")
            if r.price is not None and listable(r.price):
                state.notes.append(f"Noted: {money(r.price)}.")
            if Intent.VALUE in r.intents:
                state.notes.append("As soon as you pick its category, I'll check what similar listings ask.")
            elif not (r.changes or r.service or r.asks_field not in (None, "category")):
                # nothing understood: the list again, with a sorry (and what the list is, when asked)
                state.unclear = Question.CHOICE
                state.explain = Intent.QUESTION in r.intents
            if item.passed >= MAX_PASSES:
                # The list shown twice and still no pick: a third time would be the same question; the top
                # option is taken, and said so with how to change it.
                state.unclear = None
                _take_top(state, item)
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
        elif r.edit_field is not None:
            state.edit_field = r.edit_field  # which field, but not how: asked
        elif Intent.POST in r.intents or Intent.ACCEPT in r.intents:
            item.show_again = True
        elif (
            asks_back
            or (r.has(Intent.UNSURE, Intent.SUGGEST) and _PRICE_WORDS.search(r.text))
            or (r.has(Intent.SUGGEST) and state.last_reply.count("$") > 0 and "?" not in r.text)
        ):
            # "not sure about the price", "whatever you think": what similar listings ask and why this price,
            # and the same draft waits for approval
            item.show_again = True
            state.question_at_draft = True
        else:
            state.unclear = Question.DRAFT
    elif declines and not r.items and not item.listing:
        # A bare "nah" to "what condition?" or "what price?" answers nothing; words that stop the listing
        # ("never mind", "forget it", "cancel", "I'll keep it") stop it.
        bare = asked in (Question.CONDITION, Question.PRICE) and bool(lex.bare_no.match(r.text))
        item.declined = not bare
    # "ok", "sure" to "what price would you like?" with no figure offered: the seller waits for the agent to
    # propose one (where one can come from is said next). To the condition question it is asked again, the
    # grades numbered, then assumed.
    waits = (
        asked == Question.PRICE
        and Intent.ACCEPT in r.intents
        and not r.changes
        and not r.items
        and not r.has(Intent.QUESTION, Intent.DECLINE, Intent.VALUE)
        and "$" not in state.last_reply
    )
    if (
        asked == Question.CONDITION
        and r.condition is None
        and Intent.SUGGEST in r.intents
        # "what do you think it's worth?" asks about the price; "what would you say?" leaves the grade to it
        and not r.has(Intent.VALUE)
        and not _PRICE_WORDS.search(r.text)
    ):
        item.condition_left = True  # the grade left to the agent: assumed, said in the draft, changeable
    # Facts for the draft answer something: the question is asked again as a follow-up, not as a miss.
    understood = (
        bool(r.items)
        or r.changes
        or state.value_now
        or item.condition_left
        or bool(r.remarks)
        or (r.paid is not None and r.paid > 0)
        or waits
    )
    if _unread_grade(item, r, asked, understood):
        # "meh", "A+", "idk its used": a statement with no grade read in it; asking again would get the same,
        # so the assumed grade is used and said so (the seller can change it), and the listing goes on
        item.condition_unread = True
        assumed = lexicon().drafting.assumed_condition
        quoted = (
            r.text.strip() if len(r.text.strip()) <= _MOST_QUOTED else r.text.strip()[:_MOST_QUOTED] + "..."
        )
        state.notes.append(
            f"{_UNREAD_NOTE} \"{quoted}\", so I'll put {assumed.label}: tell me if it's better or worse."
        )
        return
    if (
        asked in (Question.CONDITION, Question.PRICE)
        and not understood
        and not item.declined
        and not r.service
        and not r.asks_field
    ):
        state.unclear = asked
        state.unsure = Intent.UNSURE in r.intents
        state.explain = Intent.QUESTION in r.intents or Intent.SUGGEST in r.intents
        slot = item.condition if asked == Question.CONDITION else item.price
        slot.missed += 1


_MOST_QUOTED = 40  # the seller's words quoted back, at most
_UNREAD_NOTE = "I couldn't tell the condition from"
# What makes an answer to the condition question something other than an unread grade: a question, a yes
# ("ok" is asked again), small talk, a wish to leave it to the agent, not knowing, another request.
_NOT_A_GRADE = frozenset(
    {
        Intent.QUESTION,
        Intent.VALUE,
        Intent.ACCEPT,
        Intent.DECLINE,
        Intent.CHATTER,
        Intent.SUGGEST,
        Intent.INJECTION,
        Intent.NON_ENGLISH,
        Intent.CATEGORY,
        Intent.CHANGE_OF_MIND,
        Intent.META,
        Intent.UNSURE,  # "not sure": the grades are explained (and a third miss assumes one)
    }
)


def _unread_grade(item: ItemFrame, r: Reading, asked: Question | None, understood: bool) -> bool:
    """An answer to the condition question that says something of the item, but no grade the policy reads."""
    return (
        asked == Question.CONDITION
        and not understood
        and not item.declined
        and item.condition.value is None
        and not r.service
        and not r.asks_field
        and not r.intents & _NOT_A_GRADE
        and "?" not in r.text
        and re.search(r"[a-z0-9]", r.text, re.I) is not None
    )


def _change_price(state: DialogueState, item: ItemFrame, change: PriceChange) -> None:
    """'lower it by 20': from the price shown (the draft's, or the seller's); before there is one, it is
    remembered and applied to the price the comparison gives."""
    base = item.draft.get("price") if item.draft and not item.listing else item.price.value
    if not isinstance(base, int | float):
        base = _price_on_offer(item)  # '10% less' than the start just put to the seller is from that start
    if not isinstance(base, int | float):
        item.price_change = change
        state.notes.append(
            f"Noted: I'll make it {change.said()} than the price I'd suggest, once I've priced it."
        )
        return
    new = change.apply(float(base))
    if not listable(new):
        state.notes.append(
            f"{change.said().capitalize()} than {money(float(base))} isn't a price I can list."
        )
        return
    item.price.fill(new, answered=True)
    item.price_change = None
    state.notes.append(f"OK, {change.said()}: {money(new)} instead of {money(float(base))}.")


def _searched_for(item: ItemFrame) -> str:
    """What a category search is sent for the item: the words it was searched by, else its name's."""
    return item.query or search_query(item.name)


def _price_on_offer(item: ItemFrame) -> float | None:
    """The price the agent last put to the seller to take with 'ok' (the category's middle, or the rule of
    thumb from what they paid), when there is one."""
    if item.typical_offered and item.typical is not None and item.typical.count:
        return _typical_price(item.typical)
    if item.paid_rule_offered and item.paid:
        return _paid_start(item)
    return None


def _remember(state: DialogueState, r: Reading) -> None:
    """A condition or price said before the item is known applies to the item once it is."""
    p = state.pending
    if r.condition is not None:
        p.condition = r.condition
    if r.price is not None and listable(r.price):
        p.price, p.price_each = r.price, bool(r.price_each)
    elif r.price is not None and r.price <= 0:
        state.notes.append("A price has to be more than $0, so I haven't used that one.")
    elif r.price is not None:
        state.notes.append(refusal(r.price))
    if r.paid is not None and r.paid > 0:
        p.paid = r.paid
    p.damage += [d for d in r.damage if d not in p.damage]
    p.details = p.details.merge(r.details)
    p.notes += [n for n in r.remarks if n not in p.notes]


def _take_top(state: DialogueState, item: ItemFrame) -> None:
    """The seller leaves the pick to the agent (or keeps talking past the list): the top option is taken,
    and said so in one clause with how to change it ('change the category' looks again with their words)."""
    top = item.options[0]
    item.category.fill(top, answered=True)
    item.options, item.passed = [], 0
    state.notes.append(f"I'll go with {top.path}; say 'change the category' if that's wrong.")


def _turned_down(state: DialogueState, item: ItemFrame) -> None:
    """None of the offered categories fits: never offer them again. A first refusal asks for other words
    (the same words again look wider, in other branches); a second files the item under the closest
    match, says so, and lets the seller change it."""
    item.refuse(item.options)
    if item.refusals >= MAX_REFUSALS:
        _file_closest(state, item)
    else:
        item.redescribe = True


def _same_words_again(state: DialogueState, item: ItemFrame, text: str) -> None:
    """The reply to 'describe it in other words' has no other name for the item: its words, if any are
    new, are searched as they are; the same words again look wider once, then count as a refusal."""
    words = " ".join(text.split())[:MAX_QUERY]
    item.redescribe = False
    said = set(re.findall(r"[a-z0-9]+", words.lower())) - lexicon().choice_stopwords
    known = set(re.findall(r"[a-z0-9]+", " ".join([item.name, *item.queries]).lower()))
    if said - known:
        item.query, item.searched, item.unplaceable = words, False, False
        return
    if item.rejected and not item.looked_wide:
        item.wide, item.searched = True, False
        return
    item.refusals += 1
    if item.closest is not None:
        _file_closest(state, item)
    else:
        item.unplaceable = True


def _file_closest(state: DialogueState, item: ItemFrame) -> None:
    """File the item under the closest match found, and say so: the seller can change it."""
    fresh = [c for c in item.options if c.id not in item.rejected_ids()]
    closest = (
        item.closest if item.closest is not None and item.closest.id not in item.rejected_ids() else None
    )
    category = fresh[0] if fresh else closest
    item.options, item.redescribe, item.unplaceable, item.wide = [], False, False, False
    if category is None:
        # Everything found was turned down: never file it there; say so plainly and ask what kind of thing
        # it is (the reply is searched).
        item.unplaceable = True
        item.refusals = max(item.refusals, 1)
        return
    item.category.value, item.category.source = category, Source.ASSUMED
    item.filed = True
    state.notes.append(
        f"I couldn't find a category that fits exactly, so I've put it under {category.path}, the closest "
        "I found. If you know a better one, tell me, e.g. 'put it under kitchen appliances'."
    )


def _another_category(state: DialogueState, item: ItemFrame, words: str | None) -> None:
    """'put it under shelving', 'wrong category': look again (the seller's words, or wider), the current
    category counted as turned down."""
    current = item.category.value
    if words:
        # The seller names where it goes: whatever they turned down before, only the current one is out.
        item.rejected, item.refusals = [current] if current is not None else [], 0
    elif current is not None:
        item.refuse([current])
        item.refusals = min(item.refusals, 1)  # asked for another: offer others before filing it anywhere
    item.category.clear()
    item.options, item.filed, item.redescribe, item.unplaceable = [], False, False, False
    item.comps, item.searched, item.wide, item.query = None, False, not words, words


def _kind_named(state: DialogueState, item: ItemFrame, kind: str) -> None:
    """'its actually a tablet not a phone': the category is looked for again by the item's name with the kind
    beside it ("samsung galaxy s6 lite tablet"); the name stays the seller's, and nothing is turned down (the
    category it was in is kept if it is still the best match)."""
    item.category.clear()
    item.options, item.filed, item.redescribe, item.unplaceable = [], False, False, False
    item.comps, item.searched, item.wide = None, False, False
    item.query = f"{search_query(item.name)} {kind}"
    state.notes.append(f"Got it, {_a(kind)} {kind}: I'll look for its category with that.")


def _reconsider(state: DialogueState, item: ItemFrame, r: Reading, asked: Question | None) -> None:
    """After a decline: a clear wish to post or a change brings the draft back, shown again for approval;
    a bare 'yes' is asked about."""
    if Intent.PROHIBITED in r.intents or r.items:
        return  # another item: handled as one
    if item.draft is None:  # stopped before a draft: "go on" (or "post it") carries on where it stopped
        if r.changes or r.has(Intent.POST, Intent.ACCEPT):
            item.declined = False
        return
    if r.changes or Intent.POST in r.intents or (asked == Question.REVIVE and Intent.ACCEPT in r.intents):
        item.declined = False
        item.show_again = True
        item.revived = not r.changes  # "post it", as the agent said to: the same draft, to confirm
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
        state.edit_field, state.question_at_draft = None, False
        state.asked = Question.DRAFT
        hear(state, event.message)
        return
    data = event.data if isinstance(event.data, dict) else {}
    if event.name == SEARCH_CATEGORIES and _looks_up_parent(item, call):
        item.wider_looked = True
        parent = _parent(item.category.value) if item.category.value else ""
        matches = [Category.from_match(m) for m in data.get("matches", [])]
        item.wider = next((c for c in matches if c.path == parent), None)
        return
    if event.name == SEARCH_CATEGORIES:
        item.searched, item.passed = True, 0
        query = str(call.args.get("query", "")) if call is not None else item.name
        if query.lower() not in item.queries:
            item.queries.append(query.lower())
        item.query = None
        leaves = [Category.from_match(m) for m in data.get("matches", []) if m.get("is_leaf")]
        if leaves and item.closest is None:
            item.closest = leaves[0]
        fresh = [c for c in leaves if c.id not in item.rejected_ids()]
        if item.wide:  # the same words, looked at wider: the best of other branches
            item.wide, item.looked_wide = False, True
            others = _other_branches(fresh, item.rejected)
            if others:
                item.options, item.branches = others, True
            else:
                _file_closest(state, item)
            return
        item.branches = False
        if item.rejected:  # other words, after a refusal: what was turned down stays out
            if fresh:
                item.options = fresh
            elif item.looked_wide:
                _file_closest(state, item)
            else:
                item.wide, item.searched = True, False  # nothing new: look wider
            return
        if not leaves:
            unnamed = " ".join(without_names(query).split())
            if unnamed and unnamed.lower() != query.lower() and unnamed.lower() not in item.queries:
                # "Metallica hoodie": nothing found with the band's name; the thing itself is searched
                item.query, item.searched = unnamed, False
                return
            item.unplaceable = True
            return
        item.options = leaves  # the policy picks or offers them (its settings say how many)
    elif event.name == COMPARE_PRICES:
        market = Market.from_result(data)
        kind = _kind(item.category.value) if item.category.value else None
        if call is not None and item.wider is not None and call.args.get("category_id") == item.wider.id:
            item.typical = market  # what listings of the wider kind ask: the guide when its own has none
        elif (
            call is not None
            and item.comps is not None
            and not item.comps.count
            and call.args.get("item") == kind
            and kind != item.name
        ):
            item.typical = market  # what listings of its kind ask: a guide for the seller, no comparison
        elif call is not None and call.args.get("condition") is None:
            item.market = market
        else:
            item.comps = market
    elif event.name == CREATE_LISTING:
        item.listing = data
        item.draft = dict(call.args) if call is not None else item.draft
        item.show_again = False
        state.last = "created"


def _parent(category: Category) -> str:
    return category.path.rsplit(" > ", 1)[0]


def _parent_name(category: Category) -> str:
    """The name of the category's parent ('Brass Instruments' for Trumpets & Cornets)."""
    return _parent(category).rsplit(" > ", 1)[-1]


def _looks_up_parent(item: ItemFrame, call: ToolCalled | None) -> bool:
    """The search is for the parent of the item's category (nothing listed in it), not for the item."""
    category = item.category.value
    return (
        call is not None
        and category is not None
        and not item.wider_looked
        and item.typical is not None
        and not item.typical.count
        and str(call.args.get("query", "")) == _parent_name(category)
    )


def _other_branches(found: list[Category], rejected: list[Category]) -> list[Category]:
    """After a refusal: the best match of each branch, branches the seller turned nothing down in first."""
    seen: set[str] = set()
    firsts = []
    for category in found:
        if _parent(category) not in seen:
            seen.add(_parent(category))
            firsts.append(category)
    turned_down = {_parent(c) for c in rejected}
    return [c for c in firsts if _parent(c) not in turned_down] + [
        c for c in firsts if _parent(c) in turned_down
    ]


def _head(words: str) -> str:
    """The word that says what a name is: its last word that is no detail ("ikea kallax 4x4 white" ->
    "kallax", "fender stratocaster 2015 sunburst guitar" -> "guitar")."""
    detail = {w for a in read_details(words).attributes for w in a.words.lower().split()}
    said = [w for w in re.findall(r"[a-z][a-z'-]+", words.lower()) if w not in detail]
    return said[-1] if said else ""


def _offered(item: ItemFrame, settings: PolicySettings) -> list[Category]:
    """The categories worth offering: the best, and any close enough to it, up to the setting's number.
    After a refusal, the other branches' best, whatever their scores (the close ones were turned down)."""
    if not item.options:
        return []
    if item.branches:
        return item.options[: max(settings.max_categories, 2)]
    top = item.options[0]
    if not top.named:  # found only through similar listings or a stray word: the seller chooses, the
        # categories named by a word searched for offered first ("fender stratocaster ... 2015 guitar":
        # Guitars before Bicycles, found through listings of the same year)
        heads = stems(" ".join(_head(q) for q in [item.name, *item.queries]))
        ranked = sorted(item.options, key=lambda o: not stems(o.path.split(" > ")[-1]) & heads)
        return ranked[: settings.max_categories]
    close = [o for o in item.options[1:] if o.score >= CLOSE_SCORE * top.score]
    return [top, *close][: settings.max_categories]


def _settle_category(state: DialogueState, item: ItemFrame, settings: PolicySettings) -> None:
    """After a search: take the only good match, or leave the close ones to be offered."""
    if item.category.known or not item.options or not item.searched:
        return
    offered = _offered(item, settings)
    if len(offered) == 1 and item.branches:
        item.options = offered
        _file_closest(state, item)  # the only one left: taken, and said so
    elif len(offered) == 1:
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
            action = decide(state, tools, settings)
            state.asked = action.asks
            item = state.item
            if item is not None and action.offers_typical:
                item.typical_offered = True
            if item is not None:
                item.paid_rule_offered = item.paid_rule_offered or action.offers_paid_rule
                item.paid_asked = action.asks_paid
                item.no_figure_told += action.no_figure
            if item is not None and state.asked in _SLOT_OF:
                getattr(item, _SLOT_OF[state.asked]).asked += 1
        elif isinstance(event, SellerSaid):
            state.notes, state.last, state.retry_now, state.parked = [], "seller", False, False
            state.unclear, state.unsure, state.explain, state.value_now = None, False, False, False
            state.edit_field, state.question_at_draft, state.assent_unpicked = None, False, False
            if event.images and not state.photo_noted:
                state.notes.append(PHOTO_NOTE)  # said once; the words that came with it still count
                state.photo_noted = True
            hear(state, event.text)
            if state.item is not None:
                _settle_category(state, state.item, settings)
        elif isinstance(event, AgentSaid):
            state.agent_spoke = True
            state.last_reply = event.text
            state.notes = []
        elif isinstance(event, ToolCalled):
            calls[event.call_id] = event
            if event.name == CREATE_LISTING and state.item is not None:
                state.item.draft = dict(event.args)
                state.item.show_again = state.item.revived = False
            elif event.name == SEARCH_CATEGORIES:
                query = str(event.args.get("query", ""))
                current = state.item
                if current is None or (
                    query
                    and query.lower()
                    not in (
                        current.name.lower(),
                        (current.query or "").lower(),
                        search_query(current.name).lower(),
                    )
                    and (query in state.queue or current.listing or current.declined)
                ):
                    # The agent moved on to another item (the next one the seller named).
                    if query in state.queue:
                        state.queue.remove(query)
                    started = _start_item(state, query)
                    _apply_pending(state, started)
                    if state.shared_condition is not None and not started.condition.known:
                        started.condition.fill(state.shared_condition, answered=False)
                    listed_price = state.queued_prices.get(query)
                    if listed_price is not None and not started.price.known:
                        started.price.fill(listed_price, answered=False)
        elif isinstance(event, ToolAnswered):
            _apply_answer(state, event, calls.get(event.call_id))
            if state.item is not None:
                _settle_category(state, state.item, settings)
    return state


# ---------------------------------------------------------------------------------------------- deciding


def _say(state: DialogueState, *lines: str) -> str:
    parts = (
        ([] if state.agent_spoke else [INTRO]) + _one_noted(state.notes) + [line for line in lines if line]
    )
    return " ".join(parts)


_NOTED = re.compile(r"^Noted: (?P<what>[^.;]+)\.$")
KEPT_NOTE = "Noted, that goes in the draft."


def _one_noted(notes: list[str]) -> list[str]:
    """The acknowledgements of one message said once: "Noted, that goes in the draft. Noted: like new
    condition." is "Noted: like new condition; the rest goes in the draft." (several facts, one "Noted")."""
    said = [m.group("what") for n in notes if (m := _NOTED.match(n))]
    kept = KEPT_NOTE in notes
    if len(said) + kept < 2:
        return notes
    what = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    merged = f"Noted: {what}{'; the rest goes in the draft' if kept else ''}."
    first = next(i for i, n in enumerate(notes) if n == KEPT_NOTE or _NOTED.match(n))
    rest = [n for n in notes if n != KEPT_NOTE and not _NOTED.match(n)]
    return [*rest[:first], merged, *rest[first:]]


def _kind(category: Category) -> str:
    """The kind of thing a category holds: its own name ('Outdoor Benches')."""
    return category.path.rsplit(" > ", 1)[-1]


def _took_typical_note(item: ItemFrame) -> str:
    """What is said when the seller takes the category's middle price ("OK, $55, suggested from what listings
    in its category ask."): said once, so the draft that follows does not say it again."""
    assert item.typical is not None
    wider = item.wider is not None and item.typical.category_id == item.wider.id
    where = f"{_kind(item.wider)} listings" if wider and item.wider else "listings in its category"
    return f"OK, {money(_typical_price(item.typical))}, the middle of what {where} ask."


def _typical_price(typical: Market) -> float:
    """The middle of what the category's listings ask, as offered ("say 'ok' and I'll use $65, the middle of
    ..."): their median. The comparison's suggestion for the category's name is moved by condition and the
    price model for no item in particular, and often fell outside the spread just quoted beside it."""
    if not typical.median:
        return typical.suggested_price
    middle = nice_round(typical.median)
    # rounding never takes it outside the spread quoted beside it ("$44 to $120": not $40)
    return min(max(middle, round(typical.p25)), round(typical.p75)) if typical.p25 else middle


def _condition(item: ItemFrame, settings: PolicySettings) -> tuple[Condition | None, bool]:
    """The condition to list with, and whether it is assumed (the seller gave none)."""
    gives_up = (
        settings.condition == "assume"
        or item.condition.missed >= GIVE_UP
        or item.condition_left
        or item.condition_unread
    )
    if item.condition.value is not None and (gives_up or not _grade_to_ask(item)):
        return item.condition.value, False
    if gives_up:
        # asked three times without an answer: assumed, said so in the draft, and the seller can change it
        return lexicon().drafting.assumed_condition, True
    return None, False


def _grade_to_ask(item: ItemFrame) -> bool:
    """A car that "runs great": the grade read from how it runs is asked for, as if none was said (the
    categories whose grade is asked are in drafting.yaml); an answer that gives none in the end keeps it."""
    category = item.category.value
    return (
        item.condition_inferred
        and category is not None
        and any(
            category.path == p or category.path.startswith(f"{p} > ")
            for p in lexicon().drafting.grade_asked_in
        )
    )


def _price(item: ItemFrame, settings: PolicySettings) -> float:
    if item.price.value is not None:
        return item.price.value
    base = _market_price(item, settings)
    if item.price_change is not None:
        changed = item.price_change.apply(base)
        return changed if listable(changed) else base
    return base


def _market_price(item: ItemFrame, settings: PolicySettings) -> float:
    comps = item.comps
    assert comps is not None
    if settings.price_position is None or not comps.count:
        return comps.suggested_price
    low, high = comps.suggested_low or comps.p25, comps.suggested_high or comps.p75
    if comps.p25 <= comps.suggested_price <= comps.p75 and max(low, comps.p25) <= min(high, comps.p75):
        # A suggestion within the middle half the seller is shown is placed within it too: the position alone
        # is no reason to price outside what similar listings ask.
        low, high = max(low, comps.p25), min(high, comps.p75)
    return min(max(nice_round(low + (high - low) * settings.price_position), low), high)


def _draft_args(item: ItemFrame, condition: Condition, settings: PolicySettings) -> dict[str, Any]:
    assert item.category.value is not None
    # "UPPAbaby vista strollr" filed in Baby Strollers: its category's word, as meant, in what buyers read
    name = spelled_as_category(item.name, item.category.value.path)
    # A title the seller gave is theirs, word for word; ours carries what tells the item apart.
    title = (
        make_title(item.title, condition=condition)
        if item.title
        else make_title(name, item.details, condition)
    )
    description = make_description(
        name, condition, item.category.value.path, item.damage, item.details, item.notes, item.shorter
    )
    if item.price_each and item.price.value is not None:
        # "$300 each": the listing's price is one item's, and the description says so (and how many)
        description = f"{description} {per_item_line(item.name, item.price.value)}"
    title, description = without_removed(title, description, item.removed)
    return {
        "title": title,
        "description": description,
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
        elif (
            state.reading is not None and state.reading.has(Intent.META, Intent.QUESTION) and not state.notes
        ):
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
        asked_already = any("What's the item?" in note for note in state.notes)  # the notes ask it
        return Action(
            _say(state, "" if asked_already else "What would you like to sell?"), asks=Question.ITEM
        )
    return Action(
        _say(
            state,
            "What would you like to sell? Tell me the item, its condition, and a price if you have one in mind.",
        ),
        asks=Question.ITEM,
    )


def _ask_condition(state: DialogueState, item: ItemFrame) -> Action:
    several = is_several(item.name)  # "2 taylor swift tickets": what condition are they in
    question = CONDITION_QUESTION_SEVERAL if several else CONDITION_QUESTION
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
        # Each miss is asked about differently, never the same words twice: the grades explained (once),
        # then as a numbered list; a third miss assumes good and says so (`_condition`).
        guided = lexicon().condition_guide in state.last_reply
        if (state.unsure or state.explain) and not guided and NUMBERED_GRADES not in state.last_reply:
            return Action(
                _say(
                    state,
                    kept,
                    f"No problem, here's what they mean: {lexicon().condition_guide} {question}",
                ),
                asks=Question.CONDITION,
            )
        if state.unsure or state.explain or item.condition.missed >= 2:
            lead = "Sorry, I still can't tell." if item.condition.missed >= 2 else "Let me make it easier."
            return Action(_say(state, kept, f"{lead} {NUMBERED_GRADES}"), asks=Question.CONDITION)
        return Action(
            _say(
                state,
                kept,
                f"Sorry, I didn't catch the condition of your {item.name}. {question} "
                "(Words like 'barely used', 'works fine' or 'some scratches' work too.)",
            ),
            asks=Question.CONDITION,
        )
    if kept:
        return Action(_say(state, kept, question), asks=Question.CONDITION)
    if market:
        return Action(_say(state, market, question), asks=Question.CONDITION)
    reading = state.reading
    if state.last == "seller" and reading is not None and reading.make and question in state.last_reply:
        # "samsung" to the condition question: the make noted, the question again in brief (the grades were
        # just listed)
        return Action(
            _say(state, f"And what condition {'are they' if several else 'is it'} in?"),
            asks=Question.CONDITION,
        )
    if state.notes and state.last == "seller":
        return Action(_say(state, question), asks=Question.CONDITION)
    return Action(_say(state, f"Got it: your {item.name}. {question}"), asks=Question.CONDITION)


def _ask_price(state: DialogueState, item: ItemFrame, tools: Collection[str]) -> Action:
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
    # A bare "ok" / "sure" to the open price question (no figure offered): the answer it invites is a number, so
    # it is asked once more in other words, saying how to leave it to the agent; only a second bare "ok" (to
    # that) means the seller can't name one, and the agent looks for a guide.
    bare_ok = (
        state.last == "seller"
        and reading is not None
        and Intent.ACCEPT in reading.intents
        and not reading.changes
        and not reading.has(Intent.QUESTION, Intent.DECLINE, Intent.SUGGEST, Intent.UNSURE)
        and not state.value_now
        and "$" not in state.last_reply
    )
    asked_again = bare_ok and PRICE_AGAIN in state.last_reply
    if bare_ok and not asked_again and PRICE_QUESTION in state.last_reply:
        return Action(
            _say(
                state,
                f"{PRICE_AGAIN}: how much would you like to ask for your {item.name}, in dollars? A rough figure "
                "is fine, and you can change it on the draft; or say 'you pick' and I'll look for a guide.",
            ),
            asks=Question.PRICE,
        )
    # What the seller paid (said now or before) with nothing comparable: a guide to start from (its kind's
    # listings first, else the rule of thumb), offered at once rather than asking for a price again.
    paid_guide = (
        item.paid is not None
        and item.paid > 0
        and item.price.value is None
        and comps is not None
        and not comps.count
    )
    at_a_loss = (
        paid_guide
        # "what do you think I could get for it?" in the message that named it: still asked once the tools
        # have answered in the same turn
        or (reading is not None and state.value_now)
        or (
            state.last == "seller"
            and reading is not None
            and (
                reading.has(Intent.SUGGEST, Intent.UNSURE)
                # "ok" again to the price question asked again in other words: the seller has no figure
                or asked_again
                # "ok go with that" when no figure was offered (nothing listed to go by): nothing to take
                or (
                    Intent.ACCEPT in reading.intents
                    and item.typical_offered
                    and item.typical is not None
                    and not item.typical.count
                )
            )
        )
    )
    typical = item.typical
    own = item.category.value
    if (
        comps is not None
        and typical is not None
        and not typical.count
        and own is not None
        and not item.wider_looked
        and own.path.count(" > ") >= 2  # a parent below the top level: a guide, not everything
        and SEARCH_CATEGORIES in tools
        and COMPARE_PRICES in tools
    ):
        parent = _parent_name(own)
        return Action(
            _say(state, f"Nothing is listed in {_kind(own)} either, so let me look at {parent} in general."),
            SEARCH_CATEGORIES,
            {"query": parent, "limit": WIDE_LIMIT},
        )
    if (
        comps is not None
        and item.wider is not None
        and typical is not None
        and typical.category_id != item.wider.id
        and COMPARE_PRICES in tools
    ):
        return Action(
            _say(state),
            COMPARE_PRICES,
            # every listing in it, whatever its title: a guide to the kind of thing, not a comparison
            {"category_id": item.wider.id, "item": "", "condition": comps.condition},
        )
    paid_said = (  # "I paid 150" to "what did you pay?" (or said since): the rule of thumb follows
        typical is not None
        and not typical.count
        and item.typical_offered
        and item.paid is not None
        and item.price.value is None
    )
    if comps is not None and typical is not None and (at_a_loss or paid_said or state.last != "seller"):
        guide = item.wider if item.wider is not None and typical.category_id == item.wider.id else own
        category = _kind(guide) if guide else "its category"
        if typical.count:
            # Nothing like it, but its category's prices are a guide: the seller can take the middle.
            middle = money(_typical_price(typical))
            if item.typical_offered and state.last == "seller":
                return Action(
                    _say(
                        state,
                        f"Its category is all I can go by here: say 'ok' and I'll use {middle}, the middle of "
                        f"what {category} listings ask, or tell me the price you want.",
                    ),
                    asks=Question.PRICE,
                )
            listings = f"the {typical.count} listing{'s' if typical.count != 1 else ''} in {category} ask"
            spread = (
                f"{listings} {money(round(typical.p25))} to {money(round(typical.p75))} "
                f"(median {money(round(typical.median))})"
                if typical.p75 > typical.p25
                else f"{listings} about {money(round(typical.median))}"
            )
            return Action(
                _say(
                    state,
                    f"There's no listing like your {item.name} to compare with, but {spread}. If you'd like a starting "
                    f"point, say 'ok' and I'll use {middle}; or tell me the price you want, in dollars.",
                ),
                asks=Question.PRICE,
                offers_typical=True,
            )
        if item.paid is not None and item.paid > 0:
            return _offer_paid_start(state, item, category)
        if item.typical_offered and state.last == "seller":
            # The seller leaves it to the agent again, with nothing to go by: something new each time (why it
            # can't, what would help), never the same question again in the same words.
            return _no_figure(state, item)
        return Action(
            _say(
                state,
                f"There's nothing listed in {category} to go by at all, so I won't guess a price for your "
                f"{item.name}: it has to come from you, or from what you paid. What did you pay for it, and roughly "
                "when? From that and its condition I can work out a rule-of-thumb start; you'll see a draft to "
                "approve first.",
            ),
            asks=Question.PRICE,
            offers_typical=True,
            asks_paid=True,
        )
    if (
        at_a_loss
        and comps is not None
        and typical is None
        and item.category.value is not None
        and COMPARE_PRICES in tools
    ):
        return Action(
            _say(
                state,
                f"Nothing listed is like it, so let me see what {_kind(item.category.value)} ask in general.",
            ),
            COMPARE_PRICES,
            {
                "category_id": item.category.value.id,
                "item": _kind(item.category.value),
                "condition": comps.condition,
            },
        )
    if at_a_loss:
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
    # Asked for a price again with nothing comparable: the way out is offered now, not on the third ask.
    way_out = (
        state.last == "seller"
        and (state.unclear == Question.PRICE or PRICE_QUESTION in state.last_reply)
        and comps is not None
        and not comps.count
        and not item.typical_offered
        and not at_a_loss
        and COMPARE_PRICES in tools
    )
    tail = f" {WAY_OUT}" if way_out else ""
    text = f"{why}, so {PRICE_QUESTION}{paid}{tail}"
    if state.last == "seller" and state.last_reply.endswith(text):
        # never the same question again word for word: the reply gave no price, and that is said (in other
        # words each time, when it keeps giving none)
        still = [w if YOU_PICK in w else f"{w}{tail}" for w in _STILL_NO_PRICE]
        wordings = (f"Sorry, I didn't catch a price in that. {text}", *still)
        text = next((w for w in wordings if not state.last_reply.endswith(w)), wordings[-1])
    return Action(_say(state, text), asks=Question.PRICE)


# The price question again when the seller's replies keep giving no price, each unlike the one before.
_STILL_NO_PRICE = (
    "I still need a price to go on: what would you like to ask for it, in dollars? A number like 120 is enough.",
    "Just the number is enough: how much, in dollars? Or say 'you pick' and I'll look for a guide.",
)


def _paid_start(item: ItemFrame) -> float:
    """The rule-of-thumb start from what the seller paid, for the condition said (else the assumed one)."""
    condition = item.condition.value or lexicon().drafting.assumed_condition
    return resale_rule().start(item.paid or 0.0, condition)


def _offer_paid_start(state: DialogueState, item: ItemFrame, category: str) -> Action:
    """Nothing listed to go by, but the seller said what they paid: a start from that, labelled as a rule of
    thumb (the shares and where they come from are in data/resale.yaml); the draft still needs approval."""
    condition = item.condition.value or lexicon().drafting.assumed_condition
    start = money(_paid_start(item))
    share = round(resale_rule().share(condition) * 100)
    if item.paid_rule_offered and state.last == "seller":
        text = (
            f"Just so you know, {start} is only a rule of thumb from the {money(item.paid or 0)} you paid, not "
            f"what buyers here ask. Say 'ok' to start there, or tell me the price you want, in dollars."
        )
    else:
        text = (
            f"There's nothing listed in {category} to go by, so here's a rule of thumb instead: used things in "
            f"{condition.label} condition usually sell for about {share}% of what they cost, so from the "
            f"{money(item.paid or 0)} you paid I'd start at {start}. Say 'ok' to use it, or tell me the price you "
            "want; you'll see a draft to approve first."
        )
    return Action(_say(state, text), asks=Question.PRICE, offers_typical=True, offers_paid_rule=True)


# What the agent says each time a seller leaves the price to it again with nothing to go by, in turn (the last
# two take turns after that): each says something the one before did not.
_NO_FIGURE = (
    "Without what you paid I've nothing to start from, and I'd rather not make a number up. The best guide is "
    "what similar ones sell for elsewhere: a quick look at sold listings on other sites will tell you. What "
    "would you like to ask, in dollars?",
    "Even a rough figure will do: what it cost new, or the least you'd take for it today. I'll turn that into a "
    "draft for you to approve, and you can change it there.",
    "I'll keep everything else ready: tell me a number in dollars whenever you have one, and the draft follows.",
)


def _no_figure(state: DialogueState, item: ItemFrame) -> Action:
    told = item.no_figure_told
    text = _NO_FIGURE[told] if told < len(_NO_FIGURE) else _NO_FIGURE[len(_NO_FIGURE) - 2 + told % 2]
    return Action(_say(state, text), asks=Question.PRICE, no_figure=True)


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
        reading = state.reading
        if (
            reading is not None
            and Intent.ACCEPT in reading.intents
            and not reading.has(Intent.POST)
            and not reading.changes
        ):
            # "yes" to "anything else to sell?" (or to the done message): the next item, asked for
            return Action(_say(state, "Great: what's the next thing you'd like to sell?"), asks=Question.ITEM)
        return Action(
            _say(state, f"Your listing #{listing.get('id')} is already live. Anything else to sell?"),
            asks=Question.ITEM,
        )
    if item.declined:
        if state.asked == Question.REVIVE or state.notes:
            return Action(_say(state), asks=state.asked)
        if item.draft is None:
            return Action(
                _say(
                    state,
                    f"OK, I'll stop here; nothing was listed. Say 'go on' to carry on with the {item.name}, or "
                    "tell me what else you'd like to sell.",
                ),
                asks=Question.ITEM,
            )
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
        if item.wide:
            lead = f"Let me look wider for your {item.name}."
            return Action(
                _say(state, lead),
                SEARCH_CATEGORIES,
                {"query": _searched_for(item), "limit": WIDE_LIMIT},
            )
        return Action(
            _say(
                state,
                f'Let me look for "{item.query}".'
                if item.query
                else f"Let me find the right category for your {item.name}.",
            ),
            SEARCH_CATEGORIES,
            {"query": _searched_for(item)},
        )
    if item.unplaceable:
        if item.refusals:
            # Asked twice already: a third "describe it" would be the same question; say plainly that nothing
            # fits (what was turned down is never used) and what would work, never the same words twice.
            said = (
                f"I still can't find a category for your {item.name}. What kind of thing is it, in a word or two, "
                "like 'speaker', 'shelf' or 'car part'? I'll search for that.",
                f"Nothing I found fits your {item.name}, and I won't put it under a category you turned down. "
                "Where would a buyer look for it, e.g. 'kitchen storage' or 'garden furniture'? Or name the "
                "category yourself.",
            )
            text = next((t for t in said if t not in state.last_reply), said[0])
            return Action(_say(state, text), asks=Question.REDESCRIBE)
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
            lead = (
                "OK, none of those. These are from other parts of the marketplace. " if item.branches else ""
            )
            if state.assent_unpicked:
                lead = "You said the category was wrong, so I won't guess which of these fits. "
            if state.unclear == Question.CHOICE:
                lead = (
                    "They're the marketplace's categories; pick the one a buyer would browse for it. "
                    if state.explain
                    else "Sorry, I didn't catch which one. "
                )
            hint = (
                "Reply with the number, say 'none of these', or describe it in other words."
                if item.branches
                else NONE_HINT
            )
            return Action(
                _say(state, f"{lead}Which category fits your {item.name} best? {listed} {hint}"),
                asks=Question.CHOICE,
            )
        return Action(
            _say(state, f"Let me look up the category for your {item.name} again."),
            SEARCH_CATEGORIES,
            {"query": _searched_for(item)},
        )
    category = item.category.value
    condition, assumed = _condition(item, settings)
    if condition is None:
        if state.value_now and item.market is None and COMPARE_PRICES in tools:
            return Action(
                _say(state, "Let me see what similar listings ask."),
                COMPARE_PRICES,
                {"category_id": category.id, "item": compared_item(item.name, item.details)},
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
            {
                "category_id": category.id,
                "item": compared_item(item.name, item.details),
                "condition": condition.value,
            },
        )
    comps_ok = item.comps is not None and (item.comps.category_id, item.comps.condition) == key
    if item.price.value is None and (
        item.price_rejected or not comps_ok or not item.comps or not item.comps.count
    ):
        return _ask_price(state, item, tools)

    if item.create_retries > MAX_CREATE_RETRIES:
        return Action(
            _say(
                state,
                "I couldn't get the marketplace to accept this draft. Could you tell me the title and price you want?",
            ),
            asks=Question.DRAFT,
        )
    if item.field_asked:
        return Action(_say(state, f"Sure: what's the {item.field_asked}?"), asks=Question.FIELD_VALUE)
    args = _draft_args(item, condition, settings)
    previous = {k: v for k, v in (item.draft or {}).items() if not k.startswith("_")}
    comps = item.comps if comps_ok else None
    if state.edit_field is not None and previous == args:
        return Action(_say(state, _ask_edit(state.edit_field)), asks=Question.DRAFT)
    if state.unclear == Question.DRAFT and previous == args and not item.show_again:
        return Action(
            _say(
                state,
                f"Nothing's posted yet. {CHANGE_LIST} Or say yes to see the draft again.",
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
    # The category's price the seller said 'ok' to is the agent's suggestion, not the seller's own price.
    typical = (
        item.typical if item.typical_offered and item.typical is not None and item.typical.count else None
    )
    suggested = typical is not None and item.price.value == _typical_price(typical)
    shown = item.typical if item.typical is not None and item.typical.count else None
    # "$20 each" for 4 stools: compared with listings of sets as $80, with single stools as $20
    against = comps if comps is not None and comps.count else shown
    each = compared_each(item.name, against.example_titles if against else ()) if item.price_each else None
    changed = (
        (item.price_change.said(), _market_price(item, settings))
        if item.price.value is None and item.price_change is not None and comps is not None
        else None
    )
    note = price_note(
        args["price"],
        comps,
        seller_price=item.price.value is not None,
        suggested=suggested,
        guide=shown,
        each=each,
        change=changed,
    )
    if suggested and _took_typical_note(item) in state.notes:
        note = ""  # "OK, $55, suggested from what listings in its category ask." was just said: not again
    if item.price_each and item.price.value is not None:
        note += f" That's per {item_unit(item.name)}, and the description says so."
    if item.paid_rule_offered and item.paid is not None and item.price.value == _paid_start(item):
        note = (
            f"There are no similar listings to compare with, so I've used {money(args['price'])}, a rule-of-thumb "
            f"start from the {money(item.paid)} you paid: change it if you like."
        )
    if previous and all(previous.get(k) == args[k] for k in ("price", "category_id", "condition")):
        # The same price from the same comparison was explained with the draft before: referred to, not said
        # again on every later draft ("how did you come up with that price?" still gets the whole basis).
        note = f"The price stays at {money(args['price'])}."
    if state.question_at_draft:
        note = _answer_at_draft(state, item, args["price"], comps, settings)
    if item.paid is not None and item.price.value is None:
        note += (
            f" You paid {money(item.paid)}, but what something cost isn't what it sells for used, "
            "so I've priced it from similar listings."
        )
    if assumed and item.condition_left:
        note += (
            f" You left the condition to me, so I've put {condition.label}: tell me if it's better or worse."
        )
    elif assumed and item.condition_unread:
        if not any(n.startswith(_UNREAD_NOTE) for n in state.notes):  # not said twice in one reply
            note += f" I've put {condition.label} for its condition: tell me if it's better or worse."
    elif assumed:
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
    if item.revived and previous == args:
        # Asked to post the draft they declined: its one remaining step is the seller's own approval, said so
        note, revised, ask = (
            "OK, posting it after all.",
            "Here's the draft once more",
            "say yes to confirm and it goes live.",
        )
    return Action(_say(state, f"{note} {revised}: {ask}".strip()), CREATE_LISTING, args, asks=Question.DRAFT)


def _ask_edit(field: str) -> str:
    """The seller wants a field changed but didn't say how: ask for the words (never a decline)."""
    return {
        "title": "Sure. What should the title say? E.g. 'make the title Trek Domane road bike 56cm'.",
        "price": "Sure. What price would you like instead? Say a number, or e.g. 'lower it by 20'.",
        "condition": "Sure. What condition should it say: new, like new, excellent, good, fair or for parts?",
    }.get(
        field,
        "Sure. What should the description say? Tell me what to add, e.g. 'say it comes with the charger' or "
        "'add that it's from a smoke-free home'.",
    )


def _price_basis_answer(item: ItemFrame, price: float, comps: Market | None, settings: PolicySettings) -> str:
    """ "how did you come up with that price?" at the draft: where the draft's price comes from, briefly (the
    seller's own; the category's middle; a rule of thumb from what they paid; the comparables, their condition
    and the price model), not the range again."""
    if item.price.value is not None and item.paid_rule_offered and item.paid and price == _paid_start(item):
        condition = item.condition.value or lexicon().drafting.assumed_condition
        share = round(resale_rule().share(condition) * 100)
        return (
            f"There's nothing listed to compare with, so it's a rule of thumb: used things in {condition.label} "
            f"condition usually sell for about {share}% of what they cost, and you paid {money(item.paid)}."
        )
    typical = (
        item.typical if item.typical_offered and item.typical is not None and item.typical.count else None
    )
    if item.price.value is not None and typical is not None and price == _typical_price(typical):
        return (
            f"Nothing listed is like it, so it's the middle of what the {typical.count} listing"
            f"{'s' if typical.count != 1 else ''} of its kind ask ({money(round(typical.p25))} to "
            f"{money(round(typical.p75))})."
        )
    if item.price.value is not None:
        if comps is not None and comps.count:
            return f"{money(price)} is the price you gave; similar listings ask {money(round(comps.p25))} to {money(round(comps.p75))}."
        return f"{money(price)} is the price you gave; there are no similar listings to compare it with."
    if comps is None or not comps.count:
        return f"I couldn't compare prices this time; your draft asks {money(price)}."
    base = comps.suggested_price
    moved = ""
    if item.price_change is not None:
        moved = f"with the {item.price_change.said()} you asked for"
    elif settings.price_position is not None and price != base:
        moved = "placed within that range"
    return price_basis(price, comps, base, moved)


def _why_off_range(item: ItemFrame, price: float, comps: Market) -> str:
    """ " It's above what most of them ask because ...": the reason for the comparison's suggestion outside the
    range just quoted again ("" for a price the seller chose or changed, or one within the range)."""
    if item.price.value is not None or item.price_change is not None or not comps.p25:
        return ""
    return "" if comps.p25 <= price <= comps.p75 else f" {why_outside(price, comps)}"


def _answer_at_draft(
    state: DialogueState, item: ItemFrame, price: float, comps: Market | None, settings: PolicySettings
) -> str:
    """A question at the approval prompt, answered; the draft is shown again, still waiting."""
    reading = state.reading
    if (
        reading is not None
        and Intent.PRICE_BASIS in reading.intents
        and Intent.PRICE_WHY not in reading.intents
    ):
        return _price_basis_answer(item, price, comps, settings)
    if reading is not None and Intent.PRICE_WHY in reading.intents and comps is not None and comps.count:
        if item.price.value is not None:
            return f"{money(price)} is the price you gave; similar listings ask {money(round(comps.p25))} to {money(round(comps.p75))}."
        return why_lower(price, comps, item.condition.value)
    if reading is not None and reading.has(Intent.UNSURE, Intent.SUGGEST) and not reading.has(Intent.VALUE):
        if comps is not None and comps.count:
            why = _why_off_range(item, price, comps) or (
                f" {why_lower(price, comps, item.condition.value)}" if price < comps.median * 0.9 else ""
            )
            return f"{market_summary(comps)} I'd keep it at {money(price)}.{why} Say a price if you'd like another."
        return f"The draft asks {money(price)}; say a price if you'd like another."
    if reading is not None and Intent.VALUE in reading.intents:
        if comps is not None and comps.count:
            return (
                f"{market_summary(comps)} Your draft asks {money(price)}.{_why_off_range(item, price, comps)}"
            )
        if comps is not None:
            return f"There are no similar listings to compare with, so the price is yours to set: {money(price)} now."
        return f"I couldn't compare prices this time; your draft asks {money(price)}."
    if reading is not None and (reading.service or reading.asks_field):
        return "Nothing's posted yet."  # the question was answered (state.notes)
    return (
        "I can't answer that one, I'm the offline assistant and only know about this listing. Nothing's posted "
        "yet."
    )


def next_action(
    transcript: Transcript, tools: Collection[str], settings: PolicySettings | None = None
) -> Action:
    settings = settings or PolicySettings()
    state = replay(transcript, tools, settings)
    action = decide(state, tools, settings)
    if action.text and action.tool is None and state.last == "seller" and action.text == state.last_reply:
        # Asking the very same question again reads as not listening: say the answer wasn't understood.
        took = state.reading is not None and bool(
            state.reading.details or state.reading.note or state.reading.remarks
        )
        if took and KEPT_NOTE in action.text:  # more said for the draft: no miss
            action.text = action.text.replace(KEPT_NOTE, "Noted, that goes in too.", 1)
        elif took and "the rest goes in the draft." in action.text:
            action.text = action.text.replace("the rest goes in the draft.", "the rest goes in too.", 1)
        elif state.reading is not None and (Intent.VALUE in state.reading.intents or state.reading.service):
            action.text = f"As I said: {action.text}"  # the same question, the same answer: not a miss
        elif action.text.startswith("Sorry, "):
            action.text = "Sorry again, " + action.text.removeprefix("Sorry, ")
        else:
            action.text = f"Sorry, I didn't catch that. {action.text}"
    return action
