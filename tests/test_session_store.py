"""Conversations are saved after every turn and resume where they stopped."""

from __future__ import annotations

from pathlib import Path

from pydantic_ai.messages import ModelMessagesTypeAdapter

from agent.listing_agent import build_agent
from agent.offline.model import OfflineModel
from agent.prompts import load_prompt
from agent.session import ChatSession
from tools.client import MarketplaceClient
from tools.deps import TrovaDeps
from tools.publishing import Publisher


async def test_save_and_resume(client: MarketplaceClient, tmp_path: Path) -> None:
    agent = build_agent(OfflineModel())
    session = ChatSession.start(
        agent,
        TrovaDeps(client),
        model="offline",
        prompt="p",
        marketplace="m",
        save_dir=tmp_path,
        publisher=Publisher(client),
    )
    await session.send("I want to sell my Trek road bike")
    await session.send("good")
    saved = tmp_path / f"{session.id}.json"
    assert saved.is_file() and not list(tmp_path.glob("*.tmp"))  # noqa: ASYNC240
    resumed = ChatSession.resume(agent, TrovaDeps(client), session.id, tmp_path, publisher=Publisher(client))
    assert resumed.record.turns == 2 and len(resumed.pending) == 1
    dump = ModelMessagesTypeAdapter.dump_json
    assert dump(resumed.messages()) == dump(session.messages())  # the same history, from disk
    done = await resumed.send("yes")
    assert done.created and resumed.record.listings == done.created
    # The run's conversation id is the session's: the idempotency key and traces use it.
    conversation = resumed.conversation()
    assert conversation is not None and conversation.conversation_id == session.id


def test_prompt_version_is_a_content_hash() -> None:
    prompt = load_prompt()
    assert len(prompt.version) == 12 and prompt.ref == f"listing_agent@{prompt.version}"
    import hashlib

    assert hashlib.sha256(prompt.text.encode()).hexdigest().startswith(prompt.version)


def test_conversation_ids_started_in_one_second_do_not_collide() -> None:
    # A busy site starts many conversations a second; two sharing an id would share a transcript.
    from agent.session import new_session_id

    ids = [new_session_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
