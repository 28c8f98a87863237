"""Write-offs: proposed by one person, approved by another within their limit, posted
through the ledger; an untraceable former tenant only after tracing."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseEvent, Contact
from core.models import Role
from payments.models import AccountKind, Transaction, TransactionKind
from performance.figures import WriteOffs, write_offs_in_year
from performance.models import TracingAttempt, WriteOff, WriteOffReason
from performance.writeoffs import (
    UNLIMITED,
    approval_problem,
    tracing_attempt_record,
    untraceable_problem,
    write_off_approve,
    write_off_limit_for,
    write_off_propose,
    write_off_refuse,
    write_off_reinstate,
)
from tests.factories import AccountFactory, CaseFactory, TenancyFactory, UserFactory

from .conftest import TODAY, _charge

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def people(team):
    return {
        "senior": UserFactory(username="sam", role=Role.SENIOR_OFFICER),
        "head": UserFactory(username="hana", role=Role.HEAD_OF_SERVICE),
        **{name: getattr(team, name) for name in ("alice", "bob", "maggie")},
    }


@pytest.fixture
def former_debt(team, frozen):
    """A former tenant's arrears of £600 on patch A01."""
    tenancy = TenancyFactory(property__patch=team.patch_a, end_date=date(2025, 6, 30))
    case = CaseFactory(tenancy=tenancy)
    account = AccountFactory(
        case=case,
        kind=AccountKind.FORMER_TENANCY_ARREARS,
        rent_lawfully_due=False,
        weekly_charge=D("0.00"),
    )
    _charge(account, "600.00", date(2025, 7, 1))
    account.refresh_from_db()
    return account


def _propose(account, people, amount="600.00", reason=WriteOffReason.UNECONOMIC):
    return write_off_propose(
        account=account,
        amount=D(amount),
        reason=reason,
        evidence="Agency returned the debt as uneconomic after 3 months.",
        actor=people["alice"],
        today=TODAY,
    )


def test_default_limits_senior_officer_100_manager_1000_head_of_service_unlimited(people):
    assert write_off_limit_for(people["senior"]) == D("100.00")
    assert write_off_limit_for(people["maggie"]) == D("1000.00")
    assert write_off_limit_for(people["head"]) == UNLIMITED
    assert write_off_limit_for(people["alice"]) is None


def test_an_approved_write_off_posts_through_the_ledger_and_the_timeline(former_debt, people):
    write_off = _propose(former_debt, people)
    approved = write_off_approve(write_off=write_off, actor=people["maggie"], today=TODAY)

    assert approved.status == WriteOff.Status.APPROVED
    assert approved.decided_by == people["maggie"]
    line = approved.transaction
    assert (line.kind, line.amount, line.effective_date) == (
        TransactionKind.WRITE_OFF,
        D("-600.00"),
        TODAY,
    )
    former_debt.refresh_from_db()
    assert former_debt.balance == D("0.00")
    verbs = set(CaseEvent.objects.filter(case=former_debt.case).values_list("verb", flat=True))
    assert {"write_off_proposed", "write_off_approved", "ledger_written_off"} <= verbs


def test_a_write_off_over_the_approvers_limit_is_refused(former_debt, people):
    write_off = _propose(former_debt, people, amount="150.00")
    with pytest.raises(ValidationError, match=re.escape("over your limit of £100.00")):
        write_off_approve(write_off=write_off, actor=people["senior"], today=TODAY)
    write_off.refresh_from_db()
    assert write_off.status == WriteOff.Status.PROPOSED
    assert not Transaction.objects.filter(kind=TransactionKind.WRITE_OFF).exists()


def test_a_write_off_approved_by_its_proposer_is_refused(former_debt, people):
    write_off = write_off_propose(
        account=former_debt,
        amount=D("50.00"),
        reason=WriteOffReason.UNECONOMIC,
        evidence="Costs more to pursue than it is worth.",
        actor=people["maggie"],
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="someone else must approve it"):
        write_off_approve(write_off=write_off, actor=people["maggie"], today=TODAY)
    assert not Transaction.objects.filter(kind=TransactionKind.WRITE_OFF).exists()


def test_an_officer_without_write_off_authority_cannot_approve(former_debt, people):
    write_off = write_off_propose(
        account=former_debt,
        amount=D("50.00"),
        reason=WriteOffReason.UNECONOMIC,
        evidence="Costs more to pursue than it is worth.",
        actor=people["maggie"],
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="no write-off authority"):
        write_off_approve(write_off=write_off, actor=people["alice"], today=TODAY)


def test_the_head_of_service_approves_above_the_managers_limit(former_debt, people):
    _charge(former_debt, "900.00", date(2025, 8, 1))
    write_off = _propose(former_debt, people, amount="1500.00")
    with pytest.raises(ValidationError, match=re.escape("over your limit of £1,000.00")):
        write_off_approve(write_off=write_off, actor=people["maggie"], today=TODAY)
    approved = write_off_approve(write_off=write_off, actor=people["head"], today=TODAY)
    assert approved.status == WriteOff.Status.APPROVED


