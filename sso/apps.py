from django.apps import AppConfig


class SsoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from accounts.authn import PASSWORD_SIGN_IN_RULES
        from oauth.grants import SUBJECT_TOKEN_EXCHANGES
        from sso.selectors import password_sign_in_refusal
        from sso.token_exchange import SUBJECT_TOKEN_TYPES, trusted_token_exchange

        PASSWORD_SIGN_IN_RULES.append(password_sign_in_refusal)
        for token_type in SUBJECT_TOKEN_TYPES:
            SUBJECT_TOKEN_EXCHANGES[token_type] = trusted_token_exchange
