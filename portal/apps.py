from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.core import checks

        from portal.throttle import check_throttle_settings

        checks.register(check_throttle_settings)
