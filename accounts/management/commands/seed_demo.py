"""``manage.py seed_demo``: the demo data `make run` shows. Safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import Account, User

DEMO_PARTNER = "Demo Partner"
DEMO_EMAIL = "partner@demo.example"
DEMO_PASSWORD = "demo-partner-2026"
DEMO_ADMIN_PASSWORD = "demo-admin-2026"

CUSTOMERS = [
    {
        "name": "Northwind Traders",
        "country": "SE",
        "city": "Stockholm",
        "address": "Drottninggatan 1",
        "postal_code": "111 51",
        "default_language": "sv-SE",
        "business_type": "retail",
        "support_contacts": ["support@northwind.example"],
        "admin": ("admin@northwind.example", "Nora Northwind"),
        "users": [("erik@northwind.example", "Erik", "Lund"), ("anna@northwind.example", "Anna", "Berg")],
    },
    {
        "name": "Contoso Health",
        "country": "CA",
        "province_state": "Ontario",
        "city": "Ottawa",
        "address": "100 Wellington St",
        "postal_code": "K1A 0A9",
        "default_language": "en-CA",
        "business_type": "healthcare",
        "support_contacts": ["it@contoso.example"],
        "admin": ("admin@contoso.example", "Carl Contoso"),
        "users": [("dana@contoso.example", "Dana", "Lee")],
    },
]


class Command(BaseCommand):
    help = "Create the demo partner, two customer accounts and their users (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        partner = Account.objects.filter(kind=Account.Kind.PARTNER, name=DEMO_PARTNER).first()
        if partner is None:
            partner = services.partner_create(actor=None, name=DEMO_PARTNER, country="US")
        partner_admin = User.objects.filter(account=partner, email=DEMO_EMAIL).first()
        if partner_admin is None:
            partner_admin = services.user_create(
                actor=None,
                account=partner,
                email=DEMO_EMAIL,
                role=User.Role.PARTNER_ADMIN,
                password=DEMO_PASSWORD,
                name="Demo Partner Admin",
            )
        for spec in CUSTOMERS:
            self._seed_customer(partner, partner_admin, dict(spec))
        self._print_sign_in(partner)

    def _seed_customer(self, partner: Account, actor: User, spec: dict) -> None:
        admin_email, admin_name = spec.pop("admin")
        users = spec.pop("users")
        contacts = spec.pop("support_contacts")
        account = Account.objects.filter(parent=partner, name=spec["name"]).first()
        if account is None:
            account = services.account_create(actor=actor, partner=partner, support_contacts=contacts, **spec)
        if not User.objects.filter(account=account, email=admin_email).exists():
            services.user_create(
                actor=actor,
                account=account,
                email=admin_email,
                role=User.Role.ACCOUNT_ADMIN,
                password=DEMO_ADMIN_PASSWORD,
                name=admin_name,
            )
        for email, first, last in users:
            if not User.objects.filter(account=account, email=email).exists():
                services.user_create(
                    actor=actor, account=account, email=email, first_name=first, last_name=last
                )

    def _print_sign_in(self, partner: Account) -> None:
        lines = [
            "",
            "Demo data is ready. Sign in at http://127.0.0.1:8000/auth/login/",
            f"  Partner admin of {partner.name} (account {partner.account_number}):",
            f"    email {DEMO_EMAIL}   password {DEMO_PASSWORD}",
        ]
        for account in Account.objects.filter(parent=partner).order_by("name"):
            admin = account.users.filter(role=User.Role.ACCOUNT_ADMIN).order_by("pk").first()
            if admin:
                lines.append(
                    f"  Account admin of {account.name} (account {account.account_number}):"
                    f"\n    email {admin.email}   password {DEMO_ADMIN_PASSWORD}"
                )
        lines.append("  Sent emails appear at http://127.0.0.1:8000/outbox/")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
