"""Retention: the personal data of cases closed more than PRIVACY_RETENTION_YEARS ago is
anonymised (UK GDPR Art. 5(1)(e), storage limitation). Six years by default: the
Limitation Act 1980 s5 period for recovering a debt, after which the council has no
need to know who owed it.

What goes: the tenants' names, dates of birth and contact details (when every case on
their tenancy is past the period), every free-text field on the cases' records (notes,
contact summaries, flag details, assessments, court and notice text), the names and
figures held for printing (documents' stored context, message personalisation), bank
details, and the PDFs themselves. What stays: the ledger (append-only, and the council
must account for its money), amounts, dates, stages and codes, so the figures still add up.

Set-based: each kind of record is one UPDATE over the set of cases, whatever its size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Func, JSONField, Q

from cases.models import Case, CaseEvent, Tenant
from cases.timeline import DETAILS
from core.encryption import EncryptedField
from core.models import User
from privacy.models import AnonymisedCase, RetentionRun
from privacy.records import RecordKind, case_record_kinds

logger = logging.getLogger(__name__)

ANONYMISED = "Anonymised"

# The ledger is append-only (a PostgreSQL trigger refuses UPDATE); its amounts stay.
KEPT = frozenset({"payments.transaction"})

# Personal data held in short text fields, by record, with what replaces it.
PERSONAL_FIELDS: dict[str, dict[str, Any]] = {
    "cases.tenant": {
        "title": "",
        "first_name": ANONYMISED,
        "last_name": "",
        "date_of_birth": None,
        "phone": "",
        "mobile": "",
        "email": "",
        "language": "",
        "needs_interpreter": False,
        "communication_needs": "",
    },
    "payments.directdebitmandate": {
        "payer_name": ANONYMISED,
        "sort_code": "000000",
        "account_number": "00000000",
    },
    "notices.document": {"recipients": "", "address_sort_key": "", "context": {}},
    "notices.message": {"addressee": "", "recipient": "", "personalisation": {}},
    "notices.noticeservice": {"tenant_name": ANONYMISED, "given_to": "", "address": ""},
    "notices.messageoptout": {"reason": ""},
    "cases.hold": {"reference": ""},
}

# Keys of a timeline entry's payload that carry what someone wrote, or a name.
PAYLOAD_KEYS = tuple(
    sorted(
        set(DETAILS.values())
        | {
            "reason",
            "reasons",
            "tenant",
            "tenant_name",
            "tenants",
            "addressee",
            "recipient",
            "recipients",
            "payer_name",
        }
    )
)


def retention_cutoff(*, today: date, years: int) -> date:
    """Cases closed before this date are past the retention period (29 February counts
    from 28 February in a year without one)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def is_past_retention(*, closed_on: date | None, today: date, years: int) -> bool:
    """A closed case is past the period once `years` whole years have run since it closed."""
    return closed_on is not None and closed_on < retention_cutoff(today=today, years=years)


class JSONRemoveKeys(Func):
    """The JSON object without these keys, in the database (jsonb `-` on PostgreSQL,
    json_remove on SQLite), so a whole set of rows is changed in one UPDATE."""

    def __init__(self, expression, keys: tuple[str, ...]) -> None:
        self.keys = keys
        super().__init__(expression, output_field=JSONField())

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - %s::text[])", [*params, list(self.keys)]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        paths = ", ".join(["%s"] * len(self.keys))
        return f"json_remove({sql}, {paths})", [*params, *(f'$."{k}"' for k in self.keys)]


@dataclass
class Change:
    """One UPDATE: which records, how many, and what goes."""

    label: str
    rows: models.QuerySet
    values: dict[str, Any]
    what: list[str]
    count: int = 0


@dataclass
class RetentionPlan:
    closed_before: date
    cases: list[tuple[int, str, date]]
    changes: list[Change] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "closed_before": self.closed_before.isoformat(),
            "cases": [ref for _pk, ref, _closed in self.cases],
            "records": {c.label: {"rows": c.count, "fields": c.what} for c in self.changes},
            "files": len(self.files),
        }


def past_cases(*, today: date) -> models.QuerySet[Case]:
    cutoff = retention_cutoff(today=today, years=settings.PRIVACY_RETENTION_YEARS)
    return (
        Case.objects.filter(status=Case.Status.CLOSED, closed_on__lt=cutoff)
        .exclude(pk__in=AnonymisedCase.objects.values("case_id"))
        .order_by("closed_on", "reference")
    )


def _not_blank(name: str, value: Any) -> Q:
    return ~Q(**{name: value}) & Q(**{f"{name}__isnull": False})


def _change_for(kind: RecordKind, case_ids) -> Change | None:
    """Every free-text field of this kind blanked, and its personal fields replaced."""
    values: dict[str, Any] = {
        f.name: ""
        for f in kind.model._meta.concrete_fields
        if isinstance(f, models.TextField) and not f.primary_key
    }
    values.update(PERSONAL_FIELDS.get(kind.label, {}))
    if not values:
        return None
    pending = Q()
    for name, value in values.items():
        # Encrypted at rest, so the database cannot tell whether it is already replaced;
        # the record's other fields decide, or every one of the cases' records is changed.
        if not isinstance(kind.model._meta.get_field(name), EncryptedField):
            pending |= _not_blank(name, value)
    rows = kind.model._default_manager.filter(pk__in=kind.for_cases(case_ids).values("pk")).filter(
        pending
    )
    return Change(label=kind.label, rows=rows, values=values, what=sorted(values))


