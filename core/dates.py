"""Dates the whole service shares: English bank holidays and the rent year."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _english_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """English bank holidays (Banking and Financial Dealings Act 1971 and proclamations)."""
    return day in _english_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day` (weekends and bank holidays skipped)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def first_monday_of_april(year: int) -> date:
    """A council rent year starts on the first Monday of April (glossary: rent week)."""
    april_first = date(year, 4, 1)
    return april_first + timedelta(days=(7 - april_first.weekday()) % 7)


def rent_year_containing(day: date) -> tuple[date, date]:
    """First and last day of the rent year that contains `day`."""
    start = first_monday_of_april(day.year)
    if day < start:
        start = first_monday_of_april(day.year - 1)
    end = first_monday_of_april(start.year + 1) - timedelta(days=1)
    return start, end


def week_start(day: date) -> date:
    """The Monday of the rent week containing `day`."""
    return day - timedelta(days=day.weekday())
