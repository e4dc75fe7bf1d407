from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: API frame, htmx helpers, mail and the Outbox, security middleware."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core import checks

        from core import lookups
        from core.throttle import check_throttle_settings

        lookups.register()

        checks.register(check_throttle_settings)
