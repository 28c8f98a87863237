"""How many fewer cases the officers' worktray holds than a naive arrears list, scored
against what the demo households really do.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_worktray \\
        .venv/bin/python bench/worktray.py --accounts 200000 --reseed

What it does, on PostgreSQL:

1. Seeds a council (`--reseed`, or an empty database; seed 1, as if today were
   2026-11-22). The seed records each household's story (demo.HouseholdStory): how it
   pays and what its arrears really are (a Universal Credit payer whose arrears are the
   monthly cycle, a Housing Benefit credit held for a few weeks, a non-payer, someone
   about to stop paying...).
2. Plays eight weeks forward, a day at a time. Each morning the nightly run decides
   every case (in this process, `arrears.services.nightly_run`, as `manage.py
   run_nightly` does; no Celery); then the day's money is posted as the households'
   stories say: rent charges on charge days (Mondays of charge weeks; the 1st for
   monthly tenancies), tenants' payments as a payment channel file, Housing Benefit as
   the HB schedule and UC paid direct as the DWP schedule, each file through
   `payments.imports.services.payment_file_import`, the set-based path production
   posts files with. Production has no set-based rent run yet (`charge_post` posts one
   account at a time), so the charges are posted the same way the import posts: one
   INSERT ... SELECT into the ledger and one grouped UPDATE of the balances.
3. Compares three lists each night: the worktray (open cases whose next action needs a
   person: see `needs_a_person`), "balance over zero" (the caseload's default list) and
   "owes more than a week's rent" (balance above the case's weekly charges).

The truth it scores against, per household, from its story: real arrears are what the
household owed at the start if its story is a real debt (a non-payer, an occasional
payer, a broken arrangement, a former tenant) or, for a payer, the payments it had
missed and not made up by then (recorded by the seed), plus what its own payments
have fallen short of what its cycle promises since (a missed direct debit, a payer who stops).
Benefit credits held in transit and the payment cycle itself (rent charged before the
payment day; UC's month in arrears and the five-week wait the seed left behind) are not
real arrears. Weeks are of net rent (the charge less Housing Benefit), the policy's
basis.

It prints, for the Mondays: each list's size and the share of the naive list the
worktray removes; a confusion table of each list against "real arrears of a week or
more" (household-Mondays); the worktray's cases by the household's story; and recall:
of the households under four weeks of real arrears at the start that reach four weeks
during the eight weeks, how many were on the worktray on a night before they got there
(up to the morning of that day, whose run sees the ledger to the day before), and how
many weeks before; split by where they started and by payment cycle; how many by the
morning after (a monthly payment missed is four weeks owed the day it falls due, which
no list can show before); and why each miss was missed. The last line is
`worktray reduction N% recall M%` (N: the share of the balance-over-zero list removed,
mean over the Mondays; M: recall before they got there).

`--nights mondays` runs the engine on Mondays only (fewer runs for a large council, but
letters then climb a rung a week, unlike production). `--policy FILE` first makes a
proposal (JSON naming the settings that change, as manage.py policy_preview reads) the
policy, so a policy change can be scored the same way. `--reseed` replaces everything in
the database it is pointed at.

What it leaves out: officers. Nobody records a contact, serves a notice or makes an
arrangement during the eight weeks, so a case the worktray puts in front of an officer
stays there (as it would if nobody worked it); the figures are the list the engine
hands over, not a caseload that is being worked. Only each case's main account plays
on (rechargeable repairs and court costs accounts stand still), no payment is returned,
and letters are queued but not rendered. Speed is not measured (bench/nightly.py does).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

SEED_TODAY = date(2026, 11, 22)  # a Sunday: the first simulated day is a Monday
WEEKS = 8
FOUR_WEEKS = 4
ONE_WEEK = 1
OVER_A_WEEK = "over a week's rent"

# Actions that wait or only watch: nothing for a person to do tonight. Every other
# action (a contact, a notice, a claim, a warrant, a court outcome to record, an
# assessment, a letter the run does not send itself) needs a person.
WAITING = frozenset(
    {
        "no_action",
        "monitor",
        "monitor_order",
        "monitor_arrangement",
        "await_bailiff",
        "wait_breathing_space",
        "paused",
    }
)


def needs_a_person(action: str, *, automatic_letters: bool, policy) -> bool:
    """Whether a case's next action is an officer's to take: not waiting or watching
    (arrears/actions.py: the MONITOR steps and the `due_*` waits), and not a letter the
    nightly run sends itself (the policy's automatic letters, on a patch that has them
    on: arrears/engine/decide.py `_letters`)."""
    from arrears.actions import ACTIONS, DUE_KEYS

    if not action or action in WAITING or action in DUE_KEYS:
        return False
    found = ACTIONS.get(action)
    if found is None:
        return True
    if found.letter is not None:
        return not (automatic_letters and policy.letter_is_automatic(found.letter.value))
    return True


@dataclass
class Household:
    case_id: int
    account_id: int
    reference: str
    kind: str
    truth: str
    profile: str
    cycle: str
    weekday: int
    month_day: int
    anchor: date | None
    monthly_charging: bool
    hb: float
    uc_direct: bool
    instalment: int  # pence
    stopped_on: date | None
    hb_from: date | None
    hb_weeks: int
    charge: int  # pence a week
    miss: float
    rng: random.Random
    carry: int = 0
    accrued: int = 0  # an occasional payer's rent since they last paid
    held: int = 0  # Housing Benefit credits held
    held_since: date | None = None
    real0: int = 0
    shortfall: int = 0
    basis: int = 0  # pence: a week of net rent
    reached: date | None = None  # the day real arrears reached four weeks

    @property
    def net(self) -> int:
        return self.charge - round(self.charge * self.hb)

    def real(self) -> int:
        return max(0, self.real0 + self.shortfall)

    def real_weeks(self) -> float:
        return self.real() / self.basis if self.basis else 0.0

    def stopped(self, day: date) -> bool:
        return self.stopped_on is not None and day >= self.stopped_on


def pence(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def money(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


class Council:
    """The households' stories and the money they post, a day at a time."""

    def __init__(self, seed: int) -> None:
        from demo.generator import MISS_RATES
        from demo.models import REAL_TRUTHS, HouseholdStory

        self.households: list[Household] = []
        stories = HouseholdStory.objects.select_related("account", "case").order_by("case_id")
        for s in stories.iterator(chunk_size=5000):
            account = s.account
            h = Household(
                case_id=s.case_id,
                account_id=s.account_id,
                reference=account.reference,
                kind=account.kind,
                truth=s.truth,
                profile=s.profile,
                cycle=s.cycle,
                weekday=s.pays_weekday,
                month_day=s.pays_month_day,
                anchor=s.cycle_anchor,
                monthly_charging=s.monthly_charging,
                hb=float(s.hb_share),
                uc_direct=s.uc_direct,
                instalment=pence(s.instalment),
                stopped_on=s.stopped_on,
                hb_from=s.hb_held_from,
                hb_weeks=s.hb_held_weeks,
                charge=pence(account.weekly_charge),
                miss=MISS_RATES.get(s.profile, 0.0),
                rng=random.Random(f"{seed}:{s.case_id}:worktray"),
            )
            h.basis = h.net or h.charge
            if s.truth in REAL_TRUTHS and s.truth != "about_to_stop":
                h.real0 = max(0, pence(account.balance))
            else:
                # A payment missed and not yet made up is owed whatever the cycle; the
                # rest of the balance is the cycle (the seed's own words for it).
                h.carry = pence(s.missed)
                h.real0 = min(h.carry, max(0, pence(account.balance)))
            self.households.append(h)

    # ------------------------------------------------------------- one day's money
    def day(self, day: date, charge_week: bool, year_charge_weeks: int) -> dict[str, list]:
        """The day's charges and receipts: (household, pence) per kind of posting."""
        out: dict[str, list] = defaultdict(list)
        monday = day.weekday() == 0
        for h in self.households:
            self._household_day(h, day, monday, charge_week, year_charge_weeks, out)
        return out

    def _household_day(self, h, day, monday, charge_week, year_weeks, out) -> None:
        charged = 0
        if h.kind in ("rent", "garage") and h.charge:
            if h.monthly_charging:
                if day.day == 1:
                    charged = h.charge * 52 // 12
            elif monday and charge_week:
                charged = h.charge
        if charged:
            out["charge"].append((h, charged))
        # Housing Benefit is credited with each weekly charge, unless the claim is held.
        if h.hb and monday and charge_week and not h.monthly_charging:
            credit = round(h.charge * h.hb)
            held = h.hb_from is not None and h.hb_from <= day < h.hb_from + timedelta(
                weeks=h.hb_weeks
            )
            if held:
                h.held += credit
            else:
                out["housing_benefit"].append((h, credit + h.held))
                h.held = 0
        due = self._due(h, day, monday, charge_week, year_weeks, charged)
        if due is None:
            return
        promised, paid = due
        h.shortfall += promised - paid
        if paid > 0:
            out["uc_direct" if h.uc_direct else "payment"].append((h, paid))

    def _regular(self, h: Household, due: int, catch_up: float) -> int:
        """What a regular payer pays of `due`: now and then nothing, caught up later."""
        rng = h.rng
        if rng.random() < h.miss:
            h.carry += due
            return 0
        if h.carry and rng.random() < catch_up:
            due += h.carry
            h.carry = 0
        return due

    def _due(self, h, day, monday, charge_week, year_weeks, charged) -> tuple[int, int] | None:
        """(what the household's cycle promises today, what it pays), or None."""
        rng = h.rng
        truth = h.truth
        if truth == "former_tenant":
            if monday and (day.toordinal() // 7) % 4 == 0 and rng.random() < 0.15:
                return 0, rng.randint(500, 3000)
            return None
        if h.stopped(day):
            # A payer who has stopped: the cycle's promise goes unpaid, bar the odd sum.
            if not self._scheduled(h, day, monday, charge_week):
                return None
            paid = rng.randint(1000, 4000) if rng.random() < 0.05 else 0
            return self._promise(h, day, charge_week, year_weeks), paid
        if truth in ("non_payer", "occasional", "broken_arrangement"):
            if h.kind == "service_charges":
                return None  # a leaseholder who stopped: no demand falls due in the window
            # No cycle to keep: the rent is due as it is charged.
            promised = charged if h.monthly_charging else charged - round(charged * h.hb)
            if truth == "occasional":
                if monday:
                    h.accrued += promised if h.monthly_charging else h.net if charge_week else 0
                    if rng.random() < 0.4 and h.accrued > 0:
                        paid = round(h.accrued * rng.uniform(0.5, 1.05))
                        h.accrued -= paid
                        return promised, paid
                return (promised, 0) if promised else None
            if truth == "broken_arrangement":
                if monday and rng.random() < 0.3 and h.net and charge_week:
                    return promised, round(h.net * rng.uniform(0.3, 0.9))
                return (promised, 0) if promised else None
            if monday and rng.random() < 0.05:
                return promised, rng.randint(1000, 4000)
            return (promised, 0) if promised else None
        if not self._scheduled(h, day, monday, charge_week):
            return None
        promise = self._promise(h, day, charge_week, year_weeks)
        if h.cycle == "weekly":
            if truth == "arrangement":
                paid = 0 if rng.random() < h.miss else promise
                return promise, paid
            paid = self._regular(h, promise, 0.5)
            if paid and rng.random() < 0.05:
                paid += rng.choice((500, 1000))
            return promise, paid
        if h.cycle == "fortnightly":
            return promise, self._regular(h, promise, 0.7)
        if h.cycle == "four_weekly":
            return promise, self._regular(h, promise, 0.9)
        if h.cycle == "every_30_days":
            return promise, (0 if rng.random() < 0.04 else promise)
        if h.cycle == "monthly":
            if h.uc_direct:
                return promise, promise
            if h.profile == "uc_monthly":
                paid = self._regular(h, promise, 0.5)
                if paid and rng.random() < 0.05:
                    paid = round(paid * 0.8)
                return promise, paid
            return promise, self._regular(h, promise, 0.9)
        return None

    @staticmethod
    def _scheduled(h: Household, day: date, monday: bool, charge_week: bool) -> bool:
        if h.cycle == "weekly":
            paying_week = charge_week or h.truth == "arrangement"
            return day.weekday() == h.weekday and paying_week
        if h.cycle in ("fortnightly", "four_weekly", "every_30_days") and h.anchor:
            period = {"fortnightly": 14, "four_weekly": 28, "every_30_days": 30}[h.cycle]
            return (day - h.anchor).days % period == 0
        if h.cycle == "monthly":
            return day.day == h.month_day
        return False

    @staticmethod
    def _promise(h: Household, day: date, charge_week: bool, year_weeks: int) -> int:
        annual_weekly = h.charge * year_weeks // 52
        if h.cycle == "weekly":
            net = h.net if charge_week else 0
            return net + (h.instalment if h.truth == "arrangement" else 0)
        if h.cycle == "fortnightly":
            return 2 * annual_weekly
        if h.cycle == "four_weekly":
            return 4 * annual_weekly
        if h.cycle == "every_30_days":
            return h.charge * 52 // 12
        if h.cycle == "monthly":
            return h.charge * (52 if h.monthly_charging else year_weeks) // 12
        return 0


# ----------------------------------------------------------------- posting the money


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


# The channel file's method codes (payments/imports/layouts/channel_csv.toml) by profile.
METHODS = {"monthly_dd": "DD", "four_weekly_dd": "DD", "fortnightly": "SO"}


def post_day(day: date, lines: dict[str, list]) -> int:
    """Post the day's money as production does; returns the ledger lines written."""
    from payments.imports.services import payment_file_import

    posted = 0
    stamp = day.strftime("%d/%m/%Y")
    if lines["charge"]:
        posted += _post_charges(day, lines["charge"])
    payments = lines["payment"]
    if payments:
        rows = [["Receipt date", "Account reference", "Amount", "Method", "Reference"]]
        for n, (h, amount) in enumerate(payments, start=1):
            method = METHODS.get(h.profile, "PAYPOINT")
            rows.append([stamp, h.reference, money(amount), method, f"SIM{day:%Y%m%d}{n:07d}"])
        _import(payment_file_import, rows, f"channel-{day}.csv", "channel_csv", day)
        posted += len(payments)
    benefit = lines["housing_benefit"]
    if benefit:
        start = (day - timedelta(days=6)).strftime("%d/%m/%Y")
        rows = [["Account", "Period from", "Period to", "Amount", "Adjustments"]]
        rows += [[h.reference, start, stamp, money(amount), "0.00"] for h, amount in benefit]
        rows.append(["TOTAL", "", "", money(sum(a for _, a in benefit)), ""])
        _import(payment_file_import, rows, f"hb-{day}.csv", "housing_benefit", day)
        posted += len(benefit)
    direct = lines["uc_direct"]
    if direct:
        period = f"{(day - timedelta(days=30)).strftime('%d/%m/%Y')}-{stamp}"
        rows = [["Settlement reference", "Claimant", "Account", "Amount", "Period"]]
        rows += [
            [f"UC{day:%Y%m%d}{n:07d}", "Claimant", h.reference, str(amount), period]
            for n, (h, amount) in enumerate(direct, start=1)
        ]
        _import(payment_file_import, rows, f"uc-{day}.csv", "universal_credit", day)
        posted += len(direct)
    return posted


def _import(payment_file_import, rows, filename: str, format_name: str, day: date) -> None:
    result = payment_file_import(
        content=_csv(rows), filename=filename, format_name=format_name, today=day
    )
    if result.totals.suspense:
        raise SystemExit(f"{filename}: {result.totals.suspense} lines matched no open account")


def _post_charges(day: date, charges: list) -> int:
    """The day's rent charges, set-based: staged by COPY, one INSERT ... SELECT into the
    ledger and one UPDATE of the balances grouped by account (the payment import's shape)."""
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_charges (account_id bigint, amount numeric(12, 2))"
            " ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_charges (account_id, amount) FROM STDIN") as copy:
            for h, amount in charges:
                copy.write_row((h.account_id, money(amount)))
        cursor.execute(
            """
            INSERT INTO payments_transaction (account_id, kind, effective_date, posted_at,
                amount, method, source, source_reference, description, created_by_id,
                reverses_id)
            SELECT account_id, 'charge', %s, %s, amount, '', 'rent_run',
                   'rent-' || %s || '-' || account_id, 'Rent and service charges', NULL, NULL
            FROM bench_charges
            """,
            [day, timezone.now(), day.isoformat()],
        )
        cursor.execute(
            """
            UPDATE payments_account a SET balance = a.balance + c.total
            FROM (SELECT account_id, sum(amount) AS total FROM bench_charges
                  GROUP BY account_id) c
            WHERE a.id = c.account_id
            """
        )
    return len(charges)


