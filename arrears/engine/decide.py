"""Deciding a case: from one case's facts on the run date to its decision.

`decide()` is pure: facts in (arrears/facts.py), a `Decision` out, nothing read or
written. It works out the arrears that may be escalated (rent lawfully due less
technical arrears), checks the arrangements, places the case on its ladder, finds the
next rung the policy allows, lets the guards hold it, and says why at every step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from arrears.actions import ACTIONS, StepClass
from arrears.arrangements import ArrangementStatus, arrangement_status
from arrears.engine.common import (
    ARRANGEMENT_LETTERS,
    LIVE_ARRANGEMENT_STATES,
    ZERO,
    Measure,
    Step,
    measure_for,
    reason,
    total,
    weeks_text,
)
from arrears.engine.debts import debt_step
from arrears.engine.possession import flexible_term_note, latest_claim, possession_step
from arrears.facts import AccountFigures, ArrangementFact, CaseInput, PreviousRecommendation
from arrears.guards import Guard, GuardContext, active_guards
from arrears.models import LetterKind
from arrears.policy import LADDER_LABELS, Policy
from arrears.rules import POSSESSION_TENURES, ladder_for, weeks_of_rent
from arrears.text import long_date, money_text

LETTER_LABELS = dict(LetterKind.choices)


@dataclass(slots=True)
class ArrangementChange:
    arrangement_id: int
    previous: str
    status: ArrangementStatus
    court_ordered: bool


@dataclass(slots=True)
class CaseFigures:
    """The figures the case record carries (cases.Case), whatever the ladder."""

    balance: Decimal
    rent_arrears: Decimal
    weekly_charge: Decimal
    weekly_net_rent: Decimal
    weeks_in_arrears: Decimal
    last_payment_on: date | None


@dataclass(slots=True)
class Decision:
    case_id: int
    ladder: str
    stage: str
    previous_stage: str
    action: str
    needs_approval: bool
    due_on: date | None
    guard: str
    guard_label: str
    guards: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    figures: dict[str, Any]
    technical_arrears: Decimal
    technical_reasoning: str
    case: CaseFigures
    arrangement_state: str
    letters: list[tuple[str, dict[str, Any]]]
    arrangement_changes: list[ArrangementChange]
    fingerprint: str
    previous_fingerprint: str | None
    since: date
    record: bool

    @property
    def stage_changed(self) -> bool:
        return self.stage != self.previous_stage


def _arrangement_statuses(
    case: CaseInput, policy: Policy, today: date
) -> tuple[dict[int, str], list[ArrangementChange], list[dict[str, Any]]]:
    statuses: dict[int, str] = {}
    changes: list[ArrangementChange] = []
    reasons: list[dict[str, Any]] = []
    net_by_account = {a.id: a.net_weekly for a in case.accounts}
    balance_by_account = {a.id: a.balance for a in case.accounts}
    for fact in case.arrangements:
        terms = fact.terms
        if terms.state not in LIVE_ARRANGEMENT_STATES:
            statuses[terms.id] = terms.state
            continue
        status = arrangement_status(
            terms=terms,
            rent_due=fact.rent_due,
            paid=fact.paid,
            balance=balance_by_account.get(terms.account_id, ZERO),
            net_weekly_rent=net_by_account.get(terms.account_id, ZERO),
            today=today,
            policy=policy,
        )
        statuses[terms.id] = status.state
        reasons.append(
            reason(
                f"arrangement:{status.state}",
                f"{'Court-ordered terms' if terms.is_court_ordered else 'Arrangement'} "
                f"{status.state}: {status.description}",
                "Pre-Action Protocol, para 11; policy arrangement tolerance",
                expected=status.expected,
                actual=status.actual,
            )
        )
        if status.state != terms.state:
            changes.append(ArrangementChange(terms.id, terms.state, status, terms.is_court_ordered))
    return statuses, changes, reasons


def _with_states(case: CaseInput, statuses: dict[int, str]) -> CaseInput:
    """The case as the guards should see it: arrangements in tonight's states."""
    if not case.arrangements:
        return case
    updated = [
        ArrangementFact(
            replace(f.terms, state=statuses.get(f.terms.id, f.terms.state)), f.rent_due, f.paid
        )
        for f in case.arrangements
    ]
    return replace(case, arrangements=updated)


