"""PBX users: reading the PBX's list (gateways/pbx_users/parse.py), the push of one user, and Synchronize
(preview, apply, idempotence, the 2,500-user limit, batched queries)."""

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import AuditEvent, User, WelcomeLink
from gateways.pbx.simulator import PbxUser, load_users
from gateways.pbx_users import parse as pbx
from gateways.pbx_users import services as pbx_sync_services
from gateways.pbx_users import services as pbx_users_services
from tests.accounts.factories import UserFactory


def person(i: int, **changes) -> dict:
    return {
        "extension": str(10000 + i),
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "email": f"pbx{i}@globex.example",
    } | changes


def people(n: int, start: int = 0) -> list[dict]:
    return [person(i) for i in range(start, start + n)]


def pbx_users(account):
    return User.objects.filter(account=account, source=User.Source.PBX)


def sync(actor, account, users, **kwargs):
    return pbx_users_services.pbx_sync_apply(actor=actor, account=account, users=users, **kwargs)


# --- reading the list (pure) -------------------------------------------------------------------


def test_reads_the_simulators_users_file_format_csv_and_json(tmp_path):
    users = [
        PbxUser("1001", "Alice", "Andersson", "alice@example.com"),
        PbxUser("1002", "", "Berg", "bob@example.com"),
    ]
    csv_text = "extension,first_name,last_name,email\n1001,Alice,Andersson,alice@example.com\n1002,,Berg,bob@example.com\n"
    (tmp_path / "users.csv").write_text(csv_text)
    (tmp_path / "users.json").write_text(json.dumps({"users": [u.__dict__ for u in users]}))

    for name in ("users.csv", "users.json"):
        text = (tmp_path / name).read_text()
        entries = pbx.entries_from_rows(pbx.rows_from_text(text))
        as_simulator = [PbxUser(e.extension, e.first_name, e.last_name, e.email) for e in entries]
        assert as_simulator == load_users(tmp_path / name) == users
        assert all(entry.is_valid and entry.role == "USER" for entry in entries)


def test_reads_camel_case_keys_spaced_headers_semicolons_and_a_role():
    json_rows = pbx.rows_from_text(
        '[{"Extension": 2001, "firstName": "Ada", "lastName": "L", "Email": "ADA@x.example", "role": "Account Admin"}]'
    )
    csv_rows = pbx.rows_from_text("\ufeffEMAIL;First Name;Last Name;Ext\nada@x.example;Ada;L;2001\n")

    (from_json,) = pbx.entries_from_rows(json_rows)
    (from_csv,) = pbx.entries_from_rows(csv_rows)
    assert (from_json.email, from_json.extension, from_json.first_name, from_json.role) == (
        "ada@x.example",
        "2001",
        "Ada",
        "ACCOUNT_ADMIN",
    )
    assert (from_csv.email, from_csv.extension, from_csv.last_name, from_csv.is_valid) == (
        "ada@x.example",
        "2001",
        "L",
        True,
    )


def test_each_user_needs_an_email_an_extension_of_digits_and_a_first_or_last_name():
    entries = pbx.entries_from_rows(
        [
            {"extension": "1001", "last_name": "Only Last", "email": "ok@x.example"},
            {"extension": "", "first_name": "A", "email": "a@x.example"},
            {"extension": "12a", "first_name": "B", "email": "b@x.example"},
            {"extension": "1004", "first_name": "", "last_name": "", "email": "c@x.example"},
            {"extension": "1005", "first_name": "D", "email": "not-an-email"},
            {"extension": "1006", "first_name": "E"},
            {"extension": "1001", "first_name": "F", "email": "OK@x.example"},
            {"extension": "1008", "first_name": "G", "email": "g@x.example", "role": "boss"},
            "not an object",
        ]
    )

    assert [entry.errors for entry in entries] == [
        [],
        ["No extension"],
        ["Invalid extension “12a”: digits only"],
        [pbx.NO_NAME],
        ["Invalid email: “not-an-email” is not an email address"],
        ["No email"],
        [
            "Duplicate in the list: the same email as user 1",
            "Duplicate in the list: the same extension as user 1",
        ],
        ["Unknown role “boss”: use User or Account Admin"],
        ["Not a user object"],
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("[{]", "not_json"),
        ('{"people": []}', "not_a_list"),
        ("extension,name,email\n1,A,a@x.example\n", "header"),
    ],
)
def test_an_unreadable_list_is_refused_as_a_whole(text, code):
    with pytest.raises(pbx.PbxListError) as caught:
        pbx.rows_from_text(text)
    assert caught.value.code == code


