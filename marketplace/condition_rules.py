"""A seed listing's condition, normalised to the `Condition` enum from what the CraigslistBargain source says.

Evidence, strongest first (`condition_basis` records which one decided):

1. `title`: the title says the item is for parts or does not work ("iPhone 7 for parts", "Not running").
   This overrides the condition field: sellers pick "like new" and then write "for parts" in the title.
2. `title_status`: a car whose title status is "parts only" (it cannot be registered again).
3. `stated`: Craigslist's condition field for goods (new, like new, excellent, good, fair, salvage).
   `attribute`: the same field for cars; there "salvage" is often a salvage *title* rather than a wreck,
   so it means for parts only when the ad says the car does not run or is parted out, and fair otherwise.
4. `title`: a condition phrase in the title ("brand new", "like new", "excellent condition", "needs work").
5. `description`: the description says plainly that the item is for parts or does not run.
6. `title_status`: a car with a salvage or rebuilt title and no condition stated anywhere above is `fair`:
   a branded title is worth well below a clean one and usually follows an accident, but the car mostly
   still drives, so it is not `for_parts`.
7. `description`: a condition phrase in the description, in a clear form only ("in excellent condition",
   "never used", "barely used", "works great", "needs some work"). A phrase about a part ("tires in
   great condition", "brand new battery", "the A/C doesn't work") or negated ("not in perfect
   condition") does not count, and bare words ("broken", "salvage", "new") never do: they are too often
   about something else ("never been jail broken", "clean or salvage title, we buy both").
8. `assumed`: nothing said; `good`.

In the car section an inferred `new` becomes `like_new` (a car sold second-hand is not unused; a "brand new
condition" car has miles on it); the sellers' own `new` attribute is kept.
"""

from __future__ import annotations

import re
from typing import Any

from marketplace.conditions import CRAIGSLIST_CONDITIONS, Condition

# Things that are part of an item: a condition phrase about one of these describes the part, not the item
# ("tires are in great condition", "brand new battery", "the heater doesn't work").
_PARTS = (
    r"tires?|tyres?|brakes?|rotors?|battery|batteries|interior|exterior|paint|paint ?job|body|body ?work|"
    r"seats?|leather|upholstery|carpets?|headliner|dash(board)?|screen|lcd|display|digitizer|case|cover|"
    r"glass|wheels?|rims?|engine|motor|transmission|tranny|trans|clutch|timing belt|roof|cushions?|"
    r"fabric|box|packaging|charger|cables?|accessories|lens|pads?|tread|parts?|kit|a/?c|heater|radio|stereo|"
    r"speakers?|windows?|gauges?|buttons?|headlights?|tail ?lights?|camera|sensors?|remote|keys?|doors?|"
    r"locks?|horn|wipers?|mirrors?|ports?|pedals?|chain|cassette|derailleurs?|shifters?|saddle|tubes?|"
    r"fork|shocks?|struts?|suspension|exhaust|alternator|starter|pump|hitch|tint|drawers?|knobs?|turntable|"
    r"tuner|trailer|relay|fans?|compressor|blower|injectors?|soft ?top|hard ?top|convertible top"
)
_PART_NOUN = re.compile(rf"\b({_PARTS})\b", re.I)
_NEGATION = re.compile(
    r"\b(not|isn'?t|aren'?t|wasn'?t|no longer|never|won'?t|wont|will not|don'?t|do not|didn'?t)\b(\s+\w+){0,2}\s*$",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n*•|()\[\]~]|\s-\s|\band\b|\bbut\b", re.I)
_BEFORE_NEW = re.compile(
    r"\b(bought|purchased|got|paid|retails?|retail|msrp|when|was|originally|pretty much|almost|nearly|"
    r"practically|basically|virtually|like|looks?|as good as|close to)\b[\w\s$,.]*$",
    re.I,
)
_FUNCTION_VERB = re.compile(r"\b(runs?|drives?|handles?|performs?|shifts?|sounds?|rides?)\s*$", re.I)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# --- For parts ---------------------------------------------------------------------------------------
# In a title these override the condition field; in a description they must be this explicit.
_TITLE_PARTS = _rx(
    r"\bfor (spare )?parts\b|\bparts only\b|\bas parts\b|\bparts or repair\b|\bpart(ing)? (it )?out\b|"
    r"\bnot working\b|\bnon[- ]?working\b|\b(doesn'?t|does not|won'?t|will not|don'?t|do not) "
    r"(work|run|drive|start|turn on|power on|boot)\b|\bnot running\b|\bnon[- ]?runn(er|ing)\b|\bno (engine|motor)\b"
    r"(?!\s+(lights?|issues?|problems?|noises?|leaks?|codes?|smoke))|"
    r"\bneeds? (a )?(new )?(engine|motor|transmission)\b|\bblown (engine|motor|head ?gasket)\b|"
    r"\brolling (shell|chassis)\b"
)

