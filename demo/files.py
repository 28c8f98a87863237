"""The next morning's money files for the demo council: one per shipped format and an
ARUDD report, so a newcomer can try every import against the seeded accounts.

Each file has lines that find an account in each way a layout allows (payment
reference, rent account reference, a tenant reference), a few that match nothing and go
to suspense, and the ARUDD report returns one direct debit collected last week. A
managed-payment request is left pending on a case the Universal Credit schedule pays, so
importing it shows the benefit-pending hold clear. Everything is dated on or before
`today`, so the files import that day or any day after.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cases.models import Referral, Tenant
from cases.services.support import referral_make
from core.dates import is_working_day
from payments import bacs
from payments.direct_debits import (
    collection_file_make,
    earliest_collection_date,
    mandate_reference_for,
    processing_date_for,
)
from payments.models import (
    Account,
    ArrangementFrequency,
    DirectDebitCollection,
    DirectDebitMandate,
    MandateStatus,
    TenantReference,
)

# References that belong to no account: these lines go to suspense.
UNKNOWN = ("9900000001", "9900000002", "9900000003")


@dataclass(frozen=True)
class DemoFile:
    path: Path
    command: str  # how to import it
    about: str


def _working_day_before(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _rent_accounts(count: int) -> list[Account]:
    """Open rent accounts with a current lead tenant, the same ones for the same seed."""
    return list(
        Account.objects.filter(
            status=Account.Status.OPEN,
            rent_lawfully_due=True,
            tenancy__end_date__isnull=True,
            tenancy__tenants__is_lead=True,
            tenancy__tenants__moved_out_on__isnull=True,
        )
        .exclude(case__referrals__outcome=Referral.Outcome.PENDING)
        .select_related("tenancy", "case__patch")
        .order_by("reference")
        .distinct()[:count]
    )


def _lead(account: Account) -> Tenant:
    return account.tenancy.tenants.get(is_lead=True)


def _cash_file(accounts: list[Account], day: date) -> str:
    """The fixed-width cash file (hackney_cash): account 1-10, source 11-30, method
    31-33, amount 34-43, date 44-53, then the TRL trailer with count and total."""
    rows = [
        (accounts[0].reference, "PAYPOINT 000123", "PPT", Decimal("25.00")),
        (accounts[1].reference, "POST OFFICE 4471", "CSH", Decimal("40.50")),
        (accounts[2].tenancy.reference, "BANK GIRO 0087", "BGC", Decimal("110.00")),
        (accounts[3].reference, "STANDING ORDER", "SO", Decimal("96.15")),
        (UNKNOWN[0], "PAYPOINT 000124", "PPT", Decimal("12.34")),
    ]
    lines = [
        f"{ref:<10}{source:<20}{method:<3}{_money(amount):>10}{day:%d/%m/%Y}"
        for ref, source, method, amount in rows
    ]
    total = sum((row[3] for row in rows), Decimal("0.00"))
    lines.append(f"TRL{len(rows):08d}{_money(total):>14}")
    return "\r\n".join(lines) + "\r\n"


def _channel_file(accounts: list[Account], day: date) -> str:
    rows = [
        (accounts[4].reference, "15.00", "ONLINE", "WEB-58121"),
        (accounts[5].tenancy.reference, "20.00", "CARD", "CARD-99812"),
        (accounts[6].reference, "7.50", "PHONE", "TEL-22031"),
        (UNKNOWN[1], "30.00", "ONLINE", "WEB-58122"),
    ]
    lines = ["Receipt date,Account reference,Amount,Method,Reference"]
    lines += [
        f"{day:%d/%m/%Y},{ref},{amount},{method},{paid}" for ref, amount, method, paid in rows
    ]
    return "\n".join(lines) + "\n"


def _housing_benefit_file(accounts: list[Account], day: date) -> str:
    week_to = day - timedelta(days=(day.weekday() + 1) % 7 or 7)  # last Sunday
    week_from = week_to - timedelta(days=6)
    rows = [
        (accounts[7].reference, Decimal("85.40"), Decimal("0.00")),
        (accounts[8].reference, Decimal("102.10"), Decimal("-11.35")),
        (accounts[9].tenancy.reference, Decimal("64.00"), Decimal("0.00")),
    ]
    lines = ["Account,Period from,Period to,Amount,Adjustments"]
    lines += [
        f"{ref},{week_from:%d/%m/%Y},{week_to:%d/%m/%Y},{_money(amount)},"
        + (_money(adjustment) if adjustment else "")
        for ref, amount, adjustment in rows
    ]
    total = sum((amount + adjustment for _, amount, adjustment in rows), Decimal("0.00"))
    lines.append(f"TOTAL,,,{_money(total)},")
    return "\n".join(lines) + "\n"


def _universal_credit_file(accounts: list[Account], claimant_reference: str, day: date) -> str:
    period_to = day.replace(day=1) - timedelta(days=1)  # last month
    period = f"{period_to.replace(day=1):%d/%m/%Y}-{period_to:%d/%m/%Y}"
    rows = [
        ("UC-SET-0001", _lead(accounts[10]).full_name, accounts[10].reference, 45012),
        # The account is mistyped; DWP's claimant reference (a tenant reference) finds it.
        ("UC-SET-0002", claimant_reference, "1O00000000", 38800),
        ("UC-SET-0003", "A Claimant", UNKNOWN[2], 30050),
    ]
    lines = ["Settlement reference,Claimant,Account,Amount,Period"]
    lines += [f"{s},{c},{a},{pence},{period}" for s, c, a, pence in rows]
    return "\n".join(lines) + "\n"


def _returned_direct_debit(account: Account, today: date) -> str:
    """A weekly instruction collected on the last working day before `today`, and the
    ARUDD report returning that collection (reason 0, refer to payer)."""
    collected_on = _working_day_before(today)
    made_on = collected_on - timedelta(days=1)
    while earliest_collection_date(file_made_on=made_on) > collected_on:
        made_on -= timedelta(days=1)
    lead = _lead(account)
    mandate = DirectDebitMandate.objects.create(
        account=account,
        reference=mandate_reference_for(account_reference=account.reference, sequence=1),
        payer_name=bacs.bacs_text(f"{lead.first_name[:1]} {lead.last_name}", 18).strip(),
        sort_code="309634",
        account_number="12345678",
        amount=Decimal("95.00"),
        frequency=ArrangementFrequency.WEEKLY,
        collection_day=collected_on.weekday(),
        first_collection_on=collected_on,
        status=MandateStatus.ACTIVE,
        lodged_on=made_on - timedelta(days=14),
    )
    collection_file_make(collection_date=collected_on, today=made_on)
    collection = DirectDebitCollection.objects.get(mandate=mandate)
    processed = processing_date_for(collected_on)
    return (
        "Reference,Payer name,Amount,Original processing date,Reason code\n"
        f"{mandate.reference},{mandate.payer_name},{_money(collection.amount)},"
        f"{processed:%d/%m/%Y},0\n"
    )


def demo_files_write(*, directory: Path, today: date) -> list[DemoFile]:
    """Write the morning's files into `directory` (made if need be) and set up what they
    find: a tenant reference, a pending managed-payment request, a collected direct debit."""
    accounts = _rent_accounts(13)
    if len(accounts) < 13:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    claimant = TenantReference.objects.get_or_create(
        reference=f"DWP-{accounts[11].reference}",
        defaults={"tenant": _lead(accounts[11]), "issued_by": "DWP (claimant reference)"},
    )[0]
    case = accounts[10].case
    referral_make(
        case=case,
        actor=case.patch.officer,
        kind=Referral.Kind.MANAGED_PAYMENT,
        referred_to="DWP landlord portal",
        notes="Two months' arrears; managed payment asked for (demo).",
        today=today - timedelta(days=21),
    )
    stamp = f"{today:%Y%m%d}"
    written = [
        (f"cash-{stamp}.txt", _cash_file(accounts, today), "hackney_cash", "cash file"),
        (f"channel-{stamp}.csv", _channel_file(accounts, today), "channel_csv", "channel CSV"),
        (
            f"housing-benefit-{stamp}.csv",
            _housing_benefit_file(accounts, today),
            "housing_benefit",
            "Housing Benefit schedule",
        ),
        (
            f"universal-credit-{stamp}.csv",
            _universal_credit_file(accounts, claimant.reference, today),
            "universal_credit",
            f"Universal Credit schedule; clears the managed-payment hold on {case.reference}",
        ),
    ]
    files = []
    for name, text, fmt, about in written:
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="")
        files.append(DemoFile(path, f"manage.py import_payments {path} --format {fmt}", about))
    arudd = directory / f"arudd-{stamp}.csv"
    arudd.write_text(_returned_direct_debit(accounts[12], today), encoding="utf-8")
    files.append(
        DemoFile(arudd, f"manage.py import_arudd {arudd}", "ARUDD: one direct debit returned")
    )
    return files
