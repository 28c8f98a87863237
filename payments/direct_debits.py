"""Direct debits: instructions (mandates), the day's Bacs collection file, the banks'
reports on instructions (AUDDIS, ADDACS) and returned collections (ARUDD).

Rules first (small pure functions over plain values, each citing its source), then the
services that write. Collections post to the ledger set-based when the file is made,
under a reference unique to the collection date and mandate, so one never posts twice;
a returned collection is reversed through `payments.services.reversal_post`, exactly
its own payment, never edited. Officers hear of what the bank did through the case's
next action and its timeline. Bacs reason codes and the Standard 18 record are data in
`payments/bacs.py`.
"""

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from cases.models import Case, Hold
from cases.services import case_event_record
from cases.services.holds import case_pause
from core.dates import add_working_days, is_working_day
from core.models import User
from core.money import PENNY, format_money
from payments import bacs, bacs_reports
from payments.bacs import MandateEffect, ReasonCode, Standard18Record
from payments.imports.services import FileRefused
from payments.models import (
    Account,
    ArrangementFrequency,
    DirectDebitCollection,
    DirectDebitFile,
    DirectDebitMandate,
    DirectDebitReturnFile,
    MandateStatus,
    PaymentMethod,
    Transaction,
    TransactionKind,
    TransactionSource,
)
from payments.services import MAX_SINGLE_POSTING, reversal_post

# The Direct Debit Guarantee: the payer is told the amount and date at least 10 working
# days before the first collection unless they agree otherwise. The council does not
# agree otherwise, so a mandate's first collection is at least this far off.
ADVANCE_NOTICE_WORKING_DAYS = 10
# Bacs runs a three-day cycle (input, processing, entry). The council's rule: a
# collection falls due at least three working days after its file is made.
COLLECTION_LEAD_WORKING_DAYS = 3
# Council policy: a collection returned "refer to payer" (ARUDD 0) is presented once more.
DIRECT_DEBIT_REPRESENTATIONS = 1
# A payer reported deceased pauses the case while the officer finds out who has died.
DECEASED_PAYER_PAUSE_DAYS = 28
# Monthly collections on the 1st to the 28th, so every month, February too, has the day.
LAST_MONTHLY_COLLECTION_DAY = 28

WEEKS_BETWEEN = {
    ArrangementFrequency.WEEKLY: 1,
    ArrangementFrequency.FORTNIGHTLY: 2,
    ArrangementFrequency.FOUR_WEEKLY: 4,
}


# --- Rules ----------------------------------------------------------------------------


def first_collection_earliest(*, today: date) -> date:
    """The earliest first collection of a new instruction: the advance notice the Direct
    Debit Guarantee promises (ADVANCE_NOTICE_WORKING_DAYS working days)."""
    return add_working_days(today, ADVANCE_NOTICE_WORKING_DAYS)


def earliest_collection_date(*, file_made_on: date) -> date:
    """The first date a file made on `file_made_on` may collect on: three working days
    later, English bank holidays skipped (the Bacs cycle; COLLECTION_LEAD_WORKING_DAYS)."""
    return add_working_days(file_made_on, COLLECTION_LEAD_WORKING_DAYS)


def collection_date_problem(*, collection_date: date, file_made_on: date) -> str | None:
    """A collection date must be a working day (Bacs moves money on working days only)
    and at least three working days after the file is made; otherwise it is refused."""
    earliest = earliest_collection_date(file_made_on=file_made_on)
    if collection_date < earliest:
        return (
            f"Direct debits collected on {collection_date:%-d %B %Y} are less than "
            f"{COLLECTION_LEAD_WORKING_DAYS} working days away: the earliest collection date "
            f"for a file made on {file_made_on:%-d %B %Y} is {earliest:%-d %B %Y}"
        )
    if not is_working_day(collection_date):
        return (
            f"{collection_date:%A %-d %B %Y} is not a working day; Bacs collects on "
            f"working days only. Collect on {entry_date_for(collection_date):%-d %B %Y}"
        )
    return None


