"""Fifty officers at once on the production server setup, alone and while the nightly run goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_load \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/load.py --seconds 120 [--with-nightly]

Seed the database first (`bench/seed.py --accounts 200000` with the same DATABASE_URL);
give REDIS_URL a Redis database of its own, as the workers started here take whatever is
queued on it.

It starts the server as docker-compose.yml's `web` does (gunicorn, config.wsgi, 3 sync
workers, timeout 60, DEBUG off, whitenoise's manifest of collected static files) but bound
to 127.0.0.1 on a free port, and a Celery worker as its `worker` does (a prefork pool of
2). Every request says `X-Forwarded-Proto: https`, as the reverse proxy does, so the
production HTTPS settings (redirect, secure cookies, CSRF's origin check) apply. It
creates (once) fifty bench officers, `load01` to `load50`, each covering one patch
(one patch each when there are fifty, else shared), sets them a fresh random password,
and signs each in through the sign-in form. Then each officer repeats a journey, with
`--think` seconds (uniform, 0.5 to 1.5 times it) between steps, until `--seconds` pass:

- caseload with filters (one of seven filter sets the team uses), sometimes its next page;
- a case from that page: its timeline, then one of its sections (statement, household,
  arrangement, notices, documents);
- record a contact: the form, then its POST (a phone call), which redirects to the case;
- on one journey in three, take a telephone payment: the form, then its POST.

Every response's status is checked (200 for pages, 302 for a POST that succeeded; a
400 is a refused form), and each step's p50/p95/p99 are printed with its errors, and
the throughput. The first `--warmup` seconds are not counted.

The floor, measured in the same run: a probe asks `/healthz` (one `SELECT 1`, no page
work) twice a second alongside the officers, so it waits for a gunicorn worker like
they do; it is what a request costs here before the page does anything.

`--with-nightly` starts the nightly run (every open case; the next date after the last
run, or `--date`) on the worker once the warm-up is over, as beat would, and keeps the
officers going until it has finished (at least `--seconds`, at most `--run-limit`); the
requests made while it ran are reported as a table of their own, with the run's time.

Left out: letters (the run is started with `start_letters=False`, as bench/nightly.py
does; bench/documents.py measures rendering), TLS and the reverse proxy, and officers'
real reading time (a click every five seconds is several times an officer's pace on the
telephone, so the load is heavier than fifty real officers make; `--think 1` is a stress
test that saturates three sync workers on two cores). The bench's own client threads share
the machine's cores with the server; their CPU time is printed.

It only talks to loopback addresses. It writes contacts and payments (and the bench
officers) into the database it is given, so give it one of its own. It stops everything
it started at the end, on Ctrl-C or SIGTERM, and after `--seconds` plus `--run-limit`
plus ten minutes whatever happens.

Figures measured on 200,000 accounts are in docs/architecture.md ("Under load").
"""

import argparse
import contextlib
import html
import http.client
import ipaddress
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# This process only prepares the officers and starts the run; the server it starts gets
# production settings of its own (server_environment).
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
# The demo seeds the bench database's bank details under the local-only key, and this
# runs with DEBUG off, which asks for a key: give it that one, so they still read.
from config.keys import LOCAL_ONLY_FIELD_KEY  # noqa: E402

os.environ.setdefault("FIELD_ENCRYPTION_KEYS", LOCAL_ONLY_FIELD_KEY)

OFFICERS = 50
# Filter sets an officer uses on the caseload (cases/caseload.py's parameters).
CASELOAD_FILTERS = [
    {},
    {"sort": "weeks", "arrears": ["250_to_1000", "1000_to_2500", "over_2500"]},
    {
        "arrears": ["250_to_1000", "1000_to_2500", "over_2500"],
        "tenure": ["secure", "introductory"],
        "sort": "weeks",
    },
    {"contact_older_than": "28", "sort": "contact"},
    {"stage": "pre_notice", "sort": "due"},
    {"q": "smith"},
    {"sort": "due"},
]
SECTIONS = ["statement", "household", "arrangement", "notices", "documents"]
STEPS = [
    "floor: /healthz",
    "caseload (filtered)",
    "caseload: next page",
    "case page: timeline",
    "case page: a section",
    "contact form",
    "record a contact (POST)",
    "payment form",
    "take a payment (POST)",
]


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


