"""Preparing and issuing a possession claim: every refusal by its rule, the fee, the
hearing letter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import CaseEvent, CourtCase, Hold
from court.models import Claim, IntroductoryReview
from court.services import Refused, claim_issue, claim_prepare, claim_prepare_or_refuse
from notices.models import Document, DocumentKind
from payments.models import Arrangement, Transaction
from payments.selectors import accounts_out_of_balance
from tests.court.conftest import Steps, ready_for_claim, rent_account
from tests.notices.conftest import TODAY, pdf_text

pytestmark = pytest.mark.django_db

HEARING = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)


def _codes(team, steps: Steps) -> list[str]:
    case = ready_for_claim(team, steps)
    with pytest.raises(Refused) as refused:
        claim_prepare(case=case, actor=team.alice, today=TODAY)
    assert not Claim.objects.filter(case=case).exists()
    return refused.value.codes


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (Steps(court_pack=None), "court_pack_not_approved"),
        (Steps(court_pack="awaiting_approval"), "court_pack_not_approved"),
        (Steps(contact_after_notice=False), "no_contact_after_notice"),
        (Steps(pap_letter_on=None), "pre_action_letter_missing"),
        (Steps(pap_letter_on=date(2026, 11, 16)), "pre_action_letter_too_recent"),
        (Steps(court_assessment_on=None), "assessment_issuing"),
        (Steps(court_assessment_on=date(2026, 6, 1)), "assessment_issuing"),
    ],
)
def test_a_claim_is_refused_while_a_step_before_it_is_missing_or_too_recent(team, steps, code):
    assert code in _codes(team, steps)


def test_a_claim_is_refused_when_the_notice_has_lapsed(team):
    case = ready_for_claim(team)
    notice = case.notices.get()
    notice.last_proceedings_date = date(2026, 11, 1)
    notice.save()

    with pytest.raises(Refused) as refused:
        claim_prepare(case=case, actor=team.alice, today=TODAY)

    assert "notice_lapsed" in refused.value.codes


def test_a_claim_is_refused_before_the_date_in_the_notice(team):
    case = ready_for_claim(team)
    notice = case.notices.get()
    notice.earliest_proceedings_date = date(2026, 11, 30)
    notice.save()

    with pytest.raises(Refused, match="may not begin until after 30 November 2026"):
        claim_prepare(case=case, actor=team.alice, today=TODAY)


def test_a_claim_is_refused_during_a_breathing_space(team):
    case = ready_for_claim(team)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 11, 20),
        until=date(2027, 1, 19),
    )

    with pytest.raises(Refused, match="Breathing Space is in force until 19 January 2027"):
        claim_prepare(case=case, actor=team.alice, today=TODAY)


def test_a_claim_is_refused_while_an_arrangement_is_being_kept(team):
    case = ready_for_claim(team)
    Arrangement.objects.create(
        case=case,
        account=rent_account(case),
        frequency="weekly",
        instalment=Decimal("10.00"),
        starts_on=date(2026, 11, 2),
        starting_balance=Decimal("1052.00"),
        state="kept",
    )

    with pytest.raises(Refused) as refused:
        claim_prepare(case=case, actor=team.alice, today=TODAY)

    assert refused.value.codes == ["arrangement_kept"]


def test_a_claim_is_refused_while_a_benefit_claim_with_all_its_evidence_is_pending(team):
    case = ready_for_claim(team)
    Hold.objects.create(
        case=case,
        kind="benefit_claim",
        reason="housing_benefit",
        starts_on=date(2026, 11, 2),
        all_evidence_supplied=True,
    )

    with pytest.raises(Refused) as refused:
        claim_prepare(case=case, actor=team.alice, today=TODAY)

    assert refused.value.codes == ["benefit_claim_pending"]


def test_an_introductory_claim_waits_for_the_review_the_tenant_asked_for(team):
    case = ready_for_claim(team, Steps(tenure="introductory"))
    notice = case.notices.get()
    IntroductoryReview.objects.create(
        case=case,
        notice=notice,
        requested_on=date(2026, 9, 5),
        grounds="I can pay",
        decide_by=date(2026, 10, 5),
        recorded_by=team.alice,
    )

    with pytest.raises(Refused) as refused:
        claim_prepare(case=case, actor=team.alice, today=TODAY)

    assert "review_pending" in refused.value.codes


def test_a_refused_claim_says_every_reason_on_the_timeline(team):
    case = ready_for_claim(team, Steps(contact_after_notice=False, pap_letter_on=None))

    with pytest.raises(Refused):
        claim_prepare_or_refuse(case=case, actor=team.alice, today=TODAY)

    event = CaseEvent.objects.get(case=case, verb="court_claim_refused")
    assert set(event.payload["codes"]) == {"no_contact_after_notice", "pre_action_letter_missing"}
    assert event.actor == team.alice


def test_a_prepared_claim_has_the_particulars_and_the_two_year_schedule(
    team, django_capture_on_commit_callbacks
):
    case = ready_for_claim(team)

    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_prepare(case=case, actor=team.alice, today=TODAY)

    claim.refresh_from_db()
    assert (claim.status, claim.arrears) == ("prepared", Decimal("1052.00"))
    assert claim.particulars.status == claim.schedule.status == Document.Status.RENDERED
    text = pdf_text(claim.particulars)
    for words in (
        "Particulars of claim for possession",
        "Ground 1",
        "Rent lawfully due from the tenant has not been paid",
        "proceedings would not begin before 4 October 2026",
        "The arrears of rent on 23 November 2026 are £1,052.00",
        "Statement of truth",
        "Ms Jane Smith",
    ):
        assert words in text
    assert "Schedule of rent due and payments made" in pdf_text(claim.schedule)
    assert CaseEvent.objects.filter(case=case, verb="court_claim_prepared").exists()


def test_issuing_posts_the_court_fee_to_court_costs_and_writes_to_each_tenant(
    team, django_capture_on_commit_callbacks
):
    case = ready_for_claim(team, names=("Ms Jane Smith", "Mr John Smith"))
    claim = claim_prepare(case=case, actor=team.alice, today=TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        court_case = claim_issue(
            claim=claim,
            actor=team.alice,
            today=TODAY,
            claim_number="k00eb123",
            court_name="County Court at Eastbrook",
            issued_on=TODAY,
            hearing_at=HEARING,
        )

    claim.refresh_from_db()
    assert (court_case.claim_number, court_case.outcome, court_case.hearing_at) == (
        "K00EB123",
        "pending",
        HEARING,
    )
    fee = Transaction.objects.get(pk=claim.fee_line_id)
    assert (fee.account.kind, fee.amount, fee.kind) == ("court_costs", Decimal("404.00"), "charge")
    assert fee.account.case == case and not fee.account.rent_lawfully_due
    letter = Document.objects.get(case=case, kind=DocumentKind.COURT_HEARING)
    assert letter.recipients == "Ms Jane Smith; Mr John Smith"
    assert "Monday 11 January 2027" in pdf_text(letter)
    assert not accounts_out_of_balance().exists()


def test_a_hearing_less_than_28_days_after_issue_is_refused_as_a_typing_mistake(team):
    claim = claim_prepare(case=ready_for_claim(team), actor=team.alice, today=TODAY)

    with pytest.raises(Refused, match="less than 28 days after issue"):
        claim_issue(
            claim=claim,
            actor=team.alice,
            today=TODAY,
            claim_number="K1",
            court_name="County Court at Eastbrook",
            issued_on=TODAY,
            hearing_at=datetime(2026, 12, 7, 10, tzinfo=UTC),
        )

    assert not CourtCase.objects.exists()
    assert not Transaction.objects.filter(account__kind="court_costs").exists()


def test_document_samples_render_every_court_document_for_legal_sign_off(tmp_path):
    out = StringIO()
    call_command("document_samples", "--out", str(tmp_path), stdout=out)

    names = {path.name.split("-", 1)[1] for path in tmp_path.glob("*.pdf")}
    for kind in (
        "secure-particulars_of_claim.pdf",
        "secure-court_hearing.pdf",
        "secure-eviction_report.pdf",
        "secure-warrant_application.pdf",
        "introductory-review_decision.pdf",
        "secure-money_claim.pdf",
    ):
        assert kind in names
    assert "(nothing saved)" in out.getvalue()
    assert not Claim.objects.exists()