# ----------------------------------------------------------------- the lists


TRAY_ACTIONS: Counter[str] = Counter()  # tonight's worktray by next action


def lists_tonight(weekly: dict[int, Decimal], policy) -> dict[str, set[int]]:
    """Tonight's three lists of open cases, as the nightly run left them."""
    from django.db import connection

    naive, week, tray = set(), set(), set()
    actions = TRAY_ACTIONS
    actions.clear()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, c.balance, c.next_action, p.automatic_letters
            FROM cases_case c JOIN cases_patch p ON p.id = c.patch_id
            WHERE c.status = 'open'
            """
        )
        for case_id, balance, action, automatic in cursor.fetchall():
            if balance > 0:
                naive.add(case_id)
                if balance > weekly.get(case_id, Decimal(0)):
                    week.add(case_id)
            if needs_a_person(action, automatic_letters=automatic, policy=policy):
                tray.add(case_id)
                actions[action] += 1
    return {"balance over zero": naive, OVER_A_WEEK: week, "worktray": tray}


def weekly_charges() -> dict[int, Decimal]:
    from django.db.models import Sum

    from payments.models import Account

    return {
        row["case_id"]: row["weekly"] or Decimal(0)
        for row in Account.objects.filter(status=Account.Status.OPEN)
        .values("case_id")
        .annotate(weekly=Sum("weekly_charge"))
    }


def rent_weeks(first: date, last: date) -> dict[date, tuple[bool, int]]:
    """Each Monday: whether rent is charged that week, and the charge weeks in its year."""
    from payments.calendar import charge_weeks_between, rent_year_bounds, rent_year_weeks

    weeks = charge_weeks_between(first, last)
    out = {}
    for monday, is_charge in weeks.items():
        start_year = monday.year if monday >= rent_year_bounds(monday.year)[0] else monday.year - 1
        out[monday] = (is_charge, sum(w.is_charge_week for w in rent_year_weeks(start_year)))
    return out


# ----------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, default=WEEKS)
    parser.add_argument(
        "--nights",
        choices=("daily", "mondays"),
        default="daily",
        help="Run the engine every night (as production does) or on Mondays only.",
    )
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument(
        "--policy",
        type=Path,
        default=None,
        help="A JSON file naming policy settings to change first (as manage.py "
        "policy_preview --policy), made a new policy version by the demo administrator.",
    )
    parser.add_argument(
        "--reseed", action="store_true", help="Replace whatever the database holds."
    )
    args = parser.parse_args()

    from _database import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from arrears.models import NightlyRun
    from arrears.selectors import policy_in_force
    from arrears.services import nightly_run, tidy_after_run
    from cases.models import Case
    from demo.models import HouseholdStory
    from demo.seed import seed_council

    if connection.vendor != "postgresql":
        sys.exit("Benchmark PostgreSQL: set DATABASE_URL (SQLite is for trying the service).")
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if args.reseed or not Case.objects.exists():
        print(f"seeding {args.accounts:,} accounts with {args.years} years of history ...")
        seed_council(
            accounts=args.accounts,
            years=args.years,
            seed=args.seed,
            today=SEED_TODAY,
            reset=True,
        )
    if NightlyRun.objects.exists() or not HouseholdStory.objects.exists():
        sys.exit(
            "The database must be freshly seeded by this checkout (household stories, no "
            "nightly run yet): run again with --reseed."
        )
    if args.policy is not None:
        _adopt_policy(args.policy)
    seed_value = HouseholdStory.objects.values_list("seed", flat=True).first()
    council = Council(seed_value)
    weekly = weekly_charges()
    policy = policy_in_force()
    first_day = SEED_TODAY + timedelta(days=1)
    days = [first_day + timedelta(days=i) for i in range(7 * args.weeks)]
    calendar = rent_weeks(first_day, days[-1])
    by_case = {h.case_id: h for h in council.households}
    on_tray: dict[int, list[date]] = defaultdict(list)
    mondays: list[tuple[date, dict[str, set[int]], set[int]]] = []
    start_real_weeks = {h.case_id: h.real_weeks() for h in council.households}
    start_stage = dict(Case.objects.values_list("id", "stage"))
    engine_seconds = posting_seconds = 0.0
    lines_posted = 0
    for day in days:
        if args.nights == "daily" or day.weekday() == 0:
            clock = time.monotonic()
            nightly_run(run_date=day, chunk_size=args.chunk_size, start_letters=False)
            tidy_after_run()
            engine_seconds += time.monotonic() - clock
            lists = lists_tonight(weekly, policy)
            for case_id in lists["worktray"]:
                on_tray[case_id].append(day)
            if day.weekday() == 0:
                # Truth as the run saw the ledger: up to yesterday.
                real = {h.case_id for h in council.households if h.real_weeks() >= ONE_WEEK}
                mondays.append((day, lists, real))
        monday = day - timedelta(days=day.weekday())
        charge_week, year_weeks = calendar[monday]
        clock = time.monotonic()
        lines = council.day(day, charge_week, year_weeks)
        lines_posted += post_day(day, lines)
        posting_seconds += time.monotonic() - clock
        for h in council.households:
            under = h.reached is None and start_real_weeks[h.case_id] < FOUR_WEEKS
            if under and h.real_weeks() >= FOUR_WEEKS:
                h.reached = day
    report(args, council, by_case, on_tray, mondays, start_real_weeks, start_stage, days)
    print(
        f"\nseconds: engine {engine_seconds:.0f} (nightly run and its tidy-up, "
        f"{'every night' if args.nights == 'daily' else 'Mondays'}), posting "
        f"{posting_seconds:.0f} ({lines_posted:,} ledger lines), all "
        f"{time.monotonic() - started:.0f}"
    )
    tray_share, recall = SUMMARY
    print(f"worktray reduction {tray_share:.0f}% recall {recall:.0f}%")


SUMMARY: list[float] = []


def _adopt_policy(path: Path) -> None:
    """Make the proposal in `path` the policy before the first night (policy as data)."""
    import json

    from arrears.policy import merge_documents
    from arrears.services import policy_current, policy_version_create
    from core.models import User

    changes = json.loads(path.read_text())
    document = merge_documents(policy_current().document, changes)
    version = policy_version_create(
        document=document,
        note=f"bench/worktray.py --policy {path.name}",
        actor=User.objects.get(username="admin"),
    )
    print(f"policy       version {version.version} from {path}: {json.dumps(changes)}")


GRACE_WORKING_DAYS = 5  # arrears/policy.py default: technical grace_working_days
LUMP_CYCLES = frozenset({"monthly", "four_weekly", "every_30_days"})


def _why_missed(h: Household, start_real_weeks: dict[int, float], start_stage) -> str:
    if h.cycle in LUMP_CYCLES and (h.truth != "occasional"):
        return (
            "a monthly or four-weekly payment missed: four weeks owed the day it falls due, "
            "seen only after the grace"
        )
    if start_real_weeks[h.case_id] >= 1 and start_stage.get(h.case_id) not in ("none", None):
        return (
            "past the early contact at the start: letters 1, 2 and the pre-notice warning "
            "are automatic, so the next person's step is the notice"
        )
    return "other"


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def report(args, council, by_case, on_tray, mondays, start_real_weeks, start_stage, days) -> None:
    from django.db import connection

    households = council.households
    print(f"database     {connection.settings_dict['NAME']}")
    print(
        f"households   {len(households):,} (cases), {args.weeks} weeks from "
        f"{days[0]} to {days[-1]}, engine run {args.nights}"
    )
    truths = Counter(h.truth for h in households)
    print("stories      " + ", ".join(f"{k} {v:,}" for k, v in truths.most_common()))

    print("\nThe lists on each Monday (open cases)")
    print(f"{'night':<12}{'balance > 0':>13}{'> 1 week':>10}{'worktray':>10}{'removed':>9}")
    removed = []
    for day, lists, _real in mondays:
        naive = len(lists["balance over zero"])
        tray = len(lists["worktray"])
        share = 100 - _pct(tray, naive)
        removed.append(share)
        print(f"{day!s:<12}{naive:>13,}{len(lists[OVER_A_WEEK]):>10,}{tray:>10,}{share:>8.0f}%")
    mean_removed = sum(removed) / len(removed) if removed else 0.0
    week_removed = [
        100 - _pct(len(lists["worktray"]), len(lists[OVER_A_WEEK])) for _, lists, _ in mondays
    ]
    print(
        f"mean share removed: {mean_removed:.0f}% of the balance-over-zero list, "
        f"{sum(week_removed) / max(1, len(week_removed)):.0f}% of the over-a-week list"
    )

    print("\nConfusion against real arrears of a week or more (household-Mondays)")
    print(
        f"{'list':<22}{'on, real':>10}{'on, not':>10}{'off, real':>11}{'off, not':>10}"
        f"{'precision':>11}{'recall':>8}"
    )
    everyone = set(by_case)
    for name in ("balance over zero", OVER_A_WEEK, "worktray"):
        tp = fp = fn = tn = 0
        for _day, lists, real in mondays:
            listed = lists[name]
            tp += len(listed & real)
            fp += len(listed - real)
            fn += len(real - listed)
            tn += len(everyone - listed - real)
        print(
            f"{name:<22}{tp:>10,}{fp:>10,}{fn:>11,}{tn:>10,}"
            f"{_pct(tp, tp + fp):>10.0f}%{_pct(tp, tp + fn):>7.0f}%"
        )

    if mondays:
        last_day, lists, real = mondays[-1]
        print(f"\nBy story on {last_day} (cases on each list)")
        print(f"{'story':<20}{'cases':>8}{'real>=1wk':>10}{'bal > 0':>9}{'> 1 wk':>8}{'tray':>8}")
        for truth, count in truths.most_common():
            ids = {h.case_id for h in households if h.truth == truth}
            print(
                f"{truth:<20}{count:>8,}{len(ids & real):>10,}"
                f"{len(ids & lists['balance over zero']):>9,}"
                f"{len(ids & lists[OVER_A_WEEK]):>8,}{len(ids & lists['worktray']):>8,}"
            )

    print(f"\nThe worktray on {days[-1]} by next action")
    for action, count in TRAY_ACTIONS.most_common(12):
        print(f"  {count:>7,}  {action}")

    reached = [h for h in households if h.reached is not None]
    caught, early, missed = [], [], []
    for h in reached:
        before = [d for d in on_tray.get(h.case_id, []) if d <= h.reached]
        if before:
            caught.append(h)
            early.append((h.reached - before[0]).days / 7)
        else:
            missed.append(h)
    print(
        f"\nRecall: {len(reached):,} households under four weeks of real arrears at the start "
        f"reached four weeks during the {args.weeks} weeks"
    )
    print(
        f"on the worktray on a night before the day they got there: {len(caught):,} "
        f"({_pct(len(caught), len(reached)):.0f}%)"
    )
    if early:
        early.sort()
        print(
            f"weeks early: median {early[len(early) // 2]:.1f}, least {early[0]:.1f}, "
            f"most {early[-1]:.1f}"
        )
    for label, group in (
        ("under a week of real arrears at the start", lambda h: start_real_weeks[h.case_id] < 1),
        ("one to four weeks at the start", lambda h: start_real_weeks[h.case_id] >= 1),
        ("paid weekly, fortnightly or now and then", lambda h: h.cycle not in LUMP_CYCLES),
        ("paid monthly or four-weekly", lambda h: h.cycle in LUMP_CYCLES),
    ):
        members = [h for h in reached if group(h)]
        hits = [h for h in caught if group(h)]
        print(
            f"  {label}: {len(hits):,} of {len(members):,} ({_pct(len(hits), len(members)):.0f}%)"
        )
    # A payment missed by a monthly payer is four weeks owed on the day it falls due:
    # no list can show it before, so this counts the morning after as in time.
    next_morning = [
        h
        for h in reached
        if any(d <= h.reached + timedelta(days=1) for d in on_tray.get(h.case_id, []))
    ]
    print(
        f"on the worktray by the morning after the day they got there: {len(next_morning):,}"
        f" ({_pct(len(next_morning), len(reached)):.0f}%)"
    )
    late = []
    for h in missed:
        after = [d for d in on_tray.get(h.case_id, []) if d > h.reached]
        if after:
            late.append((after[0] - h.reached).days)
    late.sort()
    within = sum(1 for days_late in late if days_late <= 7)
    print(
        f"missed: {len(late):,} on the worktray later (median {late[len(late) // 2] if late else 0}"
        f" days after; {within:,} within a week, the technical-arrears grace being "
        f"{GRACE_WORKING_DAYS} working days), {len(missed) - len(late):,} never"
    )
    if missed:
        why = Counter(_why_missed(h, start_real_weeks, start_stage) for h in missed)
        print("missed, why:")
        for reason, count in why.most_common():
            print(f"  {count:>6,}  {reason}")
        print(
            "missed, by story: "
            + ", ".join(
                f"{k} {v}"
                for k, v in Counter(f"{h.truth}/{h.profile}" for h in missed).most_common()
            )
        )
        for h in missed[:6]:
            days_on = on_tray.get(h.case_id, [])
            print(
                f"  case {h.case_id} {h.truth}/{h.profile} ({h.cycle}), stage at the start "
                f"{start_stage.get(h.case_id)}, {start_real_weeks[h.case_id]:.1f} weeks real "
                f"then: reached four weeks {h.reached}, first on the worktray "
                f"{days_on[0] if days_on else 'never'}"
            )
    SUMMARY[:] = [mean_removed, _pct(len(caught), len(reached)) if reached else 100.0]


if __name__ == "__main__":
    main()
