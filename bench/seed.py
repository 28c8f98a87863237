"""How long seeding takes, and how many ledger lines it writes, on the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
        .venv/bin/python bench/seed.py --accounts 200000

It replaces whatever is in that database (it runs seed_demo with --reset), so point
it at a database of its own: it refuses a database that already has cases unless
--replace is given. It creates the database if PostgreSQL allows.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--replace", action="store_true", help="Replace the cases already in the database."
    )
    args = parser.parse_args()

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.seed import seed_council

    call_command("migrate", verbosity=0)
    from cases.models import Case

    existing = Case.objects.count()
    if existing and not args.replace:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} already holds {existing:,} cases: "
            "run again with --replace to replace them, or point DATABASE_URL elsewhere."
        )
    started = time.monotonic()
    result = seed_council(
        accounts=args.accounts, years=args.years, seed=args.seed, today=date.today(), reset=True
    )
    wall = time.monotonic() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        else:
            size = "n/a"
    print(f"database          {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"accounts          {result.accounts:,}")
    print(f"cases             {result.cases:,}")
    print(f"ledger lines      {result.ledger_lines:,}")
    print(f"seconds           {wall:.1f}")
    print(f"lines per second  {result.ledger_lines / wall:,.0f}")
    print(f"database size     {size}")


if __name__ == "__main__":
    main()