def entry_date_for(due_on: date) -> date:
    """A collection due on a weekend or bank holiday is taken on the next working day
    (the due date moves later, never earlier, so the advance notice still holds)."""
    day = due_on
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def processing_date_for(collection_date: date) -> date:
    """The Bacs processing day: the working day before the money leaves the account."""
    day = collection_date - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _add_months(day: date, months: int, on_day: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, on_day)


def due_dates(
    *,
    frequency: str,
    first_collection_on: date,
    collection_day: int,
    start: date,
    end: date,
) -> list[date]:
    """The nominal due dates of an instruction from `start` to `end` inclusive."""
    found: list[date] = []
    if frequency == ArrangementFrequency.MONTHLY:
        months = 0
        while True:
            day = _add_months(first_collection_on, months, collection_day)
            if day > end:
                return found
            if day >= start and day >= first_collection_on:
                found.append(day)
            months += 1
    step = timedelta(weeks=WEEKS_BETWEEN[ArrangementFrequency(frequency)])
    day = first_collection_on
    if start > day:
        day += step * ((start - day) // step)
    while day <= end:
        if day >= start:
            found.append(day)
        day += step
    return found


def due_date_collected_on(
    *, frequency: str, first_collection_on: date, collection_day: int, collection_date: date
) -> date | None:
    """The due date (if any) that is collected on `collection_date`: one due that day, or
    since the last working day, moved on by `entry_date_for`."""
    since = processing_date_for(collection_date) + timedelta(days=1)
    dates = due_dates(
        frequency=frequency,
        first_collection_on=first_collection_on,
        collection_day=collection_day,
        start=since,
        end=collection_date,
    )
    return dates[-1] if dates else None


def next_due_after(
    *, frequency: str, first_collection_on: date, collection_day: int, after: date
) -> date:
    dates = due_dates(
        frequency=frequency,
        first_collection_on=first_collection_on,
        collection_day=collection_day,
        start=after + timedelta(days=1),
        end=after + timedelta(days=62),
    )
    return dates[0]


def transaction_code_for(*, is_first: bool, is_final: bool, is_representation: bool) -> str:
    """Standard 18 transaction codes: 01 first collection of an instruction, 18 a
    re-presentation, 19 the final collection, 17 any other."""
    if is_representation:
        return DirectDebitCollection.Code.REPRESENTED
    if is_first:
        return DirectDebitCollection.Code.FIRST
    if is_final:
        return DirectDebitCollection.Code.FINAL
    return DirectDebitCollection.Code.REGULAR


def mandate_problems(
    *,
    payer_name: str,
    sort_code: str,
    account_number: str,
    amount: Decimal,
    frequency: str,
    first_collection_on: date,
    ends_on: date | None,
    today: date,
) -> dict[str, str]:
    """Everything wrong with a new instruction, by field, in words an officer can act on."""
    problems = {
        "payer_name": bacs.bacs_name_problem(payer_name),
        "sort_code": bacs.sort_code_problem(sort_code),
        "account_number": bacs.account_number_problem(account_number),
    }
    if not isinstance(amount, Decimal) or amount != amount.quantize(PENNY) or amount <= 0:
        problems["amount"] = "Enter the amount in pounds and pence, more than £0"
    elif amount > MAX_SINGLE_POSTING:
        problems["amount"] = f"The amount must be no more than {format_money(MAX_SINGLE_POSTING)}"
    if frequency not in ArrangementFrequency.values:
        problems["frequency"] = "Choose how often the direct debit is collected"
    earliest = first_collection_earliest(today=today)
    if first_collection_on < earliest:
        problems["first_collection_on"] = (
            f"The first collection must be on or after {earliest:%-d %B %Y}: the tenant is "
            f"told {ADVANCE_NOTICE_WORKING_DAYS} working days before (Direct Debit Guarantee)"
        )
    elif (
        frequency == ArrangementFrequency.MONTHLY
        and first_collection_on.day > LAST_MONTHLY_COLLECTION_DAY
    ):
        problems["first_collection_on"] = (
            "A monthly direct debit is collected on the 1st to the 28th, so that every month "
            "has the day"
        )
    if ends_on is not None and ends_on < first_collection_on:
        problems["ends_on"] = "The last collection must be on or after the first"
    return {field: message for field, message in problems.items() if message}


def mandate_reference_for(*, account_reference: str, sequence: int) -> str:
    """The service user's reference: the account's and the instruction's number, so
    a payer's bank statement names their rent account (18 characters at most)."""
    return f"{account_reference[:13]}-{sequence:02d}".upper()


# --- Telling the officer --------------------------------------------------------------


def _tell_officer(*, case_id: int, action: str, label: str, today: date) -> None:
    """Make what the bank reported the case's next action, due today."""
    Case.objects.filter(pk=case_id).update(
        next_action=action[:40], next_action_label=label[:100], next_action_due=today
    )


def _pause_for_deceased_payer(*, case: Case, code: ReasonCode, report: str, actor, today) -> None:
    """Hold escalation while the officer finds out who has died: no arrears letter
    should reach a bereaved household because a bank said so overnight."""
    # Already paused: the officer's pause stands, and the next action says why.
    with contextlib.suppress(ValidationError):
        case_pause(
            case=case,
            actor=actor,
            reason=Hold.PauseReason.DECEASED,
            until=today + timedelta(days=DECEASED_PAYER_PAUSE_DAYS),
            comment=(
                f"The bank reported the direct debit payer deceased ({report.upper()} "
                f"{code.code}). Confirm who has died before any arrears contact; if it is "
                "the tenant, follow the bereavement and succession procedure."
            ),
            today=today,
        )


def _act_on(
    *, case: Case, report: str, code: ReasonCode, officer_action: str, actor, today: date
) -> None:
    if code.payer_deceased:
        _pause_for_deceased_payer(case=case, code=code, report=report, actor=actor, today=today)
        _tell_officer(
            case_id=case.pk,
            action="direct_debit_payer_deceased",
            label=officer_action,
            today=today,
        )
    elif officer_action:
        _tell_officer(
            case_id=case.pk, action=f"direct_debit_{report}", label=officer_action, today=today
        )


def _mandate_payload(mandate: DirectDebitMandate) -> dict:
    return {
        "mandate": mandate.reference,
        "account": mandate.account.reference,
        "amount": str(mandate.amount),
        "frequency_label": mandate.get_frequency_display(),
        "bank": f"{mandate.masked_sort_code} {mandate.masked_account_number}",
        "status": mandate.status,
        "status_label": mandate.get_status_display(),
    }


# --- Instructions ---------------------------------------------------------------------


def mandate_set_up(
    *,
    account: Account,
    payer_name: str,
    sort_code: str,
    account_number: str,
    amount: Decimal,
    frequency: str,
    first_collection_on: date,
    actor: User,
    today: date,
    ends_on: date | None = None,
) -> DirectDebitMandate:
    """Record a payer's Direct Debit Instruction; it is lodged with Bacs (AUDDIS 0N) in
    the next collection file and collected from then on."""
    sort_code = bacs.normalise_sort_code(sort_code)
    account_number = (account_number or "").strip()
    payer_name = (payer_name or "").strip().upper()
    problems = mandate_problems(
        payer_name=payer_name,
        sort_code=sort_code,
        account_number=account_number,
        amount=amount,
        frequency=frequency,
        first_collection_on=first_collection_on,
        ends_on=ends_on,
        today=today,
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Account.objects.select_for_update().select_related("case").get(pk=account.pk)
        if not locked.is_open:
            raise ValidationError(f"Account {locked.reference} is closed; choose an open account.")
        live = locked.direct_debit_mandates.filter(
            status__in=[MandateStatus.PENDING, MandateStatus.ACTIVE, MandateStatus.SUSPENDED]
        ).first()
        if live is not None:
            raise ValidationError(
                f"Account {locked.reference} already has direct debit {live.reference} "
                f"({live.get_status_display().lower()}): cancel it before setting up another."
            )
        sequence = locked.direct_debit_mandates.count() + 1
        collection_day = (
            first_collection_on.day
            if frequency == ArrangementFrequency.MONTHLY
            else first_collection_on.weekday()
        )
        mandate = DirectDebitMandate.objects.create(
            account=locked,
            reference=mandate_reference_for(account_reference=locked.reference, sequence=sequence),
            payer_name=payer_name,
            sort_code=sort_code,
            account_number=account_number,
            amount=amount,
            frequency=frequency,
            collection_day=collection_day,
            first_collection_on=first_collection_on,
            ends_on=ends_on,
            status_changed_on=today,
            created_by=actor,
        )
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="direct_debit_set_up",
            payload={**_mandate_payload(mandate), "first_on": first_collection_on.isoformat()},
        )
    return mandate


def _lock_mandate(mandate_id: int) -> DirectDebitMandate:
    return (
        DirectDebitMandate.objects.select_for_update(of=("self",))
        .select_related("account__case")
        .get(pk=mandate_id)
    )


def mandate_cancel(
    *, mandate: DirectDebitMandate, reason: str, actor: User, today: date
) -> DirectDebitMandate:
    """Stop collecting: the instruction is cancelled and is in no later file."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the direct debit is being cancelled"})
    with transaction.atomic():
        locked = _lock_mandate(mandate.pk)
        if not locked.is_live:
            raise ValidationError(f"Direct debit {locked.reference} is already cancelled.")
        locked.status = MandateStatus.CANCELLED
        locked.status_reason = reason.strip()[:200]
        locked.status_changed_on = today
        locked.save(update_fields=["status", "status_reason", "status_changed_on"])
        case_event_record(
            case=locked.account.case,
            actor=actor,
            verb="direct_debit_cancelled",
            payload={**_mandate_payload(locked), "reason": locked.status_reason},
        )
    return locked


@dataclass(frozen=True)
class NewBankDetails:
    sort_code: str = ""
    account_number: str = ""
    payer_name: str = ""

    def __bool__(self) -> bool:
        return bool(self.sort_code and self.account_number)


def mandate_report_apply(
    *,
    report: str,
    reference: str,
    code: str,
    today: date,
    new_details: NewBankDetails | None = None,
    actor: User | None = None,
) -> DirectDebitMandate:
    """Act on an AUDDIS (instruction rejected) or ADDACS (instruction amended or
    cancelled) report on one instruction, as `payments/bacs.py` says for its code."""
    if report not in ("addacs", "auddis"):
        raise ValidationError(f"{report!r} is not a report on instructions: addacs or auddis.")
    try:
        found = bacs.reason(report, code)
    except ValueError as exc:
        raise ValidationError({"code": str(exc)}) from exc
    new_details = new_details or NewBankDetails()
    if new_details:
        sort_code = bacs.normalise_sort_code(new_details.sort_code)
        problems = {
            "sort_code": bacs.sort_code_problem(sort_code),
            "account_number": bacs.account_number_problem(new_details.account_number),
            "payer_name": bacs.bacs_name_problem(new_details.payer_name)
            if new_details.payer_name
            else None,
        }
        if any(problems.values()):
            raise ValidationError({k: v for k, v in problems.items() if v})
    with transaction.atomic():
        mandate = DirectDebitMandate.objects.filter(reference=reference.strip().upper()).first()
        if mandate is None:
            raise ValidationError(f"No direct debit has the reference {reference.strip()!r}.")
        locked = _lock_mandate(mandate.pk)
        old_status = locked.status
        officer_action = found.officer_action
        effect = found.effect
        if effect == MandateEffect.UPDATE and not new_details and officer_action:
            effect = MandateEffect.SUSPEND  # moved bank, new details not given: stop
        elif effect == MandateEffect.UPDATE:
            officer_action = ""
        fields = ["status", "status_reason", "status_changed_on"]
        if effect == MandateEffect.CANCEL:
            locked.status = MandateStatus.CANCELLED
        elif effect == MandateEffect.SUSPEND:
            locked.status = MandateStatus.SUSPENDED
        elif effect == MandateEffect.REINSTATE:
            _refuse_second_live_mandate(locked)
            locked.status = MandateStatus.ACTIVE
        elif effect == MandateEffect.UPDATE and new_details:
            locked.sort_code = bacs.normalise_sort_code(new_details.sort_code)
            locked.account_number = new_details.account_number
            if new_details.payer_name:
                locked.payer_name = new_details.payer_name.strip().upper()
            fields += ["sort_code", "account_number", "payer_name"]
            if found.relodge:
                locked.status = MandateStatus.PENDING
                locked.lodged_on = None
                fields.append("lodged_on")
        locked.status_reason = f"{report.upper()} {found.code}: {found.meaning}"[:200]
        locked.status_changed_on = today
        locked.save(update_fields=fields)
        case = locked.account.case
        case_event_record(
            case=case,
            actor=actor,
            verb="direct_debit_bank_report",
            payload={
                **_mandate_payload(locked),
                "report": report.upper(),
                "code": found.code,
                "meaning": found.meaning,
                "old_status": old_status,
                "officer_action": officer_action,
            },
        )
        _act_on(
            case=case,
            report=report,
            code=found,
            officer_action=officer_action,
            actor=actor,
            today=today,
        )
    return locked


def _refuse_second_live_mandate(mandate: DirectDebitMandate) -> None:
    other = (
        DirectDebitMandate.objects.filter(account_id=mandate.account_id)
        .exclude(pk=mandate.pk)
        .filter(status__in=[MandateStatus.PENDING, MandateStatus.ACTIVE, MandateStatus.SUSPENDED])
        .first()
    )
    if other is not None:
        raise ValidationError(
            f"Direct debit {mandate.reference} cannot be reinstated: the account now has "
            f"{other.reference}; cancel one of them first."
        )


# --- The day's collection file ----------------------------------------------------------


def collection_source_reference(*, collection_date: date, mandate_reference: str, again: bool):
    """Unique per file (a collection date has one file) and mandate: never posted twice."""
    return f"dd:{collection_date:%Y%m%d}:{mandate_reference}{':R' if again else ''}"


def _originator() -> tuple[str, str, str]:
    return (
        settings.DIRECT_DEBIT_ORIGINATOR_SORT_CODE,
        settings.DIRECT_DEBIT_ORIGINATOR_ACCOUNT,
        settings.DIRECT_DEBIT_SERVICE_USER_NAME,
    )


def _record(mandate: DirectDebitMandate, code: str, amount: Decimal, processing_date) -> str:
    sort_code, account_number, name = _originator()
    return bacs.standard18_line(
        Standard18Record(
            destination_sort_code=mandate.sort_code,
            destination_account=mandate.account_number,
            transaction_code=code,
            originator_sort_code=sort_code,
            originator_account=account_number,
            amount=amount,
            service_user_name=name,
            service_user_reference=mandate.reference,
            destination_account_name=mandate.payer_name,
            processing_date=processing_date,
        )
    )


def _collections_due(
    collection_date: date, *, today: date, record: DirectDebitFile
) -> list[DirectDebitCollection]:
    """The collections the file makes: each active instruction with a due date collected
    on this date, then the returns to present again."""
    due: list[DirectDebitCollection] = []
    active = (
        DirectDebitMandate.objects.select_for_update(of=("self",))
        .filter(
            status=MandateStatus.ACTIVE,
            account__status=Account.Status.OPEN,
            first_collection_on__lte=collection_date,
            # Collected only once lodged in an earlier file, so an AUDDIS rejection of
            # the instruction can stop the collection.
            lodged_on__lt=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=processing_date_for(collection_date)))
        .order_by("reference")
    )
    collected_before = set(
        DirectDebitCollection.objects.filter(mandate__in=active).values_list(
            "mandate_id", flat=True
        )
    )
    for mandate in active:
        plan = {
            "frequency": mandate.frequency,
            "first_collection_on": mandate.first_collection_on,
            "collection_day": mandate.collection_day,
        }
        due_on = due_date_collected_on(**plan, collection_date=collection_date)
        if due_on is None or (mandate.ends_on is not None and due_on > mandate.ends_on):
            continue
        is_final = (
            mandate.ends_on is not None and next_due_after(**plan, after=due_on) > mandate.ends_on
        )
        due.append(
            DirectDebitCollection(
                collection_file=record,
                mandate=mandate,
                account_id=mandate.account_id,
                collected_on=collection_date,
                amount=mandate.amount,
                transaction_code=transaction_code_for(
                    is_first=mandate.pk not in collected_before,
                    is_final=is_final,
                    is_representation=False,
                ),
                source_reference=collection_source_reference(
                    collection_date=collection_date,
                    mandate_reference=mandate.reference,
                    again=False,
                ),
            )
        )
    again = (
        DirectDebitCollection.objects.select_related("mandate")
        .filter(
            return_code="0",
            returned_on__lte=today,
            represents__isnull=True,
            represented_by__isnull=True,
            mandate__status=MandateStatus.ACTIVE,
            mandate__account__status=Account.Status.OPEN,
        )
        .order_by("mandate__reference")
    )
    if DIRECT_DEBIT_REPRESENTATIONS:
        for returned in again:
            due.append(
                DirectDebitCollection(
                    collection_file=record,
                    mandate=returned.mandate,
                    account_id=returned.account_id,
                    collected_on=collection_date,
                    amount=returned.amount,
                    transaction_code=DirectDebitCollection.Code.REPRESENTED,
                    represents=returned,
                    source_reference=collection_source_reference(
                        collection_date=collection_date,
                        mandate_reference=returned.mandate.reference,
                        again=True,
                    ),
                )
            )
    return due


def collection_file_make(
    *,
    collection_date: date,
    today: date,
    actor: User | None = None,
    with_processing_date: bool = False,
) -> DirectDebitFile:
    """Make the Standard 18 file that collects on `collection_date`, lodging the new
    instructions (0N) and posting every collection to the ledger, all in one go.

    A date has one file: a second is refused, so nothing is collected or posted twice.
    """
    problem = collection_date_problem(collection_date=collection_date, file_made_on=today)
    if problem:
        raise ValidationError({"collection_date": problem})
    earlier = DirectDebitFile.objects.filter(collection_date=collection_date).first()
    if earlier is not None:
        raise ValidationError(
            f"The file collecting on {collection_date:%-d %B %Y} was made on "
            f"{earlier.made_on:%-d %B %Y}; it cannot be made twice."
        )
    processing_date = processing_date_for(collection_date)
    stamp = processing_date if with_processing_date else None
    try:
        with transaction.atomic():
            record = DirectDebitFile.objects.create(
                collection_date=collection_date,
                processing_date=processing_date,
                made_on=today,
                made_by=actor,
                content="",
            )
            pending = list(
                DirectDebitMandate.objects.select_for_update(of=("self",))
                .filter(status=MandateStatus.PENDING, account__status=Account.Status.OPEN)
                .order_by("reference")
            )
            collections = _collections_due(collection_date, today=today, record=record)
            DirectDebitCollection.objects.bulk_create(collections, batch_size=500)
            _ledger_insert(record, actor)
            _balances_update(record)
            DirectDebitMandate.objects.filter(pk__in=[m.pk for m in pending]).update(
                status=MandateStatus.ACTIVE, lodged_on=today, status_changed_on=today
            )
            lines = [_record(m, bacs.LODGE_INSTRUCTION, Decimal("0"), stamp) for m in pending]
            lines += [_record(c.mandate, c.transaction_code, c.amount, stamp) for c in collections]
            record.content = "".join(f"{line}\r\n" for line in lines)
            record.lodgement_count = len(pending)
            record.collection_count = len(collections)
            record.total = sum((c.amount for c in collections), Decimal("0.00"))
            record.save(update_fields=["content", "lodgement_count", "collection_count", "total"])
    except IntegrityError as exc:
        raise ValidationError(
            f"The file collecting on {collection_date:%-d %B %Y} is being made by someone "
            "else; nothing was posted."
        ) from exc
    return record


def _ledger_insert(record: DirectDebitFile, actor: User | None) -> None:
    """One INSERT ... SELECT of the file's collections as payments, then one UPDATE
    linking each collection to its line."""
    ledger = Transaction._meta.db_table
    collections = DirectDebitCollection._meta.db_table
    mandates = DirectDebitMandate._meta.db_table
    posted_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ledger} (account_id, kind, effective_date, posted_at, amount, method,
                                  source, source_reference, description, created_by_id,
                                  reverses_id)
            SELECT c.account_id, %s, c.collected_on, %s, -c.amount, %s, %s,
                   c.source_reference, %s || m.reference, %s, NULL
            FROM {collections} c JOIN {mandates} m ON m.id = c.mandate_id
            WHERE c.collection_file_id = %s
            """,
            [
                TransactionKind.PAYMENT,
                posted_at,
                PaymentMethod.DIRECT_DEBIT,
                TransactionSource.DIRECT_DEBIT,
                "Direct debit ",
                actor.pk if actor else None,
                record.pk,
            ],
        )
    line = Transaction.objects.filter(
        source=TransactionSource.DIRECT_DEBIT, source_reference=OuterRef("source_reference")
    ).values("pk")[:1]
    DirectDebitCollection.objects.filter(collection_file=record).update(
        transaction_id=Subquery(line)
    )


