"""Build `agent/offline/data/item_words.tsv`: the words the offline model reads a typo in an item's name
against ("mountian bike" -> mountain bike, `agent/offline/items.py`).

    apt-get install wordnet-base                       # Debian's WordNet 3.0, read only here
    uv run python scripts/build_item_words.py          # rewrite the table
    uv run python scripts/build_item_words.py --check  # exit 1 when the table is out of date

Each row is a word of `MIN_LENGTH` letters or more (shorter ones are never read as typos), how many seed
listing titles have it (`marketplace/seed/listings.csv`: titles only, the seed holds no descriptions), and
`1` when it is an English word in its own right (WordNet's lemmas): such a word is never read as a typo
("trial" stays, though more titles say "trail"). Only the English words one slip away (two letters swapped,
one left out or one too many: `agent.offline.items.slips`) from a word `TARGET_TITLES` titles have, or from a
make or product line of `agent/offline/data/names.tsv`, are listed: no other can be mistaken for one. The offline model reads the
table at run time, never the seed or WordNet.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.offline.items import name_words, slips  # noqa: E402  (the same slips the model reads)

SEED = ROOT / "marketplace" / "seed" / "listings.csv"
TABLE = ROOT / "agent" / "offline" / "data" / "item_words.tsv"
WORDNET = Path("/usr/share/wordnet")
MIN_LENGTH = 5
TARGET_TITLES = 10  # agent/offline/items.py: SPELLING_MIN_TITLES
HEADER = (
    "# word, how many seed listing titles have it, 1 for an English word (WordNet 3.0; never read as a typo).\n"
    "# Built by scripts/build_item_words.py from marketplace/seed/listings.csv and WordNet; read by\n"
    "# agent/offline/items.py to read a typo in an item's name. WordNet 3.0 Copyright 2006 by Princeton\n"
    "# University. All rights reserved (licence: docs/DATA.md, 'Kind hints').\n"
)


def title_counts(seed: Path = SEED) -> Counter[str]:
    counts: Counter[str] = Counter()
    with seed.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            counts.update({w for w in re.findall(r"[a-z]+", row["title"].lower()) if len(w) >= MIN_LENGTH})
    return counts


def english_words(wordnet: Path) -> set[str]:
    words: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        with (wordnet / f"index.{pos}").open(encoding="latin-1") as lines:
            words |= {line.split(" ", 1)[0] for line in lines if not line.startswith(" ")}
    return {w for w in words if w.isalpha() and len(w) >= MIN_LENGTH}


def build(seed: Path = SEED, wordnet: Path = WORDNET) -> str:
    counts = title_counts(seed)
    # what a typo is read as: a word many titles have, or a make or product line (agent/offline/data/names.tsv)
    targets = {w for w, n in counts.items() if n >= TARGET_TITLES} | name_words()
    english = {w for w in english_words(wordnet) if slips(w) & targets}
    rows = [f"{w}\t{counts.get(w, 0)}\t{int(w in english)}\n" for w in sorted(set(counts) | english)]
    return HEADER + "".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only check the table is up to date")
    parser.add_argument(
        "--wordnet", type=Path, default=WORDNET, help="WordNet's dict folder (index.noun, ...)"
    )
    args = parser.parse_args()
    if not (args.wordnet / "index.noun").is_file():
        print(
            f"no WordNet at {args.wordnet}: install Debian's wordnet-base, or pass --wordnet", file=sys.stderr
        )
        return 2
    table = build(wordnet=args.wordnet)
    if args.check:
        same = TABLE.exists() and TABLE.read_text(encoding="utf-8") == table
        print(f"{TABLE.relative_to(ROOT)}: {'up to date' if same else 'out of date: rebuild it'}")
        return 0 if same else 1
    TABLE.write_text(table, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)}: {table.count(chr(10)) - HEADER.count(chr(10))} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
