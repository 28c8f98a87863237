"""The arrears engine's tests: a small council with real ledgers for the run's tests."""

from datetime import date, timedelta

import pytest

from payments.models import TransactionKind
from tests.arrears import world

RUN = date(2026, 11, 23)  # a Monday


@pytest.fixture
def council(team):
    """Eight cases, one of each kind of night."""
    return eight_cases(team)


def eight_cases(team) -> dict:
    """Eight cases, one of each kind of night (the council fixture; tests/faults too)."""
    patch = team.patch_a
    cases = {}

    paying, account = world.open_case(patch=patch)
    world.rent_weeks(account, until=RUN, weeks=6)
    for monday in world.mondays(RUN, 6):
        world.pay(account, monday, "100.00")
    cases["paying"] = paying

    behind, account = world.open_case(
        patch=patch, stage="letter_2", stage_changed_on=RUN - timedelta(days=20)
    )
    world.rent_weeks(account, until=RUN, weeks=6)
    world.pay(account, RUN - timedelta(days=30), "100.00")
    cases["behind"] = behind  # £500: five weeks, letter 2 sent 20 days ago

    new, account = world.open_case(patch=patch)
    world.rent_weeks(account, until=RUN, weeks=2)
    world.pay(account, RUN - timedelta(days=7), "50.00")
    cases["new"] = new  # £150: a week and a half

    protected, account = world.open_case(
        patch=patch, stage="letter_2", stage_changed_on=RUN - timedelta(days=20)
    )
    world.rent_weeks(account, until=RUN, weeks=6)
    world.breathing_space(
        protected, starts_on=RUN - timedelta(days=10), until=RUN + timedelta(days=50)
    )
    cases["protected"] = protected

    notice, account = world.open_case(
        patch=patch, stage="pre_notice", stage_changed_on=RUN - timedelta(days=20)
    )
    world.rent_weeks(account, until=RUN, weeks=6)
    world.assessment(notice, on=RUN - timedelta(days=3))
    cases["notice"] = notice  # £600 at the pre-notice stage: a NOSP for approval

    arranged, account = world.open_case(patch=patch)
    world.charge(account, RUN - timedelta(days=60), "500.00")
    world.rent_weeks(account, until=RUN, weeks=4)
    world.arrangement(
        arranged, account, starts_on=RUN - timedelta(days=28), starting_balance="500.00"
    )
    for monday in world.mondays(RUN, 4):
        world.pay(account, monday, "110.00")
    cases["arranged"] = arranged

    garage, account = world.open_case(patch=patch, tenure="garage", weekly="12.00", kind="garage")
    world.rent_weeks(account, until=RUN, weeks=3, amount="12.00")
    cases["garage"] = garage

    monthly, account = world.open_case(patch=patch)
    world.rent_weeks(account, until=RUN, weeks=10)
    for day in (date(2026, 10, 15), date(2026, 11, 15)):
        world.pay(account, day, "433.33", kind=TransactionKind.UNIVERSAL_CREDIT)
    cases["monthly"] = monthly  # £133.34 behind, paid monthly in arrears: all technical

    return cases


@pytest.fixture
def eager_tasks():
    """Celery tasks run in the test's process, as in the try-it setup, even with REDIS_URL."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
