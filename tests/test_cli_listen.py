"""`trova serve` and `trova model-server` on an address they cannot listen on: one line naming it and a
documented exit code, before a database is opened or an agent made; never a traceback or uvicorn's exit 3."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another server listens on."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TROVA_ADMIN_TOKEN", "t" * 32)
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire-plugin")  # as serve sets it; restored after


@pytest.mark.parametrize("command", ["serve", "model-server"])
def test_a_port_in_use_is_one_line_and_exit_1_before_anything_starts(command: str, taken_port: int) -> None:
    result = runner.invoke(app, [command, "--port", str(taken_port)])
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{taken_port}" in result.output and "--port" in result.output
    assert isinstance(result.exception, SystemExit)  # an exit, not an exception from uvicorn
    assert "Agent ready" not in result.output and "admin token" not in result.output


@pytest.mark.parametrize("command", ["serve", "model-server"])
def test_a_host_that_does_not_resolve_is_a_bad_option(command: str) -> None:
    result = runner.invoke(app, [command, "--host", "no-such-host.invalid", "--port", "8123"])
    assert result.exit_code == 2, result.output
    assert "cannot listen on no-such-host.invalid:8123" in result.output


def test_model_server_refuses_a_port_beyond_65535_as_an_option_error() -> None:
    result = runner.invoke(app, ["model-server", "--port", "99999"])
    assert result.exit_code == 2, result.output
    assert "--port" in result.output and "65535" in result.output
    assert not isinstance(result.exception, OverflowError)


async def test_connections_on_the_bound_socket_send_at_once() -> None:
    """Nagle's algorithm off on every accepted connection, as when uvicorn binds the port itself: with it on,
    a response written in two parts waited ~40 ms for the client's delayed ACK (48 ms a request)."""
    import asyncio

    from cli.listen import listening_socket

    accepted: list[int] = []

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        accepted.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=listening_socket("127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(100):
        if accepted:
            break
        await asyncio.sleep(0.01)
    writer.close()
    server.close()
    await server.wait_closed()
    assert accepted and accepted[0] != 0
