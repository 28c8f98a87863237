from django.urls import path

from performance import views

app_name = "performance"
urlpatterns = [
    path("", views.council, name="council"),
    path("council-<slug:table>.csv", views.council_csv, name="council_csv"),
    path("patches/<int:patch_id>/", views.patch, name="patch"),
    path("patches/<int:patch_id>/<slug:table>.csv", views.patch_csv, name="patch_csv"),
    path("patches/<int:patch_id>/targets/", views.targets, name="targets"),
    path("officers/<int:officer_id>/", views.officer, name="officer"),
    path("officers/<int:officer_id>/<slug:table>.csv", views.officer_csv, name="officer_csv"),
    path("cases/<slug:figure>/", views.cases_behind, name="cases_behind"),
    path("cases/<slug:figure>.csv", views.cases_behind_csv, name="cases_behind_csv"),
    path("write-offs/", views.write_offs, name="write_offs"),
    path("write-offs/<int:write_off_id>/", views.write_off_decide, name="write_off_decide"),
    path(
        "write-offs/<int:write_off_id>/reinstate/",
        views.write_off_reinstate_view,
        name="write_off_reinstate",
    ),
    path("cases/<int:case_id>/write-off/", views.write_off_new, name="write_off_new"),
    path("cases/<int:case_id>/tracing/", views.tracing_new, name="tracing_new"),
]
