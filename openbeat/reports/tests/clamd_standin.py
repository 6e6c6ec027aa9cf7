"""A stand-in for ClamAV's daemon: a real socket server (Unix or TCP) speaking clamd's protocol.

It answers `zPING`/`nPING` with PONG and `zINSTREAM`/`nINSTREAM` the way clamd does: it reads chunks prefixed
by a 4-byte network-order length until a zero length, then replies `stream: OK`, `stream: Eicar-Test-Signature
FOUND` when the stream holds the EICAR test string, or `INSTREAM size limit exceeded. ERROR` past its limit.
`mode="hang_up"` closes connections without a verdict, as a broken daemon would.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from pathlib import Path
from typing import Any

# Built from parts so this source file is not itself flagged by a scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise ConnectionError("client went away")
        data += part
    return data


def _read_command(conn: socket.socket) -> tuple[str, bytes]:
    first = _read_exact(conn, 1)
    end = b"\0" if first == b"z" else b"\n"
    command = b""
    while True:
        ch = _read_exact(conn, 1)
        if ch == end:
            return command.decode(), end
        command += ch


class _Handler(socketserver.BaseRequestHandler):
    server: Any

    def handle(self) -> None:
        conn: socket.socket = self.request
        try:
            command, end = _read_command(conn)
        except ConnectionError:
            return
        self.server.commands.append(command)
        if self.server.mode == "hang_up":
            return
        if command == "PING":
            conn.sendall(b"PONG" + end)
        elif command == "INSTREAM":
            conn.sendall(self._instream(conn).encode() + end)
        else:
            conn.sendall(b"UNKNOWN COMMAND" + end)

    def _instream(self, conn: socket.socket) -> str:
        received = bytearray()
        while True:
            (length,) = struct.unpack("!L", _read_exact(conn, 4))
            if length == 0:
                break
            received += _read_exact(conn, length)
            if len(received) > self.server.max_bytes:
                return "INSTREAM size limit exceeded. ERROR"
        self.server.streams.append(bytes(received))
        return "stream: Eicar-Test-Signature FOUND" if EICAR in received else "stream: OK"


class _Unix(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Tcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ClamdStandin:
    """Start with `.start()`, stop with `.stop()`; `streams` holds every file received, `commands` each command."""

    def __init__(self, *, unix_path: Path | None = None, mode: str = "normal", max_bytes: int = 25 * 1024**2):
        self.server: socketserver.BaseServer = (
            _Unix(str(unix_path), _Handler) if unix_path else _Tcp(("127.0.0.1", 0), _Handler)
        )
        self.server.mode = mode  # type: ignore[attr-defined]
        self.server.max_bytes = max_bytes  # type: ignore[attr-defined]
        self.server.streams = []  # type: ignore[attr-defined]
        self.server.commands = []  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])  # type: ignore[index]

    @property
    def streams(self) -> list[bytes]:
        return self.server.streams  # type: ignore[attr-defined,no-any-return]

    @property
    def commands(self) -> list[str]:
        return self.server.commands  # type: ignore[attr-defined,no-any-return]

    def start(self) -> ClamdStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