def test_at_most_2500_users_per_mx_one():
    assert len(pbx.entries_from_rows(people(2_500))) == 2_500

    with pytest.raises(pbx.PbxListError) as caught:
        pbx.entries_from_rows(people(2_501))

    assert caught.value.code == "too_many_users"
    assert str(caught.value) == (
        "The PBX list has 2,501 users; a MiVoice MX-ONE connects at most 2,500 users to CloudLink. "
        "Remove 1 user from the list and synchronize again. Nothing was changed."
    )


HEADER = b"extension,first_name,last_name,email\n"


def refused_upload(data: bytes) -> pbx.PbxListError:
    with pytest.raises(pbx.PbxListError) as caught:
        pbx.rows_from_bytes(data)
    return caught.value


def test_an_uploaded_file_is_read_as_utf8_with_or_without_a_bom():
    data = HEADER + "1001,Zoë,Berg,zoe@x.example\n".encode()

    assert pbx.rows_from_bytes(data) == pbx.rows_from_bytes(b"\xef\xbb\xbf" + data)
    assert pbx.rows_from_bytes(data)[0]["first_name"] == "Zoë"


def test_an_uploaded_file_too_big_empty_or_not_utf8_is_refused_saying_so():
    too_big = refused_upload(HEADER + b"1," * pbx.MAX_BYTES)
    empty = refused_upload(b"  \n")
    latin1 = refused_upload(HEADER + "1001,Zoë,Berg,zoe@x.example\n".encode("cp1252"))

    assert (too_big.code, str(too_big)) == ("too_big", "The file is larger than 2 MB.")
    assert (empty.code, str(empty)) == ("empty", "The list is empty: paste or upload the PBX's users.")
    assert (latin1.code, str(latin1)) == (
        "encoding",
        "The file is not UTF-8 text; save it as UTF-8 (CSV or JSON).",
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + HEADER, "an Excel workbook (.xlsx) or another zip archive"),
        (HEADER + b"1001,A\x00\x01,B,a@x.example\n", "binary data"),
    ],
)
def test_an_uploaded_workbook_or_binary_file_is_refused_saying_what_it_is(data, what):
    error = refused_upload(data)

    assert error.code == "encoding"
    assert str(error) == f"This is {what}, not a list of users: save it as UTF-8 text (CSV or JSON)."


# --- preview and apply -------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_plans_the_creates_and_writes_nothing(account_admin, customer):
    audit_before = AuditEvent.objects.count()

    plan = pbx_users_services.pbx_sync_preview(actor=account_admin, account=customer, users=people(3))

    assert plan.counts == {
        "listed": 3,
        "create": 3,
        "update": 0,
        "remove": 0,
        "unchanged": 0,
        "errors": 0,
        "conflicts": 0,
    }
    assert [entry.email for entry in plan.creates] == [
        "pbx0@globex.example",
        "pbx1@globex.example",
        "pbx2@globex.example",
    ]
    assert (
        not plan.applied and not pbx_users(customer).exists() and AuditEvent.objects.count() == audit_before
    )


