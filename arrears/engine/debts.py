"""The other ladders: garages, leasehold service charges, former tenants, other debts.

None of them leads to possession of a home (legal-reference.md §6, §13, §17).
"""

from __future__ import annotations

from datetime import date, timedelta

from arrears.actions import ACTIONS, StepClass
from arrears.engine.common import RUNG_ACTIONS, Measure, Step, climb, reason
from arrears.engine.possession import notice_of
from arrears.facts import CaseInput
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
    if m.escalation <= 0:
        return Step(
            "no_action",
            "none",
            reasons=[reason("not_in_arrears", "Nothing is owed that is due.")],
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
            return Step(
                "consider_write_off",
                current,
                due_on=today,
                reasons=[
                    reason(
                        "small_balance",
                        f"{money_text(m.escalation)} is below the "
                        f"{money_text(policy.write_off_below)} the policy considers uneconomic "
                        "to pursue.",
                        "Welwyn Hatfield and Gateshead write-off practice (legal-reference.md §13)",
                    )
                ],
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
    return step, held


# --------------------------------------------------------------------------- decide
