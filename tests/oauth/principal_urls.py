"""The portal's URLs plus one probe that answers with ``access.request_principal`` of the request,
so the tests see the Principal each kind of caller gets through the real DRF authentication."""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access

PROBE = "/api/probe/principal"


class PrincipalProbe(APIView):
    accepts_token_principals = True  # application and guest tokens reach it too

    def get(self, request: Request) -> Response:
        principal = access.request_principal(request)
        return Response(
            {
                "kind": principal.kind.value,
                "user": principal.user.email if principal.user else None,
                "account": principal.account.account_number if principal.account else None,
                "application": principal.application,
                "guest": principal.guest,
                "principalId": principal.principal_id,
                "role": principal.role.name if principal.role is not None else None,
            }
        )


urlpatterns = [
    path(PROBE.lstrip("/"), PrincipalProbe.as_view()),
    path("", include("portal.urls")),
]
