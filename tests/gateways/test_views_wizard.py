"""The setup wizard's pages: Customer -> Gateway -> PBX -> Connect, Back / Next, validation, the state kept
in the database (resume after a reload, another admin sees it), the connect job's page and its polled
progress fragment."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from gateways.models import ConnectJob, Gateway, GatewaySetup
from tests.gateways.helpers import customer_data, gateway_data, pbx_data

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def step_url(account, step: str) -> str:
    return reverse("gateways:gateway_setup_step", args=[account.account_number, step])


def walk_to_connect(client, account, port: int, **pbx) -> None:
    for step, data in (
        ("customer", customer_data()),
        ("gateway", gateway_data()),
        ("pbx", pbx_data(port, **pbx)),
    ):
        response = client.post(step_url(account, step), data)
        assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]


def test_add_gateway_opens_the_customer_step_prefilled_from_the_account(client_for, account_admin, customer):
    client = client_for(account_admin)

    response = client.get(reverse("gateways:gateway_setup", args=[customer.account_number]))
    assert response.status_code == HTTPStatus.FOUND and response.url == step_url(customer, "customer")
    html = client.get(response.url).content.decode()

    assert 'aria-current="step"' in html and "Customer information" in html
    assert f'value="{customer.name}"' in html
    assert 'value="ada@globex.example"' in html, "the admin is prefilled as the Onsite Admin"
    assert not GatewaySetup.objects.exists(), "opening the wizard writes nothing"


def test_next_saves_the_step_and_opens_the_following_one(client_for, account_admin, customer):
    response = client_for(account_admin).post(step_url(customer, "customer"), customer_data())

    assert response.status_code == HTTPStatus.FOUND and response.url == step_url(customer, "gateway")
    assert GatewaySetup.objects.get(account=customer).step == "gateway"


def test_an_invalid_step_is_shown_again_with_its_errors(client_for, account_admin, customer):
    client = client_for(account_admin)
    client.post(step_url(customer, "customer"), customer_data())

    response = client.post(step_url(customer, "gateway"), gateway_data(default_gateway="10.0.0.1"))

    assert response.status_code == HTTPStatus.OK
    assert "is not in the gateway&#x27;s subnet 192.168.10.0/24" in response.content.decode()
    assert "gateway" not in GatewaySetup.objects.get(account=customer).data


def test_htmx_posts_answer_with_the_step_fragment_or_a_client_redirect(client_for, account_admin, customer):
    client = client_for(account_admin)

    invalid = client.post(step_url(customer, "customer"), customer_data(contacts=[]), **HX)
    assert invalid.status_code == HTTPStatus.OK
    html = invalid.content.decode()
    assert html.lstrip().startswith('<section id="wizard-step"') and "<html" not in html
    assert "Add at least one Maintainer and one Onsite Admin" in html

    valid = client.post(step_url(customer, "customer"), customer_data(), **HX)
    assert valid.headers["HX-Redirect"] == step_url(customer, "gateway")


def test_add_a_contact_adds_a_row_and_saves_nothing(client_for, account_admin, customer):
    response = client_for(account_admin).post(
        step_url(customer, "customer"), customer_data() | {"add_contact": "1"}
    )

    html = response.content.decode()
    assert 'name="contact-2-email"' in html and 'value="ada@globex.example"' in html
    assert "field-error" not in html
    assert not GatewaySetup.objects.exists()


def test_steps_ahead_of_the_wizard_redirect_to_the_step_to_resume(client_for, account_admin, customer):
    response = client_for(account_admin).get(step_url(customer, "pbx"))

    assert response.status_code == HTTPStatus.FOUND and response.url == step_url(customer, "customer")


def test_a_reload_resumes_and_another_admin_sees_the_same_state(
    client_for, account_admin, partner_admin, customer
):
    client_for(account_admin).post(step_url(customer, "customer"), customer_data())
    client_for(account_admin).post(step_url(customer, "gateway"), gateway_data(name="Site A"))

    other = client_for(partner_admin)
    response = other.get(reverse("gateways:gateway_setup", args=[customer.account_number]))
    assert response.url == step_url(customer, "pbx")
    html = other.get(step_url(customer, "gateway")).content.decode()
    assert 'value="Site A"' in html, "Back shows what was saved"
    assert (
        "Resume setup"
        in other.get(reverse("gateways:gateway_detail", args=[customer.account_number])).content.decode()
    )


def test_the_password_typed_in_the_pbx_step_is_never_shown_again(client_for, account_admin, customer):
    client = client_for(account_admin)
    walk_to_connect(client, customer, 8882, csta_password="cloudlink-secret")
    assert GatewaySetup.objects.get(account=customer).pbx_password == "cloudlink-secret"

    html = client.get(step_url(customer, "pbx")).content.decode()

    assert "cloudlink-secret" not in html and "a password is stored" in html


def test_connect_runs_the_job_and_its_page_shows_connected(
    client_for, account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    walk_to_connect(client, customer, pbx_simulator.port)
    assert f"127.0.0.1:{pbx_simulator.port}" in client.get(step_url(customer, "connect")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(customer, "connect"))

    job = ConnectJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("gateways:gateway_job", args=[customer.account_number, job.job_id])
    html = client.get(response.url).content.decode()
    assert 'data-status="connected"' in html and "Connected." in html and 'hx-trigger="every 1s"' not in html
    assert Gateway.objects.get(account=customer).status == "connected"


def test_a_failed_connect_shows_the_error_and_offers_to_fix_and_retry(
    client_for, account_admin, customer, closed_port, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    walk_to_connect(client, customer, closed_port)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(customer, "connect"))

    html = client.get(response.url).content.decode()

    assert 'data-error-code="refused"' in html and "refused the connection" in html
    assert "Back to the PBX settings" in html and "Try again" in html
    assert "The last attempt failed" in client.get(step_url(customer, "connect")).content.decode()


def test_the_progress_fragment_polls_while_running_and_stops_when_finished(
    client_for, account_admin, customer, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    walk_to_connect(client, customer, 8882)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(step_url(customer, "connect"))
    job = ConnectJob.objects.get()
    status_url = reverse("gateways:gateway_job_status_hx", args=[customer.account_number, job.job_id])

    running = client.get(status_url, **HX)
    assert running.status_code == HTTPStatus.OK and 'hx-trigger="every 1s"' in running.content.decode()
    assert "Waiting to start" in running.content.decode()

    ConnectJob.objects.filter(pk=job.pk).update(status="failed", error_code="refused", error="Nope.")
    finished = client.get(status_url, **HX)
    assert finished.status_code == 286 and "hx-trigger" not in finished.content.decode()
    assert client.get(status_url).status_code == HTTPStatus.FOUND, "without htmx: the job page"


def test_a_member_gets_403_an_outsider_404_and_anonymous_the_sign_in(client_for, member, outsider, customer):
    url = step_url(customer, "customer")

    assert client_for(member).get(url).status_code == HTTPStatus.FORBIDDEN
    assert client_for(member).post(url, customer_data()).status_code == HTTPStatus.FORBIDDEN
    assert client_for(outsider).get(url).status_code == HTTPStatus.NOT_FOUND
    response = Client().get(url)
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")
    assert not GatewaySetup.objects.exists()


def test_unknown_steps_are_404_and_a_partner_account_gets_the_explanation(
    client_for, partner_admin, partner, customer
):
    client = client_for(partner_admin)

    assert client.get(step_url(customer, "nope")).status_code == HTTPStatus.NOT_FOUND
    response = client.get(step_url(partner, "customer"), follow=True)
    assert "can&#x27;t be added to a partner account" in response.content.decode()
