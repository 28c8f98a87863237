"""The HMS export's file layouts, as data: each file's columns, how each is read, and the
rules a row must keep. Pure: nothing here touches the database.

The layouts are documented in integrations/README.md; a column added here belongs there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from cases.models import Property, RentPeriod, TemporaryAccommodationDuty, Tenant, Tenure
from payments.models import AccountKind, PaymentMethod, TransactionKind

# HMS ids and references: letters, digits and . _ : / -, so they travel through CSV and
# COPY unescaped and read the same in every report.
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
MONEY = re.compile(r"^-?\d{1,9}\.\d{2}$")
# Deliberately loose: the HMS holds what tenants gave it; this catches a phone number
# typed into the email column, not every address RFC 5322 would refuse.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
YES, NO = "Y", "N"


class Bad(ValueError):
    """A value that cannot be read; the message is the reason shown to the council."""


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[str], Any]
    required: bool = False

    def value(self, raw: str) -> Any:
        raw = raw.strip()
        if not raw:
            if self.required:
                raise Bad("must not be blank")
            return None
        return self.read(raw)


def text(max_length: int) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if len(raw) > max_length:
            raise Bad(f"must be {max_length} characters or fewer (it has {len(raw)})")
        return raw

    return read


def ident(max_length: int) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if len(raw) > max_length:
            raise Bad(f"must be {max_length} characters or fewer (it has {len(raw)})")
        if not ID.match(raw):
            raise Bad("may hold only letters, digits and . _ : / -")
        return raw

    return read


def choice(values: list[str] | tuple[str, ...]) -> Callable[[str], str]:
    allowed = frozenset(values)
    listed = ", ".join(values)

    def read(raw: str) -> str:
        if raw not in allowed:
            raise Bad(f"{raw!r} is not one of {listed}")
        return raw

    return read


_DATES: dict[str, date] = {}


def iso_date(raw: str) -> date:
    found = _DATES.get(raw)
    if found is not None:
        return found
    if len(raw) != 10:
        raise Bad(f"{raw!r} is not a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Bad(f"{raw!r} is not a date as YYYY-MM-DD") from None
    _DATES[raw] = day
    return day


def yes_no(raw: str) -> bool:
    if raw == YES:
        return True
    if raw == NO:
        return False
    raise Bad(f"{raw!r} is not Y or N")


def whole(low: int, high: int) -> Callable[[str], int]:
    def read(raw: str) -> int:
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise Bad(f"{raw!r} is not a whole number from {low} to {high}")
        return int(raw)

    return read


def money(raw: str) -> Decimal:
    if not MONEY.match(raw):
        raise Bad(f"{raw!r} is not an amount in pounds and pence, like 95.50 or -12.00")
    return Decimal(raw)


def email(raw: str) -> str:
    if len(raw) > 254 or not EMAIL.match(raw):
        raise Bad(f"{raw!r} is not an email address")
    return raw


# ISO 8601 weekdays (Monday 1 to Sunday 7), as HMS exports write them; the service
# counts Monday as 0.
ISO_WEEKDAY = whole(1, 7)

# The service's own limit on a single ledger line (payments.services.MAX_SINGLE_POSTING).
MAX_LINE = Decimal("100000.00")

# Ledger lines from the HMS keep their kind, and take the source the service gives the
# same kind of line of its own, so statements read alike; `hms:<id>` is their reference.
SOURCE_BY_KIND = {
    TransactionKind.CHARGE: "rent_run",
    TransactionKind.PAYMENT: "payment_file",
    TransactionKind.HOUSING_BENEFIT: "benefit_schedule",
    TransactionKind.DHP: "benefit_schedule",
    TransactionKind.UNIVERSAL_CREDIT: "dwp",
    TransactionKind.DWP_DEDUCTION: "dwp",
    TransactionKind.ADJUSTMENT: "officer",
    TransactionKind.WRITE_OFF: "officer",
    TransactionKind.REVERSAL: "officer",
}
HMS_SOURCES = tuple(sorted(set(SOURCE_BY_KIND.values())))
REFERENCE_PREFIX = "hms:"


@dataclass(frozen=True)
class Layout:
    """One file of the set: its name, its key column and its columns."""

    name: str
    key: str
    columns: tuple[Column, ...]
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] = field(default=lambda row: [])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _tenancy_rules(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The tenancy's own constraints, as cases.Tenancy's check constraints put them."""
    problems = []
    if row["tenure"] == Tenure.INTRODUCTORY and row["trial_period_end"] is None:
        problems.append(("trial_period_end", "an introductory tenancy needs its trial period end"))
    period = row["rent_period"]
    if period == RentPeriod.WEEKLY and row["period_start_weekday"] is None:
        problems.append(("period_start_weekday", "a weekly tenancy needs the weekday it starts"))
    if period in (RentPeriod.FORTNIGHTLY, RentPeriod.FOUR_WEEKLY) and row["period_anchor"] is None:
        problems.append(("period_anchor", f"a {period} tenancy needs a date a period starts"))
    if period == RentPeriod.MONTHLY and row["period_start_day"] is None:
        problems.append(("period_start_day", "a monthly tenancy needs its day of the month"))
    if row["end_date"] is not None and row["end_date"] < row["start_date"]:
        problems.append(("end_date", "the tenancy cannot end before it starts"))
    return problems


