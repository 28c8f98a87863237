"""The people tests act as, in the healthchecks style: who owns what is the point of each.

alice works patch A; bob works patch B; carol covers patch B for a fortnight;
maggie manages the team; ada administers the service.
"""

from dataclasses import dataclass

import pytest

from cases.models import Patch
from core.models import Role, User
from tests.factories import PatchCoverFactory, PatchFactory, UserFactory


@dataclass
class Team:
    alice: User
    bob: User
    carol: User
    maggie: User
    ada: User
    patch_a: Patch
    patch_b: Patch


@pytest.fixture
def team(db) -> Team:
    alice = UserFactory(username="alice", first_name="Alice", last_name="Ash", role=Role.OFFICER)
    bob = UserFactory(username="bob", first_name="Bob", last_name="Birch", role=Role.OFFICER)
    carol = UserFactory(username="carol", first_name="Carol", last_name="Cedar", role=Role.OFFICER)
    maggie = UserFactory(
        username="maggie", first_name="Maggie", last_name="Maple", role=Role.MANAGER
    )
    ada = UserFactory(
        username="ada", first_name="Ada", last_name="Alder", role=Role.ADMINISTRATOR, is_staff=True
    )
    patch_a = PatchFactory(code="A01", name="Northfield", officer=alice)
    patch_b = PatchFactory(code="B01", name="Southgate", officer=bob)
    PatchCoverFactory(patch=patch_b, officer=carol)
    return Team(alice, bob, carol, maggie, ada, patch_a, patch_b)
