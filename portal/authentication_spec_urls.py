"""Every route of the Authentication service, for its OpenAPI document
(``/api/authentication/2017-09-01/_spec``): the token and application routes and single sign-on,
which portal/api_urls.py mounts one after the other."""

from django.urls import include, path

urlpatterns = [
    path("", include("oauth.api.urls")),
    path("", include("sso.api.urls")),
]
