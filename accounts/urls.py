from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path(
        "sign-on/start/",
        login_not_required(views.SignOnStartView.as_view()),
        name="oidc_start",
    ),
    # The redirect URI to register with the identity provider: https://HOST/accounts/sign-on/callback/
    path(
        "sign-on/callback/",
        login_not_required(views.SignOnCallbackView.as_view()),
        name="oidc_callback",
    ),
]
