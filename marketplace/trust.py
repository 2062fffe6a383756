"""How much each comparable listing counts in a price comparison, so that no seller can move the prices
suggested to everyone else.

Registration is open, so one seller posting 150 "Trek road bike $5" listings must not outvote the market:
- a seller's listings share at most `per_seller` listings' worth of weight in one comparison;
- a new seller's listings weigh `new_seller_weight`, rising to full weight as the account ages to
  `full_weight_days`;
- prices far from the weighted bulk (in log price) are left out, those near the cut in part (`robust_shares`).
The seed listings (`seller == ""`) are the market's history, each a different seller's ad: full weight.
The figures are data (`marketplace/data/comparables.toml`, `[trust]`).
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DATA_FILE = Path(__file__).parent / "data" / "comparables.toml"


class Listed(Protocol):
    """What trust reads of a comparable (`marketplace.pricing.Candidate`)."""

    @property
    def seller(self) -> str: ...  # "" for the seed
    @property
    def seller_days(self) -> float: ...  # the age of the seller's account, in days
    @property
    def weight(self) -> float: ...  # how many listings this one stands for (a sample's weight)


@dataclass(frozen=True, slots=True)
class TrustRules:
    per_seller: float
    new_seller_weight: float
    full_weight_days: float
    outlier_spread: float  # keep prices within this many robust standard deviations (log price) ...
    min_spread: float  # ... of at least this much (log price), ...
    placeholder_share: float  # ... and above this share of the weighted median ($1 "make an offer" ads)
    placeholder_prices: frozenset[float]  # asking prices that fill the field ($123, $1234): no comparables


@functools.cache
def trust_rules(path: Path = DATA_FILE) -> TrustRules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    trust, outliers = data["trust"], data["outliers"]
    rules = TrustRules(
        per_seller=float(trust["per_seller"]),
        new_seller_weight=float(trust["new_seller_weight"]),
        full_weight_days=float(trust["full_weight_days"]),
        outlier_spread=float(outliers["spread"]),
        min_spread=float(outliers["min_log_spread"]),
        placeholder_share=float(outliers["placeholder_share"]),
        placeholder_prices=frozenset(float(p) for p in outliers["placeholder_prices"]),
    )
    if rules.per_seller < 1 or not 0 < rules.new_seller_weight <= 1 or rules.full_weight_days < 0:
        raise ValueError(
            f"{path}: [trust] needs per_seller >= 1, 0 < new_seller_weight <= 1, full_weight_days >= 0"
        )
    return rules


def age_weight(days: float, rules: TrustRules | None = None) -> float:
    """A seller's listings' weight by the account's age: `new_seller_weight` at registration, rising
    linearly to 1 at `full_weight_days`."""
    rules = rules or trust_rules()
    if rules.full_weight_days <= 0 or days >= rules.full_weight_days:
        return 1.0
    share = max(0.0, days) / rules.full_weight_days
    return rules.new_seller_weight + (1 - rules.new_seller_weight) * share


def seller_listings(comps: Sequence[Listed]) -> dict[str, float]:
    """How many listings each seller has in the set the comparables stand for. Read in full (every weight
    1), the count. From a random sample, where a listing of weight w stands for w listings: the seller's
    first listing is the seller's own and each further one stands for its weight. A sampled listing stands
    for listings of other sellers too (most sellers have a few listings, rarely two in one comparison), so
    counting it as w of its seller's would cap an ordinary seller's listing to `per_seller` and let the
    seed's (uncapped) outweigh it w/3-fold; a seller who floods the set still shows up many times and is
    capped."""
    total: dict[str, float] = {}
    heaviest: dict[str, float] = {}
    for c in comps:  # called for every set a comparison weighs: plain dictionary work, no calls per listing
        seller, weight = c.seller, c.weight
        if not seller:
            continue
        before = total.get(seller)
        if before is None:
            total[seller] = heaviest[seller] = weight
        else:
            total[seller] = before + weight
            if weight > heaviest[seller]:
                heaviest[seller] = weight
    return {s: total[s] - heaviest[s] + 1 for s in total}


def trust_weights(comps: Sequence[Listed]) -> list[float]:
    """Each comparable's trust in 0..1 within this set: its seller's age weight, times `per_seller` over
    the number of listings the seller has in the set (`seller_listings`) when that is more."""
    rules = trust_rules()
    listed = seller_listings(comps)
    if not listed:  # the seed's alone
        return [1.0] * len(comps)
    per_seller, grown = rules.per_seller, rules.full_weight_days
    # Called several times per comparison on a few hundred listings: each seller's share once, then a
    # lookup per listing; most sellers' accounts are older than `full_weight_days` (weight 1, no arithmetic).
    shares = {seller: 1.0 if count <= per_seller else per_seller / count for seller, count in listed.items()}
    out = []
    for c in comps:
        seller = c.seller
        if not seller:
            out.append(1.0)
        elif c.seller_days >= grown:
            out.append(shares[seller])
        else:
            out.append(shares[seller] * age_weight(c.seller_days, rules))
    return out


def effective_count(comps: Sequence[Listed]) -> float:
    """How many comparables a set is worth once trust is counted: the seed's each 1, a seller's at most
    `per_seller`, a new seller's less. What decides whether a set is enough to price from."""
    return sum(trust_weights(comps))


