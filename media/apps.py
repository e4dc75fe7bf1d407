from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "Calls (Media API)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from media import tasks  # noqa: F401  (registers the tasks enqueued by name)