def _tenant_rules(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["preferred_contact"] == Tenant.PreferredContact.EMAIL and not row["email"]:
        return [("email", "email is the preferred contact but there is no email address")]
    return []


def _account_rules(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["closed_on"] is not None and row["closed_on"] < row["opened_on"]:
        return [("closed_on", "the account cannot close before it opens")]
    return []


PROPERTIES = Layout(
    "properties.csv",
    "property_id",
    (
        Column("property_id", ident(20), True),
        Column("patch_code", text(10), True),
        Column("patch_name", text(100)),
        Column("kind", choice(Property.Kind.values), True),
        Column("address_line_1", text(100), True),
        Column("address_line_2", text(100)),
        Column("town", text(60), True),
        Column("postcode", text(10), True),
        Column("bedrooms", whole(0, 20)),
    ),
)

TENANCIES = Layout(
    "tenancies.csv",
    "tenancy_id",
    (
        Column("tenancy_id", ident(20), True),
        Column("property_id", ident(20), True),
        Column("tenure", choice(Tenure.values), True),
        Column("rent_period", choice(RentPeriod.values), True),
        Column("period_start_weekday", ISO_WEEKDAY),
        Column("period_anchor", iso_date),
        Column("period_start_day", whole(1, 28)),
        Column("start_date", iso_date, True),
        Column("end_date", iso_date),
        Column("trial_period_end", iso_date),
        Column("fixed_term_end", iso_date),
        Column("landlord_name", text(120)),
        Column("landlord_registered_provider", yes_no),
        Column("ta_duty", choice(TemporaryAccommodationDuty.values)),
    ),
    _tenancy_rules,
)

# The contact details an officer relies on; a change to one is written to the timeline.
CONTACT_FIELDS = ("phone", "mobile", "email", "preferred_contact")

TENANTS = Layout(
    "tenants.csv",
    "tenant_id",
    (
        Column("tenant_id", ident(64), True),
        Column("tenancy_id", ident(20), True),
        Column("is_lead", yes_no, True),
        Column("is_tenant", yes_no, True),
        Column("title", text(20)),
        Column("first_name", text(60), True),
        Column("last_name", text(60), True),
        Column("date_of_birth", iso_date),
        Column("phone", text(30)),
        Column("mobile", text(30)),
        Column("email", email),
        Column("preferred_contact", choice(Tenant.PreferredContact.values)),
        Column("language", text(40)),
        Column("needs_interpreter", yes_no),
        Column("preferred_format", choice(Tenant.Format.values)),
        Column("communication_needs", text(200)),
        Column("moved_out_on", iso_date),
    ),
    _tenant_rules,
)

ACCOUNTS = Layout(
    "accounts.csv",
    "account_id",
    (
        Column("account_id", ident(64), True),
        Column("tenancy_id", ident(20), True),
        Column("payment_reference", ident(20), True),
        Column("kind", choice(AccountKind.values), True),
        Column("opened_on", iso_date, True),
        Column("closed_on", iso_date),
    ),
    _account_rules,
)

RENT_CHARGES = Layout(
    "rent_charges.csv",
    "",
    (
        Column("account_id", ident(64), True),
        Column("effective_from", iso_date, True),
        Column("weekly_charge", money, True),
    ),
)

TRANSACTIONS = Layout(
    "transactions.csv",
    "transaction_id",
    (
        Column("transaction_id", ident(60), True),
        Column("account_id", ident(64), True),
        Column("date", iso_date, True),
        Column("kind", choice(TransactionKind.values), True),
        Column("amount", money, True),
        Column("method", choice(PaymentMethod.values)),
        Column("description", text(200)),
        Column("reverses", ident(60)),
    ),
)

LAYOUTS = (PROPERTIES, TENANCIES, TENANTS, ACCOUNTS, RENT_CHARGES, TRANSACTIONS)
FILE_NAMES = tuple(layout.name for layout in LAYOUTS)

# Money received is negative on the ledger (payments.models.Transaction); the HMS file
# uses the same sign, so a line's sign is checked against its kind.
CREDIT_ONLY = frozenset(
    {
        TransactionKind.PAYMENT,
        TransactionKind.HOUSING_BENEFIT,
        TransactionKind.UNIVERSAL_CREDIT,
        TransactionKind.DWP_DEDUCTION,
        TransactionKind.DHP,
        TransactionKind.WRITE_OFF,
    }
)


def transaction_sign_problem(kind: str, amount: str) -> str | None:
    """The ledger's sign convention: a charge is owed (positive), money received and a
    write-off reduce the debt (negative); an adjustment or reversal may be either."""
    negative = amount.startswith("-")
    if kind == TransactionKind.CHARGE and negative:
        return "a charge must be positive (what is owed)"
    if kind in CREDIT_ONLY and not negative:
        return f"a {kind.replace('_', ' ')} must be negative (money received reduces the debt)"
    return None
