"""`--set MODULE.NAME=VALUE` for the tuning benchmarks: a tuning constant changed for one run, so a variant is
measured against the same splits without editing the code (`category_search.py`, `pricing_dev.py`)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import ModuleType


def apply_setting(setting: str, tunable: Mapping[str, ModuleType]) -> str:
    """Set a tuning constant from "module.NAME=value" (a number or True/False); an error message, or ""."""
    target, _, raw = setting.partition("=")
    module_name, _, name = target.strip().partition(".")
    module = tunable.get(module_name)
    if module is None or not name.isupper() or not hasattr(module, name) or not raw.strip():
        return f"--set takes MODULE.NAME=VALUE with MODULE one of {', '.join(tunable)}, not {setting!r}"
    current = getattr(module, name)
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        return f"--set {setting!r}: {raw.strip()!r} is not a number or True/False"
    fits = type(value) is type(current) or (type(current) is float and type(value) is int)
    if not fits or not isinstance(current, int | float):
        return f"--set {setting!r}: {name} is {type(current).__name__}, not {type(value).__name__}"
    setattr(module, name, type(current)(value))
    return ""
