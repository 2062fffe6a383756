"""Money in a seller's words: the asking price, and what they paid (a guide, never the asking price).

A number is a price when it is said as one (a currency sign or word, "asking 300", "350 is what I want"),
or, when the agent expects a price (it asked for one, or showed a draft), when it stands on its own. A
number with a unit ("64 GB", "12 ft", "2 years"), a year, or one inside a name ("iPhone 8", "size 10")
is never a price. Rules in data/amounts.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agent.offline.lexicon import alternatives, lexicon
from tools.types import MAX_PRICE

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?"  # 1,200 or 1200 or 45.50, never the comma after "600,"
_THOUSANDS = r"(?:k|grand)"  # "2k", "14 grand"
# Other currencies a seller may type: money, but not dollars (the marketplace lists in US dollars).
_FOREIGN = r"(?:£|€|gbp\b|eur\b|euros?\b|quid\b)"  # not "pounds": more often a weight
_NUMBER = re.compile(
    rf"(?<![\w.,$£€])(?P<neg>-\s?)?(?P<cur1>(?:\$|usd|{_FOREIGN})\s?)?(?P<num>{_DIGITS})(?![\d])"
    rf"(?P<k>\s?{_THOUSANDS}\b)?(?P<cur2>\s?(?:\$|dollars?\b|bucks\b|usd\b|{_FOREIGN}))?",
    re.I,
)
_YEAR_BEFORE = re.compile(
    r"\b(?:from|since|in|circa|year|made|built|bought)\s+(?:like\s+|about\s+|around\s+)?$", re.I
)
_WORD = re.compile(r"[a-z'%\"]+|[%\"']", re.I)
_SEPARATOR = re.compile(r"[,;:.!?()\-–—~/]\s*$")


# The most a listing can ask: the marketplace refuses MAX_PRICE and above (a typo or a joke at that size).
HIGHEST_PRICE = MAX_PRICE - 0.01


def listable(price: float) -> bool:
    """A price the marketplace takes: more than $0 and below its limit."""
    return 0 < price < MAX_PRICE


def refusal(price: float) -> str:
    """Why a price the seller said can't be used, without repeating an absurd figure back."""
    if price <= 0:
        return "A price has to be more than $0 (to give something away, a token $1 works), so I can't use that one."
    return f"That's above what the marketplace allows: the most I can list it for is ${HIGHEST_PRICE:,.2f}."


@dataclass(frozen=True)
class Amounts:
    # the asking price the seller said (0 or less: they said free, 0 or negative; not `listable` when it is
    # at or above the marketplace's limit, a digit string of any length included)
    price: float | None = None
    paid: float | None = None  # what they paid or what it costs new
    foreign: str | None = None  # the price was said in another currency ("£450"): as typed
    # the price was said for the whole lot ("80 total": True) or for one of several ("20 each": False)
    whole: bool | None = None


@dataclass(frozen=True)
class _Rules:
    paid: re.Pattern[str]
    paid_after: re.Pattern[str]
    paid_told_after: re.Pattern[str]
    before: re.Pattern[str]
    ambiguous: re.Pattern[str]
    service: re.Pattern[str]
    mileage_after: re.Pattern[str]
    repair: re.Pattern[str]
    smallest_ambiguous: float
    resolutions: frozenset[str]
    after: re.Pattern[str]
    units: frozenset[str]
    names: frozenset[str]
    bare_before: frozenset[str]
    number_words: dict[str, int]
    free: re.Pattern[str]
    free_anywhere: re.Pattern[str]
    range_: re.Pattern[str]
    corrections: re.Pattern[str]
    lower_unsaid: re.Pattern[str]
    raise_unsaid: re.Pattern[str]
    too_high: re.Pattern[str]
    too_low: re.Pattern[str]
    count_after: re.Pattern[str]
    spelled_after_cue: re.Pattern[str]
    whole_after: re.Pattern[str]
    each_after: re.Pattern[str]
    measures: frozenset[str]
    not_counts: frozenset[str]


