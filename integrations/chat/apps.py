from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "integrations.chat"
    label = "chat"
    verbose_name = "Chat"
