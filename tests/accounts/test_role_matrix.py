"""The role matrix: every user route, console and API, for each actor x target x action.

The tenancy sweep (tests/test_tenancy_sweep.py) shows that outsiders get 404 everywhere; this adds
the roles inside the scope. Roles rank GUEST < USER < ACCOUNT_ADMIN < PARTNER_ADMIN < GLOBAL_ADMIN
and nobody acts on a user above their own role (``accounts.access.require_manage_user``).

The cast, in a partner account P with its customer account C and a rival partner R:

* actors: ``user`` (a USER of C), ``partner_account_admin`` (an ACCOUNT_ADMIN of P),
  ``customer_account_admin`` (an ACCOUNT_ADMIN of C), ``partner_admin`` (a PARTNER_ADMIN of P),
  ``other_partner_admin`` (the PARTNER_ADMIN of R);
* targets: a USER, an ACCOUNT_ADMIN and another PARTNER_ADMIN of P, a USER and another
  ACCOUNT_ADMIN of C, and the actor themself (``self``).

The expected statuses are written down below, one table per face. Whatever is refused (400, 403,
404, or a console form that shows the service's error with 200) changes nothing and sends no
email; whatever succeeds has its effect. ``test_the_matrix_covers_every_user_route`` fails when a
user route is added without a column here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from accounts.models import Account, AuditEvent, User, UserImportJob
from accounts.user_import import services as user_import_services
from gateways.pbx_users import services as pbx_users_services
from integrations import services as integration_services
from integrations.models import MitelOneUserSettings
from integrations.providers.mitel_one.settings import account_has_mitel_one
from tests.accounts.factories import UserFactory
from tests.test_tenancy_sweep import _routes

pytestmark = pytest.mark.django_db

ACTORS = ("user", "partner_account_admin", "customer_account_admin", "partner_admin", "other_partner_admin")
TARGETS = ("P:USER", "P:ACCOUNT_ADMIN", "P:PARTNER_ADMIN", "C:USER", "C:ACCOUNT_ADMIN", "self")
ACCOUNTS = ("P", "C")

# --- the tables ------------------------------------------------------------------------------------

# Console, /accounts/<number>/users/<user_id>/... . 302: done (redirect after POST); 200 on a POST:
# the page shows the service's refusal (you cannot delete yourself; you are registered, so no
# welcome email: the other targets have not registered yet for that column); edit/email/admin_on/admin_off post the User
# page's form (admin_on/admin_off: the Account Admin toggle; it is fixed for partner admins and for
# your own rights, so those posts change no role). mitel_one redirects also when the account has no
# Mitel One (partner accounts never have it) and then changes nothing.
CONSOLE_USER_ROUTES = """
actor                   target           view  edit  email admin_on admin_off welcome reset delete mitel_one
user                    P:USER           404   404   404   404      404       404     404   404    404
user                    P:ACCOUNT_ADMIN  404   404   404   404      404       404     404   404    404
user                    P:PARTNER_ADMIN  404   404   404   404      404       404     404   404    404
user                    C:USER           403   403   403   403      403       403     403   403    403
user                    C:ACCOUNT_ADMIN  403   403   403   403      403       403     403   403    403
user                    self             403   403   403   403      403       403     403   403    403
partner_account_admin   P:USER           200   302   302   302      302       302     302   302    302
partner_account_admin   P:ACCOUNT_ADMIN  200   302   302   302      302       302     302   302    302
partner_account_admin   P:PARTNER_ADMIN  200   403   403   403      403       403     403   403    403
partner_account_admin   C:USER           404   404   404   404      404       404     404   404    404
partner_account_admin   C:ACCOUNT_ADMIN  404   404   404   404      404       404     404   404    404
partner_account_admin   self             200   302   302   302      302       200     302   200    302
customer_account_admin  P:USER           404   404   404   404      404       404     404   404    404
customer_account_admin  P:ACCOUNT_ADMIN  404   404   404   404      404       404     404   404    404
customer_account_admin  P:PARTNER_ADMIN  404   404   404   404      404       404     404   404    404
customer_account_admin  C:USER           200   302   302   302      302       302     302   302    302
customer_account_admin  C:ACCOUNT_ADMIN  200   302   302   302      302       302     302   302    302
customer_account_admin  self             200   302   302   302      302       200     302   200    302
partner_admin           P:USER           200   302   302   302      302       302     302   302    302
partner_admin           P:ACCOUNT_ADMIN  200   302   302   302      302       302     302   302    302
partner_admin           P:PARTNER_ADMIN  200   302   302   302      302       302     302   302    302
partner_admin           C:USER           200   302   302   302      302       302     302   302    302
partner_admin           C:ACCOUNT_ADMIN  200   302   302   302      302       302     302   302    302
partner_admin           self             200   302   302   302      302       200     302   200    302
other_partner_admin     P:USER           404   404   404   404      404       404     404   404    404
other_partner_admin     P:ACCOUNT_ADMIN  404   404   404   404      404       404     404   404    404
other_partner_admin     P:PARTNER_ADMIN  404   404   404   404      404       404     404   404    404
other_partner_admin     C:USER           404   404   404   404      404       404     404   404    404
other_partner_admin     C:ACCOUNT_ADMIN  404   404   404   404      404       404     404   404    404
other_partner_admin     self             200   302   302   302      302       200     302   200    302
"""

# Admin API, /api/admin/2017-09-01/accounts/{accountId}/users/{userId} (get, put_*, role_* = PUT
# {"role": ...}, delete), the bulk PATCH .../users (the operation's statusCode; the PATCH itself
# answers 200 whenever it gets that far) and /users/{userId} in the caller's own account (own_*).
# role_partner is 400 for everyone who may act: only User <-> Account Admin is a role change.
API_USER_ROUTES = """
actor                   target           get put_fields put_email role_admin role_user role_partner delete bulk_update bulk_delete own_get own_put
user                    P:USER           404 404        404       404        404       404          404    404         404         403     403
user                    P:ACCOUNT_ADMIN  404 404        404       404        404       404          404    404         404         403     403
user                    P:PARTNER_ADMIN  404 404        404       404        404       404          404    404         404         403     403
user                    C:USER           403 403        403       403        403       403          403    403         403         403     403
user                    C:ACCOUNT_ADMIN  403 403        403       403        403       403          403    403         403         403     403
user                    self             403 403        403       403        403       403          403    403         403         200     403
partner_account_admin   P:USER           200 200        200       200        200       400          200    200         200         200     200
partner_account_admin   P:ACCOUNT_ADMIN  200 200        200       200        200       400          200    200         200         200     200
partner_account_admin   P:PARTNER_ADMIN  200 403        403       403        403       403          403    403         403         200     403
partner_account_admin   C:USER           404 404        404       404        404       404          404    404         404         404     404
partner_account_admin   C:ACCOUNT_ADMIN  404 404        404       404        404       404          404    404         404         404     404
partner_account_admin   self             200 200        200       200        403       400          403    200         403         200     200
customer_account_admin  P:USER           404 404        404       404        404       404          404    404         404         404     404
customer_account_admin  P:ACCOUNT_ADMIN  404 404        404       404        404       404          404    404         404         404     404
customer_account_admin  P:PARTNER_ADMIN  404 404        404       404        404       404          404    404         404         404     404
customer_account_admin  C:USER           200 200        200       200        200       400          200    200         200         200     200
customer_account_admin  C:ACCOUNT_ADMIN  200 200        200       200        200       400          200    200         200         200     200
customer_account_admin  self             200 200        200       200        403       400          403    200         403         200     200
partner_admin           P:USER           200 200        200       200        200       400          200    200         200         200     200
partner_admin           P:ACCOUNT_ADMIN  200 200        200       200        200       400          200    200         200         200     200
partner_admin           P:PARTNER_ADMIN  200 200        200       400        400       200          200    200         200         200     200
partner_admin           C:USER           200 200        200       200        200       400          200    200         200         404     404
partner_admin           C:ACCOUNT_ADMIN  200 200        200       200        200       400          200    200         200         404     404
partner_admin           self             200 200        200       400        400       200          403    200         403         200     200
other_partner_admin     P:USER           404 404        404       404        404       404          404    404         404         404     404
other_partner_admin     P:ACCOUNT_ADMIN  404 404        404       404        404       404          404    404         404         404     404
other_partner_admin     P:PARTNER_ADMIN  404 404        404       404        404       404          404    404         404         404     404
other_partner_admin     C:USER           404 404        404       404        404       404          404    404         404         404     404
other_partner_admin     C:ACCOUNT_ADMIN  404 404        404       404        404       404          404    404         404         404     404
other_partner_admin     self             200 200        200       400        400       200          403    200         403         200     200
"""

# Console routes of an account's users as a whole: the Users list, Add user (create_admin: with
# the Account Admin toggle on), bulk import (upload a CSV, then the job's preview, progress,
# start, cancel and report) and Synchronize PBX users (the page, the preview, apply).
CONSOLE_ACCOUNT_ROUTES = """
actor                   account list create_user create_admin import import_template import_upload import_job import_status import_start import_cancel import_report pbx_sync pbx_sync_preview pbx_sync_apply import_fix import_drop
user                    P       404  404         404          404    404             404           404        404           404          404           404           404      404              404 404        404
user                    C       403  403         403          403    403             403           403        403           403          403           403           403      403              403 403        403
partner_account_admin   P       200  302         302          200    200             302           200        200           302          302           200           200      200              302 302        302
partner_account_admin   C       404  404         404          404    404             404           404        404           404          404           404           404      404              404 404        404
customer_account_admin  P       404  404         404          404    404             404           404        404           404          404           404           404      404              404 404        404
customer_account_admin  C       200  302         302          200    200             302           200        200           302          302           200           200      200              302 302        302
partner_admin           P       200  302         302          200    200             302           200        200           302          302           200           200      200              302 302        302
partner_admin           C       200  302         302          200    200             302           200        200           302          302           200           200      200              302 302        302
other_partner_admin     P       404  404         404          404    404             404           404        404           404          404           404           404      404              404 404        404
other_partner_admin     C       404  404         404          404    404             404           404        404           404          404           404           404      404              404 404        404
"""

# Admin API routes of an account's users as a whole. create_* = POST .../users with that role
# (create_partner_admin: the API creates only USER and ACCOUNT_ADMIN, 400), create_pbx = a user
# pushed by the PBX, bulk_create_admin = the bulk PATCH's create operation (its statusCode),
# pbx_sync_* = POST .../pbx/users/sync with dryRun true / false.
API_ACCOUNT_ROUTES = """
actor                   account list create_user create_admin create_partner_admin create_pbx bulk_create_admin pbx_sync_preview pbx_sync_apply
user                    P       404  404         404          404                  404        404               404              404
user                    C       403  403         403          403                  403        403               403              403
partner_account_admin   P       200  201         201          400                  201        201               200              200
partner_account_admin   C       404  404         404          404                  404        404               404              404
customer_account_admin  P       404  404         404          404                  404        404               404              404
customer_account_admin  C       200  201         201          400                  201        201               200              200
partner_admin           P       200  201         201          400                  201        201               200              200
partner_admin           C       200  201         201          400                  201        201               200              200
other_partner_admin     P       404  404         404          404                  404        404               404              404
other_partner_admin     C       404  404         404          404                  404        404               404              404
"""


def parse(text: str) -> dict[tuple[str, str], dict[str, int]]:
    """``{(actor, target): {action: status}}`` from a table above."""
    header, *rows = (line.split() for line in text.strip().splitlines())
    actions = header[2:]
    table = {}
    for actor, target, *codes in rows:
        assert len(codes) == len(actions), f"row {actor} {target}"
        table[(actor, target)] = dict(zip(actions, map(int, codes), strict=True))
    return table


def cells(text: str) -> list:
    return [
        pytest.param(actor, target, action, code, id=f"{actor}-{target}-{action}")
        for (actor, target), row in parse(text).items()
        for action, code in row.items()
    ]


# --- the cast ----------------------------------------------------------------------------------------

BASE = "/api/admin/2017-09-01"
ROLE_REQUESTED = {"role_admin": "ACCOUNT_ADMIN", "role_user": "USER", "role_partner": "PARTNER_ADMIN"}
NEW_EMAIL = "taken.over@evil.example"
NEW_NAME = "Renamed Person"


@dataclass
class Cast:
    actors: dict[str, User]
    targets: dict[str, User]
    accounts: dict[str, Account]


@pytest.fixture
def cast(partner, partner_admin, customer, account_admin, member, other_partner_admin) -> Cast:
    def person(account, role, email):
        return UserFactory(account=account, role=role, email=email, name=email.split("@")[0].title())

    integration_services.integration_add(actor=partner_admin, account=customer, type="mitel-one")
    return Cast(
        actors={
            "user": member,
            "partner_account_admin": person(partner, User.Role.ACCOUNT_ADMIN, "dana@acme.example"),
            "customer_account_admin": account_admin,
            "partner_admin": partner_admin,
            "other_partner_admin": other_partner_admin,
        },
        targets={
            "P:USER": person(partner, User.Role.USER, "pete@acme.example"),
            "P:ACCOUNT_ADMIN": person(partner, User.Role.ACCOUNT_ADMIN, "paula@acme.example"),
            "P:PARTNER_ADMIN": person(partner, User.Role.PARTNER_ADMIN, "pam@acme.example"),
            "C:USER": person(customer, User.Role.USER, "cora@globex.example"),
            "C:ACCOUNT_ADMIN": person(customer, User.Role.ACCOUNT_ADMIN, "carl@globex.example"),
        },
        accounts={"P": partner, "C": customer},
    )


def target_of(cast: Cast, actor: User, target: str) -> User:
    return actor if target == "self" else cast.targets[target]


def snapshot(person: User) -> dict:
    row = User.objects.filter(pk=person.pk).values().first()
    mitel_one = list(MitelOneUserSettings.objects.filter(user_id=person.pk).values("enabled", "tier"))
    return {"user": row, "mitel_one": mitel_one}


@dataclass
class Outcome:
    status: int
    before: dict
    after: dict
    audit_events: int
    mail_to: list[list[str]]


def run(person: User, do, capture) -> Outcome:
    """Do one request and record what changed."""
    before, events = snapshot(person), AuditEvent.objects.count()
    with capture(execute=True):
        status = do()
    return Outcome(
        status,
        before,
        snapshot(person),
        AuditEvent.objects.count() - events,
        [message.to for message in mail.outbox],
    )


def assert_nothing_happened(outcome: Outcome) -> None:
    assert outcome.after == outcome.before
    assert (outcome.audit_events, outcome.mail_to) == (0, [])


# --- console: the User page and its actions ----------------------------------------------------------

MITEL_ONE_POST = {"enabled": "on", "tier": MitelOneUserSettings.Tier.ELITE}


def user_form(person: User, **changes) -> dict:
    values = {
        key: getattr(person, key)
        for key in ("name", "first_name", "last_name", "email", "extension", "mobile", "phone")
    }
    if person.role != User.Role.USER:
        values["account_admin"] = "on"
    return values | changes


def console_request(client, action: str, person: User) -> int:
    args = [person.account.account_number, person.user_id]

    def url(name: str) -> str:
        return reverse(f"accounts:{name}", args=args)

    posts = {
        "edit": lambda: client.post(url("user_update"), user_form(person, name=NEW_NAME)),
        "email": lambda: client.post(url("user_update"), user_form(person, email=NEW_EMAIL)),
        "admin_on": lambda: client.post(url("user_update"), user_form(person, account_admin="on")),
        "admin_off": lambda: client.post(
            url("user_update"), {k: v for k, v in user_form(person).items() if k != "account_admin"}
        ),
        "welcome": lambda: client.post(url("user_welcome_resend")),
        "reset": lambda: client.post(url("user_password_reset_send")),
        "delete": lambda: client.post(url("user_delete"), {"delete-confirmation": "delete"}),
        "mitel_one": lambda: client.post(
            reverse("integrations:mitel_one_settings_update", args=args), MITEL_ONE_POST
        ),
        "view": lambda: client.get(url("user_detail")),
    }
    return posts[action]().status_code


def assert_done(action: str, person: User, outcome: Outcome) -> None:
    """What a successful action must have changed."""
    user = outcome.after["user"]
    if action in ("edit", "put_fields", "bulk_update"):
        assert user["name"] == NEW_NAME
    elif action in ("email", "put_email", "own_put"):
        assert user["email"] == NEW_EMAIL
    elif action in ("delete", "bulk_delete"):
        assert user is None
    elif action in ("welcome", "reset"):
        assert outcome.mail_to == [[person.email]]
    elif action == "mitel_one":
        saved = [{"enabled": True, "tier": MitelOneUserSettings.Tier.ELITE}]
        assert outcome.after["mitel_one"] == (saved if account_has_mitel_one(person.account) else [])
    elif action in ROLE_REQUESTED:
        assert user["role"] == ROLE_REQUESTED[action]


def check(action: str, person: User, outcome: Outcome, expected: int, *, done: set[int]) -> None:
    assert outcome.status == expected
    if action in ("view", "get", "own_get"):
        assert_nothing_happened(outcome)
    elif expected in done:
        assert_done(action, person, outcome)
    else:
        assert_nothing_happened(outcome)


@pytest.mark.parametrize(("actor_name", "target", "action", "expected"), cells(CONSOLE_USER_ROUTES))
def test_console_user_routes(
    cast, client_for, django_capture_on_commit_callbacks, actor_name, target, action, expected
):
    actor = cast.actors[actor_name]
    person = target_of(cast, actor, target)
    if action == "welcome" and person != actor:  # to someone who has not registered yet (you have)
        User.objects.filter(pk=person.pk).update(is_registered=False)
        person.refresh_from_db()
    client = client_for(actor)

    outcome = run(person, lambda: console_request(client, action, person), django_capture_on_commit_callbacks)

    check(action, person, outcome, expected, done={HTTPStatus.FOUND})


def test_the_user_page_offers_no_action_on_a_user_above_you(cast, client_for):
    pam = cast.targets["P:PARTNER_ADMIN"]
    number = pam.account.account_number

    html = (
        client_for(cast.actors["partner_account_admin"])
        .get(reverse("accounts:user_detail", args=[number, pam.user_id]))
        .content.decode()
    )

    assert pam.email in html and 'data-testid="above-your-role"' in html
    assert "<form" not in html.split('id="user-info"', 1)[1].split("</section>", 1)[0]
    for name in ("user_update", "user_welcome_resend", "user_password_reset_send", "user_delete"):
        assert reverse(f"accounts:{name}", args=[number, pam.user_id]) not in html
    assert 'id="user-access"' not in html and 'id="user-delete"' not in html


def test_the_user_page_offers_every_action_on_a_peer(cast, client_for):
    paula = cast.targets["P:ACCOUNT_ADMIN"]
    number = paula.account.account_number

    html = (
        client_for(cast.actors["partner_account_admin"])
        .get(reverse("accounts:user_detail", args=[number, paula.user_id]))
        .content.decode()
    )

    assert 'data-testid="above-your-role"' not in html
    for name in ("user_update", "user_password_reset_send", "user_delete"):
        assert reverse(f"accounts:{name}", args=[number, paula.user_id]) in html


# --- API: one user -------------------------------------------------------------------------------------


def api_request(client, action: str, person: User) -> int:
    users = f"{BASE}/accounts/{person.account.account_id}/users"
    one, own = f"{users}/{person.user_id}", f"{BASE}/users/{person.user_id}"

    def put(url: str, body: dict):
        return client.put(url, body, format="json")

    def bulk(op: str, body: dict | None = None) -> int:
        response = client.patch(
            users, {"operations": [{"op": op, "id": str(person.user_id), "body": body}]}, format="json"
        )
        if response.status_code != HTTPStatus.OK:
            return response.status_code
        return response.json()["operations"][0]["statusCode"]

    requests = {
        "get": lambda: client.get(one).status_code,
        "put_fields": lambda: put(one, {"name": NEW_NAME}).status_code,
        "put_email": lambda: put(one, {"email": NEW_EMAIL}).status_code,
        "role_admin": lambda: put(one, {"role": ROLE_REQUESTED["role_admin"]}).status_code,
        "role_user": lambda: put(one, {"role": ROLE_REQUESTED["role_user"]}).status_code,
        "role_partner": lambda: put(one, {"role": ROLE_REQUESTED["role_partner"]}).status_code,
        "delete": lambda: client.delete(one).status_code,
        "bulk_update": lambda: bulk("update", {"name": NEW_NAME}),
        "bulk_delete": lambda: bulk("delete"),
        "own_get": lambda: client.get(own).status_code,
        "own_put": lambda: put(own, {"email": NEW_EMAIL}).status_code,
    }
    return requests[action]()


@pytest.mark.parametrize(("actor_name", "target", "action", "expected"), cells(API_USER_ROUTES))
def test_api_user_routes(
    cast, api_client_for, django_capture_on_commit_callbacks, actor_name, target, action, expected
):
    actor = cast.actors[actor_name]
    person = target_of(cast, actor, target)
    client = api_client_for(actor)

    outcome = run(person, lambda: api_request(client, action, person), django_capture_on_commit_callbacks)

    check(action, person, outcome, expected, done={HTTPStatus.OK})


# --- console and API: an account's users as a whole -------------------------------------------------

IMPORT_CSV = "FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\nIvy,Import,,ivy@example.com,Account Admin\r\n"
PBX_LIST = [{"extension": "4711", "firstName": "Pia", "lastName": "Pbx", "email": "pia@example.com"}]


def import_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", IMPORT_CSV.encode(), "text/csv")


@pytest.fixture
def import_job(cast):
    """A previewed import in each account, uploaded by that account's own admin."""

    def make(account: Account) -> UserImportJob:
        admin = User.objects.filter(account=account, role__in=["ACCOUNT_ADMIN", "PARTNER_ADMIN"]).first()
        return user_import_services.import_job_create(actor=admin, account=account, upload=import_file())

    return make


