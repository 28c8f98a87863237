"""How long the nightly write-back and the API take on a seeded council.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_api_bench \\
        .venv/bin/python bench/writeback.py --accounts 20000 --history-events 1000000 \\
        --day-events 20000

Seeds `--accounts` into an empty database (as bench/seed.py does), then adds timeline
events in one INSERT ... SELECT: `--history-events` spread over the two years before the
day (so the day's events are found among many), and `--day-events` on the day itself
(contacts, letters, stage changes, arrangements, court steps, in the mix of the write-back's
table, plus notes it leaves out). It prints:

- the write-back of the day: the first write (choosing the lines, keeping them, writing
  the file) and a rewrite of the same day (from the kept lines), with rows and size;
- the API through Django's test client with a token: a case's detail, balance and holds,
  and a page of 100 cases, each the median and 95th percentile of `--requests`.

Each run takes the next day after the last file written, so a database can be benched
again; it never deletes anything but its own day's file.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

VERBS = [
    ("contact_recorded", 30),
    ("letter_requested", 20),
    ("stage_changed", 20),
    ("arrangement_state_changed", 10),
    ("arrangement_created", 3),
    ("notice_served", 2),
    ("court_hearing_recorded", 1),
    ("note_added", 14),  # not written back
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))]


def _add_events(cursor, *, count: int, first: date, days: int) -> None:
    """`count` events over `days` days from `first`, on cases in turn, verbs in the mix."""
    weights = [w for _, w in VERBS]
    verbs = [v for v, w in VERBS for _ in range(w)]
    assert sum(weights) == 100
    cursor.execute(
        """
        INSERT INTO cases_caseevent (case_id, actor_id, verb, payload, occurred_at)
        SELECT c.id, NULL, (%s::text[])[1 + (g %% 100)],
               jsonb_build_object('from', 'letter_1', 'to', 'letter_2', 'amount', '12.50',
                                  'channel_label', 'Phone call', 'outcome_label', 'No answer'),
               (%s::date + ((g %% %s) || ' days')::interval
                + ((g * 7919 %% 86000) || ' seconds')::interval) AT TIME ZONE 'Europe/London'
        FROM generate_series(0::bigint, %s - 1) AS g
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM cases_case) c
          ON c.n = g %% (SELECT count(*) FROM cases_case)
        """,
        [verbs, first, days, count],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--history-events", type=int, default=1_000_000)
    parser.add_argument("--day-events", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from cases.models import Case, CaseEvent
    from demo.seed import seed_council
    from integrations.api.models import WritebackExport
    from integrations.api.services import api_client_create
    from integrations.api.writeback import writeback_day

    if connection.vendor != "postgresql":
        sys.exit("Benchmark PostgreSQL: set DATABASE_URL (SQLite is for trying the service).")
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        print(f"seeding {args.accounts:,} accounts ...")
        started = time.monotonic()
        seed_council(accounts=args.accounts, years=2, seed=1, today=date(2026, 11, 22))
        print(f"  seeded in {time.monotonic() - started:.1f} s")
    last = WritebackExport.objects.order_by("-day").values_list("day", flat=True).first()
    day = last + timedelta(days=1) if last else date(2026, 11, 23)
    today = day + timedelta(days=1)
    with transaction.atomic(), connection.cursor() as cursor:
        if args.history_events and not last:
            _add_events(
                cursor, count=args.history_events, first=day - timedelta(days=730), days=730
            )
        _add_events(cursor, count=args.day_events, first=day, days=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_caseevent")
    cases = Case.objects.count()
    events = CaseEvent.objects.count()
    print(f"{cases:,} cases, {events:,} timeline events; writing back {day}")

    folder = Path(tempfile.mkdtemp(prefix="writeback-bench-"))
    started = time.monotonic()
    first = writeback_day(day=day, folder=folder, today=today)
    first_s = time.monotonic() - started
    started = time.monotonic()
    writeback_day(day=day, folder=folder, today=today)
    again_s = time.monotonic() - started
    size = first.path.stat().st_size
    print(
        f"write-back: {first.export.rows:,} rows ({size / 1e6:.1f} MB) first written in "
        f"{first_s:.2f} s, written again (same bytes) in {again_s:.2f} s"
    )
    first.path.unlink()

    _, token = api_client_create(
        name=f"bench {time.time_ns()}", scopes=["cases", "balances", "holds"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    references = list(Case.objects.order_by("?").values_list("reference", flat=True)[:50])
    pages = {
        "case": lambda i: reverse("api:case", args=[references[i % len(references)]]),
        "balance": lambda i: reverse("api:case_balance", args=[references[i % len(references)]]),
        "holds": lambda i: reverse("api:case_holds", args=[references[i % len(references)]]),
        "100 cases": lambda i: reverse("api:cases"),
    }
    from django.conf import settings

    settings.API_RATE_PER_MINUTE = 1_000_000  # measuring the server, not the throttle
    for name, url in pages.items():
        times = []
        for i in range(args.requests + 5):
            started = time.monotonic()
            response = client.get(url(i))
            elapsed = (time.monotonic() - started) * 1000
            assert response.status_code == 200, (name, response.status_code)
            if i >= 5:
                times.append(elapsed)
        print(
            f"API {name:>9}: median {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    main()
