"""Console call fragments of an account, mounted at /accounts/<number>/calls/."""

from django.urls import path

from media import views

app_name = "media"

urlpatterns = [
    path("users/<uuid:user_id>/", views.user_calls_hx, name="user_calls_hx"),
    path("users/<uuid:user_id>/device/", views.user_device_hx, name="user_device_hx"),
    path("users/<uuid:user_id>/device/update/", views.user_device_update_hx, name="user_device_update_hx"),
]