def _balances_update(record: DirectDebitFile) -> None:
    """One UPDATE of the accounts collected from: the balance by what was collected, and
    the last payment to the collection when it is not older than the one held."""
    money = DecimalField(max_digits=12, decimal_places=2)
    mine = DirectDebitCollection.objects.filter(
        collection_file=record, account_id=OuterRef("pk")
    ).order_by()
    collected = Subquery(
        mine.values("account_id").annotate(total=Sum("amount")).values("total"),
        output_field=money,
    )
    accounts = Account.objects.filter(
        pk__in=DirectDebitCollection.objects.filter(collection_file=record).values("account_id")
    )
    accounts.update(balance=F("balance") - collected)
    newer = Q(last_payment_on__isnull=True) | Q(last_payment_on__lte=record.collection_date)
    accounts.filter(newer).update(
        last_payment_on=record.collection_date, last_payment_amount=collected
    )


# --- Returned collections (ARUDD) --------------------------------------------------------


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _match_returns(
    returns: list[bacs.ReturnedDebit],
) -> tuple[dict[int, DirectDebitCollection], list[bacs.ReturnProblem]]:
    """Each returned debit's collection, by mandate reference, amount and date (the
    collection date or its Bacs processing day); problems for those that match none,
    or one already returned, or one another line of the file already took."""
    matched: dict[int, DirectDebitCollection] = {}
    problems: list[bacs.ReturnProblem] = []
    taken: set[int] = set()
    for item in returns:
        candidates = list(
            DirectDebitCollection.objects.select_for_update(of=("self",))
            .select_related("mandate__account__case", "transaction")
            .filter(mandate__reference=item.reference, amount=item.amount)
            .filter(
                Q(collected_on=item.processed_on)
                | Q(collection_file__processing_date=item.processed_on)
            )
            .order_by("id")
        )
        what = (
            f"the collection of {format_money(item.amount)} on direct debit {item.reference} "
            f"processed on {item.processed_on:%-d %B %Y}"
        )
        if not candidates:
            problems.append(
                bacs.ReturnProblem(
                    item.line_number,
                    "reference",
                    f"no collection matches: {what} was not made",
                    where=item.where,
                )
            )
            continue
        open_ = [c for c in candidates if c.reversal_id is None and c.pk not in taken]
        if not open_:
            returned = candidates[0]
            problems.append(
                bacs.ReturnProblem(
                    item.line_number,
                    "reference",
                    f"{what} was already returned"
                    + (f" on {returned.returned_on:%-d %B %Y}" if returned.returned_on else "")
                    + " and reversed; it cannot be reversed twice",
                    where=item.where,
                )
            )
            continue
        matched[item.line_number] = open_[0]
        taken.add(open_[0].pk)
    return matched, problems


