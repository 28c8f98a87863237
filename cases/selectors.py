"""Reads of one case for its pages, each a fixed number of queries however long its history.

The caseload (many cases) is in cases/caseload.py; the ledger's reads are in
payments/selectors.py.
"""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, Q, QuerySet

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
from cases.timeline import KINDS, describe, details


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


@dataclass
class TimelineEntry:
    event: CaseEvent
    title: str
    text: str


def timeline_kinds() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _q) in KINDS.items()]


def timeline_for(*, case: Case, kind: str = "", page: str | int | None = 1) -> Page:
    """A page of the case's timeline, newest first, optionally one kind of entry."""
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    if kind in KINDS:
        events = events.filter(KINDS[kind][1])
    paginator = Paginator(events.order_by("-occurred_at", "-id"), 30)
    result = paginator.get_page(page)
    result.object_list = [
        TimelineEntry(e, describe(e.verb, e.payload), details(e.verb, e.payload))
        for e in result.object_list
    ]
    return result


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
