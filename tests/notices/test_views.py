"""The notice, document, approval and print pack pages: permissions, forms, query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arrears.models import LetterRequest
from cases.models import CaseEvent, Hold, ProportionalityAssessment
from notices.models import CourtPack, Document, Notice, PrintPack
from notices.services import notice_draft, notice_submit
from notices.tasks import render_letter_requests
from tests.notices.conftest import TODAY, household, pdf_text

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(name: str, **kwargs) -> str:
    return reverse(f"notices:{name}", kwargs=kwargs)


def draft_via_page(client, case, **data):
    data = {
        "planned_service_on_day": "24",
        "planned_service_on_month": "11",
        "planned_service_on_year": "2026",
        "planned_service_method": "hand",
        **data,
    }
    return client.post(url("notice_new", case_id=case.pk), data)


def test_officer_drafts_a_notice_from_the_page(client, team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    client.force_login(team.alice)
    page = client.get(url("notice_new", case_id=case.pk))
    assert page.status_code == 200
    assert b"Notice of Seeking Possession" in page.content
    assert b"Today&#x27;s checks pass" in page.content or b"checks pass" in page.content
    assert b"27 December 2026" in page.content  # the date it would print, served tomorrow by hand

    with django_capture_on_commit_callbacks(execute=True):
        response = draft_via_page(client, case)

    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert (notice.status, notice.created_by, notice.planned_service_on) == (
        "draft",
        team.alice,
        date(2026, 11, 24),
    )
    detail = client.get(notice.get_absolute_url())
    assert b"Send for approval" in detail.content
    assert b"Notice of Seeking Possession (draft)" in detail.content


def test_refused_draft_shows_every_reason_and_saves_nothing(client, team):
    case = household(patch=team.patch_a, arrears=Decimal("100.00"), assessed_on=None)
    client.force_login(team.alice)
    page = client.get(url("notice_new", case_id=case.pk))
    assert b"this notice would be refused" in page.content
    assert b"No proportionality and equality assessment" in page.content

    response = draft_via_page(client, case)

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert (
        b"This notice cannot be drafted: No proportionality and equality assessment"
        in response.content
    )
    assert b"below the policy" in response.content
    assert not Notice.objects.exists() and not Document.objects.exists()
    assert CaseEvent.objects.filter(case=case, verb="notice_refused").count() == 1


def test_draft_form_names_what_is_wrong_with_the_input(client, team):
    case = household(patch=team.patch_a)
    client.force_login(team.alice)
    response = draft_via_page(
        client,
        case,
        planned_service_on_day="31",
        planned_service_on_month="2",
        planned_service_method="",
    )
    assert response.status_code == 200
    assert b"must be a real date" in response.content
    assert b"Choose how the notice will be served" in response.content
    assert not Notice.objects.exists()
    assert not CaseEvent.objects.filter(case=case).exists()


def _notice(case, team, capture, status="draft") -> Notice:
    with capture(execute=True):
        notice = notice_draft(
            case=case,
            actor=team.alice,
            today=TODAY,
            planned_service_on=date(2026, 11, 24),
            planned_service_method="hand",
        )
    if status == "awaiting_approval":
        notice_submit(notice=notice, actor=team.alice)
    return notice


def test_officer_from_another_patch_gets_403_on_every_action(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    notice = _notice(case, team, django_capture_on_commit_callbacks)
    tenant = case.tenancy.tenants.get()
    client.force_login(team.bob)
    actions = [
        ("post", url("notice_new", case_id=case.pk)),
        ("get", url("notice_new", case_id=case.pk)),
        ("post", url("notice_submit", case_id=case.pk, notice_id=notice.pk)),
        ("post", url("notice_print", case_id=case.pk, notice_id=notice.pk)),
        ("post", url("notice_withdraw", case_id=case.pk, notice_id=notice.pk)),
        ("post", url("notice_serve", case_id=case.pk, notice_id=notice.pk, tenant_id=tenant.pk)),
        ("post", url("letter_new", case_id=case.pk)),
        ("post", url("statement_new", case_id=case.pk)),
        ("post", url("court_pack_new", case_id=case.pk)),
        ("post", url("notice_approve", case_id=case.pk, notice_id=notice.pk)),
        ("get", reverse("court:approvals")),
        ("get", url("print_packs")),
    ]
    for method, address in actions:
        response = getattr(client, method)(
            address, {"reason": "x", "kind": "arrears_letter_1", "summary": "x"}
        )
        assert response.status_code == 403, address
    notice.refresh_from_db()
    assert notice.status == "draft"
    assert not Document.objects.filter(kind="arrears_letter_1").exists()
    # Reading is allowed: officers read every case.
    assert client.get(notice.get_absolute_url()).status_code == 200


def test_carol_covering_patch_b_can_act_on_its_cases(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_b)
    client.force_login(team.carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("letter_new", case_id=case.pk), {"kind": "arrears_letter_1"})
    assert response.status_code == 302
    assert Document.objects.get().requested_by == team.carol


def test_only_a_manager_approves_and_the_draft_pdf_then_the_final(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    notice = _notice(case, team, django_capture_on_commit_callbacks, status="awaiting_approval")
    client.force_login(team.alice)
    assert (
        client.post(url("notice_approve", case_id=case.pk, notice_id=notice.pk)).status_code == 403
    )

    client.force_login(team.maggie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("notice_approve", case_id=case.pk, notice_id=notice.pk))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == ("approved", team.maggie)
    assert Document.objects.filter(notice=notice, is_draft=False, status="rendered").count() == 1


def test_documents_download_only_for_people_who_may_read_the_case(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    other = household(patch=team.patch_b, address="5 Acorn Close")
    notice = _notice(case, team, django_capture_on_commit_callbacks)
    document = Document.objects.get(notice=notice)

    anonymous = client.get(document.get_absolute_url())
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    client.force_login(team.bob)  # another patch: may read
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    # The same document asked for under another case's address is not found.
    wrong = reverse(
        "notices:document_download", kwargs={"case_id": other.pk, "document_id": document.pk}
    )
    assert client.get(wrong).status_code == 404


def test_serving_through_the_page_records_service_and_the_certificate(
    client, team, django_capture_on_commit_callbacks
):
    from notices.services import notice_approve, notice_mark_printed

    case = household(patch=team.patch_a)
    notice = _notice(case, team, django_capture_on_commit_callbacks, status="awaiting_approval")
    with django_capture_on_commit_callbacks(execute=True):
        notice_approve(notice=notice, actor=team.maggie, today=TODAY)
    notice_mark_printed(notice=notice, actor=team.alice)
    tenant = case.tenancy.tenants.get()
    client.force_login(team.alice)
    address = url("notice_serve", case_id=case.pk, notice_id=notice.pk, tenant_id=tenant.pk)
    assert b"Record service on Ms Jane Smith" in client.get(address).content

    noon = datetime(2026, 11, 24, 12, tzinfo=UTC)
    with time_machine.travel(noon, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.force_login(team.alice)  # a new day: sign in again
        bad = client.post(
            address,
            {
                "method": "hand",
                "served_on_day": "24",
                "served_on_month": "11",
                "served_on_year": "2026",
                "served_time": "25:99",
                "server_name": "Alice Ash",
                "given_to": "",
                "address": "12 Acorn Close",
            },
        )
        assert bad.status_code == 200 and b"Enter the time like 10:15" in bad.content
        response = client.post(
            address,
            {
                "method": "hand",
                "served_on_day": "24",
                "served_on_month": "11",
                "served_on_year": "2026",
                "served_time": "09:05",
                "server_name": "Alice Ash",
                "given_to": "Ms Jane Smith",
                "address": "12 Acorn Close, Eastbrook",
            },
        )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "served"
    service = notice.services.get()
    assert (service.served_by, service.server_name) == (team.alice, "Alice Ash")
    assert service.certificate.status == "rendered"


def test_approvals_page_lists_what_waits_for_a_fixed_number_of_queries(
    client, team, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.force_login(team.maggie)
    for number in range(6):
        case = household(patch=team.patch_a, address=f"{number + 1} Oak Road")
        _notice(case, team, django_capture_on_commit_callbacks, status="awaiting_approval")
    # 8, and the manager's authenticator, which django-otp reads to verify the session.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("court:approvals"))
    assert response.status_code == 200
    assert response.content.count(b"Notice of Seeking Possession") == 6


def test_notice_page_costs_a_fixed_number_of_queries(
    client, team, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    case = household(patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith", "Ms Ann Smith"))
    notice = _notice(case, team, django_capture_on_commit_callbacks)
    client.force_login(team.alice)
    # 16, and the record of the read (privacy/access.py) written after the response inside
    # the test's transaction: savepoint, insert, release.
    with django_assert_max_num_queries(16 + 3):
        assert client.get(notice.get_absolute_url()).status_code == 200


def test_htmx_refresh_returns_only_the_documents_partial(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    notice = _notice(case, team, django_capture_on_commit_callbacks)
    client.force_login(team.alice)
    response = client.get(notice.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.strip().startswith(b'<div id="notice-documents"')
    assert b"<html" not in response.content


def test_print_packs_page_and_download_for_managers(client, team, django_assert_max_num_queries):
    case = household(patch=team.patch_a)
    LetterRequest.objects.create(case=case, letter="arrears_letter_1", run_date=TODAY)
    LetterRequest.objects.create(case=case, letter="court_hearing", run_date=TODAY)
    render_letter_requests(TODAY.isoformat())
    pack = PrintPack.objects.get()
    client.force_login(team.maggie)
    with django_assert_max_num_queries(10):
        page = client.get(url("print_packs"))
    assert b"Monday 23 November 2026" in page.content
    assert b"No future court hearing is recorded for this case." in page.content
    response = client.get(url("print_pack_download", pack_id=pack.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pack.refresh_from_db()
    assert pack.downloaded_by == team.maggie


def test_court_pack_prepared_by_an_officer_and_decided_by_a_manager(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    served = Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind="nosp",
        status="served",
        served_on=date(2026, 9, 1),
        deemed_served_on=date(2026, 9, 1),
        earliest_proceedings_date=date(2026, 10, 4),
        last_proceedings_date=date(2027, 10, 4),
    )
    client.force_login(team.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("court_pack_new", case_id=case.pk), {"summary": "No payments since August."}
        )
    pack = CourtPack.objects.get()
    assert response.status_code == 302 and pack.notice == served
    assert pack.report.status == pack.statement.status == "rendered"

    client.force_login(team.maggie)
    page = client.get(url("court_pack_detail", case_id=case.pk, pack_id=pack.pk))
    assert b"A current proportionality and equality assessment for issuing a claim" in page.content
    refused = client.post(
        url("court_pack_detail", case_id=case.pk, pack_id=pack.pk), {"decision": "approve"}
    )
    assert b"The claim cannot be approved" in refused.content
    pack.refresh_from_db()
    assert pack.status == "awaiting_approval"

    ProportionalityAssessment.objects.create(
        case=case,
        step="court",
        decision="proceed",
        assessed_on=TODAY,
        reasons="Considered; proportionate.",
    )
    approved = client.post(
        url("court_pack_detail", case_id=case.pk, pack_id=pack.pk), {"decision": "approve"}
    )
    assert approved.status_code == 302
    pack.refresh_from_db()
    assert (pack.status, pack.decided_by) == ("approved", team.maggie)
    assert CaseEvent.objects.filter(case=case, verb="court_pack_approved").exists()


def test_court_report_gives_each_benefit_claim_its_evidence_and_decision(
    client, team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind="nosp",
        status="served",
        served_on=date(2026, 9, 1),
        deemed_served_on=date(2026, 9, 1),
        earliest_proceedings_date=date(2026, 10, 4),
        last_proceedings_date=date(2027, 10, 4),
    )
    Hold.objects.create(
        case=case,
        kind="benefit_claim",
        reason="universal_credit",
        starts_on=date(2026, 11, 2),
        all_evidence_supplied=True,
    )
    Hold.objects.create(
        case=case,
        kind="benefit_claim",
        reason="dhp",
        starts_on=date(2026, 8, 3),
        ended_on=date(2026, 9, 14),
        outcome="refused",
    )
    client.force_login(team.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("court_pack_new", case_id=case.pk), {"summary": "No payments."})

    text = pdf_text(CourtPack.objects.get().report)
    assert (
        "Universal Credit housing element since 2 November 2026 "
        "(still pending, with all the evidence supplied)" in text
    )
    assert (
        "Discretionary Housing Payment since 3 August 2026, decided 14 September 2026: refused"
        in text
    )
