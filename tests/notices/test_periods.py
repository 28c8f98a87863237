"""Boundary tests for every notice date rule (notices/periods.py).

Each table row is a case a legal officer could check with a calendar: the day before,
the day, the day after; bank holidays; month ends; leap years; rent periods starting on
every weekday; fortnightly, four-weekly and monthly tenancies.
"""

from datetime import date

import pytest

from notices.periods import (
    Kind,
    Method,
    NoticeRefused,
    Period,
    RentPeriod,
    Tenure,
    add_months,
    deemed_service_date,
    introductory_proceedings_possible,
    is_last_day_of_period,
    last_day_of_period_on_or_after,
    nosp_earliest_date,
    nosp_last_date,
    notice_dates,
    notice_kind_for,
    notice_to_quit_earliest_expiry,
    review_request_deadline,
    section_8_earliest_date,
    section_8_last_date,
    section_8_regime_is_rra,
)

D = date
MONDAY_WEEKLY = RentPeriod(Period.WEEKLY, start_weekday=0)


@pytest.mark.parametrize(
    ("served_on", "method", "deemed"),
    [
        # By hand or left at the address: that day, whatever the day.
        (D(2026, 11, 2), Method.HAND, D(2026, 11, 2)),
        (D(2026, 11, 7), Method.HAND, D(2026, 11, 7)),  # a Saturday
        (D(2026, 12, 25), Method.LEFT_AT_ADDRESS, D(2026, 12, 25)),  # Christmas Day
        # First class: the second working day after posting.
        (D(2026, 11, 2), Method.FIRST_CLASS_POST, D(2026, 11, 4)),  # Mon -> Wed
        (D(2026, 11, 5), Method.FIRST_CLASS_POST, D(2026, 11, 9)),  # Thu -> Mon
        (D(2026, 11, 6), Method.FIRST_CLASS_POST, D(2026, 11, 10)),  # Fri -> Tue
        (D(2026, 11, 7), Method.FIRST_CLASS_POST, D(2026, 11, 10)),  # Sat -> Tue
        (D(2026, 11, 8), Method.FIRST_CLASS_POST, D(2026, 11, 10)),  # Sun -> Tue
        # Second class: the fourth working day after posting.
        (D(2026, 11, 2), Method.SECOND_CLASS_POST, D(2026, 11, 6)),  # Mon -> Fri
        (D(2026, 11, 5), Method.SECOND_CLASS_POST, D(2026, 11, 11)),  # Thu -> Wed
        # Bank holidays are not working days.
        (
            D(2026, 12, 23),
            Method.FIRST_CLASS_POST,
            D(2026, 12, 29),
        ),  # 25th, 28th (Boxing Day substitute)
        (D(2026, 12, 23), Method.SECOND_CLASS_POST, D(2026, 12, 31)),
        (D(2026, 12, 31), Method.FIRST_CLASS_POST, D(2027, 1, 5)),  # New Year's Day
        (D(2026, 4, 2), Method.FIRST_CLASS_POST, D(2026, 4, 8)),  # Good Friday, Easter Monday
        (D(2026, 5, 1), Method.SECOND_CLASS_POST, D(2026, 5, 8)),  # early May bank holiday
        (D(2026, 8, 28), Method.FIRST_CLASS_POST, D(2026, 9, 2)),  # summer bank holiday
        (D(2027, 12, 24), Method.FIRST_CLASS_POST, D(2027, 12, 30)),  # 27th and 28th substitutes
    ],
)
def test_deemed_service_by_method_skips_weekends_and_english_bank_holidays(
    served_on, method, deemed
):
    assert deemed_service_date(served_on, method) == deemed


