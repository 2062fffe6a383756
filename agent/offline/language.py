"""What the offline policy understands of a seller's words: items, conditions, prices, yes and no.

Rules, not a model: each function recognises a closed set of phrasings and says None when unsure, so
the policy asks instead of guessing.
"""

from __future__ import annotations

import re

from tools.types import Condition

MAX_ITEM_WORDS = 10


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CONDITIONS: list[tuple[Condition, re.Pattern[str]]] = [
    (
        Condition.FOR_PARTS,
        re.compile(
            r"\b(for parts|parts only|not working|doesn'?t work|does not work|won'?t (turn|power|switch) on|"
            r"(doesn'?t|does not|won'?t|will not) (turn|power|switch|boot) (on|up)|won'?t start|not turning on|"
            r"broken|dead|salvage)\b",
            re.I,
        ),
    ),
    (
        Condition.LIKE_NEW,
        re.compile(
            r"\b(like[- ]new|as new|barely used|hardly used|almost new|nearly new|used (only )?(once|twice|a few times)|"
            r"only used (once|twice|a few times|a couple of times)|mint|pristine|open(ed)?[- ]box)\b",
            re.I,
        ),
    ),
    (
        Condition.NEW,
        re.compile(
            r"\b(brand[- ]new|new in (the )?box|never (been )?used|never opened|unopened|still sealed|sealed|nib|"
            r"new with tags)\b|^\s*new\s*[.!]?\s*$|\b(it'?s|is|condition:?) new\b|\bnew condition\b",
            re.I,
        ),
    ),
    (
        Condition.EXCELLENT,
        re.compile(
            r"\b(excellent|great (condition|shape)|perfect (condition|shape)|very good( condition| shape)?|"
            r"well (kept|looked after|maintained))\b|^\s*(great|perfect)\s*[.!]?\s*$",
            re.I,
        ),
    ),
    (
        Condition.FAIR,
        re.compile(
            r"\b(fair|(ok|okay) (condition|shape)|so-so|worn|well[- ]used|heavily used|rough|some (damage|scratches|dents|wear and tear)|"
            r"needs? (some )?work|scratched|beat up|beaten up)\b",
            re.I,
        ),
    ),
    (
        Condition.GOOD,
        re.compile(
            r"\b(good|decent|works (fine|well|great)|normal wear|some wear|lightly worn|gently used|lightly used)\b",
            re.I,
        ),
    ),
]

_PRICE = re.compile(
    r"(?:\$\s?(?P<a>\d[\d,]*(?:\.\d{1,2})?)\s?(?P<ak>k)?\b)"
    r"|(?:\b(?P<b>\d[\d,]*(?:\.\d{1,2})?)\s?(?P<bk>k)?\s?(?:dollars|bucks|usd|\$)\b)"
    r"|(?:\b(?:for|at|asking|ask|make it|price(?: it)?(?: at)?|priced at|list it (?:at|for)|sell it for|"
    r"want|get|go with|how about|change (?:it|the price) to|set it to|lower it to|raise it to)\s+(?:\$\s?)?"
    r"(?P<c>\d[\d,]*(?:\.\d{1,2})?)\s?(?P<ck>k)?\b(?!\s?(?:gb|tb|mb|inch|in|cm|mm|\"|miles|mi|years?|yrs?|"
    r"speed|watts?|w)\b))",
    re.I,
)
# What the seller paid, or what it costs new, is not an asking price: a used item sells for less.
_AMOUNT = r"\$?\s?\d[\d,]*(?:\.\d{1,2})?\s?k?\b(?:\s?(?:dollars|bucks|usd)\b)?"
_PAID = re.compile(
    r"\b(?:(?:paid|spent)|"
    r"(?:bought|purchased)(?:\s+(?!for\b|at\b)[\w'-]+){0,4}?\s+(?:for|at)|"
    r"got\s+(?:it|them|this|that|mine|these|those|one)(?:\s+(?:brand[- ]new|new|used))?\s+(?:for|at)|"
    r"cost(?:s|ed)?(?:\s+(?:me|us|him|her|them|my \w+))?|"
    r"retail(?:s|ed)?(?:\s+(?:price|value))?(?:\s+(?:for|at))?|msrp|rrp|list price|"
    r"original(?:ly)?(?:\s+(?:price|cost))?|new\s+(?:price|cost))"
    r"(?:\s+(?:is|was|were|of|about|around|roughly|approximately|almost|nearly|over|under|more than|"
    r"less than|like|close to|just over|just under|well over))*\s*:?\s*(?P<amount>" + _AMOUNT + ")"
    r"|(?P<new_amount>"
    + _AMOUNT
    + r")\s+(?:brand[- ]new|new|originally|retail|at retail|in the store|in store)\b",
    re.I,
)
_BARE_NUMBER = re.compile(
    r"^\s*\$?\s?(\d[\d,]*(?:\.\d{1,2})?)\s?(k)?\s*(dollars|bucks|usd)?\s*"
    r"(?:instead|then|please|is fine|would be better|is better)?\s*[.!]?\s*$",
    re.I,
)
# Words that open an answer without changing what it says: "no, 60", "actually yes", "sorry, I meant ...".
_DISCOURSE = re.compile(
    r"^\s*(?:(?:(?:oh|ok|okay|alright|actually|sorry|oops|whoops|hmm+|um+|uh+|(?:hey|hi|hello)(?: there)?|"
    r"on second thought|on reflection|my bad|my mistake|i(?:'ve| have)? changed my mind|changed my mind)\b"
    r"[\s,.!:;-]*|"
    # words that also start item names ("well pump", "fine china") count only when set off: "well, ..."
    r"(?:well|so|right|fine|wait)\s*(?:[,.!:;-]+\s*|$)))+",
    re.I,
)
_LEADING_NO = re.compile(r"^\s*(?:no|nope|nah|not quite|rather|how about)\b[\s,.!:;-]*", re.I)