@cache
def _rules() -> _Rules:
    a = lexicon().amounts
    amount = rf"\$?\s?{_DIGITS}\s?{_THOUSANDS}?\b(?:\s?(?:dollars|bucks|usd)\b)?"
    return _Rules(
        paid=re.compile(rf"\b{a.paid}(?P<amount>{amount})", re.I),
        paid_after=re.compile(
            rf"(?P<amount>\$\s?{_DIGITS}\s?{_THOUSANDS}?|{_DIGITS}\s?{_THOUSANDS}?\s?(?:dollars|bucks|usd))\s+"
            # "3 dollars each new", "$2 a book new": what one of several cost new is paid too, no asking price
            rf"(?:(?P<each>{a.per_item}|an?\s+[a-z]+)\s+)?"
            r"(?:brand[- ]new|new|when new|originally|retail|at retail|in the store|in store)\b",
            re.I,
        ),
        paid_told_after=re.compile(rf"(?P<amount>{amount})\s+(?:{a.paid_told_after})\b", re.I),
        before=re.compile(rf"(?:^|[\s,(])(?:{alternatives(a.price_before)})\s*\$?\s*$", re.I),
        ambiguous=re.compile(rf"(?:^|[\s,(])(?:{alternatives(a.ambiguous_before)})\s*$", re.I),
        service=re.compile(rf"(?:^|[\s,(])(?:{alternatives(a.service_before)})\s*$", re.I),
        mileage_after=re.compile(a.mileage_after, re.I),
        repair=re.compile(a.repair_words, re.I),
        smallest_ambiguous=a.smallest_ambiguous,
        resolutions=frozenset(r.lower() for r in a.resolutions),
        after=re.compile(rf"^\s*(?:{alternatives(a.price_after)})(?![\w])", re.I),
        units=frozenset(u.lower() for u in a.units),
        names=frozenset(n.lower() for n in a.name_before),
        bare_before=frozenset(b.lower() for b in a.bare_before),
        number_words=a.number_words,
        free=re.compile(rf"\b(?:{alternatives(a.free)})\b", re.I),
        free_anywhere=re.compile(rf"\b(?:{alternatives(a.free_anywhere)})\b", re.I),
        corrections=re.compile(rf"\b(?:{alternatives(a.corrections)})\b", re.I),
        lower_unsaid=re.compile("|".join(f"(?:{p})" for p in a.lower_unsaid), re.I),
        raise_unsaid=re.compile("|".join(f"(?:{p})" for p in a.raise_unsaid), re.I),
        too_high=re.compile(a.too_high, re.I),
        too_low=re.compile(a.too_low, re.I),
        count_after=re.compile(a.count_after, re.I),
        whole_after=re.compile(rf"^\s*(?:{a.whole_lot})", re.I),
        each_after=re.compile(rf"^\s*(?:{a.per_item})", re.I),
        measures=frozenset(w.lower() for w in lexicon().quantities.measures),
        not_counts=frozenset(w.lower() for w in lexicon().quantities.not_counts),
        # "asking two hundred and fifty", "two fifty bucks": a price in words, after a price word or before a
        # currency word
        spelled_after_cue=re.compile(
            rf"(?:(?:^|[\s,(])(?:{alternatives(a.price_before)})\s+(?P<cued>{_spelled_run(a.number_words)})\b"
            rf"|\b(?P<said>{_spelled_run(a.number_words)})\s+(?:dollars|bucks)\b)",
            re.I,
        ),
        range_=re.compile(
            rf"(?:between\s+(?P<a1>\$?\s?{_DIGITS})\s+and\s+|(?P<a2>\$?\s?{_DIGITS})\s?(?:-|–|to)\s?)"
            rf"(?P<b>\$?\s?{_DIGITS})"
            r"(?!\s?(?:[a-z%\"']))",
            re.I,
        ),
    )


def _spelled_run(number_words: dict[str, int]) -> str:
    """A run of number words ("two hundred and fifty", "a hundred"), as a pattern."""
    word = alternatives(sorted(number_words, key=len, reverse=True))
    return rf"(?:(?:a|\d+)\s+(?:hundred|thousand)|{word})(?:[\s-]+(?:and\s+)?(?:{word}))*"


