"""Guards: what stops or holds escalation on a case, and until when (legal-reference.md §19).

Each guard is a small function over the case's facts. An active guard says what it holds
(which kinds of step), what the officer should do instead, and until when. A guard never
drops a case: the case keeps its figures and its recommendation says what is holding it.
Guards are checked in the order of `GUARDS`; the first that holds the next step decides
the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from arrears.actions import ESCALATION_CLASSES, LEGAL_CLASSES, StepClass
from arrears.arrangements import FREQUENCY_WORDS, next_instalment_on
from arrears.facts import CaseInput
from arrears.policy import Policy
from arrears.rules import (
    POSSESSION_TENURES,
    add_years,
    trial_period_leaves_time_for_notice,
    warrant_needs_permission,
)
from arrears.text import long_date, money_text

ASSESSMENT_STEP = {
    StepClass.NOTICE: "notice",
    StepClass.COURT: "court",
    StepClass.ENFORCEMENT: "warrant",
}
ASSESSMENT_STEP_WORDS = {
    "notice": "a notice",
    "court": "a possession claim",
    "warrant": "a warrant",
}


@dataclass(frozen=True)
class Guard:
    key: str
    label: str
    detail: str
    source: str
    blocks: frozenset[StepClass]
    action: str
    until: date | None = None
    # Hold guards stand in for "monitor" too: a case in Breathing Space with nothing due
    # reads "no arrears action during Breathing Space", not "monitor".
    replaces_monitor: bool = False

    def holds(self, step: StepClass) -> bool:
        return step in self.blocks

    def as_dict(self, *, holding: bool) -> dict[str, Any]:
        return {
            "guard": self.key,
            "label": self.label,
            "detail": self.detail,
            "source": self.source,
            "holding": holding,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class GuardContext:
    """What a guard needs besides the case: the step the ladder wants, and its details."""

    step: StepClass
    action: str
    ladder: str
    today: date
    policy: Policy
    order_date: date | None = None  # the possession order a warrant would enforce


def _active_holds(case: CaseInput, kind: str, reasons: set[str] | None = None):
    return [
        hold
        for hold in case.holds
        if hold.kind == kind and (reasons is None or hold.reason in reasons)
    ]


def breathing_space(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """Debt Respite Scheme (SI 2020/1311): no arrears demands, notices, claims or enforcement
    for moratorium debts while the Breathing Space lasts (legal-reference.md §10)."""
    holds = _active_holds(case, "breathing_space")
    if not holds:
        return None
    hold = holds[0]
    crisis = hold.reason == "mental_health_crisis"
    if hold.until and hold.until < ctx.today:
        label = f"Breathing Space (expected to end {long_date(hold.until)}: confirm it has ended)"
    elif hold.until:
        label = f"Breathing Space until {long_date(hold.until)}"
    else:
        label = "Breathing Space (mental health crisis: until 30 days after treatment ends)"
    return Guard(
        key="breathing_space",
        label=label,
        detail=(
            f"A {'mental health crisis' if crisis else 'standard'} Breathing Space began on "
            f"{long_date(hold.starts_on)}. Current rent may be collected, but no arrears letters, "
            "contact about the arrears, notices, claims or enforcement."
        ),
        source="Debt Respite Scheme (Breathing Space Moratorium) Regulations 2020 (SI 2020/1311)",
        blocks=ESCALATION_CLASSES,
        action="wait_breathing_space",
        until=hold.until,
        replaces_monitor=True,
    )


PAUSE_REASONS = {
    "promise_of_payment": "promise of payment",
    "delayed_benefit": "benefit payment delayed",
    "bereavement": "bereavement",
    "hospital": "in hospital",
    "court_date_set": "court date set",
    "eviction_date_set": "eviction date set",
    "deceased": "tenant deceased",
    "missing_data": "missing data",
    "other": "other reason",
}


def paused(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """An officer paused the case with a reason and an end date (local policy)."""
    holds = _active_holds(case, "pause")
    if not holds:
        return None
    hold = max(holds, key=lambda h: h.until or date.max)
    reason = PAUSE_REASONS.get(hold.reason, hold.reason)
    return Guard(
        key="paused",
        label=f"Paused ({reason}) until {long_date(hold.until)}"
        if hold.until
        else f"Paused ({reason})",
        detail=f"Paused by an officer on {long_date(hold.starts_on)}: {reason}.",
        source="Local policy: an officer's pause, with a reason and an end date",
        blocks=ESCALATION_CLASSES,
        action="paused",
        until=hold.until,
        replaces_monitor=True,
    )


def dispute(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A disputed liability, balance or disrepair claim holds escalation: it is a defence
    and counterclaim risk, and DWP weighs disputes (R (Roberts) v SSWP [2025] EWHC 51)."""
    holds = _active_holds(case, "dispute")
    if not holds:
        return None
    hold = holds[0]
    words = {"liability": "liability", "disrepair": "disrepair", "balance": "the balance"}
    return Guard(
        key="dispute",
        label=(
            f"Dispute about {words.get(hold.reason, hold.reason)} since {long_date(hold.starts_on)}"
        ),
        detail="Letters, notices and court action wait until the dispute is resolved.",
        source="legal-reference.md §19(8); R (Roberts) v SSWP [2025] EWHC 51 (Admin)",
        blocks=frozenset(ESCALATION_CLASSES - {StepClass.CONTACT}),
        action="resolve_dispute",
        replaces_monitor=True,
    )