def retention_plan(*, today: date) -> RetentionPlan:
    """What anonymising the cases past the period would change, counted, not done."""
    cases_qs = past_cases(today=today)
    return _plan_for(
        cases_qs.values("pk"),
        cases=list(cases_qs.values_list("pk", "reference", "closed_on")),
        today=today,
    )


def _plan_for(case_ids: models.QuerySet, *, cases: list, today: date) -> RetentionPlan:
    """The changes for the cases `case_ids` selects (a subquery, never a list of ids)."""
    cutoff = retention_cutoff(today=today, years=settings.PRIVACY_RETENTION_YEARS)
    plan = RetentionPlan(closed_before=cutoff, cases=cases)
    if not plan.cases:
        return plan
    for kind in case_record_kinds():
        if kind.label in KEPT:
            continue
        change = _change_for(kind, case_ids)
        if change is not None:
            plan.changes.append(change)
    # Timeline payloads: the keys that hold free text or names go, the rest stay.
    plan.changes.append(
        Change(
            label="cases.caseevent payload",
            rows=CaseEvent.objects.filter(case__in=case_ids, payload__has_any_keys=PAYLOAD_KEYS),
            values={"payload": JSONRemoveKeys("payload", PAYLOAD_KEYS)},
            what=[f"payload.{k}" for k in PAYLOAD_KEYS],
        )
    )
    # A tenant goes only when every case on their tenancy is past the period.
    not_past = Case.objects.exclude(status=Case.Status.CLOSED, closed_on__lt=cutoff).values(
        "tenancy_id"
    )
    tenants = (
        Tenant.objects.filter(tenancy__cases__in=case_ids)
        .exclude(tenancy_id__in=not_past)
        .exclude(first_name=ANONYMISED, last_name="")
    )
    tenant_values = PERSONAL_FIELDS["cases.tenant"]
    plan.changes.append(
        Change(
            label="cases.tenant",
            rows=Tenant.objects.filter(pk__in=tenants.values("pk")),
            values=tenant_values,
            what=sorted(tenant_values),
        )
    )
    from notices.models import Document

    documents = Document.objects.filter(case__in=case_ids).exclude(file="")
    plan.files = list(documents.values_list("file", flat=True))
    plan.changes.append(
        Change(label="notices.document file", rows=documents, values={"file": ""}, what=["file"])
    )
    for change in plan.changes:
        change.count = change.rows.count()
    return plan


def retention_apply(*, today: date, actor: User | None) -> RetentionRun | None:
    """Anonymise the cases past the period, all in one transaction; None if there are none.

    The cases are fixed first, by one INSERT ... SELECT of them into AnonymisedCase, and
    every UPDATE then reads that set: a case closed meanwhile by another transaction
    cannot be half done, and the statements are the same however many cases there are.
    """
    cutoff = retention_cutoff(today=today, years=settings.PRIVACY_RETENTION_YEARS)
    with transaction.atomic():
        run = RetentionRun.objects.create(closed_before=cutoff, actor=actor)
        chosen_sql, params = (
            past_cases(today=today)
            .order_by()
            .annotate(chosen_id=F("pk"))
            .values("chosen_id")
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AnonymisedCase._meta.db_table} (case_id, run_id)"
                f" SELECT chosen.chosen_id, %s FROM ({chosen_sql}) chosen",
                [run.pk, *params],
            )
        chosen = AnonymisedCase.objects.filter(run=run).values("case_id")
        cases = list(
            Case.objects.filter(pk__in=chosen)
            .order_by("closed_on", "reference")
            .values_list("pk", "reference", "closed_on")
        )
        if not cases:
            transaction.set_rollback(True)
            return None
        plan = _plan_for(chosen, cases=cases, today=today)
        # Each change is counted (for the run's summary), then made in one UPDATE.
        for change in plan.changes:
            change.rows.update(**change.values)
        run.cases = len(cases)
        run.summary = plan.summary()
        run.save(update_fields=["cases", "summary"])
        files = plan.files
        transaction.on_commit(lambda: _delete_files(files))
    logger.info("Anonymised %d cases closed before %s", run.cases, plan.closed_before)
    return run


def _delete_files(files: list[str]) -> None:
    root = Path(settings.DOCUMENTS_ROOT)
    for name in files:
        try:
            (root / name).unlink(missing_ok=True)
        except OSError:
            logger.exception("Could not delete %s", name)


def describe_plan(plan: RetentionPlan) -> list[str]:
    """The dry run's report, line by line: the cases, then what goes from each record."""
    years = settings.PRIVACY_RETENTION_YEARS
    lines = [
        f"Cases closed before {plan.closed_before:%-d %B %Y} ({years} years): "
        f"{len(plan.cases)} to anonymise"
    ]
    lines += [f"  {ref} closed {closed:%-d %B %Y}" for _pk, ref, closed in plan.cases]
    tenants = next((c for c in plan.changes if c.label == "cases.tenant"), None)
    if tenants is not None and tenants.count:
        lines.append("People whose names and contact details go:")
        lines += [
            f"  {t.full_name} (tenancy {t.tenancy.reference})"
            for t in tenants.rows.select_related("tenancy").order_by("tenancy__reference", "pk")
        ]
    for change in plan.changes:
        if change.count:
            lines.append(f"{change.label}: {change.count} rows lose {', '.join(change.what)}")
    if plan.files:
        lines.append(f"notices.document: {len(plan.files)} PDF files deleted")
    lines.append("The ledger (payments.transaction) is kept: amounts, dates and references.")
    return lines
