"""``manage.py rotate_signing_key [--retire-previous]``: start signing tokens with a new key."""

from django.core.management.base import BaseCommand

from oauth import tokens
from oauth.models import SigningKey


class Command(BaseCommand):
    help = (
        "Create a new token-signing key; it signs every token from now on. Older keys stay in the "
        "JWKS and keep verifying the tokens they signed until retired. --retire-previous retires "
        "them at once (every token they signed stops working): use it when a key may have leaked."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retire-previous",
            action="store_true",
            help="Retire every older key now instead of letting its tokens run out.",
        )

    def handle(self, *args, **options):
        previous = list(SigningKey.objects.filter(retired_at__isnull=True).values_list("kid", flat=True))
        key = tokens.signing_key_rotate(retire_previous=options["retire_previous"])
        self.stdout.write(self.style.SUCCESS(f"New signing key: {key.kid}"))
        if previous:
            verb = "Retired" if options["retire_previous"] else "Still verifying (not retired)"
            self.stdout.write(f"{verb}: {', '.join(previous)}")