def console_account_request(client, action: str, account: Account, job: UserImportJob) -> int:
    number = account.account_number

    def url(name: str, *args) -> str:
        namespace = "pbx_users" if name.startswith("pbx_sync") else "accounts"
        return reverse(f"{namespace}:{name}", args=[number, *args])

    def pbx_apply():
        admin = User.objects.filter(account=account, role__in=["ACCOUNT_ADMIN", "PARTNER_ADMIN"]).first()
        plan = pbx_users_services.pbx_sync_preview(actor=admin, account=account, users=PBX_LIST)
        return client.post(url("pbx_sync_apply"), {"users": json.dumps(PBX_LIST), "digest": plan.digest})

    requests = {
        "list": lambda: client.get(url("user_list")),
        "create_user": lambda: client.post(url("user_create"), {"name": "Nina", "email": "nina@example.com"}),
        "create_admin": lambda: client.post(
            url("user_create"), {"name": "Nina", "email": "nina@example.com", "account_admin": "on"}
        ),
        "import": lambda: client.get(url("user_import")),
        "import_template": lambda: client.get(url("user_import_template")),
        "import_upload": lambda: client.post(url("user_import"), {"file": import_file()}),
        "import_job": lambda: client.get(url("user_import_job", job.job_id)),
        "import_status": lambda: client.get(url("user_import_status_hx", job.job_id), HTTP_HX_REQUEST="true"),
        "import_start": lambda: client.post(url("user_import_start", job.job_id)),
        "import_cancel": lambda: client.post(url("user_import_cancel", job.job_id)),
        "import_fix": lambda: client.post(
            url("user_import_row_fix", job.job_id, 2),
            {"EMAIL": "fixed@example.com", "FIRST NAME": "Fix", "LAST NAME": "Ed", "ROLE": "User"},
        ),
        "import_drop": lambda: client.post(url("user_import_row_drop", job.job_id, 2)),
        "import_report": lambda: client.get(url("user_import_report", job.job_id)),
        "pbx_sync": lambda: client.get(url("pbx_sync")),
        "pbx_sync_preview": lambda: client.post(
            url("pbx_sync"), {"text": "extension,first_name,last_name,email\n4711,Pia,Pbx,pia@example.com\n"}
        ),
        "pbx_sync_apply": pbx_apply,
    }
    return requests[action]().status_code


