"""Password sign-in rules shared by the console (allauth backend) and the token endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Account, User


@dataclass
class SignInError(Exception):
    name: str
    message: str
    status: int


class InvalidCredentials(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "InvalidLoginCredentials", "The email address or password you entered is not correct.", 401
        )


class MultipleAccountsMatch(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "MultipleMatching",
            "Multiple accounts located. Additional account information needed to proceed.",
            409,
        )


class AccountDeactivated(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "InactiveAccount",
            "This account has been deactivated. Contact your partner or administrator.",
            403,
        )


class UserNotActive(SignInError):
    def __init__(self) -> None:
        super().__init__("UserNotActive", "This user has been disabled.", 403)


class UserNotRegistered(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "UserNotRegistered",
            "This user has not finished registration yet: use the link in the welcome email first.",
            403,
        )


class SsoRequired(SignInError):
    def __init__(self) -> None:
        super().__init__(
            "SsoRequired",
            "This account signs in through its identity provider: enter your email and choose Next "
            "on the sign-in page (API clients: POST /saml2/start or the browser /authorize flow).",
            403,
        )


# Rules of the apps above accounts that may refuse a password sign-in once the password matched
# (sso: "this account signs in through its identity provider"); each returns a SignInError or None.
PASSWORD_SIGN_IN_RULES: list[Callable[[User], SignInError | None]] = []

_DUMMY_HASH = make_password("timing-equaliser")


def user_authenticate(*, email: str, password: str, account_ref: str | None = None) -> User:
    """Return the user these credentials identify, or raise a ``SignInError``.

    Wrong email, wrong password, unknown account and an invited user who has no password yet
    all give the same ``InvalidCredentials`` (after the same password hashing), so nobody learns
    who exists or who was invited. The account number is asked for (``MultipleAccountsMatch``)
    only once the password matches a user in more than one account, so that question reveals
    nothing to a guesser either.
    """
    candidates = User.objects.filter(email__iexact=(email or "").strip()).select_related("account")
    if account_ref:
        candidates = candidates.filter(account__in=Account.objects.by_ref(account_ref))
    users = [user for user in candidates[:50] if user.has_usable_password()]
    if not users:
        User(password=_DUMMY_HASH).check_password(password or "")
        raise InvalidCredentials()
    matching = [u for u in users if u.check_password(password or "")]
    if not matching:
        raise InvalidCredentials()
    if len(matching) > 1 or (len(users) > 1 and not account_ref):
        raise MultipleAccountsMatch()
    user = matching[0]
    blocked = sign_in_blocker(user)
    if blocked is not None:
        raise blocked
    for rule in PASSWORD_SIGN_IN_RULES:
        if (refusal := rule(user)) is not None:
            raise refusal
    return user


def sign_in_blocker(user: User) -> SignInError | None:
    """Why this user may not sign in or get tokens now, or None."""
    if not user.account.is_active:
        return AccountDeactivated()
    if not user.is_active:
        return UserNotActive()
    if not user.is_registered:
        return UserNotRegistered()
    return None


def user_may_stay_signed_in(user: User) -> bool:
    """Checked on every request: deactivating an account or user ends their sessions and tokens."""
    return sign_in_blocker(user) is None
