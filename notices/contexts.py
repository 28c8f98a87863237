"""What each document prints, read from the account, as plain JSON-safe values.

A context is stored on the Document it produced (`Document.context`): dates as ISO
strings and money as strings, so "what did we send?" is answered from the database.
Templates format them with the `longdate` and `money` filters. Each builder takes
"today" and reads a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Sum, Window

from cases.models import Case, CourtCase, Hold, Tenant, Tenure
from core.money import ZERO, to_money, weeks_of
from notices.catalogue import DocumentTemplate
from notices.models import Document, DocumentKind, Notice
from notices.periods import add_months
from payments.models import (
    CREDIT_KINDS,
    Account,
    AccountKind,
    Arrangement,
    Transaction,
    TransactionKind,
)

# Council letter policy: how long a tenant is given to reply or put things right.
REPLY_DAYS = 7
REMEDY_DAYS = 14  # PAP: "give them clear time to put the breach right" (§8 para 11, 15)
PAP_REPLY_DAYS = 14  # PAP Part 3: "within a stated period"

LETTER_KINDS = frozenset(
    {
        DocumentKind.ARREARS_LETTER_1,
        DocumentKind.ARREARS_LETTER_2,
        DocumentKind.PRE_NOTICE_WARNING,
        DocumentKind.ARRANGEMENT_CONFIRMATION,
        DocumentKind.ARRANGEMENT_MISSED,
        DocumentKind.ARRANGEMENT_BROKEN,
        DocumentKind.NOTICE_OF_DEFAULT,
        DocumentKind.PRE_ACTION_PROTOCOL,
        DocumentKind.COURT_HEARING,
    }
)

ORDER_LABELS = {
    "suspended": "suspended possession order",
    "postponed": "postponed possession order",
    "adjourned_on_terms": "order adjourning the claim on terms",
    "outright": "outright possession order",
}

PER_PERIOD = {"weekly": Decimal(1), "fortnightly": Decimal(2), "four_weekly": Decimal(4)}


# During a Breathing Space the council may not demand or write about the moratorium
# debt, but proceedings already begun may continue to a hearing (SI 2020/1311 reg 7 and
# 10(3); legal-reference.md §10): of the letters, only the hearing letter may go.
LETTERS_ALLOWED_IN_BREATHING_SPACE = frozenset({DocumentKind.COURT_HEARING, DocumentKind.STATEMENT})


class LetterNotPossible(Exception):
    """The account lacks what the letter needs; the message says what."""


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(to_money(value))


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def rent_for_period(weekly: Decimal, frequency: str) -> Decimal:
    """A weekly figure as paid per instalment period; monthly is weekly x 52 / 12."""
    if frequency == "monthly":
        return to_money(weekly * 52 / 12)
    return to_money(weekly * PER_PERIOD[frequency])


def council() -> dict[str, Any]:
    return {
        "name": settings.COUNCIL_NAME,
        "address": list(settings.COUNCIL_ADDRESS),
        "phone": settings.COUNCIL_PHONE,
        "email": settings.COUNCIL_EMAIL,
    }


def salutation(tenant: Tenant) -> str:
    if tenant.title:
        return f"Dear {tenant.title} {tenant.last_name}"
    return f"Dear {tenant.first_name} {tenant.last_name}"


def named_tenants(case: Case) -> list[Tenant]:
    """Every tenant on the tenancy, lead first; joint tenants who have moved out are still
    tenants and are named and written to (legal-reference.md §1 content rules, §8)."""
    return [t for t in case.tenancy.tenants.all() if t.is_tenant]


def copies_for(tenants: list[Tenant], address: list[str]) -> list[dict[str, Any]]:
    """One copy per tenant, addressed to them, in the print size they asked for."""
    total = len(tenants)
    return [
        {
            "name": tenant.full_name,
            "salutation": salutation(tenant),
            "address": address,
            "large_print": tenant.preferred_format == Tenant.Format.LARGE_PRINT,
            "label": f"Copy {number} of {total}, for {tenant.full_name}" if total > 1 else "",
        }
        for number, tenant in enumerate(tenants, start=1)
    ]


@dataclass(frozen=True)
class Figures:
    as_at: date
    rent_arrears: Decimal
    weekly_charge: Decimal
    weekly_net_rent: Decimal
    technical_arrears: Decimal
    other_debts: list[dict[str, str]]
    last_payment_on: date | None
    last_payment_amount: Decimal | None

    @property
    def weeks(self) -> Decimal | None:
        return weeks_of(self.rent_arrears, self.weekly_charge)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_at": iso(self.as_at),
            "rent_arrears": money(self.rent_arrears),
            "weekly_charge": money(self.weekly_charge),
            "weekly_net_rent": money(self.weekly_net_rent),
            "weeks": str(self.weeks) if self.weeks is not None else None,
            "technical_arrears": money(self.technical_arrears),
            "other_debts": self.other_debts,
            "last_payment_on": iso(self.last_payment_on),
            "last_payment_amount": money(self.last_payment_amount),
        }


def arrears_accounts(case: Case, accounts: list[Account]) -> list[Account]:
    """The accounts whose arrears a notice or letter is about: rent lawfully due, or for
    a garage letting its garage rent (legal-reference.md §17)."""
    if case.tenancy.tenure == Tenure.GARAGE:
        return [a for a in accounts if a.kind == AccountKind.GARAGE]
    return [a for a in accounts if a.rent_lawfully_due]


def figures_for(case: Case, *, today: date) -> Figures:
    """Arrears from the accounts' running balances (kept in step with the ledger), the
    weekly charge and technical arrears from the case figures the nightly run keeps."""
    accounts = list(case.accounts.all())
    rent_accounts = arrears_accounts(case, accounts)
    rent_arrears = sum((a.balance for a in rent_accounts), ZERO)
    weekly_charge = case.weekly_charge or sum((a.weekly_charge for a in rent_accounts), ZERO)
    if case.tenancy.tenure == Tenure.GARAGE:
        weekly_charge = sum((a.weekly_charge for a in rent_accounts), ZERO)
    # Housing Benefit is paid on homes, not garages; before the nightly run has worked out
    # the net rent, the full charge stands in for it.
    garage = case.tenancy.tenure == Tenure.GARAGE
    net_rent = case.weekly_net_rent if case.figures_on and not garage else weekly_charge
    payments = [a for a in rent_accounts if a.last_payment_on]
    last = max(payments, key=lambda a: a.last_payment_on, default=None)
    return Figures(
        as_at=today,
        rent_arrears=rent_arrears,
        weekly_charge=weekly_charge,
        weekly_net_rent=net_rent,
        technical_arrears=case.technical_arrears,
        other_debts=[
            {"label": a.get_kind_display(), "reference": a.reference, "balance": money(a.balance)}
            for a in accounts
            if a not in rent_accounts and a.balance > 0
        ],
        last_payment_on=last.last_payment_on if last else None,
        last_payment_amount=last.last_payment_amount if last else None,
    )


def load_case(case_id: int) -> Case:
    return (
        Case.objects.select_related("tenancy__property", "patch__officer", "officer")
        .prefetch_related("tenancy__tenants", "accounts")
        .get(pk=case_id)
    )


def officer_for(case: Case, actor=None) -> dict[str, str]:
    person = actor or case.assigned_officer
    if person is None:
        return {
            "name": "The Income Team",
            "job_title": "",
            "phone": settings.COUNCIL_PHONE,
            "email": settings.COUNCIL_EMAIL,
        }
    return {
        "name": person.get_full_name() or person.username,
        "job_title": person.job_title or "Income Officer",
        "phone": person.phone or settings.COUNCIL_PHONE,
        "email": person.email or settings.COUNCIL_EMAIL,
    }


def tenancy_json(case: Case) -> dict[str, Any]:
    tenancy = case.tenancy
    return {
        "reference": tenancy.reference,
        "tenure": tenancy.tenure,
        "tenure_label": tenancy.get_tenure_display(),
        "start_date": iso(tenancy.start_date),
        "rent_period": tenancy.rent_period,
        "rent_period_label": tenancy.get_rent_period_display().lower(),
        "landlord": tenancy.landlord,
        "address": tenancy.property.address_lines,
        "one_line_address": tenancy.property.one_line_address,
        "is_garage": tenancy.tenure == Tenure.GARAGE,
    }


def base_context(
    case: Case, *, template: DocumentTemplate, today: date, actor=None
) -> dict[str, Any]:
    tenants = named_tenants(case)
    figures = figures_for(case, today=today)
    return {
        "council": council(),
        "template": {
            "code": template.code,
            "version": template.version,
            "title": template.title,
            "form": template.form,
        },
        "title": template.title,
        "date": iso(today),
        "reference": case.reference,
        "account_references": [
            a.reference for a in arrears_accounts(case, list(case.accounts.all()))
        ],
        "tenancy": tenancy_json(case),
        "tenants": [{"name": t.full_name, "is_lead": t.is_lead} for t in tenants],
        "officer": officer_for(case, actor),
        "figures": figures.as_json(),
        "reply_by": iso(today + timedelta(days=REPLY_DAYS)),
        "copies": copies_for(tenants, case.tenancy.property.address_lines),
    }


def letters_sent(case: Case) -> list[dict[str, str]]:
    """The arrears letters already produced for this case, oldest first."""
    return letters_sent_for([case.pk]).get(case.pk, [])


def letters_sent_for(case_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """The letters already produced for each of several cases, in one query."""
    rows = (
        Document.objects.filter(
            case_id__in=case_ids,
            kind__in=LETTER_KINDS,
            status=Document.Status.RENDERED,
            is_draft=False,
        )
        .order_by("requested_at", "id")
        .values_list("case_id", "kind", "requested_at")
    )
    sent: dict[int, list[dict[str, str]]] = {}
    for case_id, kind, at in rows:
        sent.setdefault(case_id, []).append(
            {"kind": DocumentKind(kind).label, "date": iso(at.date())}
        )
    return sent


def breathing_spaces_on(case_ids: list[int], day: date) -> dict[int, Hold]:
    """The Breathing Space in force on `day` for each of several cases, in one query."""
    found: dict[int, Hold] = {}
    for hold in Hold.objects.filter(case_id__in=case_ids, kind=Hold.Kind.BREATHING_SPACE):
        if hold.is_active_on(day):
            found.setdefault(hold.case_id, hold)
    return found


def _arrangement_json(arrangement: Arrangement, weekly_net_rent: Decimal) -> dict[str, Any]:
    rent = rent_for_period(weekly_net_rent, arrangement.frequency)
    rent_part = rent if arrangement.includes_current_rent else ZERO
    last = arrangement.checks.order_by("-checked_on", "-id").first()
    return {
        "frequency": arrangement.frequency,
        "frequency_label": arrangement.get_frequency_display().lower(),
        "instalment": money(arrangement.instalment),
        "starting_balance": money(arrangement.starting_balance),
        "rent_per_period": money(rent_part),
        "total_per_period": money(rent_part + arrangement.instalment),
        "starts_on": iso(arrangement.starts_on),
        "lump_sum": money(arrangement.lump_sum),
        "lump_sum_due_on": iso(arrangement.lump_sum_due_on),
        "includes_current_rent": arrangement.includes_current_rent,
        "court_ordered": arrangement.kind == Arrangement.Kind.COURT_ORDERED,
        "state_label": arrangement.get_state_display(),
        "last_check": None
        if last is None
        else {
            "checked_on": iso(last.checked_on),
            "expected_paid": money(last.expected_paid),
            "actual_paid": money(last.actual_paid),
            "shortfall": money(last.shortfall),
            "state_label": last.get_state_display(),
        },
    }


def _latest_arrangement(case: Case, *, court_ordered: bool | None = None) -> Arrangement:
    arrangements = Arrangement.objects.filter(case=case)
    if court_ordered is not None:
        arrangements = arrangements.filter(
            kind=Arrangement.Kind.COURT_ORDERED if court_ordered else Arrangement.Kind.INFORMAL
        )
    arrangement = arrangements.order_by("-starts_on", "-id").first()
    if arrangement is None:
        raise LetterNotPossible("There is no arrangement on this case to write about.")
    return arrangement


def _latest_served_notice(case: Case) -> Notice | None:
    return (
        Notice.objects.filter(case=case, status__in=[Notice.Status.SERVED, Notice.Status.EXPIRED])
        .order_by("-served_on", "-id")
        .first()
    )


def benefit_receipts(case: Case, *, today: date, weeks: int = 13) -> list[dict[str, str]]:
    """Benefit paid into the rent account over the last `weeks` weeks, by kind (PAP §8:
    the court wants the HB/UC position)."""
    rows = (
        Transaction.objects.filter(
            account__case=case,
            account__rent_lawfully_due=True,
            kind__in=[k for k in CREDIT_KINDS if k != TransactionKind.PAYMENT],
            effective_date__gt=today - timedelta(weeks=weeks),
            effective_date__lte=today,
        )
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by("kind")
    )
    return [{"kind": TransactionKind(r["kind"]).label, "total": money(-r["total"])} for r in rows]


_LOOK_UP = object()


def letter_context(
    kind: str,
    case: Case,
    *,
    template: DocumentTemplate,
    today: date,
    actor=None,
    breathing_space: Hold | object | None = _LOOK_UP,
    sent: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The context for one of the letters, or LetterNotPossible. A batch passes the
    Breathing Space and the letters already sent, read for all its cases at once."""
    if kind not in LETTERS_ALLOWED_IN_BREATHING_SPACE:
        if breathing_space is _LOOK_UP:
            breathing_space = breathing_spaces_on([case.pk], today).get(case.pk)
        if breathing_space is not None:
            until = (
                f" until {breathing_space.until.day} {breathing_space.until:%B %Y}"
                if (breathing_space.until)
                else ""
            )
            raise LetterNotPossible(
                f"A Breathing Space is in force{until}: no letter about the arrears may be sent "
                "during it (SI 2020/1311)."
            )
    context = base_context(case, template=template, today=today, actor=actor)
    if not context["copies"]:
        raise LetterNotPossible("No tenant is recorded on this tenancy to write to.")
    context["letters_sent"] = letters_sent(case) if sent is None else sent
    figures = figures_for(case, today=today)
    if kind in (
        DocumentKind.ARRANGEMENT_CONFIRMATION,
        DocumentKind.ARRANGEMENT_MISSED,
        DocumentKind.ARRANGEMENT_BROKEN,
    ):
        arrangement = _latest_arrangement(case)
        context["arrangement"] = _arrangement_json(arrangement, figures.weekly_net_rent)
        context["remedy_by"] = iso(today + timedelta(days=REPLY_DAYS))
    elif kind == DocumentKind.NOTICE_OF_DEFAULT:
        court_case = (
            CourtCase.objects.filter(
                case=case,
                outcome__in=[
                    CourtCase.Outcome.SUSPENDED,
                    CourtCase.Outcome.POSTPONED,
                    CourtCase.Outcome.ADJOURNED_ON_TERMS,
                ],
            )
            .order_by("-order_date", "-id")
            .first()
        )
        if court_case is None:
            raise LetterNotPossible("No suspended or postponed order with terms is recorded.")
        context["court_case"] = _court_case_json(court_case)
        arrangement = Arrangement.objects.filter(case=case, court_case=court_case).first()
        context["arrangement"] = (
            _arrangement_json(arrangement, figures.weekly_net_rent) if arrangement else None
        )
        context["remedy_by"] = iso(today + timedelta(days=REMEDY_DAYS))
    elif kind == DocumentKind.PRE_ACTION_PROTOCOL:
        notice = _latest_served_notice(case)
        context["notice"] = _notice_summary(notice) if notice else None
        context["benefits"] = benefit_receipts(case, today=today)
        context["reply_by"] = iso(today + timedelta(days=PAP_REPLY_DAYS))
        context["statement"] = enclosed_statement(case, today=today)
    elif kind == DocumentKind.COURT_HEARING:
        court_case = (
            CourtCase.objects.filter(case=case, hearing_at__date__gte=today)
            .order_by("hearing_at")
            .first()
        )
        if court_case is None:
            raise LetterNotPossible("No future court hearing is recorded for this case.")
        context["court_case"] = _court_case_json(court_case)
        context["benefits"] = benefit_receipts(case, today=today)
        context["statement"] = enclosed_statement(case, today=today)
    context["enclosures"] = list(template.enclosures)
    return context


