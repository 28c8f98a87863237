"""Seeding a demo council: people and patches through the ORM, the bulk through the loader."""

from __future__ import annotations

import math
import time
from base64 import b32encode
from binascii import hexlify, unhexlify
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.rules import needs_second_factor
from cases.models import Patch, PatchCover
from core.dates import week_start
from core.models import Role, User
from core.roles import ensure_roles
from demo.files import DemoFile, demo_files_write
from demo.generator import (
    Calendar,
    World,
    generate_batches,
    generate_batches_in_child,
)
from demo.loader import BulkLoader, analyze
from payments.calendar import rent_year_bounds, rent_year_ensure, rent_year_weeks

DEMO_PASSWORD = "arrears-demo-2026"
# The demo managers' and administrator's authenticator key. It is printed with the
# logins, so it protects nothing: the demo's accounts are the only ones given it, each
# device is named for it, and `manage.py demo_code` tells its code to no other device.
DEMO_TOTP_KEY = hexlify(b"arrears-demo-totp-26").decode()
DEMO_AUTHENTICATOR_NAME = "Demo authenticator (published key)"
CASES_PER_PATCH = 2000

OFFICER_NAMES = [
    ("Priya", "Shah"),
    ("Tom", "Walsh"),
    ("Grace", "Okafor"),
    ("Dan", "Hughes"),
    ("Marta", "Nowak"),
    ("Sam", "Reid"),
    ("Aisha", "Begum"),
    ("Chris", "Doherty"),
    ("Ruth", "Evans"),
    ("Kwame", "Mensah"),
    ("Helen", "Price"),
    ("Jay", "Patel"),
]


@dataclass
class Login:
    username: str
    role: str
    detail: str


@dataclass
class SeedResult:
    accounts: int = 0
    cases: int = 0
    ledger_lines: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    files: list[DemoFile] = field(default_factory=list)


class SeedRefused(Exception):
    pass


def _data_present() -> bool:
    from cases.models import Case

    return Case.objects.exists() or Patch.objects.exists()


# The apps whose rows hang off the council's cases and people. The record of reads keeps
# no database constraint to the case (privacy/models.py), so TRUNCATE ... CASCADE does
# not reach it and it must be named, or the users it protects could not be deleted.
SEEDED_APPS = frozenset(
    {
        "cases",
        "payments",
        "arrears",
        "notices",
        "court",
        "demo",
        "accounts",
        "privacy",
        "performance",
        "integrations",
        "integrations_api",
        "integrations_revenues",
    }
)
# Configuration, not council data: the write-off limits a migration set and the other
# systems' API tokens survive a reset.
KEPT_ON_RESET = frozenset({"performance.WriteOffLimit", "integrations_api.ApiClient"})


def reset_data() -> None:
    """Empty every table the seed fills, plus the records later features hang off them."""
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in SEEDED_APPS and m._meta.label not in KEPT_ON_RESET
    ]
    tables = [m._meta.db_table for m in models]
    users = User.objects.filter(is_superuser=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        users.delete()
        return
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=True):
            cursor.execute(statement)
    users.delete()


def _calendar(today: date, years: int) -> Calendar:
    start = week_start(today - timedelta(days=365 * years))
    first_rent_year = (rent_year_bounds(start.year)[0] > start and start.year - 1) or start.year
    week_is_charge: list[bool] = []
    week_year: list[int] = []
    year_charge_weeks: dict[int, int] = {}
    monday = start
    by_monday = {}
    for offset, start_year in enumerate(range(first_rent_year, today.year + 1)):
        rent_year_ensure(start_year)
        weeks = rent_year_weeks(start_year)
        year_charge_weeks[offset] = sum(w.is_charge_week for w in weeks)
        for w in weeks:
            by_monday[w.starts_on] = (w.is_charge_week, offset)
    while monday <= today:
        is_charge, offset = by_monday[monday]
        week_is_charge.append(is_charge)
        week_year.append(offset)
        monday += timedelta(days=7)
    # Re-base the year index so the first week of the span is year 0.
    first = week_year[0]
    week_year = [y - first for y in week_year]
    year_charge_weeks = {k - first: v for k, v in year_charge_weeks.items() if k >= first}
    return Calendar(start, today, week_is_charge, week_year, year_charge_weeks)


