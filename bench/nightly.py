"""How long the nightly run takes on realistic nights, against the floors it is judged by.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/nightly.py --accounts 200000

Uses the accounts already in the database, or seeds `--accounts` of them (`--years` of
weekly history, as bench/seed.py does) into an empty one; it never deletes data.

Each benchmarked night first posts a realistic day (bench/_day.py: rent charges on a
charge day, every payer's payment as their history repeats, a few late, Housing Benefit
on Mondays, Universal Credit, a few direct debits returned), through the import path
production uses, then runs the night on Celery workers started here (`--workers`, each
with `--concurrency` processes), or with `--sync` in this process. By default it runs
three nights: the first night after seeding (when the database has had no run), the next
ordinary weekday, and the next Monday (rent and Housing Benefit for every account);
`--nights` picks fewer. A night is timed from dispatch until the run's last task has
returned, which includes its closing VACUUM (reported apart as tidy-up).

Floors, measured once in this process on the same data before the nights:

- the run's own reads: the 14-week window query the run issues for every chunk, alone,
  one chunk after another (no Python work, no writes) -- what this design cannot avoid;
- one plain SQL query summing the whole ledger per account -- what a design that
  rescans the ledger every night pays before it has done anything else.

Left out: letter rendering (`start_letters=False`; bench/documents.py measures it), the
officers' pages (bench/pages.py), autovacuum between nights (this machine runs without
it, so the bench VACUUMs the tables the run writes before each night, untimed).
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200_000, help="Seed this many if empty.")
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="First run date.")
    parser.add_argument(
        "--nights", type=int, default=3, help="First night (if none has run), weekday, Monday."
    )
    parser.add_argument("--quiet-nights", action="store_true", help="Post no day before a run.")
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes to start.")
    parser.add_argument("--concurrency", type=int, default=2, help="Pool size of each worker.")
    parser.add_argument("--sync", action="store_true", help="Run in this process, no Celery.")
    parser.add_argument("--skip-floors", action="store_true", help="Do not time the floors.")
    args = parser.parse_args()
    # Stopped from outside (timeout, Ctrl-C): unwind, so the workers it started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from arrears.models import NightlyRun
    from demo.seed import seed_council
    from payments.models import Account

    if connection.vendor != "postgresql":
        sys.exit("Benchmark PostgreSQL: set DATABASE_URL (SQLite is for trying the service).")
    if not args.sync and not settings.REDIS_URL:
        sys.exit("Set REDIS_URL for the Celery workers, or pass --sync.")

    # A database seeded by an older checkout gets the schema this one runs against.
    call_command("migrate", verbosity=0)
    accounts = Account.objects.count()
    seeded = None
    if accounts == 0:
        print(f"seeding {args.accounts:,} accounts with {args.years} years of history ...")
        started = time.monotonic()
        result = seed_council(
            accounts=args.accounts, years=args.years, seed=1, today=date(2026, 11, 22)
        )
        seeded = time.monotonic() - started
        accounts = result.accounts
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(effective_date) FROM payments_transaction")
        (last_line,) = cursor.fetchone()
    last_run = NightlyRun.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    first = args.date or max(
        d for d in (last_line + timedelta(days=1), last_run and last_run + timedelta(days=1)) if d
    )
    nights = _plan(first, first_night=last_run is None)[: args.nights]

    print(f"database               {connection.settings_dict['NAME']} ({connection.vendor})")
    if seeded is not None:
        print(f"seeded in              {seeded:.1f} s")
    print(f"accounts               {accounts:,}")
    print(
        "how                    "
        + (
            "synchronous, one process"
            if args.sync
            else f"{args.workers} worker(s) x {args.concurrency} processes, "
            f"chunks of {args.chunk_size:,}; {os.cpu_count()} cores shared with PostgreSQL"
        )
    )

    from _day import post_day

    results = []
    floors = None
    for label, day in nights:
        posted = None if args.quiet_nights else post_day(day)
        if floors is None and not args.skip_floors:
            floors = _floors(day, args.chunk_size)
            print(
                f"floor: run's own reads {floors['window']:.1f} s (the window query for all "
                f"{floors['chunks']} chunks, one process); full-ledger sum "
                f"{floors['naive']:.1f} s ({floors['lines']:,} ledger lines)"
            )
        # Autovacuum is off on this machine; in production it cleans up between nights.
        # Not timed.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN)}")
        CPU.clear()
        timing, run = (
            _run_sync(day, args.chunk_size)
            if args.sync
            else _run_on_workers(day, args.chunk_size, args.workers, args.concurrency)
        )
        results.append((label, day, posted, timing, run, dict(CPU)))
        _report(label, day, posted, timing, run, dict(CPU), floors)

    print()
    print("night                        run    tidy   total  posted lines  cases written")
    for label, day, posted, timing, run, _cpu in results:
        print(
            f"{label:<12} {day:%a %d %b}  {timing['run']:6.1f} {timing['tidy']:6.1f} "
            f"{timing['total']:7.1f}  {posted.total if posted else 0:>12,}  "
            f"{run.counts.get('written', {}).get('cases', '-')!s:>13}"
        )
    if floors:
        for label, _day, _posted, timing, _run, _cpu in results:
            print(
                f"{label}: {timing['total'] / floors['window']:.1f}x the run's own reads, "
                f"{timing['total'] / floors['naive']:.1f}x the full-ledger sum"
            )


def _plan(first: date, *, first_night: bool) -> list[tuple[str, date]]:
    """The first night (when none has run), then the next ordinary weekday and Monday."""
    nights = []
    day = first
    if first_night:
        nights.append(("first night", day))
        day += timedelta(days=1)
    while day.weekday() in (0, 5, 6):  # an ordinary weekday: Tuesday to Friday
        day += timedelta(days=1)
    nights.append(("weekday", day))
    day += timedelta(days=1)
    while day.weekday() != 0:
        day += timedelta(days=1)
    nights.append(("Monday", day))
    return nights


def _floors(day: date, chunk_size: int) -> dict:
    """The run's own window reads for every chunk, and a naive full-ledger sum."""
    from django.db import connection

    from arrears.loader import account_figures_sql_postgresql, run_calendar
    from cases.models import Case

    calendar = run_calendar(day)
    ids = list(Case.objects.filter(status="open").order_by("id").values_list("id", flat=True))
    ranges = [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]
    sql = account_figures_sql_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        started = time.monotonic()
        for first_case, last_case in ranges:
            params = {
                "first_case": first_case,
                "last_case": last_case,
                "today": day,
                "window_start": calendar.window_start,
                **{f"m{k}": monday for k, monday in enumerate(calendar.mondays)},
            }
            cursor.execute(sql, params)
            cursor.fetchall()
        window = time.monotonic() - started
        started = time.monotonic()
        cursor.execute(
            "SELECT count(*), sum(n) FROM (SELECT account_id, sum(amount), count(*) AS n"
            " FROM payments_transaction GROUP BY account_id) totals"
        )
        _, lines = cursor.fetchone()
        naive = time.monotonic() - started
    return {"window": window, "naive": naive, "chunks": len(ranges), "lines": int(lines or 0)}


