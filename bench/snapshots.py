"""How long the daily snapshots take on a seeded council (issue 12), measured in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
        .venv/bin/python bench/snapshots.py

Times, each in a transaction rolled back afterwards (the database is left as it was):
the first snapshot of a year (the year counted from the ledger), a night's snapshot
counted on from the day before (what the nightly run's finishing step does every
night), and a rebuild of a week. Compare the night's figure with the run's wall time
from bench/nightly.py: the issue allows the run 5% more.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


class Rollback(Exception):
    pass


def main() -> None:
    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.db import connection, transaction

    from cases.models import Patch
    from payments.models import Account
    from performance.snapshots import _write, snapshots_rebuild, snapshots_take

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(effective_date) FROM payments_transaction")
        (last_line,) = cursor.fetchone()
    day = last_line
    print(f"database        {connection.settings_dict['NAME']} ({connection.vendor})")
    print(f"accounts        {Account.objects.count():,} in {Patch.objects.count()} patches")
    print(f"day             {day} (the last day with ledger lines)")

    def timed(label: str, work) -> None:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                work()
                elapsed = time.perf_counter() - started
                raise Rollback
        except Rollback:
            pass
        print(f"{label:<52} {elapsed:>7.2f} s")

    timed(
        "first snapshot of the year (counted from 1 April)",
        lambda: _write(day=day, base=None, source="rebuild"),
    )

    def night() -> None:
        _write(day=day - timedelta(days=1), base=None, source="run")
        started = time.perf_counter()
        snapshots_take(day=day)
        print(
            f"{'  of which the night itself (counted on)':<52} "
            f"{time.perf_counter() - started:>7.2f} s"
        )

    timed("a night: the day before, then the night on from it", night)
    timed(
        "rebuild a week",
        lambda: snapshots_rebuild(start=day - timedelta(days=6), end=day, today=day),
    )


if __name__ == "__main__":
    main()
