"""Faults on real workers, PostgreSQL and Redis. `FAULT_TRIALS=N` repeats each (bench/faults.py
sets it and prints the table); CI runs each once."""

import os
from pathlib import Path

import pytest

from tests.arrears.conftest import eight_cases
from tests.factories import TenantFactory


def pytest_generate_tests(metafunc):
    if "trial" in metafunc.fixturenames:
        metafunc.parametrize("trial", range(1, int(os.environ.get("FAULT_TRIALS", "1")) + 1))


@pytest.fixture
def council(team):
    """The arrears tests' eight cases of every kind of night, each with a tenant to write
    to, so the night's letters render."""
    cases = eight_cases(team)
    for case in cases.values():
        if not case.tenancy.tenants.exists():
            TenantFactory(tenancy=case.tenancy)
    return cases


@pytest.fixture
def documents_root(settings, tmp_path) -> Path:
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_ROOT.mkdir()
    return settings.DOCUMENTS_ROOT
