"""The setup wizard's shape: its steps in order, the Form of each, and where each step's initial values
come from (what the wizard stored, else the existing gateway, else the account and defaults).

Plain functions over ``GatewaySetup``; the writes are ``services.gateway_setup_step_submit`` and
``services.gateway_setup_connect``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Account, User
from gateways.forms import CUSTOMER_FIELDS, ContactType, CustomerForm, GatewayForm, PbxForm
from gateways.models import Gateway, GatewaySetup

Step = GatewaySetup.Step
STEPS: tuple[str, ...] = (Step.CUSTOMER, Step.GATEWAY, Step.PBX, Step.CONNECT)
FORM_STEPS: dict[str, type[forms.Form]] = {
    Step.CUSTOMER: CustomerForm,
    Step.GATEWAY: GatewayForm,
    Step.PBX: PbxForm,
}
TITLES = {
    Step.CUSTOMER: _("Customer information"),
    Step.GATEWAY: _("Gateway"),
    Step.PBX: _("PBX"),
    Step.CONNECT: _("Connect"),
}
INTROS = {
    Step.CUSTOMER: _("Who the gateway is for, and whom to contact about it."),
    Step.GATEWAY: _("The gateway appliance and how it joins the customer's network."),
    Step.PBX: _("The PBX the gateway connects to over CSTA."),
    Step.CONNECT: _("The gateway connects to the PBX, starts a CSTA session and queries the switch."),
}


@dataclass(frozen=True)
class StepLink:
    key: str
    label: str
    number: int
    state: str  # "done", "current", "todo"
    reachable: bool


def index(step: str) -> int:
    return STEPS.index(step)


def next_step(step: str) -> str:
    return STEPS[min(index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    return STEPS[index(step) - 1] if index(step) > 0 else None


def furthest(setup: GatewaySetup | None) -> str:
    """The step the wizard resumes at."""
    return setup.step if setup is not None else Step.CUSTOMER


def reachable(setup: GatewaySetup | None, step: str) -> bool:
    return index(step) <= index(furthest(setup))


def progress(setup: GatewaySetup | None, current: str) -> list[StepLink]:
    """The step indicator: every step, done / current / todo, and whether it can be opened."""
    top = index(furthest(setup))
    return [
        StepLink(
            key=key,
            label=GatewaySetup.Step(key).label,
            number=n + 1,
            state="current" if key == current else ("done" if n < top else "todo"),
            reachable=n <= top,
        )
        for n, key in enumerate(STEPS)
    ]


def _account_customer(account: Account, actor: User) -> dict[str, Any]:
    values = {name: getattr(account, name) or "" for name in CUSTOMER_FIELDS}
    me = {"name": actor.display_name, "email": actor.email}
    if access.is_partner_admin(actor):
        contacts = [
            {"type": ContactType.MAINTAINER, **me},
            {"type": ContactType.ONSITE_ADMIN, "name": "", "email": ""},
        ]
    else:
        contacts = [
            {"type": ContactType.MAINTAINER, "name": "", "email": ""},
            {"type": ContactType.ONSITE_ADMIN, **me},
        ]
    return values | {"contacts": contacts}


def stored_values(setup: GatewaySetup | None, gateway: Gateway | None, step: str) -> dict[str, Any] | None:
    """What the step shows when opened: the wizard's data, else the configured gateway's."""
    if setup is not None and step in setup.data:
        return setup.data[step]
    if gateway is None:
        return None
    if step == Step.CUSTOMER:
        return gateway.customer or None
    if step == Step.GATEWAY:
        return {
            name: getattr(gateway, name) or "" for name in ("name", "serial_number", "mac_address", "network")
        } | {
            "ip_address": gateway.ip_address or "",
            "subnet_mask": gateway.subnet_mask or "",
            "default_gateway": gateway.default_gateway or "",
            "dns_servers": gateway.dns_servers,
            "internal_dns_server": gateway.internal_dns_server or "",
        }
    if step == Step.PBX and hasattr(gateway, "pbx"):
        pbx = gateway.pbx
        return {
            "type": pbx.type,
            "name": pbx.name,
            "host": pbx.host,
            "csta_port": pbx.csta_port,
            "csta_user": pbx.csta_user,
        }
    return None


def has_stored_password(setup: GatewaySetup | None, gateway: Gateway | None) -> bool:
    if setup is not None and setup.pbx_password:
        return True
    return bool(gateway is not None and hasattr(gateway, "pbx") and gateway.pbx.csta_password)


def step_form(
    step: str,
    *,
    account: Account,
    actor: User,
    setup: GatewaySetup | None,
    gateway: Gateway | None,
    data: Any = None,
    rows: int | None = None,
) -> forms.Form:
    """The step's Form, bound to ``data`` or with its initial values."""
    form_class = FORM_STEPS[step]
    kwargs: dict[str, Any] = {}
    if step == Step.PBX:
        kwargs["has_password"] = has_stored_password(setup, gateway)
    if step == Step.CUSTOMER:
        kwargs["rows"] = rows
    if data is not None:
        return form_class(data=data, **kwargs)
    values = stored_values(setup, gateway, step)
    if values is None and step == Step.CUSTOMER:
        values = _account_customer(account, actor)
    initial = form_class.initial_from(values) if values is not None else {}
    if step == Step.CUSTOMER and rows is None:
        kwargs["rows"] = initial.get("contact_rows")
    return form_class(initial=initial, **kwargs)