@dataclass(frozen=True)
class PriceChange:
    """A change to the price by an amount or a share ("lower it by 20", "make it 10% less")."""

    amount: float
    percent: bool  # the amount is a share of the price
    up: bool  # raise it (else lower it)

    def apply(self, price: float) -> float:
        step = price * self.amount / 100 if self.percent else self.amount
        new = price + step if self.up else price - step
        return float(round(new)) if price >= 20 else round(new, 2)

    def said(self) -> str:
        """The change in words: '$20 less', '10% more'."""
        size = (
            f"{self.amount:g}%"
            if self.percent
            else f"${self.amount:,.0f}"
            if self.amount.is_integer()
            else f"${self.amount:,.2f}"
        )
        return f"{size} {'more' if self.up else 'less'}"


_AMOUNT = r"\$?\s?(?P<n>\d+(?:\.\d+)?)\s?(?P<pct>%|percent\b|per cent\b)?(?:\s?(?:dollars|bucks|usd)\b)?"


@cache
def _relative() -> tuple[tuple[re.Pattern[str], bool], ...]:
    a = lexicon().amounts
    return tuple(
        (re.compile(p.replace("{amount}", _AMOUNT), re.I), up)
        for up, patterns in ((False, a.relative_down), (True, a.relative_up))
        for p in patterns
    )


def read_price_change(text: str) -> tuple[PriceChange | None, str]:
    """A relative change to the price, and the text with it blanked out (its number is no price)."""
    units = _rules().units
    for pattern, up in _relative():
        for m in pattern.finditer(text):
            after = _WORD.findall(text[m.end("n") : m.end("n") + 20].lower())
            if not m.group("pct") and after and after[0] in units:
                continue  # "add 2 controllers", "20 years less"
            change = PriceChange(float(m.group("n")), bool(m.group("pct")), up)
            if change.amount <= 0:
                continue
            return change, text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    # "can you go a bit lower?", "thats too low": down (or up) by a usual share, said in the reply
    rules, share = _rules(), lexicon().amounts.unsaid_share
    if re.search(r"\d", text):
        return None, text
    told = "?" not in text  # "is that too much?" asks, and is answered
    if rules.lower_unsaid.search(text) or (told and rules.too_high.search(text)):
        return PriceChange(share, True, False), text
    if rules.raise_unsaid.search(text) or (told and rules.too_low.search(text)):
        return PriceChange(share, True, True), text
    return None, text


def money(value: float) -> str:
    """A price as the agent says it: "$450", "$12.50"."""
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def _value(raw: str, thousands: bool) -> float | None:
    try:
        value = float(raw.replace(",", "").replace("$", "").strip())
    except ValueError:
        return None
    return value * 1000 if thousands else value


def read_paid(text: str) -> tuple[float | None, str]:
    """What the seller paid ('I paid $800', 'retail $120', '$900 new'), and the text with it blanked out."""
    rules = _rules()
    paid: float | None = None
    for pattern in (rules.paid, rules.paid_after, rules.paid_told_after):
        for m in pattern.finditer(text):
            raw = m.group("amount")
            number = re.search(_DIGITS, raw)
            if number is None:
                continue
            thousands = bool(re.search(rf"\d\s?{_THOUSANDS}\b", raw, re.I))
            value = _value(number.group(0), thousands)
            if value is None or (1900 <= value <= 2100 and "$" not in raw and not thousands):
                continue  # "bought in 2019 for": a year ("2k" is not one)
            if paid is None and not m.groupdict().get("each"):
                paid = value  # one's price new ("3 dollars each new") is not what the lot cost
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return paid, text


@cache
def _rules_one_after() -> tuple[str, ...]:
    return tuple(w.lower() for w in lexicon().amounts.one_after)


def _words_before(text: str, end: int) -> list[str]:
    return _WORD.findall(text[max(0, end - 40) : end].lower())


