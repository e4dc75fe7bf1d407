"""``manage.py reencrypt_secrets``: re-encrypt every secret stored at rest with the first key of
PORTAL_ENCRYPTION_KEYS, so the older keys can be dropped (docs/production.md)."""

from django.core.management.base import BaseCommand, CommandError

from core import crypto
from core.fields import encrypted_fields, raw_replace, raw_values


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (gateway, SIP trunk and CSTA passwords, token-signing keys) "
        "with the first key of PORTAL_ENCRYPTION_KEYS. Values already encrypted with it are left "
        "alone, so running it again changes nothing. Run it after adding a new key in front, before "
        "removing the old one."
    )

    def handle(self, *args, **options):
        totals = {"rotated": 0, "current": 0, "plain": 0}
        unreadable: list[str] = []
        for model, field in encrypted_fields():
            label = f"{model._meta.label}.{field.name}"
            counts = {"rotated": 0, "current": 0, "plain": 0}
            failed: list[str] = []
            for pk, stored in raw_values(model, field.name):
                try:
                    new = crypto.reencrypt(stored)
                except crypto.DecryptionError:
                    failed.append(str(pk))
                    continue
                if new is None:
                    counts["current"] += 1
                elif raw_replace(model, field.name, pk, stored, new):
                    counts["rotated" if crypto.is_encrypted(stored) else "plain"] += 1
                else:  # saved meanwhile by the portal, which encrypts with the first key
                    counts["current"] += 1
            line = f"{label}: {counts['rotated']} re-encrypted, {counts['current']} already current"
            if counts["plain"]:
                line += f", {counts['plain']} plain-text values encrypted"
            if failed:
                line += f", {len(failed)} not decryptable (ids {', '.join(failed)})"
                unreadable.extend(f"{label} id {pk}" for pk in failed)
            self.stdout.write(line)
            for name in totals:
                totals[name] += counts[name]
        summary = f"Done: {totals['rotated']} re-encrypted, {totals['current']} already current."
        if totals["plain"]:
            summary += f" {totals['plain']} plain-text values encrypted."
        self.stdout.write(self.style.SUCCESS(summary) if not unreadable else summary)
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} values could not be decrypted with any key in PORTAL_ENCRYPTION_KEYS "
                "and were left as they are: put the key that encrypted them back in the list, run "
                f"again. ({'; '.join(unreadable)})"
            )
