"""The one base of the API resources that live under ``/accounts/{accountId}/``.

``{accountId}`` is the account's GUID or its 9-digit number. It is resolved through
``accounts.access`` only: an account outside the caller's scope (or a reference that names no
account, malformed ones included) is 404, an account in scope without the view's capability is
403, answered as ``{name, message}`` by ``core.api.errors``.

A resource view subclasses ``AccountScopedApi`` and names the capability it needs; its handlers
find the account on ``self.account``::

    class GatewayApi(AccountScopedApi):
        need = Capability.MANAGE_GATEWAY

        def get(self, request, accountId):
            gateway = selectors.gateway_get_or_404(actor=request.user, account=self.account)
            ...

A view that takes the account from elsewhere (a body field, a query parameter) calls
``resolve_account`` itself.
"""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import access
from accounts.access import Capability
from accounts.models import Account

ACCOUNT_ID = OpenApiParameter(
    "accountId", str, OpenApiParameter.PATH, description="The account's GUID or its 9-digit account number."
)


def resolve_account(request: Request, account_ref: object, *, need: Capability) -> Account:
    """The account ``account_ref`` (GUID or number) names in the caller's scope, with ``need``:
    ``Http404`` outside the scope, ``PermissionDenied`` without the capability."""
    return access.get_account_or_404(request.user, account_ref, need=need)


class AccountScopedApi(APIView):
    """An API view routed with ``<accountId>``: ``self.account`` is resolved before the handler
    runs, with the capability ``need``. A method the view does not answer stays 405."""

    need: ClassVar[Capability]
    account: Account

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        method = request.method.lower()
        if method in self.http_method_names and hasattr(self, method) and method != "options":
            self.account = resolve_account(request, kwargs["accountId"], need=self.need)
