"""The nightly write-back to the housing system's action diary: the documented layout,
one file per ended day, the same bytes when a day is written again, and nothing sent
twice across days (a late event goes in the next file, once)."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from arrears.services import nightly_run
from cases.models import CaseEvent, Contact
from cases.services import case_event_record, contact_record, note_add
from integrations.api.models import WritebackExport, WritebackLine
from integrations.api.writeback import COLUMNS, WritebackRefused, writeback, writeback_day
from integrations.models import HmsAccount, HmsTenancy
from tests.arrears import world

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 11, 23)  # a Monday
NEXT = DAY + timedelta(days=1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


@pytest.fixture
def behind(team):
    """A case six weeks behind at letter 2, which the nightly run moves on."""
    case, account = world.open_case(
        patch=team.patch_a, stage="letter_2", stage_changed_on=DAY - timedelta(days=20)
    )
    world.rent_weeks(account, until=DAY, weeks=6)
    world.pay(account, DAY - timedelta(days=30), "100.00")
    return case, account


@pytest.fixture
def day_of_work(team, behind):
    """What happened on DAY: the nightly run at 02:00, a phone call at 10:15, a note."""
    case, _ = behind
    with time_machine.travel(_at(DAY, 2), tick=False):
        nightly_run(run_date=DAY, start_letters=False)
    with time_machine.travel(_at(DAY, 10, 15), tick=False):
        contact_record(
            case=case,
            actor=team.alice,
            channel=Contact.Channel.PHONE,
            direction=Contact.Direction.OUTBOUND,
            outcome=Contact.Outcome.PROMISE_TO_PAY,
            summary="Will pay £50 on Friday",
            contacted_on=DAY,
            today=DAY,
        )
        note_add(case=case, actor=team.alice, text="Internal note, not for the HMS")
    return case


def test_a_days_file_has_the_documented_columns_and_a_line_per_action(
    tmp_path, day_of_work, behind
):
    case, account = behind

    result = writeback_day(day=DAY, folder=tmp_path, today=NEXT)

    assert result.path == tmp_path / "arrears-actions-2026-11-23.csv"
    rows = _rows(result.path)
    assert rows[0] == COLUMNS
    body, trailer = rows[1:-1], rows[-1]
    by_code = {r[7]: dict(zip(COLUMNS, r, strict=True)) for r in body}
    assert set(by_code) == {"STAGE", "LETTER", "CONTACT", "NEXT_ACTION"}
    contact = by_code["CONTACT"]
    assert contact["record_type"] == "ACTION"
    assert (contact["action_date"], contact["action_time"]) == ("2026-11-23", "10:15:00")
    assert contact["tenancy_reference"] == case.tenancy.reference
    assert contact["rent_account_reference"] == account.reference
    assert contact["case_reference"] == case.reference
    assert contact["category"] == "contact"
    assert contact["description"] == "Phone call to the household: Promise to pay"
    assert contact["officer"] == "alice"
    stage = by_code["STAGE"]
    assert (stage["stage"], stage["officer"], stage["action_time"]) == (
        "pre_notice",
        "SYSTEM",
        "02:00:00",
    )
    assert stage["description"] == "Stage changed from Letter 2 to Pre-notice warning"
    next_action = by_code["NEXT_ACTION"]
    assert (next_action["stage"], next_action["next_action"]) == (
        "pre_notice",
        "pre_notice_warning",
    )
    assert (
        next_action["record_type"] == "NEXT_ACTION" and next_action["action_date"] == "2026-11-23"
    )
    letter = by_code["LETTER"]
    assert (letter["category"], letter["action_time"]) == ("contact", "02:00:00")
    assert letter["description"] == "Pre-notice warning queued for printing"
    # In time order: the nightly run's, the call, then the day's next actions.
    assert [r[7] for r in body][2:] == ["CONTACT", "NEXT_ACTION"]
    assert trailer[:3] == ["TRAILER", "TRAILER", "2026-11-23"] and trailer[7] == "4"
    assert "Internal note" not in result.path.read_text()


def test_writing_a_day_again_gives_the_same_bytes_even_after_more_has_happened(
    tmp_path, team, day_of_work
):
    first = writeback_day(day=DAY, folder=tmp_path, today=NEXT).path.read_bytes()
    # A contact recorded later, back-dated into DAY, and the file lost from the folder.
    with time_machine.travel(_at(NEXT, 9), tick=False):
        case_event_record(
            case=day_of_work,
            actor=team.alice,
            verb="contact_recorded",
            payload={"channel_label": "Home visit", "outcome_label": "No answer"},
            occurred_at=_at(DAY, 16),
        )
    (tmp_path / "arrears-actions-2026-11-23.csv").unlink()

    again = writeback_day(day=DAY, folder=tmp_path, today=NEXT + timedelta(days=1))

    assert again.created is False
    assert again.path.read_bytes() == first
    assert WritebackExport.objects.count() == 1


def test_nothing_is_sent_twice_and_a_late_event_goes_in_the_next_days_file(
    tmp_path, team, day_of_work
):
    writeback_day(day=DAY, folder=tmp_path, today=NEXT)
    with time_machine.travel(_at(NEXT, 9), tick=False):
        late = case_event_record(
            case=day_of_work,
            actor=team.alice,
            verb="contact_recorded",
            payload={"channel_label": "Home visit", "outcome_label": "No answer"},
            occurred_at=_at(DAY, 16),
        )

    second = writeback_day(day=NEXT, folder=tmp_path, today=NEXT + timedelta(days=1))

    body = _rows(second.path)[1:-1]
    assert [r[0] for r in body] == [f"E{late.pk}"]
    assert body[0][2] == "2026-11-23"  # it says when it happened
    sources = list(WritebackLine.objects.values_list("source", "source_id"))
    assert len(sources) == len(set(sources))


def test_the_command_writes_each_day_since_up_to_yesterday_and_then_has_nothing_to_do(
    tmp_path, day_of_work, capsys
):
    with time_machine.travel(_at(DAY + timedelta(days=3), 6), tick=False):
        call_command("hms_writeback", str(tmp_path), "--since", "2026-11-22")
        out = capsys.readouterr().out
        call_command("hms_writeback", str(tmp_path))
        again = capsys.readouterr().out

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"arrears-actions-2026-11-{d}.csv" for d in (22, 23, 24, 25)
    ]
    assert "arrears-actions-2026-11-23.csv: 4 rows, written." in out
    assert "Nothing to write" in again
    quiet_day = _rows(tmp_path / "arrears-actions-2026-11-22.csv")
    assert quiet_day[0] == COLUMNS and quiet_day[1][:3] == ["TRAILER", "TRAILER", "2026-11-22"]
    assert len(quiet_day) == 2 and quiet_day[1][7] == "0"


def test_today_is_never_written_since_it_has_not_ended(tmp_path, day_of_work):
    with pytest.raises(WritebackRefused, match="has not ended yet"):
        writeback_day(day=DAY, folder=tmp_path, today=DAY)
    with time_machine.travel(_at(DAY, 12), tick=False), pytest.raises(CommandError):
        call_command("hms_writeback", str(tmp_path), "--since", "2026-11-23")
    assert not WritebackExport.objects.exists()


def test_the_nightly_task_writes_yesterday_into_the_configured_folder(
    tmp_path, settings, day_of_work
):
    from integrations.api.tasks import hms_writeback_nightly

    settings.HMS_WRITEBACK_DIR = tmp_path
    with time_machine.travel(_at(NEXT, 5, 30), tick=False):
        written = hms_writeback_nightly.apply().get()

    assert written == [str(tmp_path / "arrears-actions-2026-11-23.csv")]
    assert "integrations-hms-writeback" in settings.CELERY_BEAT_SCHEDULE


def test_only_the_diary_verbs_are_written_back(tmp_path, day_of_work):
    writeback(folder=tmp_path, today=NEXT, since=DAY)

    exported = set(
        CaseEvent.objects.filter(
            pk__in=WritebackLine.objects.filter(source="event").values("source_id")
        ).values_list("verb", flat=True)
    )
    assert exported == {"stage_changed", "letter_requested", "contact_recorded"}
    assert CaseEvent.objects.filter(verb="note_added").exists()


def test_the_hms_own_ids_are_written_when_the_hms_load_made_the_records(
    tmp_path, day_of_work, behind
):
    case, account = behind
    HmsTenancy.objects.create(tenancy=case.tenancy, hms_id="T-778812", fingerprint="x")
    HmsAccount.objects.create(account=account, hms_id="RA-0099123", fingerprint="y")

    path = writeback_day(day=DAY, folder=tmp_path, today=NEXT).path

    for row in _rows(path)[1:-1]:
        assert row[15:] == ["T-778812", "RA-0099123"]


def test_every_row_has_the_full_width_and_no_hms_ids_without_the_load(tmp_path, day_of_work):
    rows = _rows(writeback_day(day=DAY, folder=tmp_path, today=NEXT).path)

    assert {len(r) for r in rows} == {len(COLUMNS)} == {17}
    assert {tuple(r[15:]) for r in rows[1:-1]} == {("", "")}
