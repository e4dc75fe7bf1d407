"""Admin API (``/api/admin/2017-09-01/``): account resources.

Thin views: resolve the account through ``accounts.access``, validate shape (serializer, then the
console's form), call the services, shape the response. Tenancy: outside the caller's scope is
404, in scope without the capability is 403 (raised by ``access`` and the services).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, selectors, services
from accounts.access import Capability
from accounts.api.base import ACCOUNT_ID, AccountScopedApi
from accounts.api.serializers import (
    ACCOUNT_DEFAULT_ORDERING,
    ACCOUNT_EXPANDABLE,
    ACCOUNT_FILTER_FIELDS,
    API_FIELD_NAMES,
    AccountCollectionOutputSerializer,
    AccountInputSerializer,
    AccountOutputSerializer,
)
from accounts.forms import ACCOUNT_FORM_FIELDS, AccountCreateForm, AccountForm
from accounts.models import Account
from core.api.collections import ODATA_PARAMETERS, collection_page
from core.api.errors import error_responses, service_errors, validation_error
from core.api.odata import QueryOptions

# Service errors about support contacts name the contact; the API calls the list supportContacts.
_CONTACT_ERRORS = API_FIELD_NAMES | {"email": "supportContacts", "contact": "supportContacts"}


def _form_data(form_class, data: dict[str, str]):
    """Bind the console form to API data; a 400 with the form's errors (API names) when invalid."""
    form = form_class(data=data)
    if not form.is_valid():
        raise validation_error(ValidationError(form.errors.as_data()), API_FIELD_NAMES)
    return form.cleaned_data


def _current_fields(account: Account) -> dict[str, str]:
    return {name: getattr(account, name) for name in ACCOUNT_FORM_FIELDS}


def _account_body(request: Request, account: Account) -> dict:
    return AccountOutputSerializer(account, context={"request": request}).data


class AccountCollectionApi(APIView):
    accepts_application_tokens = True  # a service token acts with its deployment's role
    accepts_assumed_roles = True  # a partner admin's assumed role acts as it

    @extend_schema(
        operation_id="accounts_list",
        summary="List the accounts you administer",
        description="Partner admins: their customer accounts. Account admins: their own account.",
        parameters=ODATA_PARAMETERS,
        responses={200: AccountCollectionOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        accounts = selectors.api_account_collection(actor=request.user)
        options = QueryOptions.parse(
            request.query_params,
            fields=ACCOUNT_FILTER_FIELDS,
            default_ordering=ACCOUNT_DEFAULT_ORDERING,
            expandable=ACCOUNT_EXPANDABLE,
        )
        context = {"request": request, "expand": options.expand}
        page = collection_page(
            request,
            accounts,
            options,
            lambda rows: AccountOutputSerializer(rows, many=True, context=context).data,
        )
        return Response(page)

    @extend_schema(
        operation_id="accounts_create",
        summary="Create a customer account (partner admins)",
        request=AccountInputSerializer,
        responses={201: AccountOutputSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        partner = request.user.account
        access.require(request.user, Capability.CREATE_CUSTOMER_ACCOUNTS, partner)
        payload = AccountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        defaults = {"default_language": Account.Language.EN_US, "support_contacts": ""}
        contacts = ", ".join(payload.validated_data.get("supportContacts") or [])
        cleaned = _form_data(
            AccountCreateForm, defaults | payload.form_changes() | {"support_contacts": contacts}
        )
        with service_errors(API_FIELD_NAMES):
            account = services.account_create(
                actor=request.user,
                partner=partner,
                support_contacts=cleaned["support_contacts"],
                **{name: cleaned[name] for name in ACCOUNT_FORM_FIELDS},
            )
        location = request.build_absolute_uri(
            reverse("admin-api:account-detail", kwargs={"accountId": account.account_id})
        )
        return Response(
            _account_body(request, account), status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class AccountDetailApi(AccountScopedApi):
    accepts_application_tokens = True
    accepts_assumed_roles = True
    need = Capability.VIEW_ACCOUNT

    @extend_schema(
        operation_id="accounts_retrieve",
        summary="Get one account",
        parameters=[ACCOUNT_ID],
        responses={200: AccountOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, accountId: str) -> Response:
        return Response(_account_body(request, self.account))

    @extend_schema(
        operation_id="accounts_update",
        summary="Update an account (only the fields sent)",
        description=(
            "Partner admins and the account's admins edit the customer information and support "
            "contacts; `active: false|true` deactivates or activates (partner admins, customer "
            "accounts only). Read-only fields sent back unchanged are ignored."
        ),
        parameters=[ACCOUNT_ID],
        request=AccountInputSerializer,
        responses={200: AccountOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request: Request, accountId: str) -> Response:
        account = self.account
        payload = AccountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        changes = payload.form_changes()
        cleaned = _form_data(AccountForm, _current_fields(account) | changes) if changes else {}
        with service_errors(_CONTACT_ERRORS):
            account = services.account_change(
                actor=request.user,
                account=account,
                fields={name: cleaned[name] for name in changes},
                support_contacts=data.get("supportContacts"),
                active=data.get("active"),
                policy=data.get("policy"),
            )
        return Response(_account_body(request, account))

    @extend_schema(
        operation_id="accounts_destroy",
        summary="Delete a customer account with its users (partner admins)",
        description="Answers with the account as it was. A partner account cannot be deleted (400). "
        "`?hard=true` is accepted; deletion is always permanent.",
        parameters=[ACCOUNT_ID],
        responses={200: AccountOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request: Request, accountId: str) -> Response:
        body = _account_body(request, self.account)
        services.account_delete(actor=request.user, account=self.account, confirmation="delete")
        return Response(body)
