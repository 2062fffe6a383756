"""The seller's answer to a draft: approve it, or not (with what they said, which the model reads)."""

from __future__ import annotations

import re

NOT_APPROVED = "The seller did not approve this draft, so nothing was posted."

_APPROVE = re.compile(
    r"^\s*(?:y|yes|yeah|yep|yup|sure|ok|okay|approve|approved|post it|post|publish|publish it|list it|go|"
    r"go ahead|do it|looks good|sounds good|lgtm|perfect|great|fine|confirm|yes please|yes,? post it)"
    r"[\s!.]*(?:please|thanks|thank you)?[\s!.]*$",
    re.I,
)


def is_approval(reply: str) -> bool:
    """True only for a plain yes; anything else ("yes but make it 40") goes back to the model as a reply."""
    return bool(_APPROVE.match(reply))


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
