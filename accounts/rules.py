"""Who must give a second factor, and which roles a provider's groups give: small rules
over plain values, so each is tested on its own."""

from collections.abc import Iterable, Mapping

from core.models import Role

# Those who approve notices, claims and write-offs, and those who administer the service
# and its users: their accounts are worth the most to an attacker (NCSC Cloud Security
# Principle 9 and the council's information-security policy: "multi-factor
# authentication for privileged accounts").
SECOND_FACTOR_ROLES = frozenset({Role.MANAGER, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR})


def needs_second_factor(
    *, roles: Iterable[str], is_superuser: bool, signed_in_with_provider: bool
) -> bool:
    """A local sign-in by a manager, head of service, administrator or superuser needs a
    code from an authenticator app. A single sign-on's second factor is the identity
    provider's to enforce (Entra ID Conditional Access), so it is not asked again."""
    if signed_in_with_provider:
        return False
    return is_superuser or any(role in SECOND_FACTOR_ROLES for role in roles)


def roles_for_groups(groups: Iterable[str], mapping: Mapping[str, str]) -> set[str]:
    """The roles the provider's groups give, through the mapping kept in the admin
    (group -> role); groups not in the mapping give nothing."""
    return {mapping[group] for group in groups if group in mapping}
