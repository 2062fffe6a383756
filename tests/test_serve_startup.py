"""`trova serve` answers its marketplace API while the agent's side of the site is still being built
(web/startup.py): /ready says when the agent exists, and a chat message sent before it waits for it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from agent.models import resolve_model
from agent.prompts import load_prompt
from marketplace.app import create_app
from traces.store import TraceStore
from web.site import create_site
from web.startup import DeferredSite

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def running(app: DeferredSite) -> AsyncIterator[None]:
    """The ASGI lifespan a server gives the app: start-up before the requests, shut-down after."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        assert (await asyncio.wait_for(outbox.get(), 60))["type"] == "lifespan.shutdown.complete"
        await task


def chat_message(text: str) -> dict[str, object]:
    return {
        "trigger": "submit-message",
        "id": "chat-1",
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


async def test_the_api_answers_at_once_and_a_chat_sent_before_the_agent_exists_waits(db_url: str) -> None:
    api = create_app(db_url)
    release = threading.Event()
    built: list[FastAPI] = []

    def build() -> FastAPI:
        assert release.wait(60)
        built.append(create_site(api, resolve_model("offline"), load_prompt()))
        return built[0]

    deferred = DeferredSite(api, build)
    transport = httpx.ASGITransport(app=deferred)
    async with running(deferred), httpx.AsyncClient(transport=transport, base_url="http://site") as client:
        health = await client.get("/api/health")
        assert health.status_code == 200 and health.json()["categories"] == 5595
        assert "content-security-policy" in health.headers  # the site's guards before the site exists
        ready = await client.get("/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"] == "1"
        early = asyncio.create_task(client.post("/chat", json=chat_message("I want to sell my Trek bike")))
        await asyncio.sleep(0.3)
        assert not early.done() and not built  # waiting for the agent, not failed
        release.set()
        answer = await asyncio.wait_for(early, 60)
        assert answer.status_code == 200, answer.text
        assert any(
            json.loads(line[6:])["type"] == "text-delta"
            for line in answer.text.splitlines()
            if line.startswith("data: {")
        )
        assert (await client.get("/ready")).json() == {"ready": True}
        assert deferred.site is built[0]


async def test_a_site_that_cannot_be_built_says_why_and_lets_no_request_hang(db_url: str) -> None:
    failures: list[BaseException] = []

    def build() -> FastAPI:
        raise RuntimeError("no prompt file")

    deferred = DeferredSite(create_app(db_url), build, on_failure=failures.append)
    transport = httpx.ASGITransport(app=deferred)
    async with running(deferred), httpx.AsyncClient(transport=transport, base_url="http://site") as client:
        page = await asyncio.wait_for(client.get("/sell"), 30)
        assert page.status_code == 503 and "no prompt file" in page.json()["detail"]
        assert [str(e) for e in failures] == ["no prompt file"]
        assert (await client.get("/api/health")).status_code == 200  # the API it had stays up meanwhile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes], wait_s: float = 120) -> httpx.Response:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "trova serve exited"
        try:
            response = httpx.get(url, timeout=10)
            if response.status_code == 200:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer 200 within {wait_s} s")


def _serve_env(db_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": db_url, "TROVA_ADMIN_TOKEN": "t" * 32, "PYTHONPATH": str(ROOT)}


def _serve_command(port: int) -> list[str]:
    return [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--online-eval-rate", "0"]


def _serve(db_url: str, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """`trova serve` on a free port with an admin token and no online checks, and its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [*_serve_command(port), *options],
        cwd=ROOT,
        env=_serve_env(db_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def test_trova_serve_is_healthy_then_ready_and_traces_its_conversations(
    db_url: str, trova_home: Path
) -> None:
    process, base = _serve(db_url)
    try:
        assert _wait_for(f"{base}/api/health", process).json()["categories"] == 5595
        assert _wait_for(f"{base}/ready", process).json() == {"ready": True}
        with httpx.Client(base_url=base, timeout=60) as client:
            answer = client.post("/chat", json=chat_message("I want to sell my Trek road bike"))
        assert answer.status_code == 200
        conversation = answer.headers["x-trova-conversation"]
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode in (0, -signal.SIGTERM), output  # uvicorn re-raises the signal it stopped on
    assert "Agent ready. Model: offline" in output
    # Tracing was set up before the agent existed: the conversation's spans are in the local store.
    spans = TraceStore(trova_home / "trova.db").conversation_spans(conversation)
    assert any("agent run" in s.name or "invoke_agent" in s.name for s in spans), [s.name for s in spans]


def test_trova_serve_refuses_a_bad_setting_before_it_starts(db_url: str, trova_home: Path) -> None:
    # A setting only the agent's side reads (the admin pages' review share) is wrong: found before the
    # server listens, named on one line, exit 2 as any bad setting.
    env = {**os.environ, "DATABASE_URL": db_url, "TROVA_REVIEW_RANDOM_SHARE": "lots", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(_free_port()), "--online-eval-rate", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 2, output
    assert "TROVA_REVIEW_RANDOM_SHARE='lots'" in output, output
    assert "Open http" not in output and "Traceback" not in output


def test_trova_serve_variant_serves_a_promoted_arm_as_the_experiment_did(
    db_url: str, trova_home: Path
) -> None:
    """`trova experiment promote` moves the prompt label only; the arm's settings go on `trova serve
    --variant` (the command it prints), which serves exactly the arm's variant: the same id as in the
    experiment, so the monitor's figures by variant carry on."""
    import sqlite3

    from ops.experiments import build_arms, load_experiment

    arm = build_arms(load_experiment(str(ROOT / "experiments" / "price-position.yaml")))["B"]
    assert arm.variant.settings == {"offline_price_position": 0.25}
    process, base = _serve(db_url, "--variant", "offline,offline_price_position=0.25")
    try:
        _wait_for(f"{base}/ready", process)
        with httpx.Client(base_url=base, timeout=60) as client:
            answer = client.post(
                "/chat", json=chat_message("I want to sell my Trek road bike, good condition")
            )
        assert answer.status_code == 200
        conversation = answer.headers["x-trova-conversation"]
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode()
    assert "Settings: offline_price_position=0.25." in " ".join(output.split()), output  # wrapped or not
    with sqlite3.connect(trova_home / "trova.db") as db:
        variants = {
            v for (v,) in db.execute("SELECT variant FROM turns WHERE conversation_id = ?", (conversation,))
        }
    assert variants == {arm.variant.id}

    for wrong, message in (
        (["--variant", "offline,offline_price_position=7"], "offline_price_position"),
        (["--variant", "offline", "--model", "offline"], "leave out --model and --prompt"),
    ):
        result = subprocess.run(
            [*_serve_command(_free_port()), *wrong],
            cwd=ROOT,
            env=_serve_env(db_url),
            capture_output=True,
            timeout=120,
        )
        said = " ".join((result.stdout + result.stderr).decode().split())
        assert result.returncode == 2 and message in said and "Traceback" not in said, said
