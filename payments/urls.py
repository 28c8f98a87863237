from django.urls import path

from payments.imports import views

app_name = "payments"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
]
