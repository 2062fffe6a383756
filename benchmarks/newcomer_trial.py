"""The offline agent on 50 conversations a newcomer wrote without seeing its rules, README and `--help` only
(`benchmarks/newcomer_trial.yaml`, each with expectations written before anything ran). A measure only:
nothing is tuned on it, and its conversations are not read to fix the agent (report its totals).

    uv run python benchmarks/newcomer_trial.py [--filter ID_SUBSTRING] [--transcripts DIR] [--json FILE]

Each conversation gets a fresh seller and a fresh ChatSession with the offline model against one
in-process marketplace (its own database in a fresh temporary TROVA_HOME); the seller's lines are sent
one by one, exactly as written. The listings published are read back from the marketplace by seller id
(not from what the session says it created), then each expectation is checked:

  created            a listing was published (true) / none was (false)
  category_contains  any of the words in the published listing's category path (case-insensitive)
  price              the published price equals the number
  title_has          every word/phrase in the title (case-insensitive)
  description_has    every word/phrase in the description (case-insensitive)
  description_lacks  none of them in the description

When a listing was expected but none was published, the listing checks fail too ("no listing"); the
totals give each check's pass rate over all conversations and over those that published one.
A turn that raises, or takes over --turn-timeout seconds, fails the conversation ("crash").
Seller and agent text is printed with repr(), never interpreted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKS = ["created", "category_contains", "price", "title_has", "description_has", "description_lacks"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--conversations", default=str(HERE / "newcomer_trial.yaml"))
    p.add_argument("--filter", default=None, help="only conversations whose id contains this")
    p.add_argument("--transcripts", default=None, help="directory for one transcript per conversation")
    p.add_argument("--json", dest="json_out", default=None, help="write per-conversation results as JSON")
    p.add_argument("--turn-timeout", type=float, default=120.0)
    return p.parse_args()


def check(expect: dict, listings: list[dict], crash: str | None) -> dict[str, str | None]:
    """Each expectation -> None when it holds, else the reason it failed."""
    out: dict[str, str | None] = {}
    got = listings[-1] if listings else None
    if crash:
        out["crash"] = crash
    if "created" in expect:
        want = bool(expect["created"])
        if want and not listings:
            out["created"] = "no listing published"
        elif not want and listings:
            out["created"] = f"published {len(listings)} listing(s) though the seller did not want one"
        elif want and len(listings) > 1:
            out["created"] = f"{len(listings)} listings published, expected one"
        else:
            out["created"] = None

    def low(x) -> str:
        return str(x or "").lower()

    if "category_contains" in expect:
        words = expect["category_contains"]
        if got is None:
            out["category_contains"] = "no listing"
        else:
            path = low(got.get("category_path"))
            ok = any(low(w) in path for w in words)
            out["category_contains"] = (
                None if ok else f"category {got.get('category_path')!r} has none of {words!r}"
            )
    if "price" in expect:
        if got is None:
            out["price"] = "no listing"
        else:
            ok = got.get("price") is not None and abs(float(got["price"]) - float(expect["price"])) < 0.005
            out["price"] = None if ok else f"price {got.get('price')!r}, expected {expect['price']!r}"
    if "title_has" in expect:
        if got is None:
            out["title_has"] = "no listing"
        else:
            missing = [w for w in expect["title_has"] if low(w) not in low(got.get("title"))]
            out["title_has"] = None if not missing else f"title {got.get('title')!r} lacks {missing!r}"
    if "description_has" in expect:
        if got is None:
            out["description_has"] = "no listing"
        else:
            missing = [w for w in expect["description_has"] if low(w) not in low(got.get("description"))]
            out["description_has"] = None if not missing else f"description lacks {missing!r}"
    if "description_lacks" in expect:
        if got is None:
            out["description_lacks"] = "no listing"
        else:
            present = [w for w in expect["description_lacks"] if low(w) in low(got.get("description"))]
            out["description_lacks"] = None if not present else f"description still has {present!r}"
    return out


async def run_all(args: argparse.Namespace, convs: list[dict]) -> list[dict]:
    import httpx
    import pydantic_ai.models

    pydantic_ai.models.ALLOW_MODEL_REQUESTS = False
    from agent.listing_agent import build_agent
    from agent.offline.model import OfflineModel
    from agent.session import ChatSession
    from marketplace.app import create_app
    from tools.client import MarketplaceClient
    from tools.deps import TrovaDeps
    from tools.publishing import Publisher

    print(f"agent code from {HERE.parent}", flush=True)
    tdir = Path(args.transcripts) if args.transcripts else None
    if tdir:
        tdir.mkdir(parents=True, exist_ok=True)
    app = create_app()
    results = []
    async with MarketplaceClient("http://market", transport=httpx.ASGITransport(app=app), backoff=0.0) as c:
        for n, conv in enumerate(convs, 1):
            cid = conv["id"]
            c.token = None
            seller = await c.register_seller(f"Trial {cid}"[:40])
            c.token = seller.token
            seller_id = await c.whoami()
            session = ChatSession.start(
                build_agent(OfflineModel()),
                TrovaDeps(c),
                model="offline",
                prompt="p",
                marketplace="t",
                publisher=Publisher(c),
            )
            log: list[str] = [f"# {cid}"]
            crash = None
            reported: list = []
            tools_used: list[str] = []
            pending_at_end = False
            questions: list[str] = []
            t0 = time.perf_counter()
            for line in conv["lines"]:
                log.append(f"SELLER: {line!r}")
                try:
                    r = await asyncio.wait_for(session.send(line), args.turn_timeout)
                except Exception as e:
                    crash = f"{type(e).__name__}: {e}"[:300]
                    log.append("CRASH: " + repr(crash))
                    log.append(traceback.format_exc())
                    break
                tools_used += [a.name for a in r.activity]
                pending_at_end = bool(r.drafts)
                questions.append(last_question(r.reply))
                for a in r.activity:
                    shown = {k: v for k, v in (a.args or {}).items() if k != "description"}
                    log.append(f"  tool {a.name} {shown!r} -> {getattr(a, 'outcome', None)!r}")
                log.append(f"AGENT: {r.reply!r}")
                for d in r.drafts:
                    log.append(f"  DRAFT {d.args!r}")
                for cr in r.created:
                    reported.append(cr.get("id"))
                    log.append(f"  CREATED #{cr.get('id')!r}")
                if r.stopped:
                    log.append(f"  STOPPED {r.stopped!r}")
            page = await c.list_listings(seller_id=seller_id, limit=50)
            listings = sorted((i.model_dump(mode="json") for i in page.items), key=lambda x: x["id"])
            for li in listings:
                log.append(
                    "PUBLISHED #{id}: title={title!r} price={price!r} condition={condition!r} "
                    "category={category_path!r}\n  description={description!r}".format(**li)
                )
            verdict = check(conv.get("expect", {}), listings, crash)
            failed = {k: v for k, v in verdict.items() if v}
            log.append("VERDICT: " + ("PASS" if not failed else "FAIL " + repr(failed)))
            stage = stall_stage(listings, tools_used, pending_at_end, crash)
            repeats = sum(1 for a, b in itertools.pairwise(questions) if a and a == b)
            log.append(f"STAGE: {stage}; repeated questions: {repeats}")
            res = {
                "id": cid,
                "pass": not failed,
                "checks": verdict,
                "listings": listings,
                "stage": stage,
                "repeated_questions": repeats,
                "reported_created": reported,
                "seconds": round(time.perf_counter() - t0, 2),
            }
            results.append(res)
            status = "PASS" if not failed else "FAIL"
            print(f"[{n:2d}/{len(convs)}] {status} {cid!r}", flush=True)
            if failed and not listings:
                print(f"        (ended: {stage}; the agent repeated its question {repeats}x)", flush=True)
            blocked = [k for k, v in failed.items() if v == "no listing"]
            for k, v in failed.items():
                if v != "no listing":
                    print(f"        {k}: {v!r}", flush=True)
            if blocked:
                print(f"        (not published, so also failed: {', '.join(blocked)})", flush=True)
            if tdir:
                (tdir / f"{cid}.txt").write_text("\n".join(log) + "\n")
    return results


def last_question(reply: str) -> str:
    """The agent's last question in a reply (to see it asked the same thing again)."""
    import re

    qs = re.findall(r"[^.!?\n]*\?", reply or "")
    return qs[-1].strip().lower() if qs else ""


