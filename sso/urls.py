from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("", views.identity_provider, name="identity_provider"),
    path("delete/", views.identity_provider_delete, name="identity_provider_delete"),
]
