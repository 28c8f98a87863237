"""The possession ladder: from the first missed rent to eviction.

Where the case stands comes from the facts (a notice served, a claim issued, an order
made, a warrant applied for); before any notice, from the rungs it has climbed. The
next step is the policy's next rung, or what the facts call for.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arrears.arrangements import next_instalment_on
from arrears.engine.common import (
    LIVE_WARRANT_OUTCOMES,
    NOTICE_NAMES,
    NOTICE_PHASE,
    OPEN_CLAIM_OUTCOMES,
    ORDER_OUTCOMES,
    PRE_NOTICE_STAGES,
    RUNG_ACTIONS,
    STAGE_ORDER,
    Measure,
    Step,
    climb,
    notice_kind,
    reason,
    rung_met,
    total,
)
from arrears.facts import CaseInput, CourtFact
from arrears.guards import Guard
from arrears.policy import LADDER_RUNGS, Policy
from arrears.rules import (
    flexible_non_renewal_deadline,
    ground_8_met,
    ground_8_threshold,
    notice_in_force,
    possession_needs_court,
    proceedings_may_begin,
)
from arrears.text import long_date, money_text
from cases.models import Stage


def latest_claim(case: CaseInput) -> CourtFact | None:
    live = [c for c in case.court_cases if c.outcome in ORDER_OUTCOMES | OPEN_CLAIM_OUTCOMES]
    if not live:
        return None
    return max(live, key=lambda c: (c.order_date or c.issued_on or date.min, c.id))


def notice_of(case: CaseInput, today: date):
    served = [n for n in case.notices if n.served_on is not None and n.served_on <= today]
    return max(served, key=lambda n: n.served_on) if served else None


def _notice_supports_claim(case: CaseInput, notice, today: date) -> bool:
    if not notice_in_force(notice, today):
        return False
    # A notice of proceedings is spent once the trial period ends without proceedings:
    # the tenancy is then secure (HA 1996 ss125, 130).
    return not (
        notice.kind == "notice_of_proceedings"
        and case.trial_period_end is not None
        and today >= case.trial_period_end
    )


def _ground_8_note(case: CaseInput, notice_kind: str, m: Measure, weekly_gross: Decimal) -> tuple:
    met = ground_8_met(
        arrears=m.escalation,
        notice_kind=notice_kind,
        weekly_rent=weekly_gross,
        rent_period=case.rent_period,
    )
    threshold = ground_8_threshold(
        notice_kind=notice_kind, weekly_rent=weekly_gross, rent_period=case.rent_period
    )
    return met, threshold


def possession_step(
    case: CaseInput,
    m: Measure,
    policy: Policy,
    today: date,
    statuses: dict[int, str],
) -> tuple[Step, Guard | None]:
    ladder = case.tenure
    rungs = LADDER_RUNGS[ladder]
    actions = RUNG_ACTIONS["possession"]
    weekly_gross = total(a.weekly_charge for a in case.accounts if a.rent_lawfully_due)
    claim = latest_claim(case)

    # Enforcement: a warrant applied for, perhaps with an eviction date.
    if claim is not None:
        warrants = [w for w in claim.warrants if w.outcome in LIVE_WARRANT_OUTCOMES]
        executed = [w for w in claim.warrants if w.outcome == "executed"]
        if executed and not warrants:
            return Step(
                "check_case_data",
                "eviction",
                reasons=[
                    reason(
                        "eviction_executed",
                        "The warrant was executed (applied for on "
                        f"{long_date(executed[0].applied_on)}) "
                        "but the tenancy has no end date: record it so the debt is recovered as "
                        "a former tenant's.",
                    )
                ],
            ), None
        if warrants:
            warrant = max(warrants, key=lambda w: w.applied_on)
            if warrant.eviction_date and warrant.eviction_date >= today:
                due = warrant.eviction_date - timedelta(days=policy.eviction_checks_days)
                return Step(
                    "prepare_eviction",
                    "eviction",
                    due_on=max(due, today),
                    reasons=[
                        reason(
                            "eviction_booked",
                            "The bailiff's eviction is booked for "
                            f"{long_date(warrant.eviction_date)}: "
                            "safeguarding checks and a homelessness referral are due "
                            f"{policy.eviction_checks_days} days before.",
                            "N54 notice of eviction; HA 1996 s213B duty to refer",
                            eviction_date=warrant.eviction_date,
                        )
                    ],
                ), None
            return Step(
                "await_bailiff",
                "warrant",
                reasons=[
                    reason(
                        "warrant_applied",
                        f"A warrant ({warrant.form}) was applied for on "
                        f"{long_date(warrant.applied_on)}; "
                        "the bailiff will give an appointment.",
                        "CPR 83; form EX96",
                    )
                ],
            ), None

    if claim is not None and claim.outcome in ORDER_OUTCOMES:
        return _order_step(case, claim, policy, today, statuses), None

    if claim is not None and claim.outcome in OPEN_CLAIM_OUTCOMES and claim.issued_on:
        if claim.hearing_on and claim.hearing_on >= today:
            due = claim.hearing_on - timedelta(days=policy.hearing_preparation_days)
            return Step(
                "prepare_for_hearing",
                "court",
                due_on=max(due, today),
                reasons=[
                    reason(
                        "hearing_listed",
                        f"The claim issued on {long_date(claim.issued_on)} is listed for "
                        f"{long_date(claim.hearing_on)}: give the tenant an up-to-date statement "
                        "and "
                        f"their benefit position at least {policy.hearing_preparation_days} days "
                        "before, and advise them to attend.",
                        "Pre-Action Protocol, court stage",
                        hearing_on=claim.hearing_on,
                    )
                ],
            ), None
        if claim.hearing_on and claim.outcome == "pending":
            return Step(
                "record_court_outcome",
                "court",
                due_on=today,
                reasons=[
                    reason(
                        "hearing_passed",
                        f"The hearing on {long_date(claim.hearing_on)} has passed with no outcome "
                        "recorded.",
                    )
                ],
            ), None
        return Step(
            "monitor",
            "court",
            reasons=[
                reason(
                    "claim_open",
                    f"A possession claim issued on {long_date(claim.issued_on)} is before the court"
                    + (" (adjourned generally)." if claim.outcome == "adjourned" else "."),
                )
            ],
        ), None

    notice = notice_of(case, today)
    notes: list[Guard] = []
    if notice is not None and _notice_supports_claim(case, notice, today):
        return _notice_phase_step(case, notice, m, policy, today, weekly_gross), None

    regressed = case.stage not in PRE_NOTICE_STAGES
    current = case.stage if not regressed else "pre_notice"
    if notice is not None and notice.served_on is not None:
        ended = notice.last_proceedings_date or case.trial_period_end
        notes.append(
            Guard(
                key="notice_expired",
                label=f"Notice served on {long_date(notice.served_on)} is out of force",
                detail=(
                    f"It stopped supporting a claim on {long_date(ended)}: a new notice is needed "
                    "before court."
                    if ended
                    else "A new notice is needed before court."
                ),
                source="HA 1985 s83(4)(b); HA 1988 s8(3); HA 1996 s130",
                blocks=frozenset(),
                action="monitor",
            )
        )
    if m.escalation <= 0:
        step = Step("no_action" if m.gross <= 0 else "monitor", "none")
        step.reasons.append(
            reason(
                "not_in_arrears",
                "The rent account is not in arrears."
                if m.gross <= 0
                else f"All {money_text(m.gross)} owed is technical arrears.",
            )
        )
        held = None
        first_rung = policy.rung(ladder, "early_contact")
        if m.technical > 0 and rung_met(first_rung, m.gross, m.weekly):
            held = Guard(
                key="technical_only",
                label=f"Technical arrears only ({money_text(m.technical)})",
                detail="Benefit or payments in transit; nothing to escalate.",
                source="Glossary: technical arrears are not real debt and are never escalated",
                blocks=frozenset(),
                action="monitor",
            )
        step.notes = notes
        return step, held
    rungs_before_court = rungs[: rungs.index("notice") + 1]
    step, held = climb(
        case,
        ladder,
        rungs_before_court,
        current,
        m,
        policy,
        today,
        actions=actions,
        since=case.stage_changed_on if not regressed else None,
        ignore_gap=regressed,
    )
    if regressed:
        step.reasons.insert(
            0,
            reason(
                "back_to_pre_notice",
                f"The case was at {Stage(case.stage).label.lower()}, but no notice, claim or "
                "order supports that any more, so it returns to the pre-notice warning stage.",
            ),
        )
        step.stage = "pre_notice"
    if step.reaches == "notice":
        step.reaches = None  # a notice moves the stage only when it is served
        kind = notice_kind(case, policy, today)
        if kind in ("s8_form_3", "s8_form_3a"):
            met, threshold = _ground_8_note(case, kind, m, weekly_gross)
            step.reasons.append(
                reason(
                    "ground_8",
                    (
                        f"Ground 8 (mandatory) is available: {money_text(m.escalation)} is at "
                        f"least {money_text(threshold)}. Plead Grounds 8, 10 and 11."
                        if met
                        else f"Ground 8 is not available ({money_text(threshold)} needed): "
                        "plead Grounds 10 and 11 (discretionary)."
                    ),
                    "Housing Act 1988 Sch 2, Grounds 8, 10 and 11; s8",
                    threshold=threshold,
                )
            )
    step.notes = notes
    return step, held


# How long before the non-renewal deadline an officer is told the fixed term is ending.
FLEXIBLE_TERM_NOTE_DAYS = 90


def flexible_term_note(case: CaseInput, m: Measure, today: date) -> Guard | None:
    """A flexible tenancy whose fixed term is ending while the tenant owes rent.

    Not renewing it (for the arrears, among other reasons) is a route of its own, with
    deadlines that pass whatever the arrears ladder is doing: a non-renewal notice at
    least six months before the end, with reasons and a review on request within 21 days,
    then a notice seeking possession of at least two months (HA 1985 s107D, s107E;
    SI 2012/695; legal-reference.md §2). The decision is the council's, so this informs
    and never holds.
    """
    end = case.fixed_term_end
    if case.tenure != "flexible" or end is None or today > end or m.escalation <= 0:
        return None
    deadline = flexible_non_renewal_deadline(end)
    if (deadline - today).days > FLEXIBLE_TERM_NOTE_DAYS:
        return None
    if today <= deadline:
        detail = (
            f"If the arrears ({money_text(m.escalation)}) are a reason not to grant another "
            f"tenancy, the non-renewal notice must be served by {long_date(deadline)}, with "
            "the reasons and the right to ask for a review within 21 days; possession then "
            "needs a notice of at least two months and an order."
        )
    else:
        detail = (
            f"The last day for a non-renewal notice ({long_date(deadline)}) has passed: "
            "possession at the end of the term is no longer open. For the arrears, the "
            "notice seeking termination during the term remains the route, and a NOSP once "
            "the tenancy continues as a periodic one."
        )
    return Guard(
        key="flexible_term_ending",
        label=f"Flexible tenancy's fixed term ends on {long_date(end)}",
        detail=detail,
        source="Housing Act 1985 ss107D, 107E, 86; SI 2012/695",
        blocks=frozenset(),
        action="monitor",
    )


def _notice_phase_step(
    case: CaseInput, notice, m: Measure, policy: Policy, today: date, weekly_gross: Decimal
) -> Step:
    ladder = case.tenure
    may_begin = proceedings_may_begin(notice, today)
    floor = "post_notice" if may_begin else "notice"
    stage = case.stage if case.stage in NOTICE_PHASE else floor
    if STAGE_ORDER[stage] < STAGE_ORDER[floor]:
        stage = floor
    served = reason(
        "notice_served",
        f"{NOTICE_NAMES.get(notice.kind, notice.kind)} served on {long_date(notice.served_on)}"
        + (
            f"; proceedings may begin after {long_date(notice.earliest_proceedings_date)}"
            if notice.earliest_proceedings_date
            else ""
        )
        + (
            f" and until {long_date(notice.last_proceedings_date)}."
            if notice.last_proceedings_date
            else "."
        ),
        "legal-reference.md §18",
        served_on=notice.served_on,
        earliest_proceedings_date=notice.earliest_proceedings_date,
        last_proceedings_date=notice.last_proceedings_date,
    )
    if not may_begin:
        contacted = case.last_contact_on is not None and case.last_contact_on >= notice.served_on
        if not contacted:
            return Step("post_notice_contact", stage, due_on=today, reasons=[served])
        return Step(
            "monitor",
            stage,
            due_on=notice.earliest_proceedings_date + timedelta(days=1)
            if notice.earliest_proceedings_date
            else None,
            reasons=[
                served,
                reason(
                    "contacted", f"The tenant was contacted on {long_date(case.last_contact_on)}."
                ),
            ],
        )
    if m.escalation <= 0:
        return Step(
            "monitor",
            stage,
            reasons=[served, reason("not_in_arrears", "No arrears to take to court.")],
        )
    court_action = (
        "apply_for_possession"
        if possession_needs_court(tenure=case.tenure, ta_duty=case.ta_duty)
        else "recover_possession"
    )
    if stage != "pre_court":
        step, _ = climb(
            case,
            ladder,
            ("post_notice", "pre_court"),
            "post_notice",
            m,
            policy,
            today,
            actions=RUNG_ACTIONS["possession"],
            since=case.stage_changed_on if case.stage == "post_notice" else None,
        )
        step.stage = stage
        if court_action == "recover_possession" and step.reaches == "pre_court":
            # No claim to warn of: after a s188 licence ends, possession is recovered.
            step.action, step.reaches = "recover_possession", None
    else:
        step, _ = climb(
            case,
            ladder,
            ("pre_court", "court"),
            "pre_court",
            m,
            policy,
            today,
            actions={"court": court_action},
            since=case.stage_changed_on,
        )
        step.stage = stage
        step.reaches = None  # a claim moves the stage only when it is issued
        if step.action == court_action and notice.last_proceedings_date:
            step.due_on = today
            step.reasons.append(
                reason(
                    "notice_long_stop",
                    "Proceedings must begin by "
                    f"{long_date(notice.last_proceedings_date)}, while the "
                    "notice is in force.",
                    "HA 1985 s83(4)(b); HA 1988 s8(3)",
                )
            )
        if notice.kind in ("s8_form_3", "s8_form_3a"):
            met, threshold = _ground_8_note(case, notice.kind, m, weekly_gross)
            if not met:
                step.notes.append(
                    Guard(
                        key="ground_8_not_met",
                        label=f"Ground 8 not met today ({money_text(threshold)} needed)",
                        detail=(
                            "Only Grounds 10 and 11 (discretionary) would succeed at a hearing now."
                        ),
                        source="Housing Act 1988 Sch 2 Ground 8: met at service and at the hearing",
                        blocks=frozenset(),
                        action="monitor",
                    )
                )
    step.reasons.insert(0, served)
    return step


def _order_step(
    case: CaseInput, claim: CourtFact, policy: Policy, today: date, statuses: dict[int, str]
) -> Step:
    order = claim.order_date
    made = reason(
        "order_made",
        f"The court made a {claim.outcome.replace('_', ' ')} order"
        + (f" on {long_date(order)}." if order else "."),
        "legal-reference.md §9",
        order_date=order,
    )
    if claim.outcome == "outright":
        if claim.possession_date is None:
            return Step(
                "check_case_data",
                "order_monitoring",
                reasons=[made, reason("no_possession_date", "No date for possession recorded.")],
            )
        if today <= claim.possession_date:
            return Step(
                "monitor_order",
                "order_monitoring",
                due_on=claim.possession_date + timedelta(days=1),
                reasons=[
                    made,
                    reason(
                        "possession_date",
                        f"Possession is ordered for {long_date(claim.possession_date)}.",
                    ),
                ],
            )
        return Step(
            "apply_for_warrant",
            "order_monitoring",
            due_on=today,
            order_date=order,
            reasons=[
                made,
                reason(
                    "possession_date_passed",
                    f"The date for possession, {long_date(claim.possession_date)}, has passed: a "
                    "warrant (N325) may be requested.",
                    "CPR 83.26; form N325",
                ),
            ],
        )
    terms = [
        fact
        for fact in case.arrangements
        if fact.terms.court_case_id == claim.id and fact.terms.state != "cancelled"
    ]
    if not terms:
        return Step(
            "check_case_data",
            "order_monitoring",
            reasons=[
                made,
                reason(
                    "no_terms",
                    "The order's terms are not recorded as a court-ordered arrangement, so "
                    "breaches cannot be detected.",
                ),
            ],
        )
    fact = max(terms, key=lambda f: f.terms.starts_on)
    state = statuses.get(fact.terms.id, fact.terms.state)
    if state not in ("missed", "broken"):
        next_due = next_instalment_on(
            starts_on=fact.terms.starts_on, frequency=fact.terms.frequency, after=today
        )
        return Step(
            "monitor_order",
            "order_monitoring",
            due_on=next_due,
            reasons=[
                made,
                reason(
                    "terms_kept",
                    f"The terms ({money_text(fact.terms.instalment)} "
                    f"{fact.terms.frequency.replace('_', '-')} on top of rent) are being kept.",
                ),
            ],
        )
    breach_from = (
        case.stage_changed_on if case.stage == "breach" and case.stage_changed_on else today
    )
    breached = reason(
        "order_breached",
        f"The terms of the order are not being kept (arrangement {state}) since "
        f"{long_date(breach_from)}.",
        "legal-reference.md §9: breach and warrant",
        breach_from=breach_from,
    )
    sent = case.letters.get("notice_of_default")
    if sent is None or sent < breach_from:
        return Step(
            "send_notice_of_default",
            "breach",
            reaches="breach",
            due_on=today,
            reasons=[made, breached],
        )
    remedy_by = breach_from + timedelta(days=policy.breach_remedy_days)
    if today < remedy_by:
        return Step(
            "monitor_order",
            "breach",
            due_on=remedy_by,
            reasons=[
                made,
                breached,
                reason(
                    "time_to_remedy",
                    f"A notice of default went on {long_date(sent)}; the tenant has until "
                    f"{long_date(remedy_by)} to put the breach right.",
                    "legal-reference.md §16 S10: give clear time to remedy",
                ),
            ],
        )
    enforcement = {
        "suspended": "apply_for_warrant",
        "postponed": "apply_to_fix_date",
        "adjourned_on_terms": "apply_to_restore",
    }[claim.outcome]
    source = {
        "apply_for_warrant": "N325A: the District Judge decides on the statement of payments",
        "apply_to_fix_date": "N28A postponed order: apply to fix a date (PD 55A)",
        "apply_to_restore": "The claim was adjourned on terms: restore it",
    }[enforcement]
    return Step(
        enforcement,
        "breach",
        due_on=today,
        order_date=order,
        reasons=[
            made,
            breached,
            reason(
                "breach_continues",
                f"The breach was not put right by {long_date(remedy_by)}.",
                source,
            ),
        ],
    )


# --------------------------------------------------------------------------- other ladders
