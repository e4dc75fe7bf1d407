"""A real SAML 2.0 identity provider for the tests: pysaml2's own IdP (``saml2.server.Server``)
with a self-signed certificate made here. It reads the portal's AuthnRequest and answers with a
signed ``SAMLResponse``; the knobs make the faulty answers the portal must refuse."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

IDP_ENTITY_ID = "https://idp.example.test/saml/metadata"
IDP_LOGIN_URL = "https://idp.example.test/saml/sso"


def self_signed_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate for it, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@dataclass
class SamlIdp:
    """One IdP: its signing key (``key_file``) and the certificate it publishes (``cert_file``)."""

    key_file: Path
    cert_file: Path
    sp_metadata: str
    entity_id: str = IDP_ENTITY_ID
    login_url: str = IDP_LOGIN_URL
    lifetime_minutes: int = 5

    @property
    def certificate_pem(self) -> str:
        return self.cert_file.read_text()

    def server(self) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": [self.sp_metadata]},
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(self.login_url, BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
            }
        )
        return Server(config=config)

    def metadata_xml(self) -> str:
        from saml2.metadata import create_metadata_string

        return create_metadata_string(None, config=self.server().config, valid=None).decode()

    def answer(
        self,
        redirect_url: str,
        *,
        email: str,
        attributes: dict | None = None,
        audience: str | None = None,
        sign: bool = True,
    ) -> dict[str, str]:
        """The form the IdP posts back for the AuthnRequest in ``redirect_url``:
        ``{"SAMLResponse", "RelayState"}`` and the ACS URL under ``"action"``."""
        query = parse_qs(urlsplit(redirect_url).query)
        server = self.server()
        request = server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message
        identity = {"email": [email], **(attributes or {})}
        response = server.create_authn_response(
            identity=identity,
            in_response_to=request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=sign,
            sign_response=False,
        )
        return {
            "action": request.assertion_consumer_service_url,
            "SAMLResponse": base64.b64encode(str(response).encode()).decode(),
            "RelayState": query["RelayState"][0],
            "binding": BINDING_HTTP_POST,
        }


LOGIN_PAGE = """<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Test IdP</h1><form method="post" action="/sso"><input type="hidden" name="q" value="{query}">
<label for="email">IdP email</label><input id="email" name="email">
<button type="submit">Sign in at the IdP</button></form></body></html>"""
POST_PAGE = """<!doctype html><html><head><title>Back to the portal</title></head><body>
<form id="back" method="post" action="{action}"><input type="hidden" name="SAMLResponse" value="{response}">
<input type="hidden" name="RelayState" value="{relay}"><button type="submit">Continue to the portal</button>
</form><script>document.getElementById("back").submit()</script></body></html>"""


def serve(idp: SamlIdp):
    """Run ``idp`` over HTTP (a login page at ``/sso``, then the auto-posting form a real IdP
    answers with) in a thread; returns the server (``server_address``, ``shutdown()``)."""
    import html
    import threading
    from urllib.parse import parse_qs as parse
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "GET":
            body = LOGIN_PAGE.format(query=html.escape(environ.get("QUERY_STRING", "")))
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse(environ["wsgi.input"].read(length).decode())
            answer = idp.answer(f"{idp.login_url}?{form['q'][0]}", email=form["email"][0])
            body = POST_PAGE.format(
                action=html.escape(answer["action"]),
                response=html.escape(answer["SAMLResponse"]),
                relay=html.escape(answer["RelayState"]),
            )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