def arudd_file_import(
    *, content: bytes, filename: str, today: date, actor: User | None = None
) -> DirectDebitReturnFile:
    """Apply an ARUDD report whole, the Bacs XML or the CSV export of it: each returned
    collection's payment is reversed exactly, its instruction acted on, and the officer
    told; any item that matches no collection, or one already reversed, refuses the file
    and nothing is written."""
    checksum = _checksum(content)
    earlier = DirectDebitReturnFile.objects.filter(checksum=checksum).first()
    if earlier is not None:
        raise FileRefused(
            f"This ARUDD report was already applied on "
            f"{timezone.localtime(earlier.imported_at):%-d %B %Y} as {earlier.filename}; "
            "it cannot be applied twice."
        )
    returns, problems = bacs_reports.read_arudd(content)
    if problems:
        raise FileRefused(
            f"{filename} was refused and nothing was reversed: {len(problems)} problem(s).",
            problems,  # type: ignore[arg-type]
        )
    try:
        with transaction.atomic():
            matched, problems = _match_returns(returns)
            if problems:
                raise FileRefused(
                    f"{filename} was refused and nothing was reversed: {len(problems)} problem(s).",
                    problems,  # type: ignore[arg-type]
                )
            record = DirectDebitReturnFile.objects.create(
                filename=filename[:200],
                checksum=checksum,
                imported_by=actor,
                line_count=len(returns),
                total=sum((r.amount for r in returns), Decimal("0.00")),
            )
            for item in returns:
                _return_apply(
                    item, matched[item.line_number], record=record, actor=actor, today=today
                )
    except IntegrityError as exc:
        raise FileRefused(
            f"{filename} is being or has been applied by someone else; nothing was reversed."
        ) from exc
    return record


