"""Reads of one case for its pages, each a fixed number of queries however long its history.

The caseload (many cases) is in cases/caseload.py; the ledger's reads are in
payments/selectors.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, Q, QuerySet, Value

from cases.caseload import active_holds, open_flags
from cases.models import (
    Case,
    CaseEvent,
    Contact,
    CourtCase,
    Hold,
    IncomeExpenditure,
    PatchCover,
    Referral,
    Tenant,
    VulnerabilityFlag,
    Warrant,
)
from cases.restrictions import NOTHING, RESTRICTED_TEXT, Restricted
from cases.timeline import (
    KINDS,
    TimelineEntry,
    TimelineSource,
    contact_payload,
    describe,
    details,
    moment_of,
    when_of,
)


@dataclass
class CaseHeader:
    """What every page of a case shows at the top."""

    case: Case
    tenants: list[Tenant]
    holds: list[Hold]
    flags: list[VulnerabilityFlag]

    @property
    def tenant_names(self) -> str:
        names = [t.full_name for t in self.tenants if t.is_tenant and not t.moved_out_on]
        if len(names) <= 1:
            return names[0] if names else self.case.reference
        return ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def breathing_space(self) -> Hold | None:
        return next((h for h in self.holds if h.kind == Hold.Kind.BREATHING_SPACE), None)

    @property
    def pause(self) -> Hold | None:
        return next((h for h in self.holds if h.kind == Hold.Kind.PAUSE), None)

    @property
    def has_safeguarding(self) -> bool:
        return any(f.is_safeguarding for f in self.flags)


def case_header(*, case_id: int, today: date) -> CaseHeader:
    """The case with its people, holds in force and open flags: four queries."""
    case = Case.objects.select_related("patch__officer", "officer", "tenancy__property").get(
        pk=case_id
    )
    tenants = list(Tenant.objects.filter(tenancy_id=case.tenancy_id))
    holds = list(active_holds(today).filter(case=case).order_by("starts_on"))
    flags = list(open_flags().filter(case=case).select_related("tenant").order_by("-recorded_on"))
    return CaseHeader(case=case, tenants=tenants, holds=holds, flags=flags)


def timeline_kinds() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _q) in KINDS.items()]


def timeline_for(
    *,
    case: Case,
    kind: str = "",
    page: str | int | None = 1,
    sources: Sequence[TimelineSource] = (),
    restricted: Restricted = NOTHING,
) -> Page:
    """A page of the case's timeline, newest first, optionally one kind of entry: its
    events, its contacts, and what other apps' `sources` read (the view adds the ledger's).

    The entries are merged and paged in the database, so a page costs the same few
    queries however long the history.
    """
    sources = [contact_timeline(case=case, restricted=restricted), *sources]
    replaced = set().union(*(source.replaces for source in sources))
    events = CaseEvent.objects.filter(case=case).exclude(verb__in=replaced)
    if kind in KINDS:
        events = events.filter(KINDS[kind][1])
    rows = (
        events.annotate(at=F("occurred_at"), origin=Value("event"))
        .order_by()
        .values_list("at", "origin", "pk")
    )
    wanted = [source for source in sources if kind in ("", source.kind)]
    if wanted:
        rows = rows.union(*(source.rows for source in wanted), all=True)
    paginator = Paginator(rows.order_by("-at", "-origin", "-pk"), 30)
    result = paginator.get_page(page)
    ids: dict[str, list[int]] = {}
    for _at, name, pk in result.object_list:
        ids.setdefault(name, []).append(pk)
    read = {"event": lambda pks: _event_entries(pks, restricted)} | {
        source.name: source.entries for source in wanted
    }
    entries = {name: read[name](pks) for name, pks in ids.items()}
    result.object_list = [entries[name][pk] for _at, name, pk in result.object_list]
    return result


def _event_entries(ids: list[int], restricted: Restricted = NOTHING) -> dict[int, TimelineEntry]:
    return {
        e.pk: TimelineEntry(
            verb=e.verb,
            title=restricted_title(e.verb)
            if e.pk in restricted.events
            else describe(e.verb, e.payload),
            text=RESTRICTED_TEXT if e.pk in restricted.events else details(e.verb, e.payload),
            byline=e.actor_label,
            when=e.occurred_at,
        )
        for e in CaseEvent.objects.filter(pk__in=ids).select_related("actor")
    }


def restricted_title(verb: str) -> str:
    """A restricted entry's title: a flag's kind may itself be health data."""
    if verb.startswith("vulnerability_"):
        return "Vulnerability flag (restricted)"
    return describe(verb, {})


def contact_timeline(*, case: Case, restricted: Restricted = NOTHING) -> TimelineSource:
    """Contacts from their records: every contact appears, whoever or whatever wrote it."""

    def entries(ids: list[int]) -> dict[int, TimelineEntry]:
        contacts = Contact.objects.filter(pk__in=ids).select_related("tenant", "recorded_by")
        return {
            c.pk: TimelineEntry(
                verb="contact_recorded",
                title=describe("contact_recorded", contact_payload(c)),
                text=RESTRICTED_TEXT if c.pk in restricted.contacts else c.summary,
                byline=str(c.recorded_by),
                when=when_of(c.contacted_on, c.recorded_at),
            )
            for c in contacts
        }

    rows = (
        Contact.objects.filter(case=case)
        .annotate(at=moment_of("contacted_on", "recorded_at"), origin=Value("contact"))
        .order_by()
        .values_list("at", "origin", "pk")
    )
    return TimelineSource(
        name="contact",
        kind="contacts",
        rows=rows,
        entries=entries,
        replaces=frozenset({"contact_recorded"}),
    )


def contacts_for(*, case: Case, limit: int = 50) -> list[Contact]:
    return list(Contact.objects.filter(case=case).select_related("tenant", "recorded_by")[:limit])


def referrals_for(*, case: Case) -> list[Referral]:
    return list(Referral.objects.filter(case=case).select_related("made_by", "outcome_by"))


def flags_for(*, case: Case) -> list[VulnerabilityFlag]:
    """Every flag, open ones first, with who recorded and cleared it."""
    return list(
        VulnerabilityFlag.objects.filter(case=case)
        .select_related("tenant", "recorded_by", "cleared_by")
        .order_by("cleared_on", "-recorded_on")
    )


def holds_for(*, case: Case) -> list[Hold]:
    """Every hold, newest first, with the referral that made it, if a DWP request did."""
    return list(
        Hold.objects.filter(case=case)
        .select_related("created_by", "ended_by", "referral")
        .order_by("-starts_on", "-id")
    )


def statements_for(*, case: Case) -> QuerySet[IncomeExpenditure]:
    return IncomeExpenditure.objects.filter(case=case).select_related("recorded_by", "tenant")


def court_cases_for(*, case: Case) -> list[CourtCase]:
    return list(
        CourtCase.objects.filter(case=case).prefetch_related(
            Prefetch("warrants", queryset=Warrant.objects.order_by("-applied_on"))
        )
    )


def covers_in_force_or_planned(*, today: date) -> list[PatchCover]:
    """Cover of patches that has not ended, soonest first; not cover withdrawn before it
    began."""
    return list(
        PatchCover.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(ends_on__lt=F("starts_on"))
        .select_related("patch", "officer", "granted_by")
        .order_by("patch__code", "starts_on", "pk")
    )
