"""The Activity page's words: a human label for each audit action code, and changed values shown as
a person reads them (never a Python repr)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

ACTION_LABELS = {
    "account.created": "Account created",
    "account.updated": "Account information changed",
    "account.deactivated": "Account deactivated",
    "account.activated": "Account activated",
    "account.deleted": "Account deleted",
    "account.sign_in_policy_changed": "Sign-in policy changed",
    "customer_account.created": "Customer account created",
    "customer_account.deleted": "Customer account deleted",
    "support_contact.added": "Support contact added",
    "support_contact.removed": "Support contact removed",
    "user.created": "User added",
    "user.updated": "User details changed",
    "user.deleted": "User deleted",
    "user.deactivated": "User deactivated",
    "user.reactivated": "User reactivated",
    "user.registered": "User finished registration",
    "user.role_changed": "User role changed",
    "user.welcome_sent": "Welcome email sent",
    "user.password_changed": "Password changed",
    "user.second_factor_added": "Second factor added",
    "user.second_factor_removed": "Second factor removed",
    "user.password_reset_sent": "Password reset email sent",
    "user.mitel_one_changed": "Mitel One access changed",
    "user_import.finished": "User import finished",
    "user_import.restarted": "User import started again",
    "pbx_users.synchronized": "Users synchronized from the PBX",
    "integration.added": "Integration added",
    "integration.removed": "Integration removed",
    "integration.configured": "Integration set up",
    "integration.enabled": "Integration enabled",
    "integration.disabled": "Integration disabled",
    "privilege.enabled": "Privilege switched on",
    "privilege.disabled": "Privilege switched off",
    "application.registered": "Application registered",
    "application.approved": "Application approved",
    "application.deployed": "Application deployed",
    "application.deleted": "Application deleted",
    "application.secret_rotated": "Application secret rotated",
    "chat_overlay.created": "Chat overlay created",
    "chat_overlay.deleted": "Chat overlay deleted",
    "conversation.deleted": "Conversation deleted",
    "gateway.created": "Gateway added",
    "gateway.removed": "Gateway removed",
    "gateway.connected": "Gateway connected",
    "gateway.connection_failed": "Gateway connection failed",
    "gateway.disconnected": "Gateway disconnected",
    "gateway.check_started": "Gateway connection check started",
    "gateway_pbx.created": "Gateway PBX added",
    "gateway_setup.step_saved": "Gateway setup step saved",
    "gateway_setup.cancelled": "Gateway setup cancelled",
    "gateway_trunk.updated": "SIP trunk changed",
}


def action_label(code: str) -> str:
    """The label of ``code``; an unlisted code reads as words ("user.mfa_reset" -> "User mfa reset")."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def field_label(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def value_text(value: object) -> str:
    """A changed value as text: On/Off, lists joined, nothing as an empty string."""
    if value is True:
        return "On"
    if value is False:
        return "Off"
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


def _spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(events) -> Iterator[str]:
    """The activity as CSV lines (UTF-8 with BOM, for spreadsheets), with the page's words."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_spreadsheet_safe(str(cell)) for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line(
        ["TIME (UTC)", "ACTOR", "ACTION", "ACTION CODE", "TARGET", "CHANGES", "CORRELATION ID"]
    )
    for event in events.iterator():
        changes = "; ".join(
            f"{field}: {old or '—'} -> {new or '—'}" for field, old, new in event.changes_text
        )
        yield line(
            [
                event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_label,
                event.action_label,
                event.action,
                event.target_label,
                changes,
                event.correlation_id,
            ]
        )
