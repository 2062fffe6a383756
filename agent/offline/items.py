"""The item a seller names, as a title would name it: the noun phrase, not the sentence around it.

"a pair of nike air jordan 1 sneakers size 10 that I never wore" names "nike air jordan 1 sneakers size
10"; "headphones I want gone" names "headphones". What is said about the item (its condition, damage,
price) is read from the whole message by the other readers. Rules in data/items.yaml.
"""

from __future__ import annotations

import re
from functools import cache

from agent.offline.amounts import names_only_a_price, read_amounts
from agent.offline.conditions import read_condition, respelled
from agent.offline.details import read_details
from agent.offline.lexicon import DATA, lexicon
from agent.offline.names import NameKind, names

MAX_ITEM_WORDS = 10
MAX_WORD_CHARS, MAX_ITEM_CHARS = 40, 80
_REPEATED = re.compile(r"\b(\w+)(?:[\s,.!-]+\1\b){2,}", re.I)  # the same word three times or more in a row
_CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|works?|looks?|runs?)\b", re.I)
_NOT_SELLING = re.compile(
    # "I don't want to sell", "not sure I want to sell yet", "not ready to sell"
    r"\b(?:don'?t|do not|doesn'?t|not|never|no longer)\s+(?:[\w']+\s+){0,3}?(?:to\s+)?sell",
    re.I,
)
_IT_IS = re.compile(r"^(?:it'?s|it is|this is|that'?s)\s+(?:an?\s+)?(?=\S)", re.I)
_PRAISE = re.compile(
    r"^(?:(?:great|good|nice|lovely|beautiful|awesome|fine|perfect|decent|solid|really|very|pretty|cool)\s+)+",
    re.I,
)


def it_is_removed(text: str) -> str:
    """The words without an opening "it's a" ("its a giant talon" -> "giant talon")."""
    return _IT_IS.sub("", text.strip())


def strip_discourse(text: str) -> str:
    """The message without openers that carry no meaning of their own ('actually, ', 'sorry, ')."""
    return lexicon().discourse.sub("", text)


