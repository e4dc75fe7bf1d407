"""A real local HTTP server receiving webhooks (http.server in a thread on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: dict
    at: float
    raw: bytes = b""


@dataclass
class WebhookServer:
    """Records every POST; answers with the queued statuses (then 200). ``stall_first`` holds the
    first request open until ``release`` is set (or 60 s pass)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answered: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    stall_first: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict]:
        with self.lock:
            return [item.body for item in self.answered]


def _handler_for(server: WebhookServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode(errors="replace")}
            item = Received(self.path, dict(self.headers), body, time.monotonic(), raw)
            with server.lock:
                first = not server.received
                server.received.append(item)
                status = server.statuses.pop(0) if server.statuses else 200
            if first and server.stall_first:
                server.release.wait(60)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')
            except OSError:
                return
            if 200 <= status < 300:
                with server.lock:
                    server.answered.append(item)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def webhook_server(settings):
    """A webhook receiver on a free port of 127.0.0.1; allows webhooks to loopback."""
    settings.PORTAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    state = WebhookServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def publish_now(django_capture_on_commit_callbacks):
    """Run ``fn`` and then its on-commit callbacks (the delivery, in-process)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