def account_state(account: Account) -> dict:
    return {
        "users": sorted(User.objects.filter(account=account).values_list("email", "role", "is_active")),
        "jobs": sorted(UserImportJob.objects.filter(account=account).values_list("job_id", "status")),
    }


@pytest.mark.parametrize(("actor_name", "account_key", "action", "expected"), cells(CONSOLE_ACCOUNT_ROUTES))
def test_console_account_user_routes(
    cast,
    client_for,
    import_job,
    django_capture_on_commit_callbacks,
    actor_name,
    account_key,
    action,
    expected,
):
    account = cast.accounts[account_key]
    job = import_job(account)
    before = account_state(account)
    with django_capture_on_commit_callbacks(execute=True):
        status = console_account_request(client_for(cast.actors[actor_name]), action, account, job)

    assert status == expected
    if expected in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND):
        assert account_state(account) == before


def api_account_request(client, action: str, account: Account) -> int:
    users = f"{BASE}/accounts/{account.account_id}/users"
    sync = f"{BASE}/accounts/{account.account_id}/pbx/users/sync"

    def create(role: str, **extra):
        return client.post(
            users, {"email": "nina@example.com", "role": role, **extra}, format="json"
        ).status_code

    def bulk_create() -> int:
        body = {"email": "nina@example.com", "role": "ACCOUNT_ADMIN"}
        response = client.patch(users, {"operations": [{"op": "create", "body": body}]}, format="json")
        if response.status_code != HTTPStatus.OK:
            return response.status_code
        return response.json()["operations"][0]["statusCode"]

    requests = {
        "list": lambda: client.get(users).status_code,
        "create_user": lambda: create("USER"),
        "create_admin": lambda: create("ACCOUNT_ADMIN"),
        "create_partner_admin": lambda: create("PARTNER_ADMIN"),
        "create_pbx": lambda: create("USER", source="PBX", extension="4711", firstName="Pia"),
        "bulk_create_admin": bulk_create,
        "pbx_sync_preview": lambda: client.post(sync, {"users": PBX_LIST}, format="json").status_code,
        "pbx_sync_apply": lambda: (
            client.post(sync, {"users": PBX_LIST, "dryRun": False}, format="json").status_code
        ),
    }
    return requests[action]()


