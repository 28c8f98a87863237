"""Builds a fictional council's tenancies, people, debts and ledgers, reproducibly.

Each case is generated from its own random stream (`seed` and its index), so the
same arguments always give the same council, whatever the chunk size. Rows come
out as tuples of strings (or None) in the column order declared in `COLUMNS`, so
the loader can stream them into PostgreSQL with COPY or into SQLite in batches.

Money is handled in whole pence (int) while generating, which is exact and fast,
and written as pounds with two decimal places.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from queue import Empty

from demo import names

# Column order of every row the generator emits, per table (model label).
COLUMNS: dict[str, tuple[str, ...]] = {
    "cases.Property": (
        "id",
        "reference",
        "kind",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "bedrooms",
        "patch_id",
    ),
    "cases.Tenancy": (
        "id",
        "reference",
        "property_id",
        "tenure",
        "landlord_name",
        "landlord_registered_provider",
        "ta_duty",
        "rent_period",
        "period_start_weekday",
        "period_anchor",
        "period_start_day",
        "start_date",
        "end_date",
        "trial_period_end",
        "fixed_term_end",
    ),
    "cases.Tenant": (
        "id",
        "tenancy_id",
        "is_tenant",
        "is_lead",
        "title",
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "mobile",
        "email",
        "preferred_contact",
        "language",
        "needs_interpreter",
        "preferred_format",
        "communication_needs",
    ),
    "cases.Case": (
        "id",
        "reference",
        "tenancy_id",
        "patch_id",
        "tenure",
        "status",
        "stage",
        "stage_changed_on",
        "opened_on",
        "last_contact_on",
        "balance",
        "rent_arrears",
        "weekly_charge",
        "weekly_net_rent",
        "weeks_in_arrears",
        "last_payment_on",
        "arrangement_state",
        "figures_on",
    ),
    "payments.Account": (
        "id",
        "reference",
        "case_id",
        "tenancy_id",
        "kind",
        "rent_lawfully_due",
        "status",
        "opened_on",
        "closed_on",
        "weekly_charge",
        "balance",
        "last_payment_on",
        "last_payment_amount",
    ),
    "payments.Transaction": (
        "id",
        "account_id",
        "kind",
        "effective_date",
        "posted_at",
        "amount",
        "method",
        "source",
        "source_reference",
        "description",
    ),
    "cases.Hold": (
        "id",
        "case_id",
        "kind",
        "reason",
        "starts_on",
        "until",
        "ended_on",
        "reference",
        "comment",
        "created_at",
        "all_evidence_supplied",
    ),
    "cases.VulnerabilityFlag": (
        "id",
        "case_id",
        "tenant_id",
        "kind",
        "details",
        "is_safeguarding",
        "recorded_on",
        "review_on",
    ),
    "cases.ProportionalityAssessment": (
        "id",
        "case_id",
        "step",
        "decision",
        "assessed_on",
        "vulnerabilities_considered",
        "support_and_referrals",
        "alternatives_tried",
        "reasons",
        "assessed_by_id",
    ),
    "cases.CourtCase": (
        "id",
        "case_id",
        "claim_number",
        "court_name",
        "issued_on",
        "hearing_at",
        "outcome",
        "order_date",
        "possession_date",
        "balance_at_order",
        "terms_instalment",
        "terms_frequency",
        "money_judgment",
        "costs_awarded",
    ),
    "cases.Warrant": (
        "id",
        "court_case_id",
        "form",
        "applied_on",
        "issued_on",
        "eviction_date",
        "outcome",
    ),
    "payments.Arrangement": (
        "id",
        "case_id",
        "account_id",
        "kind",
        "court_case_id",
        "frequency",
        "instalment",
        "includes_current_rent",
        "starts_on",
        "starting_balance",
        "state",
        "state_changed_on",
        "notes",
        "created_at",
    ),
    "payments.ArrangementCheck": (
        "id",
        "arrangement_id",
        "state",
        "checked_on",
        "expected_paid",
        "actual_paid",
        "description",
        "created_at",
    ),
    "notices.Notice": (
        "id",
        "case_id",
        "tenancy_id",
        "kind",
        "status",
        "arrears_amount",
        "served_on",
        "service_method",
        "deemed_served_on",
        "earliest_proceedings_date",
        "last_proceedings_date",
        "created_at",
        "created_by_id",
    ),
    "cases.Contact": (
        "id",
        "case_id",
        "tenant_id",
        "channel",
        "direction",
        "outcome",
        "summary",
        "contacted_on",
        "follow_up_on",
        "recorded_by_id",
        "recorded_at",
    ),
    "cases.CaseEvent": ("id", "case_id", "actor_id", "verb", "payload", "occurred_at"),
    # The household's story, for the benchmarks (demo/models.py): one row per case.
    "demo.HouseholdStory": (
        "id",
        "case_id",
        "account_id",
        "seed",
        "profile",
        "truth",
        "cycle",
        "pays_weekday",
        "pays_month_day",
        "cycle_anchor",
        "monthly_charging",
        "hb_share",
        "uc_direct",
        "instalment",
        "stopped_on",
        "hb_held_from",
        "hb_held_weeks",
        "missed",
    ),
}

# Contacts an officer makes about arrears: (channel, direction, outcome, summary), with
# weights. Only the attempts that reached someone carry a follow-up date.
CONTACT_KINDS = (
    (("phone", "outbound", "spoke_to_tenant", "Discussed the arrears and the rent due."), 30),
    (("phone", "outbound", "no_answer", "No answer."), 20),
    (("phone", "outbound", "message_left", "Left a message asking them to call back."), 15),
    (("visit", "outbound", "card_left", "No one in; left a calling card."), 10),
    (("visit", "outbound", "spoke_to_tenant", "Home visit: went through the arrears."), 8),
    (("phone", "inbound", "promise_to_pay", "Tenant called and promised to pay this week."), 10),
    (("email", "inbound", "spoke_to_tenant", "Tenant emailed asking for a statement."), 5),
    (("sms", "outbound", "sent", "Text reminding them of the arrears."), 2),
)
_CONTACTS = [kind for kind, _ in CONTACT_KINDS]
_CONTACT_WEIGHTS = [weight for _, weight in CONTACT_KINDS]
REACHED_OUTCOMES = frozenset({"spoke_to_tenant", "promise_to_pay"})

# Ledger rows are by far the most numerous, so they are emitted as ready-made COPY
# text lines (tab-separated, newline-terminated, no NULLs) rather than tuples.
LEDGER_IS_TEXT = "payments.Transaction"

# Tables in the order they must be written (parents before children).
TABLE_ORDER = tuple(COLUMNS)

TRUE, FALSE = "1", "0"


_POUNDS: dict[int, str] = {}


def pounds(pence: int) -> str:
    text = _POUNDS.get(pence)
    if text is None:
        sign = "-" if pence < 0 else ""
        whole = abs(pence)
        text = f"{sign}{whole // 100}.{whole % 100:02d}"
        if len(_POUNDS) < 500_000:
            _POUNDS[pence] = text
    return text


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def stamp(day: date, hour: int = 6) -> str:
    """A naive UTC timestamp; both databases read it as UTC under USE_TZ."""
    return f"{day.isoformat()} {hour:02d}:00:00"


@dataclass
class Calendar:
    """The ledger's span: one entry per day and per rent week from `start` to `today`."""

    start: date
    today: date
    week_is_charge: list[bool]
    week_year: list[int]
    year_charge_weeks: dict[int, int]
    day_iso: list[str] = field(init=False)
    day_stamp: list[str] = field(init=False)

    def __post_init__(self) -> None:
        days = (self.today - self.start).days + 1
        self.day_iso = [(self.start + timedelta(days=i)).isoformat() for i in range(days)]
        self.day_stamp = [f"{d} 06:00:00" for d in self.day_iso]

    @property
    def days(self) -> int:
        return len(self.day_iso)

    @property
    def weeks(self) -> int:
        return len(self.week_is_charge)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.start).days