def strip_discourse(text: str) -> str:
    """The message without openers that carry no meaning of their own ('actually, ', 'sorry, ')."""
    return _DISCOURSE.sub("", text)


_SELL_INTRO = re.compile(
    r"(?:\b(?:i(?:'d| would)?\s+(?:really\s+)?(?:want|like|need|wanna|hope)\s+(?:to\s+)?(?:sell|list|post|get rid of)|"
    r"i(?:'m| am)\s+(?:trying|looking|hoping|going)\s+to\s+(?:sell|list|get rid of)|"
    r"i(?:'m| am)\s+selling|i(?:'d| would)\s+rather\s+(?:sell|list)|let'?s\s+(?:sell|list|do)|"
    r"can you (?:help me )?(?:sell|list|post)|help me (?:sell|list)|(?:please )?(?:sell|list|post)|"
    r"selling|instead,?\s+(?:sell|list)|i\s+(?:have|got|'ve got|have got))\b)\s+"
    r"(?P<item>.+)",
    re.I | re.S,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:my|a|an|the|this|these|those|our|some|a pair of|pair of|one|old|used|current|trusty|beloved|"
    r"little|spare|extra|brand[- ]new|new|like[- ]new|barely used|hardly used|almost new|gently used|"
    r"lightly used|slightly used|it'?s|it is)\s+)+",
    re.I,
)
_CLAUSE_END = re.compile(
    r"\s*(?:[.;!?\n]|,\s|\s[-–—]\s|\((?!\d)|\bfor\s+(?:\$|\d|about|around|sale|parts|me|us)\b|\bat\s+\$|\bwhich\b|\bthat\b|"
    r"\bbecause\b|\bsince\b|\bit'?s\b|\bit is\b|\bthey'?re\b|\bin\s+(?:\w+\s+){0,2}(?:condition|shape)\b|"
    r"\bbarely\b|\bhardly\b|\bnever\b|\basking\b|\bon (?:trova|the marketplace|here)\b|\bplease\b|"
    r"\bif\b|\bbut\b|\bwith (?:some|a few|minor)\b|\bbought\b|\bused\b|\blike new\b|\bbrand new\b|"
    r"\b(?:so|and)\s+(?:i|it|i'm|we)\b|\bcan you\b|\bhow much\b|\bwhat\b|\bto (?:sell|list|get rid of)\b|"
    r"\b(?:before|after|when|while|until|as soon as)\s+(?:i|we|my|our|the|it)\b)",
    re.I,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:and|or|too|also|now|please|here|online|today|instead|then|anymore|quickly|asap))+$", re.I
)
_SECOND_ITEM = re.compile(
    r"\s+(?:and|&|plus|as well as)\s+(?:also\s+)?(?:my|a|an|the|some|our)\s+(?P<second>.+)$", re.I
)

VAGUE_WORDS = frozenset(
    [
        "stuff",
        "thing",
        "things",
        "something",
        "item",
        "items",
        "anything",
        "everything",
        "junk",
        "some",
        "it",
        "this",
        "that",
        "them",
        "these",
        "those",
        "sth",
        "few",
        "bits",
        "pieces",
    ]
)

