import logging

from core.context import correlation_id_var


class CorrelationIdFilter(logging.Filter):
    """Adds ``correlation_id`` to every record so each log line names its request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id_var.get()
        return True
