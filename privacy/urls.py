from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("access/", views.access_log, name="access_log"),
    path("access.csv", views.access_log_csv, name="access_log_csv"),
    path("subject-access/", views.subject_access, name="subject_access"),
    path(
        "subject-access/<int:request_id>/download/",
        views.subject_access_download,
        name="subject_access_download",
    ),
    path(
        "cases/<int:case_id>/special-category/",
        views.special_category,
        name="special_category",
    ),
]