@pytest.mark.parametrize(
    ("start_weekday", "expected"),
    [
        # Served Monday 2 November 2026; four weeks later is Monday 30 November.
        (0, D(2026, 12, 6)),  # Monday-start periods end on Sundays
        (1, D(2026, 11, 30)),  # Tuesday-start periods end on Mondays: the 30th itself
        (2, D(2026, 12, 1)),
        (3, D(2026, 12, 2)),
        (4, D(2026, 12, 3)),
        (5, D(2026, 12, 4)),
        (6, D(2026, 12, 5)),  # Sunday-start periods end on Saturdays
    ],
)
def test_nosp_date_is_four_weeks_on_to_the_end_of_a_rent_week_for_every_start_weekday(
    start_weekday, expected
):
    rent = RentPeriod(Period.WEEKLY, start_weekday=start_weekday)
    assert nosp_earliest_date(D(2026, 11, 2), rent) == expected


@pytest.mark.parametrize(
    ("deemed", "expected"),
    [
        (D(2026, 10, 31), D(2026, 11, 29)),  # the day before: 28 Nov is a Saturday
        (D(2026, 11, 1), D(2026, 11, 29)),  # four weeks on is itself a Sunday
        (D(2026, 11, 2), D(2026, 12, 6)),  # the day after: a week later
    ],
)
def test_nosp_date_boundary_when_four_weeks_lands_on_the_last_day_of_a_period(deemed, expected):
    assert nosp_earliest_date(deemed, MONDAY_WEEKLY) == expected


@pytest.mark.parametrize(
    ("rent", "deemed", "expected"),
    [
        # Fortnightly, periods from Monday 2 Nov 2026: they end 15 Nov, 29 Nov, 13 Dec.
        (RentPeriod(Period.FORTNIGHTLY, anchor=D(2026, 11, 2)), D(2026, 11, 1), D(2026, 11, 29)),
        (RentPeriod(Period.FORTNIGHTLY, anchor=D(2026, 11, 2)), D(2026, 11, 2), D(2026, 12, 13)),
        # An anchor years away, or after the service date, gives the same periods.
        (RentPeriod(Period.FORTNIGHTLY, anchor=D(2019, 4, 1)), D(2026, 11, 2), D(2026, 12, 13)),
        (RentPeriod(Period.FORTNIGHTLY, anchor=D(2027, 1, 11)), D(2026, 11, 2), D(2026, 12, 13)),
        # Four-weekly from 2 Nov 2026: periods end 29 Nov, 27 Dec.
        (RentPeriod(Period.FOUR_WEEKLY, anchor=D(2026, 11, 2)), D(2026, 11, 1), D(2026, 11, 29)),
        (RentPeriod(Period.FOUR_WEEKLY, anchor=D(2026, 11, 2)), D(2026, 11, 2), D(2026, 12, 27)),
        # Monthly from the 1st: a full month on, to the month end.
        (RentPeriod(Period.MONTHLY, start_day=1), D(2027, 1, 15), D(2027, 2, 28)),
        (RentPeriod(Period.MONTHLY, start_day=1), D(2028, 1, 15), D(2028, 2, 29)),  # leap year
        (RentPeriod(Period.MONTHLY, start_day=1), D(2027, 1, 31), D(2027, 2, 28)),
        (RentPeriod(Period.MONTHLY, start_day=1), D(2028, 1, 31), D(2028, 2, 29)),
        (RentPeriod(Period.MONTHLY, start_day=1), D(2027, 2, 1), D(2027, 3, 31)),
        (RentPeriod(Period.MONTHLY, start_day=1), D(2026, 11, 30), D(2026, 12, 31)),
        (RentPeriod(Period.MONTHLY, start_day=1), D(2026, 12, 15), D(2027, 1, 31)),  # year end
        # Monthly from other days: periods end the day before the start day.
        (RentPeriod(Period.MONTHLY, start_day=28), D(2027, 1, 15), D(2027, 2, 27)),
        (RentPeriod(Period.MONTHLY, start_day=15), D(2027, 1, 15), D(2027, 3, 14)),
        (RentPeriod(Period.MONTHLY, start_day=15), D(2027, 1, 14), D(2027, 2, 14)),
    ],
)
def test_nosp_date_for_fortnightly_four_weekly_and_monthly_tenancies(rent, deemed, expected):
    assert nosp_earliest_date(deemed, rent) == expected
    assert is_last_day_of_period(expected, rent)


