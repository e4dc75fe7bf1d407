from django.apps import AppConfig


class OAuthConfig(AppConfig):
    """Tokens and who may get them: signing keys, grants, refresh families, guests, applications."""

    name = "oauth"
    verbose_name = "Authentication (tokens and applications)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.signals import sign_ins_ended
        from oauth.models import SigningKey
        from oauth.refresh import refresh_families_revoke_for_users
        from oauth.tokens import signing_keys_forget

        sign_ins_ended.connect(
            refresh_families_revoke_for_users, dispatch_uid="oauth.refresh_families_revoke"
        )
        post_save.connect(signing_keys_forget, sender=SigningKey, dispatch_uid="oauth.signing_keys_saved")
        post_delete.connect(signing_keys_forget, sender=SigningKey, dispatch_uid="oauth.signing_keys_deleted")
