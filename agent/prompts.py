"""Versioned prompts: a prompt's version is a hash of its text, so any edit is a new version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPT_DIR = Path(__file__).parent / "prompts"
DEFAULT_PROMPT = "listing_agent"


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def version(self) -> str:
        """First 12 hex digits of the SHA-256 of the text: changes exactly when the prompt does."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


@cache
def load_prompt(name: str = DEFAULT_PROMPT) -> Prompt:
    path = PROMPT_DIR / f"{name}.md"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in PROMPT_DIR.glob("*.md")))
        raise FileNotFoundError(f"no prompt named {name!r} in {PROMPT_DIR} (available: {available})")
    return Prompt(name, path.read_text(encoding="utf-8"))