@pytest.mark.parametrize(
    ("specified", "last"),
    [
        (D(2026, 12, 6), D(2027, 12, 6)),
        (D(2028, 2, 29), D(2029, 2, 28)),  # no 29 February in 2029
        (D(2027, 2, 28), D(2028, 2, 28)),
    ],
)
def test_nosp_stays_in_force_twelve_months_after_the_date_it_specifies(specified, last):
    assert nosp_last_date(specified) == last


@pytest.mark.parametrize(
    ("deemed", "rra", "earliest", "last"),
    [
        (D(2026, 11, 2), False, D(2026, 11, 16), D(2027, 11, 2)),  # Form 3: two weeks
        (D(2026, 11, 2), True, D(2026, 11, 30), D(2027, 11, 2)),  # Form 3A: four weeks
        (D(2028, 2, 29), False, D(2028, 3, 14), D(2029, 2, 28)),
        (D(2026, 12, 18), False, D(2027, 1, 1), D(2027, 12, 18)),  # no period boundary needed
    ],
)
def test_section_8_dates_run_from_service_not_from_the_date_specified(deemed, rra, earliest, last):
    assert section_8_earliest_date(deemed, rra=rra) == earliest
    assert section_8_last_date(deemed) == last


@pytest.mark.parametrize(
    ("registered", "served_on", "social_from", "rra"),
    [
        (False, D(2026, 4, 30), None, False),  # the day before the RRA for private landlords
        (False, D(2026, 5, 1), None, True),
        (
            True,
            D(2026, 11, 2),
            None,
            False,
        ),  # social housing assured: old regime until a date is set
        (True, D(2027, 3, 31), D(2027, 4, 1), False),
        (True, D(2027, 4, 1), D(2027, 4, 1), True),
    ],
)
def test_section_8_regime_switches_on_the_commencement_dates(
    registered, served_on, social_from, rra
):
    assert (
        section_8_regime_is_rra(
            landlord_registered_provider=registered,
            served_on=served_on,
            rra_social_from=social_from,
        )
        is rra
    )


@pytest.mark.parametrize(
    ("deemed", "deadline"),
    [
        (D(2026, 11, 2), D(2026, 11, 15)),  # 14 days beginning with the day of service
        (D(2026, 12, 20), D(2027, 1, 2)),  # over the year end and Christmas
        (D(2028, 2, 20), D(2028, 3, 4)),  # leap year: 29 February counts
        (D(2027, 2, 20), D(2027, 3, 5)),
    ],
)
def test_introductory_review_must_be_asked_for_within_14_days_beginning_with_service(
    deemed, deadline
):
    assert review_request_deadline(deemed) == deadline


@pytest.mark.parametrize(
    ("earliest", "trial_end", "possible"),
    [
        (D(2026, 12, 6), D(2026, 12, 5), False),
        (D(2026, 12, 6), D(2026, 12, 6), False),  # proceedings could only begin on the 7th
        (D(2026, 12, 6), D(2026, 12, 7), True),
    ],
)
def test_introductory_proceedings_must_be_possible_before_the_trial_period_ends(
    earliest, trial_end, possible
):
    assert introductory_proceedings_possible(earliest, trial_end) is possible


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 2), 12, D(2027, 11, 2)),
    ],
)
def test_add_months_keeps_the_day_or_uses_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


def test_last_day_of_period_on_or_after_returns_the_day_itself_when_it_ends_a_period():
    assert last_day_of_period_on_or_after(D(2026, 11, 29), MONDAY_WEEKLY) == D(2026, 11, 29)
    assert last_day_of_period_on_or_after(D(2026, 11, 30), MONDAY_WEEKLY) == D(2026, 12, 6)


def test_notice_to_quit_expires_on_the_same_rule_as_a_nosp():
    assert notice_to_quit_earliest_expiry(D(2026, 11, 2), MONDAY_WEEKLY) == D(2026, 12, 6)


