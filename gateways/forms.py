"""The wizard's step forms and the SIP trunk form: shape and address validation only (the rules that
change an account live in ``gateways.services``). The API binds the same forms (``gateways.api``), so a
value the console refuses is refused by the API with the same message.

Each step form's ``values()`` is what the wizard stores (JSON, never a secret) and what the services
apply; ``initial_from(values)`` turns stored values back into initial data.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from cryptography import x509
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Account
from core import netpolicy
from gateways.models import PBX_CSTA_PORTS, PBX_NEEDS_CREDENTIALS, Gateway, PbxType, SipTrunk

DEFAULT_DNS_SERVERS = ("8.8.8.8", "8.8.4.4")
DEFAULT_GATEWAY_USERNAME = "officelinkmxone"
SIP_PORTS = {"tcp": 5060, "udp": 5060, "tls": 5061}
KEEP_SECRET_HELP = _("Leave blank to keep the current password.")

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,30}[A-Z0-9]$")
_MAC_DIGITS = re.compile(r"^[0-9A-F]{12}$")
_PBX_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9]{3,20}$")


# --- field validators ------------------------------------------------------------------------------


def ipv4(value: str, subnet_mask: bool = False) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(value.strip())
    except ValueError:
        if subnet_mask:
            message = _("“%(value)s” is not a valid IPv4 subnet mask (e.g. 192.168.1.10).")
        else:
            message = _("“%(value)s” is not a valid IPv4 address (e.g. 192.168.1.10).")
        raise forms.ValidationError(message % {"value": value}) from None


def is_host_name(value: str) -> bool:
    name = value.rstrip(".")
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    return all(_HOST_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def clean_host(value: str) -> str:
    """An IP address (v4 or v6) or a DNS host name."""
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", value) or not is_host_name(value):
        raise forms.ValidationError(
            _("“%(value)s” is neither an IP address nor a valid host name.") % {"value": value}
        )
    return value.rstrip(".").lower()


def clean_mac(value: str) -> str:
    digits = re.sub(r"[:\-.]", "", value.strip().upper())
    if not _MAC_DIGITS.match(digits):
        raise forms.ValidationError(
            _("Enter the MAC address as six pairs of hex digits, e.g. 00:1B:44:11:3A:B7.")
        )
    if int(digits[:2], 16) & 1 or digits in ("000000000000", "FFFFFFFFFFFF"):
        raise forms.ValidationError(
            _("That is not a device MAC address (it is broadcast, multicast or zero).")
        )
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def clean_serial(value: str) -> str:
    serial = value.strip().upper()
    if not _SERIAL.match(serial):
        raise forms.ValidationError(
            _(
                "Enter the serial number as printed on the gateway: 6 to 32 letters and digits (dashes allowed)."
            )
        )
    return serial


def netmask_prefix(value: str) -> int:
    """The prefix length of a dotted subnet mask; refuses non-contiguous masks and /0, /31, /32."""
    mask = int(ipv4(value, subnet_mask=True))
    prefix = bin(mask).count("1")
    if mask != (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF or not 1 <= prefix <= 30:
        raise forms.ValidationError(
            _("“%(value)s” is not a usable subnet mask (e.g. 255.255.255.0).") % {"value": value}
        )
    return prefix


class HostField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 253)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_host(value) if value else value


class IPv4Field(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 15)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return str(ipv4(value)) if value else value


def secret_input() -> forms.PasswordInput:
    # render_value=False: a stored or typed secret never goes back to the browser.
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


# --- Customer step ----------------------------------------------------------------------------------

CUSTOMER_FIELDS = ("name", "address", "city", "province_state", "postal_code", "country", "business_type")
MAX_CONTACTS = 10


class ContactType:
    MAINTAINER = "maintainer"
    ONSITE_ADMIN = "onsite_admin"
    OTHER = "other"
    CHOICES = [(MAINTAINER, _("Maintainer")), (ONSITE_ADMIN, _("Onsite Admin")), (OTHER, _("Other"))]
    LABELS = dict(CHOICES)


class CustomerForm(forms.Form):
    """The customer's mandatory details and its admin and support contacts (Maintainer / Onsite Admin /
    Other, with name and email): at least one Maintainer and one Onsite Admin.

    Contacts are rows ``contact-<n>-type|name|email``; ``contact_rows`` says how many the page shows (the
    "Add a contact" button re-renders the form with one more). ``values()["contacts"]`` is the list."""

    name = forms.CharField(label=_("Customer name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=255)
    city = forms.CharField(label=_("City/Town"), max_length=100)
    province_state = forms.CharField(label=_("Province/State"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal/ZIP code"), max_length=20)
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("Select a country")), *countries])
    business_type = forms.ChoiceField(
        label=_("Business type"),
        choices=[("", _("Select a business type")), *Account.BusinessType.choices[1:]],
    )
    contact_rows = forms.IntegerField(
        min_value=1, max_value=MAX_CONTACTS, widget=forms.HiddenInput, initial=2
    )

    def __init__(self, *args, rows: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = max(1, min(MAX_CONTACTS, rows or self._rows_from_data() or 2))
        self.fields["contact_rows"].initial = self.rows
        if not self.is_bound:
            self.initial["contact_rows"] = self.rows
        for n in range(self.rows):
            self.fields[f"contact-{n}-type"] = forms.ChoiceField(
                label=_("Type"), choices=[("", _("Type")), *ContactType.CHOICES], required=False
            )
            self.fields[f"contact-{n}-name"] = forms.CharField(
                label=_("Name"), max_length=100, required=False
            )
            self.fields[f"contact-{n}-email"] = forms.EmailField(label=_("Email"), required=False)
        self.fields["name"].widget.attrs.update({"autocomplete": "organization"})
        self.fields["address"].widget.attrs.update({"autocomplete": "street-address"})

    def _rows_from_data(self) -> int:
        try:
            return int(self.data.get("contact_rows") or 0)
        except (TypeError, ValueError):
            return 0

    @property
    def contacts_table(self) -> list[dict[str, forms.BoundField]]:
        return [
            {part: self[f"contact-{n}-{part}"] for part in ("type", "name", "email")} | {"n": n}
            for n in range(self.rows)
        ]

    def clean(self):
        data = super().clean()
        contacts = []
        for n in range(self.rows):
            row = {part: data.get(f"contact-{n}-{part}") or "" for part in ("type", "name", "email")}
            if not any(row.values()):
                continue
            for part, message in (
                ("type", _("Choose the contact's type.")),
                ("name", _("Enter the contact's name.")),
                ("email", _("Enter the contact's email.")),
            ):
                if not row[part] and f"contact-{n}-{part}" not in self.errors:
                    self.add_error(f"contact-{n}-{part}", message)
            contacts.append(row)
        types = {row["type"] for row in contacts}
        missing = [
            label
            for key, label in (
                (ContactType.MAINTAINER, _("Maintainer")),
                (ContactType.ONSITE_ADMIN, _("Onsite Admin")),
            )
            if key not in types
        ]
        if missing:
            self.add_error(
                None,
                _("Add at least one Maintainer and one Onsite Admin contact (missing: %(missing)s).")
                % {"missing": ", ".join(str(label) for label in missing)},
            )
        data["contacts"] = contacts
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS} | {
            "contacts": self.cleaned_data["contacts"]
        }

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        initial = {name: values.get(name, "") for name in CUSTOMER_FIELDS}
        contacts = values.get("contacts") or []
        for n, contact in enumerate(contacts):
            for part in ("type", "name", "email"):
                initial[f"contact-{n}-{part}"] = contact.get(part, "")
        initial["contact_rows"] = max(2, len(contacts))
        return initial

    @staticmethod
    def data_from(values: dict[str, Any]) -> dict[str, Any]:
        """Form data (to bind) from stored or API values."""
        data = CustomerForm.initial_from(values)
        data["contact_rows"] = max(1, min(MAX_CONTACTS, len(values.get("contacts") or []) or 1))
        return data


# --- Gateway step ------------------------------------------------------------------------------------

GATEWAY_FIELDS = (
    "name",
    "serial_number",
    "mac_address",
    "network",
    "ip_address",
    "subnet_mask",
    "default_gateway",
)

STATIC_FIELDS = ("ip_address", "subnet_mask", "default_gateway")


class GatewayForm(forms.Form):
    name = forms.CharField(
        label=_("Gateway name"), max_length=100, help_text=_("e.g. the site: “Stockholm office”.")
    )
    serial_number = forms.CharField(
        label=_("Serial number"),
        max_length=40,
        required=False,
        help_text=_("Printed on the gateway's label."),
    )
    mac_address = forms.CharField(
        label=_("MAC address"),
        max_length=17,
        required=False,
        help_text=_("Enter the serial number, the MAC address or both."),
    )
    network = forms.ChoiceField(
        label=_("Network"),
        choices=Gateway.Network.choices,
        initial=Gateway.Network.STATIC,
        widget=forms.RadioSelect,
    )
    ip_address = IPv4Field(label=_("IP address"), required=False)
    subnet_mask = IPv4Field(label=_("Subnet mask"), required=False, help_text=_("e.g. 255.255.255.0"))
    default_gateway = IPv4Field(label=_("Default gateway"), required=False)
    dns_primary = IPv4Field(label=_("Primary DNS server"), initial=DEFAULT_DNS_SERVERS[0])
    dns_secondary = IPv4Field(label=_("Secondary DNS server"), required=False, initial=DEFAULT_DNS_SERVERS[1])
    internal_dns_server = IPv4Field(
        label=_("Internal DNS server"),
        required=False,
        help_text=_("Add your own DNS server if the PBX is reached by a host name only it resolves."),
    )

    def clean_serial_number(self) -> str:
        value = self.cleaned_data["serial_number"]
        return clean_serial(value) if value.strip() else ""

    def clean_mac_address(self) -> str:
        value = self.cleaned_data["mac_address"]
        return clean_mac(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if (
            not data.get("serial_number")
            and not data.get("mac_address")
            and not ({"serial_number", "mac_address"} & set(self.errors))
        ):
            self.add_error("serial_number", _("Enter the gateway's serial number or its MAC address."))
        if data.get("network") == Gateway.Network.STATIC:
            self._clean_static(data)
        else:
            # The static block is hidden when DHCP is chosen: what it still holds is dropped, never
            # validated, so no error can block the step out of the user's sight.
            for name in STATIC_FIELDS:
                self.errors.pop(name, None)
                data[name] = ""
        return data

    def _clean_static(self, data: dict) -> None:
        for name, message in (
            ("ip_address", _("A static network needs the IP address.")),
            ("subnet_mask", _("A static network needs the subnet mask.")),
            ("default_gateway", _("A static network needs the default gateway.")),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if self.errors.keys() & {"ip_address", "subnet_mask", "default_gateway"}:
            return
        try:
            prefix = netmask_prefix(data["subnet_mask"])
        except forms.ValidationError as exc:
            self.add_error("subnet_mask", exc)
            return
        network = ipaddress.IPv4Network(f"{data['ip_address']}/{prefix}", strict=False)
        ip, router = ipaddress.IPv4Address(data["ip_address"]), ipaddress.IPv4Address(data["default_gateway"])
        reserved = {
            network.network_address: _("%(address)s is the network address of %(network)s."),
            network.broadcast_address: _("%(address)s is the broadcast address of %(network)s."),
        }
        if ip in reserved:
            self.add_error(
                "ip_address",
                _("%(reserved)s Pick a host address.")
                % {"reserved": reserved[ip] % {"address": ip, "network": network}},
            )
        if router not in network:
            self.add_error(
                "default_gateway",
                _("The default gateway %(router)s is not in the gateway's subnet %(network)s.")
                % {"router": router, "network": network},
            )
        elif router in reserved:
            self.add_error("default_gateway", reserved[router] % {"address": router, "network": network})
        elif router == ip:
            self.add_error(
                "default_gateway", _("The default gateway cannot be the gateway's own IP address.")
            )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        dns = [server for server in (data["dns_primary"], data.get("dns_secondary")) if server]
        return {name: data.get(name) or "" for name in GATEWAY_FIELDS} | {
            "dns_servers": dns,
            "internal_dns_server": data.get("internal_dns_server") or "",
        }

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        initial = {name: values.get(name) or "" for name in GATEWAY_FIELDS}
        dns = list(values.get("dns_servers") or DEFAULT_DNS_SERVERS)
        initial |= {
            "dns_primary": dns[0] if dns else "",
            "dns_secondary": dns[1] if len(dns) > 1 else "",
            "internal_dns_server": values.get("internal_dns_server") or "",
        }
        initial["network"] = initial["network"] or Gateway.Network.STATIC
        return initial

    data_from = initial_from


# --- PBX step ----------------------------------------------------------------------------------------

PBX_FIELDS = ("type", "name", "host", "csta_port", "csta_user", "csta_tls", "csta_tls_certificate")


class PbxForm(forms.Form):
    """The PBX: type, name (its PBX ID), address, CSTA port (blank: the type's default) and the CSTA
    user's credentials where the type needs them. ``has_password``: a password is stored already, so a
    blank one keeps it."""

    type = forms.ChoiceField(label=_("PBX type"), choices=[("", _("Select the PBX type")), *PbxType.choices])
    name = forms.CharField(
        label=_("PBX name"),
        max_length=64,
        help_text=_("Used as the PBX ID: letters, digits, dots, dashes and underscores."),
    )
    host = HostField(label=_("IP address or host name"))
    csta_port = forms.IntegerField(
        label=_("CSTA port"),
        min_value=1,
        max_value=65535,
        required=False,
        help_text=_("Prefilled with the PBX type's default; leave blank to use it."),
    )
    csta_user = forms.CharField(label=_("CSTA user name"), max_length=100, required=False)
    csta_password = forms.CharField(
        label=_("CSTA password"), max_length=200, required=False, widget=secret_input()
    )
    csta_tls = forms.BooleanField(
        label=_("CSTA over TLS"), required=False, help_text=_("MX-ONE serves CSTA XML over TLS on port 8883.")
    )
    csta_tls_certificate = forms.CharField(
        label=_("PBX certificate or CA (PEM)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("The PBX's own certificate or the CA that signed it. Blank: the system's trusted CAs."),
    )

    def __init__(self, *args, has_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_password = has_password
        self.fields["type"].widget.attrs["data-csta-ports"] = ",".join(
            f"{key}:{port}" for key, port in PBX_CSTA_PORTS.items()
        )
        self.fields["csta_user"].help_text = _(
            "The PBX user the gateway signs in with (MX-ONE, MiVoice Business, MiVoice Office 400, MiVoice 5000)."
        )
        if has_password:
            self.fields["csta_password"].help_text = KEEP_SECRET_HELP

    def clean_host(self) -> str:
        host = self.cleaned_data["host"]
        try:
            netpolicy.literal_check(host, netpolicy.pbx_policy())
        except netpolicy.AddressRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return host

    def clean_csta_tls_certificate(self) -> str:
        pem = self.cleaned_data.get("csta_tls_certificate", "").strip()
        if pem:
            try:
                x509.load_pem_x509_certificates(pem.encode())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Paste a PEM certificate (-----BEGIN CERTIFICATE----- ...).")
                ) from exc
        return pem

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not _PBX_NAME.match(name):
            raise forms.ValidationError(_("Use letters, digits, dots, dashes and underscores (at most 64)."))
        return name

    def clean(self):
        data = super().clean()
        pbx_type = data.get("type")
        if pbx_type and not data.get("csta_port") and "csta_port" not in self.errors:
            data["csta_port"] = PBX_CSTA_PORTS[pbx_type]
        if pbx_type in PBX_NEEDS_CREDENTIALS:
            label = PbxType(pbx_type).label
            if not data.get("csta_user"):
                self.add_error(
                    "csta_user",
                    _("%(pbx_type)s needs the CSTA user name the gateway signs in with.")
                    % {"pbx_type": label},
                )
            if not data.get("csta_password") and not self.has_password:
                self.add_error(
                    "csta_password", _("%(pbx_type)s needs the CSTA user's password.") % {"pbx_type": label}
                )
        return data

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) or "" for name in PBX_FIELDS}
        values["csta_tls"] = bool(self.cleaned_data.get("csta_tls"))
        return values

    @property
    def password(self) -> str:
        """The typed password, or "" to keep the stored one."""
        return self.cleaned_data.get("csta_password") or ""

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        return {name: values.get(name, "") for name in PBX_FIELDS}

    data_from = initial_from


# --- SIP trunk ----------------------------------------------------------------------------------------

TRUNK_FIELDS = (
    "address",
    "port",
    "transport",
    "description",
    "pbx_username",
    "gateway_username",
    "gsm_deploy_number",
)
TRUNK_SECRETS = ("pbx_password", "gateway_password")


class SipTrunkForm(forms.Form):
    address = HostField(label=_("Gateway IP address or FQDN"), required=False)
    transport = forms.ChoiceField(
        label=_("Transport"), choices=SipTrunk.Transport.choices, initial=SipTrunk.Transport.TCP
    )
    port = forms.IntegerField(
        label=_("SIP port"),
        min_value=1,
        max_value=65535,
        required=False,
        help_text=_("5060 for TCP and UDP, 5061 for TLS; leave blank for the transport's default."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    pbx_username = forms.CharField(label=_("PBX user name"), max_length=100, required=False)
    pbx_password = forms.CharField(
        label=_("PBX password"), max_length=200, required=False, widget=secret_input()
    )
    gateway_username = forms.CharField(
        label=_("Gateway user name"), max_length=100, required=False, initial=DEFAULT_GATEWAY_USERNAME
    )
    gateway_password = forms.CharField(
        label=_("Gateway password"), max_length=200, required=False, widget=secret_input()
    )
    gsm_deploy_number = forms.CharField(
        label=_("GSM call-through deploy number"),
        max_length=21,
        required=False,
        help_text=_("The number mobile users call through, digits with an optional leading +."),
    )

    def __init__(self, *args, has_secrets: tuple[bool, bool] = (False, False), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transport"].widget.attrs["data-sip-ports"] = ",".join(
            f"{k}:{v}" for k, v in SIP_PORTS.items()
        )
        for name, stored in zip(TRUNK_SECRETS, has_secrets, strict=True):
            if stored:
                self.fields[name].help_text = KEEP_SECRET_HELP

    def clean_gsm_deploy_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["gsm_deploy_number"])
        if number and not _PHONE.match(number):
            raise forms.ValidationError(_("Enter digits only, with an optional leading +."))
        return number

    def clean(self):
        data = super().clean()
        if data.get("transport") and not data.get("port") and "port" not in self.errors:
            data["port"] = SIP_PORTS[data["transport"]]
        data["gateway_username"] = data.get("gateway_username") or DEFAULT_GATEWAY_USERNAME
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in TRUNK_FIELDS}

    def secrets(self) -> dict[str, str]:
        """The typed passwords; a blank one is left out (keep the stored one)."""
        return {name: self.cleaned_data[name] for name in TRUNK_SECRETS if self.cleaned_data.get(name)}

    @staticmethod
    def initial_from(trunk: SipTrunk) -> dict[str, Any]:
        return {name: getattr(trunk, name) for name in TRUNK_FIELDS}