def _return_apply(
    item: bacs.ReturnedDebit,
    collection: DirectDebitCollection,
    *,
    record: DirectDebitReturnFile,
    actor: User | None,
    today: date,
) -> None:
    code = item.reason
    try:
        reversal = reversal_post(
            original=collection.transaction,
            reason=f"Direct debit returned unpaid: ARUDD {code.code}, {code.meaning}",
            today=today,
            actor=actor,
            source=TransactionSource.DIRECT_DEBIT,
            source_reference=f"arudd:{record.checksum[:24]}:{item.line_number}",
        )
    except ValidationError as exc:
        raise FileRefused(
            f"{record.filename} was refused and nothing was reversed: "
            f"{item.location}: {' '.join(exc.messages)}"
        ) from exc
    DirectDebitCollection.objects.filter(pk=collection.pk).update(
        returned_on=today, return_code=code.code, reversal=reversal, return_file=record
    )
    mandate = _lock_mandate(collection.mandate_id)
    old_status = mandate.status
    if mandate.is_live and code.effect == MandateEffect.CANCEL:
        mandate.status = MandateStatus.CANCELLED
    elif mandate.is_live and code.effect == MandateEffect.SUSPEND:
        mandate.status = MandateStatus.SUSPENDED
    if mandate.status != old_status:
        mandate.status_reason = f"ARUDD {code.code}: {code.meaning}"
        mandate.status_changed_on = today
        mandate.save(update_fields=["status", "status_reason", "status_changed_on"])
    case = mandate.account.case
    case_event_record(
        case=case,
        actor=actor,
        verb="direct_debit_returned",
        payload={
            **_mandate_payload(mandate),
            "collected_on": collection.collected_on.isoformat(),
            "collected_amount": str(collection.amount),
            "code": code.code,
            "meaning": code.meaning,
            "old_status": old_status,
            "transaction_id": collection.transaction_id,
            "reversal_id": reversal.pk,
            "officer_action": code.officer_action,
        },
    )
    _act_on(
        case=case,
        report="arudd",
        code=code,
        officer_action=code.officer_action,
        actor=actor,
        today=today,
    )