@dataclass
class World:
    """Everything shared by all cases: ids handed out so far and the patches and users."""

    seed: int
    calendar: Calendar
    patch_ids: list[int]
    patch_codes: list[str]
    patch_officer_ids: list[int | None] = field(default_factory=list)
    system_user_id: int | None = None
    next_id: dict[str, int] = field(default_factory=dict)

    def take_id(self, table: str) -> int:
        value = self.next_id.get(table, 1)
        self.next_id[table] = value + 1
        return value


# Tenure mix of a mid-sized English stock-holding council (weights).
TENURE_WEIGHTS = (
    ("secure", 700),
    ("introductory", 60),
    ("flexible", 30),
    ("non_secure_tenancy", 40),
    ("non_secure_licence", 20),
    ("assured", 40),
    ("cooperative", 10),
    ("garage", 50),
    ("leasehold", 40),
    ("shared_ownership", 10),
)
_TENURES = [t for t, _ in TENURE_WEIGHTS]
_TENURE_CUM = []
_total = 0
for _, w in TENURE_WEIGHTS:
    _total += w
    _TENURE_CUM.append(_total)

# How residents pay their rent (weights), named for what an officer would call them.
PROFILE_WEIGHTS = (
    ("weekly", 230),
    ("fortnightly", 60),
    ("four_weekly_dd", 70),
    ("monthly_dd", 130),
    ("hb_full", 110),
    ("hb_partial", 80),
    ("uc_monthly", 130),
    ("uc_managed", 30),
    ("occasional", 60),
    ("stopped_paying", 30),
    ("arrangement", 50),
    ("court_order", 20),
)
_PROFILES = [p for p, _ in PROFILE_WEIGHTS]
_PROFILE_CUM = []
_total = 0
for _, w in PROFILE_WEIGHTS:
    _total += w
    _PROFILE_CUM.append(_total)


# How often a regular payer of each profile misses a payment (most catch it up later).
MISS_RATES = {
    "weekly": 0.04,
    "hb_partial": 0.05,
    "fortnightly": 0.02,
    "four_weekly_dd": 0.02,
    "monthly_dd": 0.02,
    "uc_monthly": 0.06,
    "arrangement": 0.05,
    "court_order": 0.05,
}


def _weighted(rng: random.Random, items: list[str], cum: list[int]) -> str:
    roll = rng.random() * cum[-1]
    for item, edge in zip(items, cum, strict=True):
        if roll < edge:
            return item
    return items[-1]


class LedgerBuilder:
    """Accumulates one account's ledger lines and its balance, in pence."""

    __slots__ = ("account_id", "balance", "cal", "days", "last_pay", "last_pay_day", "lines", "n")

    def __init__(self, account_id: int, cal: Calendar) -> None:
        self.account_id = account_id
        self.cal = cal
        self.days = cal.days
        self.lines: list[tuple] = []
        self.balance = 0
        self.last_pay_day = -1
        self.last_pay = 0
        self.n = 0

    def add(self, day: int, pence: int, kind: str, method: str, source: str, text: str) -> None:
        """`pence` is signed: positive is owed, negative is received."""
        if pence == 0 or day < 0 or day >= self.days:
            return
        self.n += 1
        self.lines.append((day, self.n, pence, kind, method, source, text))
        self.balance += pence
        if pence < 0 and kind != "adjustment" and kind != "write_off" and day >= self.last_pay_day:
            self.last_pay_day = day
            self.last_pay = -pence

    def balance_on(self, day: int) -> int:
        return sum(p for d, _, p, *_ in self.lines if d <= day)

    def rows(self, world: World) -> list[str]:
        """The ledger as COPY text lines, in date order (see LEDGER_IS_TEXT)."""
        day_iso = self.cal.day_iso
        day_stamp = self.cal.day_stamp
        aid = self.account_id
        first_id = world.next_id.get("payments.Transaction", 1)
        world.next_id["payments.Transaction"] = first_id + len(self.lines)
        return [
            f"{first_id + i}\t{aid}\t{kind}\t{day_iso[day]}\t{day_stamp[day]}\t{pounds(pence)}"
            f"\t{method}\t{source}\t{aid}-{n}\t{text}\n"
            for i, (day, n, pence, kind, method, source, text) in enumerate(sorted(self.lines))
        ]


@dataclass
class Story:
    """What happens on one case over the ledger's span; drives the ledger and the records."""

    profile: str
    weekly_charge: list[int]  # pence per rent year index
    hb_fraction: float = 0.0
    pay_weekday: int = 0
    month_day: int = 1
    stop_day: int | None = None
    arrangement_day: int | None = None
    arrangement_instalment: int = 0
    arrangement_breaks_day: int | None = None
    notice_day: int | None = None
    court_day: int | None = None
    court_outcome: str = ""
    monthly_charging: bool = False
    missed: int = 0  # pence a regular payer missed and had not made up by today


