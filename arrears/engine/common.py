"""Shared parts of the engine: the stages, how arrears are measured for each ladder, and
climbing a ladder's rungs as the policy allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from arrears.actions import (
    ACTIONS,
    SERVE_NOTICE_ACTION,
    WAITING_ACTIONS,
    StepClass,
    due_action,
)
from arrears.facts import AccountFigures, CaseInput
from arrears.guards import Guard
from arrears.policy import LADDER_LABELS, Policy, Rung
from arrears.rules import POSSESSION_TENURES, notice_for_tenancy, weeks_of_rent
from arrears.text import long_date, money_text
from cases.models import Stage

ZERO = Decimal("0.00")

STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}

PRE_NOTICE_STAGES = ("none", "early_contact", "letter_1", "letter_2", "pre_notice")

NOTICE_PHASE = frozenset({"notice", "post_notice", "pre_court"})

ORDER_OUTCOMES = frozenset({"outright", "suspended", "postponed", "adjourned_on_terms"})

OPEN_CLAIM_OUTCOMES = frozenset({"pending", "adjourned"})

LIVE_WARRANT_OUTCOMES = frozenset({"pending", "issued"})

LIVE_ARRANGEMENT_STATES = frozenset({"live", "kept", "missed"})

RUNG_ACTIONS: dict[str, dict[str, str]] = {
    "possession": {
        "early_contact": "early_contact",
        "letter_1": "send_letter_1",
        "letter_2": "send_letter_2",
        "pre_notice": "pre_notice_warning",
        "pre_court": "send_pre_court_letter",
        "court": "apply_for_possession",
    },
    "garage": {
        "early_contact": "early_contact",
        "letter_1": "send_letter_1",
        "letter_2": "send_letter_2",
        "notice": "serve_garage_notice_to_quit",
        "court": "recover_garage",
    },
    "leasehold": {
        "early_contact": "service_charge_reminder",
        "letter_1": "send_formal_demand",
        "pre_court": "refer_for_determination",
    },
    "former_tenant": {
        "early_contact": "contact_former_tenant",
        "pre_court": "refer_to_debt_recovery",
    },
    "other_debts": {
        "early_contact": "contact_about_other_debt",
        "pre_court": "refer_to_debt_recovery",
    },
}

RUNG_ACTIONS["shared_ownership"] = RUNG_ACTIONS["leasehold"]

ARRANGEMENT_LETTERS = {"missed": "arrangement_missed", "broken": "arrangement_broken"}

NOTICE_NAMES = {
    "nosp": "NOSP",
    "flexible_termination": "Notice seeking termination",
    "notice_of_proceedings": "Notice of proceedings",
    "s8_form_3": "Section 8 notice (Form 3)",
    "s8_form_3a": "Section 8 notice (Form 3A)",
    "notice_to_quit": "Notice to quit",
    "notice_to_determine": "Notice to determine",
}


def reason(rule: str, text: str, source: str = "", **figures: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "text": text,
        "source": source,
        "figures": {key: _plain(value) for key, value in figures.items()},
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(slots=True)
class Measure:
    """The arrears a ladder escalates on, and the weekly charge it counts weeks in."""

    gross: Decimal  # owed on the ladder's accounts
    technical: Decimal
    escalation: Decimal  # gross less technical arrears (and any barred), never below zero
    weekly: Decimal  # the basis for weeks
    basis: str  # "net rent", "gross rent", "the weekly charge"
    barred: Decimal = ZERO  # statute-barred (arrears/limitation.py): not escalated

    @property
    def weeks(self) -> Decimal:
        return weeks_of_rent(self.escalation, self.weekly)


@dataclass(slots=True)
class Step:
    """What the ladder wants next, before the guards have their say."""

    action: str
    stage: str  # the stage the case is at (from the facts), before this step
    reaches: str | None = None  # the stage this step moves the case to when taken
    due_on: date | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    order_date: date | None = None
    notes: list[Guard] = field(default_factory=list)  # guards that inform but never hold
    letter_sent_before: bool = False

    @property
    def step(self) -> StepClass:
        return ACTIONS[self.action].step


def total(values) -> Decimal:
    """The sum of some amounts; £0.00 for none."""
    return sum(values, ZERO)


def service_charge_not_yet_due(weekly: Decimal, today: date) -> Decimal:
    """The part of the year's service charge demand not yet due by instalments.

    The demand for the service charge year (April to March) is payable in twelve monthly
    instalments, so at any date only the instalments up to that month are arrears
    (the lease's payment terms; legal-reference.md §6).
    """
    months_elapsed = (today.month - 4) % 12 + 1
    return (weekly * 52 * (12 - months_elapsed) / 12).quantize(Decimal("0.01"))


def ladder_accounts(case: CaseInput, ladder: str) -> list[AccountFigures]:
    """The accounts whose balances a ladder escalates on."""
    accounts = case.accounts
    if ladder in POSSESSION_TENURES:
        return [a for a in accounts if a.rent_lawfully_due]
    if ladder == "garage":
        return [a for a in accounts if a.kind == "garage"]
    if ladder in ("leasehold", "shared_ownership"):
        return [a for a in accounts if a.kind == "service_charges"]
    if ladder == "former_tenant":
        return list(accounts)
    return [a for a in accounts if not a.rent_lawfully_due]


def measure_for(case: CaseInput, ladder: str, policy: Policy, today: date) -> Measure:
    own = ladder_accounts(case, ladder)
    gross = total(a.balance for a in own)
    if ladder in POSSESSION_TENURES:
        technical = total(a.technical.amount for a in own)
        weekly_gross = total(a.weekly_charge for a in own)
        weekly_net = total(a.net_weekly for a in own)
        use_net = policy.weeks_basis == "net" and weekly_net > 0
        return Measure(
            gross,
            technical,
            max(ZERO, gross - technical),
            weekly_net if use_net else weekly_gross,
            "net rent" if use_net else "gross rent",
        )
    # A statute-barred sum may still be asked for, but not escalated towards a claim.
    barred = total(a.limitation.barred for a in own)
    if ladder == "garage":
        technical = total(a.technical.amount for a in own)
        return Measure(
            gross,
            technical,
            max(ZERO, gross - technical - barred),
            total(a.weekly_charge for a in own),
            "garage rent",
            barred,
        )
    if ladder in ("leasehold", "shared_ownership"):
        not_due = total(service_charge_not_yet_due(a.weekly_charge, today) for a in own)
        return Measure(
            gross,
            ZERO,
            max(ZERO, gross - not_due - barred),
            total(a.weekly_charge for a in own),
            "the weekly service charge",
            barred,
        )
    return Measure(gross, ZERO, max(ZERO, gross - barred), ZERO, "", barred)


def weeks_text(m: Measure) -> str:
    if m.weekly <= 0:
        return ""
    return f" ({m.weeks} weeks of {m.basis} at {money_text(m.weekly)} a week)"


# --------------------------------------------------------------------------- rungs


def _rung_reason(ladder: str, rung: Rung, m: Measure, policy: Policy, since: date | None):
    gap = f", {rung.gap_days} days after the last stage" if rung.gap_days else ""
    # The date, not a count of days: a reason that changes every night would rewrite
    # every recommendation every night (arrears/writer.py writes only what changed).
    at = f" The case has been at its stage since {long_date(since)}." if since else ""
    return reason(
        f"rung:{rung.name}",
        f"Arrears for escalation of {money_text(m.escalation)}{weeks_text(m)} reach "
        f"{rung.label.lower()}: at least {rung.weeks} weeks and {money_text(rung.min_amount)}"
        f"{gap}.{at}",
        f"Policy version {policy.version}, {LADDER_LABELS[ladder].lower()}",
        arrears=m.escalation,
        weeks=m.weeks,
        threshold_weeks=rung.weeks,
        threshold_amount=rung.min_amount,
        gap_days=rung.gap_days,
        at_stage_since=since.isoformat() if since else None,
    )


def rung_met(rung: Rung, amount: Decimal, weekly: Decimal) -> bool:
    """At least the rung's weeks of rent (exactly: 3.96 weeks is not 4) and its amount."""
    return amount > 0 and amount >= rung.min_amount and amount >= rung.weeks * weekly


def climb(
    case: CaseInput,
    ladder: str,
    rungs: tuple[str, ...],
    current: str,
    m: Measure,
    policy: Policy,
    today: date,
    *,
    actions: dict[str, str],
    since: date | None,
    ignore_gap: bool = False,
) -> tuple[Step, Guard | None]:
    """The next rung after `current` if the arrears reach it and the gap has passed.

    Returns the step and, when the rung is reached only by counting technical arrears,
    the technical-arrears guard that holds it.
    """
    index = rungs.index(current) + 1 if current in rungs else 0
    if index >= len(rungs):
        return _contact_still_due(case, current, actions, Step("monitor", current), since), None
    rung = policy.rung(ladder, rungs[index])
    days_at = (today - since).days if since else None
    step, held = _climb(
        case, ladder, rung, current, m, policy, today, actions, since, days_at, ignore_gap
    )
    if step.action in WAITING_ACTIONS:
        step = _contact_still_due(case, current, actions, step, since)
    return step, held


def _contact_still_due(
    case: CaseInput, current: str, actions: dict[str, str], step: Step, since: date | None
) -> Step:
    """A contact the case's current stage asked for stays the next action until an officer
    records one, so it does not drop off the officer's list the night after it appeared."""
    asked = actions.get(current)
    if asked is None or ACTIONS[asked].step != StepClass.CONTACT or since is None:
        return step
    if case.last_contact_on is not None and case.last_contact_on >= since:
        return step
    step.reasons.append(
        reason(
            f"contact_due:{current}",
            f"No contact has been recorded since the case reached this stage on "
            f"{long_date(since)}.",
            "Pre-Action Protocol: contact the tenant as soon as reasonably possible",
        )
    )
    return Step(asked, current, due_on=since, reasons=step.reasons)


def _climb(
    case: CaseInput,
    ladder: str,
    rung: Rung,
    current: str,
    m: Measure,
    policy: Policy,
    today: date,
    actions: dict[str, str],
    since: date | None,
    days_at: int | None,
    ignore_gap: bool,
) -> tuple[Step, Guard | None]:
    if not rung_met(rung, m.escalation, m.weekly):
        held = None
        if rung_met(rung, max(m.gross, ZERO), m.weekly):
            held = Guard(
                key="technical_only",
                label=f"Technical arrears only ({money_text(m.technical)})",
                detail=(
                    f"{rung.label} would be reached on the balance of {money_text(m.gross)}, "
                    f"but {money_text(m.technical)} of it is benefit or payments in transit."
                ),
                source="Glossary: technical arrears are not real debt and are never escalated",
                blocks=frozenset(),
                action="monitor",
            )
        return (
            Step(
                "monitor",
                current,
                reasons=[
                    reason(
                        f"below:{rung.name}",
                        f"Arrears for escalation of {money_text(m.escalation)}"
                        f"{weeks_text(m)} are below {rung.label.lower()} "
                        f"({rung.weeks} weeks and {money_text(rung.min_amount)}).",
                        f"Policy version {policy.version}, {LADDER_LABELS[ladder].lower()}",
                        arrears=m.escalation,
                        weeks=m.weeks,
                        threshold_weeks=rung.weeks,
                        threshold_amount=rung.min_amount,
                    )
                ],
            ),
            held,
        )
    if not ignore_gap and since is not None and days_at is not None and days_at < rung.gap_days:
        due = since + timedelta(days=rung.gap_days)
        return (
            Step(
                due_action(rung.label),
                current,
                due_on=due,
                reasons=[
                    reason(
                        f"gap:{rung.name}",
                        f"{rung.label} is due on {long_date(due)}, {rung.gap_days} days after the "
                        "case "
                        f"reached its stage on {long_date(since)}.",
                        f"Policy version {policy.version}, {LADDER_LABELS[ladder].lower()}",
                        gap_days=rung.gap_days,
                        at_stage_since=since.isoformat(),
                    )
                ],
            ),
            None,
        )
    action = actions.get(rung.name)
    if action is None:  # the notice rung: the notice depends on the tenancy
        action = serve_notice_action(case, policy, today)
    step = Step(
        action,
        current,
        reaches=rung.name,
        due_on=today,
        reasons=[_rung_reason(ladder, rung, m, policy, since)],
    )
    return step, None


def serve_notice_action(case: CaseInput, policy: Policy, today: date) -> str:
    kind = notice_kind(case, policy, today)
    return SERVE_NOTICE_ACTION[kind] if kind else "monitor"


def notice_kind(case: CaseInput, policy: Policy, today: date) -> str | None:
    return notice_for_tenancy(
        tenure=case.tenure,
        registered_provider=case.registered_provider,
        ta_duty=case.ta_duty,
        fixed_term_end=case.fixed_term_end,
        trial_period_end=case.trial_period_end,
        today=today,
        rra_social_housing_from=policy.rra_social_housing_from,
    )


# --------------------------------------------------------------------------- possession
