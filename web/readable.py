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


# What a page shows of any text: besides the characters above, the C0 controls other than line breaks and
# tabs (an escape sequence or a bell typed into a comment or a review note), each as its escape. Every
# `{{ ... }}` on the site's and the admin pages goes through it (Jinja's finalize), before HTML escaping.
_TEXT_ESCAPED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SHOWN_ESCAPED.pattern[1:-1]}]")


def readable_text(value: object) -> object:
    """`value` with the characters that could deceive or break a page as escapes ("\\x1b", "\\u202e");
    anything but text as it is (markup the server made stays markup)."""
    if not isinstance(value, str):
        return value
    shown = _TEXT_ESCAPED.sub(lambda m: _escape(m.group()), value)
    return type(value)(shown) if shown != value else value  # a Markup stays a Markup


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
