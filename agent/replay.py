"""Record and replay of model requests, fail-closed.

`RecordingModel` wraps any pydantic-ai model and writes each request with its response to a folder, keyed by
a hash of the normalised request: the messages (timestamps, run ids and tool-call ids left out, volatile
values masked, see replay_rules.yaml), the tool definitions, the output mode, the model settings and the
model's name. `ReplayModel` answers from such a folder and never calls a model: a request it has no
recording for raises `ReplayMiss`, naming the conversation (the eval scenario), the request, and the first
field that differs from the nearest recording (e.g. the instructions, after a prompt edit).

A folder holds `recordings.json` (format, models) and one JSON file per request under a folder per
scenario (or conversation): plain, sorted, secrets redacted, fit to commit. Re-recording a scenario
replaces its files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelRequest, ModelResponse
from pydantic_ai.models import (
    CompletedStreamedResponse,
    Model,
    ModelRequestParameters,
    StreamedResponse,
    infer_model_profile,
)
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.profiles import ModelProfile
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from agent.approvals import NOT_APPROVED
from agent.models import ModelChoice
from agent.secrets import REDACTED, redactor

RECORDING_FORMAT = "trova-recording/1"
MANIFEST = "recordings.json"
RULES_FILE = Path(__file__).with_name("replay_rules.yaml")
# An eval conversation's id: "eval-<scenario id>-<8 hex digits>" (evals/driver.py).
_EVAL_CONVERSATION = re.compile(r"eval-(?P<scenario>.+)-[0-9a-f]{8}")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

# A part keeps what the model reads, not its bookkeeping.
_PART_BOOKKEEPING = frozenset(
    {
        "timestamp",
        "id",
        "provider_name",
        "provider_details",
        "metadata",
        "citations",
        "tool_kind",
        "signature",
    }
)


class ReplayMiss(Exception):
    """A request no recording answers. Replay never falls back to a live model."""

    def __init__(
        self, message: str, *, scope: str, request_number: int, key: str, field: str | None, cause: str
    ) -> None:
        super().__init__(message)
        self.scope = scope
        self.request_number = request_number
        self.key = key
        self.field = field  # the first differing field's path (None: nothing recorded to compare with)
        self.cause = cause  # what differs, in words, without naming the scenario


class ReplayDiverged(ReplayMiss):
    """The replayed conversation left the recording at an answer that would run a side-effecting tool (a
    listing posted): found before the tool runs, so nothing changes in the world."""


class RecordingError(ValueError):
    """A recordings folder that cannot be used (missing, another format, unreadable)."""


# --- rules --------------------------------------------------------------------------------------------------


class _Volatile(BaseModel):
    name: str
    pattern: str
    replacement: str


class _Rules(BaseModel):
    volatile: list[_Volatile]
    secret_keys: str


@dataclass(frozen=True)
class Rules:
    volatile: tuple[tuple[re.Pattern[str], str], ...]
    secret_keys: re.Pattern[str]


@cache
def _rules_from(path: Path) -> Rules:
    doc = _Rules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return Rules(
        volatile=tuple((re.compile(v.pattern), v.replacement) for v in doc.volatile),
        secret_keys=re.compile(doc.secret_keys),
    )


def rules() -> Rules:
    return _rules_from(RULES_FILE)


def redact(value: Any, rules_: Rules | None = None) -> Any:
    """JSON data without credentials: in any text (agent/secrets.py), and the values of credential keys."""
    return _redact(value, rules_ or rules(), redactor())


def _redact(value: Any, r: Rules, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_redact(v, r, clean) for v in value]
    if isinstance(value, dict):
        return {
            k: (REDACTED if r.secret_keys.match(str(k)) and v not in (None, "") else _redact(v, r, clean))
            for k, v in value.items()
        }
    return value


def _mask(value: Any, r: Rules) -> Any:
    if isinstance(value, str):
        for pattern, replacement in r.volatile:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_mask(v, r) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v, r) for k, v in value.items()}
    return value


# --- the normalised request ---------------------------------------------------------------------------------


def _tool(t: ToolDefinition) -> dict[str, Any]:
    return {
        "description": t.description or "",
        "kind": t.kind,
        "parameters": t.parameters_json_schema,
        "strict": t.strict,
    }


def _part(part: dict[str, Any], call_ids: dict[str, str]) -> dict[str, Any]:
    kept = {k: v for k, v in part.items() if k not in _PART_BOOKKEEPING}
    if "tool_call_id" in kept:
        # Ids are drawn at random by some models: the n-th call of the conversation is "call-n".
        kept["tool_call_id"] = call_ids.setdefault(str(kept["tool_call_id"]), f"call-{len(call_ids) + 1}")
    if isinstance(kept.get("args"), str):
        with suppress(ValueError):
            kept["args"] = json.loads(kept["args"])
    if isinstance(kept.get("content"), list):
        kept["content"] = [_binary(c) for c in kept["content"]]
    return kept


def _binary(item: Any) -> Any:
    """A photo is kept as its type and a hash, not its bytes."""
    if isinstance(item, dict) and item.get("kind") == "binary" and isinstance(item.get("data"), str):
        digest = hashlib.sha256(item["data"].encode()).hexdigest()[:16]
        return {"kind": "binary", "media_type": item.get("media_type"), "sha256": digest}
    return item


def normalise_request(
    model: str,
    messages: Sequence[ModelMessage],
    settings: ModelSettings | None,
    parameters: ModelRequestParameters,
    call_ids: dict[str, str] | None = None,
) -> dict[str, JsonValue]:
    """What the model is asked, without what differs between two runs of the same conversation.

    The instructions are the ones this request sends (pydantic-ai sends the latest), kept once rather than
    on every message, so an earlier request's messages are a prefix of a later one's. `call_ids`, when
    given, is filled with each tool call's id and the id it has in the request ("call-n")."""
    call_ids = {} if call_ids is None else call_ids
    dumped = ModelMessagesTypeAdapter.dump_python(list(messages), mode="json")
    normal_messages = [{"kind": m["kind"], "parts": [_part(p, call_ids) for p in m["parts"]]} for m in dumped]
    if parameters.instruction_parts is not None:
        instructions: str | None = "\n\n".join(p.content for p in parameters.instruction_parts) or None
    else:
        instructions = next(
            (m.instructions for m in reversed(messages) if isinstance(m, ModelRequest) and m.instructions),
            None,
        )
    request = {
        "model": model,
        "settings": {k: v for k, v in sorted((settings or {}).items()) if v is not None},
        "tools": {t.name: _tool(t) for t in parameters.function_tools},
        "output": {
            "mode": parameters.output_mode,
            "allow_text": parameters.allow_text_output,
            "tools": {t.name: _tool(t) for t in parameters.output_tools},
        },
        "instructions": instructions,
        "messages": normal_messages,
    }
    r = rules()
    for message in normal_messages:
        for part in message["parts"]:
            if part.get("part_kind") == "tool-return" and "content" in part:
                part["content"] = _mask(part["content"], r)
    cleaned = redact(json.loads(json.dumps(request, default=str)), r)
    return cast(dict[str, JsonValue], cleaned)


