"""``manage.py createpartner``: a partner account and its first partner admin, without prompts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Account, User


class Command(BaseCommand):
    help = "Create a partner account and its first partner admin (for scripts and operators)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Partner (reseller) name")
        parser.add_argument("--email", required=True, help="Email of the first partner admin")
        parser.add_argument("--password", required=True, help="Password of the first partner admin")
        parser.add_argument("--country", default="US", help="ISO 3166 country code (default US)")

    def handle(self, *args, **options):
        name, email = options["name"].strip(), options["email"].strip().lower()
        if not name:
            raise CommandError("--name must not be empty.")
        if Account.objects.filter(kind=Account.Kind.PARTNER, name__iexact=name).exists():
            raise CommandError(f"A partner named {name!r} already exists.")
        try:
            validate_password(options["password"], User(email=email))
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                partner = services.partner_create(actor=None, name=name, country=options["country"].upper())
                services.user_create(
                    actor=None,
                    account=partner,
                    email=email,
                    role=User.Role.PARTNER_ADMIN,
                    password=options["password"],
                    name=name + " admin",
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created partner {partner.name} (account number {partner.account_number}, "
                f"account ID {partner.account_id}) with partner admin {email}."
            )
        )
