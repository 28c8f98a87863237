"""Letters: what each says, large print, and the nightly run's letters and print pack."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from arrears.models import LetterKind, LetterRequest
from cases.models import CaseEvent, CourtCase
from notices.documents import letter_produce, letter_requests_claim
from notices.models import Document, Notice, PrintPack
from notices.tasks import render_letter_requests, render_stranded
from payments.models import Arrangement, ArrangementCheck
from tests.notices.conftest import TODAY, household, pdf_pages, pdf_text


def produce(case, kind, actor, capture) -> Document:
    with capture(execute=True):
        document = letter_produce(case=case, kind=kind, actor=actor, today=TODAY)
    document.refresh_from_db()
    assert document.status == Document.Status.RENDERED, document.error
    return document


def arrangement(case, **kwargs) -> Arrangement:
    values = {
        "case": case,
        "account": case.accounts.get(),
        "frequency": "weekly",
        "instalment": Decimal("10.00"),
        "starts_on": date(2026, 10, 5),
        "starting_balance": Decimal("1052.00"),
        **kwargs,
    }
    made = Arrangement.objects.create(**values)
    ArrangementCheck.objects.create(
        arrangement=made,
        state=made.state,
        checked_on=date(2026, 11, 16),
        expected_paid=Decimal("808.40"),
        actual_paid=Decimal("700.00"),
    )
    return made


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "arrears_letter_1",
            [
                "Your rent account is behind",
                "£1,052.00",
                "10.0 weeks' rent",
                "contact us by 30 November 2026",
            ],
        ),
        ("arrears_letter_2", ["You still owe rent", "Please contact us by 30 November 2026"]),
        (
            "pre_notice_warning",
            [
                "We may take legal action",
                "Notice of Seeking Possession",
                "Housing Loss Prevention Advice Service",
            ],
        ),
    ],
)
def test_arrears_letters_state_the_arrears_and_what_to_do(
    team, django_capture_on_commit_callbacks, kind, expected
):
    case = household(patch=team.patch_a)
    document = produce(case, kind, team.alice, django_capture_on_commit_callbacks)
    text = pdf_text(document)
    for phrase in expected:
        assert phrase in text
    assert "Dear Ms Smith" in text
    assert "12 Acorn Close" in text
    assert document.requested_by == team.alice
    assert (
        CaseEvent.objects.get(case=case, verb="document_produced").payload["document_id"]
        == document.pk
    )


def test_arrears_letter_1_fits_on_one_page(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    assert (
        produce(case, "arrears_letter_1", team.alice, django_capture_on_commit_callbacks).page_count
        == 1
    )


def test_each_joint_tenant_gets_their_own_copy_and_large_print_when_they_asked(
    team, django_capture_on_commit_callbacks
):
    case = household(
        patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith"), large_print=("Mr John Smith",)
    )
    document = produce(case, "arrears_letter_1", team.alice, django_capture_on_commit_callbacks)
    pages = pdf_pages(document)
    jane = [p for p in pages if "for Ms Jane Smith" in p]
    john = [p for p in pages if "for Mr John Smith" in p]
    assert "Dear Ms Smith" in jane[0] and "Dear Mr Smith" in john[0]
    assert len(jane) == 1 and len(john) > 1  # the large print copy runs longer
    assert document.large_print and document.recipients == "Ms Jane Smith; Mr John Smith"


def test_arrangement_confirmation_sets_out_the_payments(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    arrangement(case, frequency="monthly", instalment=Decimal("40.00"), starts_on=date(2026, 12, 1))
    text = pdf_text(
        produce(case, "arrangement_confirmation", team.alice, django_capture_on_commit_callbacks)
    )
    assert "Towards your arrears £40.00" in text
    assert "Your rent, each payment £455.87" in text  # 105.20 x 52 / 12
    assert "Total to pay, monthly £495.87" in text
    assert "First payment due 1 December 2026" in text


def test_missed_and_broken_arrangement_letters_show_expected_against_paid(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    arrangement(case, state="missed")
    missed = pdf_text(
        produce(case, "arrangement_missed", team.alice, django_capture_on_commit_callbacks)
    )
    assert "Amount missed £108.40" in missed
    broken = pdf_text(
        produce(case, "arrangement_broken", team.alice, django_capture_on_commit_callbacks)
    )
    assert "the agreement has ended" in broken
    assert "you should have paid £808.40 and you had paid £700.00" in broken


def test_notice_of_default_names_the_order_and_gives_time_to_put_it_right(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    court = CourtCase.objects.create(
        case=case,
        claim_number="K12EB3456",
        court_name="County Court at Eastbrook",
        outcome="suspended",
        order_date=date(2026, 6, 10),
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
    )
    arrangement(case, kind="court_ordered", court_case=court)
    text = pdf_text(
        produce(case, "notice_of_default", team.alice, django_capture_on_commit_callbacks)
    )
    assert "On 10 June 2026 the County Court at Eastbrook made a suspended possession order" in text
    assert "£5.00 weekly towards the arrears" in text
    assert "by 7 December 2026" in text  # 14 days
    assert "warrant of possession (court form N325A)" in text


def test_pre_action_protocol_letter_gives_the_notice_benefits_and_a_reply_date(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind="nosp",
        status="served",
        served_on=date(2026, 8, 3),
        earliest_proceedings_date=date(2026, 9, 6),
        last_proceedings_date=date(2027, 9, 6),
    )
    text = pdf_text(
        produce(case, "pre_action_protocol", team.alice, django_capture_on_commit_callbacks)
    )
    assert "We served a Notice of Seeking Possession on you on 3 August 2026" in text
    assert "Tell us by 7 December 2026" in text
    assert "Pre-Action Protocol for Possession Claims by Social Landlords" in text
    assert "No Housing Benefit or Universal Credit has been paid" in text
    # PAP para 10: the Protocol goes with it (pre-printed), and the statement is in the letter.
    assert (
        "Enclosed: a printed copy of the Pre-Action Protocol for Possession Claims by Social "
        "Landlords and a statement of your rent account" in text
    )
    assert "Statement of your rent account" in text and "Balance brought forward" in text


def test_court_hearing_letter_gives_the_hearing_and_tells_them_to_attend(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    CourtCase.objects.create(
        case=case,
        court_name="County Court at Eastbrook",
        claim_number="K12EB3456",
        hearing_at=datetime(2027, 1, 14, 10, 30, tzinfo=UTC),
    )
    text = pdf_text(produce(case, "court_hearing", team.alice, django_capture_on_commit_callbacks))
    assert "Thursday 14 January 2027" in text and "10:30am" in text
    assert "Please go to the hearing. Your home is at risk." in text


def test_a_letter_that_needs_a_record_the_case_lacks_is_refused_with_the_reason(team):
    case = household(patch=team.patch_a)
    with pytest.raises(ValidationError, match="No future court hearing is recorded"):
        letter_produce(case=case, kind="court_hearing", actor=team.alice, today=TODAY)
    assert not Document.objects.exists()


# The nightly run's letters --------------------------------------------------------------


def request(case, letter=LetterKind.ARREARS_LETTER_1, run_date=TODAY) -> LetterRequest:
    return LetterRequest.objects.create(case=case, letter=letter, run_date=run_date)


def test_render_letter_requests_renders_each_once_and_packs_them_in_address_order(team):
    far = household(patch=team.patch_a, address="3 Birch Road", postcode="EB2 9ZZ")
    ten = household(patch=team.patch_a, address="10 Acorn Close", names=("Mr Tom Ten",))
    two = household(
        patch=team.patch_a,
        address="2 Acorn Close",
        names=("Ms Tia Two",),
        large_print=("Ms Tia Two",),
    )
    requests = [request(far), request(ten), request(two, LetterKind.ARREARS_LETTER_2)]
    other_day = request(ten, run_date=date(2026, 11, 22))

    result = render_letter_requests(TODAY.isoformat())

    assert result == {"pending": 3, "chunks": 3, "held_elsewhere": 0}
    for letter in requests:
        letter.refresh_from_db()
        assert letter.status == LetterRequest.Status.RENDERED and letter.rendered_at is not None
        assert (
            letter.document.status == Document.Status.RENDERED
            and letter.document.requested_by is None
        )
    other_day.refresh_from_db()
    assert other_day.status == LetterRequest.Status.PENDING
    pack = PrintPack.objects.get()
    assert (pack.run_date, pack.sequence, pack.letter_count, pack.large_print_count) == (
        TODAY,
        1,
        3,
        1,
    )
    reader = PdfReader(Path(settings.DOCUMENTS_ROOT) / pack.file)
    assert len(reader.pages) == pack.page_count
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Print pack: Monday 23 November 2026" in cover
    assert "3 letters in 3 envelopes" in cover and "1 copy is in large print" in cover
    # The letters follow in postcode, street and house-number order, each starting on a front page.
    starts = [" ".join(p.extract_text().split()) for p in reader.pages]
    firsts = [i for i, text in enumerate(starts) if i > 0 and "Page 1 of" in text]
    order = [
        next(name for name in ("Ms Tia Two", "Mr Tom Ten", "Ms Jane Smith") if name in starts[i])
        for i in firsts
    ]
    assert order == ["Ms Tia Two", "Mr Tom Ten", "Ms Jane Smith"]
    assert all(i % 2 == 0 for i in firsts)  # pages 3, 5, 7... (0-based even): fronts of sheets

    # Running it again renders nothing twice and packs nothing twice.
    assert render_letter_requests(TODAY.isoformat()) == {
        "pending": 0,
        "chunks": 0,
        "held_elsewhere": 0,
    }
    assert Document.objects.count() == 3 and PrintPack.objects.count() == 1
    assert CaseEvent.objects.filter(verb="document_produced").count() == 3


def test_each_joint_tenants_copy_starts_on_a_new_sheet_for_its_own_envelope(team):
    case = household(
        patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith"), large_print=("Mr John Smith",)
    )
    request(case)
    render_letter_requests(TODAY.isoformat())

    pack = PrintPack.objects.get()
    document = Document.objects.get()
    assert document.copy_page_counts[0] == 1 and document.copy_page_counts[1] > 1
    assert (pack.letter_count, pack.envelope_count, pack.large_print_count) == (1, 2, 1)
    pages = [
        " ".join(p.extract_text().split())
        for p in PdfReader(Path(settings.DOCUMENTS_ROOT) / pack.file).pages
    ]
    jane = next(i for i, text in enumerate(pages) if "for Ms Jane Smith" in text)
    john = next(i for i, text in enumerate(pages) if "for Mr John Smith" in text)
    assert jane % 2 == 0 and john % 2 == 0 and pages[jane + 1] == ""  # Jane's back is blank
    cover = pages[0]
    assert "1 letter in 2 envelopes" in cover


def test_a_failing_letter_is_marked_failed_and_does_not_stop_the_others(team):
    good = household(patch=team.patch_a)
    lacking = household(patch=team.patch_a, address="4 Acorn Close")
    ok, failing = request(good), request(lacking, LetterKind.COURT_HEARING)

    render_letter_requests(TODAY.isoformat())

    ok.refresh_from_db(), failing.refresh_from_db()
    assert ok.status == LetterRequest.Status.RENDERED
    assert failing.status == LetterRequest.Status.FAILED
    assert failing.error == "No future court hearing is recorded for this case."
    assert not Document.objects.filter(letter_request=failing).exists()
    event = CaseEvent.objects.get(case=lacking, verb="letter_failed")
    assert event.payload["error"] == failing.error and event.actor is None
    pack = PrintPack.objects.get()
    assert (pack.letter_count, pack.failed_count) == (1, 1)


def test_letters_rendered_after_a_pack_go_into_a_second_pack_not_the_first(team):
    first = household(patch=team.patch_a)
    request(first)
    render_letter_requests(TODAY.isoformat())
    late = household(patch=team.patch_a, address="8 Acorn Close")
    request(late)

    render_letter_requests(TODAY.isoformat())

    packs = list(PrintPack.objects.order_by("sequence"))
    assert [(p.sequence, p.letter_count) for p in packs] == [(1, 1), (2, 1)]
    assert Document.objects.get(letter_request__case=late).print_pack == packs[1]


def test_a_second_dispatch_leaves_letters_another_has_in_hand_and_packs_nothing(team, time_machine):
    """A re-run while the day's letters are still rendering must not take some of them
    into a second print pack; the first dispatch's pack gets them all."""
    time_machine.move_to(datetime(2026, 11, 23, 3, 0, tzinfo=UTC), tick=False)
    letters = [request(household(patch=team.patch_a, address=f"{n} Elm Street")) for n in (1, 2)]
    taken, held = letter_requests_claim(run_date=TODAY)  # the first dispatch, still queued
    assert (sorted(taken), held) == (sorted(r.pk for r in letters), 0)

    assert render_letter_requests(TODAY.isoformat()) == {
        "pending": 0,
        "chunks": 0,
        "held_elsewhere": 2,
    }
    assert PrintPack.objects.count() == 0 and Document.objects.count() == 0

    # Its task lost, the hold lapses and a later run takes the letters on again.
    time_machine.move_to(datetime(2026, 11, 23, 3, 31, tzinfo=UTC), tick=False)
    assert render_letter_requests(TODAY.isoformat())["pending"] == 2
    assert PrintPack.objects.get().letter_count == 2