def _spelled(text: str) -> float | None:
    """'two hundred', 'ninety five', 'a hundred', '5 hundred': a price written in words."""
    words = re.findall(r"[a-z]+|\d+", text.lower().replace("-", " "))
    table = _rules().number_words
    total, current, seen = 0, 0, False
    pointers = frozenset(_rules_one_after())
    for i, word in enumerate(words):
        if word == "one" and i > 0 and words[i - 1] in pointers:
            break  # "the second one", "this one": it points at something
        if word.isdigit() and i + 1 < len(words) and words[i + 1] in ("hundred", "thousand"):
            current += int(word)
            seen = True
        elif word == "a" and i + 1 < len(words) and words[i + 1] in ("hundred", "thousand"):
            current += 1
        elif word in table:
            value = table[word]
            if value == 100:
                current = max(current, 1) * 100
            elif value == 1000:
                total += max(current, 1) * 1000
                current = 0
            elif 10 <= value < 100 and 0 < current < 10 and i > 0 and words[i - 1] in table:
                current = current * 100 + value  # "two fifty": 250
            else:
                current += value
            seen = True
        elif seen and word not in ("and", "dollars", "bucks", "usd"):
            break
    return float(total + current) if seen and total + current > 0 else None


def read_amounts(text: str, *, expecting_price: bool = False) -> Amounts:
    """The asking price and what was paid, in one seller message.

    `expecting_price`: the agent asked for a price (or showed a draft), so a number standing on its own
    ("250", "no, 60", "hmm, 125") is one."""
    rules = _rules()
    # "want like a grand", "asking a grand": one thousand (only after a price word: "a grand piano" is none)
    text = re.sub(r"(?<=\s)a grand\b(?!\s+piano)", "1 grand", text, flags=re.I)
    paid, text = read_paid(text)
    strong: list[float] = []
    said_at: list[int] = []  # where each strong price starts
    with_currency: list[bool] = []  # whether each strong price was said with a currency ("$9,500")
    service: list[bool] = []  # whether each came only after a word that also dates a repair ("done at 180k")
    foreign_at: dict[int, str] = {}  # a strong price said in another currency, by where it starts
    whole: list[bool | None] = []  # whether each strong price is said for the whole lot, for one, or unsaid
    weak: list[float] = []
    for m in rules.range_.finditer(text):
        low, high = _value(m.group("a1") or m.group("a2"), False), _value(m.group("b"), False)
        said_as_money = (
            "$" in m.group(0) or rules.before.search(text[max(0, m.start() - 60) : m.start()]) is not None
        )
        if low is not None and high is not None and 0 < low < high and (said_as_money or expecting_price):
            strong.append(round((low + high) / 2))
            said_at.append(m.start())
            with_currency.append("$" in m.group(0))
            service.append(False)
            whole.append(None)
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    for n, m in enumerate(_NUMBER.finditer(text)):
        if n >= 100 or len(strong) + len(weak) >= 3:
            break  # the first prices said are the ones that count; a wall of numbers is no price list
        value = _value(m.group("num"), bool(m.group("k")))
        if value is None:
            continue
        if m.group("neg") == "-":  # "-50" is negative; "bike - 200" is a dash, "wh-1000" a name
            value = -value
        after = text[m.end() :]
        next_word = (_WORD.findall(after[:20].lower()) or [""])[0]
        attached = bool(after[:1]) and (after[:1].isalpha() or after[:1] in "%\"'")
        money = bool(m.group("cur1") or m.group("cur2"))
        if (attached or after[:1] == " ") and next_word in rules.units | rules.measures and not money:
            continue  # 64 GB, 12 ft, 2 years, 78%, 5 pounds
        if rules.count_after.match(after) and not money:
            continue  # "about 20 of them": how many
        if m.start() >= 2 and text[m.start() - 1] == "-" and text[m.start() - 2].isalpha() and not money:
            continue  # "px-160", "f-150": part of a model's name
        if attached and not money and not re.match(r"(?:ish|-ish)\b", after, re.I):
            continue  # 56cm, 60x30, 2nd
        prefix = text[
            max(0, m.start() - 60) : m.start()
        ]  # what stands right before it (bounded: long messages)
        before = _words_before(text, m.start())
        previous = before[-1] if before else ""
        cued = bool(rules.before.search(prefix)) or prefix.rstrip().endswith("~")
        cued_after = bool(rules.after.match(after)) or bool(re.match(r"-?ish\b", after, re.I))
        if cued and not money and not cued_after and _counts_things(rules, after):
            continue  # "about 30 books", "maybe 200 marbles": how many there are, not a price
        if (
            not money
            and not cued
            and not cued_after
            and not expecting_price
            and after.strip(" .!")  # "honda civic, 4k": said last, a price
            and re.sub(r"\s", "", m.group(0)).lower() in rules.resolutions
        ):
            continue  # "55 inch LG, 4K, ...": the screen's resolution
        if 1900 <= value <= 2100 and not money and (not cued or _YEAR_BEFORE.search(prefix)):
            continue  # a year ("from like 1970" too)
        if (
            cued
            and not money
            and not expecting_price
            and 0 < value < rules.smallest_ambiguous
            and rules.ambiguous.search(prefix)
        ):
            continue  # a table for 6: how many it is for, unless a price was asked for
        raw_after = text[m.end("num") :] if "num" in m.groupdict() else after
        if (
            not money
            and rules.service.search(prefix)
            and rules.repair.search(prefix)
            and rules.mileage_after.match(raw_after)
        ):
            continue  # "new transmission at 150k": when it was done
        # "san diego (north park) only. 90 for both": a name word before the sentence's end names nothing
        named = previous in rules.names and not _SEPARATOR.search(prefix)
        if money or ((cued or cued_after) and not named):
            strong.append(value)
            said_at.append(m.start())
            with_currency.append(money)
            service.append(
                not money
                and not cued_after
                and bool(rules.service.search(prefix) and rules.repair.search(prefix))
            )
            whole.append(_said_for(rules, after))
            other = re.search(_FOREIGN, (m.group("cur1") or "") + (m.group("cur2") or ""), re.I)
            if other is not None:
                foreign_at[m.start()] = m.group(0).strip()
            continue
        if previous in rules.names and not _SEPARATOR.search(prefix):
            continue  # iPhone 8, size 10, series 3
        taken_back = [c for c in rules.corrections.finditer(prefix)]
        prefix_ok = (
            not prefix.strip()
            or _SEPARATOR.search(prefix) is not None
            or previous in rules.bare_before
            # "200, no wait 180": the number the seller corrects to, right after the correction
            or bool((strong or weak) and taken_back and not prefix[taken_back[-1].end() :].strip(" ,.!:;-"))
        )
        standalone = prefix_ok and (
            not after.strip()
            or re.match(r"\s*(?:[,;.!?)\-–—]|and\b|but\b|or\b|if\b|then\b)", after) is not None
            or rules.corrections.match(after.strip()) is not None  # "200 no wait 180"
        )
        if standalone and (expecting_price or value >= 10):
            strong.append(value)
            said_at.append(m.start())
            with_currency.append(False)
            service.append(False)
            whole.append(_said_for(rules, after))
        elif expecting_price and prefix_ok:
            weak.append(value)
    if strong:
        # The first price said counts, unless the seller took it back for a later one ("actually 650").
        chosen = 0
        for i in range(1, len(strong)):
            if rules.corrections.search(text[said_at[i - 1] : said_at[i]]):
                chosen = i
        if service[chosen] and any(with_currency[chosen + 1 :]):
            # "timing belt was done at 180k ... asking $9,500": when it was done, then the price
            chosen = with_currency.index(True, chosen + 1)
        if whole[chosen] is False and True in whole:
            # "20 each so 80 total": the listing is the lot's, so the price for all of them counts
            chosen = whole.index(True)
        return Amounts(strong[chosen], paid, foreign_at.get(said_at[chosen]), whole[chosen])
    if expecting_price and weak:
        return Amounts(weak[0], paid)
    if rules.free_anywhere.search(text):
        return Amounts(0.0, paid)  # "giving it away for free": said, and impossible
    for m in rules.spelled_after_cue.finditer(text):
        words = m.group("cued") or m.group("said")
        value = _spelled(words)
        following = _WORD.findall(text[m.end() : m.end() + 20].lower())
        if value is None or (following and following[0] in rules.units):
            continue  # "for two years"
        if value >= rules.smallest_ambiguous or m.group("said"):
            return Amounts(value, paid)  # "asking two hundred and fifty"; not "a table for two"
    if expecting_price and not re.search(r"\d", text):
        if rules.free.search(text) and len(text.split()) <= 4:
            return Amounts(0.0, paid)
        spelled = _spelled_alone(text)
        if spelled is not None:
            return Amounts(spelled, paid)
    return Amounts(None, paid)


