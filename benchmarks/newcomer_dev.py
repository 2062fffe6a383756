"""Newcomer conversations, whole: how many end with the listing the seller described, and how often the
agent asked the same question twice in a row.

Run: uv run python benchmarks/newcomer_dev.py [--file PATH] [--model offline] [--only ID] [--prefix b5_] [--show N]

Each conversation (benchmarks/data/newcomer_dev.yaml, the development set) sends the seller's scripted
messages in order, whatever the agent asks (sellers give facts early, answer sideways, ask back), then
answers what the agent still asks from the conversation's `answers` (a draft is approved), for at most four
more turns. A conversation is fully right when a listing is posted with the expected price, condition and
every fact the seller gave in its description, in a category whose path holds the expected words
(`category_has`, where the conversation says), no draft-less stall happened and the agent never asked the
same question twice in a row (not counted: the same question after the seller asked something back, which
is an answer and a question, or after a reply that takes up what the seller said, "Noted: $300.", which says
why it asks again, or gives a figure it had not given, "say 'ok' and I'll use $40"; "what did you pay for
it?" is a question of its own, not the price question again). Prints the totals, the repeats, and each failed conversation's problems
(`--show N` adds N transcripts).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pydantic_ai.models  # noqa: E402
import yaml  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from agent.listing_agent import build_agent  # noqa: E402
from agent.models import resolve_model  # noqa: E402
from agent.session import ChatSession, TurnResult  # noqa: E402
from benchmarks.first_replies import ASKS  # noqa: E402
from evals.isolation import shared_factory  # noqa: E402
from tools.client import MarketplaceClient  # noqa: E402
from tools.deps import TrovaDeps  # noqa: E402
from tools.publishing import Publisher  # noqa: E402

DEV = ROOT / "benchmarks" / "data" / "newcomer_dev.yaml"
EXTRA_TURNS = 4  # turns after the script, answering what the agent still asks
# The order a reply's question is recognised in: a condition question that mentions prices is a condition one.
KINDS = ("choice", "condition", "paid", "price", "item")
# Asking what the seller paid is another question than asking their price, though it may name the price.
PAID = re.compile(r"\bwhat did you pay\b|\bwhat (?:it|they) cost\b", re.I)
# A reply that takes up what the seller said before asking again says why it asks again: not a repeat.
MONEY = re.compile(r"\$\s?\d[\d,.]*")  # a reply with a figure the last one had not gives something new
# A reply's opening "Noted: like new condition." says what it took from the answer, and asks nothing: the
# question it leaves open is in the rest ("... what price would you like to ask, in dollars?").
NOTED = re.compile(r"^\s*noted: [^.?!]*[.!]\s*", re.I)
TOOK_IT = re.compile(r"\b(?:noted|got it|thanks|thank you|i'?ve (?:added|noted|kept|used)|as i said)\b", re.I)


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)  # description_has: [[2019]]
    created: bool = True
    price: float | list[float] | None = None
    condition: list[str] | None = None
    description_has: list[list[str]] = Field(default_factory=list)
    # Text the posted description must not hold, case-sensitive: the seller's lowercase "nintendo switch" copied
    # as typed into a description that should name the item properly.
    description_lacks: list[str] = Field(default_factory=list)
    title_has: list[str] = Field(default_factory=list)
    # Words the posted listing's category path holds, each a list of alternatives (case-insensitive):
    # [[bikes, bicycles]] fails a bike filed under Sporting Goods > Camping.
    category_has: list[list[str]] = Field(default_factory=list)


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    say: list[str]
    answers: dict[str, str] = Field(default_factory=dict)
    expect: Expect = Field(default_factory=Expect)


class ConversationSet(BaseModel):
    defaults: dict[str, dict[str, str]] = Field(default_factory=dict)
    conversations: list[Conversation]


@dataclass
class Outcome:
    conversation: Conversation
    problems: list[str] = field(default_factory=list)
    repeats: int = 0
    created: bool = False
    stalled: bool = False
    transcript: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def category_ok(self) -> bool:
        return not any(p.startswith("category ") for p in self.problems)


def asked(turn: TurnResult) -> str | None:
    """The question a reply leaves open: a draft, one of KINDS, or None (nothing asked)."""
    if turn.drafts:
        return "draft"
    if turn.created:
        return None
    reply = NOTED.sub("", turn.reply)
    return next((kind for kind in KINDS if (PAID if kind == "paid" else ASKS[kind]).search(reply)), None)


def check(expect: Expect, listing: dict[str, Any] | None) -> list[str]:
    problems: list[str] = []
    if listing is None:
        return ["no listing posted"] if expect.created else []
    if not expect.created:
        return ["a listing was posted"]
    price = float(listing.get("price", -1))
    if isinstance(expect.price, list) and not expect.price[0] <= price <= expect.price[1]:
        problems.append(f"price {price:g}, expected {expect.price[0]:g}..{expect.price[1]:g}")
    elif isinstance(expect.price, int | float) and abs(price - expect.price) > 0.01:
        problems.append(f"price {price:g}, expected {expect.price:g}")
    condition = str(listing.get("condition", ""))
    if expect.condition is not None and condition not in expect.condition:
        problems.append(f"condition {condition}, expected {'/'.join(expect.condition)}")
    description = str(listing.get("description", "")).lower()
    missing = [alts[0] for alts in expect.description_has if not any(a.lower() in description for a in alts)]
    if missing:
        problems.append(f"description lacks {missing}")
    copied = [text for text in expect.description_lacks if text in str(listing.get("description", ""))]
    if copied:
        problems.append(f"description holds {copied}")
    title = str(listing.get("title", "")).lower()
    if any(w.lower() not in title for w in expect.title_has):
        problems.append(f"title {listing.get('title')!r} lacks {expect.title_has}")
    category = str(listing.get("category_path", ""))
    if not category_fits(expect.category_has, category):
        problems.append(f"category {category!r} lacks {[alts[0] for alts in expect.category_has]}")
    return problems


def category_fits(category_has: list[list[str]], path: str) -> bool:
    """Whether a category path holds one of each list of alternatives (case-insensitive)."""
    return all(any(a.lower() in path.lower() for a in alts) for alts in category_has)


async def run_one(conv: Conversation, answers: dict[str, str], model_name: str) -> Outcome:
    outcome = Outcome(conv)
    market = shared_factory().new()
    _, token = market.register_seller("Newcomer")
    try:
        async with MarketplaceClient(
            "http://marketplace.test", transport=market.transport(), backoff=0.0, token=token
        ) as client:
            session = ChatSession.start(
                build_agent(resolve_model(model_name).model),
                TrovaDeps(client),
                model=model_name,
                prompt="benchmark",
                marketplace="isolated",
                publisher=Publisher(client),
            )
            previous: str | None = None
            last_reply = ""
            listing: dict[str, Any] | None = None
            script = list(conv.say)
            extra = 0
            while True:
                if script:
                    text = script.pop(0)
                elif listing is not None or extra >= EXTRA_TURNS or previous is None:
                    break
                else:
                    text = answers.get(previous, "")
                    extra += 1
                    if not text or text == "none":
                        break
                turn = await session.send(text)
                outcome.transcript += [f"seller: {text}", f"agent: {turn.reply}"]
                outcome.transcript += [f"  draft: {d.args}" for d in turn.drafts]
                now = asked(turn)
                if (
                    now is not None
                    and now != "draft"
                    and now == previous
                    and "?" not in text
                    and not TOOK_IT.search(turn.reply)
                    and not (set(MONEY.findall(turn.reply)) - set(MONEY.findall(last_reply)))
                ):
                    outcome.repeats += 1
                    outcome.problems.append(f"asked the {now} question again after {text!r}")
                previous, last_reply = now, turn.reply
                if turn.created:
                    listing = dict(turn.created[-1])
                    outcome.transcript.append(f"  posted in: {listing.get('category_path')}")
            outcome.created = listing is not None
            outcome.stalled = listing is None and previous != "draft"
            outcome.problems += check(conv.expect, listing)
    except Exception as e:  # a crash is a conversation handled badly, not a benchmark failure
        outcome.problems.append(f"error: {type(e).__name__}: {e}")
    finally:
        market.close()
    return outcome


async def run_all(convs: ConversationSet, model_name: str, concurrency: int) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    defaults = convs.defaults.get("answers", {})

    async def one(conv: Conversation) -> Outcome:
        async with gate:
            return await run_one(conv, {**defaults, **conv.answers}, model_name)

    return list(await asyncio.gather(*(one(c) for c in convs.conversations)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--file", type=Path, default=DEV, help="the conversations (default: the dev set)")
    parser.add_argument("--model", default="offline", help="the model, as for trova chat (default: offline)")
    parser.add_argument("--only", action="append", default=[], help="only this conversation (repeatable)")
    parser.add_argument("--prefix", help="only the conversations whose id starts with this (a batch: b5_)")
    parser.add_argument("--show", type=int, default=0, help="print this many failed transcripts")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    pydantic_ai.models.ALLOW_MODEL_REQUESTS = args.model != "offline"
    convs = ConversationSet.model_validate(yaml.safe_load(args.file.read_text()))
    if args.only:
        convs.conversations = [c for c in convs.conversations if c.id in args.only]
    if args.prefix:
        convs.conversations = [c for c in convs.conversations if c.id.startswith(args.prefix)]
    started = time.perf_counter()
    outcomes = asyncio.run(run_all(convs, args.model, args.concurrency))
    n = len(outcomes)
    print(f"{args.file.name}: {n} conversations, model {args.model}, {time.perf_counter() - started:.1f} s")
    print(f"  fully right  {sum(o.ok for o in outcomes):>3}/{n}")
    print(f"  posted       {sum(o.created for o in outcomes):>3}/{n}")
    print(f"  stalled      {sum(o.stalled for o in outcomes):>3}/{n} (no draft shown at the end)")
    print(f"  repeats      {sum(o.repeats for o in outcomes):>3} (the same question twice in a row)")
    placed = [o for o in outcomes if o.created and o.conversation.expect.category_has]
    print(f"  category_has {sum(o.category_ok for o in placed):>3}/{len(placed)} (posted ones that name one)")
    shown = 0
    for o in outcomes:
        if o.ok:
            continue
        print(f"\n[{o.conversation.id}] {'; '.join(o.problems)}")
        if shown < args.show:
            shown += 1
            for line in o.transcript:
                print("    " + line[:400])


if __name__ == "__main__":
    main()
