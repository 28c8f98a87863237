from django.contrib.auth.decorators import login_not_required
from django.urls import path

from integrations.api import views

app_name = "api"


def _api(view):
    # The API authenticates by token (REST_FRAMEWORK settings), not the officers' sign-in.
    return login_not_required(view)


urlpatterns = [
    path("v1/cases/", _api(views.CaseList.as_view()), name="cases"),
    path("v1/cases/<str:reference>/", _api(views.CaseDetail.as_view()), name="case"),
    path(
        "v1/cases/<str:reference>/balance/",
        _api(views.CaseBalanceDetail.as_view()),
        name="case_balance",
    ),
    path(
        "v1/cases/<str:reference>/holds/",
        _api(views.CaseHoldsDetail.as_view()),
        name="case_holds",
    ),
    path("v1/schema/", _api(views.schema_view), name="schema"),
]
