from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from, for django-axes' per-address lockout.

    Behind the reverse proxy every request's REMOTE_ADDR is the proxy; the proxy puts the
    client's address in X-Forwarded-For. Only the last entry is the proxy's own word (the
    ones before it are whatever the client sent), so that one is taken.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
