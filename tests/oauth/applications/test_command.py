"""``manage.py approveapp``: approves by registration number, x-mitel-app name or client ID and
prints a confidential client's secret once."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from oauth.applications import services
from oauth.models import Application
from tests.oauth.applications.helpers import operator, register


def approveapp(ref: str) -> str:
    out = io.StringIO()
    call_command("approveapp", ref, stdout=out)
    return out.getvalue()


def test_approving_a_pending_application_by_its_number_prints_the_secret_once(partner_admin):
    app = register(partner_admin)
    output = approveapp(str(app.pk))
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    assert f"Client ID: {app.client_id}" in output
    secret = re.search(r"Client secret: (\S+)", output).group(1)
    assert services.application_secret_verify(app, secret)


def test_approving_by_x_mitel_app_name(partner_admin):
    register(partner_admin, client_type=Application.ClientType.PUBLIC)
    output = approveapp("ROUTEPLANNER")
    assert "Approved Route Planner" in output
    assert "Client secret" not in output


def test_a_name_several_pending_registrations_share_needs_the_number(partner_admin, other_partner_admin):
    register(partner_admin)
    register(other_partner_admin, name="Copy", mitel_app="routeplanner")

    with pytest.raises(CommandError, match="registration number"):
        approveapp("RoutePlanner")

    assert not Application.objects.filter(status=Application.Status.APPROVED).exists()


def test_reapproving_a_blocked_application_by_client_id_keeps_its_secret(partner_admin, partner):
    app = register(partner_admin)
    first = approveapp(str(app.pk))
    app.refresh_from_db()
    services.application_block(actor=operator(partner), application=app)
    output = approveapp(app.client_id)
    assert "unchanged" in output
    secret = re.search(r"Client secret: (\S+)", first).group(1)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED and services.application_secret_verify(app, secret)


def test_unknown_or_already_approved_applications_are_errors(partner_admin):
    with pytest.raises(CommandError, match="No application"):
        approveapp("nope")
    app = register(partner_admin)
    approveapp(str(app.pk))
    with pytest.raises(CommandError, match="already approved"):
        approveapp(str(app.pk))
