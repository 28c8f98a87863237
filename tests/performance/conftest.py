"""A small council, worked by hand, for the performance figures.

Today is Monday 23 November 2026; the financial year began on 1 April 2026. No rent
year calendar is set up, so the rent roll is 52 weeks of the weekly charges.

Patch A01 (alice):
  A1  current, £100 a week. Charged £100 on 23 Mar 2026 (last year: brought forward)
      and £100 on 2, 9 and 16 Nov. Paid £120 (3 Nov), Housing Benefit £100 (10 Nov),
      £50 (17 Nov) reversed on 18 Nov. Collected £220 of £300 due; owes £180.
      Nightly figures (as the run would write them): 7.5 weeks, £60 of it technical.
      A NOSP served 5 Nov.
  A2  current, £50 a week, assigned to carol. Charged £50, Universal Credit paid to us
      £80 (16 Nov): £30 in credit. A garage notice to quit served 6 Nov (not counted).
  A3  ended 30 Jun 2026, £100 a week. Charged £100 on 1 Jun, unpaid: former arrears.
  A4  current, no ledger: nightly figures 13.0 weeks, £1,300; a UC claim pending.
      Claim issued 1 Sep, suspended order 12 Nov, warrant applied 15 Nov, evicted 20 Nov.
Patch B01 (bob):
  B1  current, £200 a week, charged £200, unpaid; 14.0 weeks. A garage account charged
      £10 (not rent lawfully due: counted nowhere). Claim issued 10 Nov.
  B2  ended, a former tenancy arrears account charged £60 (1 May), £20 written off.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case, CourtCase, Hold, Warrant
from court.models import Eviction
from notices.models import Notice, NoticeKind
from payments.models import Account, AccountKind, PaymentMethod, TransactionKind
from payments.services import charge_post, payment_post, reversal_post, write_off_post
from tests.factories import AccountFactory, CaseFactory, PropertyFactory, TenancyFactory

TODAY = date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        yield


@dataclass
class Council:
    a1: Case
    a2: Case
    a3: Case
    a4: Case
    b1: Case
    b2: Case


def _case(patch, *, weekly: str | None, ended: date | None = None, **figures) -> Case:
    tenancy = TenancyFactory(property=PropertyFactory(patch=patch), end_date=ended)
    case = CaseFactory(tenancy=tenancy, **figures)
    if weekly is not None:
        AccountFactory(case=case, weekly_charge=Decimal(weekly))
    return case


def _rent(case: Case) -> Account:
    return case.accounts.get(kind=AccountKind.RENT)


_refs = iter(range(1, 1000))


def _charge(account: Account, amount: str, on: date) -> None:
    charge_post(
        account=account,
        amount=Decimal(amount),
        effective_date=on,
        source_reference=f"C{next(_refs)}",
        description="Rent",
        today=TODAY,
    )


def _pay(account: Account, amount: str, on: date, kind=TransactionKind.PAYMENT):
    return payment_post(
        account=account,
        amount=Decimal(amount),
        effective_date=on,
        method=PaymentMethod.BENEFIT if kind != TransactionKind.PAYMENT else PaymentMethod.CASH,
        source="payment_file",
        source_reference=f"P{next(_refs)}",
        today=TODAY,
        kind=kind,
    )


@pytest.fixture
def council(team, frozen) -> Council:
    return build_council(team)


def build_council(team) -> Council:
    """The council above; call it with the clock at TODAY."""
    a, b = team.patch_a, team.patch_b
    a1 = _case(a, weekly="100.00", rent_arrears=Decimal("180.00"), weeks_in_arrears=Decimal("7.5"),
               technical_arrears=Decimal("60.00"), balance=Decimal("180.00"))  # fmt: skip
    a2 = _case(a, weekly="50.00", officer=team.carol, rent_arrears=Decimal("-30.00"))
    a3 = _case(a, weekly="100.00", ended=date(2026, 6, 30))
    a4 = _case(a, weekly=None, rent_arrears=Decimal("1300.00"), weeks_in_arrears=Decimal("13.0"),
               balance=Decimal("1300.00"))  # fmt: skip
    b1 = _case(b, weekly="200.00", rent_arrears=Decimal("200.00"), weeks_in_arrears=Decimal("14.0"),
               balance=Decimal("210.00"))  # fmt: skip
    b2 = _case(b, weekly=None, ended=date(2025, 3, 31))

    rent = _rent(a1)
    for day in (date(2026, 3, 23), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)):
        _charge(rent, "100.00", day)
    _pay(rent, "120.00", date(2026, 11, 3))
    _pay(rent, "100.00", date(2026, 11, 10), TransactionKind.HOUSING_BENEFIT)
    bounced = _pay(rent, "50.00", date(2026, 11, 17))
    reversal_post(original=bounced, reason="Bounced", today=date(2026, 11, 18), actor=None)

    _charge(_rent(a2), "50.00", date(2026, 11, 16))
    _pay(_rent(a2), "80.00", date(2026, 11, 16), TransactionKind.UNIVERSAL_CREDIT)
    _charge(_rent(a3), "100.00", date(2026, 6, 1))
    _charge(_rent(b1), "200.00", date(2026, 11, 16))
    garage = AccountFactory(
        case=b1, kind=AccountKind.GARAGE, rent_lawfully_due=False, weekly_charge=Decimal("10.00")
    )
    _charge(garage, "10.00", date(2026, 11, 16))
    fta = AccountFactory(
        case=b2, kind=AccountKind.FORMER_TENANCY_ARREARS, rent_lawfully_due=False,
        weekly_charge=Decimal("0.00"),
    )  # fmt: skip
    _charge(fta, "60.00", date(2026, 5, 1))
    write_off_post(
        account=fta,
        amount=Decimal("20.00"),
        reason="Small balance",
        source_reference="WO-TEST-1",
        today=TODAY,
        actor=team.maggie,
    )

    Hold.objects.create(
        case=a4,
        kind=Hold.Kind.BENEFIT_CLAIM,
        reason=Hold.BenefitType.UNIVERSAL_CREDIT,
        starts_on=date(2026, 11, 1),
    )
    for case, kind, served in (
        (a1, NoticeKind.NOSP, date(2026, 11, 5)),
        (a2, NoticeKind.GARAGE_NOTICE_TO_QUIT, date(2026, 11, 6)),
        (a1, NoticeKind.NOSP, date(2026, 10, 1)),
    ):
        Notice.objects.create(
            case=case, tenancy=case.tenancy, kind=kind, status=Notice.Status.SERVED,
            served_on=served,
        )  # fmt: skip
    CourtCase.objects.create(case=b1, issued_on=date(2026, 11, 10))
    court_case = CourtCase.objects.create(
        case=a4,
        issued_on=date(2026, 9, 1),
        outcome=CourtCase.Outcome.SUSPENDED,
        order_date=date(2026, 11, 12),
    )
    warrant = Warrant.objects.create(
        court_case=court_case,
        form=Warrant.Form.N325A,
        applied_on=date(2026, 11, 15),
        outcome=Warrant.Outcome.EXECUTED,
    )
    Eviction.objects.create(
        warrant=warrant,
        case=a4,
        attended_on=date(2026, 11, 20),
        went_ahead=True,
        attended_by="Officer and bailiff",
        recorded_by=team.maggie,
    )
    return Council(a1, a2, a3, a4, b1, b2)