# Weaker, in a title only and only when no condition field was filled in.
_TITLE_BROKEN = _rx(
    r"(?<!jail )(?<!jail-)\bbroken\b(?! in\b)|\bwater damaged?\b|\bdead\b|\bicloud locked\b|"
    r"\bactivation lock(ed)?\b|\bbad (esn|imei)\b|\bblacklisted\b"
)
_DESCRIPTION_PARTS = _rx(
    r"\bfor (spare )?parts only\b|\bparts only\b|\b(sold|sell|selling|sell it|selling it) (as is )?(as|for) "
    r"parts\b|(?<!can be )(?<!could be )\b(good|great|use|used) (it )?for parts\b|\bfor parts or (repair|restor\w*|fix\w*)\b|"
    r"\b(repair|restore|fix it|fix) or (use )?(it )?(for )?parts\b|\bpart(ing)? (it )?out\b|"
    r"\bnot running\b|\bnon[- ]?runn(er|ing)\b|"
    r"(?<!sometimes )\b(doesn'?t|does not|won'?t|will not) (run|drive|start|turn on|power on|power up|boot)\b|"
    r"\bno (engine|motor)\b(?!\s+(lights?|issues?|problems?|noises?|leaks?|codes?|smoke))|"
    r"\bblown (engine|motor|head ?gasket)\b|\brolling (shell|chassis)\b"
)
# A non-running car, for a car whose condition field says "salvage".
_CAR_WRECK = _rx(
    _DESCRIPTION_PARTS.pattern + r"|\bstripped\b|\bshell\b|\bneeds? (a )?(complete|full) restoration\b|"
    r"\bneed(s|ed)? too much work\b"
)