def test_a_letter_asked_for_while_the_queue_was_down_is_sent_again_and_produced(
    team, time_machine, django_capture_on_commit_callbacks
):
    """Nothing lost: the task for an officer's letter never left (broker down), and the
    nightly letters of an earlier day were never dispatched; the sweep sends both."""
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False)
    case = household(patch=team.patch_a)
    with django_capture_on_commit_callbacks(execute=False):  # the task is never sent
        document = letter_produce(case=case, kind="arrears_letter_1", actor=team.alice, today=TODAY)
    yesterday = request(
        household(patch=team.patch_a, address="7 Elm Street"), run_date=date(2026, 11, 22)
    )

    assert render_stranded() == {"documents": 0, "days": 0}  # not pending long enough yet
    time_machine.move_to(datetime(2026, 11, 23, 9, 31, tzinfo=UTC), tick=False)
    assert render_stranded() == {"documents": 1, "days": 1}

    document.refresh_from_db()
    yesterday.refresh_from_db()
    assert document.status == Document.Status.RENDERED
    assert yesterday.status == LetterRequest.Status.RENDERED
    assert PrintPack.objects.get().run_date == date(2026, 11, 22)
    assert render_stranded() == {"documents": 0, "days": 0}


def test_letter_dated_with_the_run_date(team):
    case = household(patch=team.patch_a)
    request(case, run_date=date(2026, 11, 20))
    render_letter_requests("2026-11-20")
    document = Document.objects.get()
    assert document.context["date"] == "2026-11-20"
    assert "20 November 2026" in pdf_text(document)
    assert document.file.startswith("documents/2026/11/")


