"""A file sent from the finance page is imported by a worker; its own page shows how far
the checking and posting have got, then its totals, or every bad line if it was refused.

fiona sends the files; frank, another finance officer, may follow them too; alice, an
income officer, may not.
"""

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.celery import app as celery_app
from core.models import Role, User
from payments.imports import uploads
from payments.imports.services import ImportStep
from payments.imports.uploads import UploadProgress
from payments.models import PaymentFileUpload, PaymentImport, Transaction
from payments.tasks import import_payment_upload
from tests.factories import AccountFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 11, 23), tick=False):
        yield


@pytest.fixture(autouse=True)
def eager_tasks():
    """The import runs in the web process once the upload is saved, as without Redis."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def progress_cache():
    """Each test starts with no progress recorded (upload ids may repeat on SQLite)."""
    caches["progress"].clear()
    yield caches["progress"]
    caches["progress"].clear()


@pytest.fixture
def fiona(db):
    return UserFactory(username="fiona", role=Role.FINANCE)


@pytest.fixture
def frank(db):
    return UserFactory(username="frank", role=Role.FINANCE)


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    def send(name: str, fmt: str):
        upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("payments:imports"), {"file": upload, "format_name": fmt})

    return send


def _running(fiona) -> PaymentFileUpload:
    """An upload a worker has started on, as the page sees it mid-import."""
    return PaymentFileUpload.objects.create(
        uploaded_by=fiona,
        filename="cash-20261123.txt",
        format_name="hackney_cash",
        content=b"",
        status=PaymentFileUpload.Status.RUNNING,
    )


def _progress(client, upload: PaymentFileUpload, **params) -> str:
    url = reverse("payments:upload_progress", args=[upload.pk])
    return client.get(url, params, headers=HTMX).content.decode()


def test_a_sent_file_is_kept_imported_and_its_page_leads_to_its_totals(client, fiona, send):
    AccountFactory(reference="1000000001")
    client.force_login(fiona)

    response = send("cash_good.txt", "hackney_cash")

    upload = PaymentFileUpload.objects.get()
    assert response["Location"] == reverse("payments:upload_status", args=[upload.pk])
    record = PaymentImport.objects.get()
    assert (upload.uploaded_by, upload.filename, upload.format_name) == (
        fiona,
        "cash_good.txt",
        "hackney_cash",
    )
    assert (upload.status, upload.payment_import, upload.lines_done) == ("posted", record, 4)
    assert upload.finished_at is not None
    assert bytes(upload.content) == b""  # the posted lines are on the ledger now
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain == [(reverse("payments:import_detail", args=[record.pk]), 302)]
    text = page.content.decode()
    assert "cash_good.txt posted" in text
    assert "4, totalling £87.84" in text and "£87.84 (matches)" in text


def test_a_refused_file_names_every_bad_line_on_its_page_and_posts_nothing(client, fiona, send):
    client.force_login(fiona)

    response = send("cash_bad_lines.txt", "hackney_cash")

    upload = PaymentFileUpload.objects.get()
    assert upload.status == PaymentFileUpload.Status.REFUSED
    assert (2, "method") in [(p["line"], p["field"]) for p in upload.problems]
    assert upload.payment_import is None
    assert not Transaction.objects.exists() and not PaymentImport.objects.exists()
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "The file was refused and nothing was posted" in text
    assert "cash_bad_lines.txt was refused and nothing was posted" in text
    for problem in upload.problems:
        assert f"Line {problem['line']}, {problem['field']}" in text
    assert 'http-equiv="refresh"' not in text and "hx-get" not in text  # nothing to wait for


def test_a_file_already_imported_is_refused_on_its_page(client, fiona, send):
    client.force_login(fiona)
    send("cash_good.txt", "hackney_cash")

    response = send("cash_good.txt", "hackney_cash")

    assert PaymentImport.objects.count() == 1
    text = client.get(response["Location"]).content.decode()
    assert "cannot be imported twice" in text


def test_another_finance_officer_may_follow_an_upload(client, fiona, frank):
    upload = _running(fiona)
    client.force_login(frank)

    assert client.get(reverse("payments:upload_status", args=[upload.pk])).status_code == 200


def test_an_officer_without_the_import_permission_cannot_see_an_upload(client, fiona, team):
    upload = _running(fiona)
    client.force_login(team.alice)

    status = client.get(reverse("payments:upload_status", args=[upload.pk]))
    fragment = client.get(reverse("payments:upload_progress", args=[upload.pk]))

    assert (status.status_code, fragment.status_code) == (404, 404)


def test_the_uploader_still_sees_their_upload_without_the_permission(client, fiona):
    upload = _running(fiona)
    fiona.groups.clear()  # moved out of the finance role since sending it
    client.force_login(fiona)

    response = client.get(reverse("payments:upload_status", args=[upload.pk]))

    assert not User.objects.get(pk=fiona.pk).has_perm("payments.import_payments")
    assert response.status_code == 200


def test_the_progress_block_reports_the_step_and_lines_the_worker_recorded(client, fiona):
    upload = _running(fiona)
    record = UploadProgress(upload)
    client.force_login(fiona)

    record(ImportStep.CHECK, 50_000, None)
    checking = _progress(client, upload)
    record(ImportStep.LEDGER, 370_000, 370_000)
    posting = _progress(client, upload)

    assert "Step 1 of 6, Checking every line: 50,000 lines checked so far" in checking
    assert 'value="0"' in checking
    assert "Step 4 of 6, Posting to the accounts&#x27; ledgers: 370,000 of 370,000 lines" in posting
    assert 'max="6" value="3"' in posting  # three steps done
    assert 'hx-trigger="every 1s"' in posting


def test_the_status_page_shows_the_step_in_a_live_region_with_the_file_and_format(client, fiona):
    upload = _running(fiona)
    UploadProgress(upload)(ImportStep.BALANCES, 1200, 1200)
    client.force_login(fiona)

    text = client.get(reverse("payments:upload_status", args=[upload.pk])).content.decode()

    assert 'role="status" aria-live="polite">Step 5 of 6, Updating the balances: 1,200 of' in text
    assert "cash-20261123.txt" in text and "as Cash file (fixed width)." in text
    assert '<label class="govuk-label" for="upload-progress-bar">Progress</label>' in text
    # Without JavaScript the page looks again by itself, and offers a link to.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in text
    assert "Refresh this page" in text


def test_a_queued_upload_says_it_is_waiting_for_a_worker(client, fiona):
    upload = _running(fiona)
    PaymentFileUpload.objects.filter(pk=upload.pk).update(status=PaymentFileUpload.Status.QUEUED)
    client.force_login(fiona)

    assert "Waiting for the import to start" in _progress(client, upload)


def test_progress_unchanged_since_the_page_last_looked_is_not_sent_again(client, fiona):
    upload = _running(fiona)
    UploadProgress(upload)(ImportStep.STAGE, 10, 10)
    client.force_login(fiona)
    first = _progress(client, upload)
    seen = first.split("seen=")[1].split('"')[0]

    again = client.get(
        reverse("payments:upload_progress", args=[upload.pk]), {"seen": seen}, headers=HTMX
    )

    assert again.status_code == 204 and again.content == b""


def test_progress_is_written_when_the_step_changes_and_otherwise_each_half_second(
    fiona, progress_cache
):
    upload = _running(fiona)
    now = [100.0]
    record = UploadProgress(upload, clock=lambda: now[0])

    record(ImportStep.CHECK, 0, None)
    record(ImportStep.CHECK, 50_000, None)  # too soon: not written
    held = progress_cache.get(upload.progress_key)
    now[0] += 0.5
    record(ImportStep.CHECK, 100_000, None)
    later = progress_cache.get(upload.progress_key)
    record(ImportStep.STAGE, 120_000, 120_000)  # a new step: written at once

    assert held == {"step": "Checking every line", "done": 0, "total": None}
    assert later["done"] == 100_000
    assert progress_cache.get(upload.progress_key) == {
        "step": "Staging the lines",
        "done": 120_000,
        "total": 120_000,
    }


def test_the_worker_reports_each_step_of_the_import(client, fiona, send, monkeypatch):
    AccountFactory(reference="1000000001")
    seen = []
    monkeypatch.setattr(
        UploadProgress, "_write", lambda self: seen.append((str(self.step), self.done))
    )
    client.force_login(fiona)

    send("cash_good.txt", "hackney_cash")

    assert [step for step, _ in seen] == [str(step) for step in ImportStep]
    assert seen[-1] == ("Holding unmatched lines in suspense", 4)


def test_a_finished_import_sends_the_polling_page_to_its_totals(client, fiona, send):
    client.force_login(fiona)
    AccountFactory(reference="1000000001")
    send("cash_good.txt", "hackney_cash")
    upload = PaymentFileUpload.objects.get()

    response = client.get(reverse("payments:upload_progress", args=[upload.pk]), headers=HTMX)

    assert response["HX-Redirect"] == reverse(
        "payments:import_detail", args=[upload.payment_import_id]
    )


def test_a_refused_import_sends_the_polling_page_to_its_bad_lines(client, fiona, send):
    client.force_login(fiona)
    send("cash_bad_lines.txt", "hackney_cash")
    upload = PaymentFileUpload.objects.get()

    response = client.get(reverse("payments:upload_progress", args=[upload.pk]), headers=HTMX)

    assert response["HX-Redirect"] == reverse("payments:upload_status", args=[upload.pk])


def test_an_unexpected_error_fails_the_upload_with_a_clear_message_and_posts_nothing(
    client, fiona, send, monkeypatch
):
    def broken(**kwargs):
        kwargs["progress"](ImportStep.CHECK, 0, None)
        raise RuntimeError("disk full")

    monkeypatch.setattr(uploads, "payment_file_import", broken)
    client.force_login(fiona)

    response = send("cash_good.txt", "hackney_cash")

    upload = PaymentFileUpload.objects.get()
    assert upload.status == PaymentFileUpload.Status.FAILED
    assert f"upload {upload.pk} failed" in upload.message
    assert bytes(upload.content) == (FIXTURES / "cash_good.txt").read_bytes()  # to run again
    assert not Transaction.objects.exists()
    text = client.get(response["Location"]).content.decode()
    assert "The import stopped and nothing was posted" in text
    assert "unexpected error" in text


def test_a_task_delivered_again_after_the_import_finished_does_nothing(client, fiona, send):
    AccountFactory(reference="1000000001")
    client.force_login(fiona)
    send("cash_good.txt", "hackney_cash")
    upload = PaymentFileUpload.objects.get()

    assert import_payment_upload.apply(args=[upload.pk]).get() == "posted"
    assert PaymentImport.objects.count() == 1
    assert PaymentFileUpload.objects.get().payment_import == PaymentImport.objects.get()


def test_files_sent_and_not_posted_are_listed_on_the_payment_files_page(client, fiona, send):
    client.force_login(fiona)
    send("cash_bad_lines.txt", "hackney_cash")
    upload = PaymentFileUpload.objects.get()

    text = client.get(reverse("payments:imports")).content.decode()

    assert reverse("payments:upload_status", args=[upload.pk]) in text
    assert "Refused: nothing was posted" in text