_AFFIRMATIVE = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|sure|ok|okay|k|y|go|go ahead|do it|post it|list it|publish it|approve|approved|"
    r"sounds good|looks good|perfect|great|that'?s fine|fine|correct|confirm|confirmed|please do|lgtm|"
    r"yes please|yes,? post it|ship it|all good|try again|retry)\b[\s!.]*(?:please|thanks|thank you)?[\s!.]*$",
    re.I,
)
_NEGATIVE = re.compile(
    r"^\s*(?:no|nope|nah|n|cancel|stop|don'?t|do not|never ?mind|forget (?:it|about it)|not now|skip|abort|"
    r"quit|no thanks|no thank you|not interested|i changed my mind|changed my mind|leave it)\b",
    re.I,
)
_DONT_POST = re.compile(
    r"\b(?:don'?t|do not|not)\s+(?:post|list|publish|sell)\b|\bcancel\b|\bnever ?mind\b", re.I
)

_PROHIBITED = re.compile(
    r"\b(?:guns?|handguns?|firearms?|rifles?|pistols?|shotguns?|revolvers?|ar-?15s?|ak-?47s?|glocks?|ammo|"
    r"ammunition|silencers?|suppressors?|grenades?|explosives?|dynamite|c-?4 explosive|cocaine|heroin|meth|"
    r"methamphetamine|fentanyl|crack cocaine|lsd|mdma|ecstasy pills|weed|marijuana|cannabis|oxy(?:contin|codone)?|"
    r"xanax|adderall|percocets?|vicodin|opioids?|prescription (?:pills|drugs|meds|medication)|illegal drugs|drugs)\b",
    re.I,
)
# A word like "gun" or "weed" inside the name of something legal: tools and toys ("glue gun", "water
# pistol"), garden kit ("weed eater"), gear that holds or fits a weapon but is not one ("gun safe", "rifle
# scope", "Glock 19 holster", "holster for a Glock"), media ("Top Gun blu-ray", "Guns N' Roses vinyl").
_BENIGN_BEFORE = re.compile(
    r"\b(?:nerf|water|glue|heat|nail|staple|spray|paint|paintball|toy|massage|caulk|caulking|grease|foam|squirt|"
    r"bb|airsoft|pellet|cap|tape|price|label|labeling|radar|rivet|solder|soldering|temp|temperature|thermometer|"
    r"impact|laser|ray|top|smoking|sealant|silicone|bubble|dart|soap|snow|confetti|tattoo|spud|potato|"
    r"glitter|stud|tyre|tire|grout)[\s-]+$",
    re.I,
)
_GEAR_WORDS = (
    r"safes?|cases?|cabinets?|vaults?|lockers?|racks?|holsters?|scopes?|sights?|slings?|bags?|locks?|"
    r"mounts?|cleaning|cleaners?|displays?|stands?|hooks?|hangers?|pouch(?:es)?|cans?|crates?|straps?|"
    r"bipods?|lights?"
)
_GEAR = f"(?:{_GEAR_WORDS})"
_BENIGN_AFTER = re.compile(
    r"^(?:[\s-]+[\w.]*\d[\w.]*)?[\s-]*(?:" + _GEAR_WORDS + r"|eaters?|wackers?|whackers?|whips?|trimmers?|"
    r"killers?|barriers?|control|blocks?|fabric|pullers?|torch(?:es)?|burners?|sprayers?|grips?|nozzles?|"
    r"microphones?|mics?|metal|acetylene|fuel|n'?\s+roses|and roses|&\s*roses)\b",
    re.I,
)
_GEAR_FOR = re.compile(
    r"\b"
    + _GEAR
    + r"\s+(?:for|fits?|fitting|that fits?)\s+(?:a|an|my|the|your|most|any|all)?\s*(?:[\w-]+\s+){0,2}$",
    re.I,
)
_MEDIA = (
    r"(?:blu-?rays?|dvds?|vhs|cds?|vinyls?|lps?|records?|books?|novels?|posters?|movies?|films?|video games?|"
    r"t-?shirts?|shirts?|hoodies?|comics?|soundtracks?|albums?|box sets?|steelbooks?|cassettes?|tapes?)"
)
_MEDIA_AFTER = re.compile(r"^(?:[\s'-]+[\w']+){0,2}?[\s-]+" + _MEDIA + r"\b", re.I)
_MEDIA_BEFORE = re.compile(r"\b" + _MEDIA + r"\s+(?:about|on|of|called)\s+(?:[\w-]+\s+){0,2}$", re.I)


def prohibited_words(text: str) -> list[str]:
    """The words in `text` that name a weapon, ammunition or drugs, not counting legal things that merely
    contain such a word ('weed eater', 'gun safe', 'rifle scope', 'Top Gun blu-ray')."""
    found = []
    for m in _PROHIBITED.finditer(text):
        before, after = text[: m.start()], text[m.end() :]
        if (
            _BENIGN_BEFORE.search(before)
            or _BENIGN_AFTER.match(after)
            or _GEAR_FOR.search(before)
            or _MEDIA_AFTER.match(after)
            or _MEDIA_BEFORE.search(before)
        ):
            continue
        found.append(m.group(0))
    return found


