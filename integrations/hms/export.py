"""The service's council written out as an HMS file set, in the layouts the load reads.

It lets `hms_import` be tried on a fresh machine (seed the demo, export it, load it into
an empty database) and proves the round trip: the same properties, tenancies, tenants
and accounts, and every ledger line, so every account has the same balance.

Records that came from the HMS keep their HMS ids; the service's own records are given
ids from their references (a tenant, which has none, is `TT<id>`; a ledger line not
from the HMS is `L<id>`). Each file is one query: on PostgreSQL, `COPY (SELECT ...) TO
STDOUT WITH CSV`, so tens of millions of ledger lines stream without Python per row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import connection

from integrations.hms import layouts

# Each file's SELECT, its columns in the layout's order.
QUERIES = {
    layouts.PROPERTIES.name: """
        SELECT COALESCE(l.hms_id, p.reference), pa.code, pa.name, p.kind, p.address_line_1,
               p.address_line_2, p.town, p.postcode, p.bedrooms
        FROM cases_property p JOIN cases_patch pa ON pa.id = p.patch_id
        LEFT JOIN integrations_hmsproperty l ON l.property_id = p.id
        ORDER BY p.id
    """,
    layouts.TENANCIES.name: """
        SELECT COALESCE(l.hms_id, t.reference), COALESCE(pl.hms_id, p.reference), t.tenure,
               t.rent_period, t.period_start_weekday + 1, t.period_anchor, t.period_start_day,
               t.start_date, t.end_date, t.trial_period_end, t.fixed_term_end, t.landlord_name,
               CASE WHEN t.landlord_registered_provider THEN 'Y' ELSE 'N' END, t.ta_duty
        FROM cases_tenancy t JOIN cases_property p ON p.id = t.property_id
        LEFT JOIN integrations_hmstenancy l ON l.tenancy_id = t.id
        LEFT JOIN integrations_hmsproperty pl ON pl.property_id = p.id
        ORDER BY t.id
    """,
    layouts.TENANTS.name: """
        SELECT COALESCE(l.hms_id, 'TT' || p.id), COALESCE(tl.hms_id, t.reference),
               CASE WHEN p.is_lead THEN 'Y' ELSE 'N' END,
               CASE WHEN p.is_tenant THEN 'Y' ELSE 'N' END,
               p.title, p.first_name, p.last_name, p.date_of_birth, p.phone, p.mobile, p.email,
               p.preferred_contact, p.language,
               CASE WHEN p.needs_interpreter THEN 'Y' ELSE 'N' END,
               p.preferred_format, p.communication_needs, p.moved_out_on
        FROM cases_tenant p JOIN cases_tenancy t ON t.id = p.tenancy_id
        LEFT JOIN integrations_hmstenant l ON l.tenant_id = p.id
        LEFT JOIN integrations_hmstenancy tl ON tl.tenancy_id = t.id
        ORDER BY p.id
    """,
    layouts.ACCOUNTS.name: """
        SELECT COALESCE(l.hms_id, a.reference), COALESCE(tl.hms_id, t.reference), a.reference,
               a.kind, a.opened_on,
               CASE WHEN a.status = 'closed' THEN COALESCE(a.closed_on, a.opened_on) END
        FROM payments_account a JOIN cases_tenancy t ON t.id = a.tenancy_id
        LEFT JOIN integrations_hmsaccount l ON l.account_id = a.id
        LEFT JOIN integrations_hmstenancy tl ON tl.tenancy_id = t.id
        ORDER BY a.id
    """,
    # The service keeps only the charge in force, so each account has one row, from
    # the day it opened (or today, if it opens later).
    layouts.RENT_CHARGES.name: """
        SELECT COALESCE(l.hms_id, a.reference),
               CASE WHEN a.opened_on > %(today)s THEN %(today)s ELSE a.opened_on END,
               a.weekly_charge
        FROM payments_account a LEFT JOIN integrations_hmsaccount l ON l.account_id = a.id
        ORDER BY a.id
    """,
    layouts.TRANSACTIONS.name: """
        SELECT CASE WHEN x.source_reference LIKE 'hms:%%' THEN SUBSTR(x.source_reference, 5)
                    ELSE 'L' || x.id END,
               COALESCE(l.hms_id, a.reference), x.effective_date, x.kind, x.amount, x.method,
               x.description,
               CASE WHEN r.id IS NULL THEN NULL
                    WHEN r.source_reference LIKE 'hms:%%' THEN SUBSTR(r.source_reference, 5)
                    ELSE 'L' || r.id END
        FROM payments_transaction x JOIN payments_account a ON a.id = x.account_id
        LEFT JOIN integrations_hmsaccount l ON l.account_id = a.id
        LEFT JOIN payments_transaction r ON r.id = x.reverses_id
        ORDER BY x.id
    """,
}


# Columns holding money, by file: SQLite hands them back as numbers (105.0, or 105),
# which the layout reads only with two places.
MONEY_COLUMNS = {layouts.RENT_CHARGES.name: {2}, layouts.TRANSACTIONS.name: {4}}


@dataclass
class Exported:
    rows: dict[str, int] = field(default_factory=dict)


def hms_file_set_export(*, directory: Path, today: date) -> Exported:
    """Write the six files into `directory` (made if need be); returns the rows written."""
    directory.mkdir(parents=True, exist_ok=True)
    exported = Exported()
    for layout in layouts.LAYOUTS:
        path = directory / layout.name
        query = QUERIES[layout.name]
        if connection.vendor == "postgresql":
            exported.rows[layout.name] = _copy_out(path, layout, query, today)
        else:
            exported.rows[layout.name] = _write_rows(path, layout, query, today)
    return exported


def _copy_out(path: Path, layout: layouts.Layout, query: str, today: date) -> int:
    header = ",".join(layout.column_names) + "\n"
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        sql = cursor.mogrify(query, {"today": today})
        rows = 0
        with path.open("wb") as handle:
            handle.write(header.encode())
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    handle.write(block)
                    rows += bytes(block).count(b"\n")
    return rows


def _write_rows(path: Path, layout: layouts.Layout, query: str, today: date) -> int:
    rows = 0
    with connection.cursor() as cursor, path.open("w", newline="", encoding="utf-8") as handle:
        cursor.execute(query, {"today": today.isoformat()})
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(layout.column_names)
        money = MONEY_COLUMNS.get(layout.name, set())
        while batch := cursor.fetchmany(10_000):
            writer.writerows(
                [
                    "" if v is None else f"{Decimal(str(v)):.2f}" if i in money else str(v)
                    for i, v in enumerate(row)
                ]
                for row in batch
            )
            rows += len(batch)
    return rows
