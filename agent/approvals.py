"""The seller's answer to a draft: approve it, or not (with what they said, which the model reads)."""

from __future__ import annotations

import re

NOT_APPROVED = "The seller did not approve this draft, so nothing was posted."

_YES = (
    r"(?:y|yes|yeah|yep|yup|sure|ok|okay|alright|all right|approve|approved|post it|post|publish|publish it|"
    r"list it|go|go ahead|do it|looks good|looks great|(?:that )?sounds (?:good|great|fine|right)|thumbs up|"
    r"works for me|lgtm|that'?s (?:perfect|great|fine|good|right)|"
    r"perfect|great|fine|confirm|please|"
    r"confirmed|k|agreed|ship it|go for it|go with (?:it|that|this)|that works|good to go|👍|"
    # "ok list it at that", "use that price": the draft's price taken, as shown
    r"(?:list|post|publish) it (?:at|for) (?:that|this)(?: price)?|(?:use|take) (?:that|this)(?: price)?|"
    r"go with (?:that|this) price)"
)
# A yes, or a few yeses in a row ("ok, post it then", "perfect, thanks!", "ok whatever": grudging, still a
# yes); any other word makes it a reply for the model.
_APPROVE = re.compile(
    rf"^\s*{_YES}(?:[\s,!.]*(?:and\s+)?(?:{_YES}|then|now|whatever|i guess))*[\s,!.]*(?:thanks|thank you)?[\s!.]*$",
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