_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|your\s+|the\s+|previous\s+|prior\s+|above\s+)*"
    r"(?:instructions|rules|prompt|guidelines|system prompt|policies)\b|\bsystem prompt\b|\byou are now\b|"
    r"\b(?:without|skip(?:ping)?|no need for|bypass)\s+(?:the\s+|my\s+|any\s+)?(?:approval|confirmation|asking)\b|"
    r"\bdeveloper mode\b|\badmin mode\b|\bsystem override\b|\bjailbreak\b|\bdon'?t ask (?:me|for)\b|"
    r"\bno need to show me\b|\bwithout (?:showing|asking)\b",
    re.I,
)
_NON_ENGLISH = re.compile(
    r"\b(?:quiero|vender|vendo|mi|bicicleta|tengo|hola|gracias|je|veux|vendre|mon|ma|vélo|bonjour|ich|möchte|"
    r"verkaufen|mein|meine|fahrrad|hallo|voglio|vendere|mio|ciao|quero|meu|minha|olá|willen|verkopen|fiets)\b",
    re.I,
)


_STATED = re.compile(
    r"\b(brand[- ]new|like[- ]new|mint|excellent|great|perfect|very good|good|decent|fair|ok|okay|poor|rough)"
    r"\s+(condition|shape)\b",
    re.I,
)
_STATED_MEANS = {
    "brand new": Condition.NEW,
    "brand-new": Condition.NEW,
    "like new": Condition.LIKE_NEW,
    "like-new": Condition.LIKE_NEW,
    "mint": Condition.LIKE_NEW,
    "excellent": Condition.EXCELLENT,
    "great": Condition.EXCELLENT,
    "perfect": Condition.EXCELLENT,
    "very good": Condition.EXCELLENT,
    "good": Condition.GOOD,
    "decent": Condition.GOOD,
    "fair": Condition.FAIR,
    "ok": Condition.FAIR,
    "okay": Condition.FAIR,
    "poor": Condition.FAIR,
    "rough": Condition.FAIR,
}
# "I bought it brand new" says how it was bought, not how it is now.
_WHEN_BOUGHT = re.compile(
    r"\b(?:bought|purchased|got)\s+(?:it|them|this|one|mine)?\s*(?:brand[- ]new|new)\b|"
    r"\b(?:paid|cost|spent)\b[^.,;!?]*?\b(?:brand[- ]new|new)\b|\bwhen (?:it was|they were) new\b",
    re.I,
)
# "no scratches or dead pixels" says nothing bad: drop negated defects before looking for a condition.
_NEGATED = re.compile(
    r"\b(?:no|not|without|never|zero)\s+(?:[a-z-]+\s+){0,3}?(?:scratch|scratches|dents?|dead|broken|cracks?|damage|"
    r"issues?|problems?|stains?|tears?|rips?|pixels?)(?:\s+(?:or|and|nor)\s+(?:[a-z-]+\s+){0,2}[a-z-]+)?",
    re.I,
)


def parse_condition(text: str) -> Condition | None:
    """The condition a seller states ('barely used' -> like_new), or None when they state none.

    An explicit "<grade> condition" wins over incidental words, and negated defects don't count."""
    stated = _STATED.search(text)
    if stated:
        return _STATED_MEANS[stated.group(1).lower().replace("-", " ")]
    cleaned = _NEGATED.sub(" ", _WHEN_BOUGHT.sub(" ", text))
    for condition, pattern in _CONDITIONS:
        if pattern.search(cleaned):
            return condition
    return None


def _number(raw: str, thousands: str | None) -> float | None:
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    return value * 1000 if thousands else value


def parse_paid(text: str) -> float | None:
    """What the seller paid for the item, or what it costs new ('I paid $800', 'retail $120'), or None."""
    for m in _PAID.finditer(text):
        raw = m.group("amount") or m.group("new_amount")
        if m.group("new_amount") and not re.search(r"\$|dollars|bucks|usd", raw, re.I):
            continue  # "3 new": a number, not a price
        number = re.match(r"\$?\s?(\d[\d,]*(?:\.\d{1,2})?)\s?(k)?", raw)
        value = _number(number.group(1), number.group(2)) if number else None
        if value is not None and not (1900 <= value <= 2100 and "$" not in raw):
            return value
    return None


