"""Throttling per council system (its token), not per network address: systems often
call from one shared gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from integrations.api.models import ApiClient

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SystemRateThrottle(SimpleRateThrottle):
    scope = "system"

    def __init__(self) -> None:
        # The rate is the system's own, read per request (allow_request) rather than
        # once from REST_FRAMEWORK's rates.
        self.cache = caches["api_throttle"]

    def allow_request(self, request: Request, view: APIView) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True  # refused by authentication or permission, not counted
        self.rate = f"{client.rate_per_minute or settings.API_RATE_PER_MINUTE}/minute"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
