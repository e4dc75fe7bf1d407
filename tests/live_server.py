"""The live server on an in-memory SQLite database handles one request at a time.

Django's live server answers each request in its own thread, and on in-memory SQLite every thread
uses the one connection of the test database. Two requests at once (a browser's htmx search and a
form submit) then run statements on that connection concurrently, which can hang the run. Requests
are still accepted in parallel (an idle connection a browser opens ahead of time blocks nothing);
only the application runs one request at a time, response body included. PostgreSQL runs keep
Django's server as it is: each thread has its own connection there."""

from __future__ import annotations

import threading

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread


class OneRequestAtATimeServer(ThreadedWSGIServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._application_lock = threading.Lock()

    def set_app(self, application):
        lock = self._application_lock

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


def serialize_live_server_on_in_memory_sqlite() -> None:
    connection = connections["default"]
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        LiveServerThread.server_class = OneRequestAtATimeServer
