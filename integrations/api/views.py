"""The read-only API for other council systems, on Django REST framework's generic views.
Each view names the scope it needs (`required_scope`, checked by permissions.HasScope)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.schemas.openapi import AutoSchema, SchemaGenerator
from rest_framework.schemas.views import SchemaView

from cases.models import Case
from integrations.api import selectors
from integrations.api.models import Scope
from integrations.api.serializers import (
    CaseBalanceSerializer,
    CaseHoldsSerializer,
    CaseSerializer,
)


class ApiSchema(AutoSchema):
    """DRF's schema of a view, with the operation id the view names (DRF would make list
    ids plural with the `inflection` package, a dependency for one word)."""

    def get_operation_id(self, path: str, method: str) -> str:
        return self.view.operation_id


class CasePages(CursorPagination):
    # Keyset paging on the primary key: a page costs the same at the start or the end.
    ordering = "id"
    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"


class CaseFilter(filters.FilterSet):
    tenancy = filters.CharFilter(field_name="tenancy__reference", help_text="Tenancy reference.")
    patch = filters.CharFilter(field_name="patch__code", help_text="Patch code.")

    class Meta:
        model = Case
        fields = ["status", "stage", "next_action", "tenancy", "patch"]


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, with its query parameters in the OpenAPI schema
    (django-filter 25 no longer describes them to DRF's generator)."""

    def get_schema_operation_parameters(self, view) -> list[dict]:
        filterset_class = self.get_filterset_class(view, view.get_queryset())
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": str(f.extra.get("help_text") or f.label or name),
                "schema": {"type": "string"},
            }
            for name, f in filterset_class.base_filters.items()
        ]


class CaseList(generics.ListAPIView):
    """Cases, oldest first, filtered by tenancy reference, patch, status, stage or next
    action. Scope: cases."""

    operation_id = "listCases"
    schema = ApiSchema(tags=["cases"])
    required_scope = Scope.CASES
    serializer_class = CaseSerializer
    pagination_class = CasePages
    filter_backends = [FilterBackend]
    filterset_class = CaseFilter
    queryset = selectors.api_cases()


class CaseDetail(generics.RetrieveAPIView):
    """A case's status, stage, next action and what holds it back. Scope: cases."""

    operation_id = "getCase"
    schema = ApiSchema(tags=["cases"])
    required_scope = Scope.CASES
    serializer_class = CaseSerializer
    lookup_field = "reference"
    queryset = selectors.api_cases()


class _OneCase(generics.GenericAPIView):
    lookup_field = "reference"
    queryset = Case.objects.all()

    def get_case(self) -> Case:
        return get_object_or_404(Case, reference=self.kwargs["reference"])


class CaseBalanceDetail(_OneCase):
    """A case's balance on each account, its rent arrears (rent lawfully due) and weeks in
    arrears. Scope: balances."""

    operation_id = "getCaseBalance"
    schema = ApiSchema(tags=["cases"])
    required_scope = Scope.BALANCES
    serializer_class = CaseBalanceSerializer

    def get(self, request: Request, reference: str) -> Response:
        balance = selectors.case_balance(case=self.get_case())
        return Response(self.get_serializer(balance).data)


class CaseHoldsDetail(_OneCase):
    """The holds in force on a case today: Breathing Space, officer pauses, disputes,
    pending benefit claims and introductory reviews, with their dates. Scope: holds."""

    operation_id = "getCaseHolds"
    schema = ApiSchema(tags=["cases"])
    required_scope = Scope.HOLDS
    serializer_class = CaseHoldsSerializer

    def get(self, request: Request, reference: str) -> Response:
        case = self.get_case()
        holds = selectors.holds_in_force(case=case, today=timezone.localdate())
        return Response(self.get_serializer({"reference": case.reference, "holds": holds}).data)


class ApiSchemaGenerator(SchemaGenerator):
    """DRF's OpenAPI generator, with the bearer token declared."""

    def get_schema(self, request=None, public=False):
        schema = super().get_schema(request=request, public=public)
        schema.setdefault("components", {})["securitySchemes"] = {
            "systemToken": {"type": "http", "scheme": "bearer"}
        }
        schema["security"] = [{"systemToken": []}]
        return schema


class ApiSchemaView(SchemaView):
    """The OpenAPI document; any active token may read it."""

    required_scope = "any"


SCHEMA_GENERATOR = ApiSchemaGenerator(
    title="Arrears casework API",
    description=(
        "Read-only figures of rent arrears cases for the council's other systems. Each "
        "system has its own token (Authorization: Bearer ...) with scopes: cases, "
        "balances, holds. See integrations/api/README.md."
    ),
    version="1",
)

schema_view = ApiSchemaView.as_view(
    renderer_classes=[JSONOpenAPIRenderer], public=True, schema_generator=SCHEMA_GENERATOR
)
