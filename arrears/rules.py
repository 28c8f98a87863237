"""Rules of law the engine applies, each a small pure function citing its source.

Thresholds a council chooses are in the policy (arrears/policy.py); what is here is
fixed by statute, regulations or the courts, so it is a named constant, not a setting.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# CPR 83.2(3)(a): a warrant of possession needs the court's permission more than six
# years after the order (legal-reference.md §9, §13, guard 11 in §19).
WARRANT_PERMISSION_AFTER_YEARS = 6

# HA 1996 s128: the date after which proceedings may begin is no earlier than the date
# a notice to quit would end the tenancy: at least four weeks, on the first or last day
# of a rent period. A week more allows for reaching a period day (legal-reference.md §3).
NOTICE_OF_PROCEEDINGS_LEAD_DAYS = 28 + 7

# Ground 8, Housing Act 1988 Sch 2 (legal-reference.md §0 and §4): at service and at
# the hearing, at least this much rent unpaid.
GROUND_8_WEEKS = {"s8_form_3": 8, "s8_form_3a": 13}  # weekly or fortnightly rent
GROUND_8_MONTHS = {"s8_form_3": 2, "s8_form_3a": 3}  # monthly rent

POSSESSION_TENURES = frozenset(
    {
        "secure",
        "introductory",
        "flexible",
        "non_secure_tenancy",
        "non_secure_licence",
        "assured",
        "cooperative",
    }
)
LEASEHOLD_TENURES = frozenset({"leasehold", "shared_ownership"})

WEEKS_PLACES = Decimal("0.1")


def weeks_of_rent(amount: Decimal, weekly: Decimal) -> Decimal:
    """Arrears in weeks of a weekly charge, to one decimal place; 0 with no charge.

    legal-reference.md §16, engine convention 2: arrears ÷ the current weekly charge in
    a charging week, not an annualised average.
    """
    if weekly <= 0:
        return Decimal("0.0")
    return (amount / weekly).quantize(WEEKS_PLACES, rounding=ROUND_HALF_UP)


def ladder_for(*, tenure: str, tenancy_ended: bool, has_rent_arrears: bool) -> str:
    """Which ladder a case climbs.

    Leasehold and shared ownership never go on the possession ladder (legal-reference.md
    §6); a former tenant's debt is recovered as a debt (§13); only rent lawfully due
    supports possession (§17), so a tenant owing only other debts is on their ladder.
    """
    if tenancy_ended:
        return "former_tenant"
    if tenure in LEASEHOLD_TENURES:
        return tenure
    if tenure == "garage":
        return "garage"
    if tenure in POSSESSION_TENURES and not has_rent_arrears:
        return "other_debts"
    return tenure


def notice_for_tenancy(
    *,
    tenure: str,
    registered_provider: bool,
    ta_duty: str,
    fixed_term_end: date | None,
    trial_period_end: date | None,
    today: date,
    rra_social_housing_from: date | None,
) -> str | None:
    """The notice that starts possession for this tenancy (legal-reference.md §18).

    Secure: NOSP (HA 1985 s83). Flexible during its fixed term: Part II notice seeking
    termination (s82(3), s83); after it, the periodic secure tenancy's NOSP. Introductory
    during the trial period: notice of proceedings (HA 1996 s128); once the trial period
    has ended without proceedings the tenancy is secure (s125). Assured let by a private
    registered provider: Form 3 until the Renters' Rights Act reaches social housing
    assured tenancies (a dated switch in the policy); otherwise Form 3A (RRA 2025).
    Non-secure tenancies and co-operatives: notice to quit (PEA 1977 s5); licences:
    notice to determine. Garages: a contractual notice to quit. Leasehold: none.
    """
    if tenure == "secure":
        return "nosp"
    if tenure == "flexible":
        if fixed_term_end is not None and today <= fixed_term_end:
            return "flexible_termination"
        return "nosp"
    if tenure == "introductory":
        if trial_period_end is not None and today < trial_period_end:
            return "notice_of_proceedings"
        return "nosp"
    if tenure == "assured":
        rra_reaches_social_housing = (
            rra_social_housing_from is not None and today >= rra_social_housing_from
        )
        if registered_provider and not rra_reaches_social_housing:
            return "s8_form_3"
        return "s8_form_3a"
    if tenure in ("non_secure_tenancy", "cooperative", "garage"):
        return "notice_to_quit"
    if tenure == "non_secure_licence":
        return "notice_to_determine"
    return None


def possession_needs_court(*, tenure: str, ta_duty: str) -> bool:
    """s188 interim accommodation is not occupied as a dwelling: no court order is needed
    (R (ZH and CN) v Newham and Lewisham [2014] UKSC 62). Everyone else needs one
    (PEA 1977 s3; Bucknall v Dacorum [2017] EWHC 2094 (QB) after a s193 acceptance)."""
    return not (tenure == "non_secure_licence" and ta_duty == "s188")


def ground_8_threshold(*, notice_kind: str, weekly_rent: Decimal, rent_period: str) -> Decimal:
    """The rent that must be unpaid for mandatory Ground 8 (HA 1988 Sch 2).

    Form 3 (social housing assured, pre-RRA): 8 weeks' rent, or 2 months' for monthly
    rent. Form 3A (RRA 2025): 13 weeks or 3 months (legal-reference.md §0, §4).
    Monthly rent is weekly x 52 / 12.
    """
    if rent_period == "monthly":
        monthly = weekly_rent * 52 / 12
        return (monthly * GROUND_8_MONTHS[notice_kind]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return weekly_rent * GROUND_8_WEEKS[notice_kind]


def ground_8_met(
    *, arrears: Decimal, notice_kind: str, weekly_rent: Decimal, rent_period: str
) -> bool:
    """Whether mandatory Ground 8 is available on these arrears today (at service, and it
    must be met again at the hearing: HA 1988 Sch 2 Ground 8)."""
    if notice_kind not in GROUND_8_WEEKS or weekly_rent <= 0:
        return False
    threshold = ground_8_threshold(
        notice_kind=notice_kind, weekly_rent=weekly_rent, rent_period=rent_period
    )
    return arrears >= threshold


@dataclass(frozen=True)
class NoticeFact:
    kind: str
    status: str
    served_on: date | None
    earliest_proceedings_date: date | None
    last_proceedings_date: date | None


def notice_in_force(notice: NoticeFact, today: date) -> bool:
    """A served notice supports proceedings until its long-stop date.

    Secure: 12 months after the date specified (HA 1985 s83(4)(b)); assured: 12 months
    after service (HA 1988 s8(3)); the notices app computes `last_proceedings_date`.
    A notice to quit has no long-stop: once it expires the tenancy has ended.
    """
    if notice.status != "served" or notice.served_on is None or notice.served_on > today:
        return False
    return notice.last_proceedings_date is None or today <= notice.last_proceedings_date


def proceedings_may_begin(notice: NoticeFact, today: date) -> bool:
    """Proceedings may begin after the date the notice specifies (HA 1985 s83(4)(a))."""
    return notice.earliest_proceedings_date is None or today > notice.earliest_proceedings_date


def warrant_needs_permission(order_date: date, today: date) -> bool:
    """More than six years after the order, a warrant needs permission (CPR 83.2(3)(a))."""
    return today > add_years(order_date, WARRANT_PERMISSION_AFTER_YEARS)


def trial_period_leaves_time_for_notice(trial_period_end: date, today: date) -> bool:
    """A notice of proceedings served today can still lead to proceedings begun before
    the trial period ends (HA 1996 s128, s130; legal-reference.md §3 engine guard)."""
    return today + timedelta(days=NOTICE_OF_PROCEEDINGS_LEAD_DAYS) < trial_period_end


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int, *, anchor_day: int | None = None) -> date:
    """The date `months` later on `anchor_day` (default the same day), clamped to the
    month's end: a monthly date from 31 January falls on 28 or 29 February, then 31 March."""
    anchor = anchor_day or day.day
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def flexible_non_renewal_deadline(fixed_term_end: date) -> date:
    """The last day to serve a flexible tenant notice that no further tenancy will be
    granted: not less than six months before the fixed term ends (HA 1985 s107D(3))."""
    return add_months(fixed_term_end, -6)


