"""The notice workflow: draft, checks, approval, print, service, withdrawal and expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import CaseEvent, CourtCase, Hold, VulnerabilityFlag
from notices.models import Document, Notice, NoticeKind, NoticeService
from notices.services import (
    NoticeRefusedError,
    notice_approve,
    notice_draft,
    notice_mark_printed,
    notice_serve,
    notice_submit,
    notice_withdraw,
    notices_expire,
)
from tests.notices.conftest import TODAY, household, pdf_text

# Services stamp the moments they act (approval, printing) from the clock: it must
# agree with the `today` they are given, whatever the date the suite runs on.
pytestmark = pytest.mark.usefixtures("frozen_today")

PLANNED = date(
    2026, 11, 24
)  # Tuesday: four weeks on is Tuesday 22 December; rent weeks end Sundays.


def draft(case, actor, *, capture, **kwargs):
    kwargs.setdefault("planned_service_on", PLANNED)
    kwargs.setdefault("planned_service_method", "hand")
    with capture(execute=True):
        return notice_draft(case=case, actor=actor, today=TODAY, **kwargs)


def approved(case, team, capture, **kwargs) -> Notice:
    notice = draft(case, team.alice, capture=capture, **kwargs)
    notice_submit(notice=notice, actor=team.alice)
    with capture(execute=True):
        return notice_approve(notice=notice, actor=team.maggie, today=TODAY)


def printed(case, team, capture, **kwargs) -> Notice:
    notice = approved(case, team, capture, **kwargs)
    return notice_mark_printed(notice=notice, actor=team.alice)


def serve(
    notice, tenant, actor, capture, *, when=datetime(2026, 11, 24, 10, 15, tzinfo=UTC), **kwargs
):
    kwargs.setdefault("method", "hand")
    kwargs.setdefault("given_to", f"{tenant.full_name}, the tenant")
    with time_machine.travel(when + timedelta(minutes=30), tick=False), capture(execute=True):
        return notice_serve(
            notice=notice,
            tenant=tenant,
            actor=actor,
            served_at=when,
            server=actor,
            server_name=actor.get_full_name(),
            address="12 Acorn Close, Eastbrook, EB1 2AB",
            evidence="Handed over on the doorstep.",
            today=timezone.localtime(when).date(),
            **kwargs,
        )


def verbs(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("occurred_at", "id")
        .values_list("verb", flat=True)
    )


# Drafting --------------------------------------------------------------------------


def test_nosp_draft_takes_figures_and_dates_from_the_account(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)

    notice = draft(case, team.alice, capture=django_capture_on_commit_callbacks)

    notice.refresh_from_db()
    assert (notice.kind, notice.status) == (NoticeKind.NOSP, Notice.Status.DRAFT)
    assert notice.arrears_amount == Decimal("1052.00")
    assert notice.weeks_in_arrears == Decimal("10.0")
    assert notice.grounds == ["1"]
    assert notice.earliest_proceedings_date == date(2026, 12, 27)  # the Sunday after four weeks
    assert notice.last_proceedings_date == date(2027, 12, 27)
    assert "On 23 November 2026 the arrears of rent were £1,052.00" in notice.particulars
    draft_pdf = Document.objects.get(notice=notice)
    assert (draft_pdf.is_draft, draft_pdf.status, draft_pdf.requested_by) == (
        True,
        "rendered",
        team.alice,
    )
    assert "DRAFT: NOT FOR SERVICE" in pdf_text(draft_pdf)
    assert verbs(case) == ["document_produced", "notice_drafted"] or verbs(case) == [
        "notice_drafted",
        "document_produced",
    ]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            "breathing_space",
            "A Breathing Space (standard (60 days)) is in force until 10 January 2027",
        ),
        ("no_assessment", "No proportionality and equality assessment"),
        ("stale_assessment", "more than 90 days ago"),
        ("assessment_against", "decided not to proceed"),
        ("new_vulnerability", "1 vulnerability has been recorded since"),
        ("below_threshold", "below the policy's 4 weeks' net rent (£420.80)"),
        ("notice_in_force", "a valid notice is already in force"),
        ("notice_in_progress", "is already awaiting approval"),
        ("tenancy_ended", "The tenancy ended on 1 November 2026"),
    ],
)
def test_nosp_refused_with_the_reason_and_nothing_produced(
    team, django_capture_on_commit_callbacks, setup, reason
):
    case = household(
        patch=team.patch_a,
        arrears=Decimal("400.00") if setup == "below_threshold" else Decimal("1052.00"),
    )
    if setup == "breathing_space":
        Hold.objects.create(
            case=case,
            kind=Hold.Kind.BREATHING_SPACE,
            reason="standard",
            starts_on=date(2026, 11, 11),
            until=date(2027, 1, 10),
        )
    elif setup == "no_assessment":
        case.assessments.all().delete()
    elif setup == "stale_assessment":
        case.assessments.update(assessed_on=TODAY - timedelta(days=91))
    elif setup == "assessment_against":
        case.assessments.update(decision="do_not_proceed")
    elif setup == "new_vulnerability":
        VulnerabilityFlag.objects.create(
            case=case, kind="mental_health", recorded_on=date(2026, 11, 20)
        )
    elif setup == "notice_in_force":
        Notice.objects.create(
            case=case,
            tenancy=case.tenancy,
            kind="nosp",
            status="served",
            served_on=date(2026, 6, 1),
            earliest_proceedings_date=date(2026, 7, 5),
            last_proceedings_date=date(2027, 7, 5),
        )
    elif setup == "notice_in_progress":
        Notice.objects.create(
            case=case, tenancy=case.tenancy, kind="nosp", status="awaiting_approval"
        )
    elif setup == "tenancy_ended":
        case.tenancy.end_date = date(2026, 11, 1)
        case.tenancy.save()
    notices_before = Notice.objects.count()

    with pytest.raises(NoticeRefusedError) as refused:
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)

    assert any(reason in message for message in refused.value.messages), refused.value.messages
    assert Notice.objects.count() == notices_before
    assert not Document.objects.exists()
    event = CaseEvent.objects.get(case=case, verb="notice_refused")
    assert event.actor == team.alice
    assert any(reason in r for r in event.payload["reasons"])
    assert event.payload["step"] == "draft"


def test_refusal_names_every_reason_at_once(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a, arrears=Decimal("100.00"), assessed_on=None)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="mental_health_crisis",
        starts_on=date(2026, 11, 1),
    )

    with pytest.raises(NoticeRefusedError) as refused:
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)

    assert {r.code for r in refused.value.refusals} == {
        "breathing_space",
        "assessment_missing",
        "below_threshold",
    }


def test_breathing_space_ending_before_service_still_refuses_while_in_force_today(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 10, 1),
        until=date(2026, 11, 30),
    )
    with pytest.raises(NoticeRefusedError, match="Breathing Space"):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)


def test_breathing_space_that_has_ended_does_not_refuse(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 9, 1),
        until=date(2026, 10, 31),
        ended_on=date(2026, 10, 31),
    )
    notice = draft(case, team.alice, capture=django_capture_on_commit_callbacks)
    assert notice.status == Notice.Status.DRAFT


def test_technical_arrears_do_not_count_towards_the_threshold(
    team, django_capture_on_commit_callbacks
):
    # £500 owed, but £100 is Universal Credit paid in arrears: £400 < 4 weeks' rent.
    case = household(patch=team.patch_a, arrears=Decimal("500.00"), technical=Decimal("100.00"))
    with pytest.raises(NoticeRefusedError, match="less technical arrears"):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)


def test_tenure_that_does_not_take_the_notice_is_refused(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a, tenure="introductory")
    with pytest.raises(
        NoticeRefusedError, match="does not take this notice; it takes a notice of proceedings"
    ):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks, kind="nosp")


def test_leasehold_takes_no_notice(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a, tenure="leasehold")
    with pytest.raises(NoticeRefusedError, match="money claim or forfeiture"):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)


def test_introductory_notice_refused_when_the_trial_period_ends_before_proceedings(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a, tenure="introductory", trial_period_end=date(2026, 12, 27))
    with pytest.raises(NoticeRefusedError, match="trial period ends on 27 December 2026"):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks, reasons="Rent arrears.")


def test_introductory_notice_needs_reasons(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a, tenure="introductory")
    with pytest.raises(ValidationError) as error:
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)
    assert "reasons" in error.value.message_dict
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("weeks", "grounds", "refused"),
    [
        (Decimal("7.9"), ["8", "10", "11"], True),  # the day before: under eight weeks
        (Decimal("8.0"), ["8", "10", "11"], False),
        (Decimal("7.9"), ["10", "11"], False),  # grounds 10 and 11 need no statutory minimum
    ],
)
def test_section_8_ground_8_needs_eight_weeks_rent_for_a_social_landlord(
    team, django_capture_on_commit_callbacks, weeks, grounds, refused
):
    case = household(
        patch=team.patch_a,
        tenure="assured",
        landlord_registered_provider=True,
        landlord_name="Eastbrook Homes Ltd",
        arrears=Decimal("100.00") * weeks,
        weekly=Decimal("100.00"),
    )
    if refused:
        with pytest.raises(
            NoticeRefusedError, match=r"Ground 8 needs at least 8 weeks' rent unpaid \(£800.00\)"
        ):
            draft(case, team.alice, capture=django_capture_on_commit_callbacks, grounds=grounds)
    else:
        notice = draft(
            case, team.alice, capture=django_capture_on_commit_callbacks, grounds=grounds
        )
        assert (notice.kind, notice.grounds) == (NoticeKind.S8_FORM_3, grounds)
        assert notice.earliest_proceedings_date == PLANNED + timedelta(days=14)
        assert notice.landlord_name == "Eastbrook Homes Ltd"


def test_section_8_form_3a_ground_8_needs_three_months_rent_less_universal_credit_in_transit(
    team, django_capture_on_commit_callbacks
):
    # Monthly rent of £433.33 (100 a week): three months is £1,300.00.
    # £1,350 is owed, but £100 of it is Universal Credit in transit.
    case = household(
        patch=team.patch_a,
        tenure="assured",
        landlord_registered_provider=False,
        rent_period="monthly",
        period_start_day=1,
        arrears=Decimal("1350.00"),
        technical=Decimal("100.00"),
        weekly=Decimal("100.00"),
    )
    with pytest.raises(NoticeRefusedError, match=r"3 months' rent unpaid \(£1,300.00\).*£1,250.00"):
        draft(case, team.alice, capture=django_capture_on_commit_callbacks)


# Approval ----------------------------------------------------------------------------


def test_manager_approval_produces_the_final_notice_signed_by_them(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    notice = approved(case, team, django_capture_on_commit_callbacks)

    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == (Notice.Status.APPROVED, team.maggie)
    final = Document.objects.get(notice=notice, is_draft=False)
    assert final.status == Document.Status.RENDERED
    assert notice.checksum == final.checksum and len(final.checksum) == 64
    assert "Maggie Maple" in pdf_text(final)
    assert "DRAFT" not in pdf_text(final)
    assert {"notice_submitted", "notice_approved"} <= set(verbs(case))


def test_an_officer_cannot_approve_a_notice(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = draft(case, team.alice, capture=django_capture_on_commit_callbacks)
    notice_submit(notice=notice, actor=team.alice)
    with pytest.raises(PermissionDenied):
        notice_approve(notice=notice, actor=team.bob, today=TODAY)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.AWAITING_APPROVAL


def test_a_manager_cannot_approve_their_own_draft(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = draft(case, team.maggie, capture=django_capture_on_commit_callbacks)
    notice_submit(notice=notice, actor=team.maggie)
    with pytest.raises(ValidationError, match="another manager must approve it"):
        notice_approve(notice=notice, actor=team.maggie, today=TODAY)


def test_approval_runs_the_checks_again(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = draft(case, team.alice, capture=django_capture_on_commit_callbacks)
    notice_submit(notice=notice, actor=team.alice)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=TODAY,
        until=TODAY + timedelta(days=60),
    )

    with pytest.raises(NoticeRefusedError, match="Breathing Space"):
        notice_approve(notice=notice, actor=team.maggie, today=TODAY)

    notice.refresh_from_db()
    assert notice.status == Notice.Status.AWAITING_APPROVAL
    assert not Document.objects.filter(notice=notice, is_draft=False).exists()
    assert CaseEvent.objects.get(case=case, verb="notice_refused").payload["step"] == "approve"


# Service -----------------------------------------------------------------------------


def test_each_joint_tenant_is_served_with_a_certificate_and_then_the_notice_is_in_force(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith"))
    notice = printed(case, team, django_capture_on_commit_callbacks)
    jane, john = case.tenancy.tenants.order_by("-is_lead")

    first = serve(notice, jane, team.alice, django_capture_on_commit_callbacks)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PRINTED  # John has not been served yet

    second = serve(
        notice,
        john,
        team.alice,
        django_capture_on_commit_callbacks,
        when=datetime(2026, 11, 24, 18, 40, tzinfo=UTC),
        method="left_at_address",
        given_to="",
    )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SERVED
    assert (notice.served_on, notice.deemed_served_on, notice.service_method) == (
        date(2026, 11, 24),
        date(2026, 11, 24),
        "left_at_address",
    )
    assert notice.is_in_force_on(date(2027, 12, 27)) and not notice.is_in_force_on(
        date(2027, 12, 28)
    )

    text = pdf_text(Document.objects.get(pk=first.certificate_id))
    assert "Certificate of service" in text
    assert (
        "served the document described above on Ms Jane Smith by handing it to "
        "Ms Jane Smith, the tenant" in text
    )
    assert "Tuesday 24 November 2026 at 10:15" in text
    assert notice.checksum in text
    assert "Statement of truth" in text
    assert "by leaving it at 12 Acorn Close" in pdf_text(
        Document.objects.get(pk=second.certificate_id)
    )
    served = CaseEvent.objects.filter(case=case, verb="notice_served").order_by("id")
    assert [e.payload["complete"] for e in served] == [False, True]
    assert served[0].payload["tenant"] == "Ms Jane Smith"
    assert served[0].payload["server"] == "Alice Ash"


def test_posted_notice_is_deemed_served_on_the_second_working_day(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    notice = printed(
        case, team, django_capture_on_commit_callbacks, planned_service_method="first_class_post"
    )
    tenant = case.tenancy.tenants.get()
    serve(
        notice,
        tenant,
        team.alice,
        django_capture_on_commit_callbacks,
        method="first_class_post",
        given_to="",
    )
    notice.refresh_from_db()
    assert (notice.served_on, notice.deemed_served_on) == (date(2026, 11, 24), date(2026, 11, 26))


def test_service_too_late_for_the_printed_date_is_refused(team, django_capture_on_commit_callbacks):
    # Planned for 24 November: 27 December is printed.
    # Served on 1 December, the date must be 3 January.
    case = household(patch=team.patch_a)
    notice = printed(case, team, django_capture_on_commit_callbacks)
    tenant = case.tenancy.tenants.get()

    with pytest.raises(
        NoticeRefusedError, match="must be 3 January 2027 or later, but it says 27 December 2026"
    ):
        serve(
            notice,
            tenant,
            team.alice,
            django_capture_on_commit_callbacks,
            when=datetime(2026, 12, 1, 10, tzinfo=UTC),
        )

    assert not NoticeService.objects.exists()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PRINTED


def test_service_during_a_breathing_space_is_refused(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = printed(case, team, django_capture_on_commit_callbacks)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 11, 24),
        until=date(2027, 1, 22),
    )
    with pytest.raises(NoticeRefusedError, match="Breathing Space"):
        serve(notice, case.tenancy.tenants.get(), team.alice, django_capture_on_commit_callbacks)
    assert not NoticeService.objects.exists()


def test_service_across_the_clocks_going_back_uses_the_london_date(
    team, django_capture_on_commit_callbacks
):
    # 00:30 on Sunday 25 October 2026 in London is 23:30 UTC on the 24th (BST ends at 02:00).
    case = household(patch=team.patch_a)
    notice = printed(case, team, django_capture_on_commit_callbacks)
    notice.approved_at = datetime(2026, 10, 20, 9, tzinfo=UTC)
    notice.planned_service_on = date(2026, 10, 25)
    notice.earliest_proceedings_date = date(2026, 11, 22)
    notice.save()
    tenant = case.tenancy.tenants.get()
    serve(
        notice,
        tenant,
        team.alice,
        django_capture_on_commit_callbacks,
        when=datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
    )
    service = NoticeService.objects.get()
    assert service.deemed_served_on == date(2026, 10, 25)


def test_section_8_notice_lapses_twelve_months_after_service(
    team, django_capture_on_commit_callbacks
):
    case = household(
        patch=team.patch_a,
        tenure="assured",
        landlord_registered_provider=True,
        arrears=Decimal("900.00"),
        weekly=Decimal("100.00"),
    )
    notice = printed(
        case, team, django_capture_on_commit_callbacks, planned_service_method="second_class_post"
    )
    assert notice.earliest_proceedings_date == date(2026, 12, 14)
    serve(
        notice,
        case.tenancy.tenants.get(),
        team.alice,
        django_capture_on_commit_callbacks,
        method="second_class_post",
        given_to="",
    )
    notice.refresh_from_db()
    assert notice.deemed_served_on == date(2026, 11, 30)  # Tue posted: Wed, Thu, Fri, Mon
    assert notice.last_proceedings_date == date(2027, 11, 30)


# Withdrawal and expiry ---------------------------------------------------------------


def test_only_a_manager_can_withdraw_a_served_notice(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = printed(case, team, django_capture_on_commit_callbacks)
    serve(notice, case.tenancy.tenants.get(), team.alice, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        notice_withdraw(notice=notice, actor=team.alice, reason="Arrears cleared")
    notice_withdraw(notice=notice, actor=team.maggie, reason="Arrears cleared in full")
    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_by, notice.withdrawal_reason) == (
        Notice.Status.WITHDRAWN,
        team.maggie,
        "Arrears cleared in full",
    )
    event = CaseEvent.objects.get(case=case, verb="notice_withdrawn")
    assert event.payload["previous_status"] == "served"


def test_withdrawal_needs_a_reason(team, django_capture_on_commit_callbacks):
    case = household(patch=team.patch_a)
    notice = draft(case, team.alice, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        notice_withdraw(notice=notice, actor=team.alice, reason="  ")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_notices_expire_the_day_after_their_last_date_once_and_not_when_used_for_a_claim(team):
    case_a, case_b = (
        household(patch=team.patch_a),
        household(patch=team.patch_a, address="14 Acorn Close"),
    )
    kwargs = {
        "kind": "nosp",
        "status": "served",
        "served_on": date(2025, 10, 1),
        "earliest_proceedings_date": date(2025, 11, 2),
        "last_proceedings_date": date(2026, 11, 2),
    }
    lapsed = Notice.objects.create(case=case_a, tenancy=case_a.tenancy, **kwargs)
    used = Notice.objects.create(case=case_b, tenancy=case_b.tenancy, **kwargs)
    CourtCase.objects.create(case=case_b, issued_on=date(2026, 3, 1))

    assert notices_expire(today=date(2026, 11, 2)) == 0  # its last day: still in force
    assert notices_expire(today=date(2026, 11, 3)) == 1
    assert notices_expire(today=date(2026, 11, 4)) == 0  # already expired: nothing twice

    lapsed.refresh_from_db(), used.refresh_from_db()
    assert (lapsed.status, lapsed.expired_on) == (Notice.Status.EXPIRED, date(2026, 11, 3))
    assert used.status == Notice.Status.SERVED
    assert CaseEvent.objects.filter(verb="notice_expired").count() == 1


def test_the_notice_threshold_is_the_escalation_policys(team, django_capture_on_commit_callbacks):
    from arrears.models import EscalationPolicy
    from arrears.policy import default_document

    document = default_document()
    document["ladders"]["secure"]["notice"]["weeks"] = "8.0"  # East Devon's eight weeks
    EscalationPolicy.objects.create(version=2, document=document, note="Notice at 8 weeks")
    case = household(patch=team.patch_a)  # 10 weeks' rent owed
    draft(case, team.alice, capture=django_capture_on_commit_callbacks)  # passes at 10 weeks
    thin = household(patch=team.patch_a, address="20 Acorn Close", arrears=Decimal("736.40"))

    with pytest.raises(
        NoticeRefusedError, match=r"below the policy's 8 weeks' net rent \(£841.60\)"
    ):
        draft(thin, team.alice, capture=django_capture_on_commit_callbacks)