@pytest.mark.django_db
def test_apply_creates_pbx_users_who_get_the_welcome_email(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = sync(account_admin, customer, people(2))

    assert plan.applied and plan.counts["create"] == 2
    users = list(pbx_users(customer).order_by("extension"))
    assert [(u.email, u.extension, u.first_name, u.last_name, u.role, u.is_registered) for u in users] == [
        ("pbx0@globex.example", "10000", "First0", "Last0", "USER", False),
        ("pbx1@globex.example", "10001", "First1", "Last1", "USER", False),
    ]
    assert all(user.created_by == account_admin for user in users)
    assert sorted(message.to[0] for message in mail.outbox) == ["pbx0@globex.example", "pbx1@globex.example"]
    assert WelcomeLink.objects.filter(user__in=users, used_at=None, revoked_at=None).count() == 2
    assert AuditEvent.objects.filter(action="user.created", after__source="pbx").count() == 2
    summary = AuditEvent.objects.get(action="pbx_users.synchronized")
    assert summary.after == {"listed": 2, "create": 2, "update": 0, "remove": 0}


@pytest.mark.django_db
def test_pbx_users_appear_under_the_pbx_users_filter(account_admin, customer, member):
    from accounts import selectors

    sync(account_admin, customer, people(2))

    listed = selectors.user_list(actor=account_admin, account=customer, filters=["pbx"])
    assert sorted(user.email for user in listed) == ["pbx0@globex.example", "pbx1@globex.example"]


@pytest.mark.django_db
def test_applying_the_same_list_twice_changes_nothing_the_second_time(account_admin, customer):
    sync(account_admin, customer, people(3))
    state = list(pbx_users(customer).order_by("pk").values())
    audit_before = AuditEvent.objects.count()

    again = sync(account_admin, customer, people(3))

    assert again.applied and not again.has_changes and again.counts["unchanged"] == 3
    assert list(pbx_users(customer).order_by("pk").values()) == state
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_changed_names_extensions_and_emails_are_updates_not_new_users(account_admin, customer):
    sync(account_admin, customer, people(3))
    before = {u.email: u.user_id for u in pbx_users(customer)}
    changed = [
        person(0, first_name="Renamed"),  # same email and extension
        person(1, extension="20001"),  # matched by email
        person(2, email="new.address@globex.example"),  # matched by extension
    ]

    plan = sync(account_admin, customer, changed)

    assert plan.counts["update"] == 3 and plan.counts["create"] == 0 and plan.counts["remove"] == 0
    assert {u.user_id: (u.email, u.extension, u.first_name) for u in pbx_users(customer)} == {
        before["pbx0@globex.example"]: ("pbx0@globex.example", "10000", "Renamed"),
        before["pbx1@globex.example"]: ("pbx1@globex.example", "20001", "First1"),
        before["pbx2@globex.example"]: ("new.address@globex.example", "10002", "First2"),
    }
    event = AuditEvent.objects.get(action="user.updated", target_id=str(before["pbx2@globex.example"]))
    assert event.before == {"email": "pbx2@globex.example"} and event.after == {
        "email": "new.address@globex.example"
    }


@pytest.mark.django_db
def test_users_gone_from_the_pbx_are_deactivated_and_come_back_when_listed_again(
    account_admin, customer, django_capture_on_commit_callbacks
):
    sync(account_admin, customer, people(3))
    gone = pbx_users(customer).get(email="pbx2@globex.example")

    plan = sync(account_admin, customer, people(2))

    gone.refresh_from_db()
    assert [user.email for user in plan.removals] == ["pbx2@globex.example"]
    assert not gone.is_active and pbx_users(customer).count() == 3  # nothing is deleted
    assert not WelcomeLink.objects.filter(user=gone, revoked_at=None).exists()
    assert AuditEvent.objects.filter(action="user.deactivated", target_id=str(gone.user_id)).exists()
    assert sync(account_admin, customer, people(2)).has_changes is False

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        back = sync(account_admin, customer, people(3))

    gone.refresh_from_db()
    assert back.counts["update"] == 1 and back.updates[0].reactivates and gone.is_active
    assert [message.to for message in mail.outbox] == [["pbx2@globex.example"]]  # a fresh welcome link
    assert WelcomeLink.objects.filter(user=gone, revoked_at=None, used_at=None).count() == 1
    assert AuditEvent.objects.filter(action="user.reactivated", target_id=str(gone.user_id)).exists()


@pytest.mark.django_db
def test_a_user_not_added_by_the_pbx_is_never_taken_over(account_admin, customer, member):
    plan = sync(account_admin, customer, [person(1, email=member.email, first_name="Hijack"), person(2)])

    member.refresh_from_db()
    assert plan.counts["create"] == 1 and plan.counts["conflicts"] == 1
    (conflict,) = plan.conflicts
    assert (conflict.number, conflict.email, conflict.message) == (
        1,
        member.email,
        pbx_sync_services.NOT_FROM_PBX,
    )
    assert member.source == User.Source.MANUAL and member.name == "Uma User" and member.extension == ""


@pytest.mark.django_db
def test_other_users_of_the_account_are_never_removed(account_admin, customer, member):
    plan = sync(account_admin, customer, [])

    assert not plan.has_changes
    assert User.objects.filter(account=customer, is_active=True).count() == 2


@pytest.mark.django_db
def test_an_invalid_row_keeps_its_existing_user_unchanged_and_active(account_admin, customer):
    sync(account_admin, customer, people(2))

    plan = sync(account_admin, customer, [person(0, first_name="", last_name=""), person(1)])

    assert plan.counts == {
        "listed": 2,
        "create": 0,
        "update": 0,
        "remove": 0,
        "unchanged": 1,
        "errors": 1,
        "conflicts": 0,
    }
    assert plan.errors[0].number == 1 and plan.errors[0].message == pbx.NO_NAME
    assert pbx_users(customer).get(email="pbx0@globex.example").first_name == "First0"
    assert pbx_users(customer).filter(is_active=True).count() == 2


@pytest.mark.django_db
def test_never_deactivates_the_actor(customer, account_admin):
    pbx_admin = UserFactory(
        account=customer, role=User.Role.ACCOUNT_ADMIN, source=User.Source.PBX, extension="1"
    )

    plan = sync(pbx_admin, customer, [])

    assert plan.removals == [] and [(c.email, c.message) for c in plan.conflicts] == [
        (pbx_admin.email, pbx_sync_services.KEEP_SELF)
    ]
    pbx_admin.refresh_from_db()
    assert pbx_admin.is_active


@pytest.mark.django_db
def test_never_deactivates_the_accounts_last_admin(partner_admin, customer):
    lone_admin = UserFactory(
        account=customer, role=User.Role.ACCOUNT_ADMIN, source=User.Source.PBX, extension="1"
    )
    other_admin = UserFactory(
        account=customer, role=User.Role.ACCOUNT_ADMIN, source=User.Source.PBX, extension="2"
    )
    pbx_member = UserFactory(account=customer, source=User.Source.PBX, extension="3")

    plan = sync(partner_admin, customer, [])

    assert plan.removals == [lone_admin, pbx_member]  # one of the two admins goes, not both
    assert [(c.email, c.message) for c in plan.conflicts] == [
        (other_admin.email, pbx_sync_services.KEEP_LAST_ADMIN)
    ]
    assert list(User.objects.filter(account=customer, is_active=True)) == [other_admin]


@pytest.mark.django_db
def test_a_plan_that_changed_since_the_preview_is_not_applied(account_admin, customer):
    preview = pbx_users_services.pbx_sync_preview(actor=account_admin, account=customer, users=people(2))
    services.user_create(actor=account_admin, account=customer, email="pbx1@globex.example")  # meanwhile

    with pytest.raises(pbx_sync_services.PbxSyncPlanChanged) as caught:
        sync(account_admin, customer, people(2), expected_digest=preview.digest)

    assert caught.value.plan.counts["create"] == 1 and caught.value.plan.counts["conflicts"] == 1
    assert not pbx_users(customer).exists()
    assert (
        sync(account_admin, customer, people(2), expected_digest=caught.value.plan.digest).counts["create"]
        == 1
    )


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["preview", "apply"])
def test_the_2501st_user_is_refused_and_nothing_is_written(account_admin, customer, how):
    audit_before = AuditEvent.objects.count()
    service = pbx_users_services.pbx_sync_preview if how == "preview" else pbx_users_services.pbx_sync_apply

    with pytest.raises(ValidationError) as caught:
        service(actor=account_admin, account=customer, users=people(2_501))

    assert caught.value.message_dict["users"] == [pbx.too_many_message(2_501)]
    assert not pbx_users(customer).exists() and AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_only_user_managers_in_scope_may_synchronize(member, outsider, customer):
    for service in (pbx_users_services.pbx_sync_preview, pbx_users_services.pbx_sync_apply):
        with pytest.raises(PermissionDenied):
            service(actor=member, account=customer, users=people(1))
        with pytest.raises(Http404):
            service(actor=outsider, account=customer, users=people(1))
    assert not pbx_users(customer).exists()


