from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("<str:number>/", views.account_detail, name="account_detail"),
]
