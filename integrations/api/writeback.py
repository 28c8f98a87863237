"""The nightly write-back: what the service did on a day, as a CSV for the housing
management system's action diary (layout in integrations/api/README.md).

A day's file is made once, from the timeline events of the day (and any that arrived late
for an earlier day, within LATE_DAYS) and the stage and next action the nightly run
decided; its lines are kept as written (WritebackLine), so writing the day again gives
the same bytes, and a line's source is unique, so nothing is sent twice across days.
"""

import csv
import hashlib
import io
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from arrears.actions import action_label
from arrears.models import RecommendationHistory
from cases.models import Case, CaseEvent, Stage
from cases.timeline import describe
from integrations.api.models import WritebackExport, WritebackLine
from integrations.models import HmsAccount, HmsLink, HmsTenancy
from payments.models import Account, AccountKind

# The file's columns, in order. Documented in integrations/api/README.md.
COLUMNS = [
    "record_id",
    "record_type",
    "action_date",
    "action_time",
    "tenancy_reference",
    "rent_account_reference",
    "case_reference",
    "action_code",
    "category",
    "description",
    "stage",
    "next_action",
    "next_action_label",
    "amount",
    "officer",
    "hms_tenancy_id",
    "hms_account_id",
]

# The timeline verbs the housing system's action diary takes, with the code it files
# them under and their kind. Everything else (notes, ledger lines the HMS already has,
# assignment) stays in the service.
ACTION_CODES: dict[str, tuple[str, str]] = {
    "contact_recorded": ("CONTACT", "contact"),
    "letter_requested": ("LETTER", "contact"),
    "message_delivered": ("MESSAGE", "contact"),
    "arrangement_created": ("ARR_MADE", "arrangement"),
    "arrangement_cancelled": ("ARR_CANCEL", "arrangement"),
    "arrangement_state_changed": ("ARR_STATE", "arrangement"),
    "notice_served": ("NOTICE_SERVED", "notice"),
    "notice_withdrawn": ("NOTICE_WITHDRAWN", "notice"),
    "notice_expired": ("NOTICE_EXPIRED", "notice"),
    "court_claim_issued": ("CLAIM_ISSUED", "court"),
    "court_claim_withdrawn": ("CLAIM_WITHDRAWN", "court"),
    "court_hearing_recorded": ("HEARING", "court"),
    "warrant_applied": ("WARRANT_APPLIED", "court"),
    "warrant_issued": ("WARRANT_ISSUED", "court"),
    "warrant_appointment_booked": ("EVICTION_BOOKED", "court"),
    "warrant_suspension_decided": ("WARRANT_SUSPENSION", "court"),
    "warrant_withdrawn": ("WARRANT_WITHDRAWN", "court"),
    "eviction_recorded": ("EVICTION", "court"),
    "court_money_claim_issued": ("MONEY_CLAIM", "court"),
    "court_money_claim_judgment": ("MONEY_JUDGMENT", "court"),
    "stage_changed": ("STAGE", "stage"),
}
NEXT_ACTION_CODE = "NEXT_ACTION"

# An event written for an earlier day after that day's file was made (a long transaction
# over midnight, a back-dated record) goes in the next file, if no older than this.
LATE_DAYS = 7

LONDON = ZoneInfo(settings.TIME_ZONE)


class WritebackRefused(Exception):
    pass


def file_name_for(day: date) -> str:
    return f"arrears-actions-{day:%Y-%m-%d}.csv"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _money(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):.2f}"
    except ArithmeticError:
        return ""


@dataclass(frozen=True)
class CaseKeys:
    """How the housing system knows a case: our references, and its own ids for the
    tenancy and the rent account when the HMS load made them (integrations.HmsTenancy,
    HmsAccount)."""

    rent_account: str = ""
    hms_tenancy_id: str = ""
    hms_account_id: str = ""


def _hms_ids(model: type[HmsLink], field: str, ids: set[int]) -> dict[int, str]:
    """The HMS's ids for our records, from the HMS load's links (none for records the
    service made itself)."""
    return dict(model.objects.filter(**{f"{field}__in": ids}).values_list(field, "hms_id"))


