from django.urls import path

from payments.imports import views

app_name = "payments"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/uploads/<int:upload_id>/", views.upload_status, name="upload_status"),
    path(
        "imports/uploads/<int:upload_id>/progress/",
        views.upload_progress,
        name="upload_progress",
    ),
]
urlpatterns += [
    path("suspense/", views.suspense, name="suspense"),
    path("suspense/<int:item_id>/allocate/", views.suspense_allocate, name="suspense_allocate"),
    path("suspense/<int:item_id>/approve/", views.suspense_approve, name="suspense_approve"),
    path("suspense/<int:item_id>/reject/", views.suspense_reject, name="suspense_reject"),
]
