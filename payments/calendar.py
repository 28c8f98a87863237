"""The rent charge calendar: rent years from the first Monday of April, charge and rent-free weeks.

Rent is charged weekly, due Monday. A council with a 48-week rent year gives four
rent-free weeks; with 50 weeks, two (legal-reference.md §16). Instalments under an
arrangement still fall due in rent-free weeks.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from core.dates import first_monday_of_april, week_start
from payments.models import RentWeek, RentYear


@dataclass(frozen=True)
class CalendarWeek:
    number: int
    starts_on: date
    is_charge_week: bool


def rent_year_bounds(start_year: int) -> tuple[date, date]:
    starts_on = first_monday_of_april(start_year)
    return starts_on, first_monday_of_april(start_year + 1) - timedelta(days=1)


def default_rent_free_weeks(starts_on: date, ends_on: date, *, free_weeks: int) -> set[date]:
    """The Mondays of the rent-free weeks under the council's usual pattern.

    Two free weeks: the week with Christmas Day and the week after (as MCC and
    Stoke-on-Trent do). Four: also the first and last weeks of the rent year
    (Stoke-on-Trent 2024/25: w/c 1 Apr, 23 Dec, 30 Dec, 31 Mar).
    """
    if free_weeks not in (0, 2, 4):
        raise ValueError("A rent year has 0, 2 or 4 rent-free weeks")
    if free_weeks == 0:
        return set()
    christmas_week = week_start(date(starts_on.year, 12, 25))
    free = {christmas_week, christmas_week + timedelta(days=7)}
    if free_weeks == 4:
        free |= {starts_on, week_start(ends_on)}
    return free


def rent_year_weeks(start_year: int, *, free_weeks: int | None = None) -> list[CalendarWeek]:
    """Every week of the rent year starting in April of `start_year`."""
    if free_weeks is None:
        free_weeks = settings.RENT_FREE_WEEKS_PER_YEAR
    starts_on, ends_on = rent_year_bounds(start_year)
    free = default_rent_free_weeks(starts_on, ends_on, free_weeks=free_weeks)
    weeks = []
    monday = starts_on
    number = 1
    while monday <= ends_on:
        weeks.append(CalendarWeek(number, monday, monday not in free))
        monday += timedelta(days=7)
        number += 1
    return weeks


def rent_year_ensure(start_year: int) -> RentYear:
    """Create the rent year and its weeks if they do not exist yet; keep edits if they do."""
    starts_on, ends_on = rent_year_bounds(start_year)
    with transaction.atomic():
        year, created = RentYear.objects.get_or_create(
            starts_on=starts_on,
            defaults={
                "ends_on": ends_on,
                "label": f"{start_year}/{str(start_year + 1)[-2:]}",
            },
        )
        if created:
            RentWeek.objects.bulk_create(
                RentWeek(
                    rent_year=year,
                    number=week.number,
                    starts_on=week.starts_on,
                    is_charge_week=week.is_charge_week,
                )
                for week in rent_year_weeks(start_year)
            )
    return year


def charge_weeks_between(start: date, end: date) -> dict[date, bool]:
    """Each rent week's Monday from `start` to `end`, and whether rent is charged that week.

    Reads the stored calendar, creating any rent year not stored yet.
    """
    first = week_start(start)
    for start_year in range(first.year - 1, end.year + 1):
        year_start, year_end = rent_year_bounds(start_year)
        if year_end >= first and year_start <= end:
            rent_year_ensure(start_year)
    return dict(
        RentWeek.objects.filter(starts_on__gte=first, starts_on__lte=end)
        .order_by("starts_on")
        .values_list("starts_on", "is_charge_week")
    )