def parse_price(text: str, *, bare: bool = False) -> float | None:
    """An asking price in the seller's words ('$40', '40 bucks', 'make it 40'); with `bare`, a lone number
    ('250') counts too (the answer to 'what price?'). Years and sizes are not prices, and neither is what
    the seller paid ('I paid $800 for it')."""
    text = _PAID.sub(lambda m: " " * len(m.group(0)), text)
    if bare:
        # "no, 60" and "actually 60" answer "what price?" (or "what should I change?") like "60" does.
        m = _BARE_NUMBER.match(_LEADING_NO.sub("", strip_discourse(text)))
        if m:
            return _number(m.group(1), m.group(2))
    # A price said as a price ("for $4,200", "asking 300") beats any other amount ("the $800 repair").
    for wanted in (("c",), ("a", "b")):
        for m in _PRICE.finditer(text):
            for group in wanted:
                if m.group(group):
                    value = _number(m.group(group), m.group(group + "k"))
                    if value is not None and not (
                        1900 <= value <= 2100 and group == "c" and "$" not in m.group(0)
                    ):
                        return value
    return None


MAX_WORD_CHARS, MAX_ITEM_CHARS = 40, 80


def _clean_item(phrase: str) -> str:
    phrase = _LEADING_FILLER.sub("", phrase.strip())
    phrase = _CLAUSE_END.split(phrase, maxsplit=1)[0]
    phrase = _LEADING_FILLER.sub("", phrase.strip())
    phrase = _TRAILING_FILLER.sub("", phrase).strip(" ,.-–—:;'\"")
    # No word in an item's name is 40 letters long, and a name fits a listing title (80 characters).
    words = [w for w in phrase.split() if len(w) <= MAX_WORD_CHARS][:MAX_ITEM_WORDS]
    while words and len(" ".join(words)) > MAX_ITEM_CHARS:
        words.pop()
    return " ".join(words)


_MENTION = re.compile(
    r"\b(?:has to go is|have to go is|thing is|things is|selling is|to sell is|getting rid of|parting with|"
    r"letting go of|gave (?:the family|us|me) (?:her|his|their|my)|(?:my|our|her|his) (?=(?:19|20)\d\d\s))"
    r"\s*(?:my|an?|the|our|her|his|their)?\s*(?P<item>.+)",
    re.I | re.S,
)
_PRONOUN_ITEM = re.compile(r"^(?:it|them|that|this|these|those|one)(?:\s|$)", re.I)
# "Here's a photo of my bike" names the bike; "here's a photo" alone names nothing.
_PHOTO_WORD = re.compile(
    r"\b(?:photos?|pictures?|pics?|images?|snaps?|screenshots?|attached|attachment)\b", re.I
)
_PHOTO_OF = re.compile(
    r"^.*?\b(?:photos?|pictures?|pics?|images?|snaps?|shots?)\s+(?:of|showing)\s+(?:my\s+|the\s+|a\s+|an\s+|our\s+)?",
    re.I,
)
_OWNER = r"(?:my|our|this|these|the|a|an|his|her|their)\s+"
# "How much could I get for my couch?", "what's my couch worth?": the seller wants to sell it, at a fair price.
_VALUE_QUESTION = re.compile(
    r"\bhow much (?:(?:could|can|would|will|should|might|do|did) )?(?:i|we|you|one) (?:think (?:i|we) )?"
    r"(?:get|ask|charge|sell|list|make|want)(?: (?:for|on))?\s+"
    + _OWNER
    + r"(?P<a>.+?)(?:\s+for)?\s*(?:[?.!]|$)|"
    r"\bhow much (?:is|are|'s|would|will|could|can|does|do) " + _OWNER + r"(?P<b>.+?)\s+"
    r"(?:be )?(?:worth|sell for|go for|get|fetch)\b|"
    r"\bwhat(?:['’]?s| is| are| would| will| could| can| does| do)? " + _OWNER + r"(?P<c>.+?)\s+"
    r"(?:be )?(?:worth|(?:sell|go|goes|sells) for|fetch)\b|"
    r"\bwhat (?:could|can|would|should|will|might) (?:i|we) (?:get|ask|charge|sell it)(?: for)?\s+"
    + _OWNER
    + r"(?P<d>.+?)\s*(?:[?.!]|$)|"
    r"\bwhat(?:'s| is| would be)? (?:a |the )?(?:good|fair|reasonable|right|decent) (?:price|asking price) "
    r"(?:for|on) " + _OWNER + r"(?P<e>.+?)\s*(?:[?.!]|$)|"
    r"\b(?:price|value|appraise) " + _OWNER + r"(?P<f>.+?)\s*(?:[?.!]|$)",
    re.I,
)