def _figures(
    case: CaseInput, m: Measure, rent_accounts: list[AccountFigures], display_weeks: Decimal
) -> dict[str, Any]:
    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    last = max(
        (a for a in case.accounts if a.last_payment_on is not None),
        key=lambda a: a.last_payment_on,
        default=None,
    )
    return {
        "balance": money(total(a.balance for a in case.accounts)),
        "arrears_for_escalation": money(m.escalation),
        "escalation_weeks": str(m.weeks),
        "weeks_basis": m.basis,
        "weeks_in_arrears": str(display_weeks),
        "technical_arrears": money(m.technical),
        "due_4_weeks": money(total(a.due_4_weeks for a in rent_accounts)),
        "paid_4_weeks": money(total(a.paid_4_weeks for a in rent_accounts)),
        "due_13_weeks": money(total(a.due_13_weeks for a in rent_accounts)),
        "paid_13_weeks": money(total(a.paid_13_weeks for a in rent_accounts)),
        "last_payment_on": last.last_payment_on.isoformat() if last else None,
        "last_payment_amount": money(last.last_payment_amount) if last else None,
        "accounts": [
            {
                "id": a.id,
                "reference": a.reference,
                "kind": a.kind,
                "rent_lawfully_due": a.rent_lawfully_due,
                "balance": money(a.balance),
                "weekly_charge": money(a.weekly_charge),
                "housing_benefit_weekly": money(a.hb_weekly),
                "technical_arrears": money(a.technical.amount),
                "statute_barred": money(a.limitation.barred),
                "due_4_weeks": money(a.due_4_weeks),
                "paid_4_weeks": money(a.paid_4_weeks),
                "due_13_weeks": money(a.due_13_weeks),
                "paid_13_weeks": money(a.paid_13_weeks),
            }
            for a in case.accounts
        ],
    }