def test_an_untraceable_write_off_without_tracing_is_refused(former_debt, people):
    with pytest.raises(ValidationError, match="Record the attempts to trace"):
        _propose(former_debt, people, reason=WriteOffReason.UNTRACEABLE)
    assert not WriteOff.objects.exists()


def test_an_untraceable_write_off_is_allowed_after_two_methods_found_nothing(former_debt, people):
    for method, on in (
        (TracingAttempt.Method.IN_HOUSE_RECORDS, date(2026, 9, 1)),
        (TracingAttempt.Method.TRACING_AGENT, date(2026, 11, 2)),
    ):
        tracing_attempt_record(
            case=former_debt.case,
            actor=people["alice"],
            method=method,
            result=TracingAttempt.Result.NOT_FOUND,
            attempted_on=on,
            details="No trace.",
            today=TODAY,
        )
    write_off = _propose(former_debt, people, reason=WriteOffReason.UNTRACEABLE)
    assert write_off.status == WriteOff.Status.PROPOSED
    assert CaseEvent.objects.filter(verb="tracing_attempt_recorded").count() == 2


@pytest.mark.parametrize(
    ("attempts", "problem"),
    [
        ([], "Record the attempts"),
        ([("tracing_agent", "not_found", date(2026, 1, 1))], "Only 1 tracing method"),
        (
            [
                ("tracing_agent", "not_found", date(2026, 1, 1)),
                ("tracing_agent", "not_found", date(2026, 2, 1)),
            ],
            "Only 1 tracing method",
        ),
        (
            [
                ("in_house_records", "not_found", date(2026, 1, 1)),
                ("tracing_agent", "found", date(2026, 2, 1)),
            ],
            "found the former tenant",
        ),
        (
            [
                ("in_house_records", "found", date(2026, 1, 1)),
                ("tracing_agent", "not_found", date(2026, 2, 1)),
            ],
            None,
        ),
    ],
)
def test_untraceable_needs_two_tracing_methods_and_the_latest_found_nothing(attempts, problem):
    result = untraceable_problem(attempts)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_only_a_former_tenants_debt_is_written_off_as_untraceable(team, frozen, people):
    account = AccountFactory(case=CaseFactory(tenancy__property__patch=team.patch_a))
    _charge(account, "100.00", date(2026, 11, 16))
    with pytest.raises(ValidationError, match="Only a former tenant"):
        _propose(account, people, amount="100.00", reason=WriteOffReason.UNTRACEABLE)


def test_a_small_balance_is_under_the_policys_write_off_threshold(former_debt, people):
    with pytest.raises(ValidationError, match=re.escape("A small balance is under £50.00")):
        _propose(former_debt, people, amount="20.00", reason=WriteOffReason.SMALL_BALANCE)


def test_more_than_is_owed_cannot_be_proposed(former_debt, people):
    with pytest.raises(ValidationError, match=re.escape("Only the £600.00 owed")):
        _propose(former_debt, people, amount="600.01")


def test_one_proposal_at_a_time_per_debt(former_debt, people):
    _propose(former_debt, people, amount="100.00")
    with pytest.raises(ValidationError, match="already awaiting a decision"):
        _propose(former_debt, people, amount="100.00")


def test_a_refusal_says_why_and_posts_nothing(former_debt, people):
    write_off = _propose(former_debt, people)
    with pytest.raises(ValidationError):
        write_off_refuse(write_off=write_off, actor=people["maggie"], note="")
    refused = write_off_refuse(
        write_off=write_off, actor=people["maggie"], note="Try the agency first."
    )
    assert refused.status == WriteOff.Status.REFUSED
    assert not Transaction.objects.filter(kind=TransactionKind.WRITE_OFF).exists()
    with pytest.raises(ValidationError, match="already been decided"):
        write_off_approve(write_off=refused, actor=people["head"], today=TODAY)


def test_approval_problem_rule_table():
    assert approval_problem(amount=D("10"), proposer_id=1, approver_id=2, limit=D("100")) is None
    assert "two people" in approval_problem(
        amount=D("10"), proposer_id=1, approver_id=1, limit=UNLIMITED
    )
    assert "no write-off authority" in approval_problem(
        amount=D("10"), proposer_id=1, approver_id=2, limit=None
    )


def _approved(former_debt, people):
    return write_off_approve(
        write_off=_propose(former_debt, people), actor=people["maggie"], today=TODAY
    )