_ARTICLE = r"(?:a|an|my|the|some|our|this)\s+"
# The seller correcting which item this is: "sorry, I meant my coffee table", "change the item to a coffee
# table", "actually it's a coffee table", "not a bike, a coffee table", "it's a coffee table, not a bike".
_CORRECTION = re.compile(
    r"\bi (?:meant|mean|was talking about|wanted to (?:sell|list))\s+(?:to (?:say|sell|list)\s+)?(?P<a>.+)|"
    r"\b(?:change|switch|set|make|update)\s+(?:the\s+)?item\s+(?:to|into|:)\s*(?P<b>.+)|"
    r"\bthe item (?:is|should be|was)\s+(?P<c>.+)|"
    r"\bnot (?:a|an|my|the|some) (?!(?:single |one )?(?:scratch|mark|dent|crack|chip|stain|problem|issue|"
    r"thing|big deal|lot)\b)[^,.;!?]+?(?:\s*[,;]\s*(?:but\s+)?|\s+but\s+)(?:(?:it'?s|it is)\s+)?(?P<d>"
    + _ARTICLE
    + r".+)|"
    r"\b(?:it'?s|it is|this is|that'?s|they'?re)\s+(?P<e>" + _ARTICLE + r".+?),?\s+not\s+(?:a|an|my|the)\b"
    r"(?!\s+\w+\s+ones?\b)|"
    r"^\s*(?:(?:actually|sorry|oops|whoops|wait|correction|no|nope|my bad|my mistake|wrong item)\b[\s,.!:;-]*)+"
    r"(?:it'?s|it is|this is|that'?s|they'?re)\s+(?P<f>" + _ARTICLE + r".+)",
    re.I | re.S,
)
# How the seller feels about it ("actually it's a great bike") is not another item.
_PRAISE = re.compile(
    r"^(?:(?:great|good|nice|lovely|beautiful|awesome|fine|perfect|decent|solid|really|very|pretty|cool)\s+)+",
    re.I,
)
_CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|works?|looks?|runs?)\b", re.I)
_NOT_ITEMS = _wordset(
    "title price condition description category photo photos picture pictures draft listing model version "
    "edition one size year kind type bit lot"
)


def item_correction(text: str) -> str | None:
    """The item the seller says they really meant ('sorry, I meant my coffee table'), or None."""
    m = _CORRECTION.search(text)
    if m is None:
        return None
    item = _PRAISE.sub("", _clean_item(next(g for g in m.groups() if g)))
    words = re.findall(r"[a-z]+", item.lower())
    if (
        not item
        or _CLAUSE_VERB.search(item)  # "the screen has a crack": a sentence about it, not its name
        or is_vague(item)
        or is_chatter(item)
        or is_condition_only(item)
        or _PRONOUN_ITEM.match(item)
        or all(w in _NOT_ITEMS for w in words)
        or parse_price(item, bare=True) is not None
    ):
        return None
    return item


def value_question_item(text: str) -> str | None:
    """The item in a question about what it is worth ('How much could I get for my old couch?'), or None."""
    m = _VALUE_QUESTION.search(text)
    if m is None:
        return None
    phrase = next(g for g in m.groups() if g)
    item = _clean_item(phrase)
    return item if item and not is_vague(item) and not _PRONOUN_ITEM.match(item) else None


# Words that describe how an item is, never what it is: "pretty beat up", "works fine", "some scratches".
_CONDITION_SIGNALS = _wordset(
    "used worn wear scratch scratches scratched scuff scuffs scuffed dent dents dented marks chipped cracked "
    "stained stains torn damaged beat beaten broken working works runs functional condition shape mint "
    "pristine clean new"
)
_CONDITION_FILLER = _CONDITION_SIGNALS | _wordset(
    "a an the it it's its is was are they they're in of and but or with some few couple minor light small "
    "little bit pretty quite very really fairly rather somewhat kinda kind sort slightly lightly heavily "
    "well fine ok okay still just only overall mostly generally perfectly totally completely all though "
    "too also has have had got been signs sign use normal usual nothing everything wrong good great "
    "i'd i'm say would honestly like barely hardly never not no any up"
)


def is_condition_only(text: str) -> bool:
    """True when a message only describes a condition ('pretty beat up', 'works fine', 'some scratches'),
    so it is an answer about the item's state, never the item itself."""
    cleaned = _NEGATED.sub(" ", _STATED.sub(" ", text))
    for _, pattern in _CONDITIONS:
        cleaned = pattern.sub(" ", cleaned)
    words = re.findall(r"[a-z][a-z']*", cleaned.lower())
    said = re.findall(r"[a-z][a-z']*", text.lower())
    signal = parse_condition(text) is not None or any(w in _CONDITION_SIGNALS for w in said)
    return signal and all(w in _CONDITION_FILLER for w in words)