@pytest.mark.parametrize(("actor_name", "account_key", "action", "expected"), cells(API_ACCOUNT_ROUTES))
def test_api_account_user_routes(
    cast, api_client_for, django_capture_on_commit_callbacks, actor_name, account_key, action, expected
):
    account = cast.accounts[account_key]
    before = account_state(account)
    with django_capture_on_commit_callbacks(execute=True):
        status = api_account_request(api_client_for(cast.actors[actor_name]), action, account)

    assert status == expected
    if expected >= HTTPStatus.BAD_REQUEST:
        assert account_state(account) == before


# --- the matrix is complete -------------------------------------------------------------------------

# Every route whose path names users, and the table (and column) that covers it.
COVERED_ROUTES = {
    "accounts/<str:number>/users/": "CONSOLE_ACCOUNT_ROUTES list",
    "accounts/<str:number>/users/new/": "CONSOLE_ACCOUNT_ROUTES create_user create_admin",
    "accounts/<str:number>/users/import/": "CONSOLE_ACCOUNT_ROUTES import import_upload",
    "accounts/<str:number>/users/import/template.csv": "CONSOLE_ACCOUNT_ROUTES import_template",
    "accounts/<str:number>/users/import/<uuid:job_id>/": "CONSOLE_ACCOUNT_ROUTES import_job",
    "accounts/<str:number>/users/import/<uuid:job_id>/status/": "CONSOLE_ACCOUNT_ROUTES import_status",
    "accounts/<str:number>/users/import/<uuid:job_id>/start/": "CONSOLE_ACCOUNT_ROUTES import_start",
    "accounts/<str:number>/users/import/<uuid:job_id>/cancel/": "CONSOLE_ACCOUNT_ROUTES import_cancel",
    "accounts/<str:number>/users/import/<uuid:job_id>/rows/<int:row_number>/fix/": "CONSOLE_ACCOUNT_ROUTES "
    "import_fix",
    "accounts/<str:number>/users/import/<uuid:job_id>/rows/<int:row_number>/drop/": "CONSOLE_ACCOUNT_ROUTES "
    "import_drop",
    "accounts/<str:number>/users/import/<uuid:job_id>/report.csv": "CONSOLE_ACCOUNT_ROUTES import_report",
    "accounts/<str:number>/users/pbx-sync/": "CONSOLE_ACCOUNT_ROUTES pbx_sync pbx_sync_preview",
    "accounts/<str:number>/users/pbx-sync/apply/": "CONSOLE_ACCOUNT_ROUTES pbx_sync_apply",
    "accounts/<str:number>/users/<uuid:user_id>/": "CONSOLE_USER_ROUTES view",
    "accounts/<str:number>/users/<uuid:user_id>/edit/": "CONSOLE_USER_ROUTES edit email admin_on admin_off",
    "accounts/<str:number>/users/<uuid:user_id>/welcome/": "CONSOLE_USER_ROUTES welcome",
    "accounts/<str:number>/users/<uuid:user_id>/password-reset/": "CONSOLE_USER_ROUTES reset",
    "accounts/<str:number>/users/<uuid:user_id>/delete/": "CONSOLE_USER_ROUTES delete",
    "accounts/<str:number>/integrations/mitel-one/users/<uuid:user_id>/": "CONSOLE_USER_ROUTES mitel_one",
    "api/admin/2017-09-01/accounts/<str:accountId>/users": "API_ACCOUNT_ROUTES list create_user create_admin "
    "create_partner_admin create_pbx bulk_create_admin; API_USER_ROUTES bulk_update bulk_delete",
    "api/admin/2017-09-01/accounts/<str:accountId>/users/<str:userId>": "API_USER_ROUTES get put_fields "
    "put_email role_admin role_user role_partner delete",
    "api/admin/2017-09-01/accounts/<str:accountId>/pbx/users/sync": "API_ACCOUNT_ROUTES pbx_sync_preview "
    "pbx_sync_apply",
    "api/admin/2017-09-01/users/<str:userId>": "API_USER_ROUTES own_get own_put",
}
# Routes naming users that manage no user, and why.
NOT_USER_MANAGEMENT = {
    # No token: anyone may ask and the answer is the same for everyone (test_user_password_forgot.py).
    "api/admin/2017-09-01/users/<str:email>/password",
    # The caller's own chat conversations (tests/chat).
    "api/chat/2017-09-01/users/me/conversations",
    # A user's phone on the user page (media/): read behind MANAGE_USERS (tests/test_tenancy_sweep.py);
    # changing it is refused when its user is above the actor (access.require_not_above,
    # tests/accounts/test_access.py, tests/media/test_views.py).
    "accounts/<str:number>/calls/users/<uuid:user_id>/",
    "accounts/<str:number>/calls/users/<uuid:user_id>/device/",
    "accounts/<str:number>/calls/users/<uuid:user_id>/device/update/",
}
TABLES = {
    "CONSOLE_USER_ROUTES": CONSOLE_USER_ROUTES,
    "API_USER_ROUTES": API_USER_ROUTES,
    "CONSOLE_ACCOUNT_ROUTES": CONSOLE_ACCOUNT_ROUTES,
    "API_ACCOUNT_ROUTES": API_ACCOUNT_ROUTES,
}


def test_the_matrix_covers_every_user_route():
    routes = {route for route in _routes(get_resolver().url_patterns) if "users" in route}

    assert routes - NOT_USER_MANAGEMENT == set(COVERED_ROUTES)
    for covered in COVERED_ROUTES.values():
        for part in covered.split(";"):
            name, *actions = part.split()
            header = TABLES[name].strip().splitlines()[0].split()
            assert set(actions) <= set(header[2:]), part


@pytest.mark.parametrize("name", TABLES)
def test_each_table_has_every_actor_and_target(name):
    keys = ACCOUNTS if "ACCOUNT_ROUTES" in name else TARGETS
    assert list(parse(TABLES[name])) == [(actor, key) for actor in ACTORS for key in keys]
