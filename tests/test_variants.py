"""Variants: the spec parser and its errors, the tool-set hash, and the variant recorded on a conversation
and on its turn spans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from agent.listing_agent import agent_variant, build_agent, variant_for
from agent.offline.model import OfflineModel
from agent.prompts import load_labels, load_prompt
from agent.session import ChatSession, SessionRecord
from agent.variants import (
    VariantSpecError,
    parse_named_variant,
    parse_variant_spec,
    resolve_variant,
    toolset_version,
)
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher
from tools.toolset import marketplace_tools
from traces.setup import configure_tracing, disable_tracing, flush
from traces.store import TraceStore


def test_a_spec_names_model_prompt_and_typed_settings() -> None:
    spec = parse_variant_spec(
        "openai:gpt-4o-mini, temperature=0.2 ,max_tokens=300,prompt=listing_agent@candidate"
    )
    assert spec.model == "openai:gpt-4o-mini"
    assert spec.prompt == "listing_agent@candidate"
    assert spec.settings == {"temperature": 0.2, "max_tokens": 300}
    assert isinstance(spec.settings["max_tokens"], int) and isinstance(spec.settings["temperature"], float)
    assert parse_variant_spec("offline").settings == {} and parse_variant_spec("offline").prompt is None
    assert parse_variant_spec("offline,parallel_tool_calls=false").settings == {"parallel_tool_calls": False}
    assert parse_named_variant("B=offline,prompt=candidate") == (
        "B",
        parse_variant_spec("offline,prompt=candidate"),
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty variant spec"),
        ("temperature=0.2", "must start with the model"),
        (",temperature=0.2", "must start with the model"),
        ("offline,temperature", "is not key=value"),
        ("offline,,temperature=1", "empty item"),
        ("offline,temperature=hot", "temperature=hot is not valid"),
        ("offline,temperature=5", "out of range (0 to 2)"),
        ("offline,max_tokens=0", "out of range"),
        ("offline,max_tokens=1.5", "max_tokens=1.5 is not valid"),
        ("offline,temprature=1", "unknown setting 'temprature' (did you mean temperature?)"),
        ("offline,extra_headers=x", "unknown setting 'extra_headers'"),
        ("offline,temperature=1,temperature=0", "sets temperature twice"),
        ("offline,prompt=", "prompt= has no value"),
        ("offline,offline_price_position=7", "offline_price_position must be a number from 0 to 1"),
        ("offline,offline_max_categories=9", "offline_max_categories must be a whole number from 1 to 5"),
    ],
)
def test_spec_errors_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(VariantSpecError) as raised:
        parse_variant_spec(spec)
    assert message in str(raised.value)


@pytest.mark.parametrize("text", ["offline", "A B=offline", "=offline", "A,B=offline"])
def test_named_variant_needs_a_name(text: str) -> None:
    with pytest.raises(VariantSpecError, match="write NAME=SPEC"):
        parse_named_variant(text)


def test_resolving_a_spec_finds_the_prompt_or_says_which_are_known() -> None:
    resolved = resolve_variant(parse_variant_spec("offline,prompt=production,temperature=0"))
    assert resolved.choice.is_offline
    assert resolved.prompt.version == load_labels()["listing_agent"]["production"]
    assert resolved.model_settings() == {"temperature": 0.0}
    with pytest.raises(VariantSpecError, match="no version 0000 of prompt 'listing_agent' is known"):
        resolve_variant(parse_variant_spec("offline,prompt=listing_agent@0000"))
    with pytest.raises(VariantSpecError, match=r"neither a version .* nor a label of listing_agent"):
        resolve_variant(parse_variant_spec("offline,prompt=listing_agent@nosuchlabel"))


def test_the_toolset_version_follows_what_the_model_sees() -> None:
    defs = [t.tool_def for t in marketplace_tools().tools.values()]
    base = toolset_version(defs)
    assert toolset_version(reversed(defs)) == base  # order does not matter
    described = [
        replace(d, description=(d.description or "") + " Be brief.") if d.name == "compare_prices" else d
        for d in defs
    ]
    assert toolset_version(described) != base
    schema = dict(defs[0].parameters_json_schema, required=[])
    assert toolset_version([replace(defs[0], parameters_json_schema=schema), *defs[1:]]) != base
    assert toolset_version(defs[:2]) != base
    without = variant_for("offline", load_prompt(), frozenset({"compare_prices"}))
    assert (
        without.toolset
        == toolset_version(defs[:1] + defs[2:])
        != variant_for("offline", load_prompt()).toolset
    )


def test_a_variant_id_changes_with_each_part_but_not_with_the_model_version() -> None:
    variant = variant_for("offline", load_prompt(), model_settings={"temperature": 0.2})
    assert variant.spec == f"offline,prompt={load_prompt().ref},temperature=0.2"
    ids = {
        variant.id,
        variant.model_copy(update={"model": "openai:gpt-4o-mini"}).id,
        variant.model_copy(update={"prompt": "listing_agent@000000000000"}).id,
        variant.model_copy(update={"settings": {"temperature": 0.3}}).id,
        variant.model_copy(update={"toolset": "0" * 12}).id,
    }
    assert len(ids) == 5
    assert variant.with_model_version("gpt-4o-mini-2024-07-18").id == variant.id


@pytest.fixture
def store(trova_home: Path) -> Iterator[TraceStore]:
    configured = configure_tracing("test")
    assert configured is not None
    yield configured
    disable_tracing()


async def test_the_conversation_and_its_turn_spans_record_the_variant(
    client: MarketplaceClient, store: TraceStore, tmp_path: Path
) -> None:
    agent = build_agent(OfflineModel(), load_prompt(), model_settings={"temperature": 0.3, "max_tokens": 400})
    session = ChatSession.start(
        agent,
        TrovaDeps(client),
        publisher=Publisher(client),
        model="offline",
        prompt=load_prompt().ref,
        marketplace="test",
        save_dir=tmp_path,
    )
    expected = agent_variant(agent, "offline")
    assert session.record.variant == expected
    assert expected.settings == {"temperature": 0.3, "max_tokens": 400}
    assert (
        expected.prompt == load_prompt().ref
        and expected.toolset == variant_for("offline", load_prompt()).toolset
    )
    await session.send("I want to sell my old Trek road bike")
    assert session.record.variant is not None and session.record.variant.model_version == "trova-offline"

    saved = SessionRecord.model_validate_json((tmp_path / f"{session.id}.json").read_text())
    assert saved.variant == session.record.variant
    resumed = ChatSession.resume(agent, TrovaDeps(client), session.id, save_dir=tmp_path)
    assert resumed.record.variant == session.record.variant

    flush()
    turns = [s for s in store.conversation_spans(session.id) if s.name.startswith("chat turn")]
    assert turns
    assert turns[0].attr("variant") == expected.id  # the short id the monitor groups by
    recorded = turns[0].attr("variant_detail")
    recorded = json.loads(recorded) if isinstance(recorded, str) else recorded
    assert recorded["spec"] == expected.spec and recorded["settings"] == {
        "temperature": 0.3,
        "max_tokens": 400,
    }
    assert recorded["model_version"] == "trova-offline" and recorded["toolset"] == expected.toolset


def test_a_conversation_saved_before_variants_still_loads(tmp_path: Path) -> None:
    old = {
        "id": "c1",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "model": "offline",
        "prompt": "listing_agent@abc",
        "marketplace": "embedded",
    }
    assert SessionRecord.model_validate(old).variant is None