def weighted_quantile(values: Sequence[float], weights: Sequence[float], q: float) -> float:
    """The value below which a share `q` of the total weight lies (a weighted median for q=0.5); halfway
    between two values when the share falls exactly between them."""
    return weighted_quantiles(values, weights, (q,))[0]


def weighted_quantiles(values: Sequence[float], weights: Sequence[float], qs: Sequence[float]) -> list[float]:
    """`weighted_quantile` for each of `qs`, the values sorted once."""
    order = sorted(range(len(values)), key=values.__getitem__)
    total = sum(weights)
    if not order or total <= 0:
        raise ValueError("no weighted values")
    ranked = [values[i] for i in order]
    ranked_weights = [weights[i] for i in order]
    tolerance = 1e-9 * total
    last = len(order) - 1
    out = []
    for q in qs:
        target, running = q * total, 0.0
        found = ranked[-1]
        for position, weight in enumerate(ranked_weights):
            running += weight
            if running > target + tolerance:
                found = ranked[position]
                break
            if abs(running - target) <= tolerance and position < last:
                found = (ranked[position] + ranked[position + 1]) / 2
                break
        out.append(found)
    return out


MAD_TO_SD = 1.4826  # a normal distribution's standard deviation is this many median absolute deviations


def robust_keep(prices: Sequence[float], weights: Sequence[float]) -> list[bool]:
    """Which prices to keep at all (`robust_shares` above 0)."""
    return [share > 0 for share in robust_shares(prices, weights)]


# The outlier cut fades over this much log price either side of it (about 20%): a listing a little inside
# the cut counts a little less, one a little outside a little. A hard cut made the suggestion jump when one
# listing crossed it: copies of a listing at the cut's edge, each asking a few percent more or less, fell
# half inside and half outside, and the suggestion moved with how many fell where.
OUTLIER_FADE = 0.2


def robust_shares(prices: Sequence[float], weights: Sequence[float]) -> list[float]:
    """How much of its weight each price keeps (0 to 1): all of it within `outlier_spread` robust standard
    deviations (weighted median absolute deviation, at least `min_spread`) of the weighted median in log
    price and above `placeholder_share` of that median, none beyond, fading linearly over OUTLIER_FADE
    either side of those bounds. Weighted, so a crowd of one seller's listings (capped) cannot make itself
    the bulk."""
    if len(prices) < 4 or sum(weights) <= 0:
        return [1.0] * len(prices)
    rules = trust_rules()
    logs = [math.log(max(p, 0.01)) for p in prices]
    centre = weighted_quantile(logs, weights, 0.5)
    mad = weighted_quantile([abs(v - centre) for v in logs], weights, 0.5)
    reach = max(rules.outlier_spread * MAD_TO_SD * mad, rules.min_spread)
    floor = centre + math.log(rules.placeholder_share)

    def fade(inside: float) -> float:  # `inside`: how far within a bound (negative: beyond it)
        return min(1.0, max(0.0, 0.5 + inside / (2 * OUTLIER_FADE)))

    shares = [min(fade(reach - abs(v - centre)), fade(v - floor)) for v in logs]
    return shares if any(shares) else [1.0] * len(prices)
