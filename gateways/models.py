"""A customer account's CloudLink Gateway, its PBX and SIP trunk, the setup wizard's state, and the
connect / re-check jobs.

One gateway per customer account and one PBX per gateway are database constraints (one-to-one
fields). Secrets (the PBX's CSTA password, the trunk passwords) are stored here and only here,
encrypted (``EncryptedTextField``, PORTAL_ENCRYPTION_KEYS): forms never render them back, the API
never returns them, the audit trail never records them.
Every change goes through ``gateways.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.querysets import TenantOwnedQuerySet
from core.fields import EncryptedTextField
from core.models import Job
from gateways.pbx import csta


class PbxType(models.TextChoices):
    MX_ONE = "mx-one", "MiVoice MX-ONE"
    MIVOICE_BUSINESS = "mivoice-business", "MiVoice Business"
    MIVOICE_OFFICE_400 = "mivoice-office-400", "MiVoice Office 400"
    MIVOICE_5000 = "mivoice-5000", "MiVoice 5000"
    MIVOICE_OFFICE_250 = "mivoice-office-250", "MiVoice Office 250"


# The CSTA port the wizard prefills per PBX type, and whether the type needs CSTA user credentials.
# Sources and assumptions: docs/gateway.md section 3.
PBX_CSTA_PORTS: dict[str, int] = {
    PbxType.MX_ONE: csta.MXONE_CSTA_XML_PORT,
    PbxType.MIVOICE_BUSINESS: csta.MXONE_CSTA_XML_PORT,  # assumption (docs/gateway.md)
    PbxType.MIVOICE_OFFICE_400: csta.MIVOICE_OFFICE_400_CSTA_PORT,
    PbxType.MIVOICE_5000: csta.MXONE_CSTA_XML_PORT,  # assumption
    PbxType.MIVOICE_OFFICE_250: csta.MXONE_CSTA_XML_PORT,  # assumption
}
PBX_NEEDS_CREDENTIALS = frozenset(
    {PbxType.MX_ONE, PbxType.MIVOICE_BUSINESS, PbxType.MIVOICE_OFFICE_400, PbxType.MIVOICE_5000}
)


class GatewaySetup(models.Model):
    """The setup wizard of one account: the step to resume at and the validated data of each step.

    ``data`` holds ``{"customer": {...}, "gateway": {...}, "pbx": {...}}`` (JSON, no secrets);
    ``pbx_password`` the CSTA password typed in the PBX step until Connect copies it to the PBX."""

    class Step(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        GATEWAY = "gateway", _("Gateway")
        PBX = "pbx", "PBX"
        CONNECT = "connect", _("Connect")

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="gateway_setup")
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.CUSTOMER)
    data = models.JSONField(default=dict, blank=True)
    pbx_password = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Gateway setup of {self.account} ({self.step})"


class Gateway(models.Model):
    class Network(models.TextChoices):
        DHCP = "dhcp", "DHCP"
        STATIC = "static", _("Static")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not connected yet")
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="gateway")
    name = models.CharField(max_length=100)
    serial_number = models.CharField(max_length=40, blank=True)
    mac_address = models.CharField("MAC address", max_length=17, blank=True)
    network = models.CharField(max_length=10, choices=Network.choices, default=Network.DHCP)
    ip_address = models.GenericIPAddressField("IP address", protocol="IPv4", null=True, blank=True)
    subnet_mask = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    default_gateway = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    dns_servers = models.JSONField(default=list, blank=True)
    internal_dns_server = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    # The Customer step: the customer details and the admin/support contacts, as entered.
    customer = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    monitored = models.BooleanField(
        default=False, help_text="Re-checked periodically: on after a connect, off after Disconnect."
    )
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=30, blank=True)
    last_error = models.TextField(blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="gateway_serial_or_mac",
                condition=~models.Q(serial_number="", mac_address=""),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Pbx(models.Model):
    """The one PBX behind a gateway, reached over CSTA at ``host:csta_port``."""

    gateway = models.OneToOneField(Gateway, on_delete=models.CASCADE, related_name="pbx")
    type = models.CharField(max_length=30, choices=PbxType.choices)
    name = models.CharField("PBX name", max_length=64, help_text="Used as the PBX ID.")
    host = models.CharField("IP address or host name", max_length=253)
    csta_port = models.PositiveIntegerField("CSTA port")
    csta_user = models.CharField("CSTA user name", max_length=100, blank=True)
    csta_password = EncryptedTextField("CSTA password", blank=True)
    csta_tls = models.BooleanField(
        "CSTA over TLS", default=False, help_text="MX-ONE serves CSTA XML over TLS on 8883 (docs/csta.md)."
    )
    csta_tls_certificate = models.TextField(
        "PBX certificate or CA (PEM)",
        blank=True,
        help_text="Trusted for the TLS connection: the PBX's own certificate or the CA that signed it. "
        "Blank: the system's trusted CAs.",
    )
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.name}"


class SipTrunk(models.Model):
    """What the MX-ONE side of the SIP trunk to the gateway needs (the gateway page's SIP trunk section)."""

    class Transport(models.TextChoices):
        TCP = "tcp", "TCP"
        UDP = "udp", "UDP"
        TLS = "tls", "TLS"

    gateway = models.OneToOneField(Gateway, on_delete=models.CASCADE, related_name="trunk")
    address = models.CharField("Gateway IP address or FQDN", max_length=253, blank=True)
    port = models.PositiveIntegerField("SIP port", default=5060)
    transport = models.CharField(max_length=3, choices=Transport.choices, default=Transport.TCP)
    description = models.CharField(max_length=200, blank=True)
    pbx_username = models.CharField("PBX user name", max_length=100, blank=True)
    pbx_password = EncryptedTextField("PBX password", blank=True)
    gateway_username = models.CharField("Gateway user name", max_length=100, default="officelinkmxone")
    gateway_password = EncryptedTextField("Gateway password", blank=True)
    gsm_deploy_number = models.CharField("GSM call-through deploy number", max_length=32, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SIP trunk of {self.gateway}"


class ConnectJob(Job):
    """One connect (or re-check) of a gateway's PBX: the row the Connect step polls."""

    class Kind(models.TextChoices):
        CONNECT = "connect", _("Connect")
        RECHECK = "recheck", _("Re-check")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        CONNECTED = "connected", _("Connected")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        CONNECTING = "connecting", _("Opening a TCP connection to the PBX")
        SESSION = "session", _("Starting the CSTA application session")
        STATUS = "status", _("Querying the switch's system status")
        CLOSING = "closing", _("Closing the session")
        DONE = "done", _("Done")

    FINISHED = (Status.CONNECTED, Status.FAILED)
    STEP_PERCENT = {"queued": 5, "connecting": 25, "session": 50, "status": 75, "closing": 90, "done": 100}

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="gateway_jobs")
    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CONNECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.QUEUED)
    log = models.JSONField(default=list, blank=True)  # [{"step": ..., "at": iso}]
    target = models.CharField(max_length=270, blank=True)  # host:port checked
    error_code = models.CharField(max_length=30, blank=True)
    protocol_version = models.CharField(max_length=120, blank=True)

    objects = TenantOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.job_id} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if self.is_finished else self.STEP_PERCENT.get(self.step, 0)

    @property
    def steps(self) -> list[dict]:
        """The steps for the progress list: label and state (done, current, failed, todo)."""
        order = ["connecting", "session", "status", "closing"]
        reached = (
            order.index(self.step) if self.step in order else (len(order) if self.step == "done" else -1)
        )
        rows = []
        for index, key in enumerate(order):
            if self.status == self.Status.CONNECTED or index < reached:
                state = "done"
            elif index == reached:
                state = "failed" if self.status == self.Status.FAILED else "current"
            else:
                state = "todo"
            rows.append({"key": key, "label": self.Step(key).label, "state": state})
        return rows