class CouncilGenerator:
    """Generates cases one at a time; `rows_for_case` returns every row for one case."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cal = world.calendar

    # ----------------------------------------------------------------- people
    def _person(self, rng: random.Random, tenancy_id: int, *, lead: bool, tenant: bool) -> tuple:
        first = rng.choice(names.FIRST_NAMES)
        last = rng.choice(names.LAST_NAMES)
        age = rng.randint(19, 88)
        dob = date(self.cal.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        has_mobile = rng.random() < 0.85
        email = (
            f"{first.lower()}.{last.lower().replace(chr(39), '')}{rng.randint(1, 99)}@example.com"
            if rng.random() < 0.55
            else ""
        )
        preferred = rng.choices(
            ("phone", "sms", "email", "letter", "visit"), weights=(40, 25, 15, 15, 5)
        )[0]
        if preferred == "email" and not email:
            preferred = "letter"
        language = rng.choices(
            ("English", "Polish", "Urdu", "Bengali", "Romanian", "Somali", "Arabic", "Punjabi"),
            weights=(88, 3, 2, 2, 2, 1, 1, 1),
        )[0]
        fmt = rng.choices(
            ("standard", "large_print", "easy_read", "braille", "audio"),
            weights=(94, 4, 1, 0.5, 0.5),
        )[0]
        return (
            str(self.world.take_id("cases.Tenant")),
            str(tenancy_id),
            TRUE if tenant else FALSE,
            TRUE if lead else FALSE,
            rng.choice(("Mr", "Ms", "Mrs", "Miss", "Mx", "")),
            first,
            last,
            dob.isoformat(),
            f"01632 {rng.randint(100000, 999999)}" if rng.random() < 0.3 else "",
            f"07700 {rng.randint(900000, 900999)}" if has_mobile else "",
            email,
            preferred,
            language,
            TRUE if language != "English" and rng.random() < 0.5 else FALSE,
            fmt,
            "",
        )

    # ----------------------------------------------------------------- stories
    def _story(self, rng: random.Random, tenure: str, rent_pence: int, *, monthly: bool) -> Story:
        cal = self.cal
        years = max(cal.week_year) + 1
        # Rent rises each April (CPI + 1%); index by rent year, the last is today's charge.
        weekly = [round(rent_pence / 1.027 ** (years - 1 - i)) for i in range(years)]
        if monthly:
            profile = rng.choices(
                ("monthly_dd", "uc_monthly", "occasional", "stopped_paying"),
                weights=(60, 25, 10, 5),
            )[0]
        elif tenure in ("garage", "leasehold", "shared_ownership"):
            profile = rng.choices(
                ("weekly", "monthly_dd", "occasional", "stopped_paying"), weights=(45, 40, 10, 5)
            )[0]
        elif tenure in ("non_secure_tenancy", "non_secure_licence"):
            # Temporary accommodation rent is met by Housing Benefit, not UC (legal-reference §11).
            profile = rng.choices(
                ("hb_full", "hb_partial", "weekly", "occasional", "stopped_paying"),
                weights=(45, 25, 15, 10, 5),
            )[0]
        else:
            profile = _weighted(rng, _PROFILES, _PROFILE_CUM)
        story = Story(profile=profile, weekly_charge=weekly, monthly_charging=monthly)
        story.pay_weekday = rng.choice((0, 0, 0, 1, 2, 3, 4, 4))
        story.month_day = rng.randint(1, 28)
        if profile == "hb_full":
            story.hb_fraction = 1.0
        elif profile == "hb_partial":
            story.hb_fraction = rng.choice((0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9))
        last_day = cal.days - 1
        if profile == "stopped_paying":
            story.stop_day = rng.randint(int(last_day * 0.45), last_day - 14)
        elif profile == "arrangement":
            story.arrangement_day = rng.randint(int(last_day * 0.5), last_day - 21)
            story.arrangement_instalment = rng.choice((300, 500, 500, 750, 1000, 1500, 2000))
            if rng.random() < 0.25:
                story.arrangement_breaks_day = rng.randint(story.arrangement_day + 21, last_day)
        elif profile == "court_order" and tenure in (
            "secure",
            "introductory",
            "flexible",
            "assured",
            "cooperative",
        ):
            story.stop_day = rng.randint(int(last_day * 0.05), int(last_day * 0.25))
            story.notice_day = story.stop_day + rng.randint(56, 98)
            story.court_day = story.notice_day + rng.randint(84, 150)
            story.court_outcome = rng.choices(
                ("suspended", "postponed", "adjourned_on_terms", "outright"),
                weights=(60, 15, 10, 15),
            )[0]
            if story.court_day >= last_day - 14:
                story.court_day = None
            elif story.court_outcome != "outright":
                story.arrangement_day = story.court_day + 7
                story.arrangement_instalment = rng.choice((300, 400, 500, 750, 1000))
                if rng.random() < 0.35:
                    story.arrangement_breaks_day = rng.randint(story.arrangement_day + 28, last_day)
        elif profile == "court_order":
            story.profile = "occasional"
        return story

    # ----------------------------------------------------------------- ledger
    def _rent_ledger(
        self,
        rng: random.Random,
        ledger: LedgerBuilder,
        story: Story,
        first_day: int,
        last_day: int,
        opening: int,
    ) -> None:
        cal = self.cal
        weekly = story.weekly_charge
        charge_weeks = cal.year_charge_weeks
        week_is_charge = cal.week_is_charge
        week_year = cal.week_year
        profile = story.profile
        hb = story.hb_fraction
        miss = MISS_RATES.get(profile, 0.0)
        add = ledger.add
        if opening:
            add(first_day, opening, "adjustment", "", "seed", "Balance brought forward")

        method_weekly = rng.choice(
            ("cash", "debit_card", "telephone_card", "online_card", "paypoint", "paypoint")
        )
        first_week = first_day // 7
        last_week = min(last_day // 7, cal.weeks - 1)
        uc_pay_day_of_month = story.month_day
        arrears_paying = 0
        # What a regular payer missed; most pay it off with a later payment.
        carry = [0]

        def regular(due: int, catch_up: float) -> int:
            if rng.random() < miss:
                carry[0] += due
                return 0
            if carry[0] and rng.random() < catch_up:
                due += carry[0]
                carry[0] = 0
            return due

        for week in range(first_week, last_week + 1):
            monday = week * 7
            year = week_year[week]
            charge = weekly[year]
            is_charge = week_is_charge[week]
            annual_weekly = charge * charge_weeks[year] // 52
            if story.monthly_charging:
                is_charge = False
            if is_charge:
                add(monday, charge, "charge", "", "rent_run", "Rent and service charges")
                if hb:
                    add(
                        monday,
                        -round(charge * hb),
                        "housing_benefit",
                        "benefit",
                        "benefit_schedule",
                        "Housing Benefit rent rebate",
                    )
            stopped = (
                story.stop_day is not None
                and monday >= story.stop_day
                and (story.arrangement_day is None or monday < story.arrangement_day)
            )
            if stopped:
                if rng.random() < 0.05:
                    add(
                        monday + story.pay_weekday,
                        -rng.randint(1000, 4000),
                        "payment",
                        method_weekly,
                        "payment_file",
                        "Payment",
                    )
                continue
            in_arrangement = story.arrangement_day is not None and monday >= story.arrangement_day
            broken = story.arrangement_breaks_day is not None and monday >= story.arrangement_day
            broken = broken and monday >= story.arrangement_breaks_day
            net = charge - round(charge * hb) if is_charge else 0
            if in_arrangement:
                if broken:
                    if rng.random() < 0.3:
                        add(
                            monday + story.pay_weekday,
                            -round(net * rng.uniform(0.3, 0.9)),
                            "payment",
                            method_weekly,
                            "payment_file",
                            "Payment",
                        )
                    continue
                if rng.random() < miss:
                    continue
                add(
                    monday + story.pay_weekday,
                    -(net + story.arrangement_instalment),
                    "payment",
                    method_weekly,
                    "payment_file",
                    "Payment",
                )
                continue
            if profile in ("weekly", "hb_partial", "arrangement", "court_order", "stopped_paying"):
                if net:
                    amount = regular(net, 0.5)
                    if amount and rng.random() < 0.05:
                        amount += rng.choice((500, 1000))
                    add(
                        monday + story.pay_weekday,
                        -amount,
                        "payment",
                        method_weekly,
                        "payment_file",
                        "Payment",
                    )
            elif profile == "fortnightly":
                if week % 2 == 0:
                    add(
                        monday + 4,
                        -regular(2 * annual_weekly, 0.7),
                        "payment",
                        "standing_order",
                        "payment_file",
                        "Standing order",
                    )
            elif profile == "four_weekly_dd":
                if week % 4 == 1:
                    add(
                        monday + 2,
                        -regular(4 * annual_weekly, 0.9),
                        "payment",
                        "direct_debit",
                        "payment_file",
                        "Direct debit",
                    )
            elif profile == "occasional":
                arrears_paying += charge if story.monthly_charging else net
                if rng.random() < 0.4 and arrears_paying > 0:
                    amount = round(arrears_paying * rng.uniform(0.5, 1.05))
                    add(
                        monday + rng.randint(0, 4),
                        -amount,
                        "payment",
                        method_weekly,
                        "payment_file",
                        "Payment",
                    )
                    arrears_paying -= amount
        # Monthly charges and monthly payers follow calendar months, not rent weeks.
        month = cal.day(first_day).replace(day=1)
        while True:
            charge_index = cal.index(month)
            if charge_index > last_day:
                break
            week = min(max(charge_index, 0) // 7, cal.weeks - 1)
            year = week_year[week]
            monthly = weekly[year] * (52 if story.monthly_charging else charge_weeks[year]) // 12
            if story.monthly_charging and charge_index >= first_day:
                add(charge_index, monthly, "charge", "", "rent_run", "Rent for the month")
            pay_index = charge_index + uc_pay_day_of_month - 1
            paying = story.stop_day is None or pay_index < story.stop_day
            if first_day <= pay_index <= last_day and paying and not story.arrangement_day:
                if profile == "monthly_dd":
                    add(
                        pay_index,
                        -regular(monthly, 0.9),
                        "payment",
                        "direct_debit",
                        "payment_file",
                        "Direct debit",
                    )
                elif profile == "uc_monthly":
                    paid = regular(monthly, 0.5)
                    if paid and rng.random() < 0.05:
                        paid = round(paid * 0.8)
                    add(pay_index, -paid, "payment", method_weekly, "payment_file", "Payment")
                elif profile == "uc_managed":
                    add(
                        pay_index,
                        -monthly,
                        "universal_credit",
                        "benefit",
                        "dwp",
                        "UC housing costs paid direct (managed payment)",
                    )
            month = (month + timedelta(days=32)).replace(day=1)
        story.missed = carry[0]

    # ----------------------------------------------------------------- a case
    def rows_for_case(self, index: int) -> dict[str, list[tuple]]:
        world = self.world
        cal = self.cal
        rng = random.Random(f"{world.seed}:{index}")
        out: dict[str, list[tuple]] = defaultdict(list)
        patch_slot = index % len(world.patch_ids)
        patch_id = world.patch_ids[patch_slot]
        patch_code = world.patch_codes[patch_slot]
        officer = world.patch_officer_ids[patch_slot] if world.patch_officer_ids else None
        officer_id = str(officer) if officer else None

        tenure = _weighted(rng, _TENURES, _TENURE_CUM)
        is_garage = tenure == "garage"
        is_lease = tenure in ("leasehold", "shared_ownership")
        # Former tenants: a tenancy ended, leaving arrears on an FTA account.
        former = not is_garage and not is_lease and rng.random() < 0.03

        prop_id = world.take_id("cases.Property")
        street = rng.choice(names.STREETS)
        area = names.AREAS[patch_slot % len(names.AREAS)]
        kind = (
            "garage"
            if is_garage
            else rng.choices(
                ("flat", "house", "maisonette", "bungalow", "bedsit", "hostel_room"),
                weights=(45, 30, 10, 7, 4, 4)
                if tenure.startswith("non_secure")
                else (50, 33, 10, 6, 1, 0),
            )[0]
        )
        number = rng.randint(1, 240)
        line1 = f"Garage {number}, {street}" if is_garage else f"{number} {street}"
        postcode = (
            f"EB{patch_slot % 20 + 1} {rng.randint(1, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        )
        bedrooms = (
            "" if is_garage else str(rng.choices((0, 1, 2, 3, 4), weights=(5, 35, 35, 20, 5))[0])
        )
        out["cases.Property"].append(
            (
                str(prop_id),
                f"P{prop_id:07d}",
                kind,
                line1,
                area,
                names.TOWN,
                postcode,
                bedrooms or None,
                str(patch_id),
            )
        )

        tenancy_id = world.take_id("cases.Tenancy")
        years_ago = rng.choices((0, 1, 2, 4, 8, 15), weights=(8, 10, 12, 25, 25, 20))[0]
        start_date = cal.today - timedelta(days=365 * years_ago + rng.randint(30, 360))
        if tenure == "introductory":
            start_date = cal.today - timedelta(days=rng.randint(40, 350))
        rent_period = "weekly"
        weekday = "0"
        anchor = period_day = None
        if tenure in ("assured", "leasehold", "shared_ownership") and rng.random() < 0.5:
            rent_period, weekday, period_day = "monthly", None, "1"
        end_date = None
        if former:
            end_date = cal.today - timedelta(days=rng.randint(60, 500))
            start_date = min(start_date, end_date - timedelta(days=400))
        trial_end = (
            (start_date + timedelta(days=365)).isoformat() if tenure == "introductory" else None
        )
        fixed_end = (
            (start_date + timedelta(days=365 * 5)).isoformat() if tenure == "flexible" else None
        )
        landlord = ""
        registered = FALSE
        if tenure == "assured":
            if rng.random() < 0.5:
                landlord, registered = "Eastbrook Homes Limited", TRUE
            else:
                landlord = "Eastbrook Living Limited"
        elif tenure == "cooperative":
            landlord = "Riverside Tenants' Co-operative"
        ta_duty = ""
        if tenure.startswith("non_secure"):
            ta_duty = "s193" if rng.random() < 0.8 else "s188"
        out["cases.Tenancy"].append(
            (
                str(tenancy_id),
                f"T{tenancy_id:07d}",
                str(prop_id),
                tenure,
                landlord,
                registered,
                ta_duty,
                rent_period,
                weekday,
                anchor,
                period_day,
                start_date.isoformat(),
                iso(end_date),
                trial_end,
                fixed_end,
            )
        )

        joint = not is_garage and rng.random() < 0.3
        lead = self._person(rng, tenancy_id, lead=True, tenant=True)
        out["cases.Tenant"].append(lead)
        if joint:
            partner = list(self._person(rng, tenancy_id, lead=False, tenant=True))
            partner[6] = lead[6] if rng.random() < 0.7 else partner[6]
            out["cases.Tenant"].append(tuple(partner))
        if not is_garage and rng.random() < 0.15:
            out["cases.Tenant"].append(self._person(rng, tenancy_id, lead=False, tenant=False))
        lead_tenant_id = lead[0]

        case_id = world.take_id("cases.Case")
        case_ref = f"C{case_id:07d}"

        # The debt: rent for homes, a garage or service charge account otherwise.
        if is_garage:
            account_kind, rent = "garage", rng.randint(900, 1600)
        elif is_lease:
            account_kind, rent = "service_charges", rng.randint(1500, 4500)
        else:
            base = {0: 8500, 1: 9500, 2: 11000, 3: 12500, 4: 14000}[int(bedrooms or 1)]
            if tenure.startswith("non_secure"):
                base += 4000
            if tenure == "assured" and registered == FALSE:
                base += 6000
            account_kind, rent = "rent", base + rng.randint(-800, 800)
        story = self._story(rng, tenure, rent, monthly=rent_period == "monthly")
        if former:
            account_kind = "former_tenancy_arrears"

        ledgers: list[tuple[LedgerBuilder, str, int]] = []
        account_id = world.take_id("payments.Account")
        main = LedgerBuilder(account_id, cal)
        tenancy_start_day = max(0, cal.index(start_date))
        if former:
            end_index = cal.index(end_date)
            if end_index <= 0:
                main.add(
                    0,
                    rng.randint(30000, 250000),
                    "adjustment",
                    "",
                    "seed",
                    "Former tenancy arrears brought forward",
                )
            else:
                story.stop_day = max(tenancy_start_day, end_index - rng.randint(60, 200))
                self._rent_ledger(rng, main, story, tenancy_start_day, end_index, 0)
                if main.balance <= 0:
                    main.add(
                        end_index,
                        rng.randint(20000, 150000),
                        "adjustment",
                        "",
                        "seed",
                        "Use and occupation charges and repairs on leaving",
                    )
            for week in range(max(0, cal.index(end_date)) // 7 + 2, cal.weeks, 4):
                if rng.random() < 0.15:
                    main.add(
                        week * 7 + 3,
                        -rng.randint(500, 3000),
                        "payment",
                        "paypoint",
                        "payment_file",
                        "Payment",
                    )
        elif is_lease:
            for week in range(cal.weeks):
                monday = week * 7
                if cal.day(monday).month == 4 and cal.day(monday).day <= 7:
                    yearly = story.weekly_charge[cal.week_year[week]] * 52
                    main.add(
                        monday,
                        yearly,
                        "charge",
                        "",
                        "rent_run",
                        "Service charge demand for the year",
                    )
            monthly = story.weekly_charge[-1] * 52 // 12
            paying = story.profile != "stopped_paying"
            for day in range(story.month_day, cal.days, 30):
                if paying and rng.random() > 0.04:
                    main.add(
                        day, -monthly, "payment", "direct_debit", "payment_file", "Direct debit"
                    )
        else:
            opening = 0
            if tenancy_start_day == 0:
                if story.profile in ("uc_monthly",):
                    # The first UC payment arrives about five weeks after the claim: the
                    # tenant carries a month in hand against them (technical arrears).
                    opening = story.weekly_charge[0] * 4 + rng.randint(0, 2000)
                elif story.profile in (
                    "occasional",
                    "arrangement",
                    "court_order",
                    "stopped_paying",
                ):
                    opening = rng.randint(0, 60000)
                elif rng.random() < 0.15:
                    opening = rng.randint(-5000, 20000)
            self._rent_ledger(rng, main, story, tenancy_start_day, cal.days - 1, opening)
        main_balance = main.balance
        weekly_now = story.weekly_charge[-1]
        ledgers.append((main, account_kind, weekly_now))

        # A few cases also owe for rechargeable repairs.
        if not is_garage and not is_lease and not former and rng.random() < 0.03:
            extra = LedgerBuilder(world.take_id("payments.Account"), cal)
            day = rng.randint(0, cal.days - 30)
            extra.add(
                day,
                rng.randint(8000, 60000),
                "charge",
                "",
                "rent_run",
                "Rechargeable repair: "
                + rng.choice(
                    ("replacement door", "clearance on void", "broken window", "lock change")
                ),
            )
            for later in range(day + 30, cal.days, 28):
                if rng.random() < 0.4:
                    extra.add(
                        later,
                        -rng.randint(500, 2500),
                        "payment",
                        "paypoint",
                        "payment_file",
                        "Payment",
                    )
            ledgers.append((extra, "rechargeable_repairs", 0))

        # Court proceedings, notice and arrangement records follow the story.
        stage, stage_day = self._stage_for(main_balance, weekly_now, account_kind)
        court_rows = self._legal_records(
            rng,
            out,
            story,
            case_id,
            tenancy_id,
            tenure,
            account_id,
            main,
            weekly_now,
            registered == TRUE,
            ledgers,
            officer_id,
        )
        if court_rows:
            stage, stage_day = court_rows
        if (
            story.profile == "arrangement"
            and story.arrangement_day is not None
            and account_kind == "rent"
        ):
            self._arrangement(out, case_id, account_id, main, story, None, "informal")

        # Holds and flags on a realistic share of cases.
        roll = rng.random()
        if main_balance > 0 and roll < 0.004:
            start = cal.today - timedelta(days=rng.randint(1, 50))
            bs_type = "standard" if rng.random() < 0.85 else "mental_health_crisis"
            out["cases.Hold"].append(
                (
                    str(world.take_id("cases.Hold")),
                    str(case_id),
                    "breathing_space",
                    bs_type,
                    start.isoformat(),
                    iso(start + timedelta(days=60)) if bs_type == "standard" else None,
                    None,
                    f"BS{rng.randint(100000, 999999)}",
                    "Notified by the Insolvency Service",
                    stamp(start, 9),
                    None,
                )
            )
        elif main_balance > 0 and roll < 0.015:
            start = cal.today - timedelta(days=rng.randint(1, 20))
            reason = rng.choice(
                ("promise_of_payment", "delayed_benefit", "bereavement", "hospital")
            )
            out["cases.Hold"].append(
                (
                    str(world.take_id("cases.Hold")),
                    str(case_id),
                    "pause",
                    reason,
                    start.isoformat(),
                    (start + timedelta(days=rng.randint(14, 42))).isoformat(),
                    None,
                    "",
                    "Agreed with the tenant on the phone",
                    stamp(start, 10),
                    None,
                )
            )
        elif main_balance > 0 and roll < 0.025:
            start = cal.today - timedelta(days=rng.randint(5, 40))
            benefit = rng.choice(("housing_benefit", "universal_credit", "dhp"))
            out["cases.Hold"].append(
                (
                    str(world.take_id("cases.Hold")),
                    str(case_id),
                    "benefit_claim",
                    benefit,
                    start.isoformat(),
                    None,
                    None,
                    "",
                    "Claim submitted with all evidence",
                    stamp(start, 11),
                    TRUE,
                )
            )
        elif main_balance > 0 and roll < 0.03:
            start = cal.today - timedelta(days=rng.randint(5, 90))
            out["cases.Hold"].append(
                (
                    str(world.take_id("cases.Hold")),
                    str(case_id),
                    "dispute",
                    rng.choice(("disrepair", "balance")),
                    start.isoformat(),
                    None,
                    None,
                    "",
                    "Tenant says the charges are wrong",
                    stamp(start, 12),
                    None,
                )
            )
        if not is_garage and rng.random() < 0.08:
            flag_kind = rng.choice(
                (
                    "mental_health",
                    "physical_health",
                    "learning_disability",
                    "domestic_abuse",
                    "bereavement",
                    "older_person",
                    "language",
                    "capacity",
                    "safeguarding_child",
                )
            )
            recorded = cal.today - timedelta(days=rng.randint(10, 600))
            out["cases.VulnerabilityFlag"].append(
                (
                    str(world.take_id("cases.VulnerabilityFlag")),
                    str(case_id),
                    lead_tenant_id,
                    flag_kind,
                    "Recorded at a home visit",
                    TRUE if flag_kind.startswith("safeguarding") else FALSE,
                    recorded.isoformat(),
                    (recorded + timedelta(days=365)).isoformat(),
                )
            )

        # Accounts, with the balance and last payment their ledgers give.
        for ledger, kind, weekly in ledgers:
            out["payments.Account"].append(
                (
                    str(ledger.account_id),
                    f"{ledger.account_id:08d}",
                    str(case_id),
                    str(tenancy_id),
                    kind,
                    TRUE if kind == "rent" else FALSE,
                    "open",
                    start_date.isoformat() if kind != "former_tenancy_arrears" else iso(end_date),
                    None,
                    pounds(weekly),
                    pounds(ledger.balance),
                    cal.day_iso[ledger.last_pay_day] if ledger.last_pay_day >= 0 else None,
                    pounds(ledger.last_pay) if ledger.last_pay_day >= 0 else None,
                )
            )
            out["payments.Transaction"].extend(ledger.rows(world))

        last_contact = None
        if main_balance > weekly_now and rng.random() < 0.8:
            last_contact = cal.today - timedelta(days=rng.randint(0, 90))
            if officer_id:
                self._contacts(out, index, case_id, lead_tenant_id, officer_id, last_contact)
        # The case's current figures, as the nightly run would leave them.
        total = sum(ledger.balance for ledger, _, _ in ledgers)
        is_rent = account_kind == "rent"
        rent_arrears = main_balance if is_rent else 0
        weekly_rent = weekly_now if is_rent else 0
        net_rent = weekly_rent - round(weekly_rent * story.hb_fraction)
        weeks = f"{rent_arrears / weekly_rent:.1f}" if weekly_rent else "0.0"
        paid_days = [ledger.last_pay_day for ledger, _, _ in ledgers if ledger.last_pay_day >= 0]
        arrangement = out["payments.Arrangement"][-1][10] if out["payments.Arrangement"] else ""
        out["cases.Case"].append(
            (
                str(case_id),
                case_ref,
                str(tenancy_id),
                str(patch_id),
                tenure,
                "open",
                stage,
                iso(stage_day),
                start_date.isoformat(),
                iso(last_contact),
                pounds(total),
                pounds(rent_arrears),
                pounds(weekly_rent),
                pounds(net_rent),
                weeks,
                cal.day_iso[max(paid_days)] if paid_days else None,
                arrangement,
                cal.today.isoformat(),
            ),
        )
        out["demo.HouseholdStory"].append(
            self._household_story(index, case_id, account_id, story, account_kind, is_lease)
        )
        if stage != "none" and stage_day:
            out["cases.CaseEvent"].append(
                (
                    str(world.take_id("cases.CaseEvent")),
                    str(case_id),
                    None,
                    "stage_changed",
                    json.dumps({"from": "none", "to": stage, "patch": patch_code}),
                    stamp(stage_day, 2),
                )
            )
        return out

    def _household_story(
        self,
        index: int,
        case_id: int,
        account_id: int,
        story: Story,
        account_kind: str,
        is_lease: bool,
    ) -> tuple:
        """The truth about the household, as its main account's ledger was written, and
        what happens to it over the next eight weeks (someone about to stop paying, a
        Housing Benefit credit held). The future is drawn from a stream of its own, so
        recording it leaves the rest of the council exactly as it was."""
        cal = self.cal
        rng = random.Random(f"{self.world.seed}:{index}:story")
        last_day = cal.days - 1
        profile = story.profile
        cycle = {
            "weekly": "weekly",
            "hb_full": "weekly",
            "hb_partial": "weekly",
            "arrangement": "weekly",
            "court_order": "weekly",
            "stopped_paying": "weekly",
            "fortnightly": "fortnightly",
            "four_weekly_dd": "four_weekly",
            "monthly_dd": "monthly",
            "uc_monthly": "monthly",
            "uc_managed": "monthly",
        }.get(profile, "now_and_then")
        anchor = None
        if cycle == "fortnightly":
            anchor = cal.day(4)  # week 0's Friday, as _rent_ledger pays
        elif cycle == "four_weekly":
            anchor = cal.day(7 + 2)  # week 1's Wednesday
        stopped_on = cal.day(story.stop_day) if story.stop_day is not None else None
        hb_from, hb_weeks = None, 0
        if account_kind == "former_tenancy_arrears":
            truth, cycle, stopped_on = "former_tenant", "now_and_then", None
        elif is_lease:
            # Leaseholders pay every 30 days by direct debit unless they stopped.
            if profile == "stopped_paying":
                truth, cycle = "non_payer", "now_and_then"
            else:
                truth, cycle, anchor = "pays", "every_30_days", cal.day(story.month_day)
        elif story.arrangement_day is not None and story.arrangement_day <= last_day:
            broken = story.arrangement_breaks_day is not None
            truth = "broken_arrangement" if broken else "arrangement"
        elif profile == "occasional":
            truth = "occasional"
        elif profile in ("stopped_paying", "court_order"):
            truth = "non_payer"
        elif profile in ("uc_monthly", "uc_managed"):
            truth = "uc_cycle"
        else:
            truth = "pays"
        pays_themselves = story.hb_fraction < 1 and profile != "uc_managed"
        # Only a household up to date today is "about to stop"; one that has missed a
        # payment already owes it (`missed`, real arrears on the seed's today).
        may_stop = truth in ("pays", "uc_cycle") and not is_lease and pays_themselves
        may_stop = may_stop and not story.missed
        if may_stop and rng.random() < 0.05:
            truth, stopped_on = "about_to_stop", cal.today + timedelta(days=rng.randint(1, 56))
        if truth == "pays" and story.hb_fraction and rng.random() < 0.25:
            truth = "hb_in_transit"
            hb_from = cal.today + timedelta(days=rng.randint(1, 35))
            hb_weeks = rng.randint(2, 4)
        return (
            str(self.world.take_id("demo.HouseholdStory")),
            str(case_id),
            str(account_id),
            str(self.world.seed),
            profile,
            truth,
            cycle,
            str(story.pay_weekday),
            str(story.month_day),
            iso(anchor),
            TRUE if story.monthly_charging else FALSE,
            f"{story.hb_fraction:.2f}",
            TRUE if profile == "uc_managed" else FALSE,
            pounds(story.arrangement_instalment),
            iso(stopped_on),
            iso(hb_from),
            str(hb_weeks),
            pounds(story.missed),
        )

    def _contacts(
        self,
        out,
        index: int,
        case_id: int,
        tenant_id: str,
        officer_id: str,
        last: date,
    ) -> None:
        """The patch officer's contacts with an owing household, the latest on `last`:
        records as an officer's would be, so the timeline and the Pre-Action Protocol
        steps read them like any other. Their own random stream leaves the rest of the
        council as it was."""
        rng = random.Random(f"{self.world.seed}:{index}:contacts")
        day = last
        for _ in range(rng.choice((1, 1, 2, 3, 4))):
            if day < self.cal.start:
                break
            channel, direction, outcome, summary = rng.choices(_CONTACTS, weights=_CONTACT_WEIGHTS)[
                0
            ]
            follow_up = day + timedelta(days=14) if outcome in REACHED_OUTCOMES else None
            out["cases.Contact"].append(
                (
                    str(self.world.take_id("cases.Contact")),
                    str(case_id),
                    tenant_id,
                    channel,
                    direction,
                    outcome,
                    summary,
                    day.isoformat(),
                    iso(follow_up) if follow_up and follow_up > self.cal.today else None,
                    officer_id,
                    stamp(day, rng.randint(9, 16)),
                )
            )
            day -= timedelta(days=rng.randint(10, 45))

    def _stage_for(self, balance: int, weekly: int, kind: str) -> tuple[str, date | None]:
        """A plausible starting stage from weeks in arrears; the nightly run refines it."""
        if balance <= 0 or weekly <= 0 or kind != "rent":
            return "none", None
        weeks = balance / weekly
        today = self.cal.today
        if weeks >= 4:
            return "pre_notice", today - timedelta(days=10)
        if weeks >= 3:
            return "letter_2", today - timedelta(days=12)
        if weeks >= 2:
            return "letter_1", today - timedelta(days=9)
        if weeks >= 1:
            return "early_contact", today - timedelta(days=5)
        return "none", None

    def _arrangement(
        self,
        out,
        case_id: int,
        account_id: int,
        ledger: LedgerBuilder,
        story: Story,
        court_case_id: int | None,
        kind: str,
    ) -> None:
        world = self.world
        cal = self.cal
        start_day = story.arrangement_day
        start = cal.day(start_day)
        starting = ledger.balance_on(start_day - 1)
        broken = story.arrangement_breaks_day is not None
        state = "broken" if broken else "live"
        arrangement_id = world.take_id("payments.Arrangement")
        out["payments.Arrangement"].append(
            (
                str(arrangement_id),
                str(case_id),
                str(account_id),
                kind,
                str(court_case_id) if court_case_id else None,
                "weekly",
                pounds(story.arrangement_instalment),
                TRUE,
                start.isoformat(),
                pounds(starting),
                state,
                iso(cal.day(story.arrangement_breaks_day)) if broken else start.isoformat(),
                "Agreed after an income and expenditure review",
                stamp(start, 14),
            )
        )
        out["payments.ArrangementCheck"].append(
            (
                str(world.take_id("payments.ArrangementCheck")),
                str(arrangement_id),
                "live",
                start.isoformat(),
                "0.00",
                "0.00",
                "Arrangement made",
                stamp(start, 14),
            )
        )
        if broken:
            day = cal.day(story.arrangement_breaks_day)
            out["payments.ArrangementCheck"].append(
                (
                    str(world.take_id("payments.ArrangementCheck")),
                    str(arrangement_id),
                    "broken",
                    day.isoformat(),
                    pounds(story.arrangement_instalment * 4),
                    "0.00",
                    "Instalments not paid",
                    stamp(day, 3),
                )
            )

    def _legal_records(
        self,
        rng,
        out,
        story: Story,
        case_id: int,
        tenancy_id: int,
        tenure: str,
        account_id: int,
        ledger: LedgerBuilder,
        weekly: int,
        registered: bool,
        ledgers: list,
        officer_id: str | None,
    ) -> tuple[str, date] | None:
        """Notices, court cases, warrants and court-ordered terms for the court stories.

        The patch officer served the notice: the machine never serves one.
        """
        if story.notice_day is None:
            return None
        world = self.world
        cal = self.cal
        served = cal.day(story.notice_day)
        kind = {
            "secure": "nosp",
            "flexible": "flexible_termination",
            "introductory": "notice_of_proceedings",
            "assured": "s8_form_3" if registered else "s8_form_3a",
            "cooperative": "notice_to_quit",
        }[tenure]
        # Demo dates only: 4 weeks (2 for Form 3) to the next Sunday, in force 12 months.
        minimum = 14 if kind == "s8_form_3" else 28
        earliest = served + timedelta(days=minimum)
        earliest += timedelta(days=(6 - earliest.weekday()) % 7)
        last = (
            earliest.replace(year=earliest.year + 1)
            if kind == "nosp"
            else served.replace(year=served.year + 1)
        )
        arrears = ledger.balance_on(story.notice_day)
        out["notices.Notice"].append(
            (
                str(world.take_id("notices.Notice")),
                str(case_id),
                str(tenancy_id),
                kind,
                "served",
                pounds(arrears),
                served.isoformat(),
                "hand",
                served.isoformat(),
                earliest.isoformat(),
                last.isoformat(),
                stamp(served, 9),
                officer_id,
            )
        )
        out["cases.ProportionalityAssessment"].append(
            (
                str(world.take_id("cases.ProportionalityAssessment")),
                str(case_id),
                "notice",
                "proceed",
                (served - timedelta(days=3)).isoformat(),
                "No vulnerabilities known after a home visit",
                "Referred to Money Advice",
                "Letters, calls and a visit; no arrangement offered",
                "Arrears over 8 weeks with no engagement; a notice is proportionate",
                officer_id,
            )
        )
        out["cases.CaseEvent"].append(
            (
                str(world.take_id("cases.CaseEvent")),
                str(case_id),
                officer_id,
                "notice_served",
                json.dumps(
                    {
                        "kind": kind,
                        "served_on": served.isoformat(),
                        "earliest_proceedings_date": earliest.isoformat(),
                    }
                ),
                stamp(served, 10),
            )
        )
        if story.court_day is None:
            in_force = cal.today <= last
            return ("post_notice" if cal.today >= earliest and in_force else "notice"), served
        hearing = cal.day(story.court_day)
        outcome = story.court_outcome
        balance_at_order = ledger.balance_on(story.court_day)
        court_case_id = world.take_id("cases.CourtCase")
        possession = hearing + timedelta(days=28) if outcome == "outright" else None
        costs = 40400 + 12400
        out["cases.CourtCase"].append(
            (
                str(court_case_id),
                str(case_id),
                f"K{rng.randint(10, 99)}EB{rng.randint(1000, 9999)}",
                "County Court at Eastbrook",
                (hearing - timedelta(days=42)).isoformat(),
                stamp(hearing, 10),
                outcome,
                hearing.isoformat(),
                iso(possession),
                pounds(balance_at_order),
                pounds(story.arrangement_instalment) if outcome != "outright" else None,
                "weekly" if outcome != "outright" else "",
                pounds(balance_at_order),
                pounds(costs),
            )
        )
        costs_ledger = LedgerBuilder(world.take_id("payments.Account"), cal)
        costs_ledger.add(
            story.court_day, costs, "charge", "", "rent_run", "Court fee and fixed costs awarded"
        )
        for later in range(story.court_day + 14, cal.days, 28):
            if rng.random() < 0.5:
                costs_ledger.add(
                    later, -rng.randint(500, 1500), "payment", "paypoint", "payment_file", "Payment"
                )
        ledgers.append((costs_ledger, "court_costs", 0))
        if outcome == "outright":
            applied = possession + timedelta(days=rng.randint(7, 40))
            if applied < cal.today:
                out["cases.Warrant"].append(
                    (
                        str(world.take_id("cases.Warrant")),
                        str(court_case_id),
                        "N325",
                        applied.isoformat(),
                        None,
                        None,
                        "pending",
                    )
                )
                return "warrant", applied
            return "order_monitoring", hearing
        self._arrangement(out, case_id, account_id, ledger, story, court_case_id, "court_ordered")
        if story.arrangement_breaks_day is not None:
            return "breach", cal.day(story.arrangement_breaks_day)
        return "order_monitoring", hearing


# Producing batches ---------------------------------------------------------------

Batch = dict[str, list]
BATCH_CASES = 2000


def generate_batches(world: World, accounts: int) -> Iterator[tuple[Batch, int, int]]:
    """Generate cases until `accounts` accounts exist, a batch of cases at a time.

    Yields (rows by table, cases so far, accounts so far).
    """
    generator = CouncilGenerator(world)
    index = 0
    made = 0
    while made < accounts:
        batch: Batch = defaultdict(list)
        for _ in range(BATCH_CASES):
            if made >= accounts:
                break
            for label, rows in generator.rows_for_case(index).items():
                batch[label].extend(rows)
            index += 1
            made = world.next_id.get("payments.Account", 1) - 1
        yield dict(batch), index, made


def _produce_into(queue, world: World, accounts: int) -> None:
    try:
        for item in generate_batches(world, accounts):
            queue.put(item)
        queue.put(None)
    except BaseException as exc:  # handed to the parent, which raises it
        queue.put(exc)


def generate_batches_in_child(world: World, accounts: int) -> Iterator[tuple[Batch, int, int]]:
    """The same batches, generated in a second process while the caller writes them.

    The child is spawned, not forked: forking a process that has other threads
    (a test runner, a web server) can deadlock the child on a lock it copied.
    This module imports nothing from Django, so the child starts quickly.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=3)
    child = context.Process(target=_produce_into, args=(queue, world, accounts), daemon=True)
    child.start()
    try:
        while True:
            try:
                item = queue.get(timeout=1)
            except Empty:
                if not child.is_alive():
                    raise RuntimeError(
                        f"The demo data generator stopped unexpectedly (exit code {child.exitcode})"
                    ) from None
                continue
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
