"""Starting background work from a service.

A service names the Celery task it wants run instead of importing it: the task module imports the
services it calls, so importing it back would be a circle. Each app's ``AppConfig.ready`` imports
its ``tasks`` module, which registers the tasks under the names they are enqueued by.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args) -> None:
    """Run the task ``task_name`` with ``args`` once the surrounding transaction commits (at once
    outside one); in-process when no broker is configured (``CELERY_TASK_ALWAYS_EAGER``)."""
    task = current_app.tasks[task_name]  # a KeyError here is a typo in the name: fail in the request
    transaction.on_commit(lambda: task.delay(*args))
