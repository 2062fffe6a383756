"""Which model drives the agent: `--model`/`TROVA_MODEL`, else OpenAI when a key is set, else offline.

A model is a pydantic-ai model string (`openai:gpt-4o-mini`), `offline`, or an import path
`package.module:attribute` naming a pydantic-ai `Model` or a zero-argument factory returning one (a team's
own wrapped model, a `FunctionModel`), as pytest and Inspect take import paths.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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


def _named(name: str | None, env: Mapping[str, str], given_by: str) -> tuple[str, str]:
    """The model's name by the rule (the option, else TROVA_MODEL, else by OPENAI_API_KEY) and why it."""
    if name:
        return name, f"from {given_by}"
    if env.get("TROVA_MODEL"):
        return env["TROVA_MODEL"], "from TROVA_MODEL"
    if env.get("OPENAI_API_KEY"):
        return DEFAULT_OPENAI_MODEL, "OPENAI_API_KEY is set"
    return OFFLINE, "no OPENAI_API_KEY; set it or pass --model to use an LLM"


def model_name(name: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The model `resolve_model` would pick, by name only: nothing is made, no key is needed."""
    return _named(name, os.environ if env is None else env, "--model")[0]


def resolve_model(
    name: str | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    given_by: str = "--model",
) -> ModelChoice:
    """The model `name` names (given by the option `given_by`), else TROVA_MODEL's, else the default."""
    env = os.environ if env is None else env
    chosen, reason = _named(name, env, given_by)
    base_url = base_url or env.get("TROVA_BASE_URL") or None
    if chosen in (OFFLINE, OFFLINE_MODEL_NAME):
        return ModelChoice(
            OfflineModel(), OFFLINE, f"Model: offline, the rule-based stand-in, not an LLM ({reason})."
        )
    if is_import_path(chosen):
        loaded = load_model_object(chosen)
        return ModelChoice(loaded, chosen, f"Model: {chosen}, a {type(loaded).__name__} ({reason}).")
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
        raise ModelConfigError(f"cannot use model {chosen!r}: {_reason(e)}{_hint(provider, str(e))}") from e
    return ModelChoice(model, chosen, f"Model: {chosen} ({reason}).")


# Providers whose SDK comes with a project extra (pyproject's optional dependencies).
_EXTRAS = {"anthropic": "anthropic", "google": "google", "google-gla": "google", "google-vertex": "google"}


def _reason(error: Exception) -> str:
    """The library's reason without its advice for library users ("use the built-in test model:
    `Agent('test')`"), which means nothing to someone running trova: the offline model is its default."""
    return re.split(r"\s+To try Pydantic AI without", str(error), maxsplit=1)[0]


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


_IMPORT_PATH = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")


def _known_provider(prefix: str) -> bool:
    from pydantic_ai.models import parse_model_id
    from pydantic_ai.providers import infer_provider_class

    provider, _ = parse_model_id(f"{prefix}:x")
    if provider is None:
        return False
    try:
        infer_provider_class(provider)
    except ValueError:
        return False
    except ImportError:  # a provider whose SDK is not installed is still a provider
        return True
    return True


def _importable(module: str) -> bool:
    _with_cwd_on_path()
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def is_import_path(name: str) -> bool:
    """Whether `name` is `module:attribute` rather than `provider:model`: a dotted module, or a module that
    can be imported whose name is no provider pydantic-ai knows."""
    found = _IMPORT_PATH.match(name)
    if found is None:
        return False
    module = found.group(1)
    return "." in module or (not _known_provider(module) and _importable(module))


def _with_cwd_on_path() -> None:
    # As `python -m` and pytest do: modules of the project in the current folder can be named.
    cwd = str(Path.cwd())
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def load_model_object(path: str) -> Model:
    """The pydantic-ai Model an import path names: the object itself, or what a zero-argument factory
    returns. Every failure is a ModelConfigError that says what was found and what is needed."""
    from pydantic_ai.models import Model as ModelBase

    found = _IMPORT_PATH.match(path)
    if found is None:
        raise ModelConfigError(f"--model {path!r} is not an import path like package.module:attribute")
    module_name, attribute = found.groups()
    _with_cwd_on_path()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and module_name.startswith(e.name):  # the module itself is missing, not one it imports
            raise ModelConfigError(
                f"--model {path}: no module named {module_name!r} (looked in the current folder and the "
                "installed packages)"
            ) from e
        raise ModelConfigError(f"--model {path}: importing {module_name} failed: {e}") from e
    except Exception as e:  # the module's own code raised while importing
        raise ModelConfigError(
            f"--model {path}: importing {module_name} raised {type(e).__name__}: {e}"
        ) from e
    target: object = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ModelConfigError(f"--model {path}: {module_name} has no attribute {attribute!r}") from None
    if isinstance(target, ModelBase):
        return target
    if not callable(target):
        raise ModelConfigError(
            f"--model {path} is a {type(target).__name__}, not a pydantic-ai Model or a function returning one"
        )
    try:
        made = target()
    except TypeError as e:
        raise ModelConfigError(
            f"--model {path} could not be called without arguments ({e}); give a Model or a zero-argument "
            "factory"
        ) from e
    except Exception as e:
        raise ModelConfigError(f"--model {path}: calling it raised {type(e).__name__}: {e}") from e
    if not isinstance(made, ModelBase):
        raise ModelConfigError(f"--model {path} returned a {type(made).__name__}, not a pydantic-ai Model")
    return made
