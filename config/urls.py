from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from core import views as core_views

urlpatterns = [
    path("login/", accounts_views.SignInView.as_view(), name="login"),
    path("logout/", accounts_views.sign_out, name="logout"),
    path("accounts/", include("accounts.urls")),
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