def enclosed_statement(case: Case, *, today: date) -> dict[str, Any]:
    """The rent statement a letter before claim or a hearing letter encloses: from when
    the arrears began, or two years (PAP para 5 and 13; CPR PD 55A 2.3A)."""
    accounts = arrears_accounts(case, list(case.accounts.all()))
    start = add_months(today, -24) + timedelta(days=1)
    sections = statement_lines(accounts, start=start, end=today)
    if sections:
        began = first_default_on(sections[0], start)
        if began > start:
            start = began
            sections = statement_lines(accounts, start=start, end=today)
    return {"start": iso(start), "end": iso(today), "sections": sections}


def _court_case_json(court_case: CourtCase) -> dict[str, Any]:
    from django.utils import timezone

    hearing = timezone.localtime(court_case.hearing_at) if court_case.hearing_at else None
    court = court_case.court_name or "County Court"
    return {
        "court_name": f"the {court}" if court.startswith("County Court") else court,
        "order_label": ORDER_LABELS.get(
            court_case.outcome, court_case.get_outcome_display().lower()
        ),
        "claim_number": court_case.claim_number,
        "issued_on": iso(court_case.issued_on),
        "hearing_on": iso(hearing.date()) if hearing else None,
        "hearing_time": f"{hearing:%-I:%M%p}".lower() if hearing else None,
        "outcome_label": court_case.get_outcome_display(),
        "order_date": iso(court_case.order_date),
        "terms_instalment": money(court_case.terms_instalment),
        "terms_frequency_label": court_case.get_terms_frequency_display().lower(),
    }


