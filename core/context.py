"""Per-request context that services and log lines read without being handed the request."""

import contextvars
import uuid

correlation_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")
mitel_app_var: contextvars.ContextVar[str] = contextvars.ContextVar("mitel_app", default="")


def current_correlation_id() -> str:
    value = correlation_id_var.get()
    return "" if value == "-" else value


def new_correlation_id() -> str:
    return str(uuid.uuid4())