# --- 2,500 users and the query count ----------------------------------------------------------


@pytest.mark.django_db
def test_sync_of_2500_users_creates_updates_removes_and_reruns_idempotently(account_admin, customer):
    created = sync(account_admin, customer, people(2_500))
    assert created.counts["create"] == 2_500 and pbx_users(customer).filter(is_active=True).count() == 2_500

    # 100 renamed, 200 gone from the PBX, 200 new ones: still 2,500.
    changed = [person(i, last_name="Renamed") if i < 100 else person(i) for i in range(2_300)] + people(
        200, 5_000
    )
    plan = sync(account_admin, customer, changed)

    assert (
        plan.counts["create"],
        plan.counts["update"],
        plan.counts["remove"],
        plan.counts["unchanged"],
    ) == (
        200,
        100,
        200,
        2_200,
    )
    assert pbx_users(customer).filter(is_active=True).count() == 2_500
    assert pbx_users(customer).filter(is_active=False).count() == 200
    assert pbx_users(customer).filter(last_name="Renamed").count() == 100

    audit_before = AuditEvent.objects.count()
    again = sync(account_admin, customer, changed)
    assert not again.has_changes and again.counts["unchanged"] == 2_500
    assert AuditEvent.objects.count() == audit_before

    with pytest.raises(ValidationError):
        sync(account_admin, customer, [*changed, person(9_999)])
    assert pbx_users(customer).filter(is_active=True).count() == 2_500


