"""``manage.py approveapp REF``: approve a third-party application from the command line.

``REF`` is the application's client ID, its registration number (the ``#id`` on the operator
page and ``id`` in the API; pending applications have no client ID yet) or its x-mitel-app name
(when several pending registrations share that name, the registration number is needed).
For a confidential client without a secret yet, the client secret is printed once: hand it to
the partner over a safe channel (they can rotate it on their Developer page).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from oauth.applications import services


class Command(BaseCommand):
    help = "Approve a third-party application (by client ID, registration number or x-mitel-app name)."

    def add_arguments(self, parser):
        parser.add_argument("ref", help="Client ID, registration number or x-mitel-app name")

    def handle(self, *args, **options):
        try:
            app = services.application_resolve(options["ref"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if app is None:
            raise CommandError(
                f"No application has the client ID, number or x-mitel-app name {options['ref']!r}."
            )
        try:
            app, secret = services.application_approve(actor=None, application=app)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Approved {app.name} (partner {app.owner.name})."))
        self.stdout.write(f"Client ID: {app.client_id}")
        if secret:
            self.stdout.write(f"Client secret: {secret}")
            self.stdout.write("The secret is shown only this once; it is stored hashed.")
        elif app.is_confidential:
            self.stdout.write("Client secret: unchanged (the partner rotates it on the Developer page).")
