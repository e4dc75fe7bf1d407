"""``manage.py createuser``: a registered user in an existing account, without email or prompts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import access, services
from accounts.models import Account, User


class Command(BaseCommand):
    help = (
        "Create an already registered user (email verified, password set, no welcome email) in an "
        "existing account, for operators and scripts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="Account number (or account ID GUID)")
        parser.add_argument("--email", required=True, help="The user's email (unique in the account)")
        parser.add_argument(
            "--password", required=True, help="The user's password (Django's validators apply)"
        )
        parser.add_argument("--role", default=User.Role.USER, help="USER (default) or ACCOUNT_ADMIN")
        parser.add_argument("--name", default="", help="Display name")
        parser.add_argument("--extension", default="", help="Phone extension")

    def handle(self, *args, **options):
        account = Account.objects.by_ref(options["account"]).first()
        if account is None:
            raise CommandError(f"No account with number or ID {options['account']!r}.")
        role = options["role"].strip().upper().replace(" ", "_")
        if not access.is_exchangeable_role(role):
            names = ", ".join(access.exchangeable_role_names())
            raise CommandError(f"--role must be one of {names}, not {options['role']!r}.")
        email = options["email"].strip().lower()
        fields = {"name": options["name"].strip(), "extension": options["extension"].strip()}
        try:
            validate_password(options["password"], User(account=account, email=email, **fields))
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from exc
        try:
            user = services.user_create(
                actor=None, account=account, email=email, role=role, password=options["password"], **fields
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError(
                "; ".join(
                    f"{key}: {' '.join(text)}" if key else " ".join(text) for key, text in messages.items()
                )
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.get_role_display()} {user.email} (user ID {user.user_id}) in "
                f"{account.name} (account number {account.account_number}); they can sign in now."
            )
        )