def _parent_messages(messages: Sequence[ModelMessage]) -> int | None:
    """How many of these messages the conversation's previous request had: all before the last response."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], ModelResponse):
            return i
    return None


def request_key(request: dict[str, JsonValue]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def request_number(messages: Sequence[ModelMessage]) -> int:
    """1 for a conversation's first request to the model, 2 for the next ..."""
    return 1 + sum(1 for m in messages if isinstance(m, ModelResponse))


# --- where a request came from ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    folder: str  # the recordings' sub-folder: the eval scenario, or the conversation
    described: str  # "scenario 'bike-trek'", "conversation c2026..."
    kind: str = "conversation"  # or "scenario": then only its own recordings can answer


def _conversation_id(messages: Sequence[ModelMessage]) -> str | None:
    return next((m.conversation_id for m in reversed(messages) if m.conversation_id), None)


def _top(request: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return {k: v for k, v in request.items() if k != "messages"}


def current_scope(messages: Sequence[ModelMessage]) -> Scope:
    """Where a request belongs, from the conversation id pydantic-ai stamps on each message."""
    conversation = _conversation_id(messages)
    if not conversation:
        return Scope("unscoped", "a request outside any conversation")
    match = _EVAL_CONVERSATION.fullmatch(conversation)
    if match:
        scenario = match["scenario"]
        return Scope(_SAFE.sub("_", scenario), f"scenario {scenario!r}", "scenario")
    return Scope(_SAFE.sub("_", conversation), f"conversation {conversation}")


# --- files --------------------------------------------------------------------------------------------------


class Recording(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    key: str
    scope: str
    request_number: int
    model: str
    recorded_at: str
    # The conversation's previous request, when this one continues it: `request` then holds only what
    # differs from it (usually just the messages after its first `parent_messages`), which keeps a
    # recordings folder small and each file a readable step: what is new, and what the model answered.
    parent: str | None = None
    parent_messages: int = 0
    request: dict[str, JsonValue]
    response: dict[str, JsonValue]

    def model_response(self) -> ModelResponse:
        message = ModelMessagesTypeAdapter.validate_python([self.response])[0]
        if not isinstance(message, ModelResponse):
            raise RecordingError(f"recording {self.scope}/{self.key} holds no model response")
        return message


class Manifest(BaseModel):
    format: str = RECORDING_FORMAT
    models: list[str] = Field(default_factory=list)
    # For `trova chat`: the last listing id the embedded marketplace held as each recorded chat began (its
    # distinct values), so a replay can talk to the marketplace as it was (cli.replay_market).
    chat_listings_up_to: list[int] = Field(default_factory=list)


def note_chat_marketplace(directory: Path, up_to: int) -> None:
    """Keep in the folder's manifest where the embedded marketplace stood as a chat's recording began."""
    path = directory / MANIFEST
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = Manifest()
    manifest.chat_listings_up_to = sorted({*manifest.chat_listings_up_to, up_to})
    _write_json(path, manifest.model_dump_json(indent=1) + "\n")


def _write_json(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)  # atomic: conversations record side by side, processes too


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    if not directory.is_dir():
        raise RecordingError(f"no recordings folder at {directory} (make one with --record {directory})")
    if not path.is_file():
        variants = sorted(p.parent.name for p in directory.glob(f"*/{MANIFEST}"))
        if variants:  # a side-by-side run's recordings: one folder per variant
            raise RecordingError(
                f"{directory} holds the recordings of variants {', '.join(variants)} (a --variant run's): replay "
                f"them with the same --variant options and --replay {directory}"
            )
        raise RecordingError(f"{directory} holds no {MANIFEST}: not a recordings folder (see --record)")
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise RecordingError(f"{path} cannot be read: {e}") from None
    if manifest.format != RECORDING_FORMAT:
        raise RecordingError(
            f"{path} is format {manifest.format!r}; this version reads {RECORDING_FORMAT!r} (record again)"
        )
    return manifest


def _recording_files(directory: Path) -> Iterator[Path]:
    return (p for p in directory.glob("*/*.json") if not p.name.startswith("."))


# --- recording ----------------------------------------------------------------------------------------------


def _delta(full: dict[str, JsonValue], parent: dict[str, JsonValue], count: int) -> dict[str, JsonValue]:
    messages = full["messages"]
    assert isinstance(messages, list)
    delta: dict[str, JsonValue] = {k: v for k, v in full.items() if k != "messages" and parent.get(k) != v}
    delta["messages"] = messages[count:]
    return delta


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _compact(response: dict[str, Any]) -> dict[str, Any]:
    """A dumped response without its unset (None) fields, on it and its parts (never inside arguments)."""
    parts = [{k: v for k, v in part.items() if v is not None} for part in response.get("parts", [])]
    return {k: v for k, v in response.items() if v is not None} | {"parts": parts}


def full_request(
    recording: Recording, load: Callable[[str], Recording | None]
) -> dict[str, JsonValue] | None:
    """The whole normalised request of a recording (following its parents); None when a parent is gone."""
    if recording.parent is None:
        return recording.request
    parent = load(recording.parent)
    whole = full_request(parent, load) if parent is not None else None
    if whole is None:
        return None
    before = whole["messages"]
    after = recording.request.get("messages")
    if not isinstance(before, list) or not isinstance(after, list):
        return None
    merged = {k: v for k, v in whole.items() if k != "messages"}
    merged.update({k: v for k, v in recording.request.items() if k != "messages"})
    merged["messages"] = before[: recording.parent_messages] + after
    return merged


class RecordingModel(WrapperModel):
    """Calls the wrapped model and writes each request and its response to `directory`."""

    def __init__(self, wrapped: Model, directory: Path, model_name: str) -> None:
        super().__init__(wrapped)
        self.directory = directory
        self.recorded_model = model_name
        self.started = time.time()
        self.written = 0
        self._manifest_done = False
        # Each conversation's latest request (its key and whole form), the parent of its next one.
        self._latest: dict[str, tuple[str, dict[str, JsonValue]]] = {}

    def _save(
        self,
        request: dict[str, JsonValue],
        messages: Sequence[ModelMessage],
        scope: Scope,
        response: ModelResponse,
    ) -> None:
        dumped = ModelMessagesTypeAdapter.dump_python([response], mode="json")[0]
        key = request_key(request)
        conversation = _conversation_id(messages)
        parent, count, stored = None, 0, request
        previous = self._latest.get(conversation) if conversation else None
        prefix = _parent_messages(messages)
        if previous is not None and prefix is not None:
            parent_key, parent_request = previous
            messages_now = request["messages"]
            assert isinstance(messages_now, list)
            if (
                request_key({**request, "messages": messages_now[:prefix]} | _top(parent_request))
                == parent_key
            ):
                parent, count, stored = parent_key, prefix, _delta(request, parent_request, prefix)
        if conversation:
            self._latest[conversation] = (key, request)
        recording = Recording(
            format=RECORDING_FORMAT,
            key=key,
            scope=scope.folder,
            request_number=request_number(messages),
            model=self.recorded_model,
            recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            parent=parent,
            parent_messages=count,
            request=cast(dict[str, JsonValue], _sorted(stored)),
            response=cast(dict[str, JsonValue], redact(_compact(dumped))),
        )
        # The request in sorted order (stable diffs when re-recorded); the response as the model gave it.
        text = json.dumps(recording.model_dump(mode="json"), indent=1, ensure_ascii=False)
        _write_json(self.directory / scope.folder / f"{key}.json", text + "\n")
        self.written += 1
        if not self._manifest_done:
            self._update_manifest()
            self._manifest_done = True

    def _update_manifest(self) -> None:
        path = self.directory / MANIFEST
        try:
            manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = Manifest()
        manifest.format = RECORDING_FORMAT
        manifest.models = sorted({*manifest.models, self.recorded_model})
        _write_json(path, manifest.model_dump_json(indent=1) + "\n")

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        request = normalise_request(self.recorded_model, messages, model_settings, model_request_parameters)
        scope, seen = current_scope(messages), list(messages)
        response = await super().request(messages, model_settings, model_request_parameters)
        self._save(request, seen, scope, response)
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: Any = None,
    ) -> AsyncIterator[StreamedResponse]:
        request = normalise_request(self.recorded_model, messages, model_settings, model_request_parameters)
        scope, seen = current_scope(messages), list(messages)
        async with super().request_stream(
            messages, model_settings, model_request_parameters, run_context
        ) as stream:
            yield stream
        self._save(request, seen, scope, stream.get())


@dataclass
class RecordSummary:
    written: int
    scopes: list[str]
    removed: int  # older recordings of the re-recorded scopes, now replaced


def finish_recording(directory: Path, since: float) -> RecordSummary:
    """After a recording run: the scopes it recorded keep only what it wrote (a re-recorded scenario's old
    requests would otherwise linger). Works on files, so worker processes' recordings count too."""
    fresh: dict[str, int] = {}
    stale: list[Path] = []
    for path in _recording_files(directory):
        if path.stat().st_mtime >= since:
            fresh[path.parent.name] = fresh.get(path.parent.name, 0) + 1
        else:
            stale.append(path)
    removed = 0
    for path in stale:
        if path.parent.name in fresh:
            path.unlink()
            removed += 1
    return RecordSummary(written=sum(fresh.values()), scopes=sorted(fresh), removed=removed)


# --- replay -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    path: str
    recorded: Any
    now: Any

    def described(self, request: dict[str, JsonValue] | None = None) -> str:
        what = _what(self.path, request or {})
        return (
            f"{self.path} ({what}): recorded {_excerpt(self.recorded, self.now)}, "
            f"now {_excerpt(self.now, self.recorded)}"
        )


_MISSING = "<missing>"


def first_difference(recorded: Any, now: Any, path: str = "") -> Difference | None:
    """The first place two normalised requests differ (model, settings, tools, output, then messages)."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        order = ["model", "settings", "tools", "output", "instructions", "messages"]
        keys = [k for k in order if k in recorded or k in now] + sorted(
            (set(recorded) | set(now)) - set(order)
        )
        for k in keys:
            if k not in recorded or k not in now:
                return Difference(_join(path, k), recorded.get(k, _MISSING), now.get(k, _MISSING))
            found = first_difference(recorded[k], now[k], _join(path, k))
            if found:
                return found
        return None
    if isinstance(recorded, list) and isinstance(now, list):
        for i, (a, b) in enumerate(zip(recorded, now, strict=False)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(recorded) != len(now):
            i = min(len(recorded), len(now))
            return Difference(
                f"{path}[{i}]",
                recorded[i] if i < len(recorded) else _MISSING,
                now[i] if i < len(now) else _MISSING,
            )
        return None
    return None if recorded == now else Difference(path or "request", recorded, now)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_WHAT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^model$"), "the model"),
    (re.compile(r"^settings\.(\w+)"), "model setting {0}"),
    (re.compile(r"^tools\.(\w+)\.description"), "tool {0}'s description"),
    (re.compile(r"^tools\.(\w+)\.parameters"), "tool {0}'s parameter schema"),
    (re.compile(r"^tools\.(\w+)$"), "tool {0} added or removed"),
    (re.compile(r"^tools\.(\w+)"), "tool {0}'s definition"),
    (re.compile(r"^output"), "the output settings"),
    (re.compile(r"^instructions"), "the instructions: the prompt changed"),
    (re.compile(r"^messages\[\d+\]$"), "the conversation has a different number of messages"),
    (re.compile(r"^messages\[\d+\]\.parts\[\d+\]\.content"), "a message's content"),
    (re.compile(r"^messages\[\d+\]\.parts\[\d+\]\.args"), "a tool call's arguments"),
    (re.compile(r"^messages"), "the conversation"),
)


_PART = re.compile(r"^messages\[(\d+)\]\.parts\[(\d+)\]")
_PART_WORDS = {
    "user-prompt": "the seller's message",
    "system-prompt": "the system prompt",
    "tool-return": "the result of {tool}",
    "retry-prompt": "the retry request to {tool}",
    "text": "the model's reply",
    "tool-call": "the model's call of {tool}",
    "thinking": "the model's thinking",
}


def _part_of(path: str, request: dict[str, JsonValue]) -> tuple[str, str]:
    """The kind and tool of the message part a differing field is in ("", "" outside any part)."""
    match = _PART.match(path)
    if not match:
        return "", ""
    part: Any = request
    try:
        part = part["messages"][int(match[1])]["parts"][int(match[2])]
        return str(part["part_kind"]), str(part.get("tool_name", ""))
    except (KeyError, IndexError, TypeError, AttributeError):
        return "", ""


def _what(path: str, request: dict[str, JsonValue]) -> str:
    """The differing field in words; a message part is named by its kind (and its tool)."""
    match = _PART.match(path)
    if match:
        kind, tool = _part_of(path, request)
        words = _PART_WORDS.get(kind)
        if words:
            return words.format(tool=tool) + f", message {int(match[1]) + 1}"
    for pattern, words in _WHAT:
        match = pattern.match(path)
        if match:
            return words.format(*match.groups())
    return "the request"


def _excerpt(value: Any, other: Any, width: int = 70) -> str:
    """A value, cut around where it first differs from the other when both are long strings."""
    if isinstance(value, str) and isinstance(other, str):
        start = next((i for i, (a, b) in enumerate(zip(value, other, strict=False)) if a != b), None)
        if start is None:
            start = min(len(value), len(other))
        begin = max(0, start - width // 3)
        piece = value[begin : begin + width]
        return repr(("…" if begin else "") + piece + ("…" if begin + width < len(value) else ""))
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


class ReplayModel(Model):
    """Answers from recordings, never from a model: a request with no recording raises ReplayMiss."""

    def __init__(self, directory: Path, model_name: str) -> None:
        super().__init__()
        read_manifest(directory)
        self.directory = directory
        self.recorded_model = model_name
        self.misses: list[ReplayMiss] = []
        self.miss_log: Path | None = None  # misses appended here too, one JSON line each (worker processes)
        self.answered = 0
        self._index: dict[str, Path] | None = None
        self._profile: ModelProfile = infer_model_profile(model_name) if ":" in model_name else ModelProfile()

    @property
    def model_name(self) -> str:
        return self.recorded_model.partition(":")[2] or self.recorded_model

    @property
    def system(self) -> str:
        return self.recorded_model.partition(":")[0] if ":" in self.recorded_model else "replay"

    @property
    def profile(self) -> ModelProfile:
        return self._profile

    def _files(self) -> dict[str, Path]:
        if self._index is None:
            self._index = {p.stem: p for p in _recording_files(self.directory)}
        return self._index

    def _answer(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        request = normalise_request(self.recorded_model, messages, model_settings, model_request_parameters)
        key = request_key(request)
        path = self._files().get(key)
        if path is None:
            miss = self._miss(request, key, request_number(messages), current_scope(messages))
            self.misses.append(miss)
            if self.miss_log is not None:
                with self.miss_log.open("a", encoding="utf-8") as log:
                    entry = {"scope": miss.scope, "message": str(miss), "cause": miss.cause}
                    log.write(json.dumps(entry) + "\n")
            raise miss
        recording = Recording.model_validate_json(path.read_text(encoding="utf-8"))
        self.answered += 1
        response = recording.model_response()
        response.timestamp = datetime.now(UTC)
        return response

    def _miss(self, request: dict[str, JsonValue], key: str, number: int, scope: Scope) -> ReplayMiss:
        nearest = self._nearest(request, scope)
        if nearest is None:
            cause = f"no recording of this {scope.kind} at all"
            advice = f"Record it first: --record {self.directory} (with the model and its key)."
            field = None
        else:
            path, difference = nearest
            shown = difference.described(request) if difference else "nothing visible (a format change?)"
            answer = _seller_answer(difference, request) if difference else None
            cause = f"differs first at {shown}" + (f": {answer}" if answer else "")
            where = f"The nearest recording is {path.relative_to(self.directory)}."
            advice = (
                f"{where} Re-record with --record {self.directory} (with the model and its key); replay never "
                "calls the model."
            )
            if answer:
                # Neither the model nor the marketplace: the seller's answer to a draft is what differs.
                advice = (
                    f"{where} Replay answers only the conversation it recorded: answer the draft as the "
                    f"recorded seller did, or record this conversation anew (--record {self.directory})."
                )
            elif (
                scope.kind == "conversation"
                and difference is not None
                and _part_of(difference.path, request)[0] == "tool-return"
            ):
                # Not the model's side: a scenario gets a fresh marketplace each run, a chat the one it
                # talks to now, which the recorded conversation itself may have changed (its listing).
                advice = (
                    f"{where} The marketplace answered "
                    "otherwise than when this was recorded: this chat replays against the marketplace as it "
                    "is now (the recordings do not say where an embedded SQLite marketplace stood when they "
                    "began: recorded by an older Trova, by chats begun at different points, or on "
                    "PostgreSQL or a marketplace at a URL), and listings created since (the recorded "
                    "conversation's own among them) change what the tools return. Replay it on the "
                    "marketplace as it was: record again with this version (trova chat --record DIR, one "
                    "chat a folder), or record and replay each on a fresh data directory "
                    "(TROVA_HOME=$(mktemp -d) trova chat --replay ...)."
                )
            field = difference.path if difference else None
        return ReplayMiss(
            f"replay miss in {scope.described}, request {number} (key {key}): {cause}. {advice}",
            scope=scope.folder,
            request_number=number,
            key=key,
            field=field,
            cause=cause,
        )

    def _load(self, key: str) -> Recording | None:
        path = self._files().get(key)
        if path is None:
            return None
        try:
            return Recording.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _nearest(self, request: dict[str, JsonValue], scope: Scope) -> tuple[Path, Difference | None] | None:
        """The recording that agrees with the request longest: same scope first, the same model, settings,
        tools, output and instructions, then most leading messages equal, then the closest message count."""
        files = [p for p in self._files().values() if p.parent.name == scope.folder]
        if not files and scope.kind != "scenario":  # a replayed chat has a new conversation id
            files = list(self._files().values())
        messages = request.get("messages")
        now = messages if isinstance(messages, list) else []
        best: tuple[tuple[int, int, int], Path, Difference | None] | None = None
        for path in files:
            recording = self._load(path.stem)
            recorded = full_request(recording, self._load) if recording is not None else None
            if recorded is None:
                continue
            then = recorded.get("messages")
            then_list = then if isinstance(then, list) else []
            score = (
                sum(
                    1
                    for k in ("model", "settings", "tools", "output", "instructions")
                    if recorded.get(k) == request.get(k)
                ),
                sum(1 for _ in _equal_prefix(then_list, now)),
                -abs(len(then_list) - len(now)),
            )
            if best is None or score > best[0]:
                best = (score, path, first_difference(recorded, request))
        return None if best is None else (best[1], best[2])

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        return self._answer(messages, model_settings, model_request_parameters)

    def check_approval(self, messages: Sequence[ModelMessage], call_id: str, tool: str) -> None:
        """Before the seller's approval of tool call `call_id` runs `tool`, a side-effecting one (it posts a
        listing): the recording must go on from this very conversation with that call approved. The next
        model request, the first a miss could stop, comes only after the tool has run; so a recording
        where the seller declined the call, or where the conversation ends at it, raises ReplayDiverged
        here, and the tool never runs."""
        call_ids: dict[str, str] = {}
        normal = normalise_request(self.recorded_model, messages, None, ModelRequestParameters(), call_ids)
        now = normal["messages"]
        assert isinstance(now, list)
        call = call_ids.get(call_id, call_id)
        scope = current_scope(messages)
        files = [p for p in self._files().values() if p.parent.name == scope.folder]
        if not files and scope.kind != "scenario":  # a replayed chat has a new conversation id
            files = list(self._files().values())
        answers: list[tuple[Path, Any]] = []
        for path in sorted(files):
            recording = self._load(path.stem)
            recorded = full_request(recording, self._load) if recording is not None else None
            then = recorded.get("messages") if recorded is not None else None
            if not isinstance(then, list) or len(then) <= len(now) or then[: len(now)] != now:
                continue
            following = then[len(now)]
            parts = following.get("parts", []) if isinstance(following, dict) else []
            for part in parts if isinstance(parts, list) else []:
                if isinstance(part, dict) and part.get("tool_call_id") == call:
                    answers.append((path, part.get("content")))
        if any(not _is_denial(content) for _, content in answers):
            return
        number = request_number(messages)
        if answers:
            path, content = answers[0]
            recorded_as = (
                f"the seller declined this draft ({_excerpt(content, '')}, "
                f"{path.relative_to(self.directory)})"
            )
        else:
            recorded_as = "the recorded conversation ends at this draft: the seller never answered it"
        cause = (
            f"diverged at the answer to {tool} ({call}, message {len(now) + 1}): the seller approved it now, "
            f"while {recorded_as}"
        )
        message = (
            f"replay diverged in {scope.described}, before request {number}: {cause}. Nothing was published: "
            f"replay stops before a side-effecting tool ({tool}) runs on a conversation the recordings do not "
            "hold. Answer as the recorded seller did, or record this conversation anew."
        )
        miss = ReplayDiverged(
            message, scope=scope.folder, request_number=number, key="", field=None, cause=cause
        )
        self.misses.append(miss)
        raise miss

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: Any = None,
    ) -> AsyncIterator[StreamedResponse]:
        response = self._answer(messages, model_settings, model_request_parameters)
        # Text and tool calls come as stream events again, so a streaming client sees them as before.
        yield CompletedStreamedResponse(
            response, model_request_parameters=model_request_parameters, replay_events=True
        )


def _seller_answer(difference: Difference, request: dict[str, JsonValue]) -> str | None:
    """The seller's answer to a draft in words, when that is where a request parts from its recording: a
    tool return that is a decline on one side (approved on the other, or declined in other words)."""
    kind, tool = _part_of(difference.path, request)
    then, now = _is_denial(difference.recorded), _is_denial(difference.now)
    if kind != "tool-return" or not (then or now):
        return None
    if then and now:
        return f"the seller declined the {tool} draft in other words than the recorded seller"
    if now:
        return f"the seller declined the {tool} draft, which the recorded seller approved"
    return f"the seller approved the {tool} draft, which the recorded seller declined"


def _is_denial(content: Any) -> bool:
    """A recorded tool return that says the seller did not approve the call (agent.approvals' wording)."""
    return isinstance(content, str) and content.startswith(NOT_APPROVED)


def _equal_prefix(a: list[Any], b: list[Any]) -> Iterator[None]:
    for x, y in zip(a, b, strict=False):
        if x != y:
            return
        yield None


# --- choosing a model for record or replay ------------------------------------------------------------------


def recording_choice(choice: ModelChoice, directory: Path) -> tuple[ModelChoice, RecordingModel]:
    directory.mkdir(parents=True, exist_ok=True)
    model = RecordingModel(choice.model, directory, choice.name)
    notice = f"{choice.notice} Recording its requests to {directory}."
    return ModelChoice(model, choice.name, notice), model


def replay_choice(directory: Path, model: str | None) -> tuple[ModelChoice, ReplayModel]:
    """A model answering from `directory`: the one recorded there, or `model`, which must be one of them.
    Needs no key and reaches no provider."""
    manifest = read_manifest(directory)
    if model is None:
        if len(manifest.models) != 1:
            raise RecordingError(
                f"{directory} holds recordings of {', '.join(manifest.models) or 'no model'}; "
                "say which to replay with --model"
            )
        model = manifest.models[0]
    elif model not in manifest.models:
        raise RecordingError(
            f"{directory} holds no recordings of {model} (it has {', '.join(manifest.models) or 'none'})"
        )
    replay = ReplayModel(directory, model)
    notice = (
        f"Model: {model}, replayed from {directory} (no model is called; a request not recorded is an error)."
    )
    return ModelChoice(replay, model, notice), replay


# Worker processes (`trova eval run --workers N`) build their model through a factory; with the fork start
# method they inherit the one set here.
_WORKER_CHOICE: Callable[[], ModelChoice] | None = None


def set_worker_choice(factory: Callable[[], ModelChoice] | None) -> None:
    global _WORKER_CHOICE
    _WORKER_CHOICE = factory


def uses_recordings(choice: ModelChoice | None) -> str | None:
    """For worker processes: the factory (`module:function`) that gives them this very model when it records
    or replays (None otherwise: they resolve the model by its name as usual)."""
    if choice is None or not isinstance(choice.model, RecordingModel | ReplayModel):
        return None
    set_worker_choice(lambda: choice)
    return f"{__name__}:worker_choice"


def worker_choice() -> ModelChoice:
    if _WORKER_CHOICE is None:
        raise RuntimeError("record/replay in worker processes needs the fork start method; use --workers 1")
    return _WORKER_CHOICE()
