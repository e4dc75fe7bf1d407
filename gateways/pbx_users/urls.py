"""Synchronize PBX users, mounted at ``/accounts/<number>/users/pbx-sync/`` (portal/urls.py)."""

from django.urls import path

from gateways.pbx_users import views as pbx_views

app_name = "pbx_users"

urlpatterns = [
    path("", pbx_views.pbx_sync, name="pbx_sync"),
    path("apply/", pbx_views.pbx_sync_apply, name="pbx_sync_apply"),
]
