"""Every change to an account's gateway, PBX, SIP trunk and setup wizard, and the connect job's work
(docs/gateway.md), in three modules that import one way (wizard -> connect -> gateway):

* ``gateway``: the gateway, its PBX and SIP trunk (the API and the gateway page), and the building
  blocks the others share (the permission check, the account lock, saving with audit);
* ``connect``: the connect job and the periodic re-check of the PBX over CSTA;
* ``wizard``: the setup wizard's steps and its Connect.

Every service called by a person re-checks ``Capability.MANAGE_GATEWAY`` and writes one audit row
per change, inside the change's transaction. Enqueueing happens on commit. Callers import the
services from here.
"""

from gateways.services.connect import (
    JOB_RUNNING_MESSAGE,
    STALE_JOB_AFTER,
    csta_timeout,
    gateway_check_start,
    gateway_connect_fail,
    gateway_connect_run,
    gateway_recheck_run,
)
from gateways.services.gateway import (
    DISCONNECTED_BY_ADMIN,
    NO_GATEWAY_MESSAGE,
    NO_PBX_MESSAGE,
    PARTNER_ACCOUNT_MESSAGE,
    GatewayConflict,
    gateway_create,
    gateway_disconnect,
    gateway_remove,
    gateway_snapshot,
    gateway_update,
    pbx_set,
    pbx_snapshot,
    trunk_snapshot,
    trunk_update,
)
from gateways.services.wizard import gateway_setup_cancel, gateway_setup_connect, gateway_setup_step_submit

__all__ = [
    "DISCONNECTED_BY_ADMIN",
    "JOB_RUNNING_MESSAGE",
    "NO_GATEWAY_MESSAGE",
    "NO_PBX_MESSAGE",
    "PARTNER_ACCOUNT_MESSAGE",
    "STALE_JOB_AFTER",
    "GatewayConflict",
    "csta_timeout",
    "gateway_check_start",
    "gateway_connect_fail",
    "gateway_connect_run",
    "gateway_create",
    "gateway_disconnect",
    "gateway_recheck_run",
    "gateway_remove",
    "gateway_setup_cancel",
    "gateway_setup_connect",
    "gateway_setup_step_submit",
    "gateway_snapshot",
    "gateway_update",
    "pbx_set",
    "pbx_snapshot",
    "trunk_snapshot",
    "trunk_update",
]
