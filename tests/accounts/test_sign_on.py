"""Single sign-on with the council's identity provider: the whole OpenID Connect code
flow against a provider on 127.0.0.1, the groups claim mapped to our roles."""

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import ProviderGroup, ProviderIdentity
from accounts.oidc import forget_provider_configuration
from accounts.rules import roles_for_groups
from core.models import Role, User
from tests.factories import PatchFactory, UserFactory

pytestmark = pytest.mark.django_db

OFFICERS = "6f1c2b7e-0000-4000-8000-000000000001"
MANAGERS = "6f1c2b7e-0000-4000-8000-000000000002"


def priya(**changes) -> dict:
    return {
        "sub": "entra-subject-priya",
        "oid": "00000000-aaaa-4000-8000-000000000009",
        "preferred_username": "priya.shah@eastbrook.example.gov.uk",
        "email": "priya.shah@eastbrook.example.gov.uk",
        "given_name": "Priya",
        "family_name": "Shah",
        "groups": [OFFICERS, "a-group-this-service-does-not-know"],
        **changes,
    }


def sign_on(client, provider, *, next_url: str | None = None):
    """The browser's part: to the provider and back with its code."""
    start = client.get(reverse("accounts:oidc_start"), {"next": next_url} if next_url else {})
    assert start.status_code == 302 and start.url.startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start.url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    return client.get(at_provider.headers["Location"])


