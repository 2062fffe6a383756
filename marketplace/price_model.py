"""A price model learned from the seed: an item's log asking price from its title words and adjacent word
pairs, its category and
(for vehicles) its model year and mileage, at "good" condition; the condition factors of
`marketplace/data/comparables.toml` move it to the item's condition, as they move comparables.

Comparables alone are noisy: the few titles most like an item ask prices that vary widely. The model pools
what every seed listing says about a word ("aeron", "xl", "carbon") and a category, so a comparison can weigh
the two (`marketplace.pricing.suggest_price`). It is a ridge regression built by
`marketplace/build_price_model.py` from `marketplace/seed/listings.csv` into `marketplace/data/price_model.tsv`
(weights per feature); here it is only read and applied: a dictionary lookup per word, no training at run
time.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from marketplace.conditions import Condition
from marketplace.item_kinds import item_words

MODEL_FILE = Path(__file__).resolve().parent / "data" / "price_model.tsv"

_YEAR = re.compile(r"(19[5-9]\d|20[0-3]\d)")
# "85k miles", "120,000 miles", "85K mi": the mileage some car titles carry.
_MILES = re.compile(r"\b(\d{1,3})(?:,(\d{3})|\s?k)\s*(?:mi\b|miles?\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    """How features are scaled (a ridge penalty is the same for every weight, so a feature's scale says how
    freely it may move the price): categories more than a title's words, a title's words less the more of
    them there are. Written into the model file by the build, read back with it."""

    category_scale: float = 2.0
    word_length_power: float = 0.5
    # Adjacent title words as a feature of their own, scaled as a word is: a pair says more than its words
    # alone ("road bike" against "bike rack", "box spring" against "box"). Chosen on the seed's tuning folds
    # (`benchmarks/pricing_dev.py`: 0.5 to 1.5 all helped, 1.0 most, in every fold).
    pair_scale: float = 1.0
    vehicles_root: int = 888  # Vehicles & Parts: model year and mileage are features there
    base_year: int = 2010


def features(
    title: str, lineage: Sequence[int], settings: FeatureSettings, words: Sequence[str] | None = None
) -> dict[str, float]:
    """The model's features of an item: a bias, its category and every ancestor (so a sparse category leans
    on its parent's), its item words (`marketplace.item_kinds.item_words`) and each pair of adjacent ones,
    and under vehicles its model year (and its square: prices fall fast for the first years, slowly later)
    and mileage when the title says."""
    out: dict[str, float] = {"bias": 1.0}
    for category in lineage:
        out[f"cat:{category}"] = settings.category_scale
    ws = list(words) if words is not None else item_words(title)
    vehicle = bool(lineage) and lineage[0] == settings.vehicles_root
    years = [int(w) for w in ws if _YEAR.fullmatch(w)] if vehicle else []
    named = [w for w in ws if not (vehicle and _YEAR.fullmatch(w))]
    scale = 1.0 / max(1, len(named)) ** settings.word_length_power
    for w in named:
        out[f"word:{w}"] = scale
    if settings.pair_scale:
        for first, second in itertools.pairwise(named):
            out[f"pair:{first} {second}"] = scale * settings.pair_scale
    if years:
        age = (years[0] - settings.base_year) / 10
        out["year"], out["year2"], out["has_year"] = age, age * age, 1.0
    if vehicle and (miles := _MILES.search(title)):
        thousands = int(miles.group(1)) + (int(miles.group(2)) / 1000 if miles.group(2) else 0.0)
        # Titles that give a mileage are whole cars, not parts: the indicator takes that, the log the rest.
        out["has_miles"], out["miles"] = 1.0, math.log1p(thousands) / 3
    return out


@dataclass(frozen=True, slots=True)
class PriceModel:
    """Weights per feature (log price at "good" condition) and the condition factors to move it by."""

    weights: Mapping[str, float]
    settings: FeatureSettings
    condition_factors: Mapping[Condition, float]
    listings: int  # how many seed listings it was learned from
    source: str  # the fingerprint of the seed it was learned from (`marketplace.seed_files.seed_fingerprint`)

    def log_price(self, title: str, lineage: Sequence[int]) -> float:
        """The log asking price at "good" condition."""
        return sum(self.weights.get(k, 0.0) * v for k, v in features(title, lineage, self.settings).items())

    def estimate(self, title: str, lineage: Sequence[int], condition: Condition | None) -> float:
        """The asking price the model expects for the item in `condition` (None: as "good")."""
        factor = self.condition_factors[condition] if condition is not None else 1.0
        return math.exp(self.log_price(title, lineage)) * factor

    def dumps(self) -> str:
        """The model as the data file holds it: a commented header, settings, then a weight per line."""
        s = self.settings
        lines = [
            "# A price model learned from marketplace/seed/listings.csv by marketplace/build_price_model.py",
            "# (do not edit; rebuild). Rows: setting <name> <value> | feature <name> <weight of log price>.",
            f"setting\tlistings\t{self.listings}",
            f"setting\tsource\t{self.source}",
            f"setting\tcategory_scale\t{s.category_scale}",
            f"setting\tword_length_power\t{s.word_length_power}",
            f"setting\tpair_scale\t{s.pair_scale}",
            f"setting\tvehicles_root\t{s.vehicles_root}",
            f"setting\tbase_year\t{s.base_year}",
        ]
        lines += [f"feature\t{k}\t{w:.5g}" for k, w in sorted(self.weights.items())]
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, text: str, condition_factors: Mapping[Condition, float]) -> PriceModel:
        settings: dict[str, str] = {}
        weights: dict[str, float] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line or line.startswith("#"):
                continue
            kind, name, value = line.split("\t")
            if kind == "setting":
                settings[name] = value
            elif kind == "feature":
                weights[name] = float(value)
            else:
                raise ValueError(f"price model line {number}: unknown row {kind!r}")
        feature_settings = FeatureSettings(
            category_scale=float(settings["category_scale"]),
            word_length_power=float(settings["word_length_power"]),
            pair_scale=float(settings["pair_scale"]),
            vehicles_root=int(settings["vehicles_root"]),
            base_year=int(settings["base_year"]),
        )
        return cls(
            weights, feature_settings, condition_factors, int(settings["listings"]), settings["source"]
        )


def _condition_factors() -> Mapping[Condition, float]:
    from marketplace.pricing import adjustments  # the factors comparables are moved by

    return adjustments().condition


@functools.cache
def shipped_model() -> PriceModel:
    return PriceModel.loads(MODEL_FILE.read_text(encoding="utf-8"), _condition_factors())


_override: list[PriceModel | None] = []


@contextlib.contextmanager
def using(model: PriceModel | None) -> Iterator[None]:
    """Price with `model` instead of the shipped one (None: without a model) inside the block: the tuning
    benchmark learns one from each fold's training listings, so the listings it prices are not in it."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def current_model() -> PriceModel | None:
    return _override[-1] if _override else shipped_model()
