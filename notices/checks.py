"""Checks that refuse to produce, approve or serve a notice, each naming its reason.

Each check is a small pure function over plain values that returns a Refusal (a code
and a sentence an officer can act on) or None, with a docstring citing its source.
`notice_refusals` runs them all; the workflow (notices/services.py) refuses on any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.selectors import policy_in_force
from core.money import format_money, to_money
from notices.periods import Kind, long_date

RENT_WEEKS_IN_A_MONTH = Decimal(52) / Decimal(12)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class NoticePolicy:
    """The council's thresholds for notices, read from the escalation policy in force
    (arrears/policy.py: the "notice" rung of the tenure's ladder and the legal settings).
    Statutory thresholds are not here: they are in the functions that cite them."""

    version: int
    min_arrears_weeks: Decimal
    min_amount: Decimal
    weeks_basis: str  # "net" (after Housing Benefit) or "gross", as the engine measures
    assessment_max_age_days: int
    rra_social_from: date | None


def notice_policy(tenure: str = "secure") -> NoticePolicy:
    policy = policy_in_force()
    ladder = policy.ladders.get(tenure, {})
    rung = ladder.get("notice")
    return NoticePolicy(
        version=policy.version,
        min_arrears_weeks=rung.weeks if rung else Decimal(0),
        min_amount=rung.min_amount if rung else Decimal(0),
        weeks_basis=policy.weeks_basis,
        assessment_max_age_days=policy.assessment_max_age_days,
        rra_social_from=policy.rra_social_housing_from,
    )


@dataclass(frozen=True)
class HoldFact:
    kind: str
    reason_label: str
    starts_on: date
    until: date | None
    ended_on: date | None


@dataclass(frozen=True)
class NoticeInForce:
    notice_id: int
    kind_label: str
    status: str
    served_on: date | None
    last_proceedings_date: date | None


@dataclass(frozen=True)
class NoticeFacts:
    """Everything the checks read, gathered once (notices.services.notice_facts)."""

    tenure: str
    expected_kind: Kind | None
    tenancy_end_date: date | None
    tenant_names: list[str]
    holds: list[HoldFact]
    assessment_on: date | None
    assessment_proceed: bool
    flags_recorded_since_assessment: int
    rent_arrears: Decimal
    technical_arrears: Decimal
    weekly_charge: Decimal
    weekly_net_rent: Decimal
    rent_period: str
    blocking_notices: list[NoticeInForce] = field(default_factory=list)


def breathing_space_refusal(holds: list[HoldFact], day: date) -> Refusal | None:
    """No notice on rent arrears grounds while a Breathing Space or mental health crisis
    moratorium is in force (Debt Respite Scheme regulations, SI 2020/1311 reg 7;
    legal-reference.md §10, §19 rule 1)."""
    for hold in holds:
        if hold.kind != "breathing_space" or hold.starts_on > day:
            continue
        if hold.ended_on is not None and hold.ended_on <= day:
            continue
        until = f" until {long_date(hold.until)}" if hold.until else ""
        return Refusal(
            "breathing_space",
            f"A Breathing Space ({hold.reason_label.lower() or 'moratorium'}) is in force{until}: "
            "no notice may be served for the arrears during it (SI 2020/1311).",
        )
    return None


def tenure_refusal(kind: str, expected: Kind | None, tenure_label: str) -> Refusal | None:
    """Each tenure takes one notice (legal-reference.md §18): a NOSP for a secure
    tenancy, a s128 notice for an introductory one, a s8 notice for an assured one, a
    notice to quit for non-secure tenancies, co-operatives and garages."""
    if expected is None:
        return Refusal(
            "tenure",
            f"A {tenure_label.lower()} tenancy takes no possession notice in this service: "
            "the debt is recovered by a money claim or forfeiture (legal-reference.md §6).",
        )
    if kind != expected:
        return Refusal(
            "tenure",
            f"A {tenure_label.lower()} tenancy does not take this notice; it takes a "
            f"{EXPECTED_LABELS[expected]}.",
        )
    return None


EXPECTED_LABELS = {
    Kind.NOSP: "Notice of Seeking Possession",
    Kind.FLEXIBLE_TERMINATION: (
        "Notice of Seeking Termination of Tenancy and Recovery of Possession"
    ),
    Kind.NOTICE_OF_PROCEEDINGS: "notice of proceedings (Housing Act 1996 s128)",
    Kind.S8_FORM_3: "section 8 notice in Form 3",
    Kind.S8_FORM_3A: "section 8 notice in Form 3A",
    Kind.NOTICE_TO_QUIT: "notice to quit",
    Kind.NOTICE_TO_DETERMINE: "notice to determine the licence",
    Kind.GARAGE_NOTICE_TO_QUIT: "notice to quit the garage",
}


def assessment_refusal(
    *,
    assessment_on: date | None,
    proceed: bool,
    flags_since: int,
    today: date,
    max_age_days: int,
) -> Refusal | None:
    """A proportionality and equality assessment for the notice step must exist, decide
    to proceed, be no older than the policy allows, and post-date every vulnerability
    recorded since (Equality Act 2010 s149; Akerman-Livingstone v Aster [2015] UKSC 15;
    legal-reference.md §14, §19 rule 5)."""
    if assessment_on is None:
        return Refusal(
            "assessment_missing",
            "No proportionality and equality assessment for serving a notice has been recorded.",
        )
    if not proceed:
        return Refusal(
            "assessment_against",
            f"The proportionality and equality assessment of {long_date(assessment_on)} decided "
            "not to proceed.",
        )
    if (today - assessment_on).days > max_age_days:
        return Refusal(
            "assessment_stale",
            f"The proportionality and equality assessment is from {long_date(assessment_on)}, "
            f"more than {max_age_days} days ago: review it before serving a notice.",
        )
    if flags_since:
        return Refusal(
            "assessment_stale",
            f"{flags_since} {'vulnerability has' if flags_since == 1 else 'vulnerabilities have'} "
            "been recorded "
            f"since the proportionality and equality assessment of {long_date(assessment_on)}: "
            "review it before serving a notice.",
        )
    return None


def arrears_threshold_refusal(
    *,
    net_arrears: Decimal,
    weekly_rent: Decimal,
    min_weeks: Decimal,
    min_amount: Decimal = Decimal(0),
    basis: str = "rent",
) -> Refusal | None:
    """The council serves a notice only when arrears, less technical arrears, reach the
    policy's weeks of rent and its least amount (legal-reference.md §16: four weeks of
    net rent; §11 technical arrears are never escalated on)."""
    threshold = max(to_money(weekly_rent * min_weeks), to_money(min_amount))
    if weekly_rent <= 0 or net_arrears < threshold:
        return Refusal(
            "below_threshold",
            f"The arrears (less technical arrears) are {format_money(net_arrears)}, below the "
            f"policy's {format(min_weeks.normalize(), 'f')} weeks' {basis} "
            f"({format_money(threshold)}).",
        )
    return None


def ground_8_threshold(*, weekly_charge: Decimal, rent_period: str, rra: bool) -> Decimal:
    """The rent that must be unpaid for Ground 8, at service and at the hearing.

    Housing Act 1988 Sch 2 Ground 8: eight weeks' rent for weekly or fortnightly rent,
    two months' for monthly; after the Renters' Rights Act 2025, thirteen weeks or three
    months (legal-reference.md §0, §4). Four-weekly rent is treated like weekly (the
    weeks limb), a month's rent as 52/12 weeks.
    """
    if rent_period == "monthly":
        months = 3 if rra else 2
        return to_money(weekly_charge * RENT_WEEKS_IN_A_MONTH * months)
    return to_money(weekly_charge * (13 if rra else 8))


def ground_8_refusal(
    *,
    rent_arrears: Decimal,
    technical_arrears: Decimal,
    weekly_charge: Decimal,
    rent_period: str,
    rra: bool,
) -> Refusal | None:
    """Ground 8 may be relied on only if the statutory arrears are unpaid at service;
    under the Renters' Rights Act, rent unpaid only because Universal Credit has not yet
    been paid is disregarded (legal-reference.md §0, §4)."""
    counted = rent_arrears - technical_arrears if rra else rent_arrears
    threshold = ground_8_threshold(weekly_charge=weekly_charge, rent_period=rent_period, rra=rra)
    if counted < threshold:
        needed = (
            ("3 months'" if rra else "2 months'")
            if rent_period == "monthly"
            else ("13 weeks'" if rra else "8 weeks'")
        )
        return Refusal(
            "ground_8_threshold",
            f"Ground 8 needs at least {needed} rent unpaid ({format_money(threshold)}) when the "
            f"notice is served; the arrears counted are {format_money(counted)}. Serve on grounds "
            "10 and 11 only, or wait.",
        )
    return None


def notice_in_force_refusal(notices: list[NoticeInForce], today: date) -> Refusal | None:
    """One notice at a time: refuse while another is on its way to service or served and
    still in force (a second notice would confuse the tenant and the court;
    legal-reference.md §19 rule 9)."""
    for notice in notices:
        if notice.status == "served":
            until = (
                f" and in force until {long_date(notice.last_proceedings_date)}"
                if notice.last_proceedings_date
                else ""
            )
            return Refusal(
                "notice_in_force",
                f"A {notice.kind_label} was served on {long_date(notice.served_on)}{until}: "
                "a valid notice is already in force.",
            )
        return Refusal(
            "notice_in_progress",
            f"A {notice.kind_label} for this tenancy is already {notice.status.replace('_', ' ')}: "
            "finish or withdraw it first.",
        )
    return None


def tenancy_refusal(
    *, tenancy_end_date: date | None, tenant_names: list[str], today: date
) -> Refusal | None:
    """A notice goes to the tenants of a current tenancy, every one of them named
    (legal-reference.md §1 content rules)."""
    if tenancy_end_date is not None and tenancy_end_date < today:
        return Refusal("tenancy_ended", f"The tenancy ended on {long_date(tenancy_end_date)}.")
    if not tenant_names:
        return Refusal(
            "no_tenants", "No tenant is recorded on the tenancy, so no one can be named."
        )
    return None


def notice_refusals(
    facts: NoticeFacts,
    *,
    kind: str,
    grounds: list[str],
    service_on: date,
    today: date,
    policy: NoticePolicy,
    date_refusal: str | None = None,
    check_threshold: bool = True,
) -> list[Refusal]:
    """Every reason this notice cannot be produced or served now; empty when it can."""
    refusals = [
        tenancy_refusal(
            tenancy_end_date=facts.tenancy_end_date, tenant_names=facts.tenant_names, today=today
        ),
        tenure_refusal(kind, facts.expected_kind, TENURE_LABELS.get(facts.tenure, facts.tenure)),
        breathing_space_refusal(facts.holds, today),
        breathing_space_refusal(facts.holds, service_on) if service_on != today else None,
        assessment_refusal(
            assessment_on=facts.assessment_on,
            proceed=facts.assessment_proceed,
            flags_since=facts.flags_recorded_since_assessment,
            today=today,
            max_age_days=policy.assessment_max_age_days,
        ),
        Refusal("dates", date_refusal) if date_refusal else None,
        notice_in_force_refusal(facts.blocking_notices, today),
    ]
    if check_threshold:
        use_net = policy.weeks_basis == "net" and facts.weekly_net_rent > 0
        refusals.append(
            arrears_threshold_refusal(
                net_arrears=facts.rent_arrears - facts.technical_arrears,
                weekly_rent=facts.weekly_net_rent if use_net else facts.weekly_charge,
                min_weeks=policy.min_arrears_weeks,
                min_amount=policy.min_amount,
                basis="net rent" if use_net else "rent",
            )
        )
        if kind in (Kind.S8_FORM_3, Kind.S8_FORM_3A) and "8" in grounds:
            refusals.append(
                ground_8_refusal(
                    rent_arrears=facts.rent_arrears,
                    technical_arrears=facts.technical_arrears,
                    weekly_charge=facts.weekly_charge,
                    rent_period=facts.rent_period,
                    rra=kind == Kind.S8_FORM_3A,
                )
            )
    unique: list[Refusal] = []
    for refusal in refusals:
        if refusal is not None and refusal not in unique:
            unique.append(refusal)
    return unique


TENURE_LABELS = {
    "secure": "Secure",
    "introductory": "Introductory",
    "flexible": "Flexible",
    "non_secure_tenancy": "Non-secure",
    "non_secure_licence": "Licence",
    "assured": "Assured",
    "cooperative": "Co-operative",
    "garage": "Garage",
    "leasehold": "Leasehold",
    "shared_ownership": "Shared ownership",
}
