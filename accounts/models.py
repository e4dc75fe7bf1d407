"""Accounts (partner and customer), their users, support contacts and the audit trail."""

import secrets
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.querysets import AccountQuerySet, AuditEventQuerySet, TenantOwnedQuerySet
from accounts.roles import USER_ROLES
from core.models import Job


def generate_account_number() -> str:
    """A random 9-digit number without a leading zero (CloudLink account numbers look like 327410625)."""
    return str(secrets.randbelow(900_000_000) + 100_000_000)


class Account(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner account")
        CUSTOMER = "customer", _("Customer account")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DEACTIVATED = "deactivated", _("Deactivated")

    class Language(models.TextChoices):
        EN_US = "en-US", _("English (US)")
        EN_GB = "en-GB", _("English (UK)")
        EN_CA = "en-CA", _("English (Canada)")
        FR_FR = "fr-FR", _("French (France)")
        FR_CA = "fr-CA", _("French (Canada)")
        DE_DE = "de-DE", _("German")
        ES_ES = "es-ES", _("Spanish")
        IT_IT = "it-IT", _("Italian")
        NL_NL = "nl-NL", _("Dutch")
        PT_BR = "pt-BR", _("Portuguese (Brazil)")
        SV_SE = "sv-SE", _("Swedish")

    class BusinessType(models.TextChoices):
        NOT_SPECIFIED = "", _("Not specified")
        EDUCATION = "education", _("Education")
        FINANCE = "finance", _("Finance and insurance")
        GOVERNMENT = "government", _("Government")
        HEALTHCARE = "healthcare", _("Healthcare")
        HOSPITALITY = "hospitality", _("Hospitality")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        PROFESSIONAL = "professional_services", _("Professional services")
        RETAIL = "retail", _("Retail")
        TECHNOLOGY = "technology", _("Technology")
        TRANSPORT = "transport", _("Transport and logistics")
        OTHER = "other", _("Other")

    account_id = models.UUIDField(_("Account ID"), default=uuid.uuid4, unique=True, editable=False)
    account_number = models.CharField(
        "Account number", max_length=9, unique=True, default=generate_account_number, editable=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="customers"
    )
    name = models.CharField(_("Customer name"), max_length=200)
    country = models.CharField(max_length=2)
    province_state = models.CharField(_("Province/State"), max_length=100, blank=True)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(_("City/Town"), max_length=100, blank=True)
    postal_code = models.CharField(_("Postal/ZIP code"), max_length=20, blank=True)
    default_language = models.CharField(max_length=10, choices=Language.choices, default=Language.EN_US)
    business_type = models.CharField(max_length=40, choices=BusinessType.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    pbx_type = models.CharField(_("PBX type"), max_length=60, blank=True)
    allow_guest_access = models.BooleanField(_("Allow Guest Access"), default=False)
    delegated_authentication = models.BooleanField(_("Delegated Authentication"), default=False)
    # Sign-in policy (docs/mfa.md): the account's admins must sign in with a second factor.
    admins_require_second_factor = models.BooleanField(_("Admins must use a second factor"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="account_number_is_nine_digits",
                condition=models.Q(account_number__regex=r"^[0-9]{9}$"),
            ),
            models.CheckConstraint(
                name="customer_has_partner_parent",
                condition=models.Q(kind="partner", parent__isnull=True)
                | models.Q(kind="customer", parent__isnull=False),
            ),
        ]
        indexes = [
            models.Index(Lower("name"), name="account_name_lower_idx"),
            # A partner's customers in the Accounts page's default order.
            models.Index("parent", Lower("name"), "id", name="account_parent_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_number})"

    @property
    def is_partner(self) -> bool:
        return self.kind == self.Kind.PARTNER

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def partner_id(self) -> int | None:
        return self.pk if self.is_partner else self.parent_id


MAX_SUPPORT_CONTACTS = 10  # per account, as on CloudLink's console


class SupportContact(models.Model):
    """An email address that receives the issue reports CloudLink apps send for the account
    (at most ``MAX_SUPPORT_CONTACTS`` per account: ``accounts.services`` keeps the rule)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="support_contacts")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "account", name="support_contact_unique_per_account")
        ]

    def __str__(self) -> str:
        return self.email


class UserManager(BaseUserManager.from_queryset(TenantOwnedQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, user_id):
        return self.get(user_id=user_id)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in exactly one account. Email is unique within the account, not globally."""

    # PARTNER_ADMIN, ACCOUNT_ADMIN, USER: the names live in accounts.roles, the rules in accounts.access.
    Role = models.TextChoices("Role", [(name, (name, label)) for name, label in USER_ROLES])

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        IMPORT = "import", _("Bulk import")
        PBX = "pbx", _("PBX")
        API = "api", _("API")

    user_id = models.UUIDField(_("User ID"), default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.USER)
    extension = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_registered = models.BooleanField(_("Registered"), default=False)
    email_verified = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(_("Platform operator"), default=False)
    # The console language the user reads (pages and emails); blank: their account's default language.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    # When every sign-in of the user was last ended (accounts.sign_ins.sign_ins_end).
    sign_ins_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    modified_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "user_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "account", name="user_email_unique_per_account")
        ]
        # The users collection and the Users page in their default order, read within one account.
        indexes = [models.Index("account", Lower("email"), "id", name="user_account_email_idx")]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return self.name or full or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.display_name

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret)

    def _session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password (a console session ends when it changes), plus the time
        the user's sign-ins were last revoked, so revoking them ends console sessions too. Users
        never revoked keep Django's own hash (no one is signed out by this code's arrival)."""
        value = self.password
        if self.sign_ins_revoked_at is not None:
            value = f"{value}:{self.sign_ins_revoked_at.isoformat()}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class AuditEvent(models.Model):
    """One admin-visible change, written in the same transaction as the change itself.

    ``account`` is nulled if the account is deleted later; ``account_ref`` and the
    snapshots keep the record readable for ever.
    """

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    account_ref = models.UUIDField(db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=255)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)
    mitel_app = models.CharField("x-mitel-app", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"], name="audit_account_recent_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        keys = sorted(set(self.before) | set(self.after))
        return [
            (k, self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        ]

    @property
    def action_label(self) -> str:
        from accounts.activity import action_label

        return action_label(self.action)

    @property
    def changes_text(self) -> list[tuple[str, str | None, str | None]]:
        """``changes`` as a person reads them: field labels, values as text (None: no such side)."""
        from accounts.activity import field_label, value_text

        return [
            (
                field_label(k),
                None if old is None else value_text(old),
                None if new is None else value_text(new),
            )
            for k, old, new in self.changes
        ]


class WelcomeLink(models.Model):
    """A single-use "Finish building your account" link. Only the token's SHA-256 is stored.

    A link stops working when it is used, expires, is superseded by a newer one, or its user is
    deleted (cascade)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="welcome_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"welcome link for {self.user_id}"


class UserImportJob(Job):
    """One CSV bulk import of users into an account: uploaded (preview), then run as a Celery job.

    The rows live in ``UserImportRow``; the counters say how far the job got. Running a job again
    only touches rows that have no outcome yet, which makes the job safe to retry or resume."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview"  # uploaded and validated, waiting for the admin to import
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="user_import_jobs")
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    correlation_id = models.CharField(max_length=128, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = TenantOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"import {self.job_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class UserImportRow(models.Model):
    """One data row of an import file as read, what was wrong with it, and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not imported yet")
        CREATED = "created", _("Created")
        SKIPPED = "skipped", _("Skipped")

    job = models.ForeignKey(UserImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text=_("The row in the spreadsheet (the header is row 1)."))
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    name = models.CharField(max_length=150, blank=True)
    email = models.CharField(max_length=254, blank=True)
    role_text = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=20, blank=True)
    errors = models.JSONField(default=list, blank=True)
    is_valid = models.BooleanField(default=True)  # no errors when the file was read
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint("job", "number", name="user_import_row_unique_number")]
        indexes = [
            models.Index(fields=["job", "outcome", "is_valid", "number"], name="user_import_row_todo_idx")
        ]

    def __str__(self) -> str:
        return f"row {self.number}: {self.email}"

    @property
    def display_name(self) -> str:
        return self.name or " ".join(part for part in (self.first_name, self.last_name) if part)