def _notice_summary(notice: Notice) -> dict[str, Any]:
    return {
        "kind_label": DocumentKind(notice.kind).label,
        "served_on": iso(notice.served_on),
        "earliest_proceedings_date": iso(notice.earliest_proceedings_date),
        "last_proceedings_date": iso(notice.last_proceedings_date),
    }


# Statements -------------------------------------------------------------------------


def statement_lines(accounts: list[Account], *, start: date, end: date) -> list[dict[str, Any]]:
    """Ledger lines from `start` to `end` with a running balance, by a window function
    over the account's lines (opening balance from one aggregate)."""
    sections = []
    for account in accounts:
        opening = (
            Transaction.objects.filter(account=account, effective_date__lt=start).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
        )
        lines = (
            Transaction.objects.filter(
                account=account, effective_date__gte=start, effective_date__lte=end
            )
            .annotate(
                running=Window(Sum("amount"), order_by=[F("effective_date").asc(), F("id").asc()])
            )
            .order_by("effective_date", "id")
            .values("effective_date", "kind", "description", "amount", "running")
        )
        rows, charged, paid = [], ZERO, ZERO
        for line in lines:
            amount = line["amount"]
            if amount > 0:
                charged += amount
            else:
                paid -= amount
            rows.append(
                {
                    "date": iso(line["effective_date"]),
                    "description": line["description"] or TransactionKind(line["kind"]).label,
                    "kind": TransactionKind(line["kind"]).label,
                    "debit": money(amount) if amount > 0 else None,
                    "credit": money(-amount) if amount < 0 else None,
                    "balance": money(opening + line["running"]),
                }
            )
        sections.append(
            {
                "reference": account.reference,
                "kind": account.get_kind_display(),
                "opening": money(opening),
                "closing": money(opening + charged - paid),
                "charged": money(charged),
                "paid": money(paid),
                "lines": rows,
            }
        )
    return sections


