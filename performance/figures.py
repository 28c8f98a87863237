"""The performance figures: what each counts, computed once for the page, the CSV and the tests.

Each figure is one set-based aggregate query over the ledger or the nightly run's case
figures, for the council, one patch or one officer (`Scope`), and optionally broken
down by patch or by officer (`by`) in the same query. The definitions, with their
sources (the Welsh Government's and Gateshead's published indicators, the Scottish
Housing Regulator's charter indicators and the former HSN1), are in docs/performance.md;
a figure's docstring says what it counts in a line.

A breakdown is a dict keyed by patch id or officer id; without `by`, its one key is
None (`council()` reads it). The responsible officer of a case is the officer a manager
assigned it to, or else its patch's officer, as in the caseload (cases/caseload.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Literal

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Case as Case_
from django.db.models.functions import Coalesce

from cases.models import Case, CourtCase, Hold, Patch, Referral, Warrant
from court.models import Eviction
from notices.models import Notice, NoticeKind
from payments.models import (
    CREDIT_KINDS,
    Account,
    AccountKind,
    RentYear,
    Transaction,
    TransactionKind,
)
from performance.models import PatchSnapshot

ZERO = Decimal("0.00")
PERCENT = Decimal("0.01")

# "patch_officer" keys each row by (patch id, responsible officer id): the finest grain
# the others add up from, which the nightly run keeps (performance/stored.py).
By = Literal["patch", "officer", "patch_officer"] | None
type Breakdown[T] = dict[int | tuple[int, int | None] | None, T]

# Possession orders for rent arrears (CPR 55; court/services/hearings.py ORDERS).
ORDER_OUTCOMES = (
    CourtCase.Outcome.OUTRIGHT,
    CourtCase.Outcome.SUSPENDED,
    CourtCase.Outcome.POSTPONED,
)
# A garage notice to quit is for garage rent, not rent arrears on a home.
ARREARS_NOTICE_KINDS = tuple(k for k in NoticeKind.values if k != NoticeKind.GARAGE_NOTICE_TO_QUIT)
# A tenancy is on Universal Credit paid to us if UC credits reached its rent account in
# this many days: UC is paid monthly in arrears, so three months allows one to be late.
UC_RECENT_DAYS = 92
WEEK_THRESHOLDS = (7, 13)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the council (both None), one patch, or one officer's cases."""

    patch_id: int | None = None
    officer_id: int | None = None

    def q(self, to_case: str = "") -> Q:
        condition = Q()
        if self.patch_id is not None:
            condition &= Q(**{f"{to_case}patch_id": self.patch_id})
        if self.officer_id is not None:
            assigned = Q(**{f"{to_case}officer_id": self.officer_id})
            on_their_patch = Q(
                **{
                    f"{to_case}officer__isnull": True,
                    f"{to_case}patch_id__in": self.officer_patch_ids,
                }
            )
            condition &= assigned | on_their_patch
        return condition

    @cached_property
    def officer_patch_ids(self) -> list[int]:
        """The ids of the patches this officer runs, read once per scope. As values, the
        case's `patch_id` and `officer_id` are each an index condition that PostgreSQL
        combines; through a join to the patch's officer instead, it read every open case
        of the council for each figure (about 100 ms at 200,000 cases)."""
        return list(Patch.objects.filter(officer_id=self.officer_id).values_list("pk", flat=True))


COUNCIL = Scope()


@dataclass(frozen=True)
class Ratio:
    """A count or an amount out of another, with the percentage to two places."""

    numerator: Decimal | int
    denominator: Decimal | int

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            PERCENT, ROUND_HALF_UP
        )


NOTHING_COLLECTED = Ratio(ZERO, ZERO)


@dataclass(frozen=True)
class WriteOffs:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class LegalActions:
    notices_served: int
    claims_issued: int
    orders: int
    warrants: int
    evictions: int


