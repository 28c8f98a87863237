"""Date rules for notices: service, the date to put in the notice, and how long it lasts.

Small pure functions over plain values; "today" and every date are passed in. Each
cites its source in legal-reference.md (the section number) and the statute behind it.
`notice_dates` composes them for one tenancy, and is what both the notice workflow
and `manage.py notice_dates` call, so the legal team checks the rules the service uses.

Conventions, from the sources:
- The day of service counts and the last day does not: a notice served on a Tuesday
  that expires on the Tuesday four weeks later gives four weeks (Shelter, §1).
- A date "after which proceedings may be begun" is the last day the tenant is
  protected; proceedings may start the day after it.
- Where a date must fall on a rent-period boundary we choose the last day of a period,
  the conservative default (§1 step 3; §5 "first or last day of a period").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.dates import add_working_days

FOUR_WEEKS = timedelta(days=28)
TWO_WEEKS = timedelta(days=14)

# Renters' Rights Act 2025 phase 1 in force for assured tenancies that are not social
# housing assured tenancies (SI 2026/421 reg 2; legal-reference.md §0).
RRA_PRIVATE_ASSURED_FROM = date(2026, 5, 1)


class Tenure(StrEnum):
    SECURE = "secure"
    INTRODUCTORY = "introductory"
    FLEXIBLE = "flexible"
    NON_SECURE_TENANCY = "non_secure_tenancy"
    NON_SECURE_LICENCE = "non_secure_licence"
    ASSURED = "assured"
    COOPERATIVE = "cooperative"
    GARAGE = "garage"
    LEASEHOLD = "leasehold"
    SHARED_OWNERSHIP = "shared_ownership"


class Period(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


class Method(StrEnum):
    HAND = "hand"
    LEFT_AT_ADDRESS = "left_at_address"
    FIRST_CLASS_POST = "first_class_post"
    SECOND_CLASS_POST = "second_class_post"


class Kind(StrEnum):
    """The notice each tenure takes (the values of notices.models.NoticeKind)."""

    NOSP = "nosp"
    FLEXIBLE_TERMINATION = "flexible_termination"
    NOTICE_OF_PROCEEDINGS = "notice_of_proceedings"
    S8_FORM_3 = "s8_form_3"
    S8_FORM_3A = "s8_form_3a"
    NOTICE_TO_QUIT = "notice_to_quit"
    NOTICE_TO_DETERMINE = "notice_to_determine"
    GARAGE_NOTICE_TO_QUIT = "garage_notice_to_quit"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class RentPeriod:
    """How a tenancy's rent periods fall: a weekday (weekly), an anchor date on which a
    period starts (fortnightly, four-weekly) or a day of the month 1-28 (monthly)."""

    period: Period
    start_weekday: int | None = None
    anchor: date | None = None
    start_day: int | None = None

    def __post_init__(self) -> None:
        if self.period == Period.WEEKLY and self.start_weekday not in range(7):
            raise ValueError(
                "A weekly tenancy needs the weekday its periods start (Monday to Sunday)"
            )
        if self.period in (Period.FORTNIGHTLY, Period.FOUR_WEEKLY) and self.anchor is None:
            raise ValueError(
                "A fortnightly or four-weekly tenancy needs a date on which a period starts"
            )
        if self.period == Period.MONTHLY and self.start_day not in range(1, 29):
            raise ValueError(
                "A monthly tenancy needs the day of the month its periods start (1 to 28)"
            )


class NoticeRefused(Exception):
    """The notice cannot lawfully be served; the message says why, in an officer's words."""


@dataclass(frozen=True)
class NoticeDates:
    kind: Kind
    deemed_served_on: date
    earliest_proceedings_date: date
    last_proceedings_date: date | None
    review_request_by: date | None
    basis: str


# Calendar helpers -------------------------------------------------------------------


def long_date(day: date) -> str:
    """3 March 2027, as letters and refusals print dates."""
    return f"{day.day} {day:%B %Y}"


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_starts_on(day: date, rent: RentPeriod) -> bool:
    """Whether a rent period of the tenancy begins on `day`."""
    if rent.period == Period.WEEKLY:
        return day.weekday() == rent.start_weekday
    if rent.period == Period.FORTNIGHTLY:
        return (day - rent.anchor).days % 14 == 0
    if rent.period == Period.FOUR_WEEKLY:
        return (day - rent.anchor).days % 28 == 0
    return day.day == rent.start_day


def is_last_day_of_period(day: date, rent: RentPeriod) -> bool:
    return period_starts_on(day + timedelta(days=1), rent)


def last_day_of_period_on_or_after(day: date, rent: RentPeriod) -> date:
    """The first date on or after `day` that ends a rent period of the tenancy."""
    if rent.period == Period.MONTHLY:
        # The period ends the day before the start day of a month.
        candidate = date(day.year, day.month, rent.start_day) - timedelta(days=1)
        while candidate < day:
            candidate = add_months(candidate + timedelta(days=1), 1) - timedelta(days=1)
        return candidate
    candidate = day
    while not is_last_day_of_period(candidate, rent):
        candidate += timedelta(days=1)
    return candidate


