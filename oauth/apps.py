from django.apps import AppConfig


class OAuthConfig(AppConfig):
    """Tokens and who may get them: signing keys, grants, refresh families, guests, applications."""

    name = "oauth"
    verbose_name = "Authentication (tokens and applications)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import sign_ins_ended
        from oauth.refresh import refresh_families_revoke_for_users

        sign_ins_ended.connect(
            refresh_families_revoke_for_users, dispatch_uid="oauth.refresh_families_revoke"
        )
