"""Shared by the integrations tests: a frozen clock and cases built through the ledger."""

import pytest
from django.core.cache import caches

from tests.casework.conftest import make_case, today  # noqa: F401  (fixture re-exported)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    caches["api_throttle"].clear()
    yield
    caches["api_throttle"].clear()


@pytest.fixture
def alices_case(team):
    return make_case(team.patch_a, first_name="Jane", last_name="Smith", joint=("John", "Smith"))
