"""Authentication service views: ``/token``, the JWKS and the authorization-server metadata.

Thin by design: the rules are in ``accounts.authn`` (who may sign in), ``oauth.grants`` (every
grant), ``oauth.refresh`` (token pairs, rotation, revocation) and ``oauth.tokens`` (signing,
verification, keys).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authn import InvalidCredentials, SignInError
from accounts.forms import SignInForm
from accounts.refs import is_account_ref
from accounts.second_factor import SecondFactorRequired, signs_in_with_second_factor
from accounts.sign_in_throttle import SignInLocked, lock_retry_after
from accounts.sign_in_views import sign_in_page_refused
from core.api.errors import ApiError, ErrorSerializer, error_response, error_responses
from core.api.fields import AccountRefField
from core.api.parsers import JSONParser
from core.csp import csp_allow, origin_source
from core.throttle import retry_after_ms
from oauth import grants as oauth
from oauth import guests, tokens
from oauth.api.serializers import (
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    PASSWORD,
    REFRESH_TOKEN,
    SUPPORTED_GRANTS,
    AuthCodeSerializer,
    AuthorizeErrorSerializer,
    AuthorizeRequestSerializer,
    ClaimsSerializer,
    ConflictSerializer,
    GuestTokenRequestSerializer,
    JsonWebKeySetSerializer,
    OAuthMetadataSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    claims_representation,
    token_representation,
)
from oauth.assume_role import assumed_role_token_grant
from oauth.authentication import CloudLinkTokenAuthentication
from oauth.refresh import TokenPair, token_pair_issue

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 section 5.1


def _issuer(request: Request) -> str:
    return tokens.issuer_for(request.build_absolute_uri("/"))


def _password_sign_in(request: Request, params: dict):
    """Authenticate through allauth's adapter, where every password check is throttled
    (``accounts.sign_in_throttle``: the console's policy and counts)."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ValidationError

    django_request = request._request
    try:
        user = get_adapter(django_request).authenticate(
            django_request,
            email=params["username"],
            password=params["password"],
            account=params.get("account_id") or None,
        )
    except ValidationError as exc:
        retry_after = lock_retry_after([exc])
        if retry_after is None:
            raise
        raise SignInLocked(exc.messages[0], retry_after) from exc
    if user is None:
        raise getattr(django_request, "sign_in_error", None) or InvalidCredentials()
    if signs_in_with_second_factor(user):  # a password alone is not enough: the browser flow asks
        raise SecondFactorRequired()
    return user


def _with_retry_after(response: Response, exc: SignInError) -> Response:
    if isinstance(exc, SignInLocked):
        response["retry-after"] = retry_after_ms(exc.retry_after)
    return response


def _sign_in_error(exc: SignInError, **extra) -> Response:
    """The one answer to a refused sign-in, for ``/token`` and ``/authorize``: the spec's error body
    (its 409 ``MultipleMatching`` carries ``labels``) and ``retry-after`` when locked.

    Returned, not raised: a reused refresh token's family revocation must stay committed even if
    the request runs in a transaction (ATOMIC_REQUESTS) that errors roll back."""
    if exc.status == status.HTTP_409_CONFLICT:
        extra["labels"] = []
    return _with_retry_after(error_response(exc.name, exc.message, exc.status, **extra), exc)


class TokenView(APIView):
    """``POST /token`` issues tokens (grants password and refresh_token; 201 with the spec's
    ``token``); ``GET /token`` returns the caller's claims (the spec's ``claims``)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    accepts_token_principals = True  # GET /token answers application and guest tokens too

    def _authenticates_by_body(self) -> bool:
        # POST authenticates by its body: a stale or garbage Authorization header (Postman
        # sends its collection-level bearer on this call too) must not turn it into a 401.
        return getattr(getattr(self, "request", None), "method", "GET") in ("POST", "OPTIONS")

    def get_authenticators(self):
        return [] if self._authenticates_by_body() else [CloudLinkTokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self._authenticates_by_body() else [IsAuthenticated()]

    @extend_schema(
        operation_id="getClaims",
        summary="Get/validate a token (who am I)",
        responses={200: ClaimsSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(claims_representation(request.auth), headers=_NO_STORE)

    @extend_schema(
        operation_id="createToken",
        summary="Create a token: grants password, refresh_token, authorization_code, client_credentials, token exchange",
        description="Form or JSON body; grant_type is case-insensitive. A bearer Authorization header is "
        "ignored; HTTP Basic carries client credentials. The password grant is the user's own sign-in: "
        "a registered application's client_id (body or Basic) is refused with 403 InvalidClient. "
        "After too many failed sign-ins for the email from the caller's address (the console's policy, "
        "`PORTAL_SIGN_IN_FAILURES`, default 5 in 5 minutes) the answer is 429 `TooManyRequests` with "
        "`retry-after`: the milliseconds until the lock ends. "
        "A user who signs in with a second factor (or an admin whose account requires one) gets 403 "
        "`SecondFactorRequired` on the password grant: the browser flow (GET /authorize) asks for the factor. "
        "Tokens of the authorization_code flow name the application in `azp` and end when it is "
        "blocked, deleted or undeployed. "
        "Token exchange with `subject_token_type` `urn:ietf:params:oauth:token-type:id_token` (or `:jwt`): "
        "a token of an issuer the account trusts (`/trusted-issuers`), checked against its JWKS, issuer, "
        "audience and expiry, gives the token pair of the account's user with the token's email "
        "(`account_id` picks the account when several trust the issuer).",
        request={
            "application/x-www-form-urlencoded": TokenRequestSerializer,
            "application/json": TokenRequestSerializer,
        },
        responses={201: TokenSerializer, 409: ConflictSerializer, **error_responses(400, 401, 403, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except ParseError as exc:
            raise ApiError(
                "MissingBodyInRequest", "The request body is not valid JSON or form data."
            ) from exc
        serializer = TokenRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        try:
            body = self._grant(request, params)
        except SignInError as exc:
            return _sign_in_error(exc)
        return Response(body, status=status.HTTP_201_CREATED, headers=_NO_STORE)

    def _grant(self, request: Request, params: dict) -> dict:
        issuer = _issuer(request)
        mitel_app = getattr(request, "mitel_app", "")
        grant, scope = params["grant_type"], params["scope"]
        client_id, client_secret = _client_credentials(request, params)
        extra = {}
        if grant == PASSWORD:
            basic = oauth.basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
            oauth.password_grant_client_refuse(client_id, basic[0] if basic else "")
            user = _password_sign_in(request, params)
            pair = token_pair_issue(user=user, issuer=issuer, mitel_app=mitel_app)
        elif grant == REFRESH_TOKEN:
            pair = oauth.refresh_token_grant(
                token=params["refresh_token"], issuer=issuer, mitel_app=mitel_app
            )
        elif grant == AUTHORIZATION_CODE:
            pair, code_scope = oauth.authorization_code_exchange(
                code=params["code"],
                client_id=client_id,
                client_secret=client_secret,
                redirect_uri=params.get("redirect_uri", ""),
                code_verifier=params.get("code_verifier", ""),
                issuer=issuer,
                mitel_app=mitel_app,
            )
            scope = scope or code_scope
        elif grant == CLIENT_CREDENTIALS:
            access, expires_in, scope = oauth.client_credentials_grant(
                client_id=client_id,
                client_secret=client_secret,
                account_ref=params.get("account_id", ""),
                scope=scope,
                issuer=issuer,
            )
            pair = TokenPair(access_token=access, expires_in=expires_in, refresh_token="")
        elif exchange := oauth.SUBJECT_TOKEN_EXCHANGES.get(params.get("subject_token_type", "")):
            user = exchange(subject_token=params["subject_token"], account_ref=params.get("account_id", ""))
            pair = token_pair_issue(user=user, issuer=issuer, mitel_app=mitel_app)
            extra["issued_token_type"] = tokens.TOKEN_EXCHANGE_ACCESS_TOKEN
        else:  # token exchange: Delegated Authentication
            if not params.get("requested_subject"):
                raise ApiError(
                    "MissingParameters",
                    "Token exchange with an application's token needs requested_subject; a trusted "
                    f"issuer's token needs subject_token_type {' or '.join(oauth.SUBJECT_TOKEN_EXCHANGES)}.",
                    400,
                )
            access, expires_in = oauth.delegation_token_exchange(
                client_id=client_id,
                client_secret=client_secret,
                subject_token=params["subject_token"],
                subject_token_type=params.get("subject_token_type", ""),
                requested_subject=params["requested_subject"],
                issuer=issuer,
            )
            pair = TokenPair(access_token=access, expires_in=expires_in, refresh_token="")
            extra["issued_token_type"] = tokens.TOKEN_EXCHANGE_ACCESS_TOKEN
        return token_representation(pair, scope=scope, **extra)


def _client_credentials(request: Request, params: dict) -> tuple[str, str]:
    """``client_id`` and ``client_secret`` from the body, else from HTTP Basic."""
    basic = oauth.basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
    client_id = params.get("client_id", "").strip() or (basic[0] if basic else "")
    secret = params.get("client_secret", "")
    if not secret and basic and basic[0] == client_id:
        secret = basic[1]
    return client_id, secret


def _request_data(request: Request, shape: type[serializers.Serializer]) -> dict:
    """The body's string parameters. A documented one (a field of ``shape``) that is not a string (an
    account reference may be a number) or is longer than its ``max_length`` is a 400 ``InvalidRequest``."""
    try:
        data = request.data
    except ParseError as exc:
        raise ApiError("MissingBodyInRequest", "The request body is not valid JSON or form data.") from exc
    if not hasattr(data, "get"):
        raise ApiError(
            "MissingBodyInRequest", "The request body must be a set of form fields or a JSON object."
        )
    fields = shape().fields
    if not isinstance(data, QueryDict):  # JSON: hold documented parameters to their type
        data = {
            key: _account_ref_text(value) if isinstance(fields.get(key), AccountRefField) else value
            for key, value in data.items()
        }
        not_text = sorted(
            key for key in fields if data.get(key) is not None and not isinstance(data[key], str)
        )
        if not_text:
            raise ApiError("InvalidRequest", f"These parameters must be strings: {', '.join(not_text)}.")
    params = {key: value for key, value in data.items() if isinstance(value, str)}
    too_long_fields = [
        name
        for name, field in fields.items()
        if getattr(field, "max_length", None) and len(params.get(name, "")) > field.max_length
    ]
    too_long = [f"{name} (at most {fields[name].max_length} characters)" for name in too_long_fields]
    if too_long:
        # A shape may name the error its service gives for that field (CloudLink's names).
        names = {getattr(shape, "length_errors", {}).get(name) for name in too_long_fields} - {None}
        raise ApiError(
            names.pop() if len(names) == 1 else "InvalidRequest", f"Too long: {', '.join(too_long)}."
        )
    return params


def _account_ref_text(value):
    """An account number sent as a JSON number, as text (``AccountRefField``)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# --- /authorize -------------------------------------------------------------------------------------


