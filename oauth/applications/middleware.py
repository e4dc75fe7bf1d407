"""Counting /api/ requests per approved third-party application (the ``x-mitel-app`` header)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class MitelAppUsageMiddleware:
    """Counts /api/ requests towards the approved application their ``x-mitel-app`` header names
    (case-insensitively): its daily usage, shown to the partner on the Developer page, and
    ``request.application``. Never refuses: the header is self-declared, so anyone may send any
    name, and a registration in any state changes nothing for the callers that send it. An
    application is refused by its authenticated client instead (``oauth.grants``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from oauth.applications import services as apps

        request.application = None
        header = getattr(request, "mitel_app", None)
        if header is None:
            header = request.headers.get("x-mitel-app", "")
        if header and request.path.startswith("/api/") and request.method != "OPTIONS":
            application = apps.application_counted_for_mitel_app(header)
            if application is not None:
                request.application = application
                apps.application_usage_count(application.pk)
        return self.get_response(request)
