"""The Google Product Taxonomy as a tree: parsing the `<id> - A > B > C` text format."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

SEPARATOR = " > "


@dataclass(frozen=True, slots=True)
class TaxonomyNode:
    id: int
    path: str
    parent_id: int | None
    is_leaf: bool

    @property
    def name(self) -> str:
        return self.path.rsplit(SEPARATOR, 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count(SEPARATOR) + 1


def parse_taxonomy(lines: Iterable[str]) -> list[TaxonomyNode]:
    """Parse taxonomy lines (`<id> - <path>`; `#` lines are comments) into nodes with parents and leaves."""
    pairs: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        raw_id, sep, raw_path = line.partition(" - ")
        if not sep or not raw_id.isdigit() or not raw_path:
            raise ValueError(f"taxonomy line {number} is not '<id> - <path>': {line!r}")
        pairs.append((int(raw_id), raw_path))
    by_path: dict[str, int] = {path: ident for ident, path in pairs}
    if len(by_path) != len(pairs):
        raise ValueError("taxonomy has duplicate paths")
    parents: dict[int, int | None] = {}
    with_children: set[int] = set()
    for ident, path in pairs:
        parent_path: str | None = path.rsplit(SEPARATOR, 1)[0] if SEPARATOR in path else None
        if parent_path is not None and parent_path not in by_path:
            raise ValueError(f"category {ident} ({path}) has no parent {parent_path!r}")
        parent_id = by_path[parent_path] if parent_path is not None else None
        parents[ident] = parent_id
        if parent_id is not None:
            with_children.add(parent_id)
    return [TaxonomyNode(ident, path, parents[ident], ident not in with_children) for ident, path in pairs]


class CategoryLike(Protocol):
    """A category as the API shows it (a taxonomy node read from the database, or the search index's)."""

    @property
    def id(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def is_leaf(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    path: str
    name: str
    parent_id: int | None
    is_leaf: bool


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The categories by id and each one's children: what requests look categories up in."""

    by_id: Mapping[int, CategoryLike]
    children: Mapping[int, Sequence[int]]

    @classmethod
    def of(cls, categories: Iterable[CategoryLike]) -> Taxonomy:
        by_id = {c.id: c for c in categories}
        children: dict[int, list[int]] = {}
        for c in by_id.values():
            if c.parent_id is not None:
                children.setdefault(c.parent_id, []).append(c.id)
        return cls(by_id, children)

    def lineage(self, category_id: int) -> list[int]:
        """The category's ancestors and itself, root first."""
        line = []
        current: int | None = category_id
        while current is not None:
            line.append(current)
            current = self.by_id[current].parent_id
        return line[::-1]


class HasCategories(Protocol):
    """Anything that looks categories up by id (a `Taxonomy`, the category search index)."""

    @property
    def by_id(self) -> Mapping[int, CategoryLike]: ...
