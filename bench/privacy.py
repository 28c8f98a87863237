"""What the data protection work costs, on a seeded council, measured in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_privacy_bench \\
        .venv/bin/python bench/privacy.py --requests 60

1. The case page as its officer, through Django's test client, with the record of reads
   on and with its middleware taken out: median and 95th percentile of the whole
   request. The test client sends `request_finished` inside the request, so "with"
   includes the insert that a real server makes after the body has gone; the insert
   alone is timed too, and "before the response" is the difference.
2. The retention dry run over the whole database (reads only) and its query count;
   then, with --retention-cases N, N cases marked closed ten years ago and anonymised,
   timed with its query count, all in a transaction that is rolled back (the database
   is left as it was).
3. One subject access export of the tenant of the case, produced in-process (writes
   one SubjectAccessRequest and a zip under a temporary DOCUMENTS_ROOT).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
# The demo seeds the bench database's bank details under the local-only key, and this
# runs with DEBUG off, which asks for a key: give it that one, so they still read.
from config.keys import LOCAL_ONLY_FIELD_KEY

os.environ.setdefault("FIELD_ENCRYPTION_KEYS", LOCAL_ONLY_FIELD_KEY)
os.environ.setdefault("ALLOWED_HOSTS", "bench.local")

from bench._database import ensure_database


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))]


def figures(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label:<58} p50 {statistics.median(ms):7.2f} ms   p95 {percentile(ms, 0.95):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--retention-cases", type=int, default=1000)
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.models import Case
    from privacy.access import Read, access_records_write
    from privacy.models import AccessKind, AccessRecord, SubjectAccessRequest
    from privacy.retention import retention_apply, retention_plan
    from privacy.subject_access import subject_access_produce

    call_command("collectstatic", interactive=False, verbosity=0)
    case = (
        Case.objects.filter(patch__officer__isnull=False, officer__isnull=True)
        .order_by("-rent_arrears")
        .select_related("patch__officer")
        .first()
    )
    if case is None:
        sys.exit("No case with a patch officer: seed the database first (bench/seed.py).")
    officer = case.patch.officer
    client = Client(HTTP_HOST="bench.local")
    client.force_login(officer)
    url = f"/cases/{case.pk}/"
    print(f"Case {case.reference}, officer {officer.username}, {args.requests} requests each\n")

    def timed(n: int) -> list[float]:
        out = []
        for i in range(args.warmup + n):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            if i >= args.warmup:
                out.append(time.perf_counter() - start)
        return out

    before = AccessRecord.objects.count()
    with_audit = timed(args.requests)
    written = AccessRecord.objects.count() - before
    without = settings.MIDDLEWARE.copy()
    without.remove("privacy.access.AccessLogMiddleware")
    with override_settings(MIDDLEWARE=without):
        client = Client(HTTP_HOST="bench.local")
        client.force_login(officer)
        without_audit = timed(args.requests)
    inserts = []
    for _ in range(args.requests):
        read = Read(officer.pk, case.pk, AccessKind.CASE_PAGE, "case", url, None, timezone.now())
        start = time.perf_counter()
        access_records_write([read])
        inserts.append(time.perf_counter() - start)
    figures("case page, record of reads on (insert included)", with_audit)
    figures("case page, middleware taken out", without_audit)
    figures("the insert alone (after the response on a real server)", inserts)
    print(f"rows written for {args.warmup + args.requests} pages: {written}\n")

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        plan = retention_plan(today=timezone.localdate())
        took = time.perf_counter() - start
    print(
        f"retention dry run over {Case.objects.count()} cases: {len(plan.cases)} past the "
        f"period, {took * 1000:.0f} ms, {len(queries)} queries"
    )

    if args.retention_cases:
        with transaction.atomic():
            ids = list(
                Case.objects.exclude(pk=case.pk)
                .order_by("pk")
                .values_list("pk", flat=True)[: args.retention_cases]
            )
            ten_years_ago = timezone.localdate().replace(year=timezone.localdate().year - 10)
            Case.objects.filter(pk__in=ids).update(status="closed", closed_on=ten_years_ago)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                run = retention_apply(today=timezone.localdate(), actor=None)
                took = time.perf_counter() - start
            rows = sum(r["rows"] for r in run.summary["records"].values())
            print(
                f"retention applied to {run.cases} cases: {rows} rows changed, "
                f"{took * 1000:.0f} ms, {len(queries)} queries (rolled back)"
            )
            transaction.set_rollback(True)

    tenant = case.tenancy.tenants.order_by("-is_lead", "pk").first()
    with tempfile.TemporaryDirectory() as root, override_settings(DOCUMENTS_ROOT=Path(root)):
        made = SubjectAccessRequest.objects.create(tenant=tenant, requested_by=officer)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            made = subject_access_produce(request_id=made.pk)
            took = time.perf_counter() - start
    records = sum(made.manifest.get("records", {}).values())
    print(
        f"subject access export of {tenant}: {made.status}, {records} records, "
        f"{made.size_bytes or 0} bytes, {took * 1000:.0f} ms, {len(queries)} queries"
    )


if __name__ == "__main__":
    main()
