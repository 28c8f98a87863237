#!/usr/bin/env python
"""Render letters through the real task path on Celery workers and compare with WeasyPrint alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python bench/documents.py --letters 1000 --workers 2

It picks single-tenant cases, queues one arrears letter each as the nightly run would
(LetterRequest rows for a run date no real run uses), starts the workers (solo pool,
one process each), warms them up, then sends `notices.tasks.render_letter_requests`
by name and waits until every letter is rendered and the print pack is built. Then,
in this one process, it renders the very same HTML (the stored contexts through the
same templates) with WeasyPrint directly in a loop. It prints pages per second for
both and the ratio per worker, and removes everything it made. Needs PostgreSQL and
Redis; the database needs `manage.py migrate notices`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DATE = date(2000, 1, 3)  # a Monday no real nightly run will ever use
WARM_UP_DATE = date(2000, 1, 4)
IN_PROCESS_DATE = date(2000, 1, 5)


def setup(documents_root: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DOCUMENTS_ROOT"] = str(documents_root)
    import django

    django.setup()


def pick_cases(count: int) -> list[int]:
    from django.db.models import Count, Q

    from cases.models import Case

    return list(
        Case.objects.filter(status="open", accounts__rent_lawfully_due=True)
        .annotate(tenants=Count("tenancy__tenants", filter=Q(tenancy__tenants__is_tenant=True)))
        .filter(tenants=1)
        .exclude(tenancy__tenants__preferred_format="large_print")
        .exclude(tenancy__tenure__in=["garage", "leasehold", "shared_ownership"])
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()[:count]
    )


def queue(case_ids: list[int], run_date: date) -> None:
    from arrears.models import LetterRequest

    LetterRequest.objects.bulk_create(
        [
            LetterRequest(case_id=pk, letter="arrears_letter_1", run_date=run_date)
            for pk in case_ids
        ],
        ignore_conflicts=True,
    )


def start_workers(count: int, documents_root: Path) -> tuple[list[subprocess.Popen], str]:
    from config.celery import app, worker_command

    name = f"bench-documents-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "DOCUMENTS_ROOT": str(documents_root)}
    workers = [
        subprocess.Popen(
            worker_command(f"{name}-{n}@%h"),
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]
    nodes = [f"{name}-{n}@{os.uname().nodename}" for n in range(count)]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=0.5, destination=nodes)) == count:
            return workers, name
    raise SystemExit("The workers did not start")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux /proc), so a busy shared
    machine does not hide what the work itself costs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(run_date: date, case_ids: list[int]) -> tuple[float, float, int]:
    """The task's own code (lock, context, render, store, events) in this process, no broker."""
    from django.conf import settings

    from arrears.models import LetterRequest
    from notices.documents import letter_requests_render
    from notices.tasks import chunk_size, chunks

    queue(case_ids, run_date)
    ids = list(LetterRequest.objects.filter(run_date=run_date).values_list("id", flat=True))
    wall, cpu = time.perf_counter(), time.process_time()
    for part in chunks(ids, chunk_size(len(ids), settings.NOTICES_RENDER_CHUNK_SIZE)):
        letter_requests_render(request_ids=part)
    return time.perf_counter() - wall, time.process_time() - cpu, len(ids)


def wait_for(run_date: date, expected: int, timeout: float = 3600) -> float:
    """Seconds until every request for the day is done and its print pack exists."""
    from arrears.models import LetterRequest
    from notices.models import PrintPack

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        pending = LetterRequest.objects.filter(run_date=run_date, status="pending").count()
        if not pending and PrintPack.objects.filter(run_date=run_date).exists():
            return time.perf_counter() - start
        # The render time is read from the rows: polling lightly leaves the CPUs to the workers.
        time.sleep(0.5)
    raise SystemExit(f"Timed out with letters still pending for {run_date}")


def direct_loop(run_date: date) -> tuple[float, int, list[float]]:
    """WeasyPrint alone on the same HTML: the stored contexts through the same templates."""
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from notices.models import Document
    from notices.rendering import STYLESHEET

    documents = Document.objects.filter(letter_request__run_date=run_date).order_by("id")
    pages_html = [
        render_to_string(d.template_name, {**d.context, "copy": copy})
        for d in documents
        for copy in d.context["copies"]
    ]
    fonts = FontConfiguration()
    # One fetcher for the whole loop, as the task path keeps one per worker thread: a
    # fetcher made per page pays its SSL context setup (about 18 ms) every time, which
    # made this floor slower than the path it is the floor of.
    fetcher = URLFetcher()
    css = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
    base_url = STYLESHEET.parent.as_uri() + "/"
    pages, each = 0, []
    cpu = time.process_time()
    start = time.perf_counter()
    for html in pages_html:
        began = time.perf_counter()
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[css], font_config=fonts
        )
        document.write_pdf()
        pages += len(document.pages)
        each.append(time.perf_counter() - began)
    return time.perf_counter() - start, pages, each, time.process_time() - cpu