def _authorize_error(exc: SignInError) -> Response:
    return _sign_in_error(exc, error=oauth.oauth_error_code(exc), error_description=exc.message)


def _code_request(params) -> oauth.CodeRequest:
    return oauth.CodeRequest(
        client_id=(params.get("client_id") or "").strip(),
        redirect_uri=(params.get("redirect_uri") or "").strip(),
        scope=" ".join((params.get("scope") or "").split()),
        code_challenge=(params.get("code_challenge") or "").strip(),
        code_challenge_method=(params.get("code_challenge_method") or "").strip(),
    )


class AuthorizeView(APIView):
    """``POST /authorize``: an authorization code for a user's credentials (CloudLink's
    programmatic flow; 201 ``{code}``). ``GET /authorize`` is the browser flow: the portal's
    sign-in (or, for a signed-in console user, a consent) page, then a 302 to the redirect URI."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def perform_authentication(self, request):
        """Nothing to authenticate (POST carries credentials); and leave the console session's
        ``request.user`` alone for the browser page (DRF would overwrite it with None)."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> HttpResponse:
        return authorize_page(request._request)

    @extend_schema(
        operation_id="createAuthorizationCode",
        summary="Create an authorization code (PKCE S256 supported)",
        request={
            "application/x-www-form-urlencoded": AuthorizeRequestSerializer,
            "application/json": AuthorizeRequestSerializer,
        },
        description="Failed passwords count like the console's sign-in: while locked, 429 "
        "`TooManyRequests` with `retry-after` in milliseconds.",
        responses={
            201: AuthCodeSerializer,
            409: ConflictSerializer,
            **dict.fromkeys((400, 401, 403, 404, 429), AuthorizeErrorSerializer),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        try:
            data = _request_data(request, AuthorizeRequestSerializer)
        except ApiError as exc:
            return _authorize_error(SignInError(exc.name, str(exc.detail), 400))
        missing = [
            name for name in ("response_type", "client_id", "username", "password") if not data.get(name)
        ]
        if missing:
            return _authorize_error(
                SignInError("MissingBodyInRequest", f"Missing parameter(s): {', '.join(missing)}.", 400)
            )
        if data["response_type"].strip() != "code":
            return _authorize_error(SignInError("InvalidRequest", "response_type must be code.", 400))
        try:
            code = oauth.authorize_with_password(
                username=data["username"],
                password=data["password"],
                account_ref=(data.get("account_id") or "").strip(),
                request=_code_request(data),
                authenticate=lambda **credentials: _password_sign_in(
                    request,
                    {
                        "username": credentials["email"],
                        "password": credentials["password"],
                        "account_id": credentials["account_ref"],
                    },
                ),
            )
        except SignInError as exc:
            return _authorize_error(exc)
        return Response({"code": code}, status=status.HTTP_201_CREATED, headers=_NO_STORE)


_FLOW_FIELDS = (
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)


def _redirect_with(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    """A 302 to the (already verified) redirect URI with query parameters appended."""
    query = urlencode({key: value for key, value in params.items() if value})
    separator = "&" if "?" in redirect_uri else "?"
    response = HttpResponseRedirect(f"{redirect_uri}{separator}{query}")
    response["Cache-Control"] = "no-store"
    return response


def _flow_error_page(request: HttpRequest, exc: SignInError) -> HttpResponse:
    return render(
        request,
        "account/authorize_error.html",
        {"error": exc, "oauth_error": oauth.oauth_error_code(exc)},
        status=exc.status if exc.status >= 400 else 400,
    )


def _browser_flow(request: HttpRequest, params) -> tuple[oauth.CodeRequest, object] | HttpResponse:
    """Validate the browser flow's parameters. An unknown client or a redirect URI that is not
    exactly a registered one gives an error page (never a redirect); other problems are sent to
    the (verified) redirect URI as ``error`` (RFC 6749 4.1.2.1)."""
    code_request = _code_request(params)
    state = params.get("state", "")
    if not code_request.redirect_uri:
        return _flow_error_page(request, SignInError("InvalidRequest", "redirect_uri is required.", 400))
    try:
        app = oauth.client_find(code_request.client_id)
        oauth.redirect_uri_check(app, None, code_request.redirect_uri)
    except SignInError as exc:
        return _flow_error_page(request, exc)
    if params.get("response_type") != "code":
        return _redirect_with(
            code_request.redirect_uri,
            error="unsupported_response_type",
            error_description="Only response_type=code is supported.",
            state=state,
        )
    try:
        oauth.pkce_check_challenge(app, code_request.code_challenge, code_request.code_challenge_method)
    except SignInError as exc:
        return _redirect_with(
            code_request.redirect_uri, error="invalid_request", error_description=exc.message, state=state
        )
    return code_request, app


def _render_authorize(request: HttpRequest, app, params, form=None, status_code: int = 200) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    context = {
        "application": app,
        "flow": [(name, params.get(name, "")) for name in _FLOW_FIELDS if params.get(name)],
        "form": form if form is not None else (None if user else SignInForm(request=request)),
        "console_user": user,
    }
    response = render(request, "account/authorize.html", context, status=status_code)
    # The form posts here and is answered with a redirect to the (verified) redirect URI; Chromium
    # applies form-action to that redirect too, so this page allows the application's origin.
    redirect_origin = origin_source(params.get("redirect_uri", "").strip())
    if redirect_origin:
        csp_allow(response, "form-action", redirect_origin)
    return response


def _authorize_page_url(params) -> str:
    query = urlencode([(name, params.get(name, "")) for name in _FLOW_FIELDS if params.get(name)])
    return f"{reverse('authentication-api:authorize')}?{query}"


def authorize_page(request: HttpRequest) -> HttpResponse:
    """``GET /authorize?client_id&response_type=code&redirect_uri&state[&code_challenge...]``."""
    checked = _browser_flow(request, request.GET)
    if isinstance(checked, HttpResponse):
        return checked
    _, app = checked
    return _render_authorize(request, app, request.GET)


class AuthorizeContinueView(APIView):
    """``POST /authorize/continue``: the browser flow's HTML form (CSRF-protected like every
    console form). Documented so the OpenAPI document lists every route of the service."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def perform_authentication(self, request):
        """Keep the console session's ``request.user`` (DRF would replace it with None)."""

    @extend_schema(
        operation_id="continueAuthorization",
        summary="Browser flow: the sign-in / consent form of GET /authorize (HTML, not for API clients)",
        description="Answers 302 to the application's registered redirect_uri with `code` and `state` "
        "(or `error`), or the form again (200 HTML) when the sign-in fails.",
        request=None,
        responses={
            (200, "text/html"): OpenApiResponse(description="The form again (the sign-in failed)."),
            (302, "text/html"): OpenApiResponse(description="To the redirect URI, with `code` or `error`."),
            (400, "text/html"): OpenApiResponse(description="No valid client and redirect URI (a page)."),
            403: OpenApiResponse(ErrorSerializer, description="CSRF verification failed."),
        },
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        refused = CsrfViewMiddleware(lambda _: None).process_view(django_request, None, (), {})
        if refused is not None:
            return refused
        return authorize_continue(django_request)


def authorize_continue(request: HttpRequest) -> HttpResponse:
    """The browser flow's form: sign in (or, signed in to the console, continue / cancel), then
    302 to the exact registered redirect URI with ``code`` and ``state`` (or ``error``)."""
    checked = _browser_flow(request, request.POST)
    if isinstance(checked, HttpResponse):
        return checked
    code_request, app = checked
    state = request.POST.get("state", "")
    if request.POST.get("action") == "cancel":
        return _redirect_with(
            code_request.redirect_uri,
            error="access_denied",
            error_description="The user declined.",
            state=state,
        )
    if request.user.is_authenticated and request.POST.get("action") == "continue":
        user = request.user
    else:
        form = SignInForm(data=request.POST, request=request)
        if not form.is_valid():
            return sign_in_page_refused(_render_authorize(request, app, request.POST, form=form), form)
        if signs_in_with_second_factor(form.user):
            # The console's sign-in asks for the factor (or its setup), then comes back to this
            # page signed in, where the user continues to the application.
            return form.login(request, redirect_url=_authorize_page_url(request.POST))
        user = form.user
    try:
        code = oauth.authorization_code_issue(user=user, request=code_request)
    except SignInError as exc:
        return _redirect_with(
            code_request.redirect_uri,
            error=oauth.oauth_error_code(exc),
            error_description=exc.message,
            state=state,
        )
    return _redirect_with(code_request.redirect_uri, code=code, state=state)


# --- /assume-role/token -----------------------------------------------------------------------------


class AssumeRoleRequestSerializer(serializers.Serializer):
    """The spec's ``assumeRoleTokenPostRequest``."""

    accountId = serializers.CharField(
        max_length=64, help_text="The customer account (GUID or account number)."
    )
    role = serializers.CharField(max_length=40, help_text="ACCOUNT_ADMIN (or USER).")
    policyId = serializers.CharField(required=False, max_length=200, help_text="Not supported: ignored.")


class AssumeRoleTokenView(APIView):
    """``POST /assume-role/token``: a partner admin's short-lived token as ACCOUNT_ADMIN of one
    of its customer accounts (``oauth.assume_role``)."""

    authentication_classes = [CloudLinkTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="createTokenWithAssumedRole",
        summary="Create a token with an assumed role (partner admins, in one customer account)",
        description="A partner admin's own token asks for `role` (ACCOUNT_ADMIN, or USER) in `accountId`, a "
        "customer account under its partner account. The answer's access token acts only there, with "
        "that role, for `PORTAL_ASSUMED_ROLE_SECONDS` (default 900 s; no refresh token), on the Admin "
        "API and `GET /token`; each grant is audited in the customer account (`role.assumed`). Account "
        "admins, users and application tokens get 403 `InsufficientPermissions`; another partner's "
        "account is 404 `AccountNotFound`; PARTNER_ADMIN is 400 `AssumeRoleHigh`.",
        request={"application/json": AssumeRoleRequestSerializer},
        responses={201: TokenSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = _request_data(request, AssumeRoleRequestSerializer)
        try:
            access_token, expires_in = assumed_role_token_grant(
                user=request.user,
                claims=request.auth,
                account_ref=data.get("accountId", ""),
                role=data.get("role", ""),
                issuer=_issuer(request),
            )
        except SignInError as exc:
            return error_response(exc.name, exc.message, exc.status)
        pair = TokenPair(access_token=access_token, expires_in=expires_in, refresh_token="")
        return Response(
            token_representation(pair, scope=""), status=status.HTTP_201_CREATED, headers=_NO_STORE
        )


# --- /guest/token ------------------------------------------------------------------------------------


class GuestTokenView(APIView):
    """``POST /guest/token``: a new guest identity in an account that allows guest access (201
    ``token``). Its ``refresh_token`` is the only way to more tokens for that principalId (the
    refresh grant at ``/token``); the rules are ``oauth.guests``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="createGuestToken",
        summary="Create a guest token",
        description="A new guest identity: the answer's `refresh_token` is bound to the `principalId` "
        "and is the only way to get more tokens for it (`grant_type=refresh_token` at `/token`; it "
        "rotates). A `principalId` that is already taken, or shaped like an email or a GUID, is 403 "
        "`NotAllowed`. An unknown account, a deactivated one and one without Allow Guest Access all "
        "answer the same 403 `NotAllowed`.",
        request={
            "application/x-www-form-urlencoded": GuestTokenRequestSerializer,
            "application/json": GuestTokenRequestSerializer,
        },
        responses={201: TokenSerializer, **error_responses(400, 403)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = _request_data(request, GuestTokenRequestSerializer)
        try:
            pair = guests.guest_token_grant(
                account_ref=(data.get("accountId") or data.get("account_id") or "").strip(),
                principal_id=data.get("principalId", ""),
                name=data.get("name", ""),
                email=(data.get("guestEmail") or "").strip(),
                client_id=(data.get("client_id") or "").strip(),
                issuer=_issuer(request),
            )
        except SignInError as exc:
            return error_response(exc.name, exc.message, exc.status)
        return Response(
            token_representation(pair, scope=""), status=status.HTTP_201_CREATED, headers=_NO_STORE
        )


class JwksView(APIView):
    """``GET /accounts/{accountId}/.well-known/jwks.json``: public keys that verify tokens
    (every key not yet retired). Public. One key set serves every account, so it is the answer
    for any ``accountId``: the route does not tell anonymous callers which accounts exist."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Public keys that verify tokens",
        description="The same key set for every accountId (GUID or account number), known or not.",
        responses={200: JsonWebKeySetSerializer},
        auth=[],
    )
    def get(self, request: Request, account_ref: str | None = None) -> Response:
        return Response(tokens.public_jwks())


class AuthorizationServerMetadataView(APIView):
    """RFC 8414 metadata (the spec's ``oauthMetadata``) at ``/.well-known/openid-configuration``
    and ``/.well-known/oauth-authorization-server``. With ``?accountId=`` the ``jwks_uri`` is
    that account's key set (for any well-formed accountId, known or not); without it, the
    account-independent one. Public."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="OAuth 2.0 authorization server metadata (RFC 8414)",
        parameters=[
            OpenApiParameter(
                "accountId",
                {"type": "string", "maxLength": 64},
                description="GUID or account number: jwks_uri for this account",
                required=False,
            )
        ],
        responses={200: OAuthMetadataSerializer, **error_responses(400)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        account_ref = request.query_params.get("accountId", "")[:65].strip()  # > 64: no such account
        if account_ref:
            if not is_account_ref(account_ref):
                raise ApiError("BadRequest", "accountId must be an account GUID or a 9-digit account number.")
            jwks_path = reverse("authentication-api:account-jwks", args=[account_ref])
        else:
            jwks_path = reverse("authentication-api:jwks")
        return Response(
            {
                "issuer": _issuer(request),
                "authorization_endpoint": request.build_absolute_uri(reverse("authentication-api:authorize")),
                "token_endpoint": request.build_absolute_uri(reverse("authentication-api:token")),
                "jwks_uri": request.build_absolute_uri(jwks_path),
                "response_types_supported": ["code"] if "authorization_code" in SUPPORTED_GRANTS else [],
                "grant_types_supported": list(SUPPORTED_GRANTS),
                "token_endpoint_auth_methods_supported": [
                    "none",
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "code_challenge_methods_supported": [oauth.S256],
            }
        )