def _people(patch_count: int, password_hash: str, today: date) -> list[Patch]:
    groups = {g.name: g for g in Group.objects.all()}

    def user(username: str, first: str, last: str, role: Role, title: str, **extra) -> User:
        person = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@eastbrook.example.gov.uk",
            password=password_hash,
            job_title=title,
            **extra,
        )
        person.groups.add(groups[role.value])
        return person

    patches = []
    for number in range(1, patch_count + 1):
        first, last = OFFICER_NAMES[(number - 1) % len(OFFICER_NAMES)]
        officer = user(f"officer{number}", first, last, Role.OFFICER, "Income officer")
        patches.append(Patch(code=f"P{number:03d}", name=f"Patch {number:03d}", officer=officer))
    Patch.objects.bulk_create(patches)
    patches = list(Patch.objects.order_by("code"))
    for number in range(1, max(1, patch_count // 5) + 1):
        user(
            f"senior{number}",
            "Lee",
            f"Senior{number}",
            Role.SENIOR_OFFICER,
            "Senior income officer",
        )
    for number in range(1, max(1, patch_count // 10) + 1):
        user(f"manager{number}", "Morgan", f"Manager{number}", Role.MANAGER, "Income manager")
    user("admin", "Ada", "Admin", Role.ADMINISTRATOR, "Systems administrator", is_staff=True)
    # Two in finance, so one can ask for a suspense allocation and the other approve it.
    user("finance1", "Farah", "Finance", Role.FINANCE, "Income accountant")
    user("finance2", "Frank", "Finance", Role.FINANCE, "Finance officer")
    if len(patches) > 2:
        # Officer 1 is covering patch 3 while its officer is on leave.
        PatchCover.objects.create(
            patch=patches[2],
            officer=patches[0].officer,
            starts_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=11),
            reason="Annual leave",
        )
    return patches


def demo_authenticators_ensure(*, usernames: list[str]) -> list[str]:
    """Give each demo user whose role needs a second factor, and who has no authenticator
    yet, one with the published demo key; the usernames that have it."""
    given = []
    for person in User.objects.filter(username__in=usernames).prefetch_related("groups"):
        roles = [g.name for g in person.groups.all()]
        if not needs_second_factor(
            roles=roles, is_superuser=person.is_superuser, signed_in_with_provider=False
        ):
            continue
        device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=person, name=DEMO_AUTHENTICATOR_NAME, key=DEMO_TOTP_KEY, confirmed=True
            )
        if device.key == DEMO_TOTP_KEY:
            given.append(person.username)
    return sorted(given)


def demo_totp_key_for_people() -> str:
    """The demo key as an authenticator app's "enter a setup key" wants it (base32)."""
    key = b32encode(unhexlify(DEMO_TOTP_KEY)).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# What each demo login is for, beside what the database says of their patches.
LOGIN_NOTES = {
    "senior1": "any patch, read; adjustments",
    "manager1": "every patch; approvals",
    "admin": "also the Django admin at /admin/",
    "finance1": "payment files and suspense",
    "finance2": "approves finance1's suspense allocations",
}


DEMO_LOGINS = [
    "officer1",
    "officer2",
    "officer3",
    "senior1",
    "manager1",
    "admin",
    "finance1",
    "finance2",
]


def demo_logins(*, today: date) -> list[Login]:
    """The demo users a newcomer can sign in as, read from the database: the same list
    the night it was seeded and every time after, with the cover in force on `today`."""
    wanted = DEMO_LOGINS
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    with_code = set(demo_authenticators_ensure(usernames=wanted))
    covers: dict[int, list[str]] = {}
    for cover in (
        PatchCover.objects.filter(officer__username__in=wanted, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("patch")
        .order_by("patch__code")
    ):
        until = f" until {cover.ends_on:%-d %B}" if cover.ends_on else ""
        covers.setdefault(cover.officer_id, []).append(f"covering {cover.patch.code}{until}")
    logins = []
    for username in wanted:
        person = users.get(username)
        if person is None:
            continue
        patches = ", ".join(person.patches.order_by("code").values_list("code", flat=True))
        detail = [f"works {patches}"] if patches else []
        detail += covers.get(person.pk, [])
        if username in LOGIN_NOTES:
            detail.append(LOGIN_NOTES[username])
        if username in with_code:
            detail.append("then the demo authenticator's code")
        logins.append(Login(username, person.job_title or person.role_label, ", ".join(detail)))
    return logins


def seed_council(
    *,
    accounts: int,
    years: int = 2,
    seed: int = 1,
    today: date,
    reset: bool = False,
    progress: Callable[[int], None] | None = None,
    files_dir: Path | None = None,
) -> SeedResult:
    """Build a council with about `accounts` accounts and `years` years of ledger history,
    and with `files_dir` the next morning's payment files to import (demo/files.py)."""
    if accounts < 1:
        raise SeedRefused("--accounts must be at least 1")
    if not 1 <= years <= 10:
        raise SeedRefused("--years must be between 1 and 10")
    started = time.monotonic()
    ensure_roles()
    if _data_present():
        if not reset:
            raise SeedRefused("This database already has cases; run with --reset to replace them.")
        reset_data()

    result = SeedResult()
    with transaction.atomic():
        patch_count = max(3, math.ceil(accounts / CASES_PER_PATCH))
        patches = _people(patch_count, make_password(DEMO_PASSWORD), today)
        calendar = _calendar(today, years)
        world = World(
            seed=seed,
            calendar=calendar,
            patch_ids=[p.pk for p in patches],
            patch_codes=[p.code for p in patches],
            patch_officer_ids=[p.officer_id for p in patches],
        )
        loader = BulkLoader()
        loader.start()
        # On PostgreSQL a second process generates while this one streams COPY, so
        # Python and the database work at once on the machine's two cores.
        produce = (
            generate_batches_in_child if connection.vendor == "postgresql" else generate_batches
        )
        for batch, result.cases, result.accounts in produce(world, accounts):
            loader.write(batch)
            if progress:
                progress(result.accounts)
        loader.finish()
    analyze()
    if files_dir is not None:
        with transaction.atomic():
            result.files = demo_files_write(directory=files_dir, today=today)
    result.rows = dict(loader.rows_written)
    result.ledger_lines = loader.rows_written["payments.Transaction"]
    result.seconds = time.monotonic() - started
    result.logins = demo_logins(today=today)
    return result
