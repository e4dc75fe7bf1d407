from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from accounts import extensions
        from integrations.services import privileges_set

        extensions.register_policy_setter(privileges_set)
