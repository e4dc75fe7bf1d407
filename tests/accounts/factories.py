"""Factories of ``accounts``' models: accounts, users, their audit trail, welcome links and imports."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import (
    Account,
    AuditEvent,
    SupportContact,
    User,
    UserImportJob,
    UserImportRow,
    WelcomeLink,
)
from tests.core.factories import JobFactory

PASSWORD = "correct-horse-battery"


class PartnerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    kind = Account.Kind.PARTNER
    name = factory.Sequence(lambda n: f"Partner {n}")
    country = "CA"
    account_number = factory.Sequence(lambda n: f"{500000000 + n}")


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    kind = Account.Kind.CUSTOMER
    parent = factory.SubFactory(PartnerAccountFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    country = "SE"
    city = "Stockholm"
    account_number = factory.Sequence(lambda n: f"{700000000 + n}")
    support_contact = factory.RelatedFactory(
        "tests.accounts.factories.SupportContactFactory", factory_related_name="account"
    )


class SupportContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportContact

    account = factory.SubFactory(CustomerAccountFactory, support_contact=None)
    email = factory.Sequence(lambda n: f"support{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    """A registered user who can sign in with ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    account = factory.SubFactory(CustomerAccountFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    role = User.Role.USER
    is_registered = True
    email_verified = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        if extracted is False:
            obj.set_unusable_password()
        else:
            obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class AuditEventFactory(factory.django.DjangoModelFactory):
    """An audit row about an account (as services write them, without an actor: the system)."""

    class Meta:
        model = AuditEvent

    account = factory.SubFactory(CustomerAccountFactory)
    account_ref = factory.SelfAttribute("account.account_id")
    actor_label = "system"
    action = "account.updated"
    target_type = "account"
    target_id = factory.LazyAttribute(lambda event: str(event.account.account_id))
    target_label = factory.SelfAttribute("account.name")


class WelcomeLinkFactory(factory.django.DjangoModelFactory):
    """A welcome (registration) link of a user who has not registered yet; ``token`` is the link's
    secret (only its SHA-256 is stored)."""

    class Meta:
        model = WelcomeLink

    class Params:
        token = factory.Sequence(lambda n: f"welcome-token-{n}")

    user = factory.SubFactory(UserFactory, is_registered=False, password=False)
    token_hash = factory.LazyAttribute(lambda link: hashlib.sha256(link.token.encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class UserImportJobFactory(JobFactory):
    """A user import waiting at its preview (no rows: add them with ``UserImportRowFactory``)."""

    class Meta:
        model = UserImportJob

    account = factory.SubFactory(CustomerAccountFactory)
    file_name = "users.csv"


class UserImportRowFactory(factory.django.DjangoModelFactory):
    """A valid row of an import's file, not imported yet."""

    class Meta:
        model = UserImportRow

    job = factory.SubFactory(UserImportJobFactory)
    number = factory.Sequence(lambda n: n + 2)  # row 1 is the header
    first_name = factory.Sequence(lambda n: f"Imported{n}")
    last_name = "Tester"
    email = factory.Sequence(lambda n: f"imported{n}@example.com")
    role_text = "User"
    role = User.Role.USER


def totp_factor_add(user: User, secret: str = "") -> str:
    """Give ``user`` an authenticator app and recovery codes, as allauth's own activation stores
    them (``allauth.mfa``'s Authenticator rows, encrypted); returns the TOTP secret (base32)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def recovery_codes_of(user: User) -> list[str]:
    from allauth.mfa.models import Authenticator

    return (
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    )
