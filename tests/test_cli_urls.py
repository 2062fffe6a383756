"""The URL options: a value that is no http(s) address is a bad option (exit 2) named when it is read, and a
server that answers 404 where the API should be is said to be the wrong address."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("DATABASE_URL", db_url)


@pytest.mark.parametrize(
    ("args", "option", "example"),
    [
        (["chat", "--marketplace-url", "notaurl"], "--marketplace-url", "http://127.0.0.1:8000/api"),
        (["listings", "--marketplace-url", "ftp://x"], "--marketplace-url", "http://127.0.0.1:8000/api"),
        (["chat", "--model", "openai-chat:x", "--base-url", "localhost:8100/v1"], "--base-url", "/v1"),
        (["eval", "run", "--base-url", "127.0.0.1:8100", "-k", "bike"], "--base-url", "/v1"),
    ],
)
def test_an_address_that_is_not_http_is_a_bad_option(
    args: list[str], option: str, example: str, trova_home: Path
) -> None:
    result = runner.invoke(app, args, input="I want to sell my bike\n")
    assert result.exit_code == 2, result.output
    assert (
        f"Invalid value for '{option}'" in result.output
        and "not an http:// or https:// address" in result.output
    )
    assert example in result.output
    assert not (trova_home / "conversations").exists()  # no conversation begun on it


def test_the_environment_variable_is_checked_as_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVA_MARKETPLACE_URL", "127.0.0.1:8000/api")
    result = runner.invoke(app, ["listings"])
    assert result.exit_code == 2 and "TROVA_MARKETPLACE_URL" in result.output, result.output


def test_a_port_out_of_range_is_named() -> None:
    result = runner.invoke(app, ["listings", "--marketplace-url", "http://127.0.0.1:99999/api"])
    assert result.exit_code == 2 and "Port out of range" in result.output, result.output


@pytest.fixture
def not_the_api(tmp_path: Path) -> Iterator[str]:
    """A web server with nothing at the API's paths (a site's root given for the API's address)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_listings_from_a_server_that_is_not_the_api_says_to_give_the_apis_address(not_the_api: str) -> None:
    result = runner.invoke(app, ["listings", "--marketplace-url", not_the_api])
    assert result.exit_code == 1, result.output
    assert "is it the API's address?" in result.output and "/api" in result.output
