from datetime import date

from django.urls import path, register_converter

from arrears import views


class IsoDate:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDate, "isodate")

app_name = "arrears"
urlpatterns = [
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<isodate:run_date>/", views.run_detail, name="run"),
    path("policy/", views.policy, name="policy"),
    path("policy/versions/<int:version>/", views.policy, name="policy_version"),
    path("policy/change/", views.policy_change, name="policy_change"),
    path("policy/preview/", views.policy_preview_new, name="preview_new"),
    path("policy/preview/<int:preview_id>/", views.policy_preview_detail, name="preview"),
]
