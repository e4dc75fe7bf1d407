"""An account's conversations in the console, mounted at /accounts/<number>/conversations/."""

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.conversation_list, name="conversation_list"),
]
