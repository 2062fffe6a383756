"""The listening socket of `trova serve` and `trova model-server`, bound before anything else is made.

uvicorn binds only once the app has started, then logs the error and exits 3 after start-up's output (an
admin token, "Agent ready"); bound first, the reason is one line before a database is opened or an agent is
made: exit 1 for a port in use or not allowed (the machine's state), 2 for a --host that does not resolve or
is not this machine's (a bad option)."""

from __future__ import annotations

import errno
import socket


class ListenError(Exception):
    """The address cannot be listened on; `code` is the command's exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (not yet listening: uvicorn does that), as uvicorn would bind it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto says TCP, and
    # without it a response written in two parts waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a restart reuses the port
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        reason = e.strerror or str(e)
        if e.errno == errno.EADDRINUSE:
            raise ListenError(
                f"cannot listen on {host}:{port}: {reason} (another server is there: stop it or pass --port)",
                1,
            ) from e
        bad_host = isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL
        raise ListenError(f"cannot listen on {host}:{port}: {reason}", 2 if bad_host else 1) from e
    return sock