@pytest.mark.parametrize(
    ("pending", "size", "tasks"),
    [(1, 1, 1), (3, 1, 3), (100, 4, 25), (640, 20, 32), (1000, 20, 50), (200_000, 20, 10_000)],
)
def test_letters_are_split_so_the_workers_finish_together(pending, size, tasks):
    from notices.tasks import chunk_size, chunks

    assert chunk_size(pending, 20) == size
    assert len(chunks(list(range(pending)), size)) == tasks


@pytest.mark.parametrize(
    ("letter", "allowed"),
    [
        ("arrears_letter_1", False),
        ("pre_action_protocol", False),
        ("arrangement_confirmation", False),
        ("court_hearing", True),
    ],
)
def test_no_letter_about_the_arrears_goes_during_a_breathing_space(team, letter, allowed):
    from cases.models import Hold

    case = household(patch=team.patch_a)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 11, 20),
        until=date(2027, 1, 18),
    )
    CourtCase.objects.create(case=case, hearing_at=datetime(2027, 1, 14, 10, 30, tzinfo=UTC))
    arrangement(case)
    LetterRequest.objects.create(case=case, letter=letter, run_date=TODAY)

    render_letter_requests(TODAY.isoformat())

    made = LetterRequest.objects.get()
    if allowed:
        assert made.status == "rendered"
    else:
        assert made.status == "failed"
        assert made.error == (
            "A Breathing Space is in force until 18 January 2027: no letter about the arrears "
            "may be sent during it (SI 2020/1311)."
        )


def test_a_chunk_of_letters_costs_the_same_queries_however_many_it_holds(team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notices.documents import letter_requests_render

    def queries_for(count: int, run_date: date) -> int:
        ids = [
            request(
                household(patch=team.patch_a, address=f"{n + 1} Ash Row {run_date.day}"),
                run_date=run_date,
            ).pk
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            assert letter_requests_render(request_ids=ids) == {"rendered": count}
        return len(captured.captured_queries)

    assert queries_for(2, date(2026, 11, 20)) == queries_for(6, date(2026, 11, 21))
