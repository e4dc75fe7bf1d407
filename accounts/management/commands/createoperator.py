"""``manage.py createoperator``: a platform operator (Django staff: approves third-party
applications, reads every sent email), without prompts.

The operator is a registered user of a partner account of operators (``--account-name``, created when
missing), where no admin is above them. Run again for the same email, it only makes sure the user is
an operator (the password is left alone)."""

import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Account, User

PASSWORD_ENV = "PORTAL_OPERATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a platform operator (Django staff) who approves applications; --password or $" + PASSWORD_ENV
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The operator's email")
        parser.add_argument(
            "--password",
            default="",
            help=f"The operator's password (else ${PASSWORD_ENV}; Django's validators apply)",
        )
        parser.add_argument("--name", default="Platform operator", help="Display name")
        parser.add_argument(
            "--account-name",
            default="Platform Operations",
            help="The operators' partner account (created if missing)",
        )
        parser.add_argument(
            "--country", default="US", help="ISO 3166 country code of a new operators' account"
        )

    def handle(self, *args, **options):
        email = options["email"].strip().lower()
        account_name = options["account_name"].strip()
        if not email or not account_name:
            raise CommandError("--email and --account-name must not be empty.")
        account = Account.objects.filter(kind=Account.Kind.PARTNER, name__iexact=account_name).first()
        existing = account and User.objects.filter(account=account, email=email).first()
        if existing:
            # Staff is granted by whoever runs the platform (manage.py, /staff/), never through a service.
            User.objects.filter(pk=existing.pk).update(is_staff=True)
            self.stdout.write(self.style.SUCCESS(f"{email} in {account.name} is a platform operator."))
            return
        password = options["password"] or os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise CommandError(f"Give the operator's password with --password or ${PASSWORD_ENV}.")
        try:
            validate_password(password, User(email=email, name=options["name"]))
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                if account is None:
                    account = services.partner_create(
                        actor=None, name=account_name, country=options["country"].upper()
                    )
                operator = services.user_create(
                    actor=None, account=account, email=email, password=password, name=options["name"].strip()
                )
                User.objects.filter(pk=operator.pk).update(is_staff=True)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created platform operator {email} in {account.name} (account number "
                f"{account.account_number}); they sign in at /auth/login/ and land on /operator/apps/."
            )
        )
