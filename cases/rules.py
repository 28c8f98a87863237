"""Casework rules: small pure functions over plain values, each citing its source.

The limits they apply are the council's casework policy (`CaseworkPolicy`), kept in one
place so a manager can review them; the functions return the problem in words an
officer can act on, or None when there is none.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CaseworkPolicy:
    """Local casework limits. Defaults follow the legal reference where it gives one."""

    # An officer's pause is a short hold (Hackney paused cases for days or weeks); a
    # longer stop is a dispute, a benefit claim or Breathing Space, each with its own record.
    max_pause_days: int = 90
    # SI 2020/1311: a standard Breathing Space lasts up to 60 days (legal-reference.md §10).
    standard_breathing_space_days: int = 60
    # An I&E is reviewed every 6-12 months or on a change of circumstances (§12);
    # an arrangement is agreed from one no older than this.
    income_statement_max_age_days: int = 183
    # Follow-ups further out than this are diary entries, not follow-ups.
    max_follow_up_days: int = 366


POLICY = CaseworkPolicy()


def pause_problem(*, until: date, today: date, policy: CaseworkPolicy = POLICY) -> str | None:
    """An officer's pause must end after today and within the policy's longest pause."""
    if until <= today:
        return "The date the pause ends must be in the future"
    latest = today + timedelta(days=policy.max_pause_days)
    if until > latest:
        return (
            f"A pause can last at most {policy.max_pause_days} days, until {latest:%-d %B %Y}: "
            "for longer, record a dispute, a benefit claim or a Breathing Space"
        )
    return None


def breathing_space_problem(
    *,
    standard: bool,
    starts_on: date,
    expected_end: date | None,
    today: date,
    policy: CaseworkPolicy = POLICY,
) -> dict[str, str]:
    """Check the dates from the Insolvency Service's notice of a Breathing Space.

    A standard moratorium lasts up to 60 days; a mental health crisis moratorium lasts
    for the crisis treatment and 30 days after, so its end may not be known
    (Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis
    Moratorium) (England and Wales) Regulations 2020, SI 2020/1311; legal-reference.md §10).
    """
    problems: dict[str, str] = {}
    if starts_on > today:
        problems["starts_on"] = "The start date must be today or in the past"
    if standard and expected_end is None:
        problems["expected_end"] = (
            "Enter the expected end date: a standard Breathing Space lasts up to 60 days"
        )
    if expected_end is not None and expected_end <= starts_on:
        problems["expected_end"] = "The expected end date must be after the start date"
    elif standard and expected_end is not None:
        longest = starts_on + timedelta(days=policy.standard_breathing_space_days)
        if expected_end > longest:
            problems["expected_end"] = (
                f"A standard Breathing Space lasts at most {policy.standard_breathing_space_days}"
                f" days, so it ends by {longest:%-d %B %Y}: check the date on the notice"
            )
    return problems


def follow_up_problem(
    *, follow_up_on: date | None, today: date, policy: CaseworkPolicy = POLICY
) -> str | None:
    """A follow-up date is a promise to come back: after today, and not years away."""
    if follow_up_on is None:
        return None
    if follow_up_on <= today:
        return "The follow-up date must be in the future"
    if follow_up_on > today + timedelta(days=policy.max_follow_up_days):
        return "The follow-up date must be within a year"
    return None


def acknowledgment_problem(*, outcome: str, channel: str, direction: str) -> str | None:
    """Only an acknowledgment in writing, signed by the debtor, restarts the six years of
    limitation (Limitation Act 1980 s29(5), s30): it comes from them, on paper or by email,
    not on the phone."""
    if outcome != "acknowledged_debt":
        return None
    if channel not in ("letter", "email") or direction != "inbound":
        return (
            "A signed written acknowledgment must come from the household by letter or "
            "email: choose Letter or Email, and The household contacted us"
        )
    return None


def income_statement_is_current(
    *, taken_on: date, today: date, policy: CaseworkPolicy = POLICY
) -> bool:
    """An arrangement is agreed from a recent I&E: PAP para 2 ("affordable sums based on
    the tenant's income and expenditure"); legal-reference.md §8 and §12."""
    return today - taken_on <= timedelta(days=policy.income_statement_max_age_days)


def hold_start_problem(
    *, starts_on: date, today: date, tenancy_start: date, what: str
) -> str | None:
    """A dispute or a benefit claim is recorded once it has happened: raised or submitted
    today or earlier, and not before the tenancy it concerns began. (Unlike a pause, it
    has no end date: it holds the case until its outcome is recorded, legal-reference.md
    §19 rules 2 and 8.)"""
    if starts_on > today:
        return f"The date the {what} must be today or in the past"
    if starts_on < tenancy_start:
        return (
            f"The date the {what} must be on or after the tenancy began, {tenancy_start:%-d %B %Y}"
        )
    return None


def withdrawn_cover_last_day(*, starts_on: date, today: date) -> date:
    """Cover withdrawn now ends yesterday, so the officer loses the patch at once; cover
    withdrawn before it began ends the day before its start, an empty period. Days
    already worked stay covered: what the officer did then was done with authority."""
    return max(today, starts_on) - timedelta(days=1)


def cover_last_day_problem(
    *, starts_on: date, ends_on: date | None, last_day: date, today: date
) -> str | None:
    """A later last day for a cover must be today or after, not before the cover starts,
    and earlier than the end already set: withdrawing cover only ever shortens it."""
    if last_day < today:
        return "The last day of cover must be today or later: choose now to end it at once"
    if last_day < starts_on:
        return f"The last day of cover must be on or after the day it starts, {starts_on:%-d %B %Y}"
    if ends_on is not None and last_day >= ends_on:
        return f"The cover already ends on {ends_on:%-d %B %Y}: choose an earlier last day"
    return None
