"""Synchronize PBX users, mounted at ``/accounts/<number>/users/pbx-sync/`` (names in ``accounts:``)."""

from django.urls import path

from gateways.pbx_users import views as pbx_views

urlpatterns = [
    path("", pbx_views.pbx_sync, name="pbx_sync"),
    path("apply/", pbx_views.pbx_sync_apply, name="pbx_sync_apply"),
]