def signed_in_user(client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def test_first_sign_on_creates_the_officer_their_group_makes_them(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, name="Income officers", role=Role.OFFICER)
    provider.person = priya()

    response = sign_on(client, provider)

    assert response.status_code == 302 and response.url == reverse("home")
    user = signed_in_user(client)
    assert user.username == "priya.shah@eastbrook.example.gov.uk"
    assert (user.first_name, user.last_name) == ("Priya", "Shah")
    assert user.role_names == {Role.OFFICER.value}
    assert not user.has_usable_password() and not user.is_staff
    identity = ProviderIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (provider.url, "entra-subject-priya")
    # The code flow used PKCE and the client's secret.
    assert provider.token_requests[-1]["code_verifier"]
    assert client.get(reverse("home")).status_code == 200


def test_sign_on_goes_back_to_the_page_asked_for(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()

    response = sign_on(client, provider, next_url="/performance/")

    assert response.url == "/performance/"


def test_next_sign_on_follows_the_groups_and_matches_on_subject_not_email(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    ProviderGroup.objects.create(group=MANAGERS, role=Role.MANAGER)
    provider.person = priya()
    sign_on(client, provider)
    first = signed_in_user(client)
    client.post(reverse("logout"))

    provider.person = priya(email="priya.okafor@eastbrook.example.gov.uk", groups=[MANAGERS])
    sign_on(client, provider)

    again = signed_in_user(client)
    assert again.pk == first.pk
    assert again.email == "priya.okafor@eastbrook.example.gov.uk"
    assert again.role_names == {Role.MANAGER.value}
    assert ProviderIdentity.objects.get(user=again).groups == [MANAGERS]


def test_group_mapped_to_a_vacant_patch_gives_it_but_never_takes_anothers(client, provider):
    vacant = PatchFactory(code="C01", officer=None)
    bob = UserFactory(username="bob", role=Role.OFFICER)
    worked = PatchFactory(code="B01", officer=bob)
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER, patch=vacant)
    ProviderGroup.objects.create(group="southgate", role=Role.OFFICER, patch=worked)
    provider.person = priya(groups=[OFFICERS, "southgate"])

    sign_on(client, provider)

    user = signed_in_user(client)
    vacant.refresh_from_db()
    worked.refresh_from_db()
    assert vacant.officer == user
    assert worked.officer == bob


def test_administrators_group_opens_the_admin(client, provider):
    ProviderGroup.objects.create(group="it-admins", role=Role.ADMINISTRATOR)
    provider.person = priya(groups=["it-admins"])

    sign_on(client, provider)

    assert signed_in_user(client).is_staff
    # The provider did the second factor (Conditional Access): not asked again.
    assert client.get("/admin/").status_code == 200


def test_local_account_made_before_single_sign_on_is_linked_once(client, provider, team):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    team.alice.email = "alice.ash@eastbrook.example.gov.uk"
    team.alice.save()
    provider.person = priya(
        sub="entra-subject-alice",
        preferred_username="alice.ash@eastbrook.example.gov.uk",
        email="alice.ash@eastbrook.example.gov.uk",
    )

    sign_on(client, provider)

    assert signed_in_user(client) == team.alice
    assert team.alice.patches.get() == team.patch_a


def test_person_whose_groups_give_no_role_is_refused(client, provider):
    ProviderGroup.objects.create(group=MANAGERS, role=Role.MANAGER)
    provider.person = priya(groups=["a-group-this-service-does-not-know"])

    response = sign_on(client, provider)

    assert response.status_code == 302 and response.url == "/login/?sign_on=failed"
    assert signed_in_user(client) is None
    assert not User.objects.filter(username__startswith="priya").exists()
    page = client.get(response.url)
    assert "none of their groups is given a role" in page.content.decode()


def test_sign_on_never_signs_in_as_a_local_superuser(client, provider):
    UserFactory(username="priya.shah@eastbrook.example.gov.uk", is_superuser=True)
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()

    sign_on(client, provider)

    assert signed_in_user(client) is None
    assert not ProviderIdentity.objects.exists()


def test_id_token_signed_with_another_key_is_refused(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = sign_on(client, provider)

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not User.objects.filter(username__startswith="priya").exists()


@pytest.mark.parametrize("spoil", ["issuer_override", "audience_override"])
def test_id_token_from_another_issuer_or_for_another_service_is_refused(client, provider, spoil):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()
    setattr(provider, spoil, "https://somewhere-else.example")

    response = sign_on(client, provider)

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_callback_with_a_state_the_session_never_sent_is_refused(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()
    client.get(reverse("accounts:oidc_start"))

    response = client.get(reverse("accounts:oidc_callback"), {"code": "x", "state": "forged"})

    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_password_sign_in_needs_no_provider(client, team, settings):
    """A provider that is down must not stop local sign-ins (administrators' way in)."""
    settings.OIDC_RP_CLIENT_ID = "id"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.oidc.CouncilSignOnBackend",
    ]
    forget_provider_configuration()

    login_page = client.get(reverse("login"))
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery staple"}
    )

    assert "Sign in with your council account" in login_page.content.decode()
    assert response.status_code == 302 and signed_in_user(client) == team.alice


def test_sign_on_is_off_without_settings(client, team):
    page = client.get(reverse("login")).content.decode()

    assert "Sign in with" not in page
    assert client.get(reverse("accounts:oidc_start")).url == reverse("login")


@pytest.mark.parametrize(
    "groups, roles",
    [
        ([OFFICERS], {"officer"}),
        ([OFFICERS, MANAGERS], {"officer", "manager"}),
        (["unknown"], set()),
        ([], set()),
    ],
)
def test_groups_give_exactly_the_roles_mapped_to_them(groups, roles):
    mapping = {OFFICERS: "officer", MANAGERS: "manager"}

    assert roles_for_groups(groups, mapping) == roles


def test_provider_that_does_not_answer_sends_the_person_back_to_sign_in(client, team, settings):
    settings.OIDC_RP_CLIENT_ID = "id"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_ENABLED = True
    forget_provider_configuration()

    response = client.get(reverse("accounts:oidc_start"))

    assert response.status_code == 302 and response.url == "/login/?sign_on=failed"
    page = client.get(response.url).content.decode()
    assert "You could not be signed in with your council account" in page


def test_username_reused_for_a_new_person_at_the_provider_is_refused(client, provider):
    ProviderGroup.objects.create(group=OFFICERS, role=Role.OFFICER)
    provider.person = priya()
    sign_on(client, provider)
    client.post(reverse("logout"))

    provider.person = priya(sub="entra-subject-someone-new", email="new@eastbrook.example.gov.uk")
    sign_on(client, provider)

    assert signed_in_user(client) is None
    assert ProviderIdentity.objects.count() == 1
