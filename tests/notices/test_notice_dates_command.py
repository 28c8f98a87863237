"""`manage.py notice_dates --batch FILE.json`: the legal team's check on the date rules."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(tmp_path, cases) -> list[dict]:
    batch = tmp_path / "cases.json"
    batch.write_text(json.dumps(cases))
    out = StringIO()
    call_command("notice_dates", "--batch", str(batch), stdout=out)
    return json.loads(out.getvalue())


def test_notice_dates_prints_one_result_per_case_in_order(tmp_path, db):
    results = _run(
        tmp_path,
        [
            {
                "id": "secure-posted",
                "tenure": "secure",
                "rent_period": "weekly",
                "period_start_weekday": "monday",
                "served_on": "2026-12-23",
                "service_method": "first_class_post",
            },
            {
                "tenure": "introductory",
                "rent_period": "weekly",
                "period_start_weekday": "monday",
                "served_on": "2026-11-02",
                "service_method": "hand",
                "trial_period_end": "2027-03-31",
            },
            {
                "tenure": "assured",
                "landlord_registered_provider": True,
                "rent_period": "monthly",
                "period_start_day": 1,
                "served_on": "2026-11-02",
                "service_method": "hand",
            },
            {
                "tenure": "assured",
                "landlord_registered_provider": False,
                "rent_period": "monthly",
                "period_start_day": 1,
                "served_on": "2026-11-02",
                "service_method": "hand",
            },
            {
                "tenure": "non_secure_licence",
                "rent_period": "fortnightly",
                "period_anchor": "2026-11-02",
                "served_on": "2026-11-02",
                "service_method": "left_at_address",
            },
            {
                "tenure": "garage",
                "rent_period": "four_weekly",
                "period_anchor": "2026-11-02",
                "served_on": "2026-11-01",
                "service_method": "hand",
            },
            {
                "tenure": "flexible",
                "rent_period": "monthly",
                "period_start_day": 1,
                "served_on": "2028-01-31",
                "service_method": "hand",
            },
        ],
    )
    assert results == [
        {
            # Posted 23 Dec: Christmas and the Boxing Day substitute are skipped.
            "id": "secure-posted",
            "notice": "nosp",
            "deemed_served_on": "2026-12-29",
            "earliest_proceedings_date": "2027-01-31",
            "last_proceedings_date": "2028-01-31",
        },
        {
            "notice": "notice_of_proceedings",
            "deemed_served_on": "2026-11-02",
            "earliest_proceedings_date": "2026-12-06",
            "last_proceedings_date": "2027-03-31",
            "review_request_by": "2026-11-15",
        },
        {
            "notice": "s8_form_3",
            "deemed_served_on": "2026-11-02",
            "earliest_proceedings_date": "2026-11-16",
            "last_proceedings_date": "2027-11-02",
        },
        {
            "notice": "s8_form_3a",
            "deemed_served_on": "2026-11-02",
            "earliest_proceedings_date": "2026-11-30",
            "last_proceedings_date": "2027-11-02",
        },
        {
            "notice": "notice_to_determine",
            "deemed_served_on": "2026-11-02",
            "earliest_proceedings_date": "2026-12-13",
            "last_proceedings_date": None,
        },
        {
            "notice": "garage_notice_to_quit",
            "deemed_served_on": "2026-11-01",
            "earliest_proceedings_date": "2026-11-29",
            "last_proceedings_date": None,
        },
        {
            # Leap year: a full month from 31 January ends on 29 February.
            "notice": "flexible_termination",
            "deemed_served_on": "2028-01-31",
            "earliest_proceedings_date": "2028-02-29",
            "last_proceedings_date": "2029-02-28",
        },
    ]


def test_notice_dates_refuses_with_the_reason_when_a_notice_cannot_be_served(tmp_path, db):
    results = _run(
        tmp_path,
        [
            {
                "tenure": "introductory",
                "rent_period": "weekly",
                "period_start_weekday": "monday",
                "served_on": "2026-11-02",
                "service_method": "hand",
                "trial_period_end": "2026-12-06",
            },
            {
                "tenure": "leasehold",
                "rent_period": "monthly",
                "period_start_day": 1,
                "served_on": "2026-11-02",
                "service_method": "hand",
            },
        ],
    )
    assert set(results[0]) == {"refused"}
    assert (
        "trial period ends on 6 December 2026, before proceedings could begin"
        in results[0]["refused"]
    )
    assert "money claim or forfeiture" in results[1]["refused"]


def test_notice_dates_names_every_bad_field_and_prints_nothing(tmp_path):
    batch = tmp_path / "cases.json"
    batch.write_text(
        json.dumps(
            [
                {
                    "tenure": "secure",
                    "rent_period": "weekly",
                    "period_start_weekday": "funday",
                    "served_on": "2026-11-02",
                    "service_method": "hand",
                },
                {
                    "tenure": "secure",
                    "rent_period": "monthly",
                    "period_start_day": 31,
                    "served_on": "2026-11-02",
                    "service_method": "hand",
                },
                {
                    "id": "x7",
                    "tenure": "introductory",
                    "rent_period": "weekly",
                    "period_start_weekday": "monday",
                    "served_on": "2/11/2026",
                    "service_method": "hand",
                    "trial_period_end": "2027-03-31",
                },
                {
                    "tenure": "assured",
                    "rent_period": "weekly",
                    "period_start_weekday": "monday",
                    "served_on": "2026-11-02",
                    "service_method": "pigeon",
                },
                {
                    "tenure": "introductory",
                    "rent_period": "weekly",
                    "period_start_weekday": "monday",
                    "served_on": "2026-11-02",
                    "service_method": "hand",
                },
            ]
        )
    )
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("notice_dates", "--batch", str(batch), stdout=out)
    message = str(error.value)
    assert "Case 1: period_start_weekday must be one of monday to sunday" in message
    assert "Case 2: period_start_day must be a whole number from 1 to 28 (got 31)" in message
    assert "Case 3 (x7): served_on must be a date written YYYY-MM-DD (got '2/11/2026')" in message
    assert "Case 4: landlord_registered_provider must be true or false" in message
    assert "Case 5: trial_period_end must be a date" in message
    assert out.getvalue() == ""


@pytest.mark.parametrize(("content", "message"), [("{", "not valid JSON"), ("{}", "JSON list")])
def test_notice_dates_refuses_a_file_that_is_not_a_list(tmp_path, content, message):
    batch = tmp_path / "cases.json"
    batch.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("notice_dates", "--batch", str(batch))


def test_notice_dates_follows_the_policys_switch_date_for_social_housing_assured(tmp_path, db):
    from arrears.models import EscalationPolicy
    from arrears.policy import default_document

    document = default_document()
    document["legal"]["rra_social_housing_from"] = "2027-04-01"
    EscalationPolicy.objects.create(version=2, document=document, note="RRA commenced")
    case = {
        "tenure": "assured",
        "landlord_registered_provider": True,
        "rent_period": "weekly",
        "period_start_weekday": "monday",
        "service_method": "hand",
    }
    before, after = _run(
        tmp_path, [{**case, "served_on": "2027-03-31"}, {**case, "served_on": "2027-04-01"}]
    )
    assert (before["notice"], before["earliest_proceedings_date"]) == ("s8_form_3", "2027-04-14")
    assert (after["notice"], after["earliest_proceedings_date"]) == ("s8_form_3a", "2027-04-29")