def fingerprint(
    *, action: str, stage: str, guards: list[str], rules: list[str], policy_version: int
) -> str:
    """What makes a recommendation different from the last: not the pennies, the decision."""
    text = "|".join(
        (action, stage, ",".join(sorted(guards)), ",".join(sorted(rules)), str(policy_version))
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def case_figures(case: CaseInput) -> CaseFigures:
    rent = [a for a in case.accounts if a.rent_lawfully_due]
    rent_arrears = total(a.balance for a in rent)
    weekly = total(a.weekly_charge for a in rent)
    paid = [a.last_payment_on for a in case.accounts if a.last_payment_on is not None]
    return CaseFigures(
        balance=total(a.balance for a in case.accounts),
        rent_arrears=rent_arrears,
        weekly_charge=weekly,
        weekly_net_rent=total(a.net_weekly for a in rent),
        weeks_in_arrears=weeks_of_rent(rent_arrears, weekly),
        last_payment_on=max(paid) if paid else None,
    )


def _settled(case: CaseInput) -> bool:
    """Nothing owed, nothing running, nothing recommended before: nothing to decide.

    Most accounts on a night are like this; they get their figures and no recommendation,
    exactly as the full decision would give them, without building its reasons.
    """
    return (
        case.stage == "none"
        and case.previous is None
        and not case.arrangements
        and not case.notices
        and not case.court_cases
        and not case.holds
        and not case.failed_letters
        and all(a.balance <= 0 for a in case.accounts)
    )


def _choose(step: Step, guards: list[Guard]) -> tuple[str, date | None, Guard | None, list[Guard]]:
    """The action after the guards: the first guard holding the step decides it; a hold
    with nothing to escalate still names itself (and its own action) instead of 'monitor'."""
    holding = [g for g in guards if g.holds(step.step)]
    if holding:
        first = holding[0]
        return (
            first.action,
            first.until + timedelta(days=1) if first.until else None,
            first,
            holding,
        )
    stand_in = next((g for g in guards if g.replaces_monitor), None)
    if stand_in is not None and step.step == StepClass.MONITOR and step.action != "no_action":
        due = stand_in.until + timedelta(days=1) if stand_in.until else step.due_on
        return stand_in.action, due, stand_in, holding
    shown = next((g for g in guards if g.replaces_monitor or g.key == "technical_only"), None)
    return step.action, step.due_on, shown, holding


def _due_since(
    action: str, due_on: date | None, previous: PreviousRecommendation | None, today: date
) -> date | None:
    """A step that is due now and was already due on an earlier night keeps the day it
    fell due, so the caseload can put the longest overdue first and a case with nothing
    new is not rewritten every night just to move its due date to today."""
    if (
        due_on == today
        and previous is not None
        and previous.action == action
        and previous.due_on is not None
        and previous.due_on < today
    ):
        return previous.due_on
    return due_on


def _letters(
    case: CaseInput,
    step: Step,
    action: str,
    changes: list[ArrangementChange],
    guards: list[Guard],
    holding: list[Guard],
    policy: Policy,
    today: date,
) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]], bool]:
    """The letters to queue tonight, the reasons for any held back, and whether the step's
    stage waits for tomorrow (one letter a night)."""
    letters: list[tuple[str, dict[str, Any]]] = []
    notes: list[dict[str, Any]] = []
    # Letters about the arrangement itself are not held by the arrangement's own guards.
    blocked = any(
        g.holds(StepClass.LETTER) and not g.key.startswith("arrangement_") for g in guards
    )
    if blocked:
        return letters, notes, False
    off_for_patch = False  # a letter the policy sends was held by the patch's switch
    for change in changes:
        kind = None if change.court_ordered else ARRANGEMENT_LETTERS.get(change.status.state)
        if kind and policy.letter_is_automatic(kind) and not case.automatic_letters:
            off_for_patch = True
        elif kind and policy.letter_is_automatic(kind):
            letters.append(
                (
                    kind,
                    {
                        "rule": f"arrangement:{change.status.state}",
                        "text": change.status.description,
                    },
                )
            )
    wait = False
    chosen = ACTIONS[action]
    if not holding and chosen.letter is not None:
        kind = chosen.letter.value
        last_sent = case.letters.get(kind)
        source = f"Policy version {policy.version}: letters"
        recent = last_sent is not None and (today - last_sent).days < policy.letter_repeat_days
        by_officer = not policy.letter_is_automatic(kind) or not case.automatic_letters
        if by_officer and not recent:
            # The stage is the letter's: it moves when the letter is produced, so the
            # letter stays the next action until an officer sends it.
            wait = True
            if policy.letter_is_automatic(kind):
                off_for_patch = True
            else:
                notes.append(
                    reason(
                        "letter_by_officer",
                        f"{chosen.letter.label} is not sent automatically: an officer sends "
                        "it, and the case stays at this stage until they have.",
                        source,
                    )
                )
        elif recent:
            notes.append(
                reason(
                    "letter_recent",
                    f"{chosen.letter.label} was already asked for on {long_date(last_sent)}; "
                    f"it is not sent again within {policy.letter_repeat_days} days.",
                    source,
                )
            )
        elif letters:
            wait = True
            notes.append(
                reason("letter_tomorrow", f"{chosen.letter.label} waits a day: one letter a night.")
            )
        else:
            why = step.reasons[-1] if step.reasons else {"rule": action, "text": ""}
            letters.append((kind, {"rule": why["rule"], "text": why["text"]}))
    if action == "prepare_for_hearing" and not letters:
        # The court hearing letter goes once per claim (PAP: advise the tenant to attend).
        claim = latest_claim(case)
        sent = case.letters.get("court_hearing")
        if (
            claim is not None
            and policy.letter_is_automatic("court_hearing")
            and (sent is None or (claim.issued_on is not None and sent < claim.issued_on))
        ):
            if case.automatic_letters:
                letters.append(
                    ("court_hearing", {"rule": "hearing_listed", "text": step.reasons[0]["text"]})
                )
            else:
                off_for_patch = True
    if off_for_patch:
        notes.append(
            reason(
                "letters_off_for_patch",
                "Automatic letters are switched off for this case's patch: an officer sends "
                "the letter recommended, and the case stays at this stage until they have.",
                "The patch's setting, a manager's decision",
            )
        )
    return letters, notes, wait


def _failed_letter(case: CaseInput, action: str) -> tuple[str, date] | None:
    """A letter the notices app could not produce takes the place of monitoring: nobody
    would otherwise notice that the tenant never got it."""
    if not case.failed_letters or ACTIONS[action].step != StepClass.MONITOR:
        return None
    kind, day = max(case.failed_letters.items(), key=lambda item: item[1])
    return kind, day