def _counts_things(rules: _Rules, after: str) -> bool:
    """Whether the words right after a number are a plural noun, so the number counts things ("30 books")."""
    m = re.match(r" (?:[a-z-]+ )?(?P<noun>[a-z]{3,}s)\b", after.lower())
    if m is None or m.group("noun").endswith(("ss", "us", "is")) or m.group("noun") in rules.not_counts:
        return False
    # "30 kids books": one describing word may come first, so long as it is no word of the price's own
    first = after.lower().split()[0] if after.split() else ""
    return first == m.group("noun") or first not in rules.not_counts


def _said_for(rules: _Rules, after: str) -> bool | None:
    """Whether the words after a price say it is for the whole lot (True), for one of several (False)."""
    if rules.whole_after.match(after):
        return True
    return False if rules.each_after.match(after) else None


_MOST_WORDS_BEFORE_SPELLED = 3  # "umm maybe like two hundred": a price; "a chip on one corner": a count


def _spelled_alone(text: str) -> float | None:
    """A price in words answering the price question ("twelve hundred", "maybe two fifty, firm"): the
    number words said as the answer, not counting something ("a chip on one corner", "used two summers")."""
    rules = _rules()
    m = re.search(rf"(?<![\w'-])(?P<run>{_spelled_run(rules.number_words)})(?![\w'-])", text, re.I)
    if m is None or len(_WORD.findall(text[: m.start()])) > _MOST_WORDS_BEFORE_SPELLED:
        return None
    after = re.sub(r"^\s*(?:dollars|bucks|usd)\b", "", text[m.end() :], flags=re.I)
    if after.strip(" ,;.!?") and not rules.after.match(after) and not _SPELLED_TAIL.match(after):
        return None  # "two kids", "one corner": a number of things
    return _spelled(text[: m.end()])  # with the words before: "the second one" points, it prices nothing


