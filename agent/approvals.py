"""The seller's answer to a draft: approve it, or not (with what they said, which the model reads)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

NOT_APPROVED = "The seller did not approve this draft, so nothing was posted."

WORDS_FILE = Path(__file__).with_name("approval_words.yaml")


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    approve: list[str]
    after: list[str]
    thanks: list[str]


@cache
def _approve() -> re.Pattern[str]:
    """A yes, or a few yeses in a row, and nothing else (agent/approval_words.yaml)."""
    words = _Words.model_validate(yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")))
    yes = "|".join(f"(?:{p})" for p in words.approve)
    after = "|".join(f"(?:{p})" for p in words.after)
    thanks = "|".join(f"(?:{p})" for p in words.thanks)
    return re.compile(
        rf"^\s*(?:{yes})(?:[\s,!.]*(?:and\s+)?(?:{yes}|{after}|(?:{thanks})(?=[\s,!.]+\S)))*[\s,!.]*(?:{thanks})?[\s!.]*$",
        re.I,
    )


def is_approval(reply: str) -> bool:
    """True only for a plain yes; anything else ("yes but make it 40") goes back to the model as a reply."""
    return bool(_approve().match(reply))


def denial_message(reply: str | None) -> str:
    """What the model is told when the seller does not approve (`reply` is their words, if any)."""
    said = (reply or "").strip()
    return f'{NOT_APPROVED} Their reply: "{said}"' if said else f"{NOT_APPROVED} They declined."


def parse_denial(content: str) -> str | None:
    """The seller's reply inside a denial message ('' when they just declined); None if it isn't one."""
    if not content.startswith(NOT_APPROVED):
        return None
    m = re.search(r'Their reply: "(.*)"\s*$', content, re.S)
    return m.group(1) if m else ""
