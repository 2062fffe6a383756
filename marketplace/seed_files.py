"""The shipped seed files and their fingerprint, for loading them (`seeding.py`) without importing the seed
build (`seed_build.py` and its category rules: most of a start-up's import time, needed only to rebuild the
files). A test keeps the two in step."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

SEED_DIR = Path(__file__).parent / "seed"
CATEGORIES_FILE = "categories.tsv"
LISTINGS_FILE = "listings.csv"


def seed_fingerprint(seed_dir: Path = SEED_DIR) -> str:
    """A short hash of the shipped seed files: a database seeded from other files is rebuilt."""
    digest = hashlib.sha256()
    for name in (CATEGORIES_FILE, LISTINGS_FILE):
        digest.update((seed_dir / name).read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def shipped_category_paths() -> dict[int, str]:
    """The shipped taxonomy, id -> path ("Sporting Goods > ... > Bicycles"), read from the seed file: for
    what needs the categories without a database (a scenario's check, the terminal's category names)."""
    lines = (SEED_DIR / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()[1:]
    return {int(ident): path for ident, _, path in (line.partition("\t") for line in lines if line)}
