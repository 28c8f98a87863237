import base64
import logging
from binascii import unhexlify
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.forms import AuthenticatorCodeForm
from accounts.middleware import second_factor_not_required, second_factor_outstanding
from accounts.oidc import sign_on_setting
from accounts.services import (
    authenticator_code_check,
    authenticator_enrolment_confirm,
    authenticator_enrolment_start,
)

logger = logging.getLogger(__name__)


class SignInView(auth_views.LoginView):
    """The password form, with the council's single sign-on above it when it is on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_on_enabled"] = settings.OIDC_ENABLED
        next_url = context.get("next")
        context["sign_on_url"] = reverse("accounts:oidc_start") + (
            f"?{urlencode({'next': next_url})}" if next_url else ""
        )
        context["sign_on_provider"] = settings.OIDC_PROVIDER_NAME
        context["sign_on_failed"] = self.request.GET.get("sign_on") == "failed"
        context["sign_on_refused"] = self.request.session.pop("sign_on_refused", "")
        return context


sign_out = second_factor_not_required(auth_views.LogoutView.as_view())


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _qr_code(url: str) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the CSP allows those)."""
    out = BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _manual_key(device: TOTPDevice) -> str:
    key = base64.b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@second_factor_not_required
@never_cache  # the enrolment page shows the new authenticator's secret key
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code, then its first code), or give its code."""
    if not second_factor_outstanding(request):
        return HttpResponseRedirect(_next_url(request))
    user = request.user
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = authenticator_code_check if enrolled else authenticator_enrolment_confirm
        try:
            device = check(user=user, code=form.cleaned_data["code"])
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            otp_login(request, device)
            # A new session key now the session carries more trust (as at sign-in).
            request.session.cycle_key()
            return HttpResponseRedirect(_next_url(request))
    context = {"form": form, "enrolled": enrolled, "next": _next_url(request)}
    if not enrolled:
        device = authenticator_enrolment_start(user=user)
        context |= {"qr_code": _qr_code(device.config_url), "manual_key": _manual_key(device)}
    return render(request, "accounts/second_factor.html", context)


@method_decorator(second_factor_not_required, name="dispatch")
class SignOnStartView(OIDCAuthenticationRequestView):
    """Off to the identity provider (mozilla-django-oidc), its address from discovery."""

    get_settings = staticmethod(sign_on_setting)

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            return HttpResponseRedirect(reverse("login"))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sign_on_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            logger.exception("The identity provider's discovery document could not be read")
            return HttpResponseRedirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        return super().get(request)


@method_decorator(second_factor_not_required, name="dispatch")
class SignOnCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(sign_on_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)