def extract_items(text: str, *, expecting_item: bool = False) -> list[str]:
    """The items a message names for sale, in order ('my bike and my couch' -> ['bike', 'couch']).

    Without a selling phrase ('I want to sell ...'), a short message counts as an item only when the agent
    asked for one (`expecting_item`); a longer one when it mentions the item in a way sellers do ("one of
    the things that has to go is my ...", "our 2006 Honda Accord"). "Sell it" names no new item."""
    named = item_correction(text) or value_question_item(text)
    if named is not None:
        return [named]
    match = _SELL_INTRO.search(text)
    rest = match.group("item") if match else None
    if rest is not None and _PRONOUN_ITEM.match(_LEADING_FILLER.sub("", rest.strip())):
        rest = None  # "list it under sporting goods": it is whatever was being talked about
    if rest is None:
        mention = _MENTION.search(text)
        if mention:
            rest = mention.group("item")
        elif (
            expecting_item
            and len(text.split()) <= 12
            and (core := _PHOTO_OF.sub("", strip_discourse(text))).strip(" ,.!?")
            and not is_chatter(core)
            and not _PRONOUN_ITEM.match(_LEADING_FILLER.sub("", core.strip()))
            and not is_condition_only(text)
        ):
            rest = core
        else:
            return []
    rest = _LEADING_FILLER.sub("", rest.strip())
    first = _CLAUSE_END.split(rest, maxsplit=1)[0]
    items = []
    second = _SECOND_ITEM.search(first)
    if second:
        items.append(_clean_item(first[: second.start()]))
        items.append(_clean_item(second.group("second")))
    else:
        items.append(_clean_item(first))
    items = [
        item
        for item in items
        if not (item and (is_condition_only(item) or is_chatter(item) or _PHOTO_WORD.search(item)))
    ]
    return [item for item in items if item and not is_vague(item)] or (
        ["?"] if any(is_vague(i) for i in items if i) else []
    )


def is_vague(item: str) -> bool:
    """True for an 'item' that names nothing ('some stuff', 'a few things')."""
    words = re.findall(r"[a-z]+", item.lower())
    return not words or all(w in VAGUE_WORDS or w in {"a", "of", "my", "the", "and", "old"} for w in words)


_CHATTER = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|yo|thanks|thank you|thx|cheers|cool|great|awesome|nice|perfect|bye|goodbye|"
    r"good (?:morning|afternoon|evening)|ok|okay|sure|yes|no|what|why|how|who|help|\?)\b[^a-z]*"
    r"(?:(?:so much|a lot|you|there|again|thanks)\b[^a-z]*)*$",
    re.I,
)


def is_chatter(text: str) -> bool:
    """Greetings, thanks and bare yes/no: never an item."""
    return (
        bool(_CHATTER.match(text))
        or is_affirmative(text)
        or bool(_NEGATIVE.match(text))
        or text.endswith("?")
    )


def is_affirmative(text: str) -> bool:
    core = strip_discourse(text)
    said_yes = bool(_AFFIRMATIVE.match(text)) or bool(core and _AFFIRMATIVE.match(core))
    return said_yes and not _DONT_POST.search(text)


_CHANGE_OF_MIND = re.compile(
    r"\b(?:actually|changed? my mind|on second thought|on reflection|after all|reconsidered|thought about it)\b",
    re.I,
)
_POST_WISH = re.compile(
    r"\b(?:post|list|publish|put up)\s+(?:it|that|this|them|the (?:draft|listing|ad))\b|\bgo ahead\b|"
    r"\b(?:post|list|publish)\s+(?:after all|anyway)\b",
    re.I,
)


def wants_to_post(text: str) -> bool:
    """A clear wish to post a declined draft after all: 'actually yes, post it', 'sorry, I changed my mind,
    please post it'. A bare 'yes' is not clear enough after a decline (yes to what?)."""
    if _DONT_POST.search(text) or _NEGATIVE.match(strip_discourse(text) or "x"):
        return False
    core = strip_discourse(text).strip(" ,.!")
    if _POST_WISH.search(text):
        return True
    return bool(_CHANGE_OF_MIND.search(text)) and (not core or is_affirmative(core))


def is_negative(text: str) -> bool:
    return bool(_NEGATIVE.match(text)) or bool(_DONT_POST.search(text))


def is_prohibited(text: str) -> bool:
    return bool(prohibited_words(text))


_INSIST = re.compile(
    r"\b(?:come on|legal|allowed|it'?s fine|it'?s ok(?:ay)?|just (?:list|post|sell|do)|why not|"
    r"(?:list|post|sell|do|publish) (?:it|them|that|this|those|these)|make an exception|i insist|"
    r"no one will know|nobody will know|hunting|collector)\b",
    re.I,
)


