"""Writes for sign-in: users made and kept in step from the identity provider, and
authenticator apps enrolled and checked."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ProviderGroup, ProviderIdentity
from accounts.rules import roles_for_groups
from cases.models import Patch
from core.models import Role, User

AUTHENTICATOR_NAME = "Authenticator app"


class SignOnRefused(Exception):
    """The provider vouched for the person, but this service will not let them in."""


def _claimed_groups(claims: dict, groups_claim: str) -> list[str]:
    if groups_claim not in claims and groups_claim in claims.get("_claim_names", {}):
        # Entra ID's "groups overage": over 200 groups, the token points at Graph instead.
        raise SignOnRefused(
            "the provider sent a link to the groups instead of the groups (over 200): "
            "set the app registration to emit only the groups assigned to the application"
        )
    groups = claims.get(groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    return [str(group) for group in groups]


def _username_for(claims: dict) -> str:
    username = (claims.get("preferred_username") or claims.get("email") or "").strip().lower()
    if not username:
        raise SignOnRefused("the provider sent no username or email")
    return username[:150]


@transaction.atomic
def provider_user_sync(*, claims: dict, groups_claim: str = "groups") -> User:
    """The user the provider's verified claims describe, created on first sign-in and
    brought up to date on every one: name, email, and the roles their groups give
    (exactly those: a person moved out of a group loses its role when they next sign in).

    A person whose groups give no role is refused, and so is one who would be matched to
    a local superuser: break-glass accounts stay local.
    """
    issuer, subject = claims["iss"], claims["sub"]
    groups = _claimed_groups(claims, groups_claim)
    mappings = list(ProviderGroup.objects.filter(group__in=groups).select_related("patch"))
    roles = roles_for_groups(groups, {m.group: m.role for m in mappings})
    if not roles:
        raise SignOnRefused("none of their groups is given a role in this service")

    identity = (
        ProviderIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    email = (claims.get("email") or "").strip()
    if identity is not None:
        user = identity.user
    else:
        username = _username_for(claims)
        # Someone given a local account before single sign-on was switched on keeps it
        # (and their patches), matched once on username or email; after that, on subject.
        user = (
            User.objects.select_for_update(of=("self",))
            .filter(provider_identity__isnull=True)
            .filter(username__iexact=username)
            .first()
        )
        if user is None and email:
            user = (
                User.objects.select_for_update(of=("self",))
                .filter(provider_identity__isnull=True, email__iexact=email)
                .first()
            )
        if user is None:
            if User.objects.filter(username__iexact=username).exists():
                raise SignOnRefused(
                    f"the username {username} here belongs to another provider account"
                )
            user = User(username=username)
            user.set_unusable_password()
        identity = ProviderIdentity(user=user, issuer=issuer, subject=subject)
    if user.is_superuser:
        raise SignOnRefused("they match a local superuser, who must sign in with a password")
    if not user.is_active:
        raise SignOnRefused("their account here is deactivated")

    user.first_name = (claims.get("given_name") or user.first_name)[:150]
    user.last_name = (claims.get("family_name") or user.last_name)[:150]
    if email:
        user.email = email
    # The admin is for administrators only (core.admin_site); staff follows the role.
    user.is_staff = Role.ADMINISTRATOR.value in roles
    user.save()
    identity.user = user
    identity.groups = groups
    identity.last_signed_in_at = timezone.now()
    identity.save()

    role_groups = Group.objects.filter(name__in=[role.value for role in Role])
    user.groups.remove(*[g for g in role_groups if g.name not in roles])
    user.groups.add(*[g for g in role_groups if g.name in roles])
    user.__dict__.pop("role_names", None)

    vacant = [m.patch.pk for m in mappings if m.patch is not None and m.patch.officer_id is None]
    if vacant:
        Patch.objects.filter(pk__in=vacant, officer__isnull=True).update(officer=user)
    return user


def authenticator_enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator the user is about to add: an unconfirmed device, the same one on
    every visit until it is confirmed, so the QR code does not change while they scan it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def _code_problem(device: TOTPDevice, code: str) -> str | None:
    """Why the code is refused, or None. Runs django-otp's check, which throttles a device
    after wrong codes (each one doubles the wait) and refuses a code used before; its
    writes must be kept even when the code is refused."""
    if not (code.isdigit() and len(code) == device.digits):
        return f"Enter the {device.digits}-digit code from the app."
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return "Too many wrong codes: wait a minute, then enter the code the app shows."
    if not device.verify_token(code):
        return "That code is not right: enter the code the app shows now."
    return None


def _device_checked(*, user: User, confirmed: bool, code: str) -> TOTPDevice:
    code = (code or "").replace(" ", "")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=confirmed)
            .order_by("pk")
            .first()
        )
        if device is None:
            problem = (
                "You have no authenticator app set up."
                if confirmed
                else "Start again: there is no authenticator to confirm."
            )
        else:
            problem = _code_problem(device, code)
            if problem is None and not confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
    if problem:
        raise ValidationError({"code": problem})
    return device


def authenticator_enrolment_confirm(*, user: User, code: str) -> TOTPDevice:
    """The authenticator confirmed by its first code; from now on it is the user's."""
    return _device_checked(user=user, confirmed=False, code=code)


def authenticator_code_check(*, user: User, code: str) -> TOTPDevice:
    """The user's confirmed authenticator, if the code is its current one."""
    return _device_checked(user=user, confirmed=True, code=code)
