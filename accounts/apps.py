from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Register the tasks the services enqueue by name (core.jobs.enqueue).
        from accounts import tasks  # noqa: F401
        from accounts.user_import import tasks as user_import_tasks  # noqa: F401
