from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core.i18n import user_language

API_PREFIX = "/api/"
API_HTML = ("/api/docs/",)


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) and not path.startswith(API_HTML)


class UserLanguageMiddleware:
    """Each request in the language of its reader: the signed-in user's own choice, else their
    account's default language; signed out, the footer's choice (the language cookie Django's
    set_language writes), else the browser's Accept-Language, else English.

    The CloudLink-compatible API (``/api/``, but its HTML docs page) always answers in English: its
    clients parse the error texts, which come partly from the same forms and services as the console."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            language = settings.LANGUAGE_CODE
        else:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            language = (user_language(user) if signed_in else None) or translation.get_language_from_request(
                request
            )
        # The request's language ends with it: the thread (a test, a worker running tasks in-process)
        # goes back to the language it had. A streamed body is written after this returns, in that one.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
