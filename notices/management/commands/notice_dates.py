"""Work out notice dates for a batch of cases, so the legal team can check the rules.

    manage.py notice_dates --batch cases.json

The file is a JSON list of cases:

    {"tenure": "secure", "rent_period": "weekly", "period_start_weekday": "monday",
     "served_on": "2026-11-02", "service_method": "first_class_post"}

with `landlord_registered_provider` (true/false) for assured tenancies,
`period_anchor` (a date a period starts) for fortnightly and four-weekly rent,
`period_start_day` (1 to 28) for monthly rent, `trial_period_end` for introductory
tenancies and, optionally, `fixed_term_end` for flexible ones and an `id` that is
echoed back. It prints a JSON list in the same order: for each case
`deemed_served_on`, `earliest_proceedings_date` (the date to put in the notice),
`last_proceedings_date` (when it stops being in force; null for notices to quit,
which have no statutory long-stop) and, for introductory tenancies,
`review_request_by`; or `refused` with the reason the notice cannot be served.
Bad input prints every problem, naming the case and the field, and nothing else.
"""

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrears.selectors import policy_in_force
from notices.periods import (
    WEEKDAYS,
    Method,
    NoticeDates,
    NoticeRefused,
    Period,
    RentPeriod,
    Tenure,
    notice_dates,
)


class BadCase(ValueError):
    pass


def _choice(case: dict, field: str, choices: type) -> Any:
    value = case.get(field)
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise BadCase(f"{field} must be one of {', '.join(allowed)} (got {value!r})")
    return choices(value)


def _date(case: dict, field: str, *, required: bool = True) -> date | None:
    value = case.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadCase(f"{field} must be a date written YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadCase(f"{field} must be a date written YYYY-MM-DD (got {value!r})") from None


def _rent_period(case: dict) -> RentPeriod:
    period = _choice(case, "rent_period", Period)
    if period == Period.WEEKLY:
        weekday = case.get("period_start_weekday")
        if not isinstance(weekday, str) or weekday.lower() not in WEEKDAYS:
            raise BadCase(
                "period_start_weekday must be one of monday to sunday for weekly rent "
                f"(got {weekday!r})"
            )
        return RentPeriod(period, start_weekday=WEEKDAYS.index(weekday.lower()))
    if period in (Period.FORTNIGHTLY, Period.FOUR_WEEKLY):
        return RentPeriod(period, anchor=_date(case, "period_anchor"))
    day = case.get("period_start_day")
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
        raise BadCase(f"period_start_day must be a whole number from 1 to 28 (got {day!r})")
    return RentPeriod(period, start_day=day)


def parse_case(case: Any) -> dict[str, Any]:
    """The keyword arguments for notices.periods.notice_dates, or BadCase."""
    if not isinstance(case, dict):
        raise BadCase("each case must be a JSON object")
    tenure = _choice(case, "tenure", Tenure)
    registered = case.get(
        "landlord_registered_provider", False if tenure != Tenure.ASSURED else None
    )
    if not isinstance(registered, bool):
        raise BadCase(
            "landlord_registered_provider must be true or false"
            + (
                " (it decides Form 3 or Form 3A for assured tenancies)"
                if tenure == Tenure.ASSURED
                else ""
            )
        )
    kwargs = {
        "tenure": tenure,
        "landlord_registered_provider": registered,
        "rent": _rent_period(case),
        "served_on": _date(case, "served_on"),
        "method": _choice(case, "service_method", Method),
        "trial_period_end": _date(case, "trial_period_end", required=tenure == Tenure.INTRODUCTORY),
        "fixed_term_end": _date(case, "fixed_term_end", required=False),
    }
    return kwargs


def dates_as_json(dates: NoticeDates) -> dict[str, Any]:
    out: dict[str, Any] = {
        "notice": dates.kind.value,
        "deemed_served_on": dates.deemed_served_on.isoformat(),
        "earliest_proceedings_date": dates.earliest_proceedings_date.isoformat(),
        "last_proceedings_date": (
            dates.last_proceedings_date.isoformat() if dates.last_proceedings_date else None
        ),
    }
    if dates.review_request_by is not None:
        out["review_request_by"] = dates.review_request_by.isoformat()
    return out


class Command(BaseCommand):
    help = "Print the deemed service, proceedings and expiry dates for a batch of notices."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", required=True, help="A JSON file with a list of cases ('-' reads stdin)."
        )

    def handle(self, *args, batch: str, **options):
        try:
            if batch == "-":
                raw = sys.stdin.read()
            else:
                with open(batch, encoding="utf-8") as handle:
                    raw = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {batch}: {exc.strerror}") from exc
        try:
            cases = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{batch} is not valid JSON: {exc}") from exc
        if not isinstance(cases, list):
            raise CommandError(f"{batch} must hold a JSON list of cases")

        parsed, problems = [], []
        for number, case in enumerate(cases, start=1):
            label = f"Case {number}" + (
                f" ({case['id']})" if isinstance(case, dict) and "id" in case else ""
            )
            try:
                parsed.append(parse_case(case))
            except (BadCase, ValueError) as exc:
                problems.append(f"{label}: {exc}")
        if problems:
            raise CommandError(
                "\n".join(["The batch has problems; nothing was worked out:", *problems])
            )

        # The escalation policy's switch-over date for social housing assured tenancies.
        rra_social_from = policy_in_force().rra_social_housing_from
        results = []
        for case, kwargs in zip(cases, parsed, strict=True):
            try:
                result = dates_as_json(notice_dates(**kwargs, rra_social_from=rra_social_from))
            except NoticeRefused as refusal:
                result = {"refused": str(refusal)}
            if "id" in case:
                result = {"id": case["id"], **result}
            results.append(result)
        self.stdout.write(json.dumps(results, indent=2))
