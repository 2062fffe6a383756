"""What else the seller says about the item, kept for the description in their own words.

A first message often holds more than the item, its condition and a price: "about 4 years old", "the covers
were washed last spring", "no pets, no smoking", "pick up only from our 2nd floor apartment". A buyer wants
those, and a listing that drops them is not the seller's. A remark is a sentence of the message that names
no item for sale, asks nothing, says no price, is no greeting or small talk, is not about something else and
is more than a condition word: it goes into the description as the seller wrote it (the description is
the seller's, so nothing is rephrased or invented).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.offline.amounts import a_fields_value, read_amounts
from agent.offline.conditions import about_something_else, read_condition
from agent.offline.details import read_details
from agent.offline.items import is_chatter, is_condition_only, it_is_removed, strip_discourse
from agent.offline.lexicon import lexicon

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_REMARKS = 6  # a description, not a transcript (room for pickup and why it is sold)
MAX_WORDS = 30  # a longer sentence is more story than fact about the item
SHORT_GRADE = 6  # a sentence this short that gives a grade says the condition, already in the description


# Words that only say something comes with the item: a remark of them and what the details reader found
# ("Charger included." beside "Comes with charger.") says nothing new.
_WITH = frozenset(
    {"comes", "come", "with", "included", "includes", "including", "incl", "a", "an", "the", "and"}
)


def read_remarks(text: str, item: str | None, said: Iterable[str] = ()) -> list[str]:
    """The sentences of `text` worth keeping in the description of `item`, as written (capitalised, ending
    with a full stop), in order. A sentence that also names the item, its condition or damage gives its
    other clauses ("selling my iphone 12, battery health 84%" -> "Battery health 84%."); one whose words
    are all in `said` (what the details reader took: "box and charger", "white") is left out."""
    known = {w for phrase in said for w in word_set(phrase)}
    out: list[str] = []
    lex = lexicon()
    for raw in _SENTENCE.split(text):
        sentence = raw.strip().strip("\"'")
        # "its locked to tmobile is that ok?": the fact, without the question tagged on it
        sentence = lex.tag_question.sub("", sentence) or sentence
        first = lex.reason_first.match(sentence)
        if first is not None:  # "my daughter outgrew her 24 inch huffy bike": why, then the item
            out.append(f"Selling because {first.group('who').lower()} {first.group('what').lower()} it.")
        before = lex.reason_before.match(sentence)
        if before is not None:  # "we're moving abroad so selling our stroller": why, then the item
            why = re.sub(r"\bi(?=\b|')", "I", before.group("why").strip().lower())
            out.append(f"Selling because {why}.")
        reason = _selling_reason(sentence, item)
        if reason is not None:  # "selling our stroller because our kid outgrew it": why, kept
            out.append(reason[0])
            sentence = sentence[: reason[1]].strip(" ,")
        at = sentence.lower().find(item.lower()) if item else -1
        tail = _CLAUSE.split(sentence[at + len(item or "") :])[0].strip(" .!") if at >= 0 else ""
        if tail and (_tells_the_state(tail, after_name=True) or lex.occasion.match(tail)):
            # "lego falcon 75257 still sealed in box", "bouncer as a gift": said of it, kept
            out.append(tail[:1].upper() + tail[1:] + ".")
        verdict = _remark(sentence, item)
        if verdict is None:
            continue
        kept = (
            [verdict]
            if verdict
            else [r for c in _lists_joined(_CLAUSE.split(sentence), item) if (r := _remark(c, item))]
        )
        out += [r for r in kept if not _new_words(r) - _WITH <= known]
        if len(out) >= MAX_REMARKS:
            break
    return out[:MAX_REMARKS]


# A clause ends at a comma, a dash or a semicolon, or, in a message typed without them, where "its ..." or
# "always ..." starts another ("iphone 12 its in great shape always had a case on it"); what a bracket holds
# is a clause of its own ("bike (16 inch, with training wheels) and we need the space").
_CLAUSE = re.compile(r",\s+|\s+[-–—]\s+|;\s*|\s*\(\s*|\s*\)\s*|\s+(?=(?:its|it's|it is|always)\s)", re.I)


# The last part of a list said in clauses ("catan, ticket to ride and pandemic"): two short names joined by "and".
_LIST_END = re.compile(r"^[\w' -]+\s(?:and|&)\s[\w' -]+$", re.I)
MAX_LIST_END_WORDS = 6


def _lists_joined(parts: list[str], item: str | None) -> list[str]:
    """The clauses with a list said across them kept whole ("catan", "ticket to ride and pandemic" -> "catan,
    ticket to ride and pandemic"): a name of one word alone is no remark, but it is one of the things listed.
    Only such names join (not a grade, a detail such as a colour, a number or the item's own name): a longer
    clause is a remark of its own."""
    item_words = word_set(item or "")
    out: list[str] = []
    pending: list[str] = []
    for part in parts:
        word = part.strip(" .!")
        if (
            re.fullmatch(r"[a-z][\w'-]*", word, re.I)
            and not is_condition_only(word)
            and not read_details(word).attributes
            and word.lower() not in item_words
        ):
            pending.append(word)
            continue
        if pending and _LIST_END.match(part.strip(" .!")) and len(part.split()) <= MAX_LIST_END_WORDS:
            out.append(", ".join([*pending, part]))
        else:
            out += [*pending, part]
        pending = []
    return out + pending


def _selling_reason(sentence: str, item: str | None) -> tuple[str, int] | None:
    """Why the item is for sale, said in the sentence that names it ("I need to sell my treadmill because I'm
    moving"), as a sentence of the description ("Selling because I'm moving."), with where the reason starts
    in the sentence; else None."""
    lex = lexicon()
    m = lex.selling_reason.search(sentence.rstrip(" .!"))
    if m is None or "?" in sentence:
        return None
    names_it = lex.sell_intro.search(sentence) or (item and item.lower() in sentence.lower())
    if not names_it:
        return None
    said = re.sub(r"^but\s+", "", m.group(0).strip(" ,"), flags=re.I)  # "..., but im moving": why
    if m.group("link") is None:  # said without a connector: "my daughter outgrew it"
        said = f"because {said}"
    return f"Selling {said[:1].lower()}{said[1:]}.", m.start()


def _new_words(remark: str) -> set[str]:
    """The remark's words outside its clauses that only grade the item ("Excellent, comes with 2 controllers":
    the grade is in the condition line, the controllers in the details)."""
    return {
        w
        for c in _CLAUSE.split(remark.rstrip(".!"))
        if not is_condition_only(c) or _tells_the_state(c)  # "works great": more than the grade says
        for w in word_set(c)
    }


def word_set(text: str) -> set[str]:
    """A text's words (letters and digits), lower-cased."""
    return set(re.findall(r"[a-z0-9]+", text.lower()))


_LEADING_LINK = re.compile(
    r"^(?:(?:but|and|so|also|though|otherwise|plus|anyway|oh|btw|by the way|one more thing|"
    r"i (?:forgot|should (?:say|mention))(?: to (?:say|mention))?(?: that)?)\b[\s,]*)+",
    re.I,
)


def _remark(sentence: str, item: str | None) -> str | None:
    """The sentence as a remark; "" when it holds one in its clauses at most (it names the item, a grade or
    damage); None when nothing of it is one (a question, a price, small talk, another thing)."""
    lex = lexicon()
    core = strip_discourse(sentence).strip(" ,.!")
    core = _LEADING_LINK.sub(
        "", core
    )  # "But otherwise the fabric is in good shape" reads alone without "But"
    words = core.split()
    if words and (len(words) > MAX_WORDS or "?" in sentence) and len(_CLAUSE.split(core)) > 1:
        # a question, or more story than fact, is nothing as a whole; its clauses are read one by one ("...
        # tool chest that belonged to my dad, it's red, has 8 drawers, ... I was thinking maybe $120?")
        return ""
    if lex.reason_short.match(core) and "?" not in sentence:
        return (
            core[:1].upper() + core[1:] + "."
        )  # "moving out": why it is sold, though sales talk in a headline
    if (
        not words
        or len(words) > MAX_WORDS
        or "?" in sentence
        or is_chatter(core)
        or (about_something_else(sentence, item) and not _of_the_family(sentence))
        or lex.instruction.match(core)
        or not re.sub(r"[\W_]+", "", lex.fillers.sub("", core))  # "No wait", "hmm, I mean": fillers only
        or all(w in lex.sales_talk for w in re.findall(r"[a-z]+", core.lower()))  # "For sale", "Must go"
    ):
        return None
    item_words = word_set(item or "")
    if item_words and word_set(lex.leading_filler.sub("", it_is_removed(core))) <= item_words:
        # only the item's name again ("Whirlpool washing machine", said before as "front loader ...", or
        # "its a giant talon" once the title says it)
        return None
    if len(words) == 1 and len(core) <= 8 and _SPEC.fullmatch(core) and not word_set(core) <= item_words:
        return f"{core}."  # "i7", "M1": a model's spec, as typed
    if (
        len(words) < 2
        or lex.sell_intro.search(sentence)  # the item named for sale: the title says it
        or lex.first_named.search(sentence)  # "first up is my queen bed frame": named for sale too
        or (item and (item.lower() in sentence.lower() or item_words <= word_set(sentence)))
        or (is_condition_only(core) and not _tells_the_state(core))
    ):
        return ""
    if _says_an_amount(sentence):
        # "I bought it for 150 two years ago": what was paid is no fact for buyers, when it was is
        rest = _PAID_FOR.sub("", core)
        if rest == core:  # "paid $120 for it 2 years ago": when it was bought, without the amount
            rest = _PAID_AMOUNT.sub(_bought, core).strip()
        if rest == core or not lex.usage_fact.search(rest) or _says_an_amount(rest):
            return ""
        return rest[:1].upper() + rest[1:] + "."
    if _tells_the_state(core):
        return core[:1].upper() + core[1:] + "."  # "still sealed": the seller's words, beyond the grade
    head, but, after = core.partition(" but ")
    if but and is_condition_only(head) and (fact := _remark(after, item)):
        return fact  # "used but no warping": the grade is the condition line's, what follows "but" a fact
    reading = read_condition(sentence, item)
    if reading.damage or (
        reading.condition is not None
        and len(words) <= SHORT_GRADE
        and not lex.usage_fact.search(core)
        and (len(beyond_grading(core)) < 2 or len(_CLAUSE.split(core)) > 1)
    ):
        # the damage line and the condition line say it; not how long or how often it was used, nor what
        # else a short graded clause tells ("always had a case on it"; a sentence of clauses is read by clause)
        return ""
    remark = core[:1].upper() + core[1:]
    return remark if remark.endswith((".", "!")) else remark + "."


_MOST_STATE_WORDS = 6  # "still in the box": a clause that grades; longer ones are read for their facts


def _tells_the_state(clause: str, after_name: bool = False) -> bool:
    """A short clause that grades in words buyers look for ("still sealed", "new with tags"); right after the
    item's name, how it runs too ("... 21 inch starts first pull": a clause of its own, "runs great", is the
    condition line's)."""
    lex = lexicon()
    return (
        len(clause.split()) <= _MOST_STATE_WORDS
        and len(_CLAUSE.split(clause)) == 1
        and (
            lex.state_kept.search(clause) is not None
            or (after_name and lex.state_told.match(clause) is not None)
        )
    )


# A word of letters and digits said alone in a list of facts ("dell xps 13 laptop, i7, 16gb ram"): a spec.
_SPEC = re.compile(r"[a-z][a-z-]*\d[a-z0-9-]*", re.I)  # not "8kg": a measure starts with its number


def _of_the_family(sentence: str) -> bool:
    """True when what the sentence says is the seller's family's ("my kid stopped taking lessons"): why it is
    sold, not another thing."""
    lex = lexicon()
    # the possessive's words ("my kid stopped": the noun may be either word after "my")
    said = [set(m.group(0).lower().split()[1:]) for m in lex.possessive.finditer(sentence)]
    return bool(said) and all(w & lex.family_words for w in said) and not lex.other_subject.search(sentence)


_PAID_FOR = re.compile(
    r"\s+(?:for|at)\s+(?:about\s+|around\s+)?\$?\d[\d,.]*k?(?:\s*(?:dollars|bucks|usd))?(?![\w$])", re.I
)


_PAID_AMOUNT = re.compile(
    r"\b(?:paid|spent)\s+(?:about\s+|around\s+)?\$?\d[\d,.]*k?(?:\s*(?:dollars|bucks|usd))?"
    r"(?:\s+(?:for|on)\s+(?P<what>it|them|this|that))?\s*",
    re.I,
)


def _bought(paid: re.Match[str]) -> str:
    """'I paid 400 for it 3 years ago' -> 'I bought it 3 years ago': the object kept, so the clause reads."""
    return f"bought {paid.group('what') or 'it'} "


_PRONOUNS = frozenset(
    {"i", "i've", "ive", "we", "we've", "it", "its", "it's", "they", "them", "they've", "me"}
)


def beyond_grading(text: str) -> set[str]:
    """The words of `text` that grade nothing (not condition words, not pronouns)."""
    fillers = lexicon().condition_fillers
    return {w for w in re.findall(r"[a-z][a-z']*", text.lower()) if w not in fillers and w not in _PRONOUNS}


def _says_an_amount(sentence: str) -> bool:
    amounts = read_amounts(sentence)
    priced = amounts.price is not None and not a_fields_value(sentence, amounts.price)  # "shutter count 20k"
    return priced or amounts.paid is not None
