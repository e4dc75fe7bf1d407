"""The Python client (cloudlink/) against a live portal started by the test run."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cloudlink import CloudLink
from tests.waiting import request_threads_ended


@pytest.fixture
def cloudlink(live_server) -> Iterator[Callable[..., CloudLink]]:
    """``cloudlink(**options)``: a client whose every service points at the live server. Clients
    are closed after the test, so no keep-alive connection outlives the test's database."""
    clients: list[CloudLink] = []

    def make(**options) -> CloudLink:
        clients.append(CloudLink(base_url=f"{live_server.url}/api", **options))
        return clients[-1]

    yield make
    for client in clients:
        client.close()
    request_threads_ended()  # the server's request threads saw the closed connections and ended


@pytest.fixture
def stub_server() -> Iterator[Callable[[list[tuple[int, dict, object]]], str]]:
    """A tiny local HTTP server answering a script of ``(status, headers, json body)``, one per
    request (the last one repeats), for what the portal never sends (HTTP-date ``retry-after``,
    ``x-amzn-requestid``, 5xx). Returns its base URL; ``.requests`` lists what it received."""
    servers = []

    def start(script: list[tuple[int, dict, object]]) -> str:
        received: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                received.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length).decode(),
                    }
                )
                status, headers, body = script[min(len(received), len(script)) - 1]
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in {"content-type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.requests = received  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        start.server = server  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
