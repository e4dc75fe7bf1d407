from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Register the tasks the services enqueue by name (core.jobs.enqueue).
        from accounts import tasks  # noqa: F401
        from accounts.second_factor import audit_second_factor_changes
        from accounts.user_import import tasks as user_import_tasks  # noqa: F401

        # A user's second factors added and removed (allauth's MFA) go to the audit trail.
        audit_second_factor_changes()