@dataclass
class Sample:
    step: str
    started: float
    ms: float
    ok: bool
    detail: str = ""


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Unexpected(Exception):
    """A response the journey cannot go on from (already counted as an error)."""


class FormFields(HTMLParser):
    """The fields of the page's POST form with their default values, as a browser sends."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_post_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_post_form = a.get("method", "").lower() == "post" and "logout" not in a.get(
                "action", ""
            )
        if not self._in_post_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind != "submit":
                self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self.fields or "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    return parser.fields


class Officer:
    """One signed-in browser: its cookies, and requests timed from the client's side."""

    def __init__(self, host: str, port: int, results: Results, counting: threading.Event):
        self.host, self.port = host, port
        self.results = results
        self.counting = counting
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{host}:{port}"

    def request(
        self, step: str, method: str, path: str, data: dict | None = None, expect: int = 200
    ) -> tuple[int, dict[str, str], str]:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        headers = {
            "Host": f"{self.host}:{self.port}",
            # What the reverse proxy sets on every request it passes on (README).
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "User-Agent": "bench/load.py",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.monotonic()
        status, detail, text, location = 0, "", "", ""
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=90)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                status = response.status
                location = response.getheader("Location") or ""
                for raw in response.msg.get_all("Set-Cookie") or []:
                    cookie = SimpleCookie()
                    cookie.load(raw)
                    for name, morsel in cookie.items():
                        if morsel["max-age"] == "0" or morsel.value == "":
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
            finally:
                connection.close()
        except OSError as exc:
            detail = f"{type(exc).__name__}: {exc}"
        ms = (time.monotonic() - started) * 1000
        ok = status == expect
        if not ok and not detail:
            detail = f"{status} {path}" + (f" -> {location}" if location else "")
        if self.counting.is_set():
            self.results.add(Sample(step, started, ms, ok, detail))
        if not ok:
            raise Unexpected(detail)
        return status, {"location": location}, text

    def sign_in(self, username: str, password: str) -> None:
        _, _, page = self.request("sign in", "GET", "/login/")
        fields = form_fields(page)
        fields.update(username=username, password=password)
        _, headers, _ = self.request("sign in", "POST", "/login/", fields, expect=302)
        if "/login" in headers["location"]:
            raise Unexpected(f"{username} was not signed in")


def journey(officer: Officer, rng: random.Random, think: float, stop: threading.Event, n: int):
    def pause() -> None:
        stop.wait(rng.uniform(0.5 * think, 1.5 * think))

    def fill_date(fields: dict, name: str, day: date) -> None:
        fields.update(
            {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}
        )

    filters = rng.choice(CASELOAD_FILTERS)
    _, _, page = officer.request("caseload (filtered)", "GET", "/?" + urlencode(filters, True))
    next_link = re.search(r'href="\?([^"]+)" rel="next"', page)
    if next_link and rng.random() < 0.3:
        pause()
        _, _, page = officer.request(
            "caseload: next page", "GET", "/?" + html.unescape(next_link.group(1))
        )
    cases = re.findall(r'href="/cases/(\d+)/"', page)
    if not cases:
        # A filter that matches nothing in this patch: the officer tries another.
        return
    case = rng.choice(cases)
    pause()
    officer.request("case page: timeline", "GET", f"/cases/{case}/")
    pause()
    officer.request("case page: a section", "GET", f"/cases/{case}/{rng.choice(SECTIONS)}/")
    if stop.is_set():
        return
    pause()
    _, _, page = officer.request("contact form", "GET", f"/cases/{case}/contact/")
    fields = form_fields(page)
    today = date.today()
    fields.update(
        channel="phone",
        direction="outbound",
        outcome="spoke_to_tenant",
        summary="Rang about the arrears; tenant will call back after payday. (bench/load.py)",
    )
    fill_date(fields, "contacted_on", today)
    pause()
    officer.request("record a contact (POST)", "POST", f"/cases/{case}/contact/", fields, 302)
    if n % 3 or stop.is_set():
        return
    pause()
    _, _, page = officer.request("payment form", "GET", f"/cases/{case}/payment/")
    fields = form_fields(page)
    # Amounts differ from one payment to the next, so none looks like a repeat of
    # another the same day (which the service rightly asks to confirm).
    amount = 5 + (PAYMENT_COUNTER.next() % 20000) / 100
    fields.update(amount=f"{amount:.2f}", card_reference=f"LOAD{secrets.token_hex(6).upper()}")
    pause()
    officer.request("take a payment (POST)", "POST", f"/cases/{case}/payment/", fields, 302)