# What may follow a price in words and leave it a price: the end, a pause, or a word of hedging.
_SPELLED_TAIL = re.compile(r"\s*(?:[,;.!?]|(?:i guess|i think|please|pls|maybe|or so|ok|okay)\b)", re.I)


def names_only_a_price(phrase: str) -> bool:
    """True when a phrase says nothing but a price ("200", "$200 firm", "200 obo", "two hundred dollars"): no
    item in it."""
    phrase = _rules().spelled_after_cue.sub(" ", phrase)  # "two hundred dollars", "asking two fifty"
    rest = re.sub(
        rf"\$?\s?{_DIGITS}\s?{_THOUSANDS}?\b|\b(?:dollars|bucks|usd)\b|\$", " ", phrase, flags=re.I
    ).strip(" ,.!")
    if not rest:
        return True
    said_after = _rules().after.match(rest)
    return said_after is not None and not rest[said_after.end() :].strip(" ,.!")


@cache
def _field_number() -> re.Pattern[str]:
    fields = "|".join(sorted((re.escape(f) for f in lexicon().value_fields), key=len, reverse=True))
    return re.compile(
        rf"\b(?:{fields})\s*(?:is|was|of|at|:)?\s*(?:around|about|approx\.?|roughly|under|over|just|~)?\s*"
        r"(?<![$\d])(?P<n>\d[\d,]*(?:\.\d+)?)\s?(?P<k>k\b)?",
        re.I,
    )


def a_fields_value(text: str, price: float) -> bool:
    """Is the amount read as a price the value of a field said just before it ("shutter count around
    20k", "miles: 90,000")?"""
    for m in _field_number().finditer(text):
        value = float(m.group("n").replace(",", "")) * (1000 if m.group("k") else 1)
        if abs(value - price) < 0.01:
            return True
    return False
