"""Variants: what exactly drives the agent (prompt version, model, its settings, the tools as the model sees
them), recorded on every conversation, trace and eval run so "what changed" always has an answer.

A variant spec is how a person names one on the command line:
`MODEL[,prompt=NAME@VERSION|NAME@LABEL|LABEL][,temperature=..][,max_tokens=..]`, e.g.
`offline`, `openai:gpt-4o-mini,temperature=0.2`, `offline,prompt=listing_agent@candidate`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from agent.models import ModelChoice, resolve_model
from agent.offline.model import OFFLINE_MODEL_NAME
from agent.offline.settings import OfflineModelSettings, PolicySettings
from agent.prompts import Prompt, PromptRefError, load_prompt

SettingValue = bool | int | float | str

# The generic settings a spec may set (scalars only; headers and bodies are no business of a spec).
SPEC_SETTINGS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "parallel_tool_calls",
    "thinking",
    "service_tier",
)
# Ranges the providers document; a value outside one is a typo, caught before any model is called.
_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "max_tokens": (1, 1_000_000),
    "top_k": (1, 1_000_000),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")


class VariantSpecError(ValueError):
    """A variant spec that cannot work; the message says what is wrong and how to write it."""


class Variant(BaseModel):
    """What drove a conversation: recorded on it, on its spans and on eval runs."""

    model_config = ConfigDict(frozen=True)

    model: str  # as the user named it: offline, openai:gpt-4o-mini, openai-chat:llama3 ...
    model_version: str | None = None  # as the provider reported it in its responses (gpt-4o-mini-2024-07-18)
    prompt: str  # NAME@VERSION
    settings: dict[str, SettingValue] = Field(default_factory=dict)
    toolset: str  # toolset_version(): changes when a tool's name, description or schema does

    @property
    def id(self) -> str:
        """Short and stable: the same model, prompt, settings and tools give the same id (the resolved model
        version is left out: it is learnt from the first response, after the variant is chosen)."""
        key = json.dumps(
            [self.model, self.prompt, sorted(self.settings.items()), self.toolset], separators=(",", ":")
        )
        return hashlib.sha256(key.encode()).hexdigest()[:10]

    @property
    def spec(self) -> str:
        """The spec that names this variant again (for `--variant`)."""
        return ",".join(
            [
                self.model,
                f"prompt={self.prompt}",
                *(f"{k}={_show(v)}" for k, v in sorted(self.settings.items())),
            ]
        )

    def describe(self) -> str:
        model = self.model + (f" ({self.model_version})" if self.model_version else "")
        settings = " ".join(f"{k}={_show(v)}" for k, v in sorted(self.settings.items()))
        return (
            f"{model} · {self.prompt}" + (f" · {settings}" if settings else "") + f" · tools {self.toolset}"
        )

    def with_model_version(self, version: str | None) -> Variant:
        if not version or version == self.model_version:
            return self
        return self.model_copy(update={"model_version": version})

    def model_settings(self) -> ModelSettings:
        return cast(ModelSettings, dict(self.settings))


def _show(value: SettingValue) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def toolset_version(tools: Iterable[ToolDefinition]) -> str:
    """A hash of the tools as the model sees them: names, descriptions and parameter schemas, in name order."""
    described = sorted(
        (
            {"name": t.name, "description": t.description or "", "parameters": t.parameters_json_schema}
            for t in tools
        ),
        key=lambda d: str(d["name"]),
    )
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:12]


class VariantSpec(BaseModel):
    """A parsed, not yet resolved, variant spec."""

    model_config = ConfigDict(frozen=True)

    model: str
    prompt: str | None = None  # a prompt reference (NAME, NAME@VERSION, NAME@LABEL, LABEL); None: the file
    settings: dict[str, SettingValue] = Field(default_factory=dict)

    def model_settings(self) -> ModelSettings | None:
        return cast(ModelSettings, dict(self.settings)) if self.settings else None

    def text(self) -> str:
        """The spec as written on a command line (`parse_variant_spec` reads it back)."""
        prompt = [f"prompt={self.prompt}"] if self.prompt else []
        return ",".join([self.model, *prompt, *(f"{k}={_show(v)}" for k, v in self.settings.items())])


def settings_schema_for(model: str) -> type[Any]:
    """The settings TypedDict a model accepts (model-specific keys join the generic ones here)."""
    if model in ("offline", OFFLINE_MODEL_NAME):
        return OfflineModelSettings  # the offline policy's own choices (offline_price_position, ...)
    return ModelSettings


@dataclass(frozen=True)
class _SettingSlot:
    name: str
    adapter: TypeAdapter[Any]


def _spec_settings(model: str) -> dict[str, _SettingSlot]:
    schema = settings_schema_for(model)
    hints = get_type_hints(schema)
    generic = set(get_type_hints(ModelSettings))
    names = [n for n in SPEC_SETTINGS if n in hints] + sorted(n for n in hints if n not in generic)
    return {n: _SettingSlot(n, TypeAdapter(hints[n])) for n in names}


def parse_variant_spec(text: str) -> VariantSpec:
    """`MODEL[,prompt=REF][,setting=value...]` into a VariantSpec; VariantSpecError says what is wrong."""
    example = "e.g. offline,prompt=listing_agent@candidate,temperature=0.2"
    items = [item.strip() for item in text.split(",")]
    if not text.strip():
        raise VariantSpecError(
            f"empty variant spec; write MODEL[,prompt=NAME@VERSION|LABEL][,setting=value] ({example})"
        )
    model, *pairs = items
    if not model or "=" in model:
        raise VariantSpecError(
            f"variant spec {text!r} must start with the model (offline, openai:gpt-4o-mini, ...), {example}"
        )
    slots = _spec_settings(model)
    prompt: str | None = None
    settings: dict[str, SettingValue] = {}
    seen: set[str] = set()
    for pair in pairs:
        key, eq, value = (part.strip() for part in pair.partition("="))
        if not pair:
            raise VariantSpecError(f"variant spec {text!r} has an empty item (two commas in a row?)")
        if not eq or not key:
            raise VariantSpecError(f"variant spec {text!r}: {pair!r} is not key=value ({example})")
        if key in seen:
            raise VariantSpecError(f"variant spec {text!r} sets {key} twice")
        seen.add(key)
        if not value:
            raise VariantSpecError(f"variant spec {text!r}: {key}= has no value")
        if key == "prompt":
            prompt = value
            continue
        slot = slots.get(key)
        if slot is None:
            close = difflib.get_close_matches(key, [*slots, "prompt"], n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise VariantSpecError(
                f"variant spec {text!r}: unknown setting {key!r}{hint}; known: prompt, {', '.join(slots)}"
            )
        settings[key] = _setting_value(slot, value, text)
    if model in ("offline", OFFLINE_MODEL_NAME):  # its settings' ranges are the policy's own rules
        try:
            PolicySettings.from_model_settings(settings)
        except ValueError as e:
            raise VariantSpecError(f"variant spec {text!r}: {e}") from None
    return VariantSpec(model=model, prompt=prompt, settings=settings)


def _setting_value(slot: _SettingSlot, raw: str, text: str) -> SettingValue:
    try:
        value = slot.adapter.validate_python(raw)
    except ValidationError as e:
        reason = e.errors()[0]["msg"]
        raise VariantSpecError(f"variant spec {text!r}: {slot.name}={raw} is not valid ({reason})") from None
    if not isinstance(value, bool | int | float | str):
        raise VariantSpecError(f"variant spec {text!r}: {slot.name} cannot be set in a spec")
    bounds = _RANGES.get(slot.name)
    if bounds and not isinstance(value, bool | str) and not bounds[0] <= value <= bounds[1]:
        raise VariantSpecError(
            f"variant spec {text!r}: {slot.name}={raw} is out of range ({bounds[0]:g} to {bounds[1]:g})"
        )
    return value


def parse_named_variant(text: str) -> tuple[str, VariantSpec]:
    """`NAME=SPEC` (as `--variant A=offline,temperature=0`) into its name and spec."""
    name, eq, spec = text.partition("=")
    name = name.strip()
    if not eq or not _NAME.fullmatch(name) or "," in name:
        raise VariantSpecError(
            f"--variant {text!r}: write NAME=SPEC, e.g. A=offline or B=offline,prompt=listing_agent@candidate"
        )
    return name, parse_variant_spec(spec)


@dataclass(frozen=True)
class ResolvedVariant:
    """A spec made real: the model object, the prompt's text and the settings, ready to build an agent."""

    choice: ModelChoice
    prompt: Prompt
    settings: dict[str, SettingValue]

    def model_settings(self) -> ModelSettings | None:
        return cast(ModelSettings, dict(self.settings)) if self.settings else None

    def variant(self, toolset: str) -> Variant:
        return Variant(
            model=self.choice.name, prompt=self.prompt.ref, settings=self.settings, toolset=toolset
        )


def resolve_variant(
    spec: VariantSpec,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    choice: ModelChoice | None = None,
) -> ResolvedVariant:
    """The model (agent.models' rules) and the prompt (a file, a stored version, a label) a spec names;
    `choice` stands in for the model when given (its recordings replayed: no model is made, no key needed).

    Raises ModelConfigError for the model and VariantSpecError for the prompt."""
    choice = choice or resolve_model(spec.model, base_url, env, given_by="the variant")
    try:
        prompt = load_prompt(spec.prompt) if spec.prompt else load_prompt()
    except (PromptRefError, FileNotFoundError) as e:
        raise VariantSpecError(f"prompt={spec.prompt}: {e}") from e
    return ResolvedVariant(choice, prompt, dict(spec.settings))
