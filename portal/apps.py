from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project shell: settings, URLs, the Celery app, the demo seed."""

    name = "portal"
    verbose_name = "Portal"