def first_default_on(section: dict[str, Any], start: date) -> date:
    """The date arrears began within the period: the line after the last time the
    balance was nil or in credit (CPR PD 55A para 2.3A: the schedule runs "from the
    first date of default" when that is under two years before issue)."""
    opening = Decimal(section["opening"])
    began = start
    previous_clear = opening <= 0
    for line in section["lines"]:
        balance = Decimal(line["balance"])
        if previous_clear and balance > 0:
            began = date.fromisoformat(line["date"])
        previous_clear = balance <= 0
    return began


def statement_context(
    case: Case,
    *,
    template: DocumentTemplate,
    today: date,
    start: date,
    end: date,
    for_court: bool = False,
    actor=None,
    accounts: list[Account] | None = None,
) -> dict[str, Any]:
    """A statement of the rent account(s), or of the `accounts` given, for any period;
    for court, the two years before `end` or from the first date of default if later
    (CPR PD 55A 2.3A)."""
    if start > end:
        raise LetterNotPossible("The statement must start on or before the day it ends.")
    context = base_context(case, template=template, today=today, actor=actor)
    if accounts is None:
        accounts = arrears_accounts(case, list(case.accounts.all()))
    sections = statement_lines(accounts, start=start, end=end)
    if for_court and sections:
        began = first_default_on(sections[0], start)
        if began > start:
            start = began
            sections = statement_lines(accounts, start=start, end=end)
    figures = figures_for(case, today=today)
    charge_weeks = 52 - settings.RENT_FREE_WEEKS_PER_YEAR
    context.update(
        {
            "start": iso(start),
            "end": iso(end),
            "for_court": for_court,
            "sections": sections,
            "daily_rate": money(figures.weekly_charge * charge_weeks / 365),
            "charge_weeks": charge_weeks,
            # One statement for the tenancy, naming every tenant.
            "copies": [{**context["copies"][0], "label": ""}] if context["copies"] else [],
        }
    )
    return context
