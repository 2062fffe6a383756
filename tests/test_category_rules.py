"""The category rules as data (marketplace/rules/categories/): what they decide, and how a broken rule
file is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from marketplace.category_rules import RULES_DIR, RulesError, classify, default_rules, load_rules

PHONES = "Electronics > Communications > Telephony > Mobile Phones"


@pytest.mark.parametrize(
    ("title", "section", "path"),
    [
        (
            "iPhone 6 case",
            "phone",
            f"{PHONES[: -len(' > Mobile Phones')]} > Mobile Phone Accessories > Mobile Phone Cases",
        ),
        ("iPhone 7 32GB unlocked", "phone", f"{PHONES} > Unlocked Mobile Phones"),  # a handset rule
        ("iPhone 7 32GB Verizon", "phone", f"{PHONES} > Contract Mobile Phones"),
        ("Galaxy S7 prepaid", "phone", f"{PHONES} > Pre-paid Mobile Phones"),
        ("2012 Honda Civic", "car", "Vehicles & Parts > Vehicles > Motor Vehicles > Cars, Trucks & Vans"),
        ("Trek 520", "bike", "Sporting Goods > Outdoor Recreation > Cycling > Bicycles"),
        ("Moving sale", "furniture", "Furniture"),  # nothing matches: the section's fallback
    ],
)
def test_rules_file_titles(title: str, section: str, path: str) -> None:
    assert classify(title, section) == path


def test_every_rule_says_where_it_comes_from() -> None:
    rules = default_rules().rules
    assert all(":" in r.origin and r.origin.split(":")[0].endswith(".yaml") for r in rules)
    assert {r.origin.split(":")[0] for r in rules} == {p.name for p in RULES_DIR.glob("[0-9]*.yaml")}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    return folder


def _append(folder: Path, line: str) -> Path:
    file = folder / "5-cars.yaml"
    file.write_text(file.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    return file


def test_a_copy_loads_the_same_rules(rules_copy: Path) -> None:
    copy = load_rules(rules_copy)
    assert [(r.pattern.pattern, r.path) for r in copy.rules] == [
        (r.pattern.pattern, r.path) for r in default_rules().rules
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("  - {in: car, match: 'tow (bar', path: 'Vehicles & Parts'}", "invalid regular expression"),
        ("  - {in: car, match: '${NOPE}', path: 'Vehicles & Parts'}", "${NOPE} is not defined"),
        ("  - {in: boat, match: 'dinghy', path: 'Vehicles & Parts'}", "unknown section boat"),
        ("  - {in: car, match: 'dinghy'}", "a rule needs a path"),
        (
            "  - {in: car, match: 'a', all: ['b', 'c'], path: 'Vehicles & Parts'}",
            "exactly one of match, all, handset",
        ),
        ("  - {in: car, match: 'a', pth: 'Vehicles & Parts'}", "pth"),
    ],
)
def test_a_broken_rule_names_its_file_and_line(rules_copy: Path, line: str, message: str) -> None:
    file = _append(rules_copy, line)
    last_line = len(file.read_text(encoding="utf-8").splitlines())
    with pytest.raises(RulesError) as caught:
        load_rules(rules_copy)
    assert message in str(caught.value)
    assert f"5-cars.yaml:{last_line}" in str(caught.value)


def test_all_and_unless_build_one_pattern(rules_copy: Path) -> None:
    _append(rules_copy, "  - {in: car, all: ['roof', 'rack'], unless: ['bike'], path: 'Vehicles & Parts'}")
    last = load_rules(rules_copy).rules[-1]
    assert last.pattern.search("Thule roof rack")
    assert last.pattern.search("rack for the roof")  # any order
    assert not last.pattern.search("roof rack for a bike")
    assert not last.pattern.search("roof box")
