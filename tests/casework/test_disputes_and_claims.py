"""Disputes and pending benefit claims: the holds an officer records until an outcome.

A dispute (liability, disrepair, the balance or charges) holds letters, notices and
court action until it is resolved (legal-reference.md §19 rule 8). A pending Housing
Benefit, UC housing costs or DHP claim holds proceedings while it is decided, and the
Pre-Action Protocol para 7 turns on whether all its evidence is in (§8, §19 rule 2).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from cases.caseload import CaseloadQuery, active_holds, caseload_for
from cases.models import CaseEvent, Hold
from cases.rules import hold_start_problem
from cases.selectors import timeline_for
from cases.services import (
    benefit_claim_decide,
    benefit_claim_evidence_record,
    benefit_claim_record,
    dispute_record,
    dispute_resolve,
    referral_make,
)
from cases.timeline import describe, details
from tests.casework.conftest import TODAY, make_case

pytestmark = pytest.mark.django_db

TENANCY_START = date(2020, 4, 6)  # TenancyFactory's


def _date(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def _dispute(case, actor, *, reason="disrepair", starts_on=TODAY - timedelta(days=3)) -> Hold:
    return dispute_record(
        case=case,
        actor=actor,
        reason=reason,
        starts_on=starts_on,
        comment="Damp in the bedroom reported in March, not fixed",
        today=TODAY,
    )


def _claim(case, actor, *, benefit="housing_benefit", all_evidence=True, comment="") -> Hold:
    return benefit_claim_record(
        case=case,
        actor=actor,
        benefit=benefit,
        submitted_on=TODAY - timedelta(days=10),
        all_evidence_supplied=all_evidence,
        reference="HB/123456",
        comment=comment,
        today=TODAY,
    )


def _nothing_written(case) -> bool:
    return (
        not Hold.objects.filter(case=case).exists()
        and not CaseEvent.objects.filter(case=case)
        .exclude(verb__in=["payment_taken", "charge_posted"])
        .exists()
    )


# The rule


@pytest.mark.parametrize(
    ("starts_on", "problem"),
    [
        (TODAY + timedelta(days=1), "must be today or in the past"),
        (TODAY, None),
        (TODAY - timedelta(days=400), None),
        (TENANCY_START, None),
        (TENANCY_START - timedelta(days=1), "on or after the tenancy began, 6 April 2020"),
    ],
)
def test_a_dispute_or_claim_dates_from_today_or_before_and_not_before_the_tenancy(
    starts_on, problem
):
    found = hold_start_problem(
        starts_on=starts_on, today=TODAY, tenancy_start=TENANCY_START, what="dispute was raised"
    )

    assert (found is None) if problem is None else (problem in found)


# Disputes


def test_officer_records_a_dispute_which_holds_the_case_until_resolved(
    client, team, alices_case, today
):
    client.force_login(team.alice)

    response = client.post(
        reverse("dispute_record", args=[alices_case.pk]),
        {
            "reason": "disrepair",
            **_date("starts_on", date(2026, 11, 16)),
            "comment": "Says the damp has not been fixed since March",
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.get(case=alices_case)
    assert (hold.kind, hold.reason, hold.starts_on, hold.created_by, hold.ended_on) == (
        "dispute",
        "disrepair",
        date(2026, 11, 16),
        team.alice,
        None,
    )
    assert hold.comment == "Says the damp has not been fixed since March"
    assert hold in active_holds(TODAY)
    event = CaseEvent.objects.get(case=alices_case, verb="dispute_recorded")
    assert event.actor == team.alice
    assert event.payload == {
        "hold_id": hold.pk,
        "reason": "disrepair",
        "reason_label": "Disrepair complaint",
        "starts_on": "2026-11-16",
        "comment": "Says the damp has not been fixed since March",
    }
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Dispute: Disrepair complaint" in page
    assert "Dispute recorded: Disrepair complaint, raised 16 November 2026" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "Choose what is disputed"),
        ({"reason": "not_a_reason"}, "reason", "Choose what is disputed"),
        ({"comment": "   "}, "comment", "Enter what the tenant says is wrong"),
        (_date("starts_on", TODAY + timedelta(days=1)), "starts_on", "today or in the past"),
        (_date("starts_on", date(2019, 1, 1)), "starts_on", "on or after the tenancy began"),
        ({"starts_on_day": "31", "starts_on_month": "2"}, "starts_on", "must be a real date"),
        ({"starts_on_day": ""}, "starts_on", "must be a real date"),
    ],
)
def test_a_dispute_with_a_problem_is_refused_and_writes_nothing(
    client, team, alices_case, today, data, field, message
):
    client.force_login(team.alice)

    response = client.post(
        reverse("dispute_record", args=[alices_case.pk]),
        {"reason": "balance", **_date("starts_on", TODAY), "comment": "Charges wrong", **data},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert _nothing_written(alices_case)


def test_a_second_open_dispute_about_the_same_thing_is_refused_but_another_kind_is_not(
    team, alices_case
):
    first = _dispute(alices_case, team.alice)

    with pytest.raises(ValidationError) as refused:
        _dispute(alices_case, team.alice)

    assert "raised on 20 November 2026 is already open" in refused.value.messages[0]
    assert list(Hold.objects.filter(case=alices_case)) == [first]
    assert CaseEvent.objects.filter(verb="dispute_recorded").count() == 1

    _dispute(alices_case, team.alice, reason="balance")
    assert Hold.objects.filter(case=alices_case, kind="dispute").count() == 2


def test_officer_resolves_a_dispute_with_its_outcome_and_date(client, team, alices_case, today):
    hold = _dispute(alices_case, team.alice)
    client.force_login(team.alice)

    response = client.post(
        reverse("dispute_resolve", args=[alices_case.pk, hold.pk]),
        {
            "outcome": "not_upheld",
            **_date("ended_on", date(2026, 11, 21)),
            "notes": "Surveyor found no damp; repairs log shows none reported",
        },
    )

    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.ended_on, hold.ended_by, hold.outcome) == (
        date(2026, 11, 21),
        team.alice,
        "not_upheld",
    )
    assert hold.outcome_notes == "Surveyor found no damp; repairs log shows none reported"
    assert hold not in active_holds(TODAY)
    event = CaseEvent.objects.get(case=alices_case, verb="dispute_resolved")
    assert event.payload["hold_id"] == hold.pk
    assert event.payload["ended_on"] == "2026-11-21"
    assert event.payload["outcome"] == "not_upheld"
    assert event.payload["outcome_label"] == "Not upheld: the arrears are owed"
    household = client.get(reverse("case_household", args=[alices_case.pk])).content.decode()
    assert "Resolved 21 Nov 2026: Not upheld: the arrears are owed" in household
    assert "Dispute: Disrepair complaint</strong>" not in household  # no tag: not in force


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Choose how the dispute was resolved"),
        ({"outcome": "awarded"}, "outcome", "Choose how the dispute was resolved"),
        ({"notes": ""}, "notes", "Enter what was found or agreed"),
        (_date("ended_on", TODAY + timedelta(days=1)), "ended_on", "must not be in the future"),
        (_date("ended_on", TODAY - timedelta(days=4)), "ended_on", "on or after the date it"),
    ],
)
def test_resolving_a_dispute_with_a_problem_is_refused_and_the_dispute_stays_open(
    client, team, alices_case, today, data, field, message
):
    hold = _dispute(alices_case, team.alice)
    client.force_login(team.alice)

    response = client.post(
        reverse("dispute_resolve", args=[alices_case.pk, hold.pk]),
        {"outcome": "upheld", **_date("ended_on", TODAY), "notes": "Charges corrected", **data},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    hold.refresh_from_db()
    assert (hold.ended_on, hold.outcome, hold.outcome_notes) == (None, "", "")
    assert not CaseEvent.objects.filter(verb="dispute_resolved").exists()


def test_a_resolved_dispute_cannot_be_resolved_again(team, alices_case):
    hold = _dispute(alices_case, team.alice)
    dispute_resolve(
        hold=hold, actor=team.alice, outcome="withdrawn", resolved_on=TODAY, notes="x", today=TODAY
    )

    with pytest.raises(ValidationError) as refused:
        dispute_resolve(
            hold=hold, actor=team.bob, outcome="upheld", resolved_on=TODAY, notes="y", today=TODAY
        )

    assert "already ended" in refused.value.messages[0]
    hold.refresh_from_db()
    assert (hold.outcome, hold.ended_by) == ("withdrawn", team.alice)
    assert CaseEvent.objects.filter(verb="dispute_resolved").count() == 1


# Benefit claims


def test_officer_records_a_pending_claim_with_all_its_evidence(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_record", args=[alices_case.pk]),
        {
            "benefit": "universal_credit",
            **_date("submitted_on", date(2026, 11, 9)),
            "all_evidence_supplied": "yes",
            "reference": "UC-998877",
            "comment": "",
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.get(case=alices_case)
    assert (hold.kind, hold.reason, hold.starts_on, hold.all_evidence_supplied, hold.reference) == (
        "benefit_claim",
        "universal_credit",
        date(2026, 11, 9),
        True,
        "UC-998877",
    )
    assert hold in active_holds(TODAY)
    event = CaseEvent.objects.get(case=alices_case, verb="benefit_claim_recorded")
    assert event.actor == team.alice
    assert event.payload == {
        "hold_id": hold.pk,
        "reason": "universal_credit",
        "reason_label": "Universal Credit housing element",
        "starts_on": "2026-11-09",
        "all_evidence_supplied": True,
        "reference": "UC-998877",
        "comment": "",
    }
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Pending: Universal Credit housing element</strong>" in page
    assert "claim pending, submitted 9 November 2026, all evidence given" in page


def test_a_claim_still_missing_evidence_says_what_is_missing(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_record", args=[alices_case.pk]),
        {
            "benefit": "housing_benefit",
            **_date("submitted_on", TODAY),
            "all_evidence_supplied": "no",
            "comment": "Payslips for October to come by 30 November",
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.get(case=alices_case)
    assert hold.all_evidence_supplied is False
    assert hold.comment == "Payslips for October to come by 30 November"
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Pending: Housing Benefit, evidence to come" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"benefit": ""}, "benefit", "Choose the benefit the tenant has claimed"),
        # A DWP request is a referral, not a claim the officer records here.
        ({"benefit": "managed_payment"}, "benefit", "Choose the benefit the tenant has claimed"),
        ({"all_evidence_supplied": ""}, "all_evidence_supplied", "Choose whether the tenant"),
        ({"all_evidence_supplied": "maybe"}, "all_evidence_supplied", "Choose whether"),
        ({"all_evidence_supplied": "no"}, "comment", "Enter what evidence the claim still needs"),
        (
            _date("submitted_on", TODAY + timedelta(days=1)),
            "submitted_on",
            "claim was submitted must be today or in the past",
        ),
        (_date("submitted_on", date(2020, 4, 5)), "submitted_on", "on or after the tenancy"),
        ({"submitted_on_month": "13"}, "submitted_on", "must be a real date"),
        ({"reference": "X" * 41}, "reference", "at most 40 characters"),
    ],
)
def test_a_claim_with_a_problem_is_refused_and_writes_nothing(
    client, team, alices_case, today, data, field, message
):
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_record", args=[alices_case.pk]),
        {
            "benefit": "dhp",
            **_date("submitted_on", TODAY),
            "all_evidence_supplied": "yes",
            "reference": "",
            "comment": "",
            **data,
        },
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert _nothing_written(alices_case)


def test_a_second_pending_claim_for_the_same_benefit_is_refused_but_dhp_alongside_hb_is_not(
    team, alices_case
):
    _claim(alices_case, team.alice)

    with pytest.raises(ValidationError) as refused:
        _claim(alices_case, team.alice)

    assert (
        "Housing Benefit claim submitted on 13 November 2026 is already pending"
        in (refused.value.messages[0])
    )
    assert Hold.objects.filter(case=alices_case).count() == 1

    _claim(alices_case, team.alice, benefit="dhp")
    assert Hold.objects.filter(case=alices_case, kind="benefit_claim").count() == 2


def test_evidence_given_later_is_recorded_on_the_claim(client, team, alices_case, today):
    hold = _claim(alices_case, team.alice, all_evidence=False, comment="Bank statements")
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_evidence", args=[alices_case.pk, hold.pk]),
        _date("supplied_on", date(2026, 11, 20)),
    )

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.all_evidence_supplied is True
    assert hold.ended_on is None  # still pending
    event = CaseEvent.objects.get(verb="benefit_claim_evidence_supplied")
    assert event.payload == {
        "hold_id": hold.pk,
        "reason": "housing_benefit",
        "reason_label": "Housing Benefit",
        "supplied_on": "2026-11-20",
    }
    with pytest.raises(ValidationError) as refused:
        benefit_claim_evidence_record(hold=hold, actor=team.alice, supplied_on=TODAY, today=TODAY)
    assert "already recorded as given" in refused.value.messages[0]
    assert CaseEvent.objects.filter(verb="benefit_claim_evidence_supplied").count() == 1


@pytest.mark.parametrize(
    ("supplied_on", "message"),
    [
        (TODAY + timedelta(days=1), "must be today or in the past"),
        (TODAY - timedelta(days=11), "on or after the claim was submitted, 13 November 2026"),
    ],
)
def test_evidence_cannot_be_given_before_the_claim_or_in_the_future(
    client, team, alices_case, today, supplied_on, message
):
    hold = _claim(alices_case, team.alice, all_evidence=False, comment="Payslips")
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_evidence", args=[alices_case.pk, hold.pk]),
        _date("supplied_on", supplied_on),
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["supplied_on"])
    hold.refresh_from_db()
    assert hold.all_evidence_supplied is False
    assert not CaseEvent.objects.filter(verb="benefit_claim_evidence_supplied").exists()


@pytest.mark.parametrize("decision", ["awarded", "refused", "withdrawn"])
def test_the_decision_on_a_claim_ends_its_hold(client, team, alices_case, today, decision):
    hold = _claim(alices_case, team.alice)
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_decide", args=[alices_case.pk, hold.pk]),
        {"outcome": decision, **_date("ended_on", TODAY), "notes": "Letter from HB team"},
    )

    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.ended_on, hold.ended_by, hold.outcome, hold.outcome_notes) == (
        TODAY,
        team.alice,
        decision,
        "Letter from HB team",
    )
    assert hold not in active_holds(TODAY)
    event = CaseEvent.objects.get(verb="benefit_claim_decided")
    assert event.payload["hold_id"] == hold.pk
    assert event.payload["ended_on"] == "2026-11-23"
    assert event.payload["outcome"] == decision
    assert event.payload["reason"] == "housing_benefit"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Choose the decision on the claim"),
        ({"outcome": "upheld"}, "outcome", "Choose the decision on the claim"),
        (_date("ended_on", TODAY + timedelta(days=1)), "ended_on", "must not be in the future"),
        (_date("ended_on", TODAY - timedelta(days=11)), "ended_on", "on or after the date it"),
    ],
)
def test_a_decision_with_a_problem_is_refused_and_the_claim_stays_pending(
    client, team, alices_case, today, data, field, message
):
    hold = _claim(alices_case, team.alice)
    client.force_login(team.alice)

    response = client.post(
        reverse("benefit_claim_decide", args=[alices_case.pk, hold.pk]),
        {"outcome": "awarded", **_date("ended_on", TODAY), "notes": "", **data},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    hold.refresh_from_db()
    assert (hold.ended_on, hold.outcome) == (None, "")
    assert not CaseEvent.objects.filter(verb="benefit_claim_decided").exists()


def test_a_dwp_request_is_decided_through_its_referral_not_as_a_claim(
    client, team, alices_case, today
):
    referral = referral_make(
        case=alices_case,
        actor=team.alice,
        kind="managed_payment",
        referred_to="SRS landlord portal",
        notes="",
        today=TODAY,
    )
    client.force_login(team.alice)

    url = reverse("benefit_claim_decide", args=[alices_case.pk, referral.hold_id])
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError) as refused:
        benefit_claim_decide(
            hold=referral.hold,
            actor=team.alice,
            decision="awarded",
            decided_on=TODAY,
            notes="",
            today=TODAY,
        )

    assert "record DWP's decision as the referral's outcome" in refused.value.messages[0]
    referral.hold.refresh_from_db()
    assert referral.hold.ended_on is None
    household = client.get(reverse("case_household", args=[alices_case.pk])).content.decode()
    assert "Ends with the referral's outcome" in household


def test_the_household_page_offers_each_holds_next_step(client, team, alices_case, today):
    dispute = _dispute(alices_case, team.alice)
    claim = _claim(alices_case, team.alice, all_evidence=False, comment="Payslips")
    client.force_login(team.alice)

    page = client.get(reverse("case_household", args=[alices_case.pk])).content.decode()

    assert reverse("dispute_resolve", args=[alices_case.pk, dispute.pk]) in page
    assert reverse("benefit_claim_decide", args=[alices_case.pk, claim.pk]) in page
    assert reverse("benefit_claim_evidence", args=[alices_case.pk, claim.pk]) in page
    assert "Evidence still to come" in page


def test_the_casework_menu_offers_a_dispute_and_a_benefit_claim(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.get(reverse("case", args=[alices_case.pk]))

    hrefs = [item["href"] for item in response.context["actions"]]
    assert reverse("dispute_record", args=[alices_case.pk]) in hrefs
    assert reverse("benefit_claim_record", args=[alices_case.pk]) in hrefs


# The caseload and the timeline


def _caseload(user, params: str):
    query, errors = CaseloadQuery.from_querydict(QueryDict(f"show=all&{params}"))
    return caseload_for(user=user, query=query, today=TODAY, errors=errors)


def test_the_caseload_hold_filter_finds_open_disputes_and_pending_claims_only(team):
    disputed = make_case(team.patch_a, first_name="Disputed")
    claiming = make_case(team.patch_a, first_name="Claiming")
    settled = make_case(team.patch_a, first_name="Settled")
    decided = make_case(team.patch_a, first_name="Decided")
    make_case(team.patch_a, first_name="Clear")
    _dispute(disputed, team.alice)
    _claim(claiming, team.alice, all_evidence=False, comment="Payslips")
    dispute_resolve(
        hold=_dispute(settled, team.alice),
        actor=team.alice,
        outcome="upheld",
        resolved_on=TODAY,
        notes="Charges corrected",
        today=TODAY,
    )
    benefit_claim_decide(
        hold=_claim(decided, team.alice),
        actor=team.alice,
        decision="refused",
        decided_on=TODAY,
        notes="",
        today=TODAY,
    )

    names = lambda caseload: sorted(c.lead_first_name for c in caseload.rows)  # noqa: E731
    assert names(_caseload(team.alice, "hold=dispute")) == ["Disputed"]
    assert names(_caseload(team.alice, "hold=benefit_claim")) == ["Claiming"]
    assert names(_caseload(team.alice, "hold=dispute&hold=benefit_claim")) == [
        "Claiming",
        "Disputed",
    ]
    assert names(_caseload(team.alice, "hold=none")) == ["Clear", "Decided", "Settled"]
    counts = _caseload(team.alice, "").facet("hold").counts
    assert (counts["dispute"], counts["benefit_claim"], counts["none"]) == (1, 1, 3)


def test_the_timeline_filter_for_holds_shows_disputes_and_claims(team, alices_case):
    _dispute(alices_case, team.alice)
    _claim(alices_case, team.alice)

    verbs = {entry.verb for entry in timeline_for(case=alices_case, kind="holds")}

    assert verbs == {"dispute_recorded", "benefit_claim_recorded"}


@pytest.mark.parametrize(
    ("verb", "payload", "sentence", "text"),
    [
        (
            "dispute_recorded",
            {
                "reason_label": "Balance or charges disputed",
                "starts_on": "2026-11-20",
                "comment": "Water charges",
            },
            "Dispute recorded: Balance or charges disputed, raised 20 November 2026",
            "Water charges",
        ),
        (
            "dispute_resolved",
            {
                "reason_label": "Disrepair complaint",
                "ended_on": "2026-11-23",
                "outcome_label": "Partly upheld",
                "notes": "Compensation of £50",
            },
            "Dispute (disrepair complaint) resolved on 23 November 2026 - Partly upheld",
            "Compensation of £50",
        ),
        (
            "benefit_claim_recorded",
            {
                "reason_label": "Housing Benefit",
                "starts_on": "2026-11-09",
                "all_evidence_supplied": False,
                "comment": "Payslips",
            },
            "Housing Benefit claim pending, submitted 9 November 2026, evidence still to come",
            "Payslips",
        ),
        (
            "benefit_claim_evidence_supplied",
            {"reason_label": "Discretionary Housing Payment", "supplied_on": "2026-11-20"},
            "All evidence given for the Discretionary Housing Payment claim on 20 November 2026",
            "",
        ),
        (
            "benefit_claim_decided",
            {
                "reason_label": "Housing Benefit",
                "outcome_label": "Awarded",
                "ended_on": "2026-11-23",
                "notes": "£95.20 a week",
            },
            "Housing Benefit claim awarded on 23 November 2026",
            "£95.20 a week",
        ),
        (
            "cover_withdrawn",
            {
                "officer": "Carol Cedar",
                "patch": "B01",
                "ends_on": "2026-11-22",
                "reason": "Bob is back",
            },
            "Carol Cedar's cover of patch B01 withdrawn: last day 22 November 2026",
            "Bob is back",
        ),
        (
            "cover_withdrawn",
            {
                "officer": "Carol Cedar",
                "patch": "B01",
                "ends_on": "2026-11-30",
                "before_it_began": True,
            },
            "Carol Cedar's cover of patch B01 withdrawn before it began",
            "",
        ),
    ],
)
def test_each_new_timeline_entry_reads_as_a_sentence(verb, payload, sentence, text):
    assert describe(verb, payload) == sentence
    assert details(verb, payload) == text


def test_the_household_page_costs_the_same_queries_however_many_claims_and_disputes(
    client, team, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = make_case(team.patch_a, first_name="Few")
    many = make_case(team.patch_a, first_name="Many")
    for case, times in ((few, 1), (many, 20)):
        for n in range(times):
            Hold.objects.create(case=case, kind="dispute", reason="balance", starts_on=TODAY)
            Hold.objects.create(
                case=case,
                kind="benefit_claim",
                reason="dhp",
                starts_on=TODAY,
                all_evidence_supplied=n % 2 == 0,
            )
        referral_make(
            case=case,
            actor=team.alice,
            kind="managed_payment",
            referred_to="DWP",
            notes="",
            today=TODAY,
        )
    client.force_login(team.alice)

    def queries(case) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("case_household", args=[case.pk]))
        assert page.status_code == 200
        return len(captured)

    queries(few)  # sessions and permissions are cached after the first page
    assert queries(few) == queries(many)
