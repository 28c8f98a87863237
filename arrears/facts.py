"""What the engine knows about a case on the run date: plain values, loaded in bulk.

`arrears/loader.py` builds these from the database a chunk at a time; tests build them
directly, so the rules can be checked case by case without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.arrangements import ArrangementTerms
from arrears.limitation import NOT_BARRED, LimitationPosition
from arrears.rules import NoticeFact
from arrears.technical import NONE, PaymentPattern, TechnicalArrears

ZERO = Decimal("0.00")


@dataclass(slots=True)
class AccountFigures:
    """One debt's figures on the run date."""

    id: int
    reference: str
    kind: str
    rent_lawfully_due: bool
    weekly_charge: Decimal
    balance: Decimal
    hb_weekly: Decimal = ZERO
    due_4_weeks: Decimal = ZERO
    paid_4_weeks: Decimal = ZERO
    due_13_weeks: Decimal = ZERO
    paid_13_weeks: Decimal = ZERO
    last_payment_on: date | None = None
    last_payment_amount: Decimal | None = None
    technical: TechnicalArrears = NONE
    # Kept so technical arrears can be worked out again under a proposed policy.
    patterns: tuple[PaymentPattern, ...] = ()
    charge_buckets: tuple[int, ...] = ()  # pence charged per rent week, newest first
    # The part of the balance no longer claimable in court (arrears/limitation.py).
    limitation: LimitationPosition = NOT_BARRED
    net_weekly: Decimal = field(init=False)  # the charge less Housing Benefit

    def __post_init__(self) -> None:
        net = self.weekly_charge - self.hb_weekly
        self.net_weekly = net if net > 0 else ZERO


@dataclass(frozen=True, slots=True)
class HoldFact:
    kind: str
    reason: str
    starts_on: date
    until: date | None
    reference: str = ""
    # Benefit claims: True when the tenant has given all the evidence (PAP para 7).
    all_evidence_supplied: bool | None = None


@dataclass(frozen=True, slots=True)
class FlagFact:
    kind: str
    recorded_on: date
    review_on: date | None


@dataclass(frozen=True, slots=True)
class AssessmentFact:
    step: str
    decision: str
    assessed_on: date


@dataclass(frozen=True, slots=True)
class WarrantFact:
    form: str
    applied_on: date
    eviction_date: date | None
    outcome: str


@dataclass(frozen=True, slots=True)
class CourtFact:
    id: int
    outcome: str
    issued_on: date | None
    hearing_on: date | None
    order_date: date | None
    possession_date: date | None
    warrants: tuple[WarrantFact, ...] = ()


@dataclass(frozen=True, slots=True)
class ArrangementFact:
    terms: ArrangementTerms
    rent_due: Decimal  # rent (and other charges) fallen due since the start, past the grace
    paid: Decimal  # money received since the start


@dataclass(frozen=True, slots=True)
class PreviousRecommendation:
    action: str
    since: date
    fingerprint: str
    run_date: date
    due_on: date | None = None


@dataclass(slots=True)
class CaseInput:
    case_id: int
    reference: str
    stage: str
    stage_changed_on: date | None
    last_contact_on: date | None
    tenure: str
    registered_provider: bool
    ta_duty: str
    rent_period: str
    trial_period_end: date | None
    fixed_term_end: date | None
    tenancy_end: date | None
    accounts: list[AccountFigures] = field(default_factory=list)
    holds: list[HoldFact] = field(default_factory=list)
    flags: list[FlagFact] = field(default_factory=list)
    assessments: list[AssessmentFact] = field(default_factory=list)
    notices: list[NoticeFact] = field(default_factory=list)  # served, newest first
    court_cases: list[CourtFact] = field(default_factory=list)  # newest first
    arrangements: list[ArrangementFact] = field(default_factory=list)
    letters: dict[str, date] = field(default_factory=dict)  # latest request per letter kind
    # Letters the notices app could not produce, and not asked for again since.
    failed_letters: dict[str, date] = field(default_factory=dict)
    previous: PreviousRecommendation | None = None
    automatic_letters: bool = True  # the patch's switch (cases.Patch.automatic_letters)
