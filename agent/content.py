"""Tool results as plain JSON-like data, whichever way they arrived (a pydantic model in-process, a JSON
string over the OpenAI wire)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


def as_data(content: Any) -> Any:
    if isinstance(content, BaseModel):
        return content.model_dump(mode="json")
    if isinstance(content, str):
        try:
            return json.loads(content)
        except ValueError:
            return content
    if isinstance(content, list | tuple):
        return [as_data(c) for c in content]
    return content
