"""Which model drives the agent: `--model`/`TROVA_MODEL`, else OpenAI when a key is set, else offline."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic_ai.models import Model, infer_model

from agent.offline.model import OFFLINE_MODEL_NAME, OfflineModel

OFFLINE = "offline"
DEFAULT_OPENAI_MODEL = "openai:gpt-4o-mini"


class ModelConfigError(ValueError):
    """A model name or setting that cannot work; the message says how to fix it."""


@dataclass(frozen=True)
class ModelChoice:
    model: Model
    name: str  # as the user would type it: offline, openai:gpt-4o-mini, openai-chat:llama3 ...
    notice: str  # one line for the user: which model, and why

    @property
    def is_offline(self) -> bool:
        return self.name == OFFLINE


def resolve_model(
    name: str | None = None, base_url: str | None = None, env: Mapping[str, str] | None = None
) -> ModelChoice:
    env = os.environ if env is None else env
    chosen = name or env.get("TROVA_MODEL") or ""
    reason = "from --model" if name else "from TROVA_MODEL" if chosen else ""
    base_url = base_url or env.get("TROVA_BASE_URL") or None
    if not chosen:
        if env.get("OPENAI_API_KEY"):
            chosen, reason = DEFAULT_OPENAI_MODEL, "OPENAI_API_KEY is set"
        else:
            chosen, reason = OFFLINE, "no OPENAI_API_KEY; set it or pass --model to use an LLM"
    if chosen in (OFFLINE, OFFLINE_MODEL_NAME):
        return ModelChoice(
            OfflineModel(), OFFLINE, f"Model: offline, the rule-based stand-in, not an LLM ({reason})."
        )
    if ":" not in chosen:
        raise ModelConfigError(
            f"model {chosen!r} needs a provider prefix, e.g. openai:gpt-4o-mini, openai-chat:<name> with "
            "--base-url for an OpenAI-compatible server, anthropic:<name>; or 'offline'."
        )
    provider, _, model_name = chosen.partition(":")
    if base_url:
        if provider not in ("openai", "openai-chat"):
            raise ModelConfigError("--base-url works with openai: and openai-chat: models only.")
        from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
        from pydantic_ai.providers.openai import OpenAIProvider

        # Local OpenAI-compatible servers usually ignore the key, but the client insists on one.
        provider_obj = OpenAIProvider(base_url=base_url, api_key=env.get("OPENAI_API_KEY") or "not-needed")
        model: Model = (
            OpenAIChatModel(model_name, provider=provider_obj)
            if provider == "openai-chat"
            else OpenAIResponsesModel(model_name, provider=provider_obj)
        )
        return ModelChoice(model, chosen, f"Model: {chosen} at {base_url} ({reason or 'from settings'}).")
    try:
        model = infer_model(chosen)
    except Exception as e:  # unknown provider, missing SDK extra or key: say which, and how to fix it
        raise ModelConfigError(f"cannot use model {chosen!r}: {e}{_hint(provider, str(e))}") from e
    return ModelChoice(model, chosen, f"Model: {chosen} ({reason}).")


# Providers whose SDK comes with a project extra (pyproject's optional dependencies).
_EXTRAS = {"anthropic": "anthropic", "google": "google", "google-gla": "google", "google-vertex": "google"}


def _hint(provider: str, error: str) -> str:
    if "install" in error.lower() and provider in _EXTRAS:
        return f"\nIts SDK is a project extra: uv run --extra {_EXTRAS[provider]} trova ..."
    if provider == "openai-chat" and "OPENAI_API_KEY" in error:
        return (
            "\nFor an OpenAI-compatible server (vLLM, llama.cpp, Ollama, trova model-server) pass --base-url."
        )
    return ""


def check_reachable(base_url: str, timeout: float = 5.0) -> None:
    """Fail fast, as a configuration error, when nothing answers at an OpenAI-compatible base URL (any
    HTTP answer will do: some servers do not implement /models)."""
    import httpx

    try:
        httpx.get(base_url.rstrip("/") + "/models", timeout=timeout)
    except httpx.TransportError as e:
        raise ModelConfigError(f"nothing answers at --base-url {base_url} ({type(e).__name__}: {e})") from e