# What starts possession on each ladder, for the policy page (legal-reference.md §18).
NOTICE_ROUTES = {
    "secure": "Notice of Seeking Possession (Housing Act 1985 s83)",
    "introductory": (
        "Notice of proceedings (Housing Act 1996 s128) during the trial period; a NOSP after it"
    ),
    "flexible": (
        "Notice seeking termination (HA 1985 s83, Part II form) during the fixed term; "
        "a NOSP after it"
    ),
    "non_secure_tenancy": "Notice to quit (PEA 1977 s5), then a court order",
    "non_secure_licence": (
        "Notice to determine (PEA 1977 s5(1A)), then a court order; interim (s188) "
        "accommodation: reasonable notice, no court order"
    ),
    "assured": (
        "Section 8 notice: Form 3 for a registered provider's social housing tenancy until the "
        "Renters' Rights Act reaches it, otherwise Form 3A"
    ),
    "cooperative": "Notice to quit (PEA 1977 s5), then a court order",
    "garage": "A contractual notice to quit the garage",
    "leasehold": "None: leasehold is never on the possession ladder (legal-reference.md §6)",
    "shared_ownership": "None: never on the possession ladder (legal-reference.md §6)",
    "former_tenant": "None: a former tenant's debt is recovered as a debt",
    "other_debts": "None: only rent lawfully due supports possession (legal-reference.md §17)",
}
