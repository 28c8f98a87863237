#!/usr/bin/env python
"""How long the HMS load takes: a first load and a nightly delta, each against a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
        .venv/bin/python bench/hms_import.py --accounts 200000

In one run, on the configured database (it replaces everything in it, as bench/seed.py
does, so give it a database of its own):

1. seeds the demo council (`seed_council`, the same call as bench/seed.py; timed, as the
   issue's yardstick: a first load within 1.5 times the seed on the same data);
2. exports it as an HMS file set (`hms_export_demo`; timed, not compared);
3. empties the council and times the first load of that set (`hms_file_set_import`);
4. times the floor for it: a plain COPY of the same six files into text tables of the
   same columns, in one transaction, rolled back (PostgreSQL only: SQLite has no COPY);
5. writes a nightly delta of about `--changes` changes (new households, ended
   tenancies, changed contact details, new transactions), times its load, its floor,
   and loading it a second time (which must change nothing).

What it leaves out: the VACUUM a first load of this size wants before the nightly run
(the seed writes its ledger frozen with COPY FREEZE; the first load COPYs it straight
onto the empty ledger but not frozen, since the ledger is not emptied in its
transaction, so autovacuum or a VACUUM ANALYZE sets the pages all-visible afterwards);
reading the files from a network share (they are on local disk here); the nightly run
itself; and any other work on the machine, which on a shared host moves every figure.
"""

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def plain_copy(directory: Path) -> float:
    """The floor: COPY each file as it is into a table of text columns (no checking,
    no lookups, no ledger), inside a transaction that is rolled back."""
    from django.db import connection, transaction

    from integrations.hms.layouts import LAYOUTS

    if connection.vendor != "postgresql":
        return float("nan")
    started = time.monotonic()
    with transaction.atomic():
        raw = connection.connection
        with raw.cursor() as cursor:
            for layout in LAYOUTS:
                table = f"floor_{layout.name.removesuffix('.csv')}"
                columns = ", ".join(f"{c} text" for c in layout.column_names)
                cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP")
                with (
                    (directory / layout.name).open("rb") as handle,
                    cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                ):
                    while block := handle.read(1 << 20):
                        copy.write(block)
        transaction.set_rollback(True)
    return time.monotonic() - started


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_delta(source: Path, target: Path, *, changes: int, today: date) -> dict[str, int]:
    """A night's file set of only the rows that changed, from the full export: a tenth
    new households, a fifth ended tenancies, two fifths changed contact details, and
    the rest new transactions (a charge or a payment on accounts already loaded)."""
    target.mkdir(parents=True, exist_ok=True)
    files = {
        name: _read(source / name)
        for name in (
            "properties.csv",
            "tenancies.csv",
            "tenants.csv",
            "accounts.csv",
            "rent_charges.csv",
            "transactions.csv",
        )
    }
    out: dict[str, list[dict[str, str]]] = {name: [] for name in files}
    new_homes = changes // 10
    ended = changes // 5
    contacts = changes * 2 // 5
    lines = changes - new_homes - ended - contacts
    tenancies = [t for t in files["tenancies.csv"][1] if not t["end_date"]]
    for number, row in enumerate(tenancies[:ended]):
        out["tenancies.csv"].append(
            {**row, "end_date": (today - timedelta(days=1 + number % 5)).isoformat()}
        )
    for number, row in enumerate(files["tenants.csv"][1][:contacts]):
        out["tenants.csv"].append({**row, "mobile": f"07700 9{number:05d}"})
    props = files["properties.csv"][1]
    for number in range(new_homes):
        template = props[number % len(props)]
        pid, tid, aid = f"NP{number:06d}", f"NT{number:06d}", f"NA{number:06d}"
        out["properties.csv"].append({**template, "property_id": pid})
        out["tenancies.csv"].append(
            {
                **dict.fromkeys(files["tenancies.csv"][0], ""),
                "tenancy_id": tid,
                "property_id": pid,
                "tenure": "secure",
                "rent_period": "weekly",
                "period_start_weekday": "1",
                "start_date": today.isoformat(),
                "landlord_registered_provider": "N",
            }
        )
        out["tenants.csv"].append(
            {
                **dict.fromkeys(files["tenants.csv"][0], ""),
                "tenant_id": f"NP{number:06d}",
                "tenancy_id": tid,
                "is_lead": "Y",
                "is_tenant": "Y",
                "first_name": "New",
                "last_name": f"Tenant{number}",
                "mobile": "07700 900000",
                "preferred_contact": "sms",
            }
        )
        out["accounts.csv"].append(
            {
                "account_id": aid,
                "tenancy_id": tid,
                "payment_reference": f"N{number:07d}",
                "kind": "rent",
                "opened_on": today.isoformat(),
                "closed_on": "",
            }
        )
        out["rent_charges.csv"].append(
            {"account_id": aid, "effective_from": today.isoformat(), "weekly_charge": "100.00"}
        )
    open_accounts = [a for a in files["accounts.csv"][1] if not a["closed_on"]]
    for number in range(lines):
        acct = open_accounts[number % len(open_accounts)]["account_id"]
        charge = number % 2 == 0
        out["transactions.csv"].append(
            {
                "transaction_id": f"N{today:%Y%m%d}-{number}",
                "account_id": acct,
                "date": today.isoformat(),
                "kind": "charge" if charge else "payment",
                "amount": "100.00" if charge else "-25.00",
                "method": "" if charge else "cash",
                "description": "Rent" if charge else "Payment",
                "reverses": "",
            }
        )
    counts = {}
    for name, (columns, _) in files.items():
        with (target / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(out[name])
        counts[name] = len(out[name])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--changes", type=int, default=5_000)
    parser.add_argument("--keep", type=Path, help="Keep the file sets in this folder.")
    args = parser.parse_args()

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.seed import reset_data, seed_council
    from integrations.hms.export import hms_file_set_export
    from integrations.hms.sync import hms_file_set_import
    from payments.models import Transaction

    call_command("migrate", verbosity=0)
    today = date.today()
    work = args.keep or Path(tempfile.mkdtemp(prefix="hms-bench-"))
    full, delta = work / "full", work / "delta"

    def say(text: str) -> None:
        print(text, flush=True)

    say(f"database              {connection.vendor} ({connection.settings_dict['NAME']})")
    started = time.monotonic()
    seeded = seed_council(accounts=args.accounts, years=args.years, today=today, reset=True)
    seed_seconds = time.monotonic() - started
    say(f"accounts              {seeded.accounts:,}")
    say(f"seed                  {seed_seconds:8.1f} s  ({seeded.ledger_lines:,} ledger lines)")

    started = time.monotonic()
    exported = hms_file_set_export(directory=full, today=today)
    export_seconds = time.monotonic() - started
    size = sum(p.stat().st_size for p in full.iterdir())
    say(
        f"export                {export_seconds:8.1f} s  ({size / 1e6:,.0f} MB, "
        f"{exported.rows['transactions.csv']:,} transactions)"
    )

    reset_data()
    from integrations.models import HmsImport

    HmsImport.objects.all().delete()
    started = time.monotonic()
    first = hms_file_set_import(directory=full, today=today)
    first_seconds = time.monotonic() - started
    lines = Transaction.objects.count()
    say(
        f"first load            {first_seconds:8.1f} s  ({first.posted.lines:,} lines posted, "
        f"{lines:,} on the ledger)"
    )
    first_floor = plain_copy(full)
    say(f"  plain COPY floor    {first_floor:8.1f} s  (load is {first_seconds / first_floor:.1f}x)")
    say(f"  against the seed    {first_seconds / seed_seconds:8.2f}x  (issue: within 1.5x)")

    counts = write_delta(full, delta, changes=args.changes, today=today)
    started = time.monotonic()
    night = hms_file_set_import(directory=delta, today=today)
    delta_seconds = time.monotonic() - started
    changes = sum(counts.values())
    say(
        f"nightly delta         {delta_seconds:8.1f} s  ({changes:,} changed rows; "
        f"{sum(night.counts.values()):,} changes, {night.posted.lines:,} lines posted; "
        "issue: under 30 s)"
    )
    delta_floor = plain_copy(delta)
    say(f"  plain COPY floor    {delta_floor:8.2f} s")
    started = time.monotonic()
    again = hms_file_set_import(directory=delta, today=today)
    again_seconds = time.monotonic() - started
    say(
        f"  the same delta again {again_seconds:7.1f} s  "
        f"({'nothing changed' if not again.changed and not again.posted.lines else 'CHANGED'})"
    )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
