"""The caseload: which cases an officer works, filtered, counted, sorted and paged.

Everything here is a read. The filters and sorts run on the figures the nightly run
keeps on `Case` (balance, weeks in arrears, next action...), so a patch of a few
thousand cases costs a handful of indexed queries whatever the page shows:

- one aggregate for every filter option's count (each count applies the other
  filters, as a faceted search does) and the total, over a subquery that works out
  each case's band, holds and flags once;
- one query for the next actions present, one for the patches;
- one keyset-paginated query for the page's rows, and one count for its position.

Every filter option is "this column equals this value" over columns annotated on the
case (`caseload_columns`), so one definition serves both the rows' WHERE clause and
the counts' FILTER clauses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Case_
from django.db.models.functions import Coalesce, Replace, Upper
from django.http import QueryDict
from django.utils import timezone

from cases.models import (
    Case,
    CourtCase,
    Hold,
    Patch,
    Stage,
    Tenant,
    Tenure,
    VulnerabilityFlag,
    Warrant,
    address_lines,
)
from cases.permissions import patch_ids_worked_by, patches_worked_by
from core.models import User

PAGE_SIZE = 50

# Arrears bands in pounds of rent arrears, and in weeks of the current weekly charge.
# The weeks bands follow the steps councils use (legal-reference.md §16): 4 weeks is
# the usual notice trigger, 8 weeks the court trigger and HB Regs 2006 reg 95 direct
# payment, 13 weeks the amended Ground 8 threshold (§0).
ARREARS_BANDS: list[tuple[str, str, Decimal | None, Decimal | None]] = [
    ("clear", "No rent arrears (in credit, or other debts only)", None, Decimal("0")),
    ("under_250", "Up to £250", Decimal("0"), Decimal("250")),
    ("250_to_1000", "£250 to £1,000", Decimal("250"), Decimal("1000")),
    ("1000_to_2500", "£1,000 to £2,500", Decimal("1000"), Decimal("2500")),
    ("over_2500", "More than £2,500", Decimal("2500"), None),
]
WEEKS_BANDS: list[tuple[str, str, Decimal | None, Decimal | None]] = [
    ("under_1", "Less than 1 week", None, Decimal("1")),
    ("1_to_4", "1 to 4 weeks", Decimal("1"), Decimal("4")),
    ("4_to_8", "4 to 8 weeks", Decimal("4"), Decimal("8")),
    ("8_to_13", "8 to 13 weeks", Decimal("8"), Decimal("13")),
    ("13_plus", "13 weeks or more", Decimal("13"), None),
]


def _band(column: str, bands, *, upper_inclusive: bool) -> Case_:
    """Which band each case falls in, as a column; bands never overlap."""
    lookup = "lte" if upper_inclusive else "lt"
    whens = [
        When(**{f"{column}__{lookup}": high}, then=Value(key))
        for key, _label, _low, high in bands
        if high is not None
    ]
    return Case_(*whens, default=Value(bands[-1][0]), output_field=CharField())


def active_holds(today: date) -> QuerySet[Hold]:
    """Holds in force today: started, not ended, and (for a pause) not past its date.

    The same rule as Hold.is_active_on, as a query.
    """
    return (
        Hold.objects.filter(starts_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .exclude(kind=Hold.Kind.PAUSE, until__lt=today)
    )


def open_flags() -> QuerySet[VulnerabilityFlag]:
    return VulnerabilityFlag.objects.filter(cleared_on__isnull=True)


# Each kind of hold is a bit, so one number per case says which holds are in force.
HOLD_BITS = {
    Hold.Kind.BREATHING_SPACE: 1,
    Hold.Kind.PAUSE: 2,
    Hold.Kind.DISPUTE: 4,
    Hold.Kind.BENEFIT_CLAIM: 8,
    Hold.Kind.INTRODUCTORY_REVIEW: 16,
}
ALL_MASKS = range(1 << len(HOLD_BITS))
HOLD_ATTRIBUTES = {
    Hold.Kind.BREATHING_SPACE: "on_breathing_space",
    Hold.Kind.PAUSE: "on_pause",
    Hold.Kind.DISPUTE: "on_dispute",
    Hold.Kind.BENEFIT_CLAIM: "on_benefit_claim",
    Hold.Kind.INTRODUCTORY_REVIEW: "on_review",
}
# Vulnerability as one number: 0 no open flag, 1 a flag, 2 a safeguarding concern.
NOT_FLAGGED, FLAGGED, SAFEGUARDING = 0, 1, 2


def with_flags(cases: QuerySet[Case], *, today: date, few: bool = True) -> QuerySet[Case]:
    """Annotate each case with the holds in force (`hold_mask`, a bit per kind) and its
    open flags (`flag_level`).

    For an officer's few thousand cases (`few`), two small subqueries per case look up
    its holds and flags by the indexed case id, so the cost follows the caseload. For
    the whole council (a manager's view), "id IN (the held cases)" lets PostgreSQL hash
    the few thousand held and flagged cases once instead.
    """
    holds, flags = active_holds(today), open_flags()
    bit = Case_(
        *(When(kind=kind, then=Value(value)) for kind, value in HOLD_BITS.items()),
        output_field=IntegerField(),
    )
    level = Case_(
        When(is_safeguarding=True, then=Value(SAFEGUARDING)),
        default=Value(FLAGGED),
        output_field=IntegerField(),
    )
    if few:
        mask = Coalesce(
            Subquery(
                holds.filter(case=OuterRef("pk"))
                .order_by()
                .values("case")
                .annotate(mask=Sum(bit, distinct=True))
                .values("mask"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        flag = Coalesce(
            Subquery(
                flags.filter(case=OuterRef("pk"))
                .order_by()
                .values("case")
                .annotate(level=Max(level))
                .values("level"),
                output_field=IntegerField(),
            ),
            Value(NOT_FLAGGED),
        )
    else:

        def held(queryset: QuerySet) -> Q:
            return Q(pk__in=queryset.values("case_id"))

        mask = sum(
            (
                Case_(When(held(holds.filter(kind=kind)), then=Value(b)), default=Value(0))
                for kind, b in HOLD_BITS.items()
            ),
            start=Value(0),
        )
        flag = Case_(
            When(held(flags.filter(is_safeguarding=True)), then=Value(SAFEGUARDING)),
            When(held(flags), then=Value(FLAGGED)),
            default=Value(NOT_FLAGGED),
        )
    return cases.annotate(
        hold_mask=ExpressionWrapper(mask, output_field=IntegerField()),
        flag_level=ExpressionWrapper(flag, output_field=IntegerField()),
    )


Labels = tuple[dict[str, str], dict[str, str]]


def plain_labels() -> Labels:
    """The tenure and stage labels as plain strings, made once per page or export: the
    choices' lazy labels cost a translation lookup every time they are used."""
    return (
        {value: str(label) for value, label in Tenure.choices},
        {value: str(label) for value, label in Stage.choices},
    )


def decorate(case: Case, labels: Labels) -> Case:
    """Spell out a case's hold mask, flag level, tenure and stage for templates and exports."""
    for kind, attribute in HOLD_ATTRIBUTES.items():
        setattr(case, attribute, bool(case.hold_mask & HOLD_BITS[kind]))
    case.is_vulnerable = case.flag_level >= FLAGGED
    case.has_safeguarding = case.flag_level == SAFEGUARDING
    tenures, stages = labels
    case.tenure_label = tenures.get(case.tenure, case.tenure)
    case.stage_label = stages.get(case.stage, case.stage)
    return case


# How far ahead the court diary looks: the four weeks an officer plans a hearing or an
# eviction in (the PAP's statement 10 days before a hearing; the pre-eviction checks).
COURT_DIARY_DAYS = 28
COURT_DIARY = [
    ("outcome_due", "Hearing passed: outcome to record"),
    ("eviction", f"Eviction in the next {COURT_DIARY_DAYS} days"),
    ("hearing", f"Hearing in the next {COURT_DIARY_DAYS} days"),
]


def court_diary(today: date) -> Case_:
    """Which entry of the court diary each case is in, if any, as a column: a hearing
    passed with nothing recorded, an eviction booked, or a hearing coming. The cases
    are found from the few live claims and warrants first, so the caseload's own query
    only tests its rows against short lists of ids."""
    ahead = today + timedelta(days=COURT_DIARY_DAYS)
    start_of_today = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    end_of_window = timezone.make_aware(datetime.combine(ahead, datetime.max.time()))
    hearings = (
        CourtCase.objects.filter(outcome=CourtCase.Outcome.PENDING, hearing_at__lte=end_of_window)
        .annotate(
            entry=Case_(
                When(hearing_at__lt=start_of_today, then=Value("outcome_due")),
                default=Value("hearing"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values_list("case_id", "entry")
    )
    evictions = (
        Warrant.objects.filter(
            outcome__in=[Warrant.Outcome.PENDING, Warrant.Outcome.ISSUED],
            eviction_date__gte=today,
            eviction_date__lte=ahead,
        )
        .annotate(entry=Value("eviction", output_field=CharField()))
        .order_by()
        .values_list("court_case__case_id", "entry")
    )
    ids: dict[str, set[int]] = {key: set() for key, _ in COURT_DIARY}
    for case_id, entry in hearings.union(evictions, all=True).order_by():
        ids[entry].add(case_id)
    return Case_(
        *(When(pk__in=sorted(ids[key]), then=Value(key)) for key, _ in COURT_DIARY if ids[key]),
        default=Value(""),
        output_field=CharField(),
    )


def caseload_columns(cases: QuerySet[Case], *, today: date, few: bool = True) -> QuerySet[Case]:
    """The columns the filters test. The holds and flags are selected (rows show them as
    tags); the bands are only aliased, for the WHERE clause and the counts."""
    return with_flags(cases, today=today, few=few).alias(
        arrears_band=_band("rent_arrears", ARREARS_BANDS, upper_inclusive=True),
        weeks_band=_band("weeks_in_arrears", WEEKS_BANDS, upper_inclusive=False),
        has_technical=ExpressionWrapper(Q(technical_arrears__gt=0), output_field=BooleanField()),
        court_diary=court_diary(today),
    )


@dataclass(frozen=True)
class Option:
    """A filter option: the cases whose `column` equals `equals`, or one of them."""

    value: str
    label: str
    column: str
    equals: Any

    @property
    def values(self) -> tuple:
        return self.equals if isinstance(self.equals, tuple) else (self.equals,)

    @property
    def q(self) -> Q:
        if isinstance(self.equals, tuple):
            return Q(**{f"{self.column}__in": self.equals})
        return Q(**{self.column: self.equals})


@dataclass
class Facet:
    """One filter: its options, which are selected, and how many cases each would show."""

    name: str
    legend: str
    options: list[Option]
    selected: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def q(self) -> Q | None:
        chosen = [o.q for o in self.options if o.value in self.selected]
        return reduce(or_, chosen) if chosen else None

    @property
    def shown_options(self) -> list[tuple[Option, int, bool]]:
        """Options worth showing: any with cases, and any selected."""
        return [
            (option, self.counts.get(option.value, 0), option.value in self.selected)
            for option in self.options
            if self.counts.get(option.value, 0) or option.value in self.selected
        ]

    @property
    def selected_options(self) -> list[Option]:
        return [o for o in self.options if o.value in self.selected]


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    field: str
    default_descending: bool
    # Where cases with no value go: never contacted counts as the longest ago.
    nulls_first_when_ascending: bool = False


SORTS = {
    "arrears": Sort("arrears", "Rent arrears", "rent_arrears", True),
    "weeks": Sort("weeks", "Weeks in arrears", "weeks_in_arrears", True),
    "due": Sort("due", "Next action due", "next_action_due", False),
    "contact": Sort("contact", "Last contact", "last_contact_on", False, True),
}
DEFAULT_SORT = "arrears"


@dataclass(frozen=True)
class CaseloadQuery:
    """The caseload's filters, search and order, as parsed from the page's URL."""

    q: str = ""
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    contact_older_than: int | None = None
    # By default the caseload is the cases that owe money; "all" adds the rest.
    show_all: bool = False
    officer_id: int | None = None
    # More than this many weeks in arrears: the performance figures' thresholds (7, 13)
    # fall inside the weeks bands, so a dashboard figure links here exactly.
    weeks_over: int | None = None
    sort: str = DEFAULT_SORT
    descending: bool = True
    after: str = ""
    before: str = ""
    # The position of the page's first row, carried in the Previous and Next links so
    # a later page need not count the rows before it.
    start: int | None = None

    FACET_NAMES = (
        "next_action",
        "stage",
        "arrears",
        "weeks",
        "tenure",
        "arrangement",
        "hold",
        "vulnerability",
        "technical",
        "court",
        "patch",
    )

    @classmethod
    def from_querydict(cls, data: QueryDict) -> tuple[CaseloadQuery, dict[str, str]]:
        """Parse the URL; return the query and any errors, keyed by parameter."""
        errors: dict[str, str] = {}
        facets = {
            name: tuple(dict.fromkeys(v for v in data.getlist(name) if v))
            for name in cls.FACET_NAMES
        }
        contact_older_than = None
        raw_days = (data.get("contact_older_than") or "").strip()
        if raw_days:
            if raw_days.isdigit() and 1 <= int(raw_days) <= 3650:
                contact_older_than = int(raw_days)
            else:
                errors["contact_older_than"] = (
                    "Enter the number of days as a whole number between 1 and 3650, like 28"
                )
        officer_id = None
        raw_officer = (data.get("officer") or "").strip()
        if raw_officer.isdigit():
            officer_id = int(raw_officer)
        raw_weeks = (data.get("weeks_over") or "").strip()
        weeks_over = int(raw_weeks) if raw_weeks.isdigit() and int(raw_weeks) <= 520 else None
        raw_start = (data.get("start") or "").strip()
        start = int(raw_start) if raw_start.isdigit() and 0 < int(raw_start) < 10**7 else None
        sort = data.get("sort") if data.get("sort") in SORTS else DEFAULT_SORT
        direction = data.get("dir")
        descending = (
            SORTS[sort].default_descending
            if direction not in ("asc", "desc")
            else direction == "desc"
        )
        return (
            cls(
                q=(data.get("q") or "").strip()[:100],
                facets=facets,
                contact_older_than=contact_older_than,
                show_all=data.get("show") == "all",
                officer_id=officer_id,
                weeks_over=weeks_over,
                sort=sort,
                descending=descending,
                after=(data.get("after") or "")[:80],
                before=(data.get("before") or "")[:80],
                start=start,
            ),
            errors,
        )

    def querydict(self, **changes: Any) -> QueryDict:
        """This query as URL parameters, with changes; paging starts again unless given."""
        query = replace(self, **{"after": "", "before": "", "start": None, **changes})
        data = QueryDict(mutable=True)
        if query.q:
            data["q"] = query.q
        for name in self.FACET_NAMES:
            values = query.facets.get(name, ())
            if values:
                data.setlist(name, list(values))
        if query.contact_older_than:
            data["contact_older_than"] = str(query.contact_older_than)
        if query.show_all:
            data["show"] = "all"
        if query.officer_id:
            data["officer"] = str(query.officer_id)
        if query.weeks_over is not None:
            data["weeks_over"] = str(query.weeks_over)
        if query.sort != DEFAULT_SORT or query.descending != SORTS[query.sort].default_descending:
            data["sort"] = query.sort
            data["dir"] = "desc" if query.descending else "asc"
        if query.after:
            data["after"] = query.after
        if query.before:
            data["before"] = query.before
        if query.start and (query.after or query.before):
            data["start"] = str(query.start)
        return data

    def without(self, name: str, value: str | None = None) -> str:
        """The URL query string with one filter value (or a whole filter) removed."""
        if name in self.FACET_NAMES:
            kept = tuple(v for v in self.facets.get(name, ()) if value is not None and v != value)
            return self.querydict(facets={**self.facets, name: kept}).urlencode()
        return self.querydict(**{name: "" if name == "q" else None}).urlencode()

    @property
    def has_filters(self) -> bool:
        return bool(
            self.q
            or any(self.facets.values())
            or self.contact_older_than
            or self.officer_id
            or self.weeks_over is not None
        )


# Scope: whose cases.


def cases_worked_by(
    *, user: User, today: date, patch_ids: set[int] | None = None
) -> QuerySet[Case]:
    """The officer's open cases: their patches and covered patches, less cases a manager
    assigned to someone else, plus cases assigned to them elsewhere. Managers: every case.

    The rare cases assigned to the officer outside their patches are looked up first,
    so the usual condition is one range of the caseload index (patch_id = ...), which
    PostgreSQL can read without touching the table.
    """
    cases = Case.objects.filter(status=Case.Status.OPEN)
    if user.has_perm("cases.act_on_any_case"):
        return cases
    if patch_ids is None:
        patch_ids = patch_ids_worked_by(user, today=today)
    mine = Q(patch_id__in=patch_ids) & (Q(officer__isnull=True) | Q(officer=user))
    elsewhere = list(
        cases.filter(officer=user).exclude(patch_id__in=patch_ids).values_list("pk", flat=True)
    )
    return cases.filter(mine | Q(pk__in=elsewhere) if elsewhere else mine)


def assigned_to_q(officer_id: int) -> Q:
    """Cases an officer is responsible for: assigned to them, or on their patch unassigned."""
    return Q(officer_id=officer_id) | Q(officer__isnull=True, patch__officer_id=officer_id)


_REFERENCE = re.compile(r"^[A-Za-z]{0,4}\d{3,}$")
_POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$|^[A-Za-z]{1,2}\d[A-Za-z\d]?$")


def search_q(text: str) -> Q:
    """Search by case, tenancy or payment reference, any tenant's name, address or postcode.

    Every word must match something, so "Smith Acorn" finds the Smiths of Acorn Close.
    """
    text = text.strip()
    if not text:
        return Q()
    compact = text.replace(" ", "").upper()
    # References are stored in capitals: an exact match uses their unique indexes.
    reference = text.upper()
    exact = (
        Q(reference=reference)
        | Q(tenancy__reference=reference)
        | Q(pk__in=Case.objects.filter(accounts__reference=reference).values("pk"))
    )
    if _REFERENCE.match(text):
        return exact
    if _POSTCODE.match(text):
        return Q(postcode_compact__startswith=compact)
    words = [w for w in re.split(r"[\s,]+", text) if w]
    per_word = []
    for word in words:
        names = Tenant.objects.filter(
            Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        ).values("tenancy_id")
        per_word.append(
            Q(tenancy_id__in=names)
            | Q(tenancy__property__address_line_1__icontains=word)
            | Q(postcode_compact__startswith=word.upper())
        )
    return exact | reduce(and_, per_word)


# The filters.


def _bands(name: str, legend: str, bands, column: str) -> Facet:
    return Facet(name, legend, [Option(key, label, column, key) for key, label, *_ in bands])


def _static_facets() -> list[Facet]:
    from payments.models import ArrangementState  # labels only: the engine writes the state

    return [
        Facet("stage", "Stage", [Option(s.value, str(s.label), "stage", s.value) for s in Stage]),
        _bands("arrears", "Rent arrears", ARREARS_BANDS, "arrears_band"),
        _bands("weeks", "Weeks in arrears", WEEKS_BANDS, "weeks_band"),
        Facet(
            "tenure", "Tenure", [Option(t.value, str(t.label), "tenure", t.value) for t in Tenure]
        ),
        Facet(
            "arrangement",
            "Arrangement",
            [Option("none", "No arrangement", "arrangement_state", "")]
            + [
                Option(s.value, str(s.label), "arrangement_state", s.value)
                for s in ArrangementState
            ],
        ),
        Facet(
            "hold",
            "Hold",
            [
                Option(
                    kind.value, str(kind.label), "hold_mask", tuple(m for m in ALL_MASKS if m & b)
                )
                for kind, b in HOLD_BITS.items()
            ]
            + [Option("none", "Not held", "hold_mask", 0)],
        ),
        Facet(
            "vulnerability",
            "Vulnerability",
            [
                Option("flagged", "Vulnerability flag", "flag_level", (FLAGGED, SAFEGUARDING)),
                Option("safeguarding", "Safeguarding concern", "flag_level", SAFEGUARDING),
                Option("none", "No flags", "flag_level", NOT_FLAGGED),
            ],
        ),
        Facet(
            "court",
            "Court diary",
            [Option(key, label, "court_diary", key) for key, label in COURT_DIARY],
        ),
        Facet(
            "technical",
            "Technical arrears",
            [
                Option("yes", "Has technical arrears", "has_technical", True),
                Option("no", "No technical arrears", "has_technical", False),
            ],
        ),
    ]


@dataclass
class Caseload:
    """What the caseload page shows: the filters with counts, the rows and the paging."""

    query: CaseloadQuery
    facets: list[Facet]
    total: int
    rows: list[Case]
    first_position: int
    next_cursor: str | None
    previous_cursor: str | None
    officers: list[User]
    errors: dict[str, str]

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.rows) - 1

    def facet(self, name: str) -> Facet:
        return next(f for f in self.facets if f.name == name)


# Searches matching more cases than this are left as a condition in each query.
SEARCH_MATCHES_HELD = 5000


def search_matches(scope: QuerySet[Case], text: str) -> Q:
    """The cases in scope the search finds, as a condition on their ids.

    The search reads each case's tenancy, property and tenants, and the page needs it
    twice (the counts, then the rows): worked out once here, it cost a patch of 2,000
    cases one pass instead of two (the search page's queries 68 ms down to about 30 ms
    in bench/pages.py). A search finding more than SEARCH_MATCHES_HELD cases (a
    manager's council-wide "road") stays a subquery rather than a list of ids.
    """
    matching = (
        scope.annotate(
            postcode_compact=Upper(Replace("tenancy__property__postcode", Value(" "), Value("")))
        )
        .filter(search_q(text))
        .order_by()
        .values_list("pk", flat=True)
    )
    ids = list(matching[: SEARCH_MATCHES_HELD + 1])
    return Q(pk__in=matching if len(ids) > SEARCH_MATCHES_HELD else ids)


def _narrowed(
    cases: QuerySet[Case], query: CaseloadQuery, *, today: date, search: Q | None = None
) -> QuerySet[Case]:
    """The conditions that are not facets: search, contact age, officer."""
    if search is not None:
        cases = cases.filter(search)
    condition = Q() if query.show_all or query.q else Q(balance__gt=0)
    if query.contact_older_than:
        cutoff = today - timedelta(days=query.contact_older_than)
        condition &= Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True)
    if query.officer_id:
        condition &= assigned_to_q(query.officer_id)
    if query.weeks_over is not None:
        condition &= Q(weeks_in_arrears__gt=query.weeks_over)
    return cases.filter(condition)


def _next_action_facet(known: dict[str, str], selected: tuple[str, ...]) -> Facet:
    """The next actions the engine has recommended in these cases (and any selected)."""
    labels = {**{key: key for key in selected if key != "none"}, **known}
    options = sorted(
        (Option(key, label or key, "next_action", key) for key, label in labels.items() if key),
        key=lambda o: o.label,
    )
    return Facet(
        "next_action",
        "Next action",
        [*options, Option("none", "No action recommended", "next_action", "")],
        selected=selected,
    )


def _patches_for(user: User, *, today: date) -> list[Patch]:
    """The patches the caseload may show: an officer's own and covered; every patch for
    a manager."""
    if user.has_perm("cases.act_on_any_case"):
        return list(Patch.objects.order_by("code"))
    return list(patches_worked_by(user, today=today))


def _patch_facet(patches: list[Patch]) -> Facet:
    return Facet(
        "patch",
        "Patch",
        [Option(p.code, f"{p.code} {p.name}", "patch_id", p.pk) for p in patches],
    )


FACET_ORDER = CaseloadQuery.FACET_NAMES


def _groups(cases: QuerySet[Case], columns: list[str]) -> list[tuple]:
    """The cases grouped by the filters' columns, with a count per group: one query,
    a few hundred groups for a patch."""
    keys = {f"k{index}": F(column) for index, column in enumerate(columns)}
    return list(
        cases.order_by().values(**keys).annotate(cases=Count("pk")).values_list(*keys, "cases")
    )


def _count(facets: list[Facet], groups: list[tuple], position: dict[str, int]) -> int:
    """Fill in every option's count from the groups, and return the total.

    Each option's count applies the other filters but not its own (as a faceted search
    does), so an officer sees how many cases each choice would give.
    """
    # For each facet: per column it reads, which options a value stands for.
    lookups = []
    for facet in facets:
        by_column: dict[int, dict[Any, list[str]]] = {}
        for option in facet.options:
            for equals in option.values:
                by_column.setdefault(position[option.column], {}).setdefault(equals, []).append(
                    option.value
                )
        lookups.append(list(by_column.items()))
    selections = [
        [(position[o.column], set(o.values)) for o in facet.selected_options] for facet in facets
    ]
    tallies: list[dict[str, int]] = [{o.value: 0 for o in facet.options} for facet in facets]
    total = 0
    for group in groups:
        size = group[-1]
        failing = [
            index
            for index, chosen in enumerate(selections)
            if chosen and not any(group[column] in values for column, values in chosen)
        ]
        if len(failing) > 1:
            continue
        if not failing:
            total += size
        for index, by_column in enumerate(lookups):
            if failing and failing[0] != index:
                continue
            tally = tallies[index]
            for column, options in by_column:
                for value in options.get(group[column], ()):
                    tally[value] += size
    for facet, tally in zip(facets, tallies, strict=True):
        facet.counts = tally
    return total


@dataclass
class _Selection:
    facets: list[Facet]
    cases: QuerySet[Case]  # before the facets apply: what the counts are taken over
    filtered: QuerySet[Case]  # after them: the rows
    manager: bool
    # A manager who picks patches looks at those patches only; the patch counts then
    # come from a query of their own over the whole council (see caseload_for).
    patches_narrowed: QuerySet[Case] | None = None


def _filtered(*, user: User, query: CaseloadQuery, today: date) -> _Selection:
    """The facets (options, selections) and the cases before and after the facets apply."""
    manager = user.has_perm("cases.act_on_any_case")
    patches = _patches_for(user, today=today)
    scope = cases_worked_by(
        user=user, today=today, patch_ids=None if manager else {p.pk for p in patches}
    )
    chosen_patches = query.facets.get("patch", ())
    # A manager's view spans the council unless it is narrowed to patches or an officer.
    few = not manager or bool(chosen_patches or query.officer_id)
    search = search_matches(scope, query.q) if query.q else None
    cases = _narrowed(
        caseload_columns(scope, today=today, few=few), query, today=today, search=search
    )
    facets = [
        *_static_facets(),
        _patch_facet(patches),
        _next_action_facet({}, query.facets.get("next_action", ())),
    ]
    facets.sort(key=lambda f: FACET_ORDER.index(f.name))
    for facet in facets:
        facet.selected = query.facets.get(facet.name, ())
    chosen = [q for q in (facet.q() for facet in facets) if q is not None]
    selection = _Selection(facets, cases, cases.filter(*chosen), manager)
    if manager and chosen_patches:
        # Each patch's count applies the other filters, as every other option's does.
        others = [q for facet in facets if facet.name != "patch" and (q := facet.q()) is not None]
        council = caseload_columns(scope, today=today, few=False) if others else scope
        selection.patches_narrowed = _narrowed(council, query, today=today, search=search).filter(
            *others
        )
        selection.cases = cases.filter(patch__code__in=chosen_patches)
    return selection


def caseload_for(
    *, user: User, query: CaseloadQuery, today: date, errors: dict[str, str] | None = None
) -> Caseload:
    """The caseload page for this officer and these filters, in a fixed number of queries."""
    selection = _filtered(user=user, query=query, today=today)
    facets = selection.facets
    columns = sorted(
        {option.column for facet in facets for option in facet.options} | {"next_action_label"}
    )
    position = {column: index for index, column in enumerate(columns)}
    groups = _groups(selection.cases, columns)
    known = {
        group[position["next_action"]]: group[position["next_action_label"]] for group in groups
    }
    index = next(i for i, f in enumerate(facets) if f.name == "next_action")
    facets[index] = _next_action_facet(known, query.facets.get("next_action", ()))
    total = _count(facets, groups, position)
    if selection.patches_narrowed is not None:
        # By patch id and count(*): on the usual view (owing cases, no other filter) this
        # is read from the partial index case_owing_by_patch alone.
        per_patch = dict(
            selection.patches_narrowed.order_by()
            .values_list("patch_id")
            .annotate(n=Count("*"))
            .values_list("patch_id", "n")
        )
        patch = next(f for f in facets if f.name == "patch")
        patch.counts = {o.value: per_patch.get(o.equals, 0) for o in patch.options}
    rows, next_cursor, previous_cursor, first_position = _page(selection.filtered, query)
    officers = (
        list(User.objects.filter(groups__name="officer", is_active=True))
        if selection.manager
        else []
    )
    return Caseload(
        query=query,
        facets=facets,
        total=total,
        rows=rows,
        first_position=first_position,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        officers=officers,
        errors=errors or {},
    )


def export_rows(*, user: User, query: CaseloadQuery, today: date) -> Iterator[dict[str, Any]]:
    """Every case the filters select, in the page's order, as plain values for a CSV."""
    filtered = _filtered(user=user, query=query, today=today).filtered
    forward = _Walk.forward(SORTS[query.sort], query.descending)
    labels = plain_labels()
    holds = {attribute: kind.label for kind, attribute in HOLD_ATTRIBUTES.items()}
    rows = (
        with_lead_tenant(filtered)
        .order_by(*forward.order_by(SORTS[query.sort].field))
        .iterator(chunk_size=2000)
    )
    for case in (decorate(row, labels) for row in rows):
        property_ = case.tenancy.property
        yield {
            "reference": case.reference,
            "tenancy_reference": case.tenancy.reference,
            "lead_name": " ".join(
                p for p in (case.lead_title, case.lead_first_name, case.lead_last_name) if p
            ),
            "address": ", ".join(
                address_lines(property_.address_line_1, property_.address_line_2, property_.town)
            ),
            "postcode": property_.postcode,
            "patch_code": case.patch.code,
            "tenure_label": case.tenure_label,
            "stage_label": case.stage_label,
            "rent_arrears": case.rent_arrears,
            "balance": case.balance,
            "weeks_in_arrears": case.weeks_in_arrears,
            "technical_arrears": case.technical_arrears,
            "weekly_charge": case.weekly_charge,
            "last_payment_on": case.last_payment_on,
            "last_contact_on": case.last_contact_on,
            "arrangement_state": case.arrangement_state,
            "next_action_label": case.next_action_label,
            "next_action_due": case.next_action_due,
            "holds": "; ".join(label for column, label in holds.items() if getattr(case, column)),
            "vulnerability": "Safeguarding"
            if case.has_safeguarding
            else ("Flagged" if case.is_vulnerable else ""),
        }


# Keyset pagination: a page starts after (or ends before) a row's sort value and id,
# so page 40 costs what page 1 costs and rows do not shift when figures change.


def _encode(value: Any, pk: int) -> str:
    return f"{'~' if value is None else value}_{pk}"


def _decode(cursor: str, sort: Sort) -> tuple[Any, int] | None:
    raw, _, pk = cursor.rpartition("_")
    if not pk.isdigit() or not raw:
        return None
    if raw == "~":
        return None, int(pk)
    try:
        if sort.field in ("next_action_due", "last_contact_on"):
            return date.fromisoformat(raw), int(pk)
        return Decimal(raw), int(pk)
    except (ValueError, InvalidOperation):
        return None


@dataclass(frozen=True)
class _Walk:
    """A direction through the ordering: the sort's, or its exact reverse."""

    descending: bool
    nulls_first: bool
    pk_descending: bool

    @classmethod
    def forward(cls, sort: Sort, descending: bool) -> _Walk:
        return cls(descending, sort.nulls_first_when_ascending and not descending, False)

    def reversed(self) -> _Walk:
        return _Walk(not self.descending, not self.nulls_first, not self.pk_descending)

    def order_by(self, column: str) -> list:
        nulls = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        value = F(column).desc(**nulls) if self.descending else F(column).asc(**nulls)
        return [value, F("pk").desc() if self.pk_descending else F("pk").asc()]

    def beyond(self, column: str, value: Any, pk: int) -> Q:
        """Rows that come after (value, pk) on this walk."""
        id_after = Q(pk__lt=pk) if self.pk_descending else Q(pk__gt=pk)
        if value is None:
            after = Q(**{f"{column}__isnull": True}) & id_after
            return after | Q(**{f"{column}__isnull": False}) if self.nulls_first else after
        after = Q(**{f"{column}__lt" if self.descending else f"{column}__gt": value})
        after |= Q(**{column: value}) & id_after
        if not self.nulls_first:
            after |= Q(**{f"{column}__isnull": True})
        return after


def _page(
    cases: QuerySet[Case], query: CaseloadQuery
) -> tuple[list[Case], str | None, str | None, int]:
    """One page of rows after or before a cursor, the cursors either side, and the
    position of the page's first row (1-based) in the whole filtered list."""
    sort = SORTS[query.sort]
    forward = _Walk.forward(sort, query.descending)

    def fetch(condition: Q, walk: _Walk) -> list[Case]:
        # The page's ids first (an index range, stopping after a page), then those
        # few rows with their names and address.
        ordering = walk.order_by(sort.field)
        ids = cases.filter(condition).order_by(*ordering).values("pk")[: PAGE_SIZE + 1]
        return list(with_lead_tenant(cases.filter(pk__in=Subquery(ids))).order_by(*ordering))

    before = _decode(query.before, sort) if query.before else None
    after = _decode(query.after, sort) if query.after and before is None else None
    if before is not None:
        walk = forward.reversed()
        found = fetch(walk.beyond(sort.field, *before), walk)
        more_before = len(found) > PAGE_SIZE
        rows = found[:PAGE_SIZE][::-1]
        more_after = True
    else:
        found = fetch(forward.beyond(sort.field, *after) if after else Q(), forward)
        more_after = len(found) > PAGE_SIZE
        rows = found[:PAGE_SIZE]
        more_before = after is not None
    if not rows:
        return [], None, None, 0
    labels = plain_labels()
    for case in rows:
        decorate(case, labels)
    first, last = rows[0], rows[-1]
    if not more_before:
        preceding = 0
    elif query.start and query.start > 1:
        # The link said where this page starts: no count (rows that changed since the
        # previous page can make it a row or two out, as any paged list would).
        preceding = query.start - 1
    else:
        preceding = (
            cases.filter(
                forward.reversed().beyond(sort.field, getattr(first, sort.field), first.pk)
            )
            .order_by()
            .count()
        )
    next_cursor = _encode(getattr(last, sort.field), last.pk) if more_after else None
    previous_cursor = _encode(getattr(first, sort.field), first.pk) if preceding else None
    return rows, next_cursor, previous_cursor, preceding + 1


def with_lead_tenant(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Add the lead tenant's name and the address, in the same query."""
    lead = Tenant.objects.filter(tenancy=OuterRef("tenancy"), is_lead=True)
    return cases.select_related("tenancy__property", "patch").annotate(
        lead_first_name=Subquery(lead.values("first_name")[:1]),
        lead_last_name=Subquery(lead.values("last_name")[:1]),
        lead_title=Subquery(lead.values("title")[:1]),
    )
