"""``manage.py seed_demo``: the demo data `make run` shows. Safe to run any number of times."""

import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import Account, User

DEMO_PARTNER = "Demo Partner"
DEMO_EMAIL = "partner@demo.example"
DEMO_PASSWORD = "demo-partner-2026"
DEMO_ADMIN_PASSWORD = "demo-admin-2026"
# A platform operator (Django staff) in an account of their own, where no admin is above them.
DEMO_OPERATIONS = "Demo Operations"
DEMO_OPERATOR_EMAIL = "operator@demo.example"
DEMO_OPERATOR_PASSWORD = "demo-operator-2026"

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

    def add_arguments(self, parser):
        parser.add_argument(
            "--pbx-host",
            default=os.environ.get("PORTAL_DEMO_PBX_HOST", "127.0.0.1"),
            help="CSTA host of the demo PBX (the simulator `make run` starts)",
        )
        parser.add_argument(
            "--pbx-port",
            type=int,
            default=int(os.environ.get("PORTAL_DEMO_PBX_PORT", "8882")),
            help="CSTA port of the demo PBX (default 8882)",
        )

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
        northwind = Account.objects.get(parent=partner, name=CUSTOMERS[0]["name"])
        self._seed_gateway(northwind, partner_admin, options["pbx_host"], options["pbx_port"])
        self._seed_operator()
        self._print_sign_in(partner)

    def _seed_operator(self) -> None:
        call_command(
            "createoperator",
            email=DEMO_OPERATOR_EMAIL,
            password=DEMO_OPERATOR_PASSWORD,
            name="Demo Operator",
            account_name=DEMO_OPERATIONS,
            stdout=io.StringIO(),
        )

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

    def _seed_gateway(self, account: Account, actor: User, host: str, port: int) -> None:
        """Northwind's CloudLink Gateway, its MX-ONE pointing at the demo PBX simulator, and a connection
        check (it runs once the data is committed; "disconnected" if no simulator listens)."""
        from gateways import services as gateway_services
        from gateways.models import Gateway
        from integrations import services as integration_services
        from integrations.models import Integration

        if not Integration.objects.filter(account=account, type="cloudlink-gateway").exists():
            integration_services.integration_add(actor=actor, account=account, type="cloudlink-gateway")
        if not Gateway.objects.filter(account=account).exists():
            customer = {
                "name": account.name,
                "address": account.address,
                "city": account.city,
                "province_state": "",
                "postal_code": account.postal_code,
                "country": account.country,
                "business_type": account.business_type,
                "contacts": [
                    {"type": "maintainer", "name": actor.display_name, "email": actor.email},
                    {"type": "onsite_admin", "name": "Nora Northwind", "email": "admin@northwind.example"},
                ],
            }
            network = {
                "name": "Northwind HQ",
                "serial_number": "CLGW-DEMO-0001",
                "mac_address": "",
                "network": "static",
                "ip_address": "192.168.10.20",
                "subnet_mask": "255.255.255.0",
                "default_gateway": "192.168.10.1",
                "dns_servers": ["8.8.8.8", "8.8.4.4"],
                "internal_dns_server": "",
            }
            gateway_services.gateway_create(actor=actor, account=account, customer=customer, values=network)
        pbx = {
            "type": "mx-one",
            "name": "mxone-demo",
            "host": host,
            "csta_port": port,
            "csta_user": "cloudlink",
        }
        current = Gateway.objects.get(account=account)
        if not hasattr(current, "pbx") or (current.pbx.host, current.pbx.csta_port) != (host, port):
            gateway_services.pbx_set(actor=actor, account=account, values=pbx, password="cloudlink")
        try:
            gateway_services.gateway_check_start(actor=actor, account=account)
        except ValidationError as exc:  # a check is already running
            self.stdout.write(" ".join(exc.messages))

    def _print_sign_in(self, partner: Account) -> None:
        lines = [
            "",
            f"Demo data is ready. Sign in at {settings.PORTAL_BASE_URL}/auth/login/",
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
        lines += [
            "  Platform operator (approves applications at /operator/apps/, reads every sent email;"
            " make more with manage.py createoperator):",
            f"    email {DEMO_OPERATOR_EMAIL}   password {DEMO_OPERATOR_PASSWORD}",
            f"  Sent emails (welcome and password-reset links) are in the Outbox, {settings.PORTAL_BASE_URL}/outbox/"
            "\n    (user menu): each admin reads those of the users they manage, the operator all of them.",
        ]
        lines.append(
            "  Northwind's CloudLink Gateway connects to the demo PBX simulator (make run starts one)."
        )
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