# A word of the item's name that few seed titles have, one slip away from a word that at least
# SPELLING_MIN_TITLES titles and SPELLING_RATIO times as many have, is read as that word: two letters swapped
# ("mountian" -> mountain), one left out ("samsng" -> samsung, "ipone" -> iphone) or one doubled or added
# ("maccbook"). A make or product line of data/names.tsv counts as such a word however few titles have it
# ("playstaton" -> playstation, "macbok" -> macbook): a seller typing a name means the name. Shorter words,
# English words ("trial", though more titles say "trail") and words with more than one such reading stay as
# typed. Table: data/item_words.tsv, built by scripts/build_item_words.py.
SPELLING_MIN_LENGTH, SPELLING_MIN_TITLES, SPELLING_RATIO = 5, 10, 10
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@cache
def _title_words() -> tuple[dict[str, int], frozenset[str]]:
    """How many seed titles have each word, and the English words among them."""
    rows = [
        line.split("\t")
        for line in (DATA / "item_words.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return {w: int(n) for w, n, _ in rows}, frozenset(w for w, _, english in rows if english == "1")


@cache
def name_words() -> frozenset[str]:
    """The one-word makes and product lines, in lower case ('playstation', 'macbook')."""
    return frozenset(
        key
        for key, kind in names().kinds.items()
        if " " not in key and key.isalpha() and kind != NameKind.BAND
    )


def slips(word: str) -> set[str]:
    """The words one slip away: two letters swapped, one left out (never the first: sellers start a word
    right), one too many (never the first or the last: "dressers" is no slip for "dresser")."""
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    left_out = {word[:i] + c + word[i:] for i in range(1, len(word) + 1) for c in _LETTERS}
    too_many = {word[:i] + word[i + 1 :] for i in range(1, len(word) - 1)}
    return (swaps | left_out | too_many) - {word}


def known_word(word: str) -> bool:
    """True for a word seed titles have, an English word, a make, or a word too short for the table: a word
    the seller typed as meant."""
    lower = word.lower()
    titles, english = _title_words()
    return (
        len(lower) < SPELLING_MIN_LENGTH
        or titles.get(lower, 0) > 0
        or lower in english
        or lower in name_words()
    )


def _spelled(word: str) -> str:
    lower = word.lower()
    titles, english = _title_words()
    if len(lower) < SPELLING_MIN_LENGTH or not lower.isalpha() or lower in english or lower in name_words():
        return word
    least = max(SPELLING_MIN_TITLES, SPELLING_RATIO * titles.get(lower, 0))
    named = name_words() if titles.get(lower, 0) < SPELLING_MIN_TITLES else frozenset()
    found = [w for w in slips(lower) if titles.get(w, 0) >= least or (w in named and len(w) >= len(lower))]
    if len(found) != 1:
        return word
    return found[0].upper() if word.isupper() else found[0].capitalize() if word[0].isupper() else found[0]


def spelled(item: str) -> str:
    """The item's name with a word the seller mistyped read as meant ("mountian bike" -> "mountain bike",
    "ipone 8" -> "iphone 8"), so the title, the search and the replies name it right."""
    return " ".join(_spelled(w) for w in item.split(" "))


def _one_edit(word: str) -> set[str]:
    """The words one typing slip away, a letter typed wrong included ("vaccum" for vacuum)."""
    wrong = {word[:i] + c + word[i + 1 :] for i in range(1, len(word)) for c in _LETTERS}
    return (slips(word) | wrong) - {word}


def spelled_as_category(item: str, category_path: str) -> str:
    """The item's name with a word one slip away from a word of the category it is filed under read as that
    word ("UPPAbaby vista strollr" in Baby Strollers -> "UPPAbaby vista stroller", "Dyson V8 vaccum" in
    Vacuums -> "Dyson V8 vacuum"): the category names the kind of thing, so its word is the one meant. A word
    seed titles have, an English word, a make or product line, or a word with two such readings stays as
    typed."""
    kinds = {w for w in re.findall(r"[a-z]+", category_path.lower()) if len(w) >= SPELLING_MIN_LENGTH}
    kinds |= {w[:-1] for w in kinds if w.endswith("s")}  # "Strollers": a stroller
    out = []
    for word in item.split(" "):
        lower = word.lower()
        found = (
            _one_edit(lower) & kinds
            if len(lower) >= SPELLING_MIN_LENGTH
            and lower.isalpha()
            and lower not in kinds
            and not known_word(lower)  # a word of seed titles, English or a make: typed as meant
            else set()
        )
        meant = found.pop() if len(found) == 1 else None
        out.append(word if meant is None else meant.capitalize() if word[0].isupper() else meant)
    return " ".join(out)


@cache
def _part_damage() -> re.Pattern[str]:
    lex = lexicon()
    parts = "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(lex.items.damaged_parts, key=len, reverse=True)
    )
    return re.compile(rf"\s+(?:(?:the|its|their)\s+)?(?P<part>{parts})\s+(?:{lex.items.part_damage})", re.I)


def before_part_damage(phrase: str) -> str:
    """The phrase up to a part of the item said with its damage ("iphone 11 64gb screen is cracked but works"
    -> "iphone 11 64gb"): the part is the item's, its damage the condition. Not when the words before it are
    a make alone ("bose speaker" is the item) or a part themselves ("screen door broken"), or the two name the
    part sold as the item ("projector screen torn")."""
    m = _part_damage().search(phrase)
    if m is None:
        return phrase
    before = phrase[: m.start()]
    words = re.findall(r"[\w'-]+", lexicon().leading_filler.sub("", before.strip()).lower())
    kinds = names().kinds
    if (
        not words
        or " ".join(words) in kinds  # "north face zipper broken": a make, the zipper the item
        or all(kinds.get(w) in (NameKind.BRAND, NameKind.COMMON) for w in words)
        or words[-1] in lexicon().items.damaged_parts
        or f"{words[-1]} {m.group('part').lower()}" in lexicon().items.part_items
    ):
        return phrase
    return before


_INCHES = re.compile(r"\d(?:\"|''|”|″)$")  # 55" or 55'' or 55”: a size's inch mark, not a closing quote


def strip_keeping_inches(text: str, chars: str) -> str:
    """`text.strip(chars)`, but an inch mark after a number at the end stays ("tcl tv 55\"") unless the text
    opens with a quote that it closes ("\"LG 55\""`)."""
    stripped = text.strip(chars)
    end = text.rstrip(chars.replace('"', "").replace("'", ""))
    inch = _INCHES.search(end)
    if inch is None or text.lstrip(" ").startswith(('"', "'", "“")):
        return stripped
    mark = end[inch.start() + 1 :]
    return stripped if stripped.endswith(mark) else stripped + mark


def clean_item(phrase: str) -> str:
    lex = lexicon()
    phrase = before_part_damage(phrase)
    phrase = _REPEATED.sub(
        r"\1", phrase
    )  # "very very very very ... old guitar": a word said over and over, once
    phrase = lex.leading_filler.sub("", phrase.strip())
    phrase = lex.clause_end.split(phrase, maxsplit=1)[0]
    phrase = _balanced(phrase)
    phrase = lex.leading_filler.sub("", phrase.strip())
    phrase = strip_keeping_inches(lex.trailing_filler.sub("", phrase), " ,.-–—:;'\"!?")
    # No word in an item's name is 40 letters long, and a name fits a listing title (80 characters).
    words = [w for w in phrase.split() if len(w) <= MAX_WORD_CHARS]
    if len(words) > MAX_ITEM_WORDS or len(" ".join(words)) > MAX_ITEM_CHARS:
        # Too long for a name: what comes with it goes first ("play kitchen with all the pots and pans" ->
        # "play kitchen"; the details reader keeps the rest for the description), then words from the end,
        # never leaving a cut on a joining word ("... the pots and").
        joint = next((i for i, w in enumerate(words) if i >= 2 and w.lower() in lex.item_joints), None)
        if joint is not None:
            words = words[:joint]
        words = words[:MAX_ITEM_WORDS]
        while words and len(" ".join(words)) > MAX_ITEM_CHARS:
            words.pop()
        while words and words[-1].lower() in lex.hanging_words:
            words.pop()
    return spelled(" ".join(words))


def _balanced(phrase: str) -> str:
    """The phrase without a bracket left open or closed alone ("pink kids bike (16 inch" -> "pink kids bike"):
    what a bracket holds is said of the item as a whole or not at all, and a title never has half of one."""
    depth, cut = 0, None
    for i, ch in enumerate(phrase):
        if ch in "([{":
            if depth == 0:
                cut = i
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return _balanced(phrase[:i] + " " + phrase[i + 1 :])
            depth -= 1
            if depth == 0:
                cut = None
    return phrase[:cut].rstrip() if depth and cut is not None else phrase


def is_vague(item: str) -> bool:
    """True for an 'item' that names nothing ('some stuff', 'a few things')."""
    words = re.findall(r"[a-z]+", item.lower())
    vague = lexicon().vague
    return not words or all(
        w in vague or w in {"a", "of", "my", "the", "and", "old", "from", "in"} for w in words
    )


def is_chatter(text: str) -> bool:
    """Greetings, thanks, bare yes/no and questions: never an item."""
    lex = lexicon()
    return (
        bool(lex.chatter.match(text))
        or bool(lex.accept_only.match(text))
        or bool(lex.decline.match(text))
        or text.rstrip().endswith("?")
    )


def is_condition_only(text: str) -> bool:
    """True when a message only describes a condition ('pretty beat up', 'works fine', 'some scratches'),
    so it is an answer about the item's state, never the item itself."""
    if len(text) > 200:
        return False  # a long message says more than how the item is
    reading = read_condition(text, asked_condition=True)
    if reading.condition is None and not reading.damage:
        return False
    words = re.findall(r"[a-z][a-z']*", text.lower())
    fillers = lexicon().condition_fillers
    return all(w in fillers for w in words)


def item_correction(text: str) -> str | None:
    """The item the seller says they really meant ('sorry, I meant my coffee table'), or None."""
    lex = lexicon()
    m = lex.correction.search(text)
    if m is None:
        return None
    item = _PRAISE.sub("", clean_item(next(g for g in m.groups() if g)))
    words = re.findall(r"[a-z]+", item.lower())
    if (
        not item
        or _CLAUSE_VERB.search(item)  # "the screen has a crack": a sentence about it, not its name
        or is_vague(item)
        or is_chatter(item)
        or is_condition_only(item)
        or lex.pronoun_item.match(item)
        or all(w in lex.not_items for w in words)
        or re.fullmatch(r"[\d\s$.,k]+", item)
    ):
        return None
    return item


def value_question_item(text: str) -> str | None:
    """The item in a question about what it is worth ('How much could I get for my old couch?'), or None."""
    m = lexicon().value_item.search(text)
    if m is None:
        return None
    phrase = next(g for g in m.groups() if g)
    item = clean_item(phrase)
    words = re.findall(r"[a-z]+", item.lower())
    if (
        not item
        or is_vague(item)
        or lexicon().pronoun_item.match(item)
        or all(w in lexicon().not_items or w in ("used", "similar", "ones") for w in words)
    ):
        return None
    return item


def _acceptable(item: str) -> bool:
    lex = lexicon()
    words = re.findall(r"[a-z0-9]+", item.lower())
    return bool(
        item
        and not is_vague(item)
        and not is_condition_only(item)
        and not is_chatter(item)
        and not lex.photo_words.search(item)
        and not lex.pronoun_item.match(item)
        and not all(w in lex.not_items for w in words)
        and not re.fullmatch(r"[\d\s$.,k]+", item)
        and not names_only_a_price(item)  # "$200 firm" less its price: "firm" names nothing
    )


# Words for several things at once ("a bunch of baby stuff", "a few things"): a listing starts with one of them.
_SEVERAL_THINGS = re.compile(r"\b(?:stuff|things|items|bunch|lots?\s+of|few)\b", re.I)


def extract_items(text: str, *, expecting_item: bool = False, in_progress: bool = False) -> list[str]:
    """The items a message names for sale, in order ('my bike and my couch' -> ['bike', 'couch']); ['?']
    when it says it has things to sell without naming them ('some stuff').

    Without a selling phrase ('I want to sell ...'), a short message counts as an item only when the agent
    asked for one (`expecting_item`); a longer one when it mentions the item the way sellers do ("the main
    thing is my ...", "my bookshelf has to go"). The phrase can be anywhere in a long message. A later
    sentence "It's a ..." names the item only when none is being listed (`in_progress`): of the item being
    listed, it says which one it is ("good shape. It's a trek fx 2")."""
    lex = lexicon()
    text = respelled(text)  # "ipad air barley used": the condition, never "ipad air barley"
    if names_only_a_price(text):
        return []  # "40 as is", "50 cash only": a price and its terms, whatever question it answers
    named = item_correction(text) or value_question_item(text)
    if named is not None:
        return [named]
    per_line = priced_list(past_intro_line(text)) if "\n" in text.strip() else []
    if per_line:  # one thing and its price per line ("selling:\n- drill $60\n- saw $45")
        return [clean_item(name) for name, _ in per_line]
    rest: str | None = None
    for match in lex.sell_intro.finditer(text):
        candidate = match.group("item")
        core = lex.leading_filler.sub("", candidate.strip())
        named_after = lex.pronoun_named.match(candidate.strip())
        if named_after is not None:  # "sell mine, ps4 slim 500gb": the item named after the pronoun
            candidate = candidate.strip()[named_after.end() :]
            core = lex.leading_filler.sub("", candidate)
        if lex.pronoun_item.match(core) or not clean_item(candidate):
            continue  # "list it under sporting goods": it is whatever was being talked about
        if _NOT_SELLING.search(text[max(0, match.start() - 24) : match.start() + 24]):
            continue  # "I don't want to sell it anymore": not a sale
        if lex.reason_link.search(text[max(0, match.start() - 30) : match.start()]):
            after_reason = _named_after_reason(candidate)
            if after_reason:  # "selling because we got a new one, our breville toaster": the clause after it
                return after_reason
            continue  # "selling cause i got a car": why it is sold, not what
        if is_vague(clean_item(candidate)) and lex.mention.search(text[match.start("item") :]):
            continue  # "first time selling anything online. its my 2006 toyota tacoma": the one it names
        rest = candidate
        break
    if rest is None:
        mention = lex.mention.search(text) or lex.mention_before.search(strip_discourse(text))
        it_is = None
        if (
            mention is None and not in_progress
        ):  # "... It's a 55 inch LG, 4K, ...": the sentence that names it
            it_is = next(
                (
                    m.group("item")
                    for m in lex.it_is_item.finditer(text)
                    if _names_a_thing(lex.clause_end.split(m.group("item"), 1)[0])
                    and not is_condition_only(m.group("item"))
                ),
                None,
            )
        if mention:
            rest = mention.group("item")
        elif it_is is not None:
            rest = it_is
        elif expecting_item and text.rstrip().endswith("?") and "," in text:
            rest = text.split(",", 1)[0]  # "my guitar, how much could I get?"
            if not _acceptable(clean_item(rest)):
                return []
        elif (
            expecting_item
            and (len(text.split()) <= 20 or _names_a_thing(lex.clause_end.split(strip_discourse(text), 1)[0]))
            and (core := lex.photo_of.sub("", strip_discourse(text))).strip(" ,.!?")
            and not is_chatter(core)
            and not lex.instruction.match(core.strip())
            and not lex.pronoun_item.match(lex.leading_filler.sub("", core.strip()))
            and not is_condition_only(text)
        ):
            rest = core
        else:
            return []
    first_named = lex.first_named.search(text)
    if first_named is not None and _SEVERAL_THINGS.search(rest):
        # "I have a bunch of baby stuff but let's start with the stroller": the one named to start with
        return extract_items(f"selling {first_named.group('item')}")
    rest = _past_sales_talk(lex.leading_filler.sub("", rest.strip()))
    first = lex.clause_end.split(before_part_damage(rest), maxsplit=1)[0]
    if not first.strip() and (state := lex.state_first.match(rest)) and rest[state.end() :].strip():
        # "runs great, 2008 toyota corolla": what it does comes first, the item after it
        after_state = extract_items(rest[state.end() :], expecting_item=True)
        if after_state and after_state != ["?"]:
            return after_state
    items = []
    bundle = lex.bundle.search(text) is not None  # "planters and a bag of soil, $15 for all": one listing
    second = None if bundle else lex.second_item.search(first)
    listed = None if bundle else lex.item_list.match(rest)
    priced = priced_list(rest)
    if priced:  # "DeWalt drill $60, Craftsman tool chest $120, Makita saw $45": each with its price
        items += [clean_item(name) for name, _ in priced]
    elif listed:  # "a crib, a high chair and a stroller": each up to where what is said about it starts
        items += [clean_item(lex.clause_end.split(listed.group(g), maxsplit=1)[0]) for g in "abc"]
    elif second:
        items.append(clean_item(first[: second.start()]))
        items.append(clean_item(second.group("second")))
    else:
        items.append(_with_model(clean_item(first), rest[len(first) :]))
    named_items = [i for i in items if _acceptable(i)]
    if first_named is not None and len(named_items) > 1:
        # "a desk lamp, an office chair and a bookshelf. starting with the chair, ...": that one first
        head = clean_item(first_named.group("item")).lower().split()[-1:]
        picked = next((i for i in named_items if head and head[0] in i.lower().split()), None)
        if picked is not None:
            named_items = [picked, *(i for i in named_items if i != picked)]
    if len(named_items) == 1 and lex.sweeping.match(named_items[0]) and first.strip():
        # "my kids outgrew all their toys, got a big lego bin": the thing named after all of them
        later = _named_later(rest[len(first) :])
        if later:
            return later
    if named_items:
        return named_items
    if first_named is not None:  # "a few things. first up is my queen bed frame": that one, the others later
        return extract_items(f"selling {first_named.group('item')}")
    vague = any(i and is_vague(i) for i in items)
    # after a vague clause ("outgrew his stuff, got ..."), or a mention whose words were all talk ("outgrew
    # everything, got ..."); never a whole message that opens so ("have a great day")
    after_talk = not first.strip() and rest.strip() != strip_discourse(text).strip()
    later = _named_later(rest[len(first) :]) if (vague and first.strip()) or after_talk else []
    if later:  # "my kid outgrew his stuff, got a 5 lb bag of lego": the clause after the vague one names it
        return later
    return ["?"] if vague or _says_has_stuff(text) else []


# A long message without a selling phrase names its item when it opens with a short phrase of no talk words
# ("lg 65 inch oled tv, 2 years old, comes with ...", "proform treadmill, works but ..."): what follows is said
# about it. A long message opening any other way ("so basically we are moving ...") names nothing.
LEAD_MAX_WORDS = 7


def _names_a_thing(lead: str) -> bool:
    lex = lexicon()
    item = clean_item(lead)
    words = re.findall(r"[a-z][a-z0-9']*", lead.lower())
    return (
        0 < len(lead.split()) <= LEAD_MAX_WORDS
        and _acceptable(item)
        and not _CLAUSE_VERB.search(lead)
        and not any(w in lex.talk_words for w in words)
        and any(len(w) > 2 and w not in lex.vague and w not in lex.not_items for w in words)
    )


_PRICED_PART = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<name>[^$\d][^$]*?)\s*(?:[-–:]\s*)?(?:\$\s?(?P<a>\d[\d,]*(?:\.\d\d)?)|"
    r"(?P<b>\d[\d,]*)\s?(?:dollars|bucks|\$))\s*(?:each|obo|firm)?\s*[.!]?\s*$",
    re.I,
)


