"""What accounts tells the rooms above it, which it must not import (imports run one way)."""

from django.dispatch import Signal

# Every sign-in of some users ended (password changed or reset, role lowered, user or account
# deactivated): ``user_ids`` (a list or a queryset of primary keys) and ``at`` (the time).
# ``oauth`` revokes their refresh families, which ends their access tokens too.
sign_ins_ended = Signal()
