"""The console's main pages as each role sees them, shared by the accessibility test and the
screenshot script: ``main_pages(role, ...)`` gives ``(name, path)`` pairs."""

from __future__ import annotations

from django.urls import reverse

ANONYMOUS_PAGES = (
    ("sign-in", "account_login"),
    ("password-reset", "account_reset_password"),
    ("password-reset-code", "password_reset_code"),
)


def _account_pages(number: str) -> list[tuple[str, str]]:
    return [
        ("account-information", reverse("accounts:account_detail", args=[number])),
        ("users", reverse("accounts:user_list", args=[number])),
        ("user-add", reverse("accounts:user_create", args=[number])),
        ("user-import", reverse("accounts:user_import", args=[number])),
        ("pbx-sync", reverse("pbx_users:pbx_sync", args=[number])),
        ("integrations", reverse("integrations:integration_list", args=[number])),
        ("integrations-catalogue", reverse("integrations:integration_catalogue", args=[number])),
        ("gateway", reverse("gateways:gateway_detail", args=[number])),
        ("gateway-wizard", reverse("gateways:gateway_setup", args=[number])),
        ("notifications", reverse("notifications:notification_list", args=[number])),
        ("conversations", reverse("chat:conversation_list", args=[number])),
        ("activity", reverse("accounts:account_activity", args=[number])),
    ]


def main_pages(role: str, *, customer_number: str = "", user_id: str = "") -> list[tuple[str, str]]:
    """The pages a role reaches from its navigation (and the forms one click away)."""
    if role == "anonymous":
        return [(name, reverse(url_name)) for name, url_name in ANONYMOUS_PAGES]
    you = [("change-password", reverse("account_change_password"))]
    if role == "operator":
        return [("operator-applications", reverse("operator:application_list"))] + you
    if role == "partner-admin":
        return [
            ("accounts", reverse("accounts:account_list")),
            ("account-create", reverse("accounts:account_create")),
            ("developer", reverse("developer:home")),
            ("outbox", reverse("outbox")),
            *_account_pages(customer_number),
        ] + you
    if role == "account-admin":
        return [
            *_account_pages(customer_number),
            ("user-detail", reverse("accounts:user_detail", args=[customer_number, user_id])),
        ] + you
    if role == "user":  # a user of a customer account manages only their own sign-in
        return you
    raise ValueError(f"Unknown role {role!r}")
