"""The offline policy's word lists and rule tables, loaded once from `agent/offline/data/*.yaml`.

Each file is validated by a pydantic model, so a typo in a rule fails at load with the file and field named,
and every pattern is compiled here (case-insensitive) so the readers only match.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from tools.types import Condition

DATA = Path(__file__).with_name("data")
_M = TypeVar("_M", bound=BaseModel)
# libyaml's loader where PyYAML was built with it: the same documents, read about ten times faster (the
# rules are read on a conversation's first message).
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # a safe loader


def _load(name: str, model: type[_M]) -> _M:
    path = DATA / f"{name}.yaml"
    return model.model_validate(read_yaml(path))


def _one_line(pattern: str) -> str:
    """A pattern written over several YAML lines ('>-' folds them with spaces): joined without the spaces."""
    return re.sub(r"\s*\n\s*", "", pattern).replace("\n", "")


def alternatives(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def words_re(patterns: list[str]) -> re.Pattern[str]:
    """Any of `patterns`, as whole words."""
    return re.compile(rf"(?<![\w'-])(?:{alternatives(patterns)})(?![\w'-])", re.I)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConditionData(_Data):
    stated_grades: dict[str, Condition]
    grades: dict[Condition, list[str]]
    answer_grades: dict[str, Condition]
    not_grades: list[str]
    usage: dict[Condition, list[str]]
    negations: str
    works_otherwise: str
    respelled: list[tuple[str, str]]  # a mistyped condition word and the word meant ("barley used")
    grade_question: str
    told_grade: (
        str  # "say good": the grade to use, named by the seller; `{grades}` stands for any stated grade
    )


class DamageData(_Data):
    fatal: list[str]
    defect: list[str]
    cosmetic: list[str]
    packaging: list[str]
    parts: list[str]
    needs_part: str  # "needs brakes": a part it needs, a defect; `{parts}` stands for any of `parts`
    part_fails: str  # "the igniter doesn't work": said of a named part, a faulty part (a defect)


class AmountData(_Data):
    price_before: list[str]
    ambiguous_before: list[str]
    service_before: list[str]
    mileage_after: str
    repair_words: str
    smallest_ambiguous: float
    resolutions: list[str]
    price_after: list[str]
    units: list[str]
    name_before: list[str]
    bare_before: list[str]
    paid: str
    paid_told_after: str
    per_item: str
    whole_lot: str
    number_words: dict[str, int]
    free: list[str]
    free_anywhere: list[str]
    relative_down: list[str]
    relative_up: list[str]
    one_after: list[str]
    corrections: list[str]
    raise_unsaid: list[str]
    too_high: str
    too_low: str
    lower_unsaid: list[str]
    unsaid_share: float
    count_after: str

    @field_validator("paid", "paid_told_after")
    @classmethod
    def _joined(cls, v: str) -> str:
        return _one_line(v)


class QuantityData(_Data):
    measures: list[str]  # weight, length, area, volume: "5 pounds" is no price
    not_counts: list[str]  # words ending in -s that count nothing ("300 thanks")


class VoiceData(_Data):
    lead_fillers: str  # "no wait", "i forgot to mention": talk opening a sentence, not the listing's words
    trail_fillers: str
    instruction_lead: str  # "change the description to mention": the fact follows
    question_lead: str  # "what do you think its worth": asks, tells nothing
    its_before: str  # "its got": "it's got"


class IntentData(_Data):
    accept: str
    decline: str
    bare_no: str
    dont_post: str
    keep: str
    discourse: str
    leading_no: str
    unsure: str
    suggest: str
    value: str
    meta: str
    chatter: str
    change_of_mind: str
    post_wish: str
    insist: str
    injection: str
    non_english: list[str]
    fillers: list[str]
    pictographs: str
    none_of_these: str
    category_change: str
    any_option: str
    choice_assent: str
    photo_words: str
    title_change: str
    description_add: str
    draft_addition: str
    addition_lead: str
    field_set: str
    field_change: str
    field_words: dict[str, str]
    question_start: str
    description_remove: str
    field_question: str
    not_a_make: list[str]
    model_words: list[str]
    grade_question: str
    price_talk: str
    shorten: str
    value_fields: list[str]
    price_why: str
    price_basis: str


class ItemData(_Data):
    sell_intro: str
    mention: str
    mention_before: str
    value_item: str
    correction: str
    kind_named: str
    not_kinds: list[str]
    leading_filler: str
    clause_end: str
    damaged_parts: list[str]  # parts never sold as the item when named after it ("iphone screen cracked")
    part_damage: str  # what is wrong with such a part, said after it
    part_items: list[str]  # a part named so is the item ("projector screen")
    state_first: str
    trailing_filler: str
    second_item: str
    item_list: str
    all_items: str
    vague: list[str]
    sales_talk: list[str]
    talk_words: list[str]
    family_words: list[str]
    tag_question: str
    reason_first: str
    reason_before: str
    reason_short: str
    it_is_item: str
    state_kept: str
    state_told: str
    occasion: str
    reason_link: str
    after_reason: str
    not_a_model: list[str]
    not_items: list[str]
    sold_how: str
    sold_apart: str
    item_joints: list[str]
    hanging_words: list[str]
    pronoun_item: str
    named_later: str
    sweeping: str
    pronoun_named: str
    first_named: str
    choice_stopwords: list[str]
    condition_fillers: list[str]
    instruction: str
    bundle: str
    add_fillers: list[str]
    photo_of: str
    other_subject: str
    possessive: str
    usage_fact: str
    selling_reason: str


class ProhibitedData(_Data):
    words: list[str]
    benign_before: list[str]
    gear: list[str]
    benign_after: list[str]
    media: list[str]


class ServiceTopic(_Data):
    name: str
    pattern: str
    answer: str
    # A question about the conversation itself ("what does this list mean?"): its words name no item.
    names_no_item: bool = False


class ServiceOffer(_Data):
    pattern: str
    answer: str


class ServiceData(_Data):
    asking: str
    services: ServiceOffer
    condition_guide: str
    topics: list[ServiceTopic]
    foreign_currency: str  # said when a price comes in another currency: {said} as typed, {price} in dollars


class DraftingData(_Data):
    condition_lines: dict[Condition, list[str]]
    condition_lines_several: dict[Condition, list[str]]
    damage_lines: dict[Condition, str]
    damage_lines_several: dict[Condition, str]
    several_start: str
    not_head: list[str]
    head_end: str
    closings_several: list[str]
    singular_s: list[str]
    closings: list[str]
    verbs: dict[str, list[str]]
    verbs_not_under: list[str]
    casing: dict[str, str]
    line_model_words: dict[str, dict[str, str]]  # a line's model words as written ("iPhone 12 mini")
    assumed_condition: Condition
    grade_asked_in: list[str]  # category paths whose items' grade is asked, never read from "runs great"
    grade_restated: str  # damage or a sentence that only says it is sold for parts, as the grade's line does
    lot_words: str  # a listing title that sells several things as one ("set of 4", "pair of")
    short_title_condition: dict[Condition, str]  # completes a title shorter than the marketplace allows
    condition_basis: str  # the comparison's reason that names the listings' conditions
    likeness_basis: str  # the comparison's reason that names the listings most like the item


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(_one_line(pattern), re.I | flags)


class Lexicon:
    """Every rule, compiled."""

    def __init__(self) -> None:
        self.conditions = _load("conditions", ConditionData)
        self.damage = _load("damage", DamageData)
        self.amounts = _load("amounts", AmountData)
        self.quantities = _load("quantities", QuantityData)
        self.voice = _load("voice", VoiceData)
        self.intents = _load("intents", IntentData)
        self.items = _load("items", ItemData)
        self.prohibited = _load("prohibited", ProhibitedData)
        self.drafting = _load("drafting", DraftingData)
        # how selling here works: (topic, its pattern, the answer)
        service = _load("service", ServiceData)
        self.service_asking = _compile(service.asking)
        self.service_offer = _compile(service.services.pattern)
        self.service_offer_answer = service.services.answer
        self.condition_guide = service.condition_guide
        self.service = [(_compile(t.pattern), t.answer, t.names_no_item) for t in service.topics]
        self.foreign_currency = service.foreign_currency
        i = self.intents
        self.accept = _compile(rf"^\s*(?:{_one_line(i.accept)})(?![\w])")
        self.accept_only = _compile(
            # "ok whatever, post": a grudging yes is still a yes
            rf"^\s*(?:{_one_line(i.accept)})[\s,!.]*(?:(?:{_one_line(i.accept)}|whatever|i guess)[\s,!.]*)*"
            rf"(?:(?:please|thanks|thank you|then|now)[\s!.]*)*$"
        )
        self.decline = _compile(i.decline)
        self.bare_no = _compile(i.bare_no)
        self.dont_post = _compile(i.dont_post)
        self.keep = _compile(i.keep)
        self.discourse = _compile(i.discourse)
        self.leading_no = _compile(i.leading_no)
        self.unsure = _compile(i.unsure)
        self.suggest = _compile(i.suggest)
        self.value = _compile(i.value)
        self.meta = _compile(i.meta)
        self.chatter = _compile(i.chatter)
        self.change_of_mind = _compile(i.change_of_mind)
        self.post_wish = _compile(i.post_wish)
        self.insist = _compile(i.insist)
        self.injection = _compile(i.injection)
        self.non_english = words_re([re.escape(w) for w in i.non_english])
        self.fillers = words_re([re.escape(w) for w in i.fillers])
        self.pictographs = re.compile(i.pictographs)
        self.none_of_these = _compile(i.none_of_these)
        self.category_change = _compile(i.category_change)
        self.any_option = _compile(i.any_option)
        self.choice_assent = _compile(i.choice_assent)
        self.photo_words = _compile(i.photo_words)
        self.title_change = _compile(i.title_change)
        self.description_remove = _compile(i.description_remove)
        self.description_add = _compile(i.description_add)
        self.draft_addition = _compile(i.draft_addition)
        self.addition_lead = _compile(i.addition_lead)
        self.field_change = _compile(i.field_change)
        self.field_set = _compile(i.field_set)
        self.shorten = _compile(i.shorten)
        self.value_fields = frozenset(w.lower() for w in i.value_fields)
        self.price_why = _compile(i.price_why)
        self.price_basis = _compile(i.price_basis)
        self.field_words = {name: _compile(p) for name, p in i.field_words.items()}
        self.question_start = _compile(i.question_start)
        self.field_question = _compile(i.field_question)
        self.not_a_make = frozenset(w.lower() for w in i.not_a_make)
        self.model_words = {w.lower(): w for w in i.model_words}  # as written
        self.grade_question = _compile(i.grade_question)
        self.price_talk = _compile(i.price_talk)
        it = self.items
        self.sell_intro = _compile(it.sell_intro, re.S)
        self.mention = _compile(it.mention, re.S)
        self.mention_before = _compile(it.mention_before)
        self.value_item = _compile(it.value_item)
        self.correction = _compile(it.correction, re.S)
        self.leading_filler = _compile(it.leading_filler)
        self.clause_end = _compile(it.clause_end)
        self.state_first = _compile(it.state_first)
        self.trailing_filler = _compile(it.trailing_filler)
        self.second_item = _compile(it.second_item)
        self.item_list = _compile(it.item_list)
        self.all_items = _compile(it.all_items)
        self.vague = frozenset(it.vague)
        self.choice_stopwords = frozenset(it.choice_stopwords)
        self.condition_fillers = frozenset(it.condition_fillers)
        self.not_items = frozenset(it.not_items)
        self.sold_how = _compile(it.sold_how)
        self.sold_apart = _compile(it.sold_apart)
        self.kind_named = _compile(it.kind_named)
        self.not_kinds = frozenset(it.not_kinds)
        self.item_joints = frozenset(it.item_joints)
        self.hanging_words = frozenset(it.hanging_words)
        self.sales_talk = frozenset(it.sales_talk)
        self.talk_words = frozenset(it.talk_words)
        self.family_words = frozenset(it.family_words)
        self.tag_question = _compile(it.tag_question)
        self.reason_first = _compile(it.reason_first)
        self.reason_before = _compile(it.reason_before)
        self.reason_short = _compile(it.reason_short)
        self.it_is_item = _compile(it.it_is_item)
        self.state_kept = _compile(it.state_kept)
        self.state_told = _compile(it.state_told)
        self.occasion = _compile(it.occasion)
        self.reason_link = _compile(it.reason_link)
        self.after_reason = _compile(it.after_reason)
        self.not_a_model = frozenset(it.not_a_model)
        self.pronoun_item = _compile(it.pronoun_item)
        self.named_later = _compile(it.named_later, re.S)
        self.sweeping = _compile(it.sweeping)
        self.pronoun_named = _compile(it.pronoun_named)
        self.first_named = _compile(it.first_named)
        self.add_fillers = frozenset(it.add_fillers)
        self.bundle = _compile(it.bundle)
        self.instruction = _compile(it.instruction)
        self.photo_of = _compile(it.photo_of)
        self.other_subject = _compile(it.other_subject)
        self.possessive = _compile(it.possessive)
        self.usage_fact = _compile(it.usage_fact)
        self.selling_reason = _compile(it.selling_reason)


@cache
def lexicon() -> Lexicon:
    return Lexicon()