def one_period_after(day: date, rent: RentPeriod) -> date:
    """`day` plus one complete rent period."""
    if rent.period == Period.MONTHLY:
        return add_months(day, 1)
    return day + timedelta(days={"weekly": 7, "fortnightly": 14, "four_weekly": 28}[rent.period])


# The rules ---------------------------------------------------------------------------


def deemed_service_date(served_on: date, method: Method) -> date:
    """When a notice counts as served.

    Handed over or left at the address: that day (Local Government Act 1972 s233;
    Birmingham CC v Bravington [2023] EWCA Civ 308; §7). Posted: deemed delivered in the
    ordinary course of post (Interpretation Act 1978 s7), taken as the second working day
    after posting for first class and the fourth for second class (Practice Direction
    [1985] 1 All ER 889), skipping weekends and English bank holidays (§7).
    """
    if method in (Method.HAND, Method.LEFT_AT_ADDRESS):
        return served_on
    if method == Method.FIRST_CLASS_POST:
        return add_working_days(served_on, 2)
    if method == Method.SECOND_CLASS_POST:
        return add_working_days(served_on, 4)
    raise ValueError(f"Unknown service method {method!r}")


def notice_to_quit_earliest_expiry(deemed_served_on: date, rent: RentPeriod) -> date:
    """The earliest date a landlord's notice to quit given that day could end the tenancy.

    At least four weeks (Protection from Eviction Act 1977 s5(1)) or one complete
    period if longer (monthly tenancies), expiring on the last day of a rent period
    (common law; §1 steps 2-3, §5).
    """
    minimum = max(deemed_served_on + FOUR_WEEKS, one_period_after(deemed_served_on, rent))
    return last_day_of_period_on_or_after(minimum, rent)


def nosp_earliest_date(deemed_served_on: date, rent: RentPeriod) -> date:
    """The date after which proceedings may begin on a NOSP (secure or flexible).

    Not earlier than the date the tenancy could be ended by a notice to quit served the
    same day (Housing Act 1985 s83(5); §1), on a rent-period boundary.
    """
    return notice_to_quit_earliest_expiry(deemed_served_on, rent)


def nosp_last_date(specified: date) -> date:
    """A NOSP ceases to be in force twelve months after the date it specifies
    (Housing Act 1985 s83(4)(b); §1)."""
    return add_months(specified, 12)


def notice_of_proceedings_earliest_date(deemed_served_on: date, rent: RentPeriod) -> date:
    """Introductory tenancy: the date in the notice is no earlier than the date the
    tenancy could be ended by notice to quit (Housing Act 1996 s128(4); §3)."""
    return notice_to_quit_earliest_expiry(deemed_served_on, rent)


def review_request_deadline(deemed_served_on: date) -> date:
    """The last day an introductory tenant may ask for a review: within the 14 days
    beginning with the day of service, so service day + 13 (Housing Act 1996 s129(1); §3)."""
    return deemed_served_on + timedelta(days=13)


def introductory_proceedings_possible(
    earliest_proceedings_date: date, trial_period_end: date
) -> bool:
    """Whether proceedings could be begun while the tenancy is still introductory.

    They may start the day after the date in the notice, and must start on or before
    the last day of the trial period (`trial_period_end`), or the tenancy becomes secure
    (Housing Act 1996 s130; §3, §19 rule 10).
    """
    return earliest_proceedings_date + timedelta(days=1) <= trial_period_end


def section_8_regime_is_rra(
    *, landlord_registered_provider: bool, served_on: date, rra_social_from: date | None
) -> bool:
    """Whether an assured tenancy is under the Renters' Rights Act 2025 regime (Form 3A).

    Private (non-registered-provider) landlords since 1 May 2026 (SI 2026/421);
    social housing assured tenancies only from a date the council sets when a
    commencement order is made ("2027 at the earliest"; §0), which defaults to never.
    """
    if not landlord_registered_provider:
        return served_on >= RRA_PRIVATE_ASSURED_FROM
    return rra_social_from is not None and served_on >= rra_social_from


def section_8_earliest_date(deemed_served_on: date, *, rra: bool) -> date:
    """The date in a s8 notice on grounds 8, 10 and 11: two weeks after service (Housing
    Act 1988 s8(4B)), four weeks under the Renters' Rights Act 2025 (§0, §4). No
    rent-period boundary is needed for s8 notices."""
    return deemed_served_on + (FOUR_WEEKS if rra else TWO_WEEKS)


