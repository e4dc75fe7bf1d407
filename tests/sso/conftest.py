"""Identity providers for the SSO tests: pysaml2's IdP in-process, oidc-provider run by Node."""

from __future__ import annotations

import pytest

from sso import saml
from tests.oauth.helpers import app  # noqa: F401 (a fixture: an application deployed in customer)
from tests.sso.saml_idp import SamlIdp, self_signed_certificate


@pytest.fixture
def saml_idp(tmp_path, customer, settings):
    """pysaml2's IdP, knowing the SP of ``customer`` from the SP's metadata."""
    key_file, cert_file = self_signed_certificate(tmp_path, "idp")
    return SamlIdp(key_file=key_file, cert_file=cert_file, sp_metadata=saml.sp_metadata(customer))


@pytest.fixture
def impostor_idp(tmp_path, customer):
    """Another IdP under the same entity ID, signing with a key the account never trusted."""
    key_file, cert_file = self_signed_certificate(tmp_path, "impostor")
    return SamlIdp(key_file=key_file, cert_file=cert_file, sp_metadata=saml.sp_metadata(customer))
