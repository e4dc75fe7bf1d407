"""Shared helpers of the third-party application tests."""

from __future__ import annotations

from accounts.models import User
from oauth.applications import services
from oauth.models import Application
from tests.accounts.factories import UserFactory


def register(actor: User, **fields) -> Application:
    params = {
        "name": "Route Planner",
        "contact_email": "dev@acme.example",
        "mitel_app": "RoutePlanner",
        "description": "Plans routes",
        "redirect_uris": ["https://planner.example/callback"],
        "client_type": Application.ClientType.CONFIDENTIAL,
    }
    return services.application_register(actor=actor, partner=actor.account, **(params | fields))


def approved(actor: User, **fields) -> tuple[Application, str | None]:
    """A registered and approved application (by the approveapp path) and its secret."""
    return services.application_approve(actor=None, application=register(actor, **fields))


def operator(account) -> User:
    """The platform operator (Django staff) signed in from ``account``; the same one when asked again."""
    email = "ops@platform.example"
    existing = User.objects.filter(account=account, email=email).first()
    return existing or UserFactory(account=account, role=User.Role.USER, email=email, is_staff=True)
