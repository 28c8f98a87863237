"""What the nightly run writes on the timeline reads as a sentence an officer understands."""

import pytest

from cases.timeline import describe


@pytest.mark.parametrize(
    ("verb", "payload", "sentence"),
    [
        (
            "letter_requested",
            {"letter": "arrears_letter_1", "letter_label": "Arrears letter 1"},
            "Arrears letter 1 queued for printing",
        ),
        (
            "approval_recommended",
            {"action": "serve_nosp", "action_label": "Serve a Notice of Seeking Possession"},
            "Recommended for approval: Serve a Notice of Seeking Possession",
        ),
        (
            "arrangement_state_changed",
            {"to": "missed", "description": "£10.00 short of the £250.00 due by 20 November"},
            "Arrangement missed: £10.00 short of the £250.00 due by 20 November",
        ),
        ("arrangement_state_changed", {"to": "kept"}, "Arrangement kept"),
    ],
)
def test_nightly_run_entries_read_as_sentences(verb, payload, sentence):
    assert describe(verb, payload) == sentence


def test_a_verb_without_a_sentence_still_reads_as_words():
    assert describe("something_new_happened", {}) == "Something new happened"
