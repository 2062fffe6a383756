"""The words a category search is sent for an item: its name less spec phrases that pull the search elsewhere
("macbook pro 2019 16gb ram 512gb ssd" -> "macbook pro laptop"), and with the kind of thing a product line
is where the marketplace does not know it ("fender stratocaster" -> "fender stratocaster guitar"). The name
itself stays the seller's. Rules in data/search.yaml."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict

from agent.offline.lexicon import DATA, read_yaml


class _Kind(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: str
    kind: str


class _SearchData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    noise: list[str]
    kinds: list[_Kind]
    not_the_kind: list[str]


@cache
def _rules() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str], ...], frozenset[str]]:
    data = _SearchData.model_validate(read_yaml(DATA / "search.yaml"))
    noise = re.compile("|".join(f"(?:{p})" for p in data.noise), re.I)
    kinds = tuple((re.compile(k.when, re.I), k.kind) for k in data.kinds)
    return noise, kinds, frozenset(data.not_the_kind)


def search_query(name: str) -> str:
    """What to search categories for, for an item of this name."""
    noise, kinds, not_the_kind = _rules()
    words = " ".join(noise.sub(" ", name).split()).strip(" ,.-+&/")
    # a name that is only specs ("16gb ram") is searched as said
    query = words if re.search(r"[a-z]{2,}", words, re.I) else name
    said = set(re.findall(r"[a-z]+", query.lower()))
    if said & not_the_kind:  # "ps4 controller": an accessory of the line, not the line's kind
        return query
    for when, kind in kinds:
        if when.search(name) and not set(kind.split()) & said:
            return f"{query} {kind}"
    return query
