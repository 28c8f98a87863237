"""The rules of the court stage, each a small function over plain values that says
why a step may not be taken (a Refusal) or works out a figure, with its source.

Services gather the facts and call these; the refusals an officer sees are their
messages, and the tests are named after them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from arrears.rules import add_years, warrant_needs_permission
from core.money import format_money, to_money
from notices.checks import Refusal
from notices.periods import long_date

# CPR 55.5(3)(a): the hearing date is not less than 28 days from the date of issue.
HEARING_MIN_DAYS_AFTER_ISSUE = 28
# HA 1996 s129(1): a review must be asked for within 14 days beginning with the day
# the notice of proceedings is served.
REVIEW_REQUEST_DAYS = 14
# Legal-reference.md §3 [U] default: at least 5 clear days' notice of an oral hearing.
REVIEW_HEARING_NOTICE_CLEAR_DAYS = 5

# The debts a money claim recovers (legal-reference.md §13): not rent, which has the
# possession route, nor service charges, which go to the tribunal first.
MONEY_CLAIM_KINDS = frozenset({"former_tenancy_arrears", "rechargeable_repairs", "garage"})


def pre_action_letter_refusal(
    *, sent_on: date | None, today: date, wait_days: int
) -> Refusal | None:
    """The letter before claim, with a copy of the Protocol and a statement, must have
    gone, and the tenant been given time to answer it, before a claim is issued (PAP
    paras 10 and 11; the policy's gap before the court rung)."""
    if sent_on is None:
        return Refusal(
            "pre_action_letter_missing",
            "No Pre-Action Protocol letter before claim has been sent: send it, with the "
            "Protocol and a statement, before preparing the claim (PAP para 10).",
        )
    ready = sent_on + timedelta(days=wait_days)
    if today < ready:
        return Refusal(
            "pre_action_letter_too_recent",
            f"The Pre-Action Protocol letter went on {long_date(sent_on)}: the tenant has "
            f"{wait_days} days to answer it, so the claim can be prepared from "
            f"{long_date(ready)}.",
        )
    return None


def contact_after_notice_refusal(*, attempts: int, served_on: date) -> Refusal | None:
    """After the notice, reasonable attempts to contact the tenant about the arrears,
    repayment and benefits must have been made (PAP para 9)."""
    if attempts:
        return None
    return Refusal(
        "no_contact_after_notice",
        f"No attempt to contact the tenant has been recorded since the notice was served on "
        f"{long_date(served_on)} (PAP para 9): record a call, visit or letter first.",
    )


def notice_refusal(
    *,
    served: bool,
    in_force: bool,
    earliest: date | None,
    last: date | None,
    today: date,
) -> Refusal | None:
    """A claim relies on a served notice still in force, after the date in it (HA 1985
    s83(4); HA 1988 s8(3); HA 1996 s128)."""
    if not served:
        return Refusal("no_notice", "No served notice supports this claim.")
    if not in_force:
        ended = f" on {long_date(last)}" if last else ""
        return Refusal(
            "notice_lapsed",
            f"The notice stopped supporting a claim{ended}: a new notice is needed.",
        )
    if earliest is not None and today <= earliest:
        return Refusal(
            "notice_not_yet",
            f"Proceedings may not begin until after {long_date(earliest)}, the date in the notice.",
        )
    return None


def assessment_refusal(
    *,
    step_label: str,
    assessed_on: date | None,
    proceed: bool,
    today: date,
    max_age_days: int,
) -> Refusal | None:
    """A proportionality and equality assessment for this very step, recent and deciding
    to proceed (Equality Act 2010 s149; Akerman-Livingstone v Aster [2015] UKSC 15;
    legal-reference.md §14)."""
    code = "assessment_" + step_label.split()[0].lower()
    if assessed_on is None:
        return Refusal(
            code,
            f"No proportionality and equality assessment for {step_label} has been recorded.",
        )
    if not proceed:
        return Refusal(
            code,
            f"The assessment for {step_label} of {long_date(assessed_on)} decided not to proceed.",
        )
    if (today - assessed_on).days > max_age_days:
        return Refusal(
            code,
            f"The assessment for {step_label} of {long_date(assessed_on)} is more than "
            f"{max_age_days} days old: assess again.",
        )
    return None


def arrangement_kept_refusal(*, instalment: Decimal | None, frequency: str) -> Refusal | None:
    """While the tenant keeps to an agreement to pay rent plus a reasonable amount,
    proceedings are postponed (PAP para 11)."""
    if instalment is None:
        return None
    return Refusal(
        "arrangement_kept",
        f"The tenant is keeping to an arrangement of {format_money(instalment)} "
        f"{frequency.replace('_', '-')}: proceedings wait while it is kept (PAP para 11).",
    )


def benefit_claim_refusal(*, benefit: str | None, since: date | None) -> Refusal | None:
    """No proceedings against a tenant who has given all the evidence for a Housing
    Benefit or Universal Credit claim and is paying what it will not cover (PAP para 7)."""
    if benefit is None or since is None:
        return None
    return Refusal(
        "benefit_claim_pending",
        f"A {benefit} claim with all its evidence has been pending since {long_date(since)}: "
        "no claim may be issued while it is decided (PAP para 7).",
    )


def review_refusal(*, decision: str | None, decide_by: date | None) -> Refusal | None:
    """An introductory tenant's review, asked for in time, is decided before a claim
    (HA 1996 s129); a decision overturned ends the notice's use."""
    if decision is None:
        return None
    if decision == "pending":
        by = f" by {long_date(decide_by)}" if decide_by else ""
        return Refusal(
            "review_pending",
            f"The tenant asked for a review of the notice of proceedings: decide it{by} and "
            "tell them before a claim (HA 1996 s129).",
        )
    if decision == "overturned":
        return Refusal(
            "review_overturned",
            "The review overturned the decision to seek possession: this notice cannot "
            "support a claim.",
        )
    return None


def trial_period_refusal(*, trial_period_end: date | None, today: date) -> Refusal | None:
    """Proceedings on an introductory tenancy must begin before its trial period ends;
    after that the tenancy is secure and needs a NOSP (HA 1996 ss125, 130)."""
    if trial_period_end is None or today < trial_period_end:
        return None
    return Refusal(
        "trial_period_ended",
        f"The introductory trial period ended on {long_date(trial_period_end)}: the tenancy "
        "is secure, and possession needs a Notice of Seeking Possession.",
    )


def hearing_date_refusal(*, issued_on: date, hearing_on: date) -> Refusal | None:
    """The hearing is at least 28 days after issue (CPR 55.5(3)(a)): an earlier date is a
    mistake in what was typed, not what the court listed."""
    if hearing_on >= issued_on + timedelta(days=HEARING_MIN_DAYS_AFTER_ISSUE):
        return None
    return Refusal(
        "hearing_too_soon",
        f"A hearing on {long_date(hearing_on)} is less than {HEARING_MIN_DAYS_AFTER_ISSUE} days "
        f"after issue on {long_date(issued_on)} (CPR 55.5(3)): check the date on the claim form.",
    )


def warrant_form_for(outcome: str) -> str | None:
    """N325 after an outright order whose date has passed; N325A on breach of a suspended
    order, with the statement of payments (Cardiff CC v Lee [2016] EWCA Civ 1034). A
    postponed order needs a date fixed first (PD 55A), and a claim adjourned on terms
    is restored, not enforced."""
    return {"outright": "N325", "suspended": "N325A"}.get(outcome)


def warrant_refusals(
    *,
    outcome: str,
    possession_date: date | None,
    order_date: date | None,
    arrangement_state: str | None,
    notice_of_default_on: date | None,
    breach_from: date | None,
    remedy_days: int,
    today: date,
) -> list[Refusal]:
    """What stops a warrant being asked for on this order (legal-reference.md §9 and §8
    "Before seeking a warrant")."""
    form = warrant_form_for(outcome)
    if form is None:
        return [
            Refusal(
                "order_not_enforceable",
                "A warrant enforces an outright or a suspended possession order: a postponed "
                "order needs the court to fix a date first, and a claim adjourned on terms is "
                "restored.",
            )
        ]
    refusals = []
    if order_date is not None and warrant_needs_permission(order_date, today):
        refusals.append(
            Refusal(
                "order_over_six_years",
                f"The order of {long_date(order_date)} is more than six years old: since "
                f"{long_date(add_years(order_date, 6))} a warrant needs the court's permission "
                "(CPR 83.2(3)(a)).",
            )
        )
    if form == "N325":
        if possession_date is None or today <= possession_date:
            when = f" ({long_date(possession_date)})" if possession_date else ""
            refusals.append(
                Refusal(
                    "possession_date_not_passed",
                    f"The date for possession{when} has not passed (CPR 83.26).",
                )
            )
        return refusals
    if arrangement_state not in ("missed", "broken"):
        refusals.append(
            Refusal(
                "order_not_breached",
                "The terms of the suspended order are being kept: there is no breach to enforce.",
            )
        )
        return refusals
    started = breach_from or today
    if notice_of_default_on is None or notice_of_default_on < started:
        refusals.append(
            Refusal(
                "no_notice_of_default",
                "No notice of default has been sent since the breach: warn the tenant and give "
                "them clear time to put it right (PAP para 15).",
            )
        )
    elif today < notice_of_default_on + timedelta(days=remedy_days):
        refusals.append(
            Refusal(
                "remedy_time_running",
                f"The notice of default went on {long_date(notice_of_default_on)}: the tenant "
                f"has until {long_date(notice_of_default_on + timedelta(days=remedy_days))} to "
                "put the breach right.",
            )
        )
    return refusals


def checks_refusal(*, confirmed: set[str], required: dict[str, str]) -> Refusal | None:
    """Every pre-eviction check confirmed (legal-reference.md §8 "Before seeking a
    warrant"; §14 safeguarding and homelessness duties)."""
    missing = [label for key, label in required.items() if key not in confirmed]
    if not missing:
        return None
    return Refusal(
        "checks_missing",
        "Confirm every check before asking for an eviction; still to do: "
        + "; ".join(label[0].lower() + label[1:] for label in missing)
        + ".",
    )


def costs_to_post(*, awarded: Decimal | None, charged: Decimal) -> Decimal:
    """What moves the court-costs account to the costs the court awarded, given the fees
    already charged to it for this claim: the fee is recoverable only as costs, so a
    claim with no costs awarded takes the fee back off (CPR 44-45; legal-reference.md §9:
    "always seek a money judgment and costs")."""
    return to_money((awarded or Decimal("0")) - charged)


def review_request_deadline(served_on: date) -> date:
    """The last day a review may be asked for: 14 days beginning with service (s129(1))."""
    return served_on + timedelta(days=REVIEW_REQUEST_DAYS - 1)


def review_decide_by(earliest_proceedings_date: date) -> date:
    """The review is carried out and notified before the date in the notice (s129(6))."""
    return earliest_proceedings_date - timedelta(days=1)


def review_schedule_refusal(
    *,
    scheduled_at: datetime,
    decide_by: date,
    oral_hearing: bool,
    today: date,
    reviewer_involved: bool,
    reviewer_senior: bool,
) -> Refusal | None:
    """The reviewer was not involved in the decision and is senior to whoever took it
    (SI 1997/72 reg 2 and 3); an oral hearing has at least five clear days' notice; the
    review is held in time to be notified before the date in the notice."""
    if reviewer_involved:
        return Refusal(
            "reviewer_involved",
            "The reviewer drafted or approved the notice: someone not involved in the decision "
            "must review it (SI 1997/72 reg 3).",
        )
    if not reviewer_senior:
        return Refusal(
            "reviewer_not_senior",
            "The review needs a manager, senior to the officer who decided (SI 1997/72 reg 2).",
        )
    day = scheduled_at.date()
    if day > decide_by:
        return Refusal(
            "review_too_late",
            f"The review must be decided and the tenant told by {long_date(decide_by)}, before "
            "the date in the notice (HA 1996 s129(6)).",
        )
    earliest = today + timedelta(days=REVIEW_HEARING_NOTICE_CLEAR_DAYS + 1)
    if oral_hearing and day < earliest:
        return Refusal(
            "hearing_notice_too_short",
            f"The tenant asked for a hearing: give at least "
            f"{REVIEW_HEARING_NOTICE_CLEAR_DAYS} clear days' notice, so no earlier than "
            f"{long_date(earliest)}.",
        )
    return None


def interest_on(*, amount: Decimal, percent_a_year: Decimal, since: date, until: date) -> Decimal:
    """Simple interest on a debt claimed (County Courts Act 1984 s69), if the policy
    claims it: `percent_a_year` of the amount for each day since `since`."""
    if percent_a_year <= 0 or until <= since:
        return Decimal("0.00")
    days = (until - since).days
    return to_money(amount * percent_a_year / 100 * days / 365)