def clean_up(run_dates: list[date]) -> None:
    from django.db import transaction

    from arrears.models import LetterRequest
    from cases.models import CaseEvent
    from notices.models import Document, PrintPack

    with transaction.atomic():
        documents = Document.objects.filter(letter_request__run_date__in=run_dates)
        keys = [f"document:{pk}:produced" for pk in documents.values_list("pk", flat=True)]
        for start in range(0, len(keys), 1000):
            CaseEvent.objects.filter(idempotency_key__in=keys[start : start + 1000]).delete()
        CaseEvent.objects.filter(
            verb="letter_failed",
            payload__letter_request_id__in=list(
                LetterRequest.objects.filter(run_date__in=run_dates).values_list("pk", flat=True)
            ),
        ).delete()
        documents.delete()
        PrintPack.objects.filter(run_date__in=run_dates).delete()
        LetterRequest.objects.filter(run_date__in=run_dates).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="Keep the PDFs and rows for a look.")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the workers need both.")

    documents_root = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    setup(documents_root)
    from django.conf import settings
    from django.utils import timezone

    from config.celery import app
    from notices.models import Document, PrintPack

    clean_up([RUN_DATE, WARM_UP_DATE, IN_PROCESS_DATE])
    case_ids = pick_cases(args.letters + 2)
    if len(case_ids) < args.letters + 2:
        raise SystemExit(f"Only {len(case_ids)} single-tenant cases: seed more accounts.")
    print(
        f"Database {settings.DATABASES['default']['NAME']}, {args.letters} letters, "
        f"{args.workers} workers, chunks of {settings.NOTICES_RENDER_CHUNK_SIZE}"
    )

    app.control.purge()
    workers, _ = start_workers(args.workers, documents_root)
    try:
        queue(case_ids[:2], WARM_UP_DATE)  # each worker imports WeasyPrint and loads the fonts
        app.send_task("notices.tasks.render_letter_requests", args=[WARM_UP_DATE.isoformat()])
        wait_for(WARM_UP_DATE, 2)

        queue(case_ids[2:], RUN_DATE)
        cpu_before = sum(cpu_seconds(w.pid) for w in workers)
        sent_at = timezone.now()
        app.send_task("notices.tasks.render_letter_requests", args=[RUN_DATE.isoformat()])
        wall = wait_for(RUN_DATE, args.letters)
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
        rendered = Document.objects.filter(letter_request__run_date=RUN_DATE, status="rendered")
        pages = sum(rendered.values_list("page_count", flat=True))
        last = max(rendered.values_list("rendered_at", flat=True))
        render_phase = (last - sent_at).total_seconds()
        pack = PrintPack.objects.get(run_date=RUN_DATE)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)

    direct, direct_pages, each, direct_cpu = direct_loop(RUN_DATE)
    sample = min(100, args.letters)
    own_wall, own_cpu, own_letters = in_process(IN_PROCESS_DATE, case_ids[2 : 2 + sample])
    task_pps = pages / render_phase
    direct_pps = direct_pages / direct
    ratio = direct_pps / (task_pps / args.workers)
    print(
        f"Task path, {args.workers} workers: {rendered.count()} letters, {pages} pages rendered in "
        f"{render_phase:.1f} s = {task_pps:.1f} pages/s ({task_pps / args.workers:.1f} per worker)"
    )
    print(
        f"  with the print pack ({pack.page_count} pages, {pack.size_bytes / 1e6:.1f} MB): "
        f"{wall:.1f} s end to end = {pages / wall:.1f} pages/s"
    )
    print(
        f"WeasyPrint alone, one loop: {direct_pages} pages in {direct:.1f} s = "
        f"{direct_pps:.1f} pages/s (median {statistics.median(each) * 1000:.0f} ms a page)"
    )
    print(
        f"Ratio per worker (WeasyPrint alone / task path per worker): {ratio:.2f} "
        "(target under 1.3)"
    )
    print(
        f"CPU per page: workers {worker_cpu / pages * 1000:.0f} ms (all task code, print pack "
        f"included), WeasyPrint alone {direct_cpu / direct_pages * 1000:.0f} ms: ratio "
        f"{(worker_cpu / pages) / (direct_cpu / direct_pages):.2f}"
    )
    print(
        f"Task code in this process, no broker ({own_letters} letters): "
        f"{own_wall / own_letters * 1000:.0f} ms a letter wall, "
        f"{own_cpu / own_letters * 1000:.0f} ms CPU (+ the database's own time); "
        f"WeasyPrint alone {direct / direct_pages * 1000:.0f} ms a page"
    )
    print(f"Machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.keep:
        clean_up([RUN_DATE, WARM_UP_DATE, IN_PROCESS_DATE])
        shutil.rmtree(documents_root, ignore_errors=True)
    else:
        print(f"Kept: PDFs under {documents_root}")


if __name__ == "__main__":
    main()