def past_intro_line(text: str) -> str:
    """The message without a first line that only introduces a list ("Selling a few things:")."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) >= 3 and not re.search(r"\d", lines[0]):
        return "\n".join(lines[1:])
    return text


def priced_list(text: str) -> list[tuple[str, float]]:
    """Several things each with its price, in one message ("drill $60, tool chest $120, saw $45", or one per
    line): (name, price) for each, in order; [] unless every part of the list is one."""
    parts = [p for p in re.split(r"\n+|,\s+|;\s*", text.strip()) if p.strip()]
    if len(parts) < 2:
        return []
    out = []
    for part in parts:
        m = _PRICED_PART.match(part)
        if m is None:
            return []
        out.append((m.group("name").strip(" -:"), float((m.group("a") or m.group("b")).replace(",", ""))))
    return out


def _past_sales_talk(phrase: str) -> str:
    """The phrase from its first clause that is more than an ad's headline talk: "Price reduced - Mid Century
    Teak End Table" -> "Mid Century Teak End Table"; the phrase itself when every clause is such talk."""
    lex = lexicon()
    rest = phrase
    for _ in range(3):  # a headline has a clause or two of it ("$495 bucks! Mother's Day deal! 1997 Honda")
        end = lex.clause_end.search(rest)
        if end is None:
            break
        words = re.findall(r"[a-z]+", rest[: end.start()].lower().replace("'s", ""))
        if not words or not all(w in lex.sales_talk for w in words):
            break
        following = rest[end.end() :].strip(" ,.-–—:;!*")
        if not following:
            break
        rest = following
    return rest


