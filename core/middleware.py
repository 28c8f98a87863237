from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.views import healthz

HEALTHZ_PATH = "/healthz"


class HealthzMiddleware:
    """Answers /healthz before any other middleware reads the Host header or redirects.

    Docker's healthcheck asks from inside the container, as 127.0.0.1, which
    ALLOWED_HOSTS rightly does not list. The answer builds nothing from the Host, so it
    is safe to give it whatever the Host says; every other path is validated as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)