def section_8_last_date(deemed_served_on: date) -> date:
    """Proceedings on a s8 notice must begin within twelve months of service, not of the
    date specified (Housing Act 1988 s8(3)(c); §4)."""
    return add_months(deemed_served_on, 12)


def notice_kind_for(
    *,
    tenure: Tenure,
    landlord_registered_provider: bool = False,
    served_on: date,
    rra_social_from: date | None = None,
    fixed_term_end: date | None = None,
) -> Kind:
    """The notice a tenure takes (legal-reference.md §18); refused where there is none."""
    if tenure == Tenure.SECURE:
        return Kind.NOSP
    if tenure == Tenure.FLEXIBLE:
        # After the fixed term a periodic secure tenancy arises (HA 1985 s86): Part I.
        if fixed_term_end is not None and served_on > fixed_term_end:
            return Kind.NOSP
        return Kind.FLEXIBLE_TERMINATION
    if tenure == Tenure.INTRODUCTORY:
        return Kind.NOTICE_OF_PROCEEDINGS
    if tenure == Tenure.ASSURED:
        rra = section_8_regime_is_rra(
            landlord_registered_provider=landlord_registered_provider,
            served_on=served_on,
            rra_social_from=rra_social_from,
        )
        return Kind.S8_FORM_3A if rra else Kind.S8_FORM_3
    if tenure in (Tenure.NON_SECURE_TENANCY, Tenure.COOPERATIVE):
        return Kind.NOTICE_TO_QUIT
    if tenure == Tenure.NON_SECURE_LICENCE:
        return Kind.NOTICE_TO_DETERMINE
    if tenure == Tenure.GARAGE:
        return Kind.GARAGE_NOTICE_TO_QUIT
    raise NoticeRefused(
        "A leasehold or shared ownership debt cannot be recovered with a possession notice "
        "in this service: it needs a money claim or forfeiture (legal-reference.md §6)."
    )


def notice_dates(
    *,
    tenure: Tenure,
    rent: RentPeriod,
    served_on: date,
    method: Method,
    landlord_registered_provider: bool = False,
    trial_period_end: date | None = None,
    fixed_term_end: date | None = None,
    rra_social_from: date | None = None,
) -> NoticeDates:
    """Every date for a notice served on `served_on` by `method`, or NoticeRefused."""
    kind = notice_kind_for(
        tenure=tenure,
        landlord_registered_provider=landlord_registered_provider,
        served_on=served_on,
        rra_social_from=rra_social_from,
        fixed_term_end=fixed_term_end,
    )
    deemed = deemed_service_date(served_on, method)

    if kind in (Kind.NOSP, Kind.FLEXIBLE_TERMINATION):
        earliest = nosp_earliest_date(deemed, rent)
        return NoticeDates(
            kind,
            deemed,
            earliest,
            nosp_last_date(earliest),
            None,
            "HA 1985 s83: at least 4 weeks or a full period, ending on the last day of a rent "
            "period; in force for 12 months after that date.",
        )

    if kind == Kind.NOTICE_OF_PROCEEDINGS:
        if trial_period_end is None:
            raise ValueError("An introductory tenancy needs its trial period end")
        if deemed > trial_period_end:
            raise NoticeRefused(
                f"The introductory trial period ended on {long_date(trial_period_end)}: the "
                "tenancy is no longer introductory, so a notice of proceedings cannot be served."
            )
        earliest = notice_of_proceedings_earliest_date(deemed, rent)
        if not introductory_proceedings_possible(earliest, trial_period_end):
            raise NoticeRefused(
                f"The introductory trial period ends on {long_date(trial_period_end)}, before "
                f"proceedings could begin (after {long_date(earliest)}): the notice would expire "
                "too late (Housing Act 1996 s130)."
            )
        return NoticeDates(
            kind,
            deemed,
            earliest,
            trial_period_end,
            review_request_deadline(deemed),
            "HA 1996 s128: no earlier than a notice to quit would end the tenancy; proceedings "
            "must begin by the end of the trial period (s130); review within 14 days (s129).",
        )

    if kind in (Kind.S8_FORM_3, Kind.S8_FORM_3A):
        rra = kind == Kind.S8_FORM_3A
        return NoticeDates(
            kind,
            deemed,
            section_8_earliest_date(deemed, rra=rra),
            section_8_last_date(deemed),
            None,
            (
                "RRA 2025: 4 weeks for grounds 8, 10 and 11"
                if rra
                else "HA 1988 s8(4B): 2 weeks for grounds 8, 10 and 11"
            )
            + "; proceedings within 12 months of service (s8(3)(c)).",
        )

    # Notices to quit and notices to determine: no statutory long-stop once expired.
    return NoticeDates(
        kind,
        deemed,
        notice_to_quit_earliest_expiry(deemed, rent),
        None,
        None,
        "PEA 1977 s5: at least 4 weeks or a full period, ending on the last day of a rent "
        "period; a court order is still needed after it expires.",
    )
