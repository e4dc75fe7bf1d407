"""The setup wizard's services: store each step's values, and Connect.

The wizard's state is a ``GatewaySetup`` row: each step's validated values, and the step to
resume at. Connect applies the wizard's values to the gateway and its PBX and starts a connect job.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from gateways import wizard
from gateways.models import ConnectJob, GatewaySetup
from gateways.services.connect import connect_job_start
from gateways.services.gateway import gateway_save, lock_account, pbx_save, require_manager


@transaction.atomic
def gateway_setup_step_submit(
    *, actor: User, account: Account, step: str, values: dict[str, Any], pbx_password: str = ""
) -> GatewaySetup:
    """Store one step's validated values (a step form's ``values()``) and move the wizard on.

    The wizard resumes at the furthest step reached; a step can be submitted again once reached."""
    require_manager(actor, account)
    lock_account(account)
    if step not in wizard.FORM_STEPS:
        raise ValidationError(
            _("“%(step)s” is not a step with values.") % {"step": step}, code="invalid_step"
        )
    setup = GatewaySetup.objects.filter(account=account).first()
    if not wizard.reachable(setup, step):
        raise ValidationError(_("Complete the earlier steps first."), code="step_not_reached")
    created = setup is None
    if created:
        setup = GatewaySetup(account=account, created_by=actor)
    setup.data = {**setup.data, step: values}
    if step == GatewaySetup.Step.PBX and pbx_password:
        setup.pbx_password = pbx_password
    following = wizard.next_step(step)
    if wizard.index(following) > wizard.index(setup.step):
        setup.step = following
    setup.modified_by = actor
    setup.save()
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.GATEWAY_SETUP_STEP_SAVED,
        target=setup,
        after={"step": step, "values": values, "resume_at": setup.step},
    )
    return setup


@transaction.atomic
def gateway_setup_connect(*, actor: User, account: Account) -> ConnectJob:
    """The Connect step: apply the wizard's values to the gateway and its PBX, then start a connect job."""
    require_manager(actor, account)
    lock_account(account)
    setup = GatewaySetup.objects.filter(account=account).first()
    if setup is None or setup.step != GatewaySetup.Step.CONNECT:
        raise ValidationError(
            _("Complete the Customer, Gateway and PBX steps first."), code="step_not_reached"
        )
    missing = [wizard.TITLES[s] for s in wizard.FORM_STEPS if s not in setup.data]
    if missing:
        raise ValidationError(
            _("Complete these steps first: %(steps)s.")
            % {"steps": ", ".join(str(title) for title in missing)},
            code="step_not_reached",
        )
    gateway, _created = gateway_save(
        actor=actor, account=account, customer=setup.data["customer"], values=setup.data["gateway"]
    )
    pbx_save(actor=actor, gateway=gateway, values=setup.data["pbx"], password=setup.pbx_password)
    if setup.pbx_password:  # the PBX holds it now; the wizard keeps no copy
        setup.pbx_password = ""
        setup.save(update_fields=["pbx_password", "modified_at"])
    return connect_job_start(actor=actor, gateway=gateway, kind=ConnectJob.Kind.CONNECT)


@transaction.atomic
def gateway_setup_cancel(*, actor: User, account: Account) -> None:
    """Forget the wizard's state (the configured gateway, if any, is kept)."""
    require_manager(actor, account)
    deleted, _count = GatewaySetup.objects.filter(account=account).delete()
    if deleted:
        audit_record(actor=actor, account=account, action=AuditAction.GATEWAY_SETUP_CANCELLED)
