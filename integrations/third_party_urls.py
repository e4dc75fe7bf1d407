"""Deploying third-party applications, mounted at /accounts/<number>/integrations/third-party/."""

from django.urls import path

from integrations import third_party_views

app_name = "third_party"

urlpatterns = [
    path("<int:pk>/deploy/", third_party_views.third_party_deploy, name="deploy"),
    path("<int:pk>/toggle/", third_party_views.third_party_toggle, name="toggle"),
]