def _case_keys(case_ids: set[int]) -> dict[int, CaseKeys]:
    """Each case's rent account (the open one, else the latest) and the HMS's ids: the
    HMS files diary entries by tenancy or account. Three queries whatever the count."""
    accounts: dict[int, tuple[int, str]] = {}
    for case_id, account_id, reference in (
        Account.objects.filter(case_id__in=case_ids, kind=AccountKind.RENT)
        .order_by("case_id", "status", "-opened_on", "id")
        .values_list("case_id", "id", "reference")
    ):
        accounts.setdefault(case_id, (account_id, reference))
    tenancies = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "tenancy_id"))
    hms_tenancies = _hms_ids(HmsTenancy, "tenancy_id", set(tenancies.values()))
    hms_accounts = _hms_ids(HmsAccount, "account_id", {a for a, _ in accounts.values()})
    keys = {}
    for case_id in case_ids:
        account_id, reference = accounts.get(case_id, (None, ""))
        keys[case_id] = CaseKeys(
            rent_account=reference,
            hms_tenancy_id=hms_tenancies.get(tenancies.get(case_id), ""),
            hms_account_id=hms_accounts.get(account_id, ""),
        )
    return keys


def _event_rows(events: list[CaseEvent], keys: dict[int, CaseKeys]) -> list[tuple[int, list[str]]]:
    rows = []
    for event in events:
        code, category = ACTION_CODES[event.verb]
        payload = event.payload or {}
        at = timezone.localtime(event.occurred_at, LONDON)
        stage = str(payload.get("to", "")) if event.verb == "stage_changed" else ""
        amount = payload.get("instalment", payload.get("amount"))
        key = keys[event.case_id]
        rows.append(
            (
                event.pk,
                [
                    f"E{event.pk}",
                    "ACTION",
                    at.date().isoformat(),
                    at.strftime("%H:%M:%S"),
                    event.case.tenancy.reference,
                    key.rent_account,
                    event.case.reference,
                    code,
                    category,
                    describe(event.verb, payload),
                    stage,
                    "",
                    "",
                    _money(amount),
                    event.actor.username if event.actor_id else "SYSTEM",
                    key.hms_tenancy_id,
                    key.hms_account_id,
                ],
            )
        )
    return rows


def _next_action_rows(
    history: list[RecommendationHistory], keys: dict[int, CaseKeys]
) -> list[tuple[int, list[str]]]:
    return [
        (
            h.pk,
            [
                f"R{h.pk}",
                NEXT_ACTION_CODE,
                h.run_date.isoformat(),
                "",
                h.case.tenancy.reference,
                keys[h.case_id].rent_account,
                h.case.reference,
                NEXT_ACTION_CODE,
                "stage",
                f"{Stage.label_of(h.stage)}: {action_label(h.action)}"
                + (" (for approval)" if h.needs_approval else ""),
                h.stage,
                h.action,
                action_label(h.action),
                "",
                "SYSTEM",
                keys[h.case_id].hms_tenancy_id,
                keys[h.case_id].hms_account_id,
            ],
        )
        for h in history
    ]


def render(rows: list[list[str]], *, day: date) -> bytes:
    """The file: a header, the rows, and a trailer with the day and the row count."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    trailer = ["TRAILER", "TRAILER", day.isoformat(), "", "", "", "", str(len(rows))]
    writer.writerow(trailer + [""] * (len(COLUMNS) - len(trailer)))
    return out.getvalue().encode("utf-8")


def _write(folder: Path, name: str, content: bytes) -> Path:
    """Write through a temporary name and rename, so the housing system's import never
    reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    partial = folder / f".{name}.partial"
    partial.write_bytes(content)
    os.replace(partial, target)
    return target


@dataclass(frozen=True)
class WritebackResult:
    export: WritebackExport
    path: Path
    created: bool  # False: the day's file was written again from its kept lines


