"""Server time of the caseload and case pages on a seeded council, measured in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench \\
        .venv/bin/python bench/pages.py --requests 60

Each page is requested through Django's test client (middleware, view, queries and
template rendering: everything the server does, without the network) as the officer
of a patch of about 2,000 cases, or as a manager. It prints, per page, the median and
95th percentile of the whole request and of its database queries, and the number of
queries. It only reads. Targets (issue 4): caseload p95 under 80 ms, case page p95
under 120 ms, on PostgreSQL with 200,000 accounts; the performance dashboard (issue 12)
p95 under 150 ms. `--only dashboard` times those pages alone.
"""

import argparse
import html
import os
import re
import statistics
import sys
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--only", default="", help="time only the pages whose label starts with this"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models import Count, Min, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import Case, Patch, PatchCover
    from core.models import User

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        # Timing pages against an older schema (other indexes) would mislead.
        sys.exit(
            f"{len(pending)} migration(s) not applied to this database, first "
            f"{pending[0][0].app_label}.{pending[0][0].name}: run manage.py migrate."
        )
    # The pages are served as in production (DEBUG off), which reads the hashed names
    # of the static files from collectstatic's manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    today = timezone.localdate()
    # An officer who works one patch and covers none: about 2,000 cases.
    covering = PatchCover.objects.values_list("officer_id", flat=True)
    patch = (
        Patch.objects.filter(officer__isnull=False)
        .exclude(officer_id__in=covering)
        .annotate(case_count=Count("cases"))
        .order_by("code")
        .first()
    )
    if patch is None:
        sys.exit("No patch with an officer: seed the database first (bench/seed.py).")
    officer = patch.officer
    manager = User.objects.filter(groups__name="manager").first()
    # A case with two years of ledger that owes money: the page officers open most.
    case = (
        Case.objects.filter(patch=patch, rent_arrears__gt=0)
        .annotate(first_line=Min("accounts__transactions__effective_date"))
        .filter(first_line__lte=today.replace(year=today.year - 2))
        .order_by("-rent_arrears")
        .first()
    ) or Case.objects.filter(patch=patch).order_by("-rent_arrears").first()
    lines = Case.objects.filter(pk=case.pk).aggregate(
        lines=Count("accounts__transactions"),
        recent=Count(
            "accounts__transactions",
            filter=Q(
                accounts__transactions__effective_date__gte=today.replace(year=today.year - 2)
            ),
        ),
    )

    def client_for(user: User) -> Client:
        # Over HTTPS from behind the proxy, as production serves it: with DEBUG off a
        # plain-HTTP request is only redirected.
        client = Client(HTTP_HOST="bench.local", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user)
        # A manager's session counts as signed in once it has given the second factor
        # (accounts/rules.py): mark it given, through their confirmed authenticator.
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    officer_client, manager_client = client_for(officer), client_for(manager)
    first_page = officer_client.get(
        "/", {"sort": "weeks", "arrears": ["250_to_1000", "1000_to_2500", "over_2500"]}
    )
    # The page's own "Next" link (outside the test runner there is no response.context).
    next_link = re.search(r'href="\?([^"]+)" rel="next"', first_page.content.decode())
    next_query = html.unescape(next_link.group(1)) if next_link else None
    if next_query is None:
        sys.exit("The first caseload page has no next page: seed more cases.")

    pages = [
        ("caseload: owing cases, most arrears first", officer_client, "/"),
        (
            "caseload: filtered by arrears band and tenure, sorted by weeks",
            officer_client,
            "/?arrears=250_to_1000&arrears=1000_to_2500&arrears=over_2500&tenure=secure"
            "&tenure=introductory&sort=weeks",
        ),
        (
            "caseload: not contacted in 28 days, oldest first",
            officer_client,
            "/?contact_older_than=28&sort=contact",
        ),
        ("caseload: search by surname", officer_client, "/?q=smith"),
        (
            "caseload: second page (keyset)",
            officer_client,
            f"/?{next_query}",
        ),
        ("caseload: htmx rows swap", officer_client, "/?stage=pre_notice&sort=due"),
        ("caseload: manager, one patch", manager_client, f"/?patch={patch.code}&sort=weeks"),
        ("case page: timeline, figures, chart", officer_client, f"/cases/{case.pk}/"),
        ("case page: two-year statement", officer_client, f"/cases/{case.pk}/statement/"),
        ("case page: household and contacts", officer_client, f"/cases/{case.pk}/household/"),
        ("case page: arrangement", officer_client, f"/cases/{case.pk}/arrangement/"),
        ("dashboard: council", manager_client, "/performance/"),
        ("dashboard: patch", manager_client, f"/performance/patches/{patch.pk}/"),
        ("dashboard: the officer's own", officer_client, f"/performance/officers/{officer.pk}/"),
    ]
    pages = [page for page in pages if page[0].startswith(args.only)]
    print(f"database   {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"cases      {Case.objects.count():,} in {Patch.objects.count()} patches")
    print(f"officer    {officer.username}, patch {patch.code} with {patch.case_count:,} cases")
    print(f"case       {case.reference}: {lines['lines']:,} ledger lines,", end=" ")
    print(f"{lines['recent']:,} in the last two years")
    print(f"requests   {args.requests} per page after {args.warmup} to warm up\n")
    print(f"{'page':<66} {'median':>8} {'p95':>8} {'db p95':>8} {'queries':>8}")
    for label, client, url in pages:
        headers = (
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "caseload"} if "htmx" in label else {}
        )
        for _ in range(args.warmup):
            assert client.get(url, **headers).status_code == 200, url
        totals, database = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url, **headers)
            totals.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        # The database's share, measured apart: capturing queries costs a little itself.
        for _ in range(max(10, args.requests // 3)):
            with CaptureQueriesContext(connection) as queries:
                client.get(url, **headers)
            database.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        print(
            f"{label:<66} {statistics.median(totals):>6.1f}ms {percentile(totals, 0.95):>6.1f}ms"
            f" {percentile(database, 0.95):>6.1f}ms {len(queries.captured_queries):>8}"
        )


if __name__ == "__main__":
    main()
