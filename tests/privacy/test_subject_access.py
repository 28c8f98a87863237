"""The subject access export (UK GDPR Art. 15): everything held about a tenant as a zip
of JSON and PDFs, made by a task, logged, and downloadable only by who asked."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from privacy.models import AccessKind, AccessRecord, SubjectAccessRequest
from privacy.records import case_record_kinds
from tests.privacy.conftest import plant_every_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(team, alices_case, documents_root, today):
    return plant_every_kind(alices_case, team.alice, documents_root, "SAR")


def _ask(client, dora, case, django_capture_on_commit_callbacks) -> SubjectAccessRequest:
    tenant = case.tenancy.tenants.get(is_lead=True)
    client.force_login(dora)
    page = client.get(reverse("privacy:subject_access"), {"case": case.reference})
    assert tenant.full_name in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:subject_access"), {"tenant": tenant.pk, "reason": "Letter 4 Dec"}
        )
    assert response.status_code == 302
    return SubjectAccessRequest.objects.get()


def test_the_export_holds_a_planted_record_of_every_kind(
    client, dora, alices_case, planted, django_capture_on_commit_callbacks
):
    made = _ask(client, dora, alices_case, django_capture_on_commit_callbacks)
    assert made.status == SubjectAccessRequest.Status.READY, made.error
    assert (made.requested_by, made.reason) == (dora, "Letter 4 Dec")
    assert made.finished_at is not None and len(made.checksum) == 64

    response = client.get(reverse("privacy:subject_access_download", args=[made.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    everything = {name: archive.read(name) for name in names}

    # Each planted record is in the file of its kind.
    for label, marker in planted.items():
        if label == "notices.document":
            continue
        content = everything[f"records/{label}.json"].decode()
        assert marker in content, label
    # The tenant's own details, the ledger and the timeline as sentences.
    tenant = json.loads(everything["tenant.json"])
    assert tenant["tenant"]["fields"]["phone"] == "01632 SAR"
    assert tenant["property"]["fields"]["postcode"] == "EB1 2AB"
    ledger = json.loads(everything["records/payments.transaction.json"])
    assert [line["fields"]["amount"] for line in ledger] == ["450.00"]
    timeline = json.loads(everything["timeline.json"])
    assert any(entry["details"] == planted["cases.caseevent"] for entry in timeline)
    # The document as its PDF.
    pdfs = [n for n in names if n.startswith("documents/") and n.endswith(".pdf")]
    assert len(pdfs) == 1
    assert planted["notices.document"].encode() in everything[pdfs[0]]
    # The manifest accounts for every kind of record a case holds, and the log says so.
    manifest = json.loads(everything["manifest.json"])
    assert {k.label for k in case_record_kinds()} <= set(manifest["records"])
    assert manifest["records"]["cases.contact"] == 1
    assert made.manifest["records"] == manifest["records"]
    # The download itself is a read.
    assert AccessRecord.objects.filter(
        user=dora, kind=AccessKind.SUBJECT_ACCESS, object_id=made.pk
    ).exists()


def test_only_the_person_who_asked_can_download_it(
    client, team, dora, alices_case, planted, django_capture_on_commit_callbacks
):
    made = _ask(client, dora, alices_case, django_capture_on_commit_callbacks)
    client.force_login(team.ada)  # an administrator, who may also ask for exports
    url = reverse("privacy:subject_access_download", args=[made.pk])
    assert client.get(url).status_code == 403
    client.force_login(team.alice)
    assert client.get(url).status_code == 403
    assert client.post(reverse("privacy:subject_access"), {"tenant": 1}).status_code == 403


def test_an_export_that_fails_says_why_on_the_request(
    client, dora, alices_case, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the documents folder should be")
    settings.DOCUMENTS_ROOT = blocked
    made = _ask(client, dora, alices_case, django_capture_on_commit_callbacks)
    assert made.status == SubjectAccessRequest.Status.FAILED
    assert made.error
    assert client.get(reverse("privacy:subject_access")).status_code == 200


def test_an_administrator_asks_for_an_export_from_the_admin(
    client, team, alices_case, planted, django_capture_on_commit_callbacks
):
    tenant = alices_case.tenancy.tenants.get(is_lead=True)
    client.force_login(team.ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_subjectaccessrequest_add"),
            {"tenant": tenant.pk, "reason": "Email of 1 Dec"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = SubjectAccessRequest.objects.get()
    assert (made.requested_by, made.tenant, made.status) == (
        team.ada,
        tenant,
        SubjectAccessRequest.Status.READY,
    )
    assert (
        client.get(reverse("admin:privacy_subjectaccessrequest_change", args=[made.pk])).status_code
        == 200
    )