def _select(day: date) -> tuple[list[CaseEvent], list[RecommendationHistory]]:
    first_day = WritebackExport.objects.aggregate(first=Min("day"))["first"]
    window_day = max(day - timedelta(days=LATE_DAYS), min(first_day or day, day))
    exported_event = WritebackLine.objects.filter(
        source=WritebackLine.Source.EVENT, source_id=OuterRef("pk")
    )
    events = list(
        CaseEvent.objects.filter(
            verb__in=ACTION_CODES,
            occurred_at__gte=_start_of(window_day),
            occurred_at__lt=_start_of(day + timedelta(days=1)),
        )
        .exclude(Exists(exported_event))
        .select_related("case__tenancy", "actor")
        # Only what a line needs: a case row has some thirty columns.
        .only(
            "verb",
            "payload",
            "occurred_at",
            "case__reference",
            "case__tenancy__reference",
            "actor__username",
        )
        .order_by("occurred_at", "id")
    )
    exported_history = WritebackLine.objects.filter(
        source=WritebackLine.Source.RECOMMENDATION, source_id=OuterRef("pk")
    )
    history = list(
        RecommendationHistory.objects.filter(run_date__gte=window_day, run_date__lte=day)
        .exclude(Exists(exported_history))
        .select_related("case__tenancy")
        .only(
            "run_date",
            "stage",
            "action",
            "needs_approval",
            "case__reference",
            "case__tenancy__reference",
        )
        .order_by("run_date", "case__reference", "id")
    )
    return events, history


def writeback_day(*, day: date, folder: Path, today: date) -> WritebackResult:
    """Make (or write again) the action-diary file for `day`, a day that has ended."""
    if day >= today:
        raise WritebackRefused(
            f"{day:%-d %B %Y} has not ended yet: the write-back covers days before today."
        )
    existing = WritebackExport.objects.filter(day=day).first()
    created = False
    if existing is None:
        try:
            existing, created = _create(day)
        except IntegrityError:
            # Another process made the day's file first; write its lines.
            existing = WritebackExport.objects.get(day=day)
            created = False
    rows = list(existing.lines.order_by("position").values_list("row", flat=True))
    content = render(rows, day=day)
    if hashlib.sha256(content).hexdigest() != existing.sha256:
        raise WritebackRefused(
            f"The kept lines of {existing.file_name} no longer give the file first written "
            "(its checksum differs); it was not written again."
        )
    path = _write(folder, existing.file_name, content)
    WritebackExport.objects.filter(pk=existing.pk).update(written_at=timezone.now())
    return WritebackResult(export=existing, path=path, created=created)


# Two exports at once (the beat task and an operator's command) would both choose the
# same late events; one at a time, on PostgreSQL by an advisory lock held to commit.
WRITEBACK_LOCK = 0x4D5357_4252  # any constant unique to this job


def _create(day: date) -> tuple[WritebackExport, bool]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITEBACK_LOCK])
        made_meanwhile = WritebackExport.objects.filter(day=day).first()
        if made_meanwhile is not None:
            return made_meanwhile, False
        events, history = _select(day)
        keys = _case_keys({e.case_id for e in events} | {h.case_id for h in history})
        sourced = [
            (WritebackLine.Source.EVENT, pk, row) for pk, row in _event_rows(events, keys)
        ] + [
            (WritebackLine.Source.RECOMMENDATION, pk, row)
            for pk, row in _next_action_rows(history, keys)
        ]
        rows = [row for _, _, row in sourced]
        export = WritebackExport.objects.create(
            day=day,
            file_name=file_name_for(day),
            rows=len(rows),
            sha256=hashlib.sha256(render(rows, day=day)).hexdigest(),
        )
        WritebackLine.objects.bulk_create(
            [
                WritebackLine(export=export, position=n, source=source, source_id=pk, row=row)
                for n, (source, pk, row) in enumerate(sourced, start=1)
            ],
            batch_size=5000,
        )
    return export, True


def days_to_write(*, since: date | None, today: date) -> list[date]:
    """From `since` (or the day after the last file, or yesterday when there is none)
    to yesterday."""
    yesterday = today - timedelta(days=1)
    if since is None:
        last = WritebackExport.objects.order_by("-day").values_list("day", flat=True).first()
        since = last + timedelta(days=1) if last else yesterday
    return [since + timedelta(days=n) for n in range((yesterday - since).days + 1)]


def writeback(*, folder: Path, today: date, since: date | None = None) -> list[WritebackResult]:
    return [
        writeback_day(day=day, folder=folder, today=today)
        for day in days_to_write(since=since, today=today)
    ]