def test_a_reinstated_write_off_puts_the_debt_back_through_a_reversal(former_debt, people):
    write_off = _approved(former_debt, people)
    assert write_offs_in_year(today=TODAY)[None].count == 1

    done = write_off_reinstate(
        write_off=write_off,
        actor=people["head"],
        reason="Traced: applied for rehousing under a new name.",
        today=TODAY,
    )

    former_debt.refresh_from_db()
    assert former_debt.balance == D("600.00")
    assert (done.status, done.reinstated_by) == (WriteOff.Status.REINSTATED, people["head"])
    reversal = done.reinstatement
    assert (reversal.kind, reversal.amount, reversal.reverses) == (
        TransactionKind.REVERSAL,
        D("600.00"),
        write_off.transaction,
    )
    # The ledger keeps both lines; the year's write-offs net to nothing.
    assert Transaction.objects.filter(account=former_debt).count() == 3
    assert write_offs_in_year(today=TODAY)[None] == WriteOffs(0, D("0.00"))
    event = CaseEvent.objects.get(verb="write_off_reinstated")
    assert event.actor == people["head"] and "rehousing" in event.payload["reason"]


def test_a_write_off_is_reinstated_only_once(former_debt, people):
    write_off = _approved(former_debt, people)
    write_off_reinstate(write_off=write_off, actor=people["maggie"], reason="Traced.", today=TODAY)

    with pytest.raises(ValidationError, match="already been reinstated"):
        write_off_reinstate(write_off=write_off, actor=people["head"], reason="Again.", today=TODAY)
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1


def test_only_a_posted_write_off_can_be_reinstated(former_debt, people):
    proposed = _propose(former_debt, people)

    with pytest.raises(ValidationError, match="approved and posted"):
        write_off_reinstate(
            write_off=proposed, actor=people["maggie"], reason="Traced.", today=TODAY
        )


def test_an_officer_without_write_off_authority_cannot_reinstate(former_debt, people):
    write_off = _approved(former_debt, people)

    with pytest.raises(ValidationError, match="no write-off authority"):
        write_off_reinstate(
            write_off=write_off, actor=people["alice"], reason="Traced.", today=TODAY
        )
    assert WriteOff.objects.get(pk=write_off.pk).status == WriteOff.Status.APPROVED


def test_a_reinstatement_says_why(former_debt, people):
    write_off = _approved(former_debt, people)

    with pytest.raises(ValidationError, match="Say why"):
        write_off_reinstate(write_off=write_off, actor=people["head"], reason=" ", today=TODAY)
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()


@pytest.fixture
def old_former_debt(team, frozen):
    """A former tenant's arrears: £400 fell due in 2019 (barred since 2025) and £200 in
    2025 (in time), with no payment since."""
    tenancy = TenancyFactory(
        property__patch=team.patch_a, start_date=date(2012, 4, 2), end_date=date(2019, 6, 30)
    )
    account = AccountFactory(
        case=CaseFactory(tenancy=tenancy),
        kind=AccountKind.FORMER_TENANCY_ARREARS,
        rent_lawfully_due=False,
        weekly_charge=D("0.00"),
    )
    _charge(account, "400.00", date(2019, 7, 1))
    _charge(account, "200.00", date(2025, 7, 1))
    account.refresh_from_db()
    return account


def test_a_statute_barred_write_off_of_the_barred_part_is_proposed(old_former_debt, people):
    write_off = _propose(
        old_former_debt, people, amount="400.00", reason=WriteOffReason.STATUTE_BARRED
    )
    assert write_off.status == WriteOff.Status.PROPOSED


def test_a_statute_barred_write_off_of_more_than_is_barred_is_refused(old_former_debt, people):
    with pytest.raises(ValidationError, match=r"Only £400\.00 of this debt is statute-barred"):
        _propose(old_former_debt, people, amount="600.00", reason=WriteOffReason.STATUTE_BARRED)
    assert not WriteOff.objects.exists()


def test_a_debt_acknowledged_in_writing_is_not_statute_barred(old_former_debt, people):
    """A signed acknowledgment in 2024 began the 2019 sum's six years again (s29(5), s30)."""
    Contact.objects.create(
        case=old_former_debt.case,
        channel=Contact.Channel.LETTER,
        direction=Contact.Direction.INBOUND,
        outcome=Contact.Outcome.ACKNOWLEDGED_DEBT,
        summary="Signed letter accepting the debt.",
        contacted_on=date(2024, 3, 1),
        recorded_by=people["alice"],
    )
    with pytest.raises(ValidationError, match="None of this debt is statute-barred"):
        _propose(old_former_debt, people, amount="400.00", reason=WriteOffReason.STATUTE_BARRED)


def test_a_debt_within_six_years_is_not_written_off_as_statute_barred(former_debt, people):
    with pytest.raises(ValidationError, match="becomes barred on 01 July 2031"):
        _propose(former_debt, people, amount="100.00", reason=WriteOffReason.STATUTE_BARRED)


def test_court_costs_are_not_written_off_as_statute_barred(team, frozen, people):
    account = AccountFactory(
        case=CaseFactory(tenancy=TenancyFactory(property__patch=team.patch_a)),
        kind=AccountKind.COURT_COSTS,
        rent_lawfully_due=False,
        weekly_charge=D("0.00"),
    )
    _charge(account, "355.00", date(2019, 7, 1))
    account.refresh_from_db()
    with pytest.raises(ValidationError, match="is not written off as statute-barred"):
        _propose(account, people, amount="355.00", reason=WriteOffReason.STATUTE_BARRED)