BENEFIT_WORDS = {
    "housing_benefit": "Housing Benefit",
    "universal_credit": "Universal Credit housing element",
    "dhp": "Discretionary Housing Payment",
}


def benefit_claim(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """Do not start proceedings against a tenant who has given all the evidence for an HB or
    UC claim, can expect to be eligible and is paying what it will not cover (PAP ¶7)."""
    holds = _active_holds(case, "benefit_claim", set(BENEFIT_WORDS))
    if not holds:
        return None
    hold = holds[0]
    benefit = BENEFIT_WORDS[hold.reason]
    if hold.all_evidence_supplied is False:
        # The PAP bar needs all the evidence in; until then the officer's job is to chase
        # it, and legal action is held only while that is being done.
        return Guard(
            key="benefit_claim",
            label=f"{benefit} claim since {long_date(hold.starts_on)}: evidence missing",
            detail="Help the tenant give the evidence the claim needs; no notice or court "
            "action while it is being chased.",
            source="Pre-Action Protocol for Possession Claims by Social Landlords, paras 6-7",
            blocks=LEGAL_CLASSES,
            action="chase_benefit_evidence",
        )
    return Guard(
        key="benefit_claim",
        label=f"{benefit} claim pending since {long_date(hold.starts_on)}",
        detail="No notice or court action while the claim is decided.",
        source="Pre-Action Protocol for Possession Claims by Social Landlords, para 7",
        blocks=LEGAL_CLASSES,
        action="check_benefit_claim",
    )


def introductory_review(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """The tenant asked in time for a review of the decision to seek possession: the
    council must review it, and tell them the decision and its reasons, before the date
    in the notice, and may not go to court until then (HA 1996 s129; SI 1997/72)."""
    holds = _active_holds(case, "introductory_review")
    if not holds:
        return None
    hold = holds[0]
    return Guard(
        key="introductory_review",
        label=f"Review of the notice of proceedings asked for on {long_date(hold.starts_on)}",
        detail=(
            "No claim until the review is decided and the tenant told"
            + (f", which must be before {long_date(hold.until)}." if hold.until else ".")
        ),
        source="Housing Act 1996 s129; Introductory Tenants (Review) Regulations 1997",
        blocks=frozenset({StepClass.COURT, StepClass.ENFORCEMENT}),
        action="hold_review",
    )


def apa_tpd_pending(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A managed payment or third-party deduction request is pending while DWP invites the
    tenant's representations (R (Roberts) v SSWP [2025] EWHC 51 (Admin))."""
    holds = _active_holds(case, "benefit_claim", {"managed_payment", "third_party_deduction"})
    if not holds:
        return None
    hold = holds[0]
    what = "managed payment" if hold.reason == "managed_payment" else "third-party deduction"
    return Guard(
        key="apa_tpd_pending",
        label=f"DWP {what} request pending since {long_date(hold.starts_on)}",
        detail="No notice or court action while DWP decides the request.",
        source="R (Roberts) v SSWP [2025] EWHC 51 (Admin); legal-reference.md §11",
        blocks=LEGAL_CLASSES,
        action="check_benefit_claim",
    )


def _latest_assessment(case: CaseInput, step: str):
    found = [a for a in case.assessments if a.step == step]
    return max(found, key=lambda a: a.assessed_on) if found else None


def capacity(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A capacity concern needs a decision on a litigation friend before legal action
    (PAP: mental capacity and CPR Part 21), recorded after the concern was raised."""
    if ctx.step not in LEGAL_CLASSES or ctx.ladder not in POSSESSION_TENURES:
        return None
    concerns = [flag for flag in case.flags if flag.kind == "capacity"]
    if not concerns:
        return None
    raised = max(flag.recorded_on for flag in concerns)
    latest = _latest_assessment(case, ASSESSMENT_STEP[ctx.step])
    if latest is not None and latest.assessed_on >= raised:
        return None
    return Guard(
        key="capacity",
        label=f"Capacity concern raised on {long_date(raised)}",
        detail=(
            "Decide whether a litigation friend is needed and record it in the assessment "
            f"for {ASSESSMENT_STEP_WORDS[ASSESSMENT_STEP[ctx.step]]}."
        ),
        source="Pre-Action Protocol (vulnerability and capacity); CPR Part 21",
        blocks=LEGAL_CLASSES,
        action="complete_assessment",
    )


def vulnerability_review(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A vulnerability flag past its review date must be reviewed before legal action
    (PAP; Equality Act 2010 s149; legal-reference.md §19(5))."""
    if ctx.step not in LEGAL_CLASSES or ctx.ladder not in POSSESSION_TENURES:
        return None
    overdue = [f for f in case.flags if f.review_on is not None and f.review_on < ctx.today]
    if not overdue:
        return None
    oldest = min(f.review_on for f in overdue)
    return Guard(
        key="vulnerability_review",
        label=f"Vulnerability review overdue since {long_date(oldest)}",
        detail="Review the flags before any notice, claim or warrant.",
        source="Equality Act 2010 s149; Pre-Action Protocol; legal-reference.md §14",
        blocks=LEGAL_CLASSES,
        action="review_vulnerability",
    )


def assessment(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A proportionality and equality assessment for this step, deciding to proceed, no
    older than the policy allows and made after the latest vulnerability flag, must come
    before each notice, claim and warrant (EA 2010 s149; Akerman-Livingstone v Aster
    [2015] UKSC 15; legal-reference.md §14)."""
    step = ASSESSMENT_STEP.get(ctx.step)
    if step is None or ctx.ladder not in POSSESSION_TENURES:
        return None
    words = ASSESSMENT_STEP_WORDS[step]
    latest = _latest_assessment(case, step)
    max_age = ctx.policy.assessment_max_age_days
    common = {
        "source": "Equality Act 2010 s149; Akerman-Livingstone v Aster [2015] UKSC 15",
        "blocks": frozenset({ctx.step}),
        "action": "complete_assessment",
    }
    if latest is None:
        return Guard(
            key="assessment_missing",
            label=f"No proportionality assessment for {words}",
            detail=f"Complete the assessment before {words} is considered.",
            **common,
        )
    if latest.decision != "proceed":
        return Guard(
            key="assessment_do_not_proceed",
            label=f"Assessment on {long_date(latest.assessed_on)} decided not to proceed",
            detail=f"A new assessment is needed before {words}.",
            **common,
        )
    flagged = [flag.recorded_on for flag in case.flags]
    if latest.assessed_on < ctx.today - timedelta(days=max_age) or (
        flagged and latest.assessed_on < max(flagged)
    ):
        reason = (
            f"older than {max_age} days"
            if latest.assessed_on < ctx.today - timedelta(days=max_age)
            else "made before the latest vulnerability flag"
        )
        return Guard(
            key="assessment_stale",
            label=f"Assessment for {words} out of date ({reason})",
            detail=f"The last assessment was on {long_date(latest.assessed_on)}; make a new one.",
            **common,
        )
    return None


def trial_period(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """Proceedings on an introductory tenancy must begin before the trial period ends
    (HA 1996 s130); a notice of proceedings needs at least four weeks (s128)."""
    if case.tenure != "introductory" or case.trial_period_end is None:
        return None
    if ctx.action != "serve_notice_of_proceedings":
        return None
    if trial_period_leaves_time_for_notice(case.trial_period_end, ctx.today):
        return None
    return Guard(
        key="trial_period_ending",
        label=f"Trial period ends on {long_date(case.trial_period_end)}",
        detail=(
            "A notice of proceedings served now could not lead to proceedings before the "
            "trial period ends. Consider extending it (s125A, with 8 weeks' notice) or the "
            "secure tenancy route once it ends."
        ),
        source="Housing Act 1996 ss125A, 128, 130",
        blocks=frozenset({StepClass.NOTICE}),
        action="consider_trial_extension",
        until=case.trial_period_end,
    )


def warrant_time_limit(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """More than six years after the order a warrant needs the court's permission
    (CPR 83.2(3)(a); legal-reference.md §9)."""
    if ctx.action != "apply_for_warrant" or ctx.order_date is None:
        return None
    if not warrant_needs_permission(ctx.order_date, ctx.today):
        return None
    expired = add_years(ctx.order_date, 6)
    return Guard(
        key="warrant_time_limit",
        label=f"Order of {long_date(ctx.order_date)} is over six years old",
        detail=f"Since {long_date(expired)} a warrant needs the court's permission first.",
        source="CPR 83.2(3)(a)",
        blocks=frozenset({StepClass.ENFORCEMENT}),
        action="apply_for_warrant_permission",
    )


def _informal(case: CaseInput, states: set[str]):
    return [
        fact
        for fact in case.arrangements
        if not fact.terms.is_court_ordered and fact.terms.state in states
    ]


def arrangement_missed(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """A missed payment: warn and give the tenant clear time to put it right before
    escalating (PAP ¶11)."""
    missed = _informal(case, {"missed"})
    if not missed:
        return None
    terms = missed[0].terms
    return Guard(
        key="arrangement_missed",
        label=f"Arrangement payment missed ({money_text(terms.instalment)} "
        f"{FREQUENCY_WORDS[terms.frequency]})",
        detail="Give the tenant time to catch up before escalating.",
        source="Pre-Action Protocol, para 11",
        blocks=frozenset(ESCALATION_CLASSES - {StepClass.CONTACT}),
        action="contact_about_missed_payment",
        replaces_monitor=True,
    )


def arrangement_kept(case: CaseInput, ctx: GuardContext) -> Guard | None:
    """While the tenant keeps to an agreement to pay current rent plus a reasonable amount
    towards the arrears, do not escalate (PAP ¶11)."""
    kept = _informal(case, {"live", "kept"})
    if not kept:
        return None
    terms = kept[0].terms
    next_due = next_instalment_on(
        starts_on=terms.starts_on, frequency=terms.frequency, after=ctx.today
    )
    return Guard(
        key="arrangement_kept",
        label=f"Arrangement kept: {money_text(terms.instalment)} "
        f"{FREQUENCY_WORDS[terms.frequency]} since {long_date(terms.starts_on)}",
        detail=f"The next instalment falls due on {long_date(next_due)}.",
        source="Pre-Action Protocol, para 11",
        blocks=ESCALATION_CLASSES,
        action="monitor_arrangement",
        until=next_due,
        replaces_monitor=True,
    )


# In order of precedence: the first that holds the next step decides the action.
GUARDS: tuple[Callable[[CaseInput, GuardContext], Guard | None], ...] = (
    breathing_space,
    paused,
    dispute,
    benefit_claim,
    introductory_review,
    apa_tpd_pending,
    capacity,
    vulnerability_review,
    assessment,
    trial_period,
    warrant_time_limit,
    arrangement_missed,
    arrangement_kept,
)

GUARD_LABELS = {
    "breathing_space": "Breathing Space",
    "paused": "Paused by an officer",
    "dispute": "Dispute",
    "benefit_claim": "Benefit claim pending",
    "introductory_review": "Introductory tenancy review",
    "apa_tpd_pending": "DWP managed payment or deduction pending",
    "capacity": "Capacity concern",
    "vulnerability_review": "Vulnerability review overdue",
    "assessment_missing": "No proportionality assessment",
    "assessment_do_not_proceed": "Assessment decided not to proceed",
    "assessment_stale": "Proportionality assessment out of date",
    "trial_period_ending": "Introductory trial period ending",
    "warrant_time_limit": "Order over six years old",
    "arrangement_missed": "Arrangement payment missed",
    "arrangement_kept": "Arrangement being kept",
    "technical_only": "Technical arrears only",
    "notice_expired": "Notice out of force",
    "flexible_term_ending": "Flexible fixed term ending",
    "ground_8_not_met": "Ground 8 threshold not met",
}


def active_guards(case: CaseInput, ctx: GuardContext) -> list[Guard]:
    return [guard for check in GUARDS if (guard := check(case, ctx)) is not None]