def decide(case: CaseInput, *, policy: Policy, today: date) -> Decision:
    """The case's stage, next action, guards and reasons on `today`, and what to write."""
    figures = case_figures(case)
    if _settled(case):
        return Decision(
            case_id=case.case_id,
            ladder=case.tenure,
            stage="none",
            previous_stage=case.stage,
            action="no_action",
            needs_approval=False,
            due_on=None,
            guard="",
            guard_label="",
            guards=[],
            reasons=[],
            figures={},
            technical_arrears=ZERO,
            technical_reasoning="",
            case=figures,
            arrangement_state="",
            letters=[],
            arrangement_changes=[],
            fingerprint="",
            previous_fingerprint=None,
            since=today,
            record=False,
        )
    tenancy_ended = case.tenancy_end is not None and case.tenancy_end <= today
    # A tenant owing only other debts (repairs, court costs) is on that ladder, unless a
    # notice, claim or order is already running on the tenancy.
    other_owed = any(not a.rent_lawfully_due and a.balance > 0 for a in case.accounts)
    ladder = ladder_for(
        tenure=case.tenure,
        tenancy_ended=tenancy_ended,
        has_rent_arrears=figures.rent_arrears > 0
        or bool(case.notices or case.court_cases)
        or not other_owed,
    )
    m = measure_for(case, ladder, policy, today)
    statuses, changes, arrangement_reasons = _arrangement_statuses(case, policy, today)
    seen = _with_states(case, statuses)
    if ladder in POSSESSION_TENURES:
        step, technical_guard = possession_step(seen, m, policy, today, statuses)
        if (term_note := flexible_term_note(case, m, today)) is not None:
            step.notes.append(term_note)
    else:
        step, technical_guard = debt_step(seen, ladder, m, policy, today)

    guards = active_guards(
        seen,
        GuardContext(
            step=step.step,
            action=step.action,
            ladder=ladder,
            today=today,
            policy=policy,
            order_date=step.order_date,
        ),
    )
    if technical_guard is not None:
        guards.append(technical_guard)
    action, due_on, first, holding = _choose(step, guards)
    due_on = _due_since(action, due_on, case.previous, today)
    failed_letter = _failed_letter(case, action)
    if failed_letter is not None:
        action, due_on = "review_failed_letter", failed_letter[1]
    letters, letter_notes, wait = _letters(
        case, step, action, changes, guards, holding, policy, today
    )
    stage = step.reaches if step.reaches is not None and not holding and not wait else step.stage

    reasons = [
        reason(
            "figures",
            f"Owed on the {LADDER_LABELS[ladder].lower()} ladder: {money_text(m.gross)}"
            + (f", of which {money_text(m.technical)} is technical arrears" if m.technical else "")
            + (f", of which {money_text(m.barred)} is statute-barred" if m.barred else "")
            + f"; {money_text(m.escalation)} may be escalated{weeks_text(m)}.",
            f"Policy version {policy.version}",
            owed=m.gross,
            technical=m.technical,
            escalation=m.escalation,
            weeks=m.weeks,
            basis=m.basis,
            weekly=m.weekly,
            **({"barred": m.barred} if m.barred else {}),
        ),
        *arrangement_reasons,
        *step.reasons,
        *letter_notes,
        *(
            [
                reason(
                    "letter_failed",
                    f"{LETTER_LABELS.get(failed_letter[0], failed_letter[0])} asked for on "
                    f"{long_date(failed_letter[1])} could not be produced and has not been "
                    "asked for again.",
                    "Hackney's failed-letter review (peer-hackney.md §9)",
                )
            ]
            if failed_letter
            else []
        ),
        *(
            reason(f"guard:{g.key}", f"Held: {g.label}. {g.detail}", g.source, held=step.action)
            for g in holding
        ),
    ]
    rent_accounts = [a for a in case.accounts if a.rent_lawfully_due]
    on_ladder = rent_accounts if ladder in POSSESSION_TENURES else case.accounts
    technical_reasoning = " ".join(
        f"{a.reference}: {a.technical.reasoning}" if len(on_ladder) > 1 else a.technical.reasoning
        for a in on_ladder
        if a.technical.reasoning
    )
    live_states = [
        statuses.get(f.terms.id, f.terms.state)
        for f in sorted(case.arrangements, key=lambda f: f.terms.starts_on, reverse=True)
    ]
    previous = case.previous
    record = previous is not None or action != "no_action" or stage != "none"
    return Decision(
        case_id=case.case_id,
        ladder=ladder,
        stage=stage,
        previous_stage=case.stage,
        action=action,
        needs_approval=ACTIONS[action].needs_approval,
        due_on=due_on,
        guard=first.key if first else "",
        guard_label=first.label if first else "",
        guards=[g.as_dict(holding=g in holding or g is first) for g in guards]
        + [note.as_dict(holding=False) for note in step.notes],
        reasons=reasons,
        figures=_figures(case, m, rent_accounts, figures.weeks_in_arrears) if record else {},
        technical_arrears=m.technical,
        technical_reasoning=technical_reasoning,
        case=figures,
        arrangement_state=live_states[0] if live_states else "",
        letters=letters,
        arrangement_changes=changes,
        fingerprint=fingerprint(
            action=action,
            stage=stage,
            guards=[g.key for g in holding],
            rules=[r["rule"] for r in reasons if r["rule"] != "figures"],
            policy_version=policy.version,
        ),
        previous_fingerprint=previous.fingerprint if previous else None,
        since=previous.since if previous is not None and previous.action == action else today,
        record=record,
    )
