from django.core.management.base import BaseCommand

from core.i18n.catalogs import catalogues_compile


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po to .mo (pure Python: GNU gettext not needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rewrite every .mo, not only stale ones")

    def handle(self, *args, force: bool = False, **options):
        for path in catalogues_compile(force=force):
            self.stdout.write(f"compiled {path}")
