"""Account references: CloudLink accepts either the GUID ``accountId`` or the account number."""

import re
import uuid

from django.db.models import Q

_NUMBER = re.compile(r"^[0-9]{9}$")


def account_ref_q(ref: object) -> Q:
    text = str(ref or "").strip()
    if _NUMBER.match(text):
        return Q(account_number=text)
    try:
        return Q(account_id=uuid.UUID(text))
    except ValueError:
        return Q(pk__in=[])


def is_account_ref(ref: object) -> bool:
    """Whether ``ref`` is shaped like an account reference (a 9-digit number or a GUID)."""
    text = str(ref or "").strip()
    if _NUMBER.match(text):
        return True
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
