import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.rules import needs_second_factor

SIGN_ON_BACKEND = "accounts.oidc.CouncilSignOnBackend"


def second_factor_not_required(view):
    """Mark a view a signed-in person may reach before giving their second factor."""
    view.second_factor_not_required = True
    return view


def second_factor_outstanding(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    required = needs_second_factor(
        roles=user.role_names,
        is_superuser=user.is_superuser,
        signed_in_with_provider=request.session.get(BACKEND_SESSION_KEY) == SIGN_ON_BACKEND,
    )
    return required and not user.is_verified()


class SecondFactorRequiredMiddleware:
    """After their password, a manager or administrator reaches no page until they have
    enrolled an authenticator app or given its code (accounts/rules.py). After
    django_otp's OTPMiddleware, which says whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_not_required", False) or not getattr(
            view_func, "login_required", True
        ):
            return None
        if not second_factor_outstanding(request):
            return None
        url = reverse("accounts:second_factor")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


# The session key holding when the session's expiry was last pushed on (Unix seconds).
ACTIVITY_KEY = "activity_at"
# How stale that may be before a request saves the session again: the idle timeout is
# SESSION_COOKIE_AGE less at most this, for one session write a minute, not a request.
ACTIVITY_GRANULARITY_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="accounts.activity_on_sign_in")
def _activity_on_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Ends idle sessions: a signed-in request saves the session (so its expiry moves on
    to SESSION_COOKIE_AGE from now) when it was last saved over a minute ago. A session
    not saved for SESSION_COOKIE_AGE has expired in the database and on the cookie, and
    its next request finds no one signed in. After SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(ACTIVITY_KEY, 0) >= ACTIVITY_GRANULARITY_SECONDS:
                session[ACTIVITY_KEY] = now
        return response
