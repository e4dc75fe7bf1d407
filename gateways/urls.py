from django.urls import path

from . import views

app_name = "gateways"

urlpatterns = [
    path("", views.gateway_detail, name="gateway_detail"),
]