def _with_model(item: str, after: str) -> str:
    """The item with the make or model said right after it ("headphones, sony wh-1000xm4" -> "sony wh-1000xm4
    headphones"), so the title and the price comparison name the thing; anything else after the comma (a
    condition, a price, terms, a sentence) is read by the other readers and left out of the name."""
    lex = lexicon()
    # a dot between digits is a decimal ("cuisinart 1.7L"), not the end of the phrase; the make and model can
    # be said in brackets, before any detail ("laptop (dell xps 13)", "office chair (herman miller aeron, size B)")
    m = re.match(r"\s*(?:,|\((?=[^()]*\)))\s*((?:[^,.;!?()]|(?<=\d)\.(?=\d))+)", after)
    if not item or m is None or len(item.split()) > 3:
        return item
    # "its a giant talon": what it is, said as a sentence, names the make and model all the same
    said = it_is_removed(m.group(1))
    # "herman miller aeron size B": the make and model, then a detail the details reader keeps
    phrase = re.split(r"\s+(?:size|sz)\b", said, maxsplit=1, flags=re.I)[0].strip()
    # "tv (samsung 55 inch)": the make, and a detail the details reader keeps
    make = phrase
    for attribute in read_details(phrase).attributes:
        make = re.sub(re.escape(attribute.words), " ", make, flags=re.I)
    if (
        make != phrase
        and (make_words := make.lower().split())
        and all(w in names().kinds for w in make_words)
    ):
        phrase = " ".join(make.split())
    words = re.findall(r"[a-z0-9'-]+", phrase.lower())
    # "mattress, king size": a word of a detail ("king size") is that detail, not the make
    detail_words = {
        w for a in read_details(said).attributes for w in re.findall(r"[a-z0-9'-]+", a.words.lower())
    }
    if (
        not 1 <= len(words) <= 4
        or len(phrase) > 40
        or not re.search(r"[a-z]{3,}", phrase.lower())
        or any(w in lex.not_a_model or w in lex.not_items or w in lex.amounts.units for w in words)
        or lex.clause_end.search(phrase)
        or _CLAUSE_VERB.search(phrase)
        or is_chatter(phrase)
        or is_condition_only(phrase)
        or read_condition(phrase, asked_condition=True).condition is not None
        or read_amounts(phrase).price is not None
        or names_only_a_price(phrase)
        or (details := read_details(phrase)).attributes
        or details.terms is not None
        or lex.pronoun_item.match(phrase)
        or detail_words & set(words)
        # "it's a lovely piece", "it's a bit wobbly": said of it, not what it is
        or (
            said != m.group(1).strip()
            and any(w in lex.sales_talk or w in lex.condition_fillers for w in words)
        )
    ):
        return item
    head = item.lower().split()[-1]
    if head in words:  # "desk, its a standing desk": the fuller name is the name
        return phrase
    return f"{phrase} {item}"


