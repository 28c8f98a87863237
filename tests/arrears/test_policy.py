"""The escalation policy: data a manager reads, versions an administrator makes, every
setting checked with a message that names it."""

import copy

import pytest
from django.core.exceptions import ValidationError

from arrears.models import EscalationPolicy
from arrears.policy import (
    SETTINGS,
    PolicyError,
    default_document,
    document_differences,
    merge_documents,
    validate_document,
)
from arrears.services import policy_current, policy_version_create


def test_every_setting_says_where_its_default_comes_from():
    for setting in SETTINGS:
        assert setting.source, setting.key
        assert setting.label, setting.key


def test_the_default_policy_is_valid_and_normalised():
    document = validate_document(default_document())

    assert document["ladders"]["secure"]["notice"] == {
        "weeks": "4.0",
        "min_amount": "10.00",
        "gap_days": 14,
    }
    assert document["legal"]["rra_social_housing_from"] is None


def _with(path: str, value):
    document = default_document()
    target = document
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("ladders.secure.letter_1.weeks", "two", "Letter 1: weeks in arrears: enter a number"),
        ("ladders.secure.letter_1.weeks", "-1", "must be at least 0"),
        ("ladders.secure.letter_1.weeks", "53", "must be no more than 52"),
        ("ladders.secure.letter_1.weeks", "2.25", "at most 1 decimal places"),
        ("ladders.secure.letter_1.min_amount", "10.005", "at most 2 decimal places"),
        ("ladders.secure.letter_1.gap_days", "a week", "enter a whole number of days"),
        ("ladders.secure.letter_1.gap_days", 400, "must be no more than 365"),
        ("arrangements.tolerance_working_days", 31, "must be no more than 30"),
        ("weeks_basis", "monthly", "choose one of net, gross"),
        ("legal.rra_social_housing_from", "next April", "enter a date like 2027-04-01"),
        ("automatic_letters", ["arrears_letter_1", "nosp"], "no such letter: nosp"),
        (
            "ladders.secure.pre_notice.weeks",
            "2.5",
            "pre-notice warning: weeks must be at least the 3.0 weeks of letter 2",
        ),
    ],
)
def test_a_bad_setting_is_refused_with_a_message_naming_it(path, value, message):
    with pytest.raises(PolicyError) as refused:
        validate_document(_with(path, value))

    assert any(message in text for text in refused.value.errors.values()), refused.value.errors


def test_a_missing_or_unknown_setting_is_named():
    document = default_document()
    del document["technical"]["grace_working_days"]
    document["technical"]["grace_days"] = 3

    with pytest.raises(PolicyError) as refused:
        validate_document(document)

    messages = " ".join(refused.value.errors.values())
    assert "Technical arrears: working days a regular payment may be late: missing" in messages
    assert "There is no policy setting called technical.grace_days" in messages


def test_a_proposal_names_only_what_it_changes():
    merged = merge_documents(
        default_document(), {"ladders": {"secure": {"notice": {"weeks": "8.0"}}}}
    )

    assert merged["ladders"]["secure"]["notice"]["weeks"] == "8.0"
    assert merged["ladders"]["secure"]["notice"]["gap_days"] == 14
    changed = document_differences(validate_document(default_document()), validate_document(merged))
    assert [(s.key, before, after) for s, before, after in changed] == [
        ("ladders__secure__notice__weeks", "4.0", "8.0")
    ]


@pytest.mark.django_db
def test_the_first_policy_is_made_from_the_defaults():
    current = policy_current()

    assert current.version == 1
    assert current.document == validate_document(default_document())
    assert policy_current().pk == current.pk


@pytest.mark.django_db
def test_an_administrator_makes_a_new_version_and_the_old_one_stays(team):
    first = policy_current()
    document = copy.deepcopy(first.document)
    document["ladders"]["secure"]["notice"]["weeks"] = "8.0"

    made = policy_version_create(document=document, note="Follow East Devon", actor=team.ada)

    assert (made.version, made.note, made.created_by) == (2, "Follow East Devon", team.ada)
    first.refresh_from_db()
    assert first.document["ladders"]["secure"]["notice"]["weeks"] == "4.0"
    assert policy_current().pk == made.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "note", "change", "message"),
    [
        ("maggie", "Why not", True, "Only an administrator can change the escalation policy."),
        ("ada", "  ", True, "Say why the policy is changing."),
        ("ada", "Nothing", False, "This is the same as policy version 1: nothing to change."),
    ],
)
def test_a_policy_change_is_refused_and_nothing_written(team, who, note, change, message):
    document = copy.deepcopy(policy_current().document)
    if change:
        document["letters"]["repeat_after_days"] = 60

    with pytest.raises(ValidationError) as refused:
        policy_version_create(document=document, note=note, actor=getattr(team, who))

    assert message in str(refused.value)
    assert EscalationPolicy.objects.count() == 1


@pytest.mark.django_db
def test_an_unusable_document_is_refused_setting_by_setting(team):
    document = copy.deepcopy(policy_current().document)
    document["ladders"]["garage"]["notice"]["weeks"] = "lots"

    with pytest.raises(ValidationError) as refused:
        policy_version_create(document=document, note="Try", actor=team.ada)

    errors = refused.value.message_dict
    assert list(errors) == ["ladders__garage__notice__weeks"]
    assert errors["ladders__garage__notice__weeks"] == [
        "Garage notice to quit: weeks in arrears: enter a number, like 4.0"
    ]
    assert EscalationPolicy.objects.count() == 1
