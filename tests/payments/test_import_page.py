"""The finance page imports one file; only the finance role (and administrators) may.
How an upload's own page follows its import is in test_import_progress.py."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.celery import app as celery_app
from core.models import Role
from payments.models import Account, PaymentFileUpload, PaymentImport, SuspenseItem, Transaction
from tests.factories import AccountFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


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


@pytest.fixture
def fiona(db):
    return UserFactory(username="fiona", role=Role.FINANCE)


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post a fixture file from the page; the import is queued when the upload commits."""

    def send(name: str, fmt: str):
        upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("payments:imports"), {"file": upload, "format_name": fmt})

    return send


def test_finance_officer_imports_a_file_from_the_page(client, fiona, send):
    AccountFactory(reference="1000000001")
    client.force_login(fiona)

    response = send("cash_good.txt", "hackney_cash")

    upload = PaymentFileUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:upload_status", args=[upload.pk])
    record = PaymentImport.objects.get()
    assert (record.imported_by, record.line_count) == (fiona, 4)
    assert (upload.status, upload.payment_import) == (PaymentFileUpload.Status.POSTED, record)
    page = client.get(reverse("payments:suspense"))
    assert "cash_good.txt, line 4" in page.content.decode()


def test_page_names_each_bad_line_and_posts_nothing(client, fiona, send):
    client.force_login(fiona)

    response = send("cash_bad_lines.txt", "hackney_cash")

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Line 2, method" in page.content.decode()
    assert not Transaction.objects.exists() and not PaymentImport.objects.exists()


def test_an_income_officer_cannot_import_files(client, team, send):
    client.force_login(team.alice)

    assert client.get(reverse("payments:imports")).status_code == 403
    assert send("cash_good.txt", "hackney_cash").status_code == 403
    assert not PaymentFileUpload.objects.exists()


def test_suspense_is_allocated_from_the_page_by_two_finance_officers(client, fiona, send):
    frank = UserFactory(username="frank", role=Role.FINANCE)
    target = AccountFactory(reference="1000000001")
    client.force_login(fiona)
    send("uc_good.csv", "universal_credit")
    item = SuspenseItem.objects.get(amount=Decimal("300.50"))

    client.post(
        reverse("payments:suspense_allocate", args=[item.pk]),
        {"account": "1000000001", "reason": "Claimant's new tenancy"},
    )
    client.post(reverse("payments:suspense_approve", args=[item.pk]))
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.AWAITING_APPROVAL

    client.force_login(frank)
    response = client.post(reverse("payments:suspense_approve", args=[item.pk]))

    assert response.status_code == 302
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.ALLOCATED
    assert Account.objects.get(pk=target.pk).balance == Decimal("-750.50")


def test_a_second_finance_officer_refuses_an_allocation_from_the_page(client, fiona, send):
    frank = UserFactory(username="frank", role=Role.FINANCE)
    AccountFactory(reference="1000000001")
    client.force_login(fiona)
    send("uc_good.csv", "universal_credit")
    item = SuspenseItem.objects.get(amount=Decimal("300.50"))
    client.post(
        reverse("payments:suspense_allocate", args=[item.pk]),
        {"account": "1000000001", "reason": "Same surname"},
    )

    client.force_login(frank)
    response = client.post(
        reverse("payments:suspense_reject", args=[item.pk]), {"reason": "Not the claimant"}
    )

    assert response.status_code == 302
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.OPEN
    page = client.get(reverse("payments:suspense")).content.decode()
    assert "refused by" in page and "Not the claimant" in page


def test_finance_officers_find_payment_files_and_suspense_in_the_navigation(client, fiona):
    client.force_login(fiona)

    page = client.get(reverse("payments:imports")).content.decode()

    assert f'href="{reverse("payments:imports")}"' in page
    assert f'href="{reverse("payments:suspense")}"' in page
    assert client.get(reverse("payments:suspense")).status_code == 200


def test_income_officers_are_not_offered_payment_files_or_suspense(client, team):
    client.force_login(team.alice)

    page = client.get(reverse("home")).content.decode()

    assert reverse("payments:imports") not in page
    assert reverse("payments:suspense") not in page
    assert client.get(reverse("payments:suspense")).status_code == 403


def test_an_imported_file_shows_its_totals_on_its_own_page(client, fiona, send):
    AccountFactory(reference="1000000001")
    client.force_login(fiona)

    response = send("cash_good.txt", "hackney_cash")

    record = PaymentImport.objects.get()
    status = client.get(response["Location"])
    assert status["Location"] == reverse("payments:import_detail", args=[record.pk])
    page = client.get(status["Location"]).content.decode()
    assert "4, totalling £87.84" in page
    assert "£87.84 (matches)" in page  # the trailer's control total
    assert "Cash" in page and "Cheque" in page
