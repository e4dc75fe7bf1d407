from django.contrib import admin
from django.urls import include, path

from accounts import password_reset_views, preferences_views, registration_views
from accounts.outbox import views as outbox_views
from core import views as core_views
from oauth.applications import urls as developer_urls
from portal import views
from sso import views as sso_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("outbox/", outbox_views.outbox, name="outbox"),
    path("outbox/<int:pk>/html/", outbox_views.outbox_message_html, name="outbox_message_html"),
    # allauth's, 429 while locked (accounts/sign_in_views.py), with the SSO email step (sso/views.py)
    path("auth/login/", sso_views.SignInWithProviderView.as_view(), name="account_login"),
    path("auth/sso/<str:number>/", sso_views.account_sign_in, name="sso_account_sign_in"),
    path("auth/password/reset/code/", password_reset_views.password_reset_code, name="password_reset_code"),
    path("auth/", include("allauth.urls")),
    path("preferences/", preferences_views.preferences, name="preferences"),
    path("language/", preferences_views.language_set, name="language_set"),
    path("welcome/<str:token>/", registration_views.register, name="register"),
    path("accounts/", include("accounts.urls")),
    path("accounts/<str:number>/users/pbx-sync/", include("gateways.pbx_users.urls")),
    path("accounts/<str:number>/integrations/third-party/", include("integrations.third_party_urls")),
    path("accounts/<str:number>/integrations/", include("integrations.urls")),
    path("accounts/<str:number>/gateway/", include("gateways.urls")),
    path("accounts/<str:number>/notifications/", include("notifications.urls")),
    path("accounts/<str:number>/conversations/", include("chat.urls")),
    path("accounts/<str:number>/calls/", include("media.urls")),
    path("accounts/<str:number>/sso/", include("sso.urls")),
    path("developer/", include("oauth.applications.urls")),
    path("operator/apps/", include(developer_urls.operator_patterns)),
    path("api/", include("portal.api_urls")),
    path("staff/login/", views.staff_login, name="staff_login"),  # the portal's sign-in, not admin's
    path("staff/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
