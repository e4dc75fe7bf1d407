"""Mounted at /accounts/<number>/integrations/ (portal/urls.py)."""

from django.urls import path

from integrations import views
from integrations.providers.mitel_one import views as mitel_one_views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="integration_list"),
    path("add/", views.integration_catalogue, name="integration_catalogue"),
    path("add/<str:type>/", views.integration_add, name="integration_add"),
    path("privileges/<str:privilege>/", views.privilege_toggle, name="privilege_toggle"),
    path("customer-care/", views.customer_care, name="customer_care"),
    path(
        "mitel-one/users/<uuid:user_id>/",
        mitel_one_views.mitel_one_settings_update,
        name="mitel_one_settings_update",
    ),
    path("chat-overlays/", views.chat_overlay_list, name="chat_overlay_list"),
    path("chat-overlays/<int:overlay_id>/delete/", views.chat_overlay_delete, name="chat_overlay_delete"),
    path("<str:type>/toggle/", views.integration_toggle, name="integration_toggle"),
    path("<str:type>/setup/", views.integration_setup, name="integration_setup"),
    path("<str:type>/remove/", views.integration_remove, name="integration_remove"),
]
