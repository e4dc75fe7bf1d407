from django.urls import include, path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("new/", views.account_create, name="account_create"),
    path("switch/", views.account_switch, name="account_switch"),
    path("switch/options/", views.account_switch_options_hx, name="account_switch_options_hx"),
    path("<str:number>/", views.account_detail, name="account_detail"),
    path("<str:number>/edit/", views.account_update, name="account_update"),
    path("<str:number>/sign-in-policy/", views.account_sign_in_policy, name="account_sign_in_policy"),
    path("contacts/options/", views.support_contact_options_hx, name="support_contact_options_hx"),
    path("<str:number>/contacts/", views.support_contact_add, name="support_contact_add"),
    path("<str:number>/contacts/set/", views.support_contacts_update, name="support_contacts_update"),
    path(
        "<str:number>/contacts/<int:contact_id>/remove/",
        views.support_contact_remove,
        name="support_contact_remove",
    ),
    path("<str:number>/deactivate/", views.account_deactivate, name="account_deactivate"),
    path("<str:number>/activate/", views.account_activate, name="account_activate"),
    path("<str:number>/delete/", views.account_delete, name="account_delete"),
    path("<str:number>/users/", views.user_list, name="user_list"),
    path("<str:number>/users/import/", include("accounts.user_import.urls")),
    path("<str:number>/users/new/", views.user_create, name="user_create"),
    path("<str:number>/users/<uuid:user_id>/", views.user_detail, name="user_detail"),
    path("<str:number>/users/<uuid:user_id>/edit/", views.user_update, name="user_update"),
    path("<str:number>/users/<uuid:user_id>/welcome/", views.user_welcome_resend, name="user_welcome_resend"),
    path(
        "<str:number>/users/<uuid:user_id>/password-reset/",
        views.user_password_reset_send,
        name="user_password_reset_send",
    ),
    path("<str:number>/users/<uuid:user_id>/delete/", views.user_delete, name="user_delete"),
    path("<str:number>/activity/", views.account_activity, name="account_activity"),
]
