"""Who saw what: every read of a case page, statement, document or export is recorded
once, after the page, and a failure to record never fails the page."""

import csv
import io
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config import settings as project_settings
from privacy.models import AccessKind, AccessRecord
from privacy.tasks import prune_access_records
from tests.privacy.conftest import document_with_pdf

pytestmark = pytest.mark.django_db


def test_a_read_of_a_case_page_is_recorded_once_however_many_queries_it_makes(
    client, team, alices_case, today
):
    client.force_login(team.bob)
    response = client.get(reverse("case", args=[alices_case.pk]))
    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert (record.user, record.case_id, record.kind) == (
        team.bob,
        alices_case.pk,
        AccessKind.CASE_PAGE,
    )
    assert record.view == "case"
    assert record.at == timezone.now()


def test_each_section_of_the_case_is_a_read_of_its_own(client, team, alices_case, today):
    client.force_login(team.alice)
    for name in ("case", "case_household", "case_arrangement", "case_documents"):
        assert client.get(reverse(name, args=[alices_case.pk])).status_code == 200
    assert list(AccessRecord.objects.order_by("id").values_list("view", flat=True)) == [
        "case",
        "case_household",
        "case_arrangement",
        "case_documents",
    ]


def test_statement_document_download_and_export_are_recorded_by_kind(
    client, team, alices_case, today, documents_root
):
    document = document_with_pdf(alices_case, documents_root, "LETTER")
    client.force_login(team.alice)
    assert client.get(reverse("case_statement", args=[alices_case.pk])).status_code == 200
    download = client.get(reverse("notices:document_download", args=[alices_case.pk, document.pk]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    export = client.get(reverse("caseload_export"))
    assert export.status_code == 200
    b"".join(export.streaming_content)
    rows = list(AccessRecord.objects.order_by("id").values_list("kind", "case_id", "object_id"))
    assert rows == [
        (AccessKind.STATEMENT, alices_case.pk, None),
        (AccessKind.DOCUMENT, alices_case.pk, document.pk),
        (AccessKind.EXPORT, None, None),
    ]


def test_a_refused_or_missing_page_is_not_a_read(client, team, alices_case, today):
    client.force_login(team.alice)
    assert client.get(reverse("case", args=[999999])).status_code == 404
    client.logout()
    client.get(reverse("case", args=[alices_case.pk]))
    assert not AccessRecord.objects.exists()


def test_a_failing_audit_write_does_not_fail_the_page(client, team, alices_case, today, caplog):
    """The table is gone (a real database failure, not a stand-in): the page is still
    served, and the read is in the log instead."""
    client.force_login(team.alice)
    table = AccessRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with caplog.at_level(logging.ERROR, logger="privacy.access"):
            response = client.get(reverse("case", args=[alices_case.pk]))
        assert response.status_code == 200
        assert alices_case.reference in response.content.decode()
        assert "Could not write 1 access records" in caplog.text
        assert f"case {alices_case.pk}" in caplog.text
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    # The database is usable again at once: the next read is recorded.
    client.get(reverse("case", args=[alices_case.pk]))
    assert AccessRecord.objects.count() == 1


def test_reads_are_kept_for_the_configured_period_then_deleted(settings, team, alices_case):
    settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS = 30
    now = datetime(2026, 11, 23, 3, 30, tzinfo=ZoneInfo("Europe/London"))
    for age in (31, 30, 29):
        AccessRecord.objects.create(
            user=team.alice,
            case=alices_case,
            kind=AccessKind.CASE_PAGE,
            view="case",
            path=f"/cases/{alices_case.pk}/?age={age}",
            at=now - timedelta(days=age, seconds=1 if age == 30 else 0),
        )
    with time_machine.travel(now, tick=False):
        assert prune_access_records() == 2
    assert list(AccessRecord.objects.values_list("path", flat=True)) == [
        f"/cases/{alices_case.pk}/?age=29"
    ]


def test_the_nightly_tasks_are_on_the_beat_schedule():
    tasks = {entry["task"] for entry in project_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"privacy.tasks.prune_access_records", "privacy.tasks.apply_retention"} <= tasks


def test_the_dpo_reports_reads_by_user_and_by_case_with_csv(
    client, team, alices_case, bobs_case, dora, today
):
    for user, case in ((team.alice, alices_case), (team.bob, alices_case), (team.bob, bobs_case)):
        client.force_login(user)
        client.get(reverse("case", args=[case.pk]))
    client.force_login(dora)
    by_bob = client.get(reverse("privacy:access_log"), {"user": team.bob.pk})
    assert by_bob.status_code == 200
    assert "2 reads" in by_bob.content.decode()
    on_alices = client.get(reverse("privacy:access_log"), {"case": alices_case.reference})
    assert "2 reads" in on_alices.content.decode()
    export = client.get(
        reverse("privacy:access_log_csv"), {"user": team.bob.pk, "case": alices_case.reference}
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:5] == ["When", "User", "Username", "Case", "What"]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [("bob", alices_case.reference, "Case page")]
    # The DPO's own export is a read too.
    assert AccessRecord.objects.filter(user=dora, kind=AccessKind.EXPORT).count() == 1


def test_officers_and_managers_cannot_see_who_read_what(client, team):
    for user in (team.alice, team.maggie):
        client.force_login(user)
        assert client.get(reverse("privacy:access_log")).status_code == 403
        assert client.get(reverse("privacy:access_log_csv")).status_code == 403
