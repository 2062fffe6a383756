"""Data shown to a person as JSON: letters as letters (a reviewer reads "Bicycles > Kids'" and 🚲, not
"\\u003e" and surrogate pairs), and only what could deceive or break the page escaped."""

from __future__ import annotations

import json
import re

# Invisible or direction-changing characters (C1 controls, zero-width and bidirectional marks, overrides and
# isolates, line and paragraph separators, the byte-order mark) and lone surrogates, which cannot be sent
# as UTF-8: each is shown as its escape. JSON itself escapes the C0 controls.
_SHOWN_ESCAPED = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def readable_json(value: object) -> str:
    """`value` as JSON for a page (the template escapes it as HTML like any text)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return _SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