class Counter:
    def __init__(self, start: int) -> None:
        self.value = start
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.value += 1
            return self.value


PAYMENT_COUNTER = Counter(random.randrange(20000))


def officer_loop(officer: Officer, seed: int, think: float, stop: threading.Event) -> None:
    rng = random.Random(seed)
    # Officers do not all click at once.
    stop.wait(rng.uniform(0, think))
    n = 0
    while not stop.is_set():
        try:
            journey(officer, rng, think, stop, n)
        except Unexpected:
            stop.wait(think)
        n += 1
        stop.wait(rng.uniform(0.5 * think, 1.5 * think))


def probe_loop(officer: Officer, stop: threading.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(Unexpected):
            officer.request("floor: /healthz", "GET", "/healthz")
        stop.wait(0.5)


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def server_environment(scratch: Path, host: str) -> dict[str, str]:
    """docker-compose.yml's environment for the app, with this machine's database."""
    env = os.environ.copy()
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=host.strip("[]"),
        TIME_ZONE="Europe/London",
        STATIC_ROOT=str(scratch / "static"),
        DOCUMENTS_ROOT=str(scratch / "documents"),
        HMS_WRITEBACK_DIR=str(scratch / "exports"),
        LOG_LEVEL="WARNING",
    )
    env.pop("STATICFILES_BACKEND", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    return env


class Started:
    """The processes this bench started; each in a process group of its own."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict, log: Path) -> subprocess.Popen:
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Whatever the group still holds (a gunicorn or pool child) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for_server(host: str, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {process.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer /healthz within a minute; see {log}")


def bench_officers(password: str) -> list[str]:
    """Fifty officers, each covering one patch (shared when there are fewer patches),
    all with this password; created on the first run, given a fresh password each run."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from cases.models import Patch, PatchCover
    from core.models import Role, User

    today = timezone.localdate()
    patches = list(Patch.objects.filter(cases__isnull=False).distinct().order_by("code"))
    if not patches:
        sys.exit("No patch has cases: seed the database first (bench/seed.py).")
    group = Group.objects.get(name=Role.OFFICER.value)
    hashed = make_password(password)
    names = []
    with transaction.atomic():
        for number in range(1, OFFICERS + 1):
            username = f"load{number:02d}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": "Load",
                    "last_name": f"Officer {number}",
                    "job_title": "Income officer (bench/load.py)",
                    "email": f"{username}@bench.invalid",
                },
            )
            user.password = hashed
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
            if created:
                user.groups.add(group)
            patch = patches[(number - 1) % len(patches)]
            current = PatchCover.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today),
                officer=user,
                patch=patch,
                starts_on__lte=today,
            )
            if not current.exists():
                PatchCover.objects.create(
                    patch=patch,
                    officer=user,
                    starts_on=today - timedelta(days=1),
                    ends_on=today + timedelta(days=60),
                    reason="bench/load.py",
                )
            names.append(username)
    return names


def start_run(run_date: date | None):
    """The nightly run's chunks on the workers, as beat's start_nightly_run sends them."""
    from arrears.models import NightlyRun
    from arrears.services import nightly_run_begin
    from arrears.tasks import dispatch_chunks

    if run_date is None:
        from django.utils import timezone

        # A date already run would only finish what is missing: take the next one.
        last = NightlyRun.objects.order_by("-run_date").values_list("run_date", flat=True).first()
        run_date = timezone.localdate()
        if last is not None and last >= run_date:
            run_date = last + timedelta(days=1)
    run = nightly_run_begin(run_date=run_date, trigger="command")
    last_task = dispatch_chunks(run, start_letters=False)
    return run, last_task


