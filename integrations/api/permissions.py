"""Scopes: each view names the one scope it needs, and a system without it is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import permissions

from integrations.api.models import ApiClient

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class HasScope(permissions.BasePermission):
    """Refuses anonymous requests (401) and systems whose token lacks the view's
    `required_scope` (403). A view with no required scope refuses everyone: a new view
    must say what it shows."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return False
        if scope == "any":
            return True
        if scope not in client.scope_set:
            self.message = f"The token of {client.name} does not have the '{scope}' scope."
            return False
        return True