@pytest.mark.parametrize(
    ("tenure", "registered", "fixed_term_end", "kind"),
    [
        (Tenure.SECURE, False, None, Kind.NOSP),
        (Tenure.FLEXIBLE, False, D(2030, 1, 1), Kind.FLEXIBLE_TERMINATION),
        (Tenure.FLEXIBLE, False, D(2026, 1, 1), Kind.NOSP),  # fixed term over: periodic secure
        (Tenure.INTRODUCTORY, False, None, Kind.NOTICE_OF_PROCEEDINGS),
        (Tenure.ASSURED, True, None, Kind.S8_FORM_3),
        (Tenure.ASSURED, False, None, Kind.S8_FORM_3A),
        (Tenure.NON_SECURE_TENANCY, False, None, Kind.NOTICE_TO_QUIT),
        (Tenure.COOPERATIVE, False, None, Kind.NOTICE_TO_QUIT),
        (Tenure.NON_SECURE_LICENCE, False, None, Kind.NOTICE_TO_DETERMINE),
        (Tenure.GARAGE, False, None, Kind.GARAGE_NOTICE_TO_QUIT),
    ],
)
def test_each_tenure_takes_its_own_notice(tenure, registered, fixed_term_end, kind):
    assert (
        notice_kind_for(
            tenure=tenure,
            landlord_registered_provider=registered,
            served_on=D(2026, 11, 2),
            fixed_term_end=fixed_term_end,
        )
        == kind
    )


@pytest.mark.parametrize("tenure", [Tenure.LEASEHOLD, Tenure.SHARED_OWNERSHIP])
def test_leasehold_and_shared_ownership_take_no_possession_notice(tenure):
    with pytest.raises(NoticeRefused, match="money claim or forfeiture"):
        notice_kind_for(tenure=tenure, served_on=D(2026, 11, 2))


def test_notice_dates_for_a_posted_introductory_notice_count_from_deemed_service():
    dates = notice_dates(
        tenure=Tenure.INTRODUCTORY,
        rent=MONDAY_WEEKLY,
        served_on=D(2026, 11, 2),
        method=Method.SECOND_CLASS_POST,
        trial_period_end=D(2027, 3, 31),
    )
    assert dates.deemed_served_on == D(2026, 11, 6)
    assert dates.earliest_proceedings_date == D(2026, 12, 6)  # 4 Dec, then to Sunday
    assert dates.last_proceedings_date == D(2027, 3, 31)
    assert dates.review_request_by == D(2026, 11, 19)


@pytest.mark.parametrize(
    ("trial_end", "message"),
    [
        (D(2026, 11, 1), "trial period ended on 1 November 2026"),
        (D(2026, 12, 6), "ends on 6 December 2026, before proceedings could begin"),
    ],
)
def test_introductory_notice_refused_when_the_trial_period_ends_too_soon(trial_end, message):
    with pytest.raises(NoticeRefused, match=message):
        notice_dates(
            tenure=Tenure.INTRODUCTORY,
            rent=MONDAY_WEEKLY,
            served_on=D(2026, 11, 2),
            method=Method.HAND,
            trial_period_end=trial_end,
        )


def test_notices_to_quit_have_no_statutory_long_stop():
    dates = notice_dates(
        tenure=Tenure.NON_SECURE_TENANCY,
        rent=MONDAY_WEEKLY,
        served_on=D(2026, 11, 2),
        method=Method.HAND,
    )
    assert (dates.kind, dates.earliest_proceedings_date, dates.last_proceedings_date) == (
        Kind.NOTICE_TO_QUIT,
        D(2026, 12, 6),
        None,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": Period.WEEKLY},
        {"period": Period.FORTNIGHTLY},
        {"period": Period.FOUR_WEEKLY},
        {"period": Period.MONTHLY, "start_day": 29},
        {"period": Period.MONTHLY, "start_day": 0},
    ],
)
def test_a_rent_period_without_its_anchor_is_refused(kwargs):
    with pytest.raises(ValueError):
        RentPeriod(**kwargs)
