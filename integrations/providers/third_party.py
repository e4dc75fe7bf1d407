"""Third-party applications are not catalogue entries: partners register them on the Developer
page, a platform operator approves them, and an approved application is then deployed to a
customer account from the Third party tab (``{% third_party_catalogue %}``, templatetags/applications.py)."""

from django.utils.translation import gettext_lazy as _

TAB_INTRO = _(
    "Third-party applications are registered by partners on the Developer page and approved by the "
    "platform operator. Once approved, an application can be deployed to this account from here."
)
NOT_YET = _("No third-party applications can be deployed yet: none has been approved.")
