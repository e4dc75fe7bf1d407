"""SAML 2.0 service provider of an account, on pysaml2 (signatures checked by xmlsec1, never here).

The SP of account ``A`` has the entity ID ``<base>/api/authentication/2017-09-01/saml2/<A>`` and
its assertion consumer service at ``.../saml2/<A>/cs`` (the URLs Microsoft's Entra ID guide for
CloudLink uses). The IdP is described to pysaml2 by its metadata: the XML uploaded or fetched, or
one built from the entity ID, login URL and certificates given through the API.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import InMemoryMetaData
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import get_xmlsec_binary

from accounts.models import Account

API_BASE = "/api/authentication/2017-09-01"
PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)


class MetadataInvalid(ValueError):
    pass


@dataclass
class IdpMetadata:
    entity_id: str
    login_url: str
    logout_url: str = ""
    certificates: list[str] = field(default_factory=list)  # PEM


def sp_entity_id(account: Account) -> str:
    return f"{settings.PORTAL_BASE_URL}{API_BASE}/saml2/{account.account_id}"


def acs_url(account: Account) -> str:
    return f"{sp_entity_id(account)}/cs"


def _cert_body(pem: str) -> str:
    return "".join(pem.split())


def certificates_from_text(text: str) -> list[str]:
    """PEM certificates in ``text`` (PEM blocks, or one bare base64 certificate as CloudLink sends)."""
    bodies = [match.group(1) for match in PEM.finditer(text or "")]
    if not bodies and (text or "").strip():
        bodies = [text]
    certificates = []
    for body in bodies:
        compact = _cert_body(body)
        try:
            base64.b64decode(compact, validate=True)
        except ValueError as exc:
            raise MetadataInvalid("A certificate is not valid base64 (PEM).") from exc
        lines = "\n".join(compact[i : i + 64] for i in range(0, len(compact), 64))
        certificates.append(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n")
    return certificates


def _service(store: InMemoryMetaData, entity_id: str, service: str, binding: str) -> list[dict]:
    return store.service(entity_id, "idpsso_descriptor", service, binding) or []


def metadata_parse(xml: str) -> IdpMetadata:
    """The IdP entity ID, login (SSO, redirect binding) and logout URLs and signing certificates."""
    store = InMemoryMetaData(None, None)
    try:
        store.parse(xml)
    except Exception as exc:  # pysaml2 raises several types for malformed metadata
        raise MetadataInvalid(f"The metadata is not valid SAML 2.0 metadata ({exc}).") from exc
    idps = [entity_id for entity_id, entity in store.items() if "idpsso_descriptor" in entity]
    if len(idps) != 1:
        raise MetadataInvalid("The metadata must describe exactly one identity provider (IDPSSODescriptor).")
    entity_id = idps[0]
    login = _service(store, entity_id, "single_sign_on_service", BINDING_HTTP_REDIRECT) or _service(
        store, entity_id, "single_sign_on_service", BINDING_HTTP_POST
    )
    if not login:
        raise MetadataInvalid("The metadata names no SingleSignOnService for the redirect or POST binding.")
    logout = _service(store, entity_id, "single_logout_service", BINDING_HTTP_REDIRECT)
    certs = [cert for _, cert in store.certs(entity_id, "idpsso", "signing")]
    if not certs:
        raise MetadataInvalid("The metadata holds no signing certificate.")
    return IdpMetadata(
        entity_id=entity_id,
        login_url=login[0]["location"],
        logout_url=logout[0]["location"] if logout else "",
        certificates=certificates_from_text(
            "\n".join(f"-----BEGIN CERTIFICATE-----{c}-----END CERTIFICATE-----" for c in certs)
        ),
    )


def metadata_build(meta: IdpMetadata) -> str:
    """IdP metadata for pysaml2 from the fields CloudLink's API carries."""
    keys = "".join(
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{escape(_cert_body(PEM.search(pem).group(1)))}"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for pem in meta.certificates
    )
    logout = (
        f'<md:SingleLogoutService Binding="{BINDING_HTTP_REDIRECT}" Location={quoteattr(meta.logout_url)}/>'
        if meta.logout_url
        else ""
    )
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(meta.entity_id)}>'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}{logout}"
        f'<md:SingleSignOnService Binding="{BINDING_HTTP_REDIRECT}" Location={quoteattr(meta.login_url)}/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def sp_config(account: Account, idp_metadata_xml: str) -> SPConfig:
    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(account),
            "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
            "metadata": {"inline": [idp_metadata_xml]},
            "accepted_time_diff": settings.PORTAL_SSO_CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,  # role claims (Entra's .../claims/role) have no converter
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(acs_url(account), BINDING_HTTP_POST)]},
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
                }
            },
        }
    )
    return config


def sp_metadata(account: Account) -> str:
    """This SP's metadata (entity ID and ACS URL), for IdPs that import it."""
    from saml2.metadata import create_metadata_string

    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(account),
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(acs_url(account), BINDING_HTTP_POST)]},
                    "want_assertions_signed": True,
                    "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
                }
            },
        }
    )
    return create_metadata_string(None, config=config, valid=None).decode()


def client(account: Account, idp_metadata_xml: str) -> Saml2Client:
    return Saml2Client(config=sp_config(account, idp_metadata_xml))
