"""How long the nightly run takes, against the floor a naive design pays.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/nightly.py --accounts 200000

Uses the accounts already in the database, or seeds `--accounts` of them (two years of
weekly history, as bench/seed.py does) into an empty one; it never deletes data. It then
measures, in this process and on the same data:

- one plain SQL query summing the whole ledger per account (what a design that rescans
  the ledger every night pays before it has done anything else);
- the nightly run end to end (figures, arrangements, policy, writes), on Celery workers
  started here (`--workers`, each with `--concurrency` processes) or, with `--sync`, in
  this process.

Each invocation runs the next night after the last run recorded, so a database can be
benchmarked again and again; the first night after seeding does more writing (every
case's first recommendation and stage) than the nights after it.
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
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="Run date.")
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes to start.")
    parser.add_argument("--concurrency", type=int, default=2, help="Pool size of each worker.")
    parser.add_argument("--sync", action="store_true", help="Run in this process, no Celery.")
    parser.add_argument("--skip-naive", action="store_true", help="Do not time the full scan.")
    args = parser.parse_args()

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
        cursor.execute("SELECT count(*), max(effective_date) FROM payments_transaction")
        lines, last_line = cursor.fetchone()
    last_run = NightlyRun.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    run_date = args.date or max(
        d for d in (last_line + timedelta(days=1), last_run and last_run + timedelta(days=1)) if d
    )

    naive = None
    if not args.skip_naive:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            started = time.monotonic()
            cursor.execute(
                "SELECT count(*) FROM (SELECT account_id, sum(amount) FROM payments_transaction"
                " GROUP BY account_id) totals"
            )
            cursor.fetchone()
            naive = time.monotonic() - started

    # Autovacuum is off on this machine; in production it cleans up after each night.
    # Without it every run leaves a dead copy of each case row and its 14 index entries,
    # and each benchmark would be slower than the last. Not timed.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN)}")

    first_night = not NightlyRun.objects.exists()
    wall, run = (
        _run_sync(run_date, args.chunk_size)
        if args.sync
        else _run_on_workers(run_date, args.chunk_size, args.workers, args.concurrency)
    )

    # The run's own tidy-up (arrears.services.tidy_after_run) follows its finish on the
    # worker, which this script stops as soon as the run is recorded finished: do it
    # here, timed apart, so the database is left as a night leaves it in production.
    from arrears.services import tidy_after_run

    started = time.monotonic()
    tidy_after_run()
    tidy = time.monotonic() - started

    counts = run.counts
    print(f"database               {connection.settings_dict['NAME']} ({connection.vendor})")
    if seeded is not None:
        print(f"seeded in              {seeded:.1f} s")
    print(f"accounts               {accounts:,}")
    print(f"cases                  {run.cases:,}")
    print(f"ledger lines           {lines:,}")
    print(
        f"run date               {run_date} ({'first night' if first_night else 'a later night'})"
    )
    print(
        "how                    "
        + (
            "synchronous, one process"
            if args.sync
            else f"{args.workers} worker(s) x {args.concurrency} processes, "
            f"chunks of {args.chunk_size:,}"
        )
    )
    print(f"run wall time          {wall:.1f} s ({run.get_status_display().lower()})")
    if CPU:
        busy = CPU["workers"] + CPU["database"]
        print(
            f"CPU used               {busy:.1f} s (workers {CPU['workers']:.1f} s, PostgreSQL "
            f"{CPU['database']:.1f} s); {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} while it ran"
        )
    print(f"accounts per second    {accounts / wall:,.0f}")
    print(f"vacuum after the run   {tidy:.1f} s (after the run is recorded finished)")
    if naive is not None:
        print(f"full-ledger sum query  {naive:.1f} s (one plain SQL query, same data)")
    print(
        f"written                {counts.get('stage_changes', 0):,} stage changes, "
        f"{sum((counts.get('letters') or {}).values()):,} letters, "
        f"{counts.get('events', 0):,} timeline entries"
    )
    if "snapshot_seconds" in counts:
        print(
            f"daily snapshots        {counts.get('snapshots', 0):,} patches in "
            f"{counts['snapshot_seconds']:.2f} s ({100 * counts['snapshot_seconds'] / wall:.1f}% "
            "of the run; in its finishing step)"
        )
    phases = counts.get("seconds") or {}
    if phases:
        print(
            "time in chunks         "
            + ", ".join(
                f"{part} {phases.get(part, 0):.1f} s" for part in ("load", "decide", "write")
            )
            + " (summed over the chunks)"
        )
    chunk_seconds = sorted(c.seconds or 0 for c in run.chunks.all())
    if chunk_seconds:
        print(
            f"chunk seconds          median {chunk_seconds[len(chunk_seconds) // 2]:.2f}, "
            f"slowest {chunk_seconds[-1]:.2f} over {len(chunk_seconds)} chunks"
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
    return time.monotonic() - started, run


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
        dispatch_chunks(run, start_letters=False, queue=queue)
        while True:
            run.refresh_from_db()
            for pid in _database_backends():
                backends[pid] = _cpu_seconds({pid}) or backends.get(pid, 0)
            if run.status != NightlyRun.Status.RUNNING:
                break
            # Watching costs CPU on the cores the run uses: look five times a second.
            time.sleep(0.2)
        wall = time.monotonic() - started
        CPU["workers"] = sum(_cpu_seconds({pid}) - before[pid] for pid in worker_pids)
        CPU["database"] = sum(backends.values())
        return wall, run
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
