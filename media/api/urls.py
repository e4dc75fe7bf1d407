"""The Media service, mounted at /api/media/2017-09-01/ (portal/api_urls.py SERVICES)."""

from django.urls import path

from media.api import views

app_name = "media-api"

urlpatterns = [
    path("endpoints/<str:extension>", views.EndpointDetailApi.as_view(), name="endpoint-detail"),
    path(
        "endpoints/<str:extension>/forwarding",
        views.EndpointForwardingApi.as_view(),
        name="endpoint-forwarding",
    ),
    path("endpoints/<str:extension>/calls", views.EndpointCallCollectionApi.as_view(), name="call-list"),
    path(
        "endpoints/<str:extension>/calls/<path:callId>",
        views.EndpointCallDetailApi.as_view(),
        name="call-detail",
    ),
]
