#!/usr/bin/env python
"""A morning's payment files through the real import path, against a COPY floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
        .venv/bin/python bench/imports.py --lines 1000000

Uses the accounts already in the database (seed one with bench/seed.py --accounts
200000 first; an empty database is refused). It writes, in memory, a morning's
fixed-width cash file (`hackney_cash`, the layout the service ships) of `--lines` lines
spread over the open rent accounts: most find their account by payment reference, some
by rent account (tenancy) reference, about 1 in 200 by nothing (to suspense), over the
last three working days, with its TRL trailer. Then it measures, on the same data in
this one process:

- the floor: the same lines COPY'd into a staging table of the same columns, with
  no checking, matching or posting (what any design must at least pay to get the
  lines into PostgreSQL);
- the ledger floor: the same lines, their accounts already known, put on the ledger
  by one bare INSERT ... SELECT in (account, date) order with the ledger's foreign keys
  checked (what any design must at least pay to append them to this ledger, with its
  indexes; rolled back to a savepoint before the real import runs);
- check: `payments.imports.parsing.parse_file`, every line read and checked;
- post: `payments.imports.services.payment_file_import`, the real path end to end
  (check, stage, match, post to the ledger, move the balances, suspense, totals);
- the time to refuse a file whose bad line is the last one (the whole file is checked
  before anything posts, so this is the time to the first and only error).

Afterwards it checks that the touched accounts' balances moved by exactly what reached
their ledgers, and that each matched line is on the ledger once.

The figures depend on the server's memory for the ledger's indexes: the ledger
floor is what this server can do, so compare the import with it rather than with a
figure from another machine (the header prints shared_buffers; PostgreSQL's default of
128 MB is far below what a council's database server would be given).

What it leaves out: the upload itself (the page reads the file into memory), the
Celery hop, the other formats (they share the same staging and posting), concurrent
imports and a cold cache. By default everything it posts is rolled back at the end, so
the database is unchanged and the bench can be run again (`--keep` commits instead, and
then each run adds its lines to the ledger for good, as it is append-only).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

TODAY = date(2026, 11, 25)  # a Wednesday; the lines are dated the three working days before
METHODS = ("CSH", "PPT", "DBC", "WEB", "TEL", "SO", "BGC", "CHQ")


def cash_file(accounts: list[tuple[str, str]], lines: int, *, seed: int, bad_last: bool) -> bytes:
    """The fixed-width cash file: account 1-10, source 11-30, method 31-33, amount
    34-43, date 44-53, and a TRL trailer with the line count and control total."""
    rng = random.Random(seed)
    days = [TODAY - timedelta(days=d) for d in (1, 2, 5)]
    day_text = [f"{d:%d/%m/%Y}" for d in days]
    out = io.StringIO()
    total_pence = 0
    for number in range(lines):
        reference, tenancy = accounts[rng.randrange(len(accounts))]
        pick = rng.random()
        if pick < 0.005:
            reference = f"99{rng.randrange(10**8):08d}"  # matches nothing: suspense
        elif pick < 0.05:
            reference = tenancy
        pence = rng.randrange(500, 50_000)
        total_pence += pence
        amount = f"{pence // 100}.{pence % 100:02d}"
        if bad_last and number == lines - 1:
            amount = "12.3O"
        out.write(
            f"{reference:<10}{f'RUN{seed}-{number}':<20}{rng.choice(METHODS):<3}"
            f"{amount:>10}{rng.choice(day_text)}\r\n"
        )
    total = f"{total_pence // 100}.{total_pence % 100:02d}"
    out.write(f"TRL{lines:08d}{total:>14}\r\n")
    return out.getvalue().encode()


def copy_floor(content: bytes) -> float:
    """COPY the same lines, cut into the same columns, into a staging table: no checks,
    no matching, no posting. Seconds taken."""
    from django.db import connection

    text = content.decode()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_import_floor (line_number integer, account text,"
            " payment_source text, method text, amount numeric(12, 2), paid_on date)"
            " ON COMMIT DROP"
        )
        buffer = io.StringIO()
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("TRL"):
                continue
            buffer.write(
                f"{number}\t{line[0:10].strip()}\t{line[10:30].strip()}\t{line[30:33].strip()}"
                f"\t{line[33:43].strip()}\t{line[49:53]}-{line[46:48]}-{line[43:45]}\n"
            )
        with cursor.copy(
            "COPY bench_import_floor (line_number, account, payment_source, method, amount,"
            " paid_on) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
    return time.monotonic() - started


def ledger_floor(content: bytes, account_ids: dict[str, int]) -> float:
    """Put the file's matched lines on the ledger by a bare INSERT ... SELECT from a
    staging table that already names each line's account, with the foreign keys checked:
    no checking, matching, balances or suspense. Seconds taken by the INSERT and the
    checks (not by the COPY into the staging table, the first floor)."""
    from django.db import connection

    buffer = io.StringIO()
    for number, line in enumerate(content.decode().splitlines(), start=1):
        account = account_ids.get(line[0:10].strip())
        if account is None:
            continue
        buffer.write(
            f"{account}\t{line[49:53]}-{line[46:48]}-{line[43:45]}\t{line[33:43].strip()}"
            f"\t{number}\n"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_ledger_floor (account_id bigint, paid_on date,"
            " amount numeric(12, 2), line_number integer) ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_ledger_floor FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE bench_ledger_floor")
        started = time.monotonic()
        cursor.execute(
            "INSERT INTO payments_transaction (account_id, kind, effective_date, posted_at,"
            " amount, method, source, source_reference, description)"
            " SELECT account_id, 'payment', paid_on, now(), -amount, 'cash', 'payment_file',"
            " 'bench-floor:' || line_number, 'Cash file, bench, line ' || line_number"
            " FROM bench_ledger_floor ORDER BY account_id, paid_on"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        took = time.monotonic() - started
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--keep", action="store_true", help="Commit what is posted.")
    args = parser.parse_args()

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, Max, Sum

    from payments.imports.formats import file_format
    from payments.imports.parsing import parse_file
    from payments.imports.services import FileRefused, payment_file_import
    from payments.models import Account, Transaction

    if connection.vendor != "postgresql":
        sys.exit("Benchmark PostgreSQL: set DATABASE_URL (SQLite is for trying the service).")
    call_command("migrate", verbosity=0)
    accounts = list(
        Account.objects.filter(status=Account.Status.OPEN, rent_lawfully_due=True)
        .order_by("id")
        .values_list("reference", "tenancy__reference")
    )
    if not accounts:
        sys.exit("No open rent accounts: seed the database first (bench/seed.py).")
    ledger_lines = Transaction.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    print(
        f"{len(accounts):,} open rent accounts, {ledger_lines:,} ledger lines; "
        f"a cash file of {args.lines:,} lines; PostgreSQL shared_buffers {shared_buffers}"
    )
    started = time.monotonic()
    content = cash_file(accounts, args.lines, seed=args.seed, bad_last=False)
    bad = cash_file(accounts, args.lines, seed=args.seed + 1, bad_last=True)
    print(
        f"  files written in memory in {time.monotonic() - started:.1f} s "
        f"({len(content) / 1e6:.0f} MB each)"
    )
    fmt = file_format("hackney_cash")

    class Rollback(Exception):
        pass

    results = {}
    try:
        with transaction.atomic():
            results["floor"] = copy_floor(content)
            account_ids = dict(
                Account.objects.filter(status=Account.Status.OPEN).values_list("reference", "id")
            )
            for tenancy, account_id in (
                Account.objects.filter(status=Account.Status.OPEN, rent_lawfully_due=True)
                .order_by("tenancy__reference", "id")
                .values_list("tenancy__reference", "id")
            ):
                account_ids[tenancy] = account_id  # the newest open rent account, as matching
            with transaction.atomic():
                results["ledger"] = ledger_floor(content, account_ids)
                transaction.set_rollback(True)

            started = time.monotonic()
            parsed = parse_file(content, fmt, today=TODAY)
            results["check"] = time.monotonic() - started
            assert not parsed.problems, parsed.problems[:3]

            started = time.monotonic()
            try:
                payment_file_import(
                    content=bad, filename="bad.txt", format_name="hackney_cash", today=TODAY
                )
            except FileRefused as refused:
                results["refuse"] = time.monotonic() - started
                first_error = str(refused.problems[0])
            else:
                sys.exit("The bad file was not refused.")

            before = Account.objects.aggregate(total=Sum("balance"))["total"]
            last_id = Transaction.objects.aggregate(last=Max("id"))["last"] or 0
            started = time.monotonic()
            result = payment_file_import(
                content=content, filename="morning.txt", format_name="hackney_cash", today=TODAY
            )
            # The foreign keys are checked at commit; check them now, inside the figure,
            # as the rollback below would otherwise skip them.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            results["post"] = time.monotonic() - started
            record = result.payment_import
            after = Account.objects.aggregate(total=Sum("balance"))["total"]
            added = Transaction.objects.filter(id__gt=last_id).aggregate(
                total=Sum("amount"), count=Count("id")
            )
            on_ledger, on_ledger_count = added["total"] or Decimal("0"), added["count"]
            reconciles = (
                after - before == on_ledger == -record.matched_total
                and on_ledger_count == record.matched_count
            )
            if not args.keep:
                raise Rollback
    except Rollback:
        pass

    n = args.lines
    print(
        f"  floor  COPY into a staging table  {results['floor']:7.2f} s "
        f"{n / results['floor']:>10,.0f} lines/s"
    )
    print(
        f"  ledger floor: INSERT ... SELECT   {results['ledger']:7.2f} s "
        f"{n / results['ledger']:>10,.0f} lines/s (the matched lines, foreign keys checked)"
    )
    print(
        f"  check  every line parsed          {results['check']:7.2f} s "
        f"{n / results['check']:>10,.0f} lines/s"
    )
    print(
        f"  post   the real import, end to end {results['post']:6.2f} s "
        f"{n / results['post']:>10,.0f} lines/s "
        f"({results['post'] / results['floor']:.1f}x the floor, "
        f"{results['post'] / (results['floor'] + results['ledger']):.1f}x both floors)"
    )
    print(f"  bad file refused (bad last line)  {results['refuse']:7.2f} s  {first_error}")
    print(
        f"  matched {record.matched_count:,}, to suspense {record.suspense_count:,} "
        f"({record.suspense_total}); balances reconcile with the ledger: "
        f"{'yes' if reconciles else 'NO'}"
    )
    print("  kept" if args.keep else "  rolled back: the database is as it was")
    if not reconciles:
        sys.exit(1)


if __name__ == "__main__":
    main()