def _queries(actor, account, users) -> int:
    with CaptureQueriesContext(connection) as queries:
        sync(actor, account, users)
    return len(queries)


@pytest.mark.django_db
def test_queries_grow_with_batches_not_with_users(partner_admin, customer, partner):
    from tests.accounts.factories import CustomerAccountFactory

    other = CustomerAccountFactory(parent=partner)

    small_create = _queries(partner_admin, customer, people(50))
    large_create = _queries(partner_admin, other, people(1_000))
    # Then every user changes (update) and a batch of others is new (create) or gone (remove).
    small_mixed = _queries(
        partner_admin, customer, [person(i, last_name="X") for i in range(25)] + people(25, 100)
    )
    large_mixed = _queries(
        partner_admin, other, [person(i, last_name="X") for i in range(500)] + people(500, 5_000)
    )
    noop = _queries(partner_admin, other, [person(i, last_name="X") for i in range(500)] + people(500, 5_000))

    batches = -(-1_000 // pbx_sync_services.BATCH_SIZE)
    # 20 times the users: PostgreSQL runs one query per batch of users; SQLite also splits bulk
    # inserts by its limit of 999 parameters (about 50 users or 70 audit rows per insert).
    slack = 60 if connection.vendor == "sqlite" else 3 * batches
    assert large_create - small_create <= slack, (small_create, large_create)
    assert large_mixed - small_mixed <= slack, (small_mixed, large_mixed)
    assert noop <= 6, noop


# --- the push of one user ---------------------------------------------------------------------


@pytest.mark.django_db
def test_push_adds_a_pbx_user_with_the_welcome_email(
    account_admin, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = pbx_users_services.pbx_user_push(
            actor=account_admin,
            account=customer,
            email="Kim@Globex.example",
            extension="3001",
            last_name="Kim",
        )

    assert (user.source, user.email, user.extension, user.last_name) == (
        "pbx",
        "kim@globex.example",
        "3001",
        "Kim",
    )
    assert [message.to for message in mail.outbox] == [["kim@globex.example"]]


@pytest.mark.django_db
def test_push_needs_an_extension_a_name_and_a_free_extension(account_admin, customer):
    with pytest.raises(ValidationError) as caught:
        pbx_users_services.pbx_user_push(actor=account_admin, account=customer, email="kim@globex.example")
    assert caught.value.message_dict == {"extension": ["No extension"], "first_name": [pbx.NO_NAME]}

    pbx_users_services.pbx_user_push(
        actor=account_admin, account=customer, email="a@globex.example", extension="1", first_name="A"
    )
    with pytest.raises(ValidationError) as caught:
        pbx_users_services.pbx_user_push(
            actor=account_admin, account=customer, email="b@globex.example", extension="1", first_name="B"
        )
    assert caught.value.message_dict == {
        "extension": ["Extension 1 is already used by PBX user a@globex.example."]
    }


@pytest.mark.django_db
def test_push_refuses_the_2501st_pbx_user(account_admin, customer):
    sync(account_admin, customer, people(2_500))

    with pytest.raises(ValidationError) as caught:
        pbx_users_services.pbx_user_push(
            actor=account_admin,
            account=customer,
            email="one.more@globex.example",
            extension="1",
            first_name="O",
        )

    assert caught.value.message_dict["users"] == [pbx.too_many_message(2_501)]
    assert pbx_users(customer).count() == 2_500