def insists(text: str) -> bool:
    """True when the seller, just refused, pushes for the same thing ('Come on, it's legal. Just list it')
    rather than naming something else."""
    return bool(_INSIST.search(text))


_UNSURE = re.compile(
    r"\b(?:not sure|no idea|don'?t know|do not know|dunno|unsure|idk|no clue|hard to say|can'?t say|"
    r"not certain)\b",
    re.I,
)
_SUGGEST = re.compile(
    r"\b(?:suggest|suggested|suggestion|recommend|recommended|you (?:pick|choose|decide|tell me|set it)|up to you|"
    r"whatever you (?:think|say)|what do you think|your call|market (?:price|value)|going rate|"
    r"price it for me|the usual price)\b",
    re.I,
)


def is_unsure(text: str) -> bool:
    """'not sure', 'no idea', 'I don't know': the seller can't answer the question as asked."""
    return bool(_UNSURE.search(text))


def wants_suggestion(text: str) -> bool:
    """'what would you suggest?', 'you pick', 'up to you': the seller leaves the price to the agent."""
    return bool(_SUGGEST.search(text))


def is_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def injection_start(text: str) -> int | None:
    """Where an attempt to take over the agent starts in `text` (the sentence it is in), or None."""
    m = _INJECTION.search(text)
    if m is None:
        return None
    sentence = max(text.rfind(mark, 0, m.start()) for mark in (".", "!", "?", "\n"))
    return sentence + 1 if sentence >= 0 else 0


def is_non_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if ord(ch) > 0x24F) / len(letters) > 0.3:
        return True  # mostly non-Latin script
    return len(_NON_ENGLISH.findall(text)) >= 2


_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
_PICKED_NUMBER = re.compile(
    r"^\s*(?:#|no\.?\s*|number\s*|option\s*|choice\s*)?(\d)(?:\s*[.,)!:;-]|\s*$|\s+(?:please|pls|thanks|it)\b)|"
    r"(?:#|\bnumber|\boption|\bchoice|\bcategory)\s*(\d)\b",
    re.I,
)
_CHOICE_STOPWORDS = _wordset(
    "the a an of and or it is its it's one ones my i i'd say that this please for in on with like kind sort "
    "more yes go pick choose want mean think guess probably maybe closer closest best fits fit"
)
_NONE_OF_THESE = re.compile(
    r"^\s*(?:no|nope|nah|wrong)\s*[.!]?\s*$|\b(?:none|neither)\b|\bnot (?:those|these|them|any|quite|really|it)\b|"
    r"\bsomething else\b|\bother\b|\bdon'?t fit\b|\bdoesn'?t fit\b|\bwrong (?:categor|ones?|options?)",
    re.I,
)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def rejects_options(text: str) -> bool:
    """'none of these', 'neither', 'something else': none of the offered categories fits."""
    return bool(_NONE_OF_THESE.search(text))


def parse_choice(text: str, options: list[str], item: str = "") -> int | None:
    """Which of `options` (0-based) the seller picked: '2', 'the second one', or words that single out one
    option ('the robotic one'). Words of the item itself ('mower' for a lawn mower) single out nothing, and
    a description matching no option ('it's a walk-behind mower') is None: not an option, search again."""
    lowered = text.lower().strip()
    words = re.findall(r"[a-z0-9']+", lowered)
    m = _PICKED_NUMBER.search(lowered)
    number = (m.group(1) or m.group(2)) if m else None
    if number is None and len(words) <= 3:
        lone = re.findall(r"\b(\d)\b", lowered)
        number = lone[0] if len(lone) == 1 else None
    if number is not None and 1 <= int(number) <= len(options):
        return int(number) - 1
    if len(words) <= 6:
        for word, position in _ORDINALS.items():
            if re.search(rf"\b{word}\b", lowered):
                index = position - 1 if position > 0 else len(options) - 1
                if 0 <= index < len(options):
                    return index
    spelled = re.fullmatch(r"(?:(?:option|number|choice)\s+)?(one|two|three|four)\s*[.!]?", lowered)
    if spelled and _NUMBER_WORDS[spelled.group(1)] <= len(options):
        return _NUMBER_WORDS[spelled.group(1)] - 1
    known = {_stem(w) for w in re.findall(r"[a-z]+", item.lower())}
    said = {_stem(w) for w in words if w not in _CHOICE_STOPWORDS} - known
    overlaps = []
    for option in options:
        name = option.rsplit(" > ", 1)[-1].lower()
        overlaps.append(len(said & ({_stem(w) for w in re.findall(r"[a-z]+", name)} - {"and", "the", "of"})))
    best = max(overlaps, default=0)
    if best == 0 or overlaps.count(best) > 1:
        return None
    return overlaps.index(best)
