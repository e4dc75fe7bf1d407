"""Scoped reads of third-party applications, shared by the Developer and operator pages, the
Third party tab of the integrations catalogue and the Authentication API's /applications routes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User
from core.db import unique_row
from oauth.models import Application, ApplicationDeployment

USAGE_WINDOWS = (7, 30)  # days of request counts shown to the partner


def _with_usage(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``requests_7d`` and ``requests_30d`` (today included) from ApplicationUsage."""
    today = timezone.localdate()
    annotations = {
        f"requests_{days}d": Sum(
            "usage__requests",
            filter=Q(usage__day__gt=today - dt.timedelta(days=days)),
            default=0,
        )
        for days in USAGE_WINDOWS
    }
    return queryset.annotate(**annotations)


def owned_application_list(*, account: Account) -> QuerySet[Application]:
    """Applications registered by ``account`` (a partner), for callers that already resolved the
    account inside the actor's scope (the Developer page, the API's /apps and /applications/{id})."""
    return Application.objects.select_related("owner", "created_by", "reviewed_by").filter(owner=account)


def owned_application_get(*, account: Account, ref: str) -> Application | None:
    """One of ``account``'s registrations by client ID, or by registration number (pending apps
    have no client ID yet)."""
    apps = owned_application_list(account=account)
    app = apps.filter(client_id=ref).first()
    if app is None and ref.isdigit() and len(ref) < 19:
        app = apps.filter(pk=int(ref)).first()
    return app


def developer_application_list(*, actor: User, partner: Account) -> QuerySet[Application]:
    """The partner's own applications with their request counts (the Developer page)."""
    access.require(actor, Capability.MANAGE_APPLICATIONS, partner)
    return _with_usage(owned_application_list(account=partner)).order_by("-created_at", "-pk")


def developer_application_get_or_404(*, actor: User, partner: Account, pk: int) -> Application:
    """One of the partner's applications; another partner's is 404."""
    app = developer_application_list(actor=actor, partner=partner).filter(pk=pk).first()
    if app is None:
        raise Http404("No such application.")
    return app


def operator_application_list(*, actor: User) -> QuerySet[Application]:
    """Every application, pending first (oldest first), then the rest by name (the operator page)."""
    access.require_operator(actor)
    pending_first = Case(
        When(status=Application.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return _with_usage(Application.objects.select_related("owner", "created_by")).order_by(
        pending_first, "created_at", "pk"
    )


def operator_application_get_or_404(*, actor: User, pk: int) -> Application:
    access.require_operator(actor)
    app = Application.objects.select_related("owner").filter(pk=pk).first()
    if app is None:
        raise Http404("No such application.")
    return app


def deployable_application_list(*, actor: User, account: Account) -> list[tuple[Application, bool]]:
    """Approved applications (of any partner: an approved application is available platform-wide)
    with whether each is already deployed in ``account`` (the Third party tab)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    deployed = set(
        ApplicationDeployment.objects.filter(account=account).values_list("application_id", flat=True)
    )
    apps = Application.objects.filter(status=Application.Status.APPROVED).order_by("name", "pk")
    return [(app, app.pk in deployed) for app in apps]


def deployable_application_get_or_404(*, actor: User, account: Account, pk: int) -> Application:
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    app = Application.objects.filter(pk=pk, status=Application.Status.APPROVED).first()
    if app is None:
        raise Http404("No such approved application.")
    return app


def deployment_list(*, account: Account) -> QuerySet[ApplicationDeployment]:
    """The applications deployed in ``account`` (the panel's cards, GET /apps). The caller has
    already resolved ``account`` through ``accounts.access``."""
    return ApplicationDeployment.objects.for_account(account).select_related(
        "application", "application__owner", "account", "account__parent"
    )


def application_by_client_id(client_id: str) -> Application | None:
    """Any application with this client ID (approved or blocked since); None for unknown."""
    if not client_id:
        return None
    return Application.objects.select_related("owner").filter(client_id=client_id).first()


# --- is a token's application still good? (checked on every request and refresh) ---------------


def deployment_active(app, account: Account):
    """The application's active deployment in the account, or None."""
    return unique_row(
        ApplicationDeployment.objects.filter(application=app, account=account, active=True).select_related(
            "account"
        )
    )


def application_token_problem(client_id: str, account: Account) -> str | None:
    """Why tokens issued to this application's client no longer work in ``account`` (it is
    unknown, deleted, not approved, or not active there), or None."""
    app = unique_row(Application.objects.filter(client_id=client_id or "").only("pk", "status"))
    if app is None or app.status != Application.Status.APPROVED:
        return "The application behind this token is no longer approved."
    if deployment_active(app, account) is None:
        return "The application behind this token is no longer active in this account."
    return None


def deployment_role(client_id: str, account: Account | None) -> str:
    """The role the application's active deployment in ``account`` gives its own token (USER or
    ACCOUNT_ADMIN); "" when it is not active there."""
    if account is None or not client_id:
        return ""
    role = ApplicationDeployment.objects.filter(
        application__client_id=client_id,
        application__status=Application.Status.APPROVED,
        account=account,
        active=True,
    ).values_list("role", flat=True)
    return unique_row(role) or ""