# --- New to fair -------------------------------------------------------------------------------------
_NEW_TITLE = _rx(
    rf"\bbrand[- ]new\b(?!\s+(condition|{_PARTS})\b)|\bnew in (the |original |sealed )?box\b|\b(b?nib|nwt)\b|"
    r"\bnever (been )?(used|opened|worn|ridden)\b|\bunopened\b|(?<!un)\bsealed\b|\bstill in (the )?box\b|"
    r"\bnew with(out)? tags\b|^\W*new\b(?!\s+(balance|beetle|york|england|condition)\b)|\bnew\W*$|\(new\)|"
    r"\s-\s*new\b"
)
_NEW_DESCRIPTION = _rx(
    r"\bnew in (the |original |sealed )?(box|package|packaging)\b|\b(b?nib|nwt)\b|"
    r"\bnever (been )?(used|opened|worn|installed|taken out of the box)\b(?! (it )?(much|often|that))|"
    r"\bunopened\b|"
    r"\b(still|factory|brand[- ]new,?) sealed\b|\bsealed in (the )?(box|package|packaging|plastic)\b|"
    rf"\b(is|it'?s|its|still|totally|completely|all|they'?re|are) brand[- ]new\b(?!\s+(condition|{_PARTS})\b)|"
    r"\bbrand[- ]new,? never\b|"
    # "Brand new iPhone 7 ...", "Selling a brand new Trek ..." at the start of a sentence: the item itself
    r"(?:^|[.!]\s+)(?:(?:i'?m |i am )?selling |for sale:? |i have |up for sale is )?(?:an? |my |this )?"
    rf"brand[- ]new\b(?!\s+(condition|{_PARTS})\b)"
)
_LIKE_NEW_TITLE = _rx(
    r"\blike[- ]?new\b|\b(brand[- ])?new condition\b|\bnear(ly)?[- ]new\b|\balmost new\b|\bbarely used\b|"
    r"\bhardly used\b|\bused (only )?(once|twice|a (few|couple( of)?) times|\d+ ?(x|times))\b|"
    r"\b(near[- ])?mint\b(?![- ](green|color|colou?red))"
)
_LIKE_NEW_DESCRIPTION = _rx(
    r"\blike[- ]?new\b|\b(brand[- ])?new condition\b|\bnear(ly)?[- ]new\b|\balmost new\b|\bbarely used\b|"
    r"\bhardly used\b|\bused (only )?(once|twice|a (few|couple( of)?) times|\d+ ?(x|times))\b|"
    r"\bmint condition\b|\bin mint\b|"
    r"\b(pretty much|almost|nearly|practically|basically|virtually|looks?|as good as|close to) brand[- ]new\b"
)
# For a vehicle, a description's "like new" or "brand new" is nearly always about a part or how it drives
# ("brand new tires", "runs like new"): only the plain statement of a condition counts.
_LIKE_NEW_VEHICLE = _rx(r"\b(like[- ]?new|brand[- ]new|new|mint) condition\b|\bcondition:? like new\b")
_EXCELLENT = (
    r"\b(excellent|great|perfect|pristine|immaculate|fantastic|superb|outstanding|awesome|amazing|"
    r"top|showroom) (working )?(condition|cond|shape)\b|\b(lightly|gently) used\b|\b(9|9\.5|10)/10 condition\b|"
    r"\bflawless\b"
)
_EXCELLENT_TITLE = _rx(
    _EXCELLENT
    + r"|(?<!runs )(?<!drives )(?<!works )(?<!running )\bexcellent\b(?! (price|deal|commuter|mpg|gas))"
)
_EXCELLENT_DESCRIPTION = _rx(_EXCELLENT)
_FAIR = (
    r"\b(fair|ok|okay|rough|average|so-so|poor) (condition|cond|shape)\b|"
    r"\bneeds? (some |a little |a bit of |minor |a lot of )?(work|tlc|love|repairs?|attention|fixing|body ?work)\b|"
    r"\bmechanic'?s? special\b|\bfixer[- ]?upper\b|\bfor restoration\b|\bneeds? restor\w*\b|"
    r"\b(cracked|broken|shattered) (screen|glass|glasses|lcd|display|back|front)\b|"
    r"\b(lots of|heavy|significant) (wear|scratches|dents|rust)\b"
)
_FAIR_TITLE = _rx(_FAIR + r"|\bproject\b|\bas[- ]is\b|\bcracked\b|\bdamaged?\b|\brestore\b")
_FAIR_DESCRIPTION = _rx(_FAIR + r"|\bproject (car|truck|bike|vehicle)\b|\b(great|fun|good) project\b")
_GOOD = (
    r"\b(good|nice|decent|solid|very good|working|great working) (condition|cond|shape)\b|"
    r"\b(works|working|runs|running|drives|runs and drives|run'?s and drives) ((very|really|super|so) )?"
    r"(great|good|well|perfect(ly)?|fine|excellent|strong|smooth(ly)?|like a charm)\b|"
    r"\bin (good )?working order\b|\bfully (functional|working)\b"
)
_GOOD_TITLE = _rx(_GOOD)
_GOOD_DESCRIPTION = _rx(_GOOD)

# Checked in this order: an ad that says both "excellent condition" and "needs some work" is fair.
_TITLE_PHRASES: list[tuple[Condition, re.Pattern[str]]] = [
    (Condition.NEW, _NEW_TITLE),
    (Condition.LIKE_NEW, _LIKE_NEW_TITLE),
    (Condition.FAIR, _FAIR_TITLE),
    (Condition.EXCELLENT, _EXCELLENT_TITLE),
    (Condition.GOOD, _GOOD_TITLE),
]
_DESCRIPTION_PHRASES: list[tuple[Condition, re.Pattern[str]]] = [
    (Condition.NEW, _NEW_DESCRIPTION),
    (Condition.LIKE_NEW, _LIKE_NEW_DESCRIPTION),
    (Condition.FAIR, _FAIR_DESCRIPTION),
    (Condition.EXCELLENT, _EXCELLENT_DESCRIPTION),
    (Condition.GOOD, _GOOD_DESCRIPTION),
]

_VEHICLE_DESCRIPTION_PHRASES: list[tuple[Condition, re.Pattern[str]]] = [
    (Condition.LIKE_NEW, _LIKE_NEW_VEHICLE),
    (Condition.FAIR, _FAIR_DESCRIPTION),
    (Condition.EXCELLENT, _EXCELLENT_DESCRIPTION),
    (Condition.GOOD, _GOOD_DESCRIPTION),
]

_SALVAGE_TITLES = frozenset({"salvage", "rebuilt"})
# The description of a car whose title status field says "clean" may still say it has a salvage title; not
# "clean or salvage title, we buy both".
_SALVAGE_TITLE_TEXT = _rx(r"(?<!or )(?<!clean )\b(salvaged?|rebuilt|branded) (title|titled|tittle)\b")


def _clause_before(text: str, start: int) -> str:
    """The words before position `start` in the same clause (at most 60 characters back)."""
    return _CLAUSE_BREAK.split(text[max(0, start - 60) : start])[-1]


