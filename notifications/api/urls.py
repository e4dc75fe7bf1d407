"""Notifications service, mounted at /api/notifications/2017-09-01/ (portal/api_urls.py SERVICES)."""

from django.urls import path

from notifications.api import views

app_name = "notifications-api"

urlpatterns = [
    path("subscriptions", views.SubscriptionCollectionApi.as_view(), name="subscription-list"),
    path(
        "subscriptions/<str:subscriptionId>",
        views.SubscriptionDetailApi.as_view(),
        name="subscription-detail",
    ),
    path(
        "subscriptions/<str:subscriptionId>/secret",
        views.SubscriptionSecretApi.as_view(),
        name="subscription-secret",
    ),
]