def _named_after_reason(reason: str) -> list[str]:
    """The item named in the clause right after a reason ("a new one, our breville toaster, 4 slice" ->
    ["breville toaster"]), or [] when that clause is more of the reason or names nothing."""
    lex = lexicon()
    end = lex.clause_end.search(reason)
    if end is None or not reason[: end.start()].strip() or reason[end.start() : end.end()].strip() != ",":
        return []
    after = reason[end.end() :].lstrip()
    m = lex.after_reason.match(after)
    if m is None or not _names_a_thing(m.group("item")):
        return []
    words = re.findall(r"[a-z]+", m.group("item").lower())
    if any(w in lex.family_words for w in words):
        return []  # "selling since we're moving, my husband ...": who, not what
    return [i for i in extract_items(f"selling {after}") if i != "?"]


def _named_later(after: str) -> list[str]:
    """The items named after a first clause that names none ("..., got a 5 lb bag of lego", ". i have a casio
    keyboard"), or [] when the rest of the message names none either."""
    if not after.strip(" ,.;:!?-"):
        return []
    m = lexicon().named_later.match(after)
    found = extract_items(f"selling {m.group('item')}") if m else extract_items(after)
    return [] if found == ["?"] else found


def _says_has_stuff(text: str) -> bool:
    return bool(re.search(r"\b(?:some|a few|a bunch of|lots of|many)\s+(?:stuff|things|items)\b", text, re.I))