def _counts(text: str, match: re.Match[str], condition: Condition, *, in_description: bool) -> bool:
    """Whether a phrase match says something about the item as a whole."""
    before = _clause_before(text, match.start())
    if _NEGATION.search(before):
        return False  # "not in perfect condition", "never been broken"
    if condition is Condition.NEW and _BEFORE_NEW.search(before):
        return False  # "bought brand new in 2015", "retails $300 new"
    if condition is Condition.LIKE_NEW and _FUNCTION_VERB.search(before):
        return False  # "runs like new" says how it runs
    # "tires in great condition", "A/C doesn't work": a part, not the item (titles name the item first)
    return not (in_description and _PART_NOUN.search(before))


def _find(text: str, pattern: re.Pattern[str], condition: Condition, *, in_description: bool) -> bool:
    return any(_counts(text, m, condition, in_description=in_description) for m in pattern.finditer(text))


def infer_condition(text: str, *, in_description: bool = False, vehicle: bool = False) -> Condition | None:
    """The condition a title (or, with `in_description`, a description) states, if it states one clearly.
    `vehicle`: the listing is a car or another motor vehicle (see the module docstring)."""
    parts = _DESCRIPTION_PARTS if in_description else _TITLE_PARTS
    if _find(text, parts, Condition.FOR_PARTS, in_description=in_description):
        return Condition.FOR_PARTS
    if not in_description and _find(text, _TITLE_BROKEN, Condition.FOR_PARTS, in_description=False):
        return Condition.FOR_PARTS
    if not in_description:
        phrases = _TITLE_PHRASES
    else:
        phrases = _VEHICLE_DESCRIPTION_PHRASES if vehicle else _DESCRIPTION_PHRASES
    for condition, pattern in phrases:
        if _find(text, pattern, condition, in_description=in_description):
            return Condition.LIKE_NEW if vehicle and condition is Condition.NEW else condition
    return None


def condition_of(raw: dict[str, Any], *, vehicle: bool = False) -> tuple[Condition, str]:
    """A source listing's condition and what it was read from: stated | attribute | title | title_status |
    description | assumed (see the module docstring for the order). `vehicle`: the listing is filed under
    motor vehicles (the car section also holds parts: rims, racks, a storage box)."""
    title = str(raw.get("title", ""))
    description = " ".join(raw.get("description") or [])
    car_section = raw.get("category") == "car"
    attrs: dict[str, Any] = raw.get("attrs") or {}
    title_status = str(attrs.get("title status", "")).strip().lower()

    if _find(title, _TITLE_PARTS, Condition.FOR_PARTS, in_description=False):
        return Condition.FOR_PARTS, "title"
    if vehicle and title_status == "parts only":
        return Condition.FOR_PARTS, "title_status"
    if car_section:
        field = str(attrs.get("condition", "")).strip().lower()
        if field == "salvage":
            wreck = _find(description, _CAR_WRECK, Condition.FOR_PARTS, in_description=True)
            return (Condition.FOR_PARTS if wreck else Condition.FAIR), "attribute"
        if field in CRAIGSLIST_CONDITIONS:
            return CRAIGSLIST_CONDITIONS[field], "attribute"
    else:
        item = str(raw.get("item", "")).strip().lower()
        if item in CRAIGSLIST_CONDITIONS:
            return CRAIGSLIST_CONDITIONS[item], "stated"
    from_title = infer_condition(title, vehicle=vehicle)
    if from_title not in (None, Condition.GOOD, Condition.FAIR):
        return from_title, "title"
    # "Runs great" or "mechanic special" in a title does not outweigh "doesn't start" in the description,
    # and "runs great" does not outweigh "needs work" or a salvage title either.
    if _find(description, _DESCRIPTION_PARTS, Condition.FOR_PARTS, in_description=True):
        return Condition.FOR_PARTS, "description"
    if from_title is Condition.FAIR:
        return Condition.FAIR, "title"
    from_description = infer_condition(description, in_description=True, vehicle=vehicle)
    if from_description is Condition.FAIR:
        return Condition.FAIR, "description"
    if vehicle and title_status in _SALVAGE_TITLES:
        return Condition.FAIR, "title_status"
    if vehicle and _find(description, _SALVAGE_TITLE_TEXT, Condition.FAIR, in_description=True):
        return Condition.FAIR, "description"
    if from_title is Condition.GOOD:
        return Condition.GOOD, "title"
    if from_description is not None:
        return from_description, "description"
    return Condition.GOOD, "assumed"
