"""Records on a case that a user may see exist but not read: special category data
(UK GDPR Art. 9) marked by an upper app (privacy), which registers a provider here so
the case pages hide the content without importing it. With no provider, nothing is
restricted.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from cases.models import Case
from core.models import User

RESTRICTED_TEXT = (
    "Restricted: special category information. Only the officers who work this case "
    "and the roles that need it can read it."
)


@dataclass(frozen=True)
class Restricted:
    """Ids of the case's records whose content this user may not read."""

    events: frozenset[int] = field(default_factory=frozenset)
    contacts: frozenset[int] = field(default_factory=frozenset)
    flags: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.events or self.contacts or self.flags)


NOTHING = Restricted()

# A provider is given the user, the case, and whether the user may act on the case
# (the page has worked it out already: cases/permissions.py).
Provider = Callable[[User, Case, bool], Restricted]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def restricted_for(user: User, case: Case, *, can_act: bool) -> Restricted:
    """What this user may not read on this case, from every registered provider."""
    found = [provider(user, case, can_act) for provider in _providers]
    if not found:
        return NOTHING
    return Restricted(
        events=frozenset().union(*(r.events for r in found)),
        contacts=frozenset().union(*(r.contacts for r in found)),
        flags=frozenset().union(*(r.flags for r in found)),
    )
