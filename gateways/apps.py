from django.apps import AppConfig


class GatewaysConfig(AppConfig):
    name = "gateways"
    verbose_name = "CloudLink Gateway"

    def ready(self) -> None:
        from accounts import extensions
        from gateways.pbx_users.services import pbx_user_push

        extensions.register_user_creator("PBX", pbx_user_push)

        from gateways import tasks  # noqa: F401  (registers the tasks enqueued by name)
