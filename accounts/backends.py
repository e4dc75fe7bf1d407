"""Django authentication backend for console sign-in (email + password + optional account)."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from accounts.authn import SignInError, user_authenticate
from accounts.models import User


class AccountEmailBackend(BaseBackend):
    """Authenticates by email within an account. Raises ``SignInError`` subclasses other than
    invalid credentials so the sign-in form can say what to do next (give the account
    number, the account is deactivated, finish registration)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        account: str | None = None,
        **kwargs,
    ) -> User | None:
        if email is None or password is None:
            return None
        try:
            return user_authenticate(email=email, password=password, account_ref=account or None)
        except SignInError as exc:
            if exc.name == "InvalidLoginCredentials":
                return None
            if request is not None:
                request.sign_in_error = exc
            return None

    def get_user(self, user_id: int) -> User | None:
        # Deactivated users and accounts are signed out by accounts.middleware.ActiveAccountMiddleware.
        return User.objects.select_related("account", "account__parent").filter(pk=user_id).first()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return bool(user_obj.is_active and user_obj.is_staff and user_obj.is_superuser)
