"""What must hold after any fault (issue 14, item 5): nothing twice, every letter once,
the run finished, and every balance equal to its ledger."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django.db import connection

from arrears.models import LetterRequest, NightlyRun, Recommendation, RunChunk
from cases.models import Case, CaseEvent
from notices.models import Document, PrintPack
from payments.models import Transaction
from payments.selectors import ledger_reconciliation


def state() -> str:
    """What the night and its letters are at, for a failure's message."""
    runs = list(NightlyRun.objects.values_list("run_date", "status", "attempts", "errors"))
    letters = list(LetterRequest.objects.values_list("status", "error"))
    return f"runs {runs}; letters {letters}; packs {PrintPack.objects.count()}"


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}: {state()}")


def _duplicates(table: str, columns: str) -> int:
    """Groups of rows alike in `columns` (NULLs left out) that have more than one row."""
    nulls_out = " AND ".join(
        f"{column.split('::')[0]} IS NOT NULL" for column in columns.split(", ")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {nulls_out} "
            f"GROUP BY {columns} HAVING COUNT(*) > 1) AS twice"
        )
        return cursor.fetchone()[0]


def nothing_twice() -> dict[str, int]:
    """How many things exist more than once that must exist once; all zero when sound.

    Timeline entries are compared by case, verb and payload: the run writes each of its
    events once per case per night, so two identical ones are the same event twice."""
    return {
        "letter requests": _duplicates(LetterRequest._meta.db_table, "case_id, letter, run_date"),
        "letters": _duplicates(Document._meta.db_table, "letter_request_id"),
        "timeline entries": _duplicates(CaseEvent._meta.db_table, "case_id, verb, payload::text"),
        "recommendations": _duplicates(Recommendation._meta.db_table, "case_id, run_date"),
        "ledger lines": _duplicates(Transaction._meta.db_table, "source, source_reference"),
    }


def assert_nothing_twice() -> None:
    twice = nothing_twice()
    assert not any(twice.values()), twice


def assert_night_sound(run_date: date, *, letters: int | None = None) -> NightlyRun:
    """The night finished, nothing is there twice, every letter was produced once and
    packed once, and the ledger reconciles."""
    run = NightlyRun.objects.get(run_date=run_date)
    assert run.status == NightlyRun.Status.COMPLETED, (run.status, run.errors)
    assert set(run.chunks.values_list("status", flat=True)) == {RunChunk.Status.DONE}
    assert not Case.objects.filter(status="open", figures_on__isnull=True).exists()
    assert_nothing_twice()
    if letters is not None:
        assert_letters_once(run_date, letters)
    reconciliation = ledger_reconciliation()
    assert reconciliation.out_of_balance == 0, reconciliation.shown
    return run


def assert_letters_once(run_date: date, letters: int) -> None:
    requests = LetterRequest.objects.filter(run_date=run_date)
    assert requests.count() == letters
    assert set(requests.values_list("status", flat=True)) <= {"rendered"}
    assert Document.objects.filter(letter_request__run_date=run_date).count() == letters
    packed = Document.objects.filter(letter_request__run_date=run_date, print_pack__isnull=False)
    assert packed.count() == letters
    assert sum(
        PrintPack.objects.filter(run_date=run_date).values_list("letter_count", flat=True)
    ) == (letters)
