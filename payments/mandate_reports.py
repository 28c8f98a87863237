"""ADDACS and AUDDIS reports applied a file at a time.

The banks' reports on instructions arrive as Bacs XML files (read by
`payments/bacs_reports.py`); each advice is acted on by
`payments.direct_debits.mandate_report_apply`, as `payments/bacs.py` says for its code.
This checks the whole file first and applies it in one transaction, once.
"""

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import User
from payments import bacs_reports
from payments.bacs import MandateEffect, ReturnProblem
from payments.bacs_reports import InstructionAdvice
from payments.direct_debits import NewBankDetails, mandate_report_apply
from payments.imports.services import FileRefused
from payments.models import BacsReportFile, DirectDebitMandate


def _refused(filename: str, problems: list[ReturnProblem]) -> FileRefused:
    return FileRefused(
        f"{filename} was refused and no direct debit was changed: {len(problems)} problem(s).",
        problems,  # type: ignore[arg-type]
    )


def _unknown_references(advices: list[InstructionAdvice]) -> list[ReturnProblem]:
    """Every advice must name one of the council's instructions; a report naming another
    is not ours to half apply (a wrong service user number, or a reference mistyped)."""
    known = set(
        DirectDebitMandate.objects.filter(reference__in={a.reference for a in advices}).values_list(
            "reference", flat=True
        )
    )
    return [
        ReturnProblem(
            advice.index,
            "reference",
            f"no direct debit has the reference {advice.reference!r}",
            where=advice.where,
        )
        for advice in advices
        if advice.reference not in known
    ]


def mandate_report_file_import(
    *, content: bytes, filename: str, actor: User | None, today: date
) -> BacsReportFile:
    """Apply an ADDACS or AUDDIS XML report whole: every advice must be readable, name a
    known instruction and a reason code of its report, or nothing is applied; then each
    goes through `mandate_report_apply` in one transaction. A file applies once."""
    checksum = hashlib.sha256(content).hexdigest()
    earlier = BacsReportFile.objects.filter(checksum=checksum).first()
    if earlier is not None:
        raise FileRefused(
            f"This {earlier.kind.upper()} report was already applied on "
            f"{timezone.localtime(earlier.imported_at):%-d %B %Y} as {earlier.filename}; "
            "it cannot be applied twice."
        )
    kind, advices, problems = bacs_reports.parse_instruction_report(content)
    if problems:
        raise _refused(filename, problems)
    try:
        with transaction.atomic():
            problems = _unknown_references(advices)
            if problems:
                raise _refused(filename, problems)
            record = BacsReportFile.objects.create(
                kind=kind,
                filename=filename[:200],
                checksum=checksum,
                imported_by=actor,
                advice_count=len(advices),
            )
            statuses = dict(
                DirectDebitMandate.objects.filter(
                    reference__in={a.reference for a in advices}
                ).values_list("reference", "status")
            )
            outcomes = []
            for advice in advices:
                details = NewBankDetails(
                    sort_code=advice.new_sort_code,
                    account_number=advice.new_account_number,
                    payer_name=advice.new_payer_name,
                )
                try:
                    mandate = mandate_report_apply(
                        report=kind,
                        reference=advice.reference,
                        code=advice.reason.code,
                        today=today,
                        new_details=details,
                        actor=actor,
                    )
                except ValidationError as exc:
                    raise FileRefused(
                        f"{filename} was refused and no direct debit was changed: "
                        f"{advice.where}: {' '.join(exc.messages)}"
                    ) from exc
                outcomes.append(
                    {
                        "advice": advice.index,
                        "mandate": mandate.reference,
                        "code": advice.reason.code,
                        "meaning": advice.reason.meaning,
                        "effective_on": advice.effective_on.isoformat()
                        if advice.effective_on
                        else None,
                        "old_status": statuses[mandate.reference],
                        "status": mandate.status,
                        "bank_details_changed": bool(details)
                        and advice.reason.effect == MandateEffect.UPDATE,
                    }
                )
                statuses[mandate.reference] = mandate.status
            record.outcomes = outcomes
            record.save(update_fields=["outcomes"])
    except IntegrityError as exc:
        raise FileRefused(
            f"{filename} is being or has been applied by someone else; no direct debit was changed."
        ) from exc
    return record