def stall_stage(listings: list, tools_used: list[str], pending: bool, crash: str | None) -> str:
    """Where a conversation that published nothing stopped, from the tools the agent called (generic,
    so it reads the same on any checkout)."""
    if crash:
        return "crash"
    if listings:
        return "published"
    if pending:
        return "draft shown, not approved"
    if "create_listing" in tools_used:
        return "draft shown, declined or withdrawn"
    if "compare_prices" in tools_used:
        return "priced, no draft (waiting for a price or condition)"
    if "search_categories" in tools_used:
        return "category searched, never priced (category choice or condition)"
    return "item never searched"


def summary(results: list[dict]) -> str:
    lines = []
    n = len(results)
    ok = sum(r["pass"] for r in results)
    lines.append(f"conversations fully passing: {ok}/{n} ({100 * ok / max(n, 1):.0f}%)")
    crashes = sum("crash" in r["checks"] for r in results)
    lines.append(f"crashes / turn timeouts: {crashes}")
    lines.append("per expectation: passed/checked (all)   passed/checked (where a listing was published)")
    for k in CHECKS:
        vals = [r["checks"][k] for r in results if k in r["checks"]]
        if not vals:
            continue
        p = sum(v is None for v in vals)
        pub = [r["checks"][k] for r in results if k in r["checks"] and r["listings"]]
        pp = sum(v is None for v in pub)
        extra = "" if k == "created" else f"   {pp}/{len(pub)}"
        lines.append(f"  {k:18s} {p}/{len(vals)} ({100 * p / len(vals):.0f}%){extra}")
    lines.append("where conversations that should have published, and did not, stopped:")
    for stage, n in Counter(
        r["stage"] for r in results if r["checks"].get("created") == "no listing published"
    ).most_common():
        lines.append(f"  {n:3d}  {stage}")
    reps = [r["repeated_questions"] for r in results]
    lines.append(
        f"agent asked the same question twice in a row: {sum(reps)} times, in {sum(1 for x in reps if x)} conversations"
    )
    allchecks = [v for r in results for k, v in r["checks"].items() if k != "crash"]
    lines.append(f"  all expectations   {sum(v is None for v in allchecks)}/{len(allchecks)}")
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(HERE.parent))  # this checkout's code
    os.environ["TROVA_HOME"] = tempfile.mkdtemp(prefix="trova-score-")  # fresh data every run
    os.environ.pop("DATABASE_URL", None)
    os.environ["TROVA_RATE_LIMITS"] = "off"  # one registration per conversation
    os.environ.setdefault("TROVA_TRACES", "off")
    import yaml

    convs = yaml.safe_load(Path(args.conversations).read_text())
    if args.filter:
        convs = [c for c in convs if args.filter in c["id"]]
    ids = [c["id"] for c in convs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    import subprocess

    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"checkout {os.getcwd()} at {rev or '?'}; {len(convs)} conversations from {args.conversations}")
    print(f"TROVA_HOME={os.environ['TROVA_HOME']}", flush=True)
    t0 = time.perf_counter()
    results = asyncio.run(run_all(args, convs))
    print()
    print(summary(results))
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"commit": rev, "results": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