@dataclass(frozen=True)
class UniversalCredit:
    tenancies: int
    total_arrears: Decimal
    managed_payments: int

    @property
    def average_arrears(self) -> Decimal | None:
        if not self.tenancies:
            return None
        return (self.total_arrears / self.tenancies).quantize(PERCENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class TechnicalSplit:
    """Rent arrears of current tenants, split into technical (benefit or payments in
    transit, arrears/technical.py) and real."""

    arrears: Decimal
    technical: Decimal
    cases_with_technical: int

    @property
    def real(self) -> Decimal:
        return self.arrears - self.technical


def council[T](breakdown: Breakdown[T]) -> T:
    return breakdown[None]


# Dates.


def financial_year_start(day: date) -> date:
    """1 April on or before `day`: local authority accounts run April to March."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year_of(day: date) -> int:
    return financial_year_start(day).year


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def charge_weeks_in_year(day: date) -> int:
    """The rent year's charge weeks (48 with four rent-free weeks); 52 if no calendar
    has been set up for it (payments.RentYear)."""
    weeks = (
        RentYear.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .annotate(n=Count("weeks", filter=Q(weeks__is_charge_week=True)))
        .values_list("n", flat=True)
        .first()
    )
    return weeks or 52


# How each query groups and scopes.


def _group(to_case: str, by: By) -> F | Coalesce:
    if by in ("patch", "patch_officer"):
        return F(f"{to_case}patch_id")
    return Coalesce(f"{to_case}officer_id", f"{to_case}patch__officer_id")


def _aggregate(
    queryset: QuerySet, *, to_case: str, scope: Scope, by: By, **aggregates
) -> Breakdown[dict]:
    queryset = queryset.filter(scope.q(to_case)).order_by()
    if by is None:
        return {None: queryset.aggregate(**aggregates)}
    if by == "patch_officer":
        rows = (
            queryset.annotate(
                group_patch=_group(to_case, "patch"), group_officer=_group(to_case, "officer")
            )
            .values("group_patch", "group_officer")
            .annotate(**aggregates)
        )
        return {(row.pop("group_patch"), row.pop("group_officer")): row for row in rows}
    rows = queryset.annotate(group=_group(to_case, by)).values("group").annotate(**aggregates)
    return {row.pop("group"): row for row in rows}


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(PERCENT)


def _current_tenancy(to_tenancy: str, today: date) -> Q:
    return Q(**{f"{to_tenancy}end_date__isnull": True}) | Q(**{f"{to_tenancy}end_date__gt": today})


def _of_kind_or_its_reversal(kinds) -> Q:
    kinds = list(kinds)
    return Q(kind__in=kinds) | Q(kind=TransactionKind.REVERSAL, reverses__kind__in=kinds)


# Money received and rent due, each with its reversals (rent_collected).
COLLECTED = _of_kind_or_its_reversal(CREDIT_KINDS)
DUE = _of_kind_or_its_reversal([TransactionKind.CHARGE])


# The figures.


def rent_lines_this_year(today: date) -> QuerySet[Transaction]:
    """The ledger lines of rent accounts in the financial year to date."""
    return Transaction.objects.filter(
        account__rent_lawfully_due=True,
        effective_date__gte=financial_year_start(today),
        effective_date__lte=today,
    )


def rent_roll_account(today: date) -> Q:
    """An open rent account of a current tenancy (rent lawfully due only)."""
    return _current_tenancy("tenancy__", today) & Q(
        rent_lawfully_due=True, status=Account.Status.OPEN
    )


def rent_roll_accounts(today: date) -> QuerySet[Account]:
    """The accounts of the rent roll (`rent_roll_account`)."""
    return Account.objects.filter(rent_roll_account(today))


def former_owed(today: date) -> Q:
    """Former tenancy arrears accounts, and rent accounts of tenancies that have ended."""
    return Q(kind=AccountKind.FORMER_TENANCY_ARREARS) | (
        Q(rent_lawfully_due=True) & ~_current_tenancy("tenancy__", today)
    )


def current_tenant_owed(today: date) -> Q:
    return Q(rent_lawfully_due=True) & _current_tenancy("tenancy__", today)


def write_off_lines_this_year(today: date) -> QuerySet[Transaction]:
    return Transaction.objects.filter(
        _of_kind_or_its_reversal([TransactionKind.WRITE_OFF]),
        effective_date__gte=financial_year_start(today),
        effective_date__lte=today,
    )


def legal_action_records(start: date, end: date) -> dict[str, tuple[QuerySet, str]]:
    """Each kind of legal action in the period, and the path from its record to the case."""
    period = (start, end)
    return {
        "notices_served": (
            Notice.objects.filter(served_on__range=period, kind__in=ARREARS_NOTICE_KINDS),
            "case__",
        ),
        "claims_issued": (CourtCase.objects.filter(issued_on__range=period), "case__"),
        "orders": (
            CourtCase.objects.filter(order_date__range=period, outcome__in=ORDER_OUTCOMES),
            "case__",
        ),
        "warrants": (Warrant.objects.filter(applied_on__range=period), "court_case__case__"),
        "evictions": (
            Eviction.objects.filter(attended_on__range=period, went_ahead=True),
            "case__",
        ),
    }


def rent_collected(*, today: date, scope: Scope = COUNCIL, by: By = None) -> Breakdown[Ratio]:
    """Rent collected as a percentage of rent due, financial year to date, excluding
    arrears brought forward: money received on rent accounts (tenant payments, Housing
    Benefit, Universal Credit paid to us, DWP deductions, DHP) less reversals, over the
    rent charged in the year less reversals. Money towards last year's arrears counts
    as collected, so the figure can pass 100%.

    Read from the latest snapshot and the lines posted since it where it can be
    (`_rent_collected_on_from_snapshot`): the same figure without summing the year's
    ledger (about 15 million lines at 200,000 accounts) on every request."""
    counted = _rent_collected_on_from_snapshot(today=today, scope=scope, by=by)
    if counted is not None:
        return counted
    return _rent_collected_in(rent_lines_this_year(today), scope=scope, by=by)


def _rent_collected_in(lines: QuerySet[Transaction], *, scope: Scope, by: By) -> Breakdown[Ratio]:
    rows = _aggregate(
        lines,
        to_case="account__case__",
        scope=scope,
        by=by,
        collected=Sum("amount", filter=COLLECTED),
        due=Sum("amount", filter=DUE),
    )
    return {key: Ratio(-_money(row["collected"]), _money(row["due"])) for key, row in rows.items()}


def _rent_collected_on_from_snapshot(
    *, today: date, scope: Scope, by: By
) -> Breakdown[Ratio] | None:
    """Council or patch, by patch or in total: each patch's latest snapshot (its year to
    date as at its day, every ledger line up to its high-water mark) plus the rent lines
    of this year posted after that mark, by primary key. Exact when no line was dated
    after the snapshot's day when it was written (`ledger_last_date`): then every line
    dated since has a higher id. Otherwise, or for an officer's cases (snapshots are per
    patch), or with a patch missing its row, None: count the year's ledger instead.
    A case is counted in its patch as the snapshot found it, as the trend counts it."""
    if scope.officer_id is not None or by == "officer":
        return None
    day = (
        PatchSnapshot.objects.filter(day__lte=today)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if day is None:
        return None
    rows = PatchSnapshot.objects.filter(day=day)
    patches = Patch.objects.all()
    if scope.patch_id is not None:
        rows, patches = rows.filter(patch_id=scope.patch_id), patches.filter(pk=scope.patch_id)
    rows = list(
        rows.values("patch_id", "collected_ytd", "due_ytd", "ledger_line_id", "ledger_last_date")
    )
    marks = {row["ledger_line_id"] for row in rows}
    if (
        not rows
        or len(marks) != 1
        or any(row["ledger_last_date"] > day for row in rows)
        or len(rows) != patches.count()
    ):
        return None
    # A snapshot of last financial year counts nothing of this one; every line dated in
    # this one was posted after it (nothing was dated ahead).
    same_year = financial_year_start(day) == financial_year_start(today)
    since = _rent_collected_in(
        rent_lines_this_year(today).filter(id__gt=marks.pop()), scope=scope, by=by
    )
    base: dict[int | None, list[Decimal]] = {}
    for row in rows:
        key = row["patch_id"] if by == "patch" else None
        held = base.setdefault(key, [ZERO, ZERO])
        if same_year:
            held[0] += row["collected_ytd"]
            held[1] += row["due_ytd"]
    return {
        key: Ratio(
            _money(base.get(key, [ZERO, ZERO])[0] + since.get(key, NOTHING_COLLECTED).numerator),
            _money(base.get(key, [ZERO, ZERO])[1] + since.get(key, NOTHING_COLLECTED).denominator),
        )
        for key in set(base) | set(since)
    }


@dataclass(frozen=True)
class RentAccounts:
    """The rent roll and the arrears over it, from one read of the accounts."""

    roll: Decimal
    current: Ratio
    former: Ratio


def rent_accounts(*, today: date, scope: Scope = COUNCIL, by: By = None) -> Breakdown[RentAccounts]:
    """`annual_rent_roll`, `current_tenant_arrears` and `former_tenant_arrears` together,
    each a filtered sum of one pass over the accounts: the three read the same accounts
    of the same cases, and at 200,000 accounts each pass costs tens of milliseconds."""
    weeks = charge_weeks_in_year(today)
    owing = Q(balance__gt=0)
    rows = _aggregate(
        Account.objects.filter(
            Q(rent_lawfully_due=True) | Q(kind=AccountKind.FORMER_TENANCY_ARREARS)
        ),
        to_case="case__",
        scope=scope,
        by=by,
        weekly=Sum("weekly_charge", filter=rent_roll_account(today)),
        current=Sum("balance", filter=current_tenant_owed(today) & owing),
        former=Sum("balance", filter=former_owed(today) & owing),
    )
    out = {}
    for key, row in rows.items():
        roll = _money(row["weekly"]) * weeks
        out[key] = RentAccounts(
            roll, Ratio(_money(row["current"]), roll), Ratio(_money(row["former"]), roll)
        )
    return out


def annual_rent_roll(*, today: date, scope: Scope = COUNCIL, by: By = None) -> Breakdown[Decimal]:
    """The rent due in a year from current tenancies: each open rent account's weekly
    charge (rent lawfully due only) times the rent year's charge weeks."""
    return {key: row.roll for key, row in rent_accounts(today=today, scope=scope, by=by).items()}


