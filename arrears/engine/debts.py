"""The other ladders: garages, leasehold service charges, former tenants, other debts.

None of them leads to possession of a home (legal-reference.md §6, §13, §17).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from arrears.actions import ACTIONS, StepClass
from arrears.engine.common import RUNG_ACTIONS, Measure, Step, climb, ladder_accounts, reason
from arrears.engine.possession import notice_of
from arrears.facts import AccountFigures, CaseInput
from arrears.guards import Guard
from arrears.policy import LADDER_RUNGS, Policy
from arrears.rules import notice_in_force, proceedings_may_begin
from arrears.text import long_date, money_text


def debt_step(
    case: CaseInput, ladder: str, m: Measure, policy: Policy, today: date
) -> tuple[Step, Guard | None]:
    rungs = LADDER_RUNGS[ladder]
    actions = RUNG_ACTIONS[ladder]
    current = case.stage if case.stage in rungs else "none"
    limitation = limitation_reasons(ladder_accounts(case, ladder), today)
    if m.barred > 0 and m.barred >= m.gross:
        return _write_off(
            current,
            today,
            limitation,
            reason(
                "statute_barred",
                f"All {money_text(m.barred)} still owed is statute-barred: it may be asked "
                "for, but a court claim or a recovery agency's threat of one would fail.",
                LIMITATION_SOURCE + "; Camden's statute-barred write-off category",
            ),
        ), None
    if m.escalation <= 0:
        return Step(
            "no_action",
            "none",
            reasons=[*limitation, reason("not_in_arrears", "Nothing is owed that is due.")],
        ), None
    if ladder == "garage":
        notice = notice_of(case, today)
        if notice is not None and notice_in_force(notice, today):
            if not proceedings_may_begin(notice, today):
                return Step(
                    "monitor",
                    "notice",
                    due_on=notice.earliest_proceedings_date + timedelta(days=1)
                    if notice.earliest_proceedings_date
                    else None,
                    reasons=[
                        reason(
                            "garage_notice",
                            f"Notice to quit served on {long_date(notice.served_on)}.",
                        )
                    ],
                ), None
            current = "notice"
    if (
        ladder == "former_tenant"
        and current == "early_contact"
        and m.escalation < policy.write_off_below
    ):
        since = case.stage_changed_on
        rung = policy.rung(ladder, "pre_court")
        if since is None or (today - since).days >= rung.gap_days:
            return _write_off(
                current,
                today,
                limitation,
                reason(
                    "small_balance",
                    f"{money_text(m.escalation)} is below the "
                    f"{money_text(policy.write_off_below)} the policy considers uneconomic "
                    "to pursue.",
                    "Welwyn Hatfield and Gateshead write-off practice (legal-reference.md §13)",
                ),
            ), None
    step, held = climb(
        case,
        ladder,
        rungs,
        current,
        m,
        policy,
        today,
        actions=actions,
        since=case.stage_changed_on if current != "none" else None,
    )
    if ACTIONS[step.action].step in (StepClass.NOTICE, StepClass.COURT, StepClass.ENFORCEMENT):
        step.reaches = None  # legal steps move the stage only when they happen
    step.reasons[:0] = limitation
    return step, held


def _write_off(current: str, today: date, limitation: list[dict], why: dict) -> Step:
    """Put the debt up for write-off (a manager approves it), saying why."""
    return Step("consider_write_off", current, due_on=today, reasons=[*limitation, why])


LIMITATION_SOURCE = "Limitation Act 1980 s19 (rent), s5 (contract debts), s29(5), s29(7), s30"
# How far ahead an officer is told a sum is about to become barred: time to ask for a
# payment or a signed acknowledgment, which starts the six years again.
LIMITATION_WARNING_DAYS = 90


def limitation_reasons(accounts: list[AccountFigures], today: date) -> list[dict]:
    """What limitation means for the ladder's debts today: the part already barred, and
    any part about to be (arrears/limitation.py)."""
    positions = [a.limitation for a in accounts]
    barred = sum((p.barred for p in positions), Decimal("0.00"))
    reasons = []
    if barred > 0:
        latest = max(p.barred_on for p in positions if p.barred_on is not None)
        reasons.append(
            reason(
                "limitation_barred",
                f"{money_text(barred)} is statute-barred (six years passed without a payment "
                f"or signed acknowledgment, the latest on {long_date(latest)}): it is not "
                "escalated and cannot be claimed in court.",
                LIMITATION_SOURCE,
                barred=barred,
            )
        )
    soon = [
        p
        for p in positions
        if p.next_barred_on is not None
        and (p.next_barred_on - today).days <= LIMITATION_WARNING_DAYS
    ]
    if soon:
        first = min(p.next_barred_on for p in soon)
        amount = sum((p.next_barred for p in soon if p.next_barred_on == first), Decimal("0.00"))
        reasons.append(
            reason(
                "limitation_soon",
                f"{money_text(amount)} becomes statute-barred on {long_date(first)} unless the "
                "debtor pays something or acknowledges the debt in writing and signs it before "
                "then.",
                LIMITATION_SOURCE,
                amount=amount,
                barred_on=first,
            )
        )
    return reasons


# --------------------------------------------------------------------------- decide
