"""Single sign-on in a real browser: an admin sets the account's identity provider up on the
console page, then a user enters only their email on the sign-in page, signs in at the IdP
(pysaml2's over HTTP, or oidc-provider run by Node) and lands in the console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sso import saml
from sso.sign_in import oidc_redirect_uri
from tests.browser.conftest import sign_in
from tests.sso import conftest as sso_fixtures
from tests.sso.conftest import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
from tests.sso.saml_idp import SamlIdp, self_signed_certificate, serve

oidc_idp_process = sso_fixtures.oidc_idp_process  # the session fixture that runs oidc-provider
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_base(settings, live_server):
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url


def _sso_page(page, customer):
    page.goto(f"/accounts/{customer.account_number}/sso/")
    expect(page.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()


def _email_step(page, email: str) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Next").click()


def test_saml_set_up_then_sign_in_through_the_idp(
    new_page, portal_base, tmp_path, customer, account_admin, member, password
):
    key_file, cert_file = self_signed_certificate(tmp_path, "idp")
    idp = SamlIdp(key_file=key_file, cert_file=cert_file, sp_metadata=saml.sp_metadata(customer))
    server = serve(idp)
    idp.login_url = f"http://127.0.0.1:{server.server_address[1]}/sso"
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(idp.metadata_xml())
    try:
        admin = new_page()
        sign_in(admin, account_admin.email, password)
        _sso_page(admin, customer)
        expect(admin.get_by_test_id("sp-entity-id")).to_have_text(saml.sp_entity_id(customer))
        expect(admin.get_by_test_id("acs-url")).to_have_text(saml.acs_url(customer))
        admin.get_by_label("Protocol").select_option("SAML")
        admin.get_by_label("Or upload the metadata XML").set_input_files(str(metadata))
        admin.get_by_role("button", name="Save single sign-on").click()
        expect(admin.get_by_text("Single sign-on saved.")).to_be_visible()
        expect(admin.get_by_test_id("idp-certificate")).to_have_count(1)

        user = new_page()
        _email_step(user, member.email)
        expect(user.get_by_role("heading", name="Test IdP")).to_be_visible()
        user.get_by_label("IdP email").fill(member.email)
        user.get_by_role("button", name="Sign in at the IdP").click()
        user.wait_for_url(re.compile(r"/auth/password/change/$"))  # a user's own page in the console
        expect(user.get_by_role("banner")).to_contain_text(member.name)
    finally:
        server.shutdown()


def test_oidc_set_up_then_sign_in_through_the_provider(
    new_page,
    portal_base,
    oidc_idp_process,
    customer,
    account_admin,
    member,
    password,  # noqa: F811
):
    issuer = oidc_idp_process([oidc_redirect_uri(customer)])
    admin = new_page()
    sign_in(admin, account_admin.email, password)
    _sso_page(admin, customer)
    admin.get_by_label("Protocol").select_option("OIDC")
    admin.locator("#id_oidc_issuer").fill(issuer)
    admin.locator("#id_oidc_client_id").fill(OIDC_CLIENT_ID)
    admin.locator("#id_oidc_client_secret").fill(OIDC_CLIENT_SECRET)
    admin.get_by_role("button", name="Save single sign-on").click()
    expect(admin.get_by_text("Single sign-on saved.")).to_be_visible()

    user = new_page()
    _email_step(user, member.email)
    user.locator('input[name="login"]').fill(member.email)
    user.locator('input[name="password"]').fill("any")
    user.get_by_role("button", name=re.compile("Sign-in", re.IGNORECASE)).click()
    user.get_by_role("button", name=re.compile("Continue", re.IGNORECASE)).click()
    user.wait_for_url(re.compile(r"/auth/password/change/$"))
    expect(user.get_by_role("banner")).to_contain_text(member.name)
