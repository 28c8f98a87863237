"""Case facts for the engine's rule tables, built without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from arrears import rules
from arrears.arrangements import ArrangementTerms
from arrears.facts import (
    AccountFigures,
    ArrangementFact,
    AssessmentFact,
    CaseInput,
    CourtFact,
    FlagFact,
    HoldFact,
    WarrantFact,
)
from arrears.policy import Policy, default_document
from arrears.rules import NoticeFact
from arrears.technical import TechnicalArrears

# A Monday, with Christmas and its rent-free weeks ahead and no bank holiday near.
TODAY = date(2026, 11, 23)
POLICY = Policy.from_document(default_document(), version=1)
POSSESSION_TENURES = sorted(rules.POSSESSION_TENURES)


def money(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def days_ago(days: int | None) -> date | None:
    return None if days is None else TODAY - timedelta(days=days)


def account(
    balance: str | int = "0",
    *,
    weekly: str = "100.00",
    kind: str = "rent",
    hb: str = "0",
    technical: str = "0",
    reference: str = "00000001",
    account_id: int = 1,
) -> AccountFigures:
    figures = AccountFigures(
        id=account_id,
        reference=reference,
        kind=kind,
        rent_lawfully_due=kind == "rent",
        weekly_charge=money(weekly),
        balance=money(balance),
        hb_weekly=money(hb),
    )
    if Decimal(technical):
        figures.technical = TechnicalArrears(
            money(technical), "Benefit in transit.", money(technical)
        )
    return figures


def case(
    tenure: str = "secure",
    *,
    stage: str = "none",
    days_at_stage: int | None = None,
    arrears: str | int = "0",
    weekly: str = "100.00",
    accounts: list[AccountFigures] | None = None,
    **facts,
) -> CaseInput:
    defaults = {
        "registered_provider": tenure == "assured",
        "ta_duty": "s193" if tenure.startswith("non_secure") else "",
        "rent_period": "weekly",
        "trial_period_end": TODAY + timedelta(days=200) if tenure == "introductory" else None,
        "fixed_term_end": TODAY + timedelta(days=900) if tenure == "flexible" else None,
        "tenancy_end": None,
        "last_contact_on": None,
    }
    if accounts is None:
        kind = {"garage": "garage", "leasehold": "service_charges"}.get(tenure, "rent")
        if tenure == "shared_ownership":
            kind = "service_charges"
        accounts = [account(arrears, weekly=weekly, kind=kind)]
    defaults.update(facts)
    return CaseInput(
        case_id=1,
        reference="C0000001",
        stage=stage,
        stage_changed_on=days_ago(days_at_stage),
        tenure=tenure,
        accounts=accounts,
        **defaults,
    )


def assessed(step: str = "notice", *, days: int = 10, decision: str = "proceed") -> AssessmentFact:
    return AssessmentFact(step, decision, TODAY - timedelta(days=days))


def hold(
    kind: str,
    reason: str = "",
    *,
    started: int = 5,
    until: date | None = None,
    evidence: bool | None = None,
) -> HoldFact:
    return HoldFact(kind, reason, TODAY - timedelta(days=started), until, "", evidence)


def flag(
    kind: str = "mental_health", *, recorded: int = 100, review: date | None = None
) -> FlagFact:
    return FlagFact(kind, TODAY - timedelta(days=recorded), review)


def notice(
    kind: str = "nosp",
    *,
    served: int = 40,
    earliest: int | None = 10,
    last: int | None = -300,
    status: str = "served",
) -> NoticeFact:
    """A notice served `served` days ago; proceedings from `earliest` days ago until
    `last` days ago (negative: in the future)."""
    return NoticeFact(kind, status, days_ago(served), days_ago(earliest), days_ago(last))


def claim(
    outcome: str = "pending",
    *,
    court_id: int = 7,
    issued: int = 30,
    hearing: int | None = -20,
    order: int | None = None,
    possession: int | None = None,
    warrants: tuple[WarrantFact, ...] = (),
) -> CourtFact:
    return CourtFact(
        id=court_id,
        outcome=outcome,
        issued_on=days_ago(issued),
        hearing_on=days_ago(hearing),
        order_date=days_ago(order),
        possession_date=days_ago(possession),
        warrants=warrants,
    )


def terms(
    *,
    arrangement_id: int = 3,
    kind: str = "informal",
    court_case_id: int | None = None,
    frequency: str = "weekly",
    instalment: str = "10.00",
    includes_current_rent: bool = True,
    starts_on: date = TODAY - timedelta(days=28),
    lump_sum: str | None = None,
    lump_sum_due_on: date | None = None,
    starting_balance: str = "500.00",
    tolerance_days: int | None = None,
    tolerance_amount: str | None = None,
    state: str = "live",
    account_id: int = 1,
) -> ArrangementTerms:
    return ArrangementTerms(
        id=arrangement_id,
        account_id=account_id,
        kind=kind,
        court_case_id=court_case_id,
        frequency=frequency,
        instalment=money(instalment),
        includes_current_rent=includes_current_rent,
        starts_on=starts_on,
        lump_sum=money(lump_sum) if lump_sum else None,
        lump_sum_due_on=lump_sum_due_on,
        starting_balance=money(starting_balance),
        tolerance_days=tolerance_days,
        tolerance_amount=money(tolerance_amount) if tolerance_amount else None,
        state=state,
    )


def arranged(rent_due: str, paid: str, **kwargs) -> ArrangementFact:
    return ArrangementFact(terms(**kwargs), money(rent_due), money(paid))


def policy_with(**changes) -> Policy:
    """The default policy with some settings changed: `ladders__secure__notice__weeks="8.0"`."""
    document = default_document()
    for key, value in changes.items():
        target = document
        path = key.split("__")
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return Policy.from_document(document, version=2)


def with_accounts(input_: CaseInput, *accounts: AccountFigures) -> CaseInput:
    return replace(input_, accounts=list(accounts))