def table(title: str, samples: list[Sample], seconds: float) -> None:
    by_step: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_step[sample.step].append(sample)
    journeys = [s for s in samples if s.step != "floor: /healthz"]
    print()
    print(
        f"{title}: {len(journeys):,} requests in {seconds:.0f} s, "
        f"{len(journeys) / seconds:.1f} requests/s, "
        f"{sum(not s.ok for s in journeys)} errors"
    )
    print(
        f"  {'step':<26} {'requests':>9} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>7}"
    )
    for step in STEPS:
        rows = by_step.get(step)
        if not rows:
            continue
        ms = [s.ms for s in rows]
        print(
            f"  {step:<26} {len(rows):>9,} {percentile(ms, 0.5):>6.0f}ms "
            f"{percentile(ms, 0.95):>6.0f}ms {percentile(ms, 0.99):>6.0f}ms "
            f"{max(ms):>6.0f}ms {sum(not s.ok for s in rows):>7}"
        )
    errors = defaultdict(int)
    for sample in samples:
        if not sample.ok:
            errors[f"{sample.step}: {sample.detail}"] += 1
    for text, count in sorted(errors.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {text}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=120, help="How long the officers work.")
    parser.add_argument("--warmup", type=int, default=10, help="Seconds not counted first.")
    parser.add_argument("--officers", type=int, default=OFFICERS, help=f"At most {OFFICERS}.")
    parser.add_argument("--think", type=float, default=5.0, help="Mean seconds between steps.")
    parser.add_argument("--host", default="127.0.0.1", help="Loopback address to bind.")
    parser.add_argument("--with-nightly", action="store_true", help="Run the night meanwhile.")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="Run date.")
    parser.add_argument(
        "--run-limit", type=int, default=900, help="Stop waiting for the run after this."
    )
    parser.add_argument("--concurrency", type=int, default=2, help="The worker's pool size.")
    args = parser.parse_args()
    if not loopback(args.host):
        sys.exit(f"{args.host} is not a loopback address: this bench only talks to this machine.")
    for url_name in ("DATABASE_URL", "REDIS_URL"):
        url_host = urlsplit(os.environ.get(url_name, "")).hostname
        if url_host and not loopback(url_host):
            sys.exit(f"{url_name} points at {url_host}: this bench only uses loopback services.")
    if not 1 <= args.officers <= OFFICERS:
        sys.exit(f"--officers must be between 1 and {OFFICERS}.")

    from _database import ensure_database

    ensure_database()
    if args.with_nightly and not os.environ.get("REDIS_URL"):
        sys.exit("--with-nightly runs the night on Celery workers: set REDIS_URL.")
    hard_limit = args.warmup + args.seconds + (args.run_limit if args.with_nightly else 0) + 600

    def give_up(signum, _frame):
        raise SystemExit("stopped" if signum != signal.SIGALRM else "hard time limit reached")

    signal.signal(signal.SIGTERM, give_up)
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(hard_limit)

    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from arrears.models import NightlyRun
    from cases.models import Case, Patch

    if connection.vendor != "postgresql":
        sys.exit("Load-test PostgreSQL: set DATABASE_URL (SQLite is for trying the service).")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("Migrations are not applied to this database: run manage.py migrate.")

    scratch = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = server_environment(scratch, args.host)
    started = Started()
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = free_port(args.host)
        gunicorn_log = scratch / "gunicorn.log"
        gunicorn = started.start(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"{args.host}:{port}",
                "--workers",
                "3",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            env,
            gunicorn_log,
        )
        worker_log = scratch / "worker.log"
        if os.environ.get("REDIS_URL"):
            from config.celery import app, worker_command

            worker_name = f"load-{os.getpid()}@{socket.gethostname()}"
            started.start(
                worker_command(worker_name, concurrency=args.concurrency),
                env,
                worker_log,
            )
        password = secrets.token_urlsafe(16)
        usernames = bench_officers(password)[: args.officers]
        wait_for_server(args.host, port, gunicorn, gunicorn_log)
        if os.environ.get("REDIS_URL"):
            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[worker_name], timeout=1.0):
                if time.monotonic() > deadline:
                    sys.exit(f"The Celery worker did not answer within a minute; see {worker_log}")

        results = Results()
        counting = threading.Event()
        officers = [Officer(args.host, port, results, counting) for _ in usernames]
        signing_in = time.monotonic()
        sign_in_errors = []

        def sign_in(pair):
            officer, username = pair
            try:
                officer.sign_in(username, password)
            except Unexpected as exc:
                sign_in_errors.append(f"{username}: {exc}")

        # Three at a time, one per gunicorn worker: each sign-in hashes the password.
        pending = list(zip(officers, usernames, strict=True))
        while pending:
            batch = [threading.Thread(target=sign_in, args=(p,)) for p in pending[:3]]
            pending = pending[3:]
            for thread in batch:
                thread.start()
            for thread in batch:
                thread.join()
        if sign_in_errors:
            sys.exit("Sign-in failed: " + "; ".join(sign_in_errors[:5]))
        signed_in = time.monotonic() - signing_in

        cases = Case.objects.filter(status="open").count()
        patches = Patch.objects.filter(covers__officer__username__in=usernames).distinct().count()
        print(f"database     {connection.settings_dict['NAME']}: {cases:,} open cases")
        print(f"server       gunicorn config.wsgi:application on {args.host}:{port}, 3 workers,")
        print(
            "             timeout 60, DEBUG off, X-Forwarded-Proto: https; logs in " + str(scratch)
        )
        print(
            f"officers     {len(officers)} signed in ({signed_in:.1f} s), working {patches} "
            f"patches; a step every {args.think:g} s on average"
        )
        print(f"machine      {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")

        cpu_before = os.times()
        threads = [
            threading.Thread(
                target=officer_loop, args=(officer, number, args.think, stop), daemon=True
            )
            for number, officer in enumerate(officers)
        ]
        probe = Officer(args.host, port, results, counting)
        threads.append(threading.Thread(target=probe_loop, args=(probe, stop), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        counting.set()
        began = time.monotonic()
        run = last_task = None
        run_window = None
        if args.with_nightly:
            run, last_task = start_run(args.date)
            run_started = time.monotonic()
            print(f"nightly run  {run.run_date} dispatched on the worker")
            finished_at = None
            while True:
                now = time.monotonic()
                if finished_at is None:
                    run.refresh_from_db()
                    if run.status != NightlyRun.Status.RUNNING:
                        finished_at = now
                if finished_at is not None and (last_task is None or last_task.ready()):
                    break
                if now - run_started > args.run_limit:
                    print(f"nightly run  not finished after {args.run_limit} s: stopping")
                    break
                time.sleep(0.5)
            run_window = (run_started, time.monotonic())
            remaining = args.seconds - (time.monotonic() - began)
            if remaining > 0:
                time.sleep(remaining)
        else:
            time.sleep(args.seconds)
        counting.clear()
        ended = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(timeout=100)
        cpu_after = os.times()
        client_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        load_average = os.getloadavg()[0]

        samples = list(results.samples)
        if run_window is None:
            table("Officers alone", samples, ended - began)
        else:
            low, high = run_window
            during = [s for s in samples if low <= s.started <= high]
            outside = [s for s in samples if not low <= s.started <= high]
            run.refresh_from_db()
            run_seconds = high - low
            print()
            print(
                f"nightly run  {run.run_date}: {run.get_status_display().lower()}, "
                f"{run.cases or 0:,} cases, {run_seconds:.1f} s from dispatch until its last "
                "task returned (its closing VACUUM included)"
            )
            if run.started_at and run.finished_at:
                own = (run.finished_at - run.started_at).total_seconds()
                print(f"             the run's own record: {own:.1f} s")
            table("While the nightly run went", during, run_seconds)
            if outside:
                table("Before and after the run", outside, (ended - began) - run_seconds)
        print()
        print(
            f"client       the bench's own threads used {client_cpu:.1f} s of CPU "
            f"({client_cpu / (ended - began):.2f} cores); load average {load_average:.1f} "
            "at the end"
        )
    finally:
        stop.set()
        started.stop()


if __name__ == "__main__":
    main()
