from django.apps import AppConfig


class SsoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from accounts.authn import PASSWORD_SIGN_IN_RULES
        from sso.selectors import password_sign_in_refusal

        PASSWORD_SIGN_IN_RULES.append(password_sign_in_refusal)
