from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("notices.urls")),
    path("", include("court.urls")),
    path("arrears/", include("arrears.urls")),
    path("payments/", include("payments.urls")),
    path("performance/", include("performance.urls")),
    path("api/", include("integrations.api.urls")),
    path("privacy/", include("privacy.urls")),
]
