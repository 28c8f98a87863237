"""Writing small HMS file sets for the tests: a base council, and edits to it."""

from __future__ import annotations

import copy
import csv
from datetime import date
from pathlib import Path

from integrations.hms.layouts import LAYOUTS

TODAY = date(2026, 11, 10)  # a Tuesday

COLUMNS = {layout.name: layout.column_names for layout in LAYOUTS}


def _row(name: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS[name], "")
    row.update(values)
    return row


def prop(pid: str, **values: str) -> dict[str, str]:
    base = {
        "property_id": pid,
        "patch_code": "N01",
        "patch_name": "North",
        "kind": "flat",
        "address_line_1": f"{pid[-1]} Acorn Close",
        "town": "Eastbrook",
        "postcode": "EB1 2AB",
        "bedrooms": "2",
    }
    return _row("properties.csv", **{**base, **values})


def tenancy(tid: str, pid: str, **values: str) -> dict[str, str]:
    base = {
        "tenancy_id": tid,
        "property_id": pid,
        "tenure": "secure",
        "rent_period": "weekly",
        "period_start_weekday": "1",
        "start_date": "2020-04-06",
        "landlord_registered_provider": "N",
    }
    return _row("tenancies.csv", **{**base, **values})


def tenant(pid: str, tid: str, first: str, last: str, **values: str) -> dict[str, str]:
    base = {
        "tenant_id": pid,
        "tenancy_id": tid,
        "is_lead": "Y",
        "is_tenant": "Y",
        "first_name": first,
        "last_name": last,
        "mobile": "07700 900001",
        "preferred_contact": "sms",
    }
    return _row("tenants.csv", **{**base, **values})


def account(aid: str, tid: str, ref: str, **values: str) -> dict[str, str]:
    base = {
        "account_id": aid,
        "tenancy_id": tid,
        "payment_reference": ref,
        "kind": "rent",
        "opened_on": "2020-04-06",
    }
    return _row("accounts.csv", **{**base, **values})


def charge(aid: str, effective_from: str, weekly: str) -> dict[str, str]:
    return _row(
        "rent_charges.csv", account_id=aid, effective_from=effective_from, weekly_charge=weekly
    )


def line(xid: str, aid: str, day: str, kind: str, amount: str, **values: str) -> dict[str, str]:
    return _row(
        "transactions.csv",
        transaction_id=xid,
        account_id=aid,
        date=day,
        kind=kind,
        amount=amount,
        **values,
    )


def base_council() -> dict[str, list[dict[str, str]]]:
    """Two households: the Lees (secure, owing) and Mr Khan (introductory, paid up)."""
    return {
        "properties.csv": [prop("PR1"), prop("PR2", kind="house", bedrooms="3")],
        "tenancies.csv": [
            tenancy("TN1", "PR1"),
            tenancy(
                "TN2",
                "PR2",
                tenure="introductory",
                start_date="2026-06-01",
                trial_period_end="2027-06-01",
            ),
        ],
        "tenants.csv": [
            tenant("P1", "TN1", "Ann", "Lee", email="ann@example.com"),
            tenant("P2", "TN1", "Carl", "Lee", is_lead="N", mobile="07700 900002"),
            tenant("P3", "TN2", "Bob", "Khan", preferred_contact="phone", phone="01632 960001"),
        ],
        "accounts.csv": [
            account("A1", "TN1", "10000001"),
            account("A2", "TN2", "10000002", opened_on="2026-06-01"),
        ],
        "rent_charges.csv": [
            charge("A1", "2025-04-07", "100.00"),
            charge("A1", "2026-04-06", "105.00"),
            charge("A1", "2027-04-05", "110.00"),  # not yet in force
            charge("A2", "2026-04-06", "110.00"),
        ],
        "transactions.csv": [
            line("X1", "A1", "2026-10-26", "charge", "105.00", description="Rent"),
            line("X2", "A1", "2026-11-02", "charge", "105.00", description="Rent"),
            line("X3", "A1", "2026-11-04", "payment", "-50.00", method="cash"),
            line("X4", "A2", "2026-11-02", "charge", "110.00", description="Rent"),
            line("X5", "A2", "2026-11-05", "housing_benefit", "-110.00", method="benefit"),
        ],
    }


def edited(files: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    return copy.deepcopy(files)


def find(rows: list[dict[str, str]], key: str, value: str) -> dict[str, str]:
    return next(r for r in rows if r[key] == value)


def write_set(directory: Path, files: dict[str, list[dict[str, str]]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        with (directory / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(files.get(name, []))
    return directory