def _report(label, day, posted, timing, run, cpu, floors) -> None:
    counts = run.counts
    print()
    print(f"{label} ({day:%A %d %B %Y})")
    if posted is not None:
        print(f"  posted first           {posted.describe()}")
    print(f"  cases                  {run.cases:,}")
    print(
        f"  run wall time          {timing['run']:.1f} s ({run.get_status_display().lower()}),"
        f" then tidy-up {timing['tidy']:.1f} s: {timing['total']:.1f} s until its last task"
        " returned"
    )
    if cpu:
        busy = cpu["workers"] + cpu["database"]
        print(
            f"  CPU used               {busy:.1f} s (workers {cpu['workers']:.1f} s, PostgreSQL "
            f"{cpu['database']:.1f} s); load average {os.getloadavg()[0]:.1f} while it ran"
        )
    written = counts.get("written") or {}
    print(
        f"  written                {written.get('cases', '?')} cases, "
        f"{written.get('recommendations', '?')} recommendations, "
        f"{counts.get('stage_changes', 0):,} stage changes, "
        f"{sum((counts.get('letters') or {}).values()):,} letters, "
        f"{counts.get('events', 0):,} timeline entries"
    )
    if "snapshot_seconds" in counts:
        print(
            f"  daily snapshots        {counts.get('snapshots', 0):,} patches in "
            f"{counts['snapshot_seconds']:.2f} s "
            f"({100 * counts['snapshot_seconds'] / timing['run']:.1f}% of the run; in its "
            "finishing step)"
        )
    phases = counts.get("seconds") or {}
    if phases:
        print(
            "  time in chunks         "
            + ", ".join(
                f"{part} {phases.get(part, 0):.1f} s" for part in ("load", "decide", "write")
            )
            + " (summed over the chunks)"
        )


