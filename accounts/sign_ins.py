"""Ending every sign-in of some users, the one place the services call for it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.signals import sign_ins_ended


def sign_ins_end(users: Iterable[User] | QuerySet[User]) -> None:
    """End every sign-in of these users: their console sessions (``User.sign_ins_revoked_at`` is
    part of the session hash) and, through ``sign_ins_ended``, their refresh families and so every
    access token naming one in ``sid``. Two queries whatever the number of users. ``User``
    instances given are updated too, so a session that must survive (the browser that just changed
    its password) can be re-hashed from them."""
    now = timezone.now()
    if isinstance(users, QuerySet):
        ids = users.values("pk")
    else:
        users = list(users)
        ids = [user.pk for user in users]
        for user in users:
            user.sign_ins_revoked_at = now
    sign_ins_ended.send(sender=User, user_ids=ids, at=now)
    User.objects.filter(pk__in=ids).update(sign_ins_revoked_at=now)
