"""PUT /api/admin/2017-09-01/users/{email}/password {email, action: "forgot", accountId}: no token,
the reset email goes out through allauth's flow, and the answer never says whether the email exists."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.authn import user_authenticate
from accounts.models import Account
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"


@pytest.fixture
def forgot(django_capture_on_commit_callbacks):
    """PUT the forgot request with no token; queued emails are sent before it returns."""

    def put(email: str, body: dict | None = None, client: APIClient | None = None):
        body = {"email": email, "action": "forgot"} if body is None else body
        with django_capture_on_commit_callbacks(execute=True):
            return (client or APIClient()).put(f"{BASE}/users/{email}/password", body, format="json")

    return put


def reset_links() -> list[str]:
    return [
        re.search(r"https?://[^/\s]+(/auth/password/reset/key/\S+)", m.body).group(1) for m in mail.outbox
    ]


def test_a_registered_user_gets_a_reset_email_that_works(forgot, member):
    response = forgot(member.email)
    assert response.status_code == 200, response.json()
    [message] = mail.outbox
    assert message.to == [member.email]
    [link] = reset_links()

    client = Client()
    form_page = client.get(link, follow=True)
    assert 'name="password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
    )
    assert done.status_code == 302
    assert user_authenticate(email=member.email, password="a-brand-new-secret-42") == member


def test_the_answer_is_the_same_whether_or_not_the_email_exists(forgot, member):
    known = forgot(member.email)
    unknown = forgot("nobody@nowhere.example")
    assert known.status_code == unknown.status_code == 200
    assert set(known.json()) == {"email", "action", "message"}
    assert known.json()["message"] == unknown.json()["message"]
    assert known.json()["action"] == unknown.json()["action"] == "forgot"
    assert [m.to for m in mail.outbox] == [[member.email]]  # nothing is mailed to an unknown address


def test_known_and_unknown_emails_cost_the_request_the_same_work(member, django_capture_on_commit_callbacks):
    """Nothing in the request depends on whether the email is known: same answer, same queries,
    one queued task and no email rendered or sent. The lookup and the email happen in the task,
    so the answer also takes the same time."""

    def ask(email: str):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            response = APIClient().put(f"{BASE}/users/{email}/password", {"action": "forgot"}, format="json")
        return response, [q["sql"] for q in queries.captured_queries], callbacks

    known, known_queries, known_tasks = ask(member.email)
    unknown, unknown_queries, unknown_tasks = ask("nobody@globex.example")

    assert known.status_code == unknown.status_code == 200
    assert known.json()["message"] == unknown.json()["message"]
    assert len(known_queries) == len(unknown_queries)
    assert not [sql for sql in known_queries + unknown_queries if "accounts_user" in sql]  # no lookup
    assert len(known_tasks) == len(unknown_tasks) == 1
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):  # the tasks run, and queue the email
        for task in known_tasks + unknown_tasks:
            task()

    assert [message.to for message in mail.outbox] == [[member.email]]


def test_with_account_id_only_that_accounts_user_gets_the_email(forgot, member, customer, outsider_customer):
    twin = UserFactory(account=outsider_customer, email=member.email)
    for ref in (str(outsider_customer.account_id), outsider_customer.account_number):
        mail.outbox.clear()
        response = forgot(member.email, {"email": member.email, "action": "forgot", "accountId": ref})
        assert response.status_code == 200
        [link] = reset_links()
        assert f"/key/{_uid(twin)}-" in link  # the twin's reset link, not the member's


def _uid(user) -> str:
    from allauth.account.utils import user_pk_to_url_str

    return user_pk_to_url_str(user)


def test_without_account_id_every_accounts_user_gets_one(forgot, member, outsider_customer):
    twin = UserFactory(account=outsider_customer, email=member.email)
    forgot(member.email)
    assert len(mail.outbox) == 2
    assert sorted(re.search(r"/key/([^-]+)-", link).group(1) for link in reset_links()) == sorted(
        [_uid(member), _uid(twin)]
    )


def test_an_account_without_that_email_sends_nothing_and_says_the_same(forgot, member, outsider_customer):
    response = forgot(member.email, {"action": "forgot", "accountId": outsider_customer.account_number})
    assert response.status_code == 200 and response.json()["email"] == member.email
    assert not mail.outbox


@pytest.mark.parametrize("account_ref", ["999999999", "not-an-account", ""])
def test_an_unknown_account_sends_nothing_and_says_the_same(forgot, member, account_ref):
    response = forgot(member.email, {"email": member.email, "action": "forgot", "accountId": account_ref})
    assert response.status_code == 200
    assert len(mail.outbox) == (1 if account_ref == "" else 0)


def test_unregistered_inactive_or_deactivated_users_get_nothing(forgot, customer, outsider_customer):
    UserFactory(account=customer, email="invited@globex.example", is_registered=False, password=False)
    UserFactory(account=customer, email="gone@globex.example", is_active=False)
    UserFactory(account=outsider_customer, email="frozen@initech.example")
    Account.objects.filter(pk=outsider_customer.pk).update(status=Account.Status.DEACTIVATED)
    for email in ("invited@globex.example", "gone@globex.example", "frozen@initech.example"):
        assert forgot(email).status_code == 200
    assert not mail.outbox


def test_no_token_is_needed_and_a_bad_one_is_ignored(forgot, member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert forgot(member.email, client=client).status_code == 200
    assert len(mail.outbox) == 1


def test_the_path_email_is_enough(forgot, member):
    assert forgot(member.email.upper(), {}).status_code == 200
    assert mail.outbox[0].to == [member.email]


@pytest.mark.parametrize(
    "path_email, body, says",
    [
        ("uma@globex.example", {"email": "other@globex.example", "action": "forgot"}, "differs"),
        ("not-an-email", {"action": "forgot"}, "email"),
        ("uma@globex.example", {"email": "uma@globex.example", "action": "reset"}, "action"),
    ],
)
def test_bad_requests_are_400(forgot, member, path_email, body, says):
    response = forgot(path_email, body)
    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError" and says in response.json()["message"]
    assert not mail.outbox


def test_rate_limited_like_the_consoles_reset_form_with_retry_after_in_ms(forgot, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "100/m/ip,2/m/key"}
    Client().post("/auth/password/reset/", {"email": member.email})  # the console spends the same budget
    assert forgot(member.email).status_code == 200
    limited = forgot(member.email)
    assert limited.status_code == 429
    assert limited.json()["name"] == "TooManyRequests"
    assert limited["retry-after"] == "60000"
    # An unknown email has its own budget and is limited the same way: nothing to tell them apart.
    assert [forgot("nobody@nowhere.example").status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limited_per_address_too(forgot, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/5m/ip,100/m/key"}
    statuses = [forgot(f"n{n}@nowhere.example").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert forgot(member.email)["retry-after"] == "300000"
