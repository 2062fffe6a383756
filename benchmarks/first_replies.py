"""First replies: the share of varied seller replies to each question the agent asks that it handles sensibly.

Run: uv run python benchmarks/first_replies.py [--set measure|dev] [--model offline] [--failures N]

Each case puts the agent at one of its questions (what are you selling, what condition, which category,
what price, the draft's approval) with a short scripted context, sends one seller reply (an answer, an
answer to another question, a question back, extra information...), optionally a few follow-ups, and checks
what the agent did against the case's expected handling (`expect`). Prints, per question, how many cases
were handled sensibly.

Two sets, kept apart: `benchmarks/data/first_replies.yaml` (the measurement set: written before the policy
was reworked and run only to report) and `benchmarks/data/first_replies_dev.yaml` (the development set,
for tuning and debugging). Both go through the real agent, tools and an isolated in-process marketplace.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pydantic_ai.models  # noqa: E402
import yaml  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from agent.listing_agent import build_agent  # noqa: E402
from agent.models import resolve_model  # noqa: E402
from agent.session import ChatSession, TurnResult  # noqa: E402
from benchmarks.heldout_items import Taxonomy  # noqa: E402
from evals.isolation import shared_factory  # noqa: E402
from tools.client import MarketplaceClient  # noqa: E402
from tools.deps import TrovaDeps  # noqa: E402
from tools.publishing import Publisher  # noqa: E402
from tools.types import CategoryMatch, CategorySearchResult  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SETS = {"measure": DATA / "first_replies.yaml", "dev": DATA / "first_replies_dev.yaml"}

Question = Literal["item", "condition", "choice", "price", "draft"]

# What a question looks like in any model's words (the checks must not depend on one model's phrasing).
ASKS: dict[str, re.Pattern[str]] = {
    "item": re.compile(
        r"what (?:would you like|do you want|are you (?:looking )?(?:to )?sell(?:ing)?)|what'?s the item|"
        r"what is the item|which item|name the (?:thing|item)|what (?:kind|sort) of (?:item|thing)|"
        r"describe it (?:another|in other)|in other words",
        re.I,
    ),
    "condition": re.compile(r"\bcondition\b|\bwhat (?:state|shape)\b", re.I),
    "choice": re.compile(r"\bwhich (?:category|one)\b|\breply with the number\b|\b1\.\s", re.I),
    "price": re.compile(r"\bprice\b|\bhow much\b|\bin dollars\b", re.I),
    "draft": re.compile(r"\bapprove\b|\bpost (?:it|this)\b|\bwhat (?:should|to) (?:i )?change\b", re.I),
}
DECLINED = re.compile(
    r"won'?t post|not post|nothing (?:was|is|has been) (?:posted|listed)|cancel|dropped|leave it", re.I
)
REFUSED = re.compile(r"can'?t (?:help )?list|not allowed|isn'?t allowed|aren'?t allowed", re.I)
ENGLISH = re.compile(r"\benglish\b", re.I)
MONEY = re.compile(r"\$\s?\d")


class Expect(BaseModel):
    """The handling a case expects; every given field must hold (fields left out are not checked)."""

    model_config = ConfigDict(extra="forbid")

    condition: list[str] | None = None  # the first draft's condition is one of these
    price: float | None = None  # the first draft's price
    priced_from_comparables: bool | None = None  # the first draft's price is a market price
    item: str | None = None  # a category search after the reply used all these words
    same_item: bool | None = None  # no search for another item after the reply
    title_has: str | None = None  # the first draft's title has these words
    title_lacks: list[str] = Field(default_factory=list)  # ...and none of these
    description_has: list[str] = Field(default_factory=list)  # the first draft's description has one of these
    category: str | None = None  # the last price comparison (or draft category) is in this category
    asks: str | None = None  # the reply to the message asks this question (item/condition/choice/price/draft)
    not_asks: str | None = None
    value: bool | None = None  # the reply to the message speaks of money (a $ figure): a value answer
    draft: bool | None = None  # the reply to the message shows a draft (True) or none (False)
    created: bool | None = None  # a listing was created by the end (True) or nothing was (False)
    declined: bool | None = None  # the reply says nothing will be posted, and nothing is
    refused: bool | None = None  # the reply refuses a prohibited item, with no tool call
    english_only: bool | None = None  # the reply says it only understands English
    no_tools: bool | None = None  # no tool call in reply to the message
    one_of: list[Expect] = Field(default_factory=list)  # at least one of these holds too

    @classmethod
    def coerce(cls, raw: Any) -> Expect:
        if isinstance(raw, dict) and isinstance(raw.get("condition"), str):
            raw = {**raw, "condition": [raw["condition"]]}
        if isinstance(raw, dict) and "one_of" in raw:
            raw = {**raw, "one_of": [cls.coerce(r) for r in raw["one_of"]]}
        return cls.model_validate(raw)


class Context(BaseModel):
    model_config = ConfigDict(extra="forbid")
    say: list[str]
    asks: str
    # The categories the context's search offered when its cases were written, in that order. Answers
    # like "the 2nd" or "the kitchen one" refer to them, so the context offers them whatever category
    # search ranks today (its own benchmarks measure the search); later searches go to the marketplace.
    offers: list[str] = Field(default_factory=list)


class PinnedOffers(MarketplaceClient):
    """The marketplace client, whose first category search returns the context's pinned categories."""

    def __init__(self, *args: Any, offers: list[CategoryMatch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pinned: list[CategoryMatch] | None = offers or None

    async def search_categories(
        self, query: str, limit: int = 5, leaf_only: bool = False
    ) -> CategorySearchResult:
        if self.pinned is None:
            return await super().search_categories(query, limit, leaf_only)
        matches, self.pinned = self.pinned, None
        return CategorySearchResult(query=query, matches=matches)


@cache
def _category_ids() -> dict[str, int]:
    return {node.path: node_id for node_id, node in Taxonomy.shipped().by_id.items()}


def pinned(paths: list[str]) -> list[CategoryMatch]:
    """The context's offered categories as search matches, equally close, in their order."""
    ids = _category_ids()
    unknown = [p for p in paths if p not in ids]
    if unknown:
        raise ValueError(f"offers: no such category: {', '.join(unknown)}")
    return [CategoryMatch(id=ids[p], path=p, is_leaf=True, score=1.0) for p in paths]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    say: str
    then: list[str] = Field(default_factory=list)
    context: str | None = None  # a named context; the question's default when left out
    expect: Expect
    note: str = ""


class CaseSet(BaseModel):
    contexts: dict[str, Context]
    questions: dict[str, str]  # question -> its default context
    cases: list[Case]


def load(path: Path) -> CaseSet:
    raw = yaml.safe_load(path.read_text())
    cases = []
    for question, entries in raw["cases"].items():
        for entry in entries:
            entry = dict(entry)
            entry["expect"] = Expect.coerce(entry.get("expect", {}))
            cases.append(Case(question=question, **entry))
    return CaseSet(contexts=raw["contexts"], questions=raw["questions"], cases=cases)


@dataclass
class Outcome:
    case: Case
    ok: bool
    problems: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)


def _drafts(turns: list[TurnResult]) -> list[dict[str, Any]]:
    return [dict(d.args) for t in turns for d in t.drafts]


def _tool(turns: list[TurnResult], name: str) -> list[tuple[dict[str, Any], Any]]:
    return [(a.args, a.result) for t in turns for a in t.activity if a.name == name]


def check(expect: Expect, before: list[TurnResult], turns: list[TurnResult]) -> list[str]:
    """What did not hold, in words (empty when the case was handled as expected)."""
    problems: list[str] = []
    first = turns[0]
    drafts = _drafts(turns)
    draft = drafts[0] if drafts else None
    created = [c for t in before + turns for c in t.created]

    def need_draft(what: str) -> dict[str, Any] | None:
        if draft is None:
            problems.append(f"no draft to check {what}")
        return draft

    if (
        expect.condition is not None
        and (d := need_draft("the condition")) is not None
        and d.get("condition") not in expect.condition
    ):
        problems.append(f"condition {d.get('condition')}, expected {'/'.join(expect.condition)}")
    if (
        expect.price is not None
        and (d := need_draft("the price")) is not None
        and abs(float(d.get("price", -1)) - expect.price) > 0.01
    ):
        problems.append(f"price {d.get('price')}, expected {expect.price:g}")
    if expect.priced_from_comparables and (d := need_draft("the price")) is not None:
        comps = [r for _, r in _tool(before + turns, "compare_prices") if isinstance(r, dict)]
        last = comps[-1] if comps else {}
        # The suggested range, or the middle half of the comparables' prices: either is a market price.
        low = min((v for v in (last.get("suggested_low"), last.get("p25")) if v is not None), default=None)
        high = max((v for v in (last.get("suggested_high"), last.get("p75")) if v is not None), default=None)
        if (
            not last.get("count")
            or low is None
            or high is None
            or not (low - 0.01 <= float(d["price"]) <= high + 0.01)
        ):
            problems.append(f"price {d.get('price')} not from the comparables ({low}..{high})")
    searches = [str(a.get("query", "")) for a, _ in _tool(turns, "search_categories")]
    if expect.item is not None:
        words = set(expect.item.lower().split())
        if not any(words <= set(re.findall(r"[\w'-]+", q.lower())) for q in searches):
            problems.append(f"no search for {expect.item!r} (searched {searches})")
    if expect.same_item:
        earlier = {str(a.get("query", "")).lower() for a, _ in _tool(before, "search_categories")}
        other = [q for q in searches if q.lower() not in earlier]
        if other:
            problems.append(f"searched for another item: {other}")
    if expect.title_has is not None and (d := need_draft("the title")) is not None:
        title = str(d.get("title", "")).lower()
        if not all(w in title for w in expect.title_has.lower().split()):
            problems.append(f"title {d.get('title')!r} lacks {expect.title_has!r}")
    if expect.title_lacks and (d := need_draft("the title")) is not None:
        title_words = set(re.findall(r"[\w']+", str(d.get("title", "")).lower()))
        bad = [w for w in expect.title_lacks if w.lower() in title_words]
        if bad:
            problems.append(f"title {d.get('title')!r} has {bad}")
    if expect.description_has and (d := need_draft("the description")) is not None:
        text = str(d.get("description", "")).lower()
        if not any(w.lower() in text for w in expect.description_has):
            problems.append(f"description lacks any of {expect.description_has}")
    if expect.category is not None:
        paths = [
            str(r.get("category_path", "")) for _, r in _tool(turns, "compare_prices") if isinstance(r, dict)
        ]
        if not paths or expect.category.lower() not in paths[-1].lower():
            problems.append(f"category {paths[-1] if paths else None!r}, expected {expect.category!r}")
    if expect.asks is not None and not ASKS[expect.asks].search(first.reply):
        problems.append(f"reply does not ask the {expect.asks} question")
    if expect.not_asks is not None and ASKS[expect.not_asks].search(first.reply) and "?" in first.reply:
        problems.append(f"reply asks the {expect.not_asks} question")
    if expect.value and not MONEY.search(first.reply):
        problems.append("reply gives no figure about value")
    if expect.draft is not None and bool(first.drafts) != expect.draft:
        problems.append("a draft was shown" if first.drafts else "no draft was shown")
    if expect.created is not None and bool(created) != expect.created:
        problems.append("a listing was created" if created else "no listing was created")
    if expect.declined and (not DECLINED.search(first.reply) or first.drafts or created):
        problems.append("not declined")
    if expect.refused and (not REFUSED.search(first.reply) or first.activity):
        problems.append("not refused")
    if expect.english_only and not ENGLISH.search(first.reply):
        problems.append("does not say it only understands English")
    if expect.no_tools and first.activity:
        problems.append(f"called {[a.name for a in first.activity]}")
    if expect.one_of:
        alternatives = [check(e, before, turns) for e in expect.one_of]
        if all(alternatives):
            problems.append("none of: " + " | ".join("; ".join(a) for a in alternatives))
    return problems


async def run_case(case: Case, cases: CaseSet, model_name: str) -> Outcome:
    context = cases.contexts[case.context or cases.questions[case.question]]
    market = shared_factory().new()
    _, token = market.register_seller("Benchmark seller")
    transcript: list[str] = []
    try:
        async with PinnedOffers(
            "http://marketplace.test",
            transport=market.transport(),
            backoff=0.0,
            token=token,
            offers=pinned(context.offers),
        ) as client:
            agent = build_agent(resolve_model(model_name).model)
            session = ChatSession.start(
                agent,
                TrovaDeps(client),
                model=model_name,
                prompt="benchmark",
                marketplace="isolated",
                publisher=Publisher(client),  # the seller's own client publishes what they approve
            )

            async def say(text: str) -> TurnResult:
                result = await session.send(text)
                transcript.extend([f"seller: {text}", f"agent: {result.reply}"])
                transcript.extend(f"  draft: {d.args}" for d in result.drafts)
                return result

            before = [await say(text) for text in context.say]
            if not ASKS[context.asks].search(before[-1].reply):
                return Outcome(
                    case, False, [f"context did not reach the {context.asks} question"], transcript
                )
            turns = [await say(case.say)]
            for text in case.then:
                turns.append(await say(text))
            problems = check(case.expect, before, turns)
            if turns[0].reply.strip() == before[-1].reply.strip() and not turns[0].drafts:
                problems.append("the same reply again, word for word")
            return Outcome(case, not problems, problems, transcript)
    except Exception as e:  # a crash is a case handled badly, not a benchmark failure
        return Outcome(case, False, [f"error: {type(e).__name__}: {e}"], transcript)
    finally:
        market.close()


async def run_all(cases: CaseSet, model_name: str, concurrency: int) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(case: Case) -> Outcome:
        async with gate:
            return await run_case(case, cases, model_name)

    return list(await asyncio.gather(*(one(c) for c in cases.cases)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--set", choices=sorted(SETS), default="measure", help="which case set (default: measure)"
    )
    parser.add_argument("--file", type=Path, help="a case file instead of a named set")
    parser.add_argument("--model", default="offline", help="the model, as for trova chat (default: offline)")
    parser.add_argument("--question", help="only the cases for this question")
    parser.add_argument("--failures", type=int, default=0, help="print this many failed cases per question")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    pydantic_ai.models.ALLOW_MODEL_REQUESTS = args.model != "offline"
    path = args.file or SETS[args.set]
    cases = load(path)
    if args.question:
        cases.cases = [c for c in cases.cases if c.question == args.question]
    started = time.perf_counter()
    outcomes = asyncio.run(run_all(cases, args.model, args.concurrency))
    elapsed = time.perf_counter() - started
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for o in outcomes:
        total[o.case.question] += 1
        passed[o.case.question] += o.ok
    figures = {q: {"handled": passed[q], "cases": total[q], "share": passed[q] / total[q]} for q in total}
    overall = sum(passed.values()) / max(1, sum(total.values()))
    if args.json:
        print(
            json.dumps({"set": str(path.name), "model": args.model, "questions": figures, "overall": overall})
        )
        return
    print(f"{path.name}: {len(outcomes)} cases, model {args.model}, {elapsed:.1f} s")
    for q, f in figures.items():
        print(f"  {q:<10} {f['handled']:>4}/{f['cases']:<4} {f['share']:6.1%} handled sensibly")
    print(f"  {'overall':<10} {sum(passed.values()):>4}/{sum(total.values()):<4} {overall:6.1%}")
    if args.failures:
        for q in figures:
            failed = [o for o in outcomes if o.case.question == q and not o.ok][: args.failures]
            for o in failed:
                print(f"\n[{q}] {o.case.say!r}: {'; '.join(o.problems)}")
                for line in o.transcript:
                    print("    " + line[:300])


if __name__ == "__main__":
    main()
