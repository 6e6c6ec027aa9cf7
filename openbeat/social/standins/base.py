"""What every stand-in shares: a tiny HTTP/1.1 server in a thread, requests parsed into one small shape, routes, an
in-memory state behind a lock, and injected faults ("the next request answers 401", "accept the next post, then
drop the connection").

A stand-in is driven two ways: in tests through the Python handle `running_standin` yields (`fail_next`,
`add_mention`, `set_figures` and the state), and as a process (`python -m openbeat.social.standins`) through its
control API under /_standin/ (POST /_standin/fail {"fault": "unauthorized", "count": 1, "method": "POST"};
POST /_standin/mention {"text": ..., "author": ...}; POST /_standin/post {"remote_id": ..., "text": ...,
"created_at": ..., "figures": {...}} for a post made elsewhere; POST /_standin/reset; GET /_standin/state).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Fault(StrEnum):
    UNAUTHORIZED = "unauthorized"  # the token was revoked
    RATE_LIMITED = "rate_limited"  # 429 with the network's reset header
    SERVER_ERROR = "server_error"  # 500 (or the network's transient error)
    UNAVAILABLE = "unavailable"  # 503
    CREDITS = "credits"  # X: 402, the API credits are spent
    DUPLICATE = "duplicate"  # the network refuses a duplicate post
    TOO_LONG = "too_long"  # the network refuses the text's length
    MEDIA_REJECTED = "media_rejected"  # the network refuses an image
    DROP_AFTER_ACCEPT = "drop_after_accept"  # do the work, then close the connection without an answer
    DROP_BEFORE = "drop_before"  # close the connection without doing anything


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    @property
    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else ""

    def form(self) -> tuple[dict[str, list[str]], dict[str, tuple[bytes, str]]]:
        """Fields and files of a urlencoded, JSON or multipart body (files: name -> (content, content type))."""
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + self.body
            )
            fields: dict[str, list[str]] = {}
            files: dict[str, tuple[bytes, str]] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition") or ""
                payload = part.get_payload(decode=True)
                payload = payload if isinstance(payload, bytes) else b""
                if part.get_filename() is not None:
                    files[str(name)] = (payload, part.get_content_type())
                else:
                    fields.setdefault(str(name), []).append(payload.decode("utf-8"))
            return fields, files
        if ctype.startswith("application/json"):
            data = self.json()
            return {key: value if isinstance(value, list) else [value] for key, value in data.items()}, {}
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True), {}


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)


DROP = Response(status=0)  # close the connection without answering


@dataclass
class _PendingFault:
    fault: Fault
    method: str  # "" for any
    path_contains: str


@dataclass
class Hold:
    """A request held on arrival (`hold_next`): `arrived` is set when it comes, and it is answered (as usual)
    only once `release` is set, so a test can kill the client while its request is in flight."""

    method: str
    path_contains: str
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


Route = tuple[str, re.Pattern[str], Callable[..., Response]]


class Standin:
    """One network's stand-in: subclasses declare `network`, `routes()` and `error(fault, request)`."""

    network = ""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.base_url = ""
        self.faults: list[_PendingFault] = []
        self.holds: list[Hold] = []
        self.requests_seen = 0
        self._ids = itertools.count(int(time.time() * 1000) % 10**9 * 1000)
        self._routes: list[Route] = [
            (method, re.compile(pattern + r"\Z"), handler) for method, pattern, handler in self.routes()
        ]
        self.reset()

    # --- to be provided by each network -------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty the state (posts, media, mentions); keep the account."""

    def routes(self) -> list[tuple[str, str, Callable[..., Response]]]:
        raise NotImplementedError

    def error(self, fault: Fault, request: Request) -> Response:
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        return {}

    def add_mention(self, *, text: str, author: str = "resident", in_reply_to: str = "") -> str:
        raise NotImplementedError

    def add_post(self, *, remote_id: str, text: str, created_at: datetime) -> None:
        """Hold a post of the account's made elsewhere (the demo's sent posts), under the id OpenBeat stored for it,
        so that looking it up and fetching its figures answer as the network would."""
        raise NotImplementedError

    def set_figures(self, remote_id: str, **counts: int) -> None:
        raise NotImplementedError

    # --- the handle tests use -----------------------------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def fail_next(self, fault: Fault | str, *, count: int = 1, method: str = "", path_contains: str = "") -> None:
        """Make the next `count` requests (of `method`, whose path contains `path_contains`) fail with `fault`."""
        with self.lock:
            for _ in range(count):
                self.faults.append(_PendingFault(Fault(fault), method.upper(), path_contains))

    def hold_next(self, *, method: str = "", path_contains: str = "") -> Hold:
        """Hold the next request (of `method`, whose path contains `path_contains`) until the hold is released."""
        hold = Hold(method.upper(), path_contains)
        with self.lock:
            self.holds.append(hold)
        return hold

    def _take_hold(self, request: Request) -> Hold | None:
        with self.lock:
            for index, hold in enumerate(self.holds):
                if (not hold.method or hold.method == request.method) and hold.path_contains in request.path:
                    del self.holds[index]
                    return hold
        return None

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for index, pending in enumerate(self.faults):
                if (not pending.method or pending.method == request.method) and pending.path_contains in request.path:
                    del self.faults[index]
                    return pending.fault
        return None

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_standin/"):
            return self._control(request)
        with self.lock:
            self.requests_seen += 1
        hold = self._take_hold(request)
        if hold is not None:
            hold.arrived.set()
            hold.release.wait(120)
        fault = self._take_fault(request)
        if fault is Fault.DROP_BEFORE:
            return DROP
        if fault is not None and fault is not Fault.DROP_AFTER_ACCEPT:
            return self.error(fault, request)
        response = self._route(request)
        if fault is Fault.DROP_AFTER_ACCEPT:
            return DROP
        return response

    def _route(self, request: Request) -> Response:
        path_matched = False
        path = request.path.rstrip("/") or "/"  # clients differ on trailing slashes (Mastodon.py adds some)
        for method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match:
                path_matched = True
                if method == request.method:
                    with self.lock:
                        return handler(request, *match.groups())
        return self.not_found(request, method_not_allowed=path_matched)

    def not_found(self, request: Request, *, method_not_allowed: bool = False) -> Response:
        if method_not_allowed:
            return Response(405, {"error": "Method not allowed"})
        return Response(404, {"error": "Record not found"})

    def _control(self, request: Request) -> Response:
        name = request.path.removeprefix("/_standin/")
        data = request.json() if request.method == "POST" and request.body else {}
        if name == "fail" and request.method == "POST":
            self.fail_next(
                data["fault"],
                count=int(data.get("count", 1)),
                method=data.get("method", ""),
                path_contains=data.get("path_contains", ""),
            )
        elif name == "mention" and request.method == "POST":
            return Response(200, {"id": self.add_mention(**data)})
        elif name == "post" and request.method == "POST":
            # {"remote_id": ..., "text": ..., "created_at": ISO time, "figures": {"reactions": 3, ...}}
            with self.lock:
                self.add_post(
                    remote_id=str(data["remote_id"]),
                    text=str(data.get("text", "")),
                    created_at=datetime.fromisoformat(str(data["created_at"])),
                )
                self.set_figures(str(data["remote_id"]), **{k: int(v) for k, v in (data.get("figures") or {}).items()})
            return Response(200, {"id": data["remote_id"]})
        elif name == "reset" and request.method == "POST":
            with self.lock:
                self.faults.clear()
                self.reset()
        elif name != "state":
            return Response(404, {"error": "unknown control"})
        with self.lock:
            return Response(
                200,
                {"network": self.network, "requests": self.requests_seen, "faults": len(self.faults)} | self.summary(),
            )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection (the benchmark's 1,000 posts)
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this each answer waits ~40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet, and no reverse look-ups
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.standin.handle(request)
        except Exception as exc:  # a stand-in bug answers 500 like a real server would, and says what it was
            response = Response(500, {"error": f"stand-in error: {exc!r}"})
        if response.status == 0:
            self.close_connection = True
            return
        if isinstance(response.body, bytes):
            payload = response.body
            ctype = response.headers.pop("Content-Type", "application/octet-stream")
        elif response.body is None and response.status == 204:
            payload, ctype = b"", ""
        else:
            payload = json.dumps(response.body).encode("utf-8")
            ctype = "application/json; charset=utf-8"
        self.send_response(response.status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], standin: Standin) -> None:
        self.standin = standin
        super().__init__(address, _Handler)


def iso_utc(moment: datetime) -> str:
    """`moment` as the networks write times: UTC, milliseconds, a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_server(standin: Standin, *, host: str = "127.0.0.1", port: int = 0, prefix: str = "") -> _Server:
    server = _Server((host, port), standin)
    standin.base_url = f"http://{host}:{server.server_address[1]}{prefix}"
    return server


@contextmanager
def serve(standin: Standin, *, host: str = "127.0.0.1", port: int = 0, prefix: str = "") -> Iterator[Standin]:
    server = make_server(standin, host=host, port=port, prefix=prefix)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
