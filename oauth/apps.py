from django.apps import AppConfig


class OAuthConfig(AppConfig):
    """Tokens and who may get them: signing keys, grants, refresh families, guests, applications."""

    name = "oauth"
    verbose_name = "Authentication (tokens and applications)"
    default_auto_field = "django.db.models.BigAutoField"