REWRITTEN = (
    "cases_case",
    "arrears_recommendation",
    "arrears_recommendationhistory",
    "arrears_letterrequest",
    "cases_caseevent",
    "payments_arrangement",
    "payments_arrangementcheck",
)


def _run_sync(run_date: date, chunk_size: int):
    from arrears.services import nightly_run

    started = time.monotonic()
    run = nightly_run(run_date=run_date, chunk_size=chunk_size, start_letters=False)
    total = time.monotonic() - started
    finished = (run.finished_at - run.started_at).total_seconds()
    return {"run": finished, "tidy": max(0.0, total - finished), "total": total}, run


def _cpu_seconds(pids: set[int]) -> float:
    """User and system CPU the processes have used, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _group(pgid: int) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.add(int(entry.name))
    return pids


def _database_backends() -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {row[0] for row in cursor.fetchall()}


CPU: dict[str, float] = {}


def _run_on_workers(run_date: date, chunk_size: int, workers: int, concurrency: int):
    from arrears.models import NightlyRun
    from arrears.services import nightly_run_begin
    from arrears.tasks import dispatch_chunks
    from config.celery import app, worker_command

    queue = f"arrears-bench-{os.getpid()}"
    log = open(ROOT / ".venv" / "bench-nightly-workers.log", "a")  # noqa: SIM115
    processes = [
        subprocess.Popen(
            worker_command(f"bench{i}-{os.getpid()}@%h", queues=queue, concurrency=concurrency),
            cwd=ROOT,
            env=os.environ.copy(),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for i in range(workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1.0) or []) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("The Celery workers did not start within a minute.")
        worker_pids = set().union(*(_group(process.pid) for process in processes))
        before = {pid: _cpu_seconds({pid}) for pid in worker_pids}
        backends: dict[int, float] = {}  # each chunk's connection: the CPU last seen
        started = time.monotonic()
        run = nightly_run_begin(run_date=run_date, trigger="command", chunk_size=chunk_size)
        last_task = dispatch_chunks(run, start_letters=False, queue=queue)
        finished = None
        while True:
            if finished is None:
                run.refresh_from_db()
                if run.status != NightlyRun.Status.RUNNING:
                    finished = time.monotonic()
            for pid in _database_backends():
                backends[pid] = _cpu_seconds({pid}) or backends.get(pid, 0)
            # The finishing task returns after the run's own VACUUM: wait for it, so the
            # workers are not stopped part-way through it.
            if finished is not None and (last_task is None or last_task.ready()):
                break
            # Watching costs CPU on the cores the run uses: look five times a second.
            time.sleep(0.2)
        done = time.monotonic()
        if last_task is not None:
            last_task.get(timeout=60, propagate=True)
        CPU["workers"] = sum(_cpu_seconds({pid}) - before[pid] for pid in worker_pids)
        CPU["database"] = sum(backends.values())
        run.refresh_from_db()
        timing = {"run": finished - started, "tidy": done - finished, "total": done - started}
        return timing, run
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
