"""The gateway pages of an account, mounted at /accounts/<number>/gateway/."""

from django.urls import path

from gateways import views

app_name = "gateways"

urlpatterns = [
    path("", views.gateway_detail, name="gateway_detail"),
    path("status/", views.gateway_status_hx, name="gateway_status_hx"),
    path("recheck/", views.gateway_recheck, name="gateway_recheck"),
    path("disconnect/", views.gateway_disconnect, name="gateway_disconnect"),
    path("remove/", views.gateway_remove, name="gateway_remove"),
    path("trunk/", views.gateway_trunk_update, name="gateway_trunk_update"),
    path("setup/", views.gateway_setup, name="gateway_setup"),
    path("setup/cancel/", views.gateway_setup_cancel, name="gateway_setup_cancel"),
    path("setup/<str:step>/", views.gateway_setup_step, name="gateway_setup_step"),
    path("jobs/<uuid:job_id>/", views.gateway_job, name="gateway_job"),
    path("jobs/<uuid:job_id>/status/", views.gateway_job_status_hx, name="gateway_job_status_hx"),
]