def current_tenant_arrears(
    *, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[Ratio]:
    """Current tenant arrears as a percentage of the annual rent roll: the sum of the
    rent accounts that owe (rent lawfully due only: garages, court costs, rechargeable
    repairs and service charge accounts apart) of tenancies not ended, over the rent
    roll. Accounts in credit are not netted off."""
    return {key: row.current for key, row in rent_accounts(today=today, scope=scope, by=by).items()}


def former_tenant_arrears(
    *, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[Ratio]:
    """Former tenant arrears as a percentage of the annual rent roll: what is owed on
    former tenancy arrears accounts and on rent accounts of tenancies that have ended,
    over the current tenants' rent roll."""
    return {key: row.former for key, row in rent_accounts(today=today, scope=scope, by=by).items()}


def write_offs_in_year(
    *, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[WriteOffs]:
    """Debt written off in the financial year to date, on any account, less write-offs
    reversed: how many and how much."""
    rows = _aggregate(
        write_off_lines_this_year(today),
        to_case="account__case__",
        scope=scope,
        by=by,
        posted=Count("id", filter=Q(kind=TransactionKind.WRITE_OFF)),
        reversed=Count("id", filter=Q(kind=TransactionKind.REVERSAL)),
        amount=Sum("amount"),
    )
    return {
        key: WriteOffs(row["posted"] - row["reversed"], -_money(row["amount"]))
        for key, row in rows.items()
    }


def _current_cases(today: date) -> QuerySet[Case]:
    return Case.objects.filter(_current_tenancy("tenancy__", today), status=Case.Status.OPEN)


def _owed() -> Case_:
    """A case's rent arrears, or nothing if it is in credit."""
    return Case_(
        When(rent_arrears__gt=0, then=F("rent_arrears")),
        default=ZERO,
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def tenancies_in_arrears_over(
    *, weeks: int, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[Ratio]:
    """The number of current tenancies more than `weeks` weeks in arrears (rent arrears
    over the current weekly charge, as the nightly run works it out), out of all current
    tenancies with an open case."""
    return tenancies_in_arrears_over_each(weeks=(weeks,), today=today, scope=scope, by=by)[weeks]


def tenancies_in_arrears_over_each(
    *, weeks: tuple[int, ...], today: date, scope: Scope = COUNCIL, by: By = None
) -> dict[int, Breakdown[Ratio]]:
    """`tenancies_in_arrears_over` for several thresholds in one query."""
    return current_case_figures(weeks=weeks, today=today, scope=scope, by=by)[0]


def current_case_figures(
    *, weeks: tuple[int, ...], today: date, scope: Scope = COUNCIL, by: By = None
) -> tuple[dict[int, Breakdown[Ratio]], Breakdown[TechnicalSplit]]:
    """`tenancies_in_arrears_over_each` and `technical_arrears_apart` from one pass over
    the current tenants' open cases, which both read."""
    rows = _aggregate(
        _current_cases(today),
        to_case="",
        scope=scope,
        by=by,
        tenancies=Count("tenancy_id", distinct=True),
        **{
            f"over_{n}": Count("tenancy_id", filter=Q(weeks_in_arrears__gt=n), distinct=True)
            for n in weeks
        },
        arrears=Sum(_owed()),
        technical=Sum("technical_arrears"),
        with_technical=Count("id", filter=Q(technical_arrears__gt=0)),
    )
    over = {
        n: {key: Ratio(row[f"over_{n}"], row["tenancies"]) for key, row in rows.items()}
        for n in weeks
    }
    technical = {
        key: TechnicalSplit(_money(row["arrears"]), _money(row["technical"]), row["with_technical"])
        for key, row in rows.items()
    }
    return over, technical


def legal_actions(
    *, start: date, end: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[LegalActions]:
    """For rent arrears, in the period (both days included): notices served (by the
    date served), possession claims issued, possession orders made (outright,
    suspended or postponed), warrants applied for, and evictions carried out."""
    parts = {
        name: _aggregate(records, to_case=to_case, scope=scope, by=by, n=Count("id"))
        for name, (records, to_case) in legal_action_records(start, end).items()
    }
    keys = {None} if by is None else set().union(*parts.values())
    return {
        key: LegalActions(**{name: rows.get(key, {}).get("n") or 0 for name, rows in parts.items()})
        for key in keys
    }


UC_MANAGED = Q(uc_paid=True) | Q(apa=True)


def universal_credit_cases(today: date) -> QuerySet[Case]:
    """Open cases of current tenancies known to be on Universal Credit (see
    `universal_credit`), with `uc_paid` and `apa` to tell a managed payment.

    Each test is a list of case ids worked out once (`id IN (SELECT ...)`, which
    PostgreSQL hashes), not a lookup per case: at 200,000 cases the per-case form cost
    more than a second a request. The UC credits come from the ledger's partial index of
    Universal Credit lines by date (`ledger_uc_by_date`)."""
    since = today - timedelta(days=UC_RECENT_DAYS)
    uc_paid = Q(
        pk__in=Transaction.objects.filter(
            kind=TransactionKind.UNIVERSAL_CREDIT,
            effective_date__gt=since,
            effective_date__lte=today,
            account__rent_lawfully_due=True,
        ).values("account__case_id")
    )
    apa = Q(
        pk__in=Referral.objects.filter(
            kind=Referral.Kind.MANAGED_PAYMENT, outcome=Referral.Outcome.APPROVED
        ).values("case_id")
    )
    claim = Q(
        pk__in=Hold.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today),
            kind=Hold.Kind.BENEFIT_CLAIM,
            reason=Hold.BenefitType.UNIVERSAL_CREDIT,
            starts_on__lte=today,
        ).values("case_id")
    )
    flag = BooleanField()
    cases = _current_cases(today).alias(
        uc_paid=ExpressionWrapper(uc_paid, output_field=flag),
        apa=ExpressionWrapper(apa, output_field=flag),
    )
    return cases.filter(uc_paid | apa | claim)


def universal_credit(
    *, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[UniversalCredit]:
    """Current tenancies known to be on Universal Credit, their average rent arrears
    (a tenancy in credit counts as owing nothing), and how many have a managed payment.

    Known to be on UC: UC credits reached the rent account in the last 92 days (a
    managed payment: DWP pays the housing element to us), a DWP managed payment
    approved, or a UC claim recorded and in force as a benefit claim hold. Tenants who
    receive UC themselves and pay their own rent are not yet known to the service."""
    rows = _aggregate(
        universal_credit_cases(today),
        to_case="",
        scope=scope,
        by=by,
        tenancies=Count("tenancy_id", distinct=True),
        arrears=Sum(_owed()),
        managed=Count("tenancy_id", filter=UC_MANAGED, distinct=True),
    )
    return {
        key: UniversalCredit(row["tenancies"], _money(row["arrears"]), row["managed"])
        for key, row in rows.items()
    }


def technical_arrears_apart(
    *, today: date, scope: Scope = COUNCIL, by: By = None
) -> Breakdown[TechnicalSplit]:
    """Current tenants' rent arrears (open cases, in credit counted as nothing) with the
    technical arrears the nightly run found in them shown apart: the rest is real debt."""
    return current_case_figures(weeks=(), today=today, scope=scope, by=by)[1]
