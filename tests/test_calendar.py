"""The rent year and its rent-free weeks (legal-reference.md §16)."""

from datetime import date

import pytest

from core.dates import add_working_days, first_monday_of_april, rent_year_containing
from payments.calendar import charge_weeks_between, rent_year_weeks
from payments.models import RentWeek, RentYear


@pytest.mark.parametrize(
    "year, monday",
    [
        (2024, date(2024, 4, 1)),
        (2025, date(2025, 4, 7)),
        (2026, date(2026, 4, 6)),
        (2027, date(2027, 4, 5)),
    ],
)
def test_rent_year_starts_on_the_first_monday_of_april(year, monday):
    assert first_monday_of_april(year) == monday


@pytest.mark.parametrize(
    "day, start, end",
    [
        (date(2026, 4, 5), date(2025, 4, 7), date(2026, 4, 5)),  # the Sunday before
        (date(2026, 4, 6), date(2026, 4, 6), date(2027, 4, 4)),  # the first Monday
        (date(2027, 1, 1), date(2026, 4, 6), date(2027, 4, 4)),
    ],
)
def test_day_belongs_to_the_rent_year_running_from_first_monday_to_first_monday(day, start, end):
    assert rent_year_containing(day) == (start, end)


def test_forty_eight_week_year_matches_stoke_on_trent_2024_25_free_weeks():
    weeks = rent_year_weeks(2024, free_weeks=4)

    free = [w.starts_on for w in weeks if not w.is_charge_week]
    assert free == [date(2024, 4, 1), date(2024, 12, 23), date(2024, 12, 30), date(2025, 3, 31)]
    assert len(weeks) == 53  # 2024/25 has 53 Mondays
    assert sum(w.is_charge_week for w in weeks) == 49


def test_fifty_week_year_frees_only_christmas_and_new_year_weeks():
    weeks = rent_year_weeks(2026, free_weeks=2)

    assert [w.starts_on for w in weeks if not w.is_charge_week] == [
        date(2026, 12, 21),
        date(2026, 12, 28),
    ]
    assert sum(w.is_charge_week for w in weeks) == 50


@pytest.mark.django_db
def test_stored_calendar_is_created_once_and_edits_are_kept():
    weeks = charge_weeks_between(date(2026, 12, 14), date(2027, 1, 10))
    assert weeks == {
        date(2026, 12, 14): True,
        date(2026, 12, 21): False,
        date(2026, 12, 28): False,
        date(2027, 1, 4): True,
    }
    # A council moves a rent-free week; asking again keeps its choice.
    RentWeek.objects.filter(starts_on=date(2027, 1, 4)).update(is_charge_week=False)
    assert charge_weeks_between(date(2027, 1, 4), date(2027, 1, 4)) == {date(2027, 1, 4): False}
    assert RentYear.objects.filter(label="2026/27").count() == 1


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (
            date(2026, 12, 23),
            2,
            date(2026, 12, 29),
        ),  # Christmas and Boxing Day (Sat, moved to Mon 28)
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # Good Friday 26 Mar, Easter Monday 29 Mar 2027
        (date(2026, 11, 20), 4, date(2026, 11, 26)),  # a plain week: Fri + 4 working days
    ],
)
def test_working_days_skip_weekends_and_english_bank_holidays(start, days, expected):
    assert add_working_days(start, days) == expected
