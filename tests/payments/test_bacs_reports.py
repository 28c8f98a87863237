"""The Bacs XML reports (ARUDD, ADDACS, AUDDIS) as Bacs delivers them, applied whole or
not at all, and once."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, CaseEvent
from payments import bacs
from payments.bacs_reports import (
    ReportKind,
    looks_like_xml,
    parse_arudd_xml,
    parse_instruction_report,
    read_arudd,
    read_bacs_report,
)
from payments.direct_debits import arudd_file_import, collection_file_make
from payments.imports.services import FileRefused
from payments.mandate_reports import mandate_report_file_import
from payments.models import (
    BacsReportFile,
    DirectDebitCollection,
    DirectDebitMandate,
    DirectDebitReturnFile,
    MandateStatus,
    Transaction,
    TransactionKind,
)
from payments.selectors import accounts_out_of_balance
from tests.factories import AccountFactory, CaseFactory, TenancyFactory
from tests.payments import test_direct_debits
from tests.payments.test_direct_debits import FILE_ON, FIRST_ON, _arudd, _set_up

pytestmark = pytest.mark.django_db

# The mandates and collections of the direct debit tests: account 40001234, instruction
# 40001234-01 active and (for `collected`) collected on 1 December 2026.
account = test_direct_debits.account
mandate = test_direct_debits.mandate
collected = test_direct_debits.collected

FIXTURES = Path(__file__).parent / "fixtures" / "bacs"
RETURNED_ON = date(2026, 12, 3)  # the ARUDD report two working days after collection
REPORTED_ON = date(2026, 11, 25)  # an ADDACS report the week before the collection


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _addacs(*advices: dict[str, str]) -> bytes:
    """An ADDACS report of these advices, laid out as addacs.xml is."""
    rows = "".join(
        "<MessagingAdvice "
        + " ".join(
            f'{k}="{v}"'
            for k, v in {
                "user-number": "654321",
                "record-type": "A",
                "effective-date": "2026-11-25",
                **advice,
            }.items()
        )
        + "/>"
        for advice in advices
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><BACSDocument><Data><MessagingAdvices>'
        f'<MessagingHeader user-number="654321"/>{rows}</MessagingAdvices></Data></BACSDocument>'
    ).encode()


def _messages(refused: pytest.ExceptionInfo) -> str:
    return "\n".join(refused.value.messages)


@pytest.fixture
def second_account(team):
    case = CaseFactory(tenancy=TenancyFactory(property__patch=team.patch_a))
    return AccountFactory(case=case, reference="40005678")


@pytest.fixture
def second_mandate(second_account, team) -> DirectDebitMandate:
    made = _set_up(
        second_account,
        team.alice,
        payer_name="A Khan",
        sort_code="401122",
        account_number="22223333",
    )
    DirectDebitMandate.objects.filter(pk=made.pk).update(
        status=MandateStatus.ACTIVE, lodged_on=date(2026, 11, 3)
    )
    made.refresh_from_db()
    return made


@pytest.fixture
def both_collected(mandate, second_mandate) -> list[DirectDebitCollection]:
    with time_machine.travel(FILE_ON, tick=False):
        collection_file_make(collection_date=FIRST_ON, today=FILE_ON)
    return list(DirectDebitCollection.objects.order_by("mandate__reference"))


# --- Reading ---------------------------------------------------------------------------


def test_the_xml_is_told_from_the_csv_by_its_first_character():
    assert looks_like_xml(_fixture("arudd.xml"))
    assert looks_like_xml(b"\xef\xbb\xbf \r\n<BACSDocument/>")
    assert not looks_like_xml(_arudd("40001234-01,J SMITH,432.50,30/11/2026,0"))


def test_arudd_xml_and_csv_give_the_same_returned_debits():
    from_xml, xml_problems = read_arudd(_fixture("arudd.xml"))
    from_csv, csv_problems = read_arudd(_arudd("40001234-01,J SMITH,432.50,30/11/2026,0"))

    assert xml_problems == csv_problems == []
    assert [(r.reference, r.amount, r.processed_on, r.reason) for r in from_xml] == [
        (r.reference, r.amount, r.processed_on, r.reason) for r in from_csv
    ]
    assert from_xml[0].amount == Decimal("432.50")
    assert from_xml[0].reason == bacs.ARUDD["0"]


def test_arudd_xml_names_each_bad_item_by_number_and_reference():
    returns, problems = parse_arudd_xml(_fixture("arudd_bad.xml"))

    assert returns == []
    assert [str(p) for p in problems] == [
        "Returned debit 1 (40001234-01), valueOf: '432.5O' is not an amount in pounds, like 432.50",
        "Returned debit 2 (40005678-01), originalProcessingDate: '30/11/2026' is not a date "
        "like 2026-11-30",
        "Returned debit 3 (40007777-01), returnCode: 'Z' is not an ARUDD reason code; the "
        "codes are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, A, B",
        "Returned debit 4, ref: is missing",
    ]


def test_arudd_xml_whose_totals_disagree_with_its_items_is_refused():
    content = _fixture("arudd.xml").replace(
        b'valueOf="432.50" currency="GBP"/>', b'valueOf="864.00" currency="GBP"/>'
    )

    _, problems = parse_arudd_xml(content)

    assert [str(p) for p in problems] == [
        "The file, Totals valueOf: says £864.00 but the returned debits add up to £432.50"
    ]


def test_a_returned_debit_in_another_currency_is_refused():
    content = _fixture("arudd.xml").replace(b'currency="GBP">', b'currency="EUR">')

    _, problems = parse_arudd_xml(content)

    assert "Returned debit 1 (40001234-01), currency: 'EUR'" in str(problems[0])


def test_addacs_advices_carry_the_new_bank_details_they_quote():
    kind, advices, problems = parse_instruction_report(_fixture("addacs.xml"))

    assert (kind, problems) == (ReportKind.ADDACS, [])
    moved, cancelled = advices
    assert (moved.reference, moved.reason.code, moved.effective_on) == (
        "40001234-01",
        "C",
        date(2026, 11, 25),
    )
    assert (moved.new_sort_code, moved.new_account_number, moved.new_payer_name) == (
        "200000",
        "87654321",
        "J SMITH",
    )
    assert (cancelled.reference, cancelled.reason, cancelled.new_sort_code) == (
        "40005678-01",
        bacs.ADDACS["1"],
        "",
    )


def test_addacs_file_with_bad_advices_names_each_problem():
    kind, advices, problems = parse_instruction_report(_fixture("addacs_bad.xml"))

    assert kind == ReportKind.ADDACS and advices == []
    assert [str(p) for p in problems] == [
        "Advice 1 (40001234-01), reason-code: is missing",
        "Advice 2 (40001234-01), reason-code: 'Z' is not an ADDACS reason code; the codes "
        "are 0, 1, 2, 3, B, C, D, E, R",
        "Advice 3 (40001234-01), effective-date: '25/11/2026' is not a date like 2026-11-30",
        "Advice 4 (40001234-01), payer-new-sort-code: '20000': Enter the sort code as 6 "
        "digits, like 309430",
        "Advice 4 (40001234-01), payer-new-account-number: is missing, though a new sort "
        "code is quoted",
    ]


def test_a_reason_code_is_checked_against_its_own_reports_table():
    # "E" (instruction amended) is an ADDACS code; AUDDIS has no "E".
    content = _fixture("auddis.xml").replace(b'reason-code="5"', b'reason-code="E"')

    _, _, problems = parse_instruction_report(content)

    assert "Advice 2 (40001234-01), reason-code: 'E' is not an AUDDIS reason code" in str(
        problems[0]
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xml", "The file, XML: not well-formed at line 6, column 0"),
        ("input_report.xml", "The file, report: it is a Bacs InputReport"),
    ],
)
def test_a_file_that_is_not_one_of_the_three_reports_is_refused_saying_why(name, message):
    report = read_bacs_report(_fixture(name))

    assert report.kind is None
    assert str(report.problems[0]).startswith(message)


def test_an_xml_file_declaring_entities_is_refused_unread():
    # The "billion laughs": expanded, a few hundred bytes would take gigabytes.
    content = b"""<?xml version="1.0"?>
<!DOCTYPE BACSDocument [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<BACSDocument><Data><ARUDD>&lol2;</ARUDD></Data></BACSDocument>"""

    report = read_bacs_report(content)

    assert report.kind is None
    assert "declares entities or external resources" in str(report.problems[0])


def test_a_report_mixing_addacs_and_auddis_advices_is_refused():
    content = _fixture("addacs.xml").replace(
        b'record-type="A" effective-date="2026-11-25" reference="40005678-01"',
        b'record-type="N" effective-date="2026-11-25" reference="40005678-01"',
    )

    kind, _, problems = parse_instruction_report(content)

    assert kind is None
    assert "mixes ADDACS advices (from advice 1) and AUDDIS ones (from advice 2)" in str(
        problems[0]
    )


# --- ARUDD applied -------------------------------------------------------------------


@time_machine.travel(RETURNED_ON, tick=False)
def test_arudd_xml_reverses_exactly_the_returned_collection(both_collected, account):
    returned, kept = both_collected

    record = arudd_file_import(
        content=_fixture("arudd.xml"), filename="ARUDD-20261202.xml", today=RETURNED_ON
    )

    assert (record.line_count, record.total) == (1, Decimal("432.50"))
    returned.refresh_from_db()
    kept.refresh_from_db()
    assert returned.reversal.kind == TransactionKind.REVERSAL
    assert returned.reversal.reverses_id == returned.transaction_id
    assert returned.reversal.amount == Decimal("432.50")
    assert returned.reversal.source_reference == f"arudd:{record.checksum[:24]}:1"
    assert (returned.return_code, returned.returned_on) == ("0", RETURNED_ON)
    assert kept.reversal is None and kept.return_code == ""
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    assert not accounts_out_of_balance().exists()
    event = CaseEvent.objects.get(verb="direct_debit_returned")
    assert (event.case_id, event.payload["code"]) == (account.case_id, "0")


@time_machine.travel(RETURNED_ON, tick=False)
def test_arudd_xml_item_matching_no_collection_names_it_and_reverses_nothing(collected):
    content = _fixture("arudd.xml").replace(b'valueOf="432.50"', b'valueOf="99.00"')

    with pytest.raises(FileRefused) as refused:
        arudd_file_import(content=content, filename="ARUDD.xml", today=RETURNED_ON)

    assert "Returned debit 1 (40001234-01), reference: no collection matches" in _messages(refused)
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()
    assert not DirectDebitReturnFile.objects.exists()


@time_machine.travel(RETURNED_ON, tick=False)
def test_an_addacs_report_given_as_an_arudd_is_refused(collected):
    with pytest.raises(FileRefused) as refused:
        arudd_file_import(content=_fixture("addacs.xml"), filename="x.xml", today=RETURNED_ON)

    assert "this is an ADDACS report on instructions, not an ARUDD report" in _messages(refused)
    assert not DirectDebitReturnFile.objects.exists()


@time_machine.travel(RETURNED_ON, tick=False)
def test_the_arudd_command_reads_the_xml_report(collected, capsys):
    call_command("import_arudd", str(FIXTURES / "arudd.xml"))

    assert "Reversed 1 returned direct debit(s) totalling £432.50." in capsys.readouterr().out
    collected.refresh_from_db()
    assert collected.reversal is not None


# --- ADDACS and AUDDIS applied -------------------------------------------------------


@time_machine.travel(REPORTED_ON, tick=False)
def test_addacs_file_applies_each_advice_as_its_reason_code_says(
    mandate, second_mandate, account, team
):
    record = mandate_report_file_import(
        content=_fixture("addacs.xml"),
        filename="ADDACS-20261125.xml",
        actor=team.alice,
        today=REPORTED_ON,
    )

    mandate.refresh_from_db()
    second_mandate.refresh_from_db()
    # C: new branch, new details quoted: applied, and collections carry on.
    assert (mandate.status, mandate.sort_code, mandate.account_number) == (
        MandateStatus.ACTIVE,
        "200000",
        "87654321",
    )
    assert mandate.status_reason.startswith("ADDACS C:")
    # 1: cancelled by the payer.
    assert second_mandate.status == MandateStatus.CANCELLED
    assert (
        "agree another way to pay"
        in Case.objects.get(pk=second_mandate.account.case_id).next_action_label
    )
    assert (record.kind, record.advice_count, record.imported_by) == (
        BacsReportFile.Kind.ADDACS,
        2,
        team.alice,
    )
    assert [(o["mandate"], o["code"], o["old_status"], o["status"]) for o in record.outcomes] == [
        ("40001234-01", "C", "active", "active"),
        ("40005678-01", "1", "active", "cancelled"),
    ]
    assert record.outcomes[0]["bank_details_changed"] is True
    assert "87654321" not in str(record.outcomes)  # bank details stay off the record
    assert CaseEvent.objects.filter(verb="direct_debit_bank_report").count() == 2


@time_machine.travel(REPORTED_ON, tick=False)
def test_addacs_file_with_unknown_reference_applies_nothing(mandate, account):
    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=_fixture("addacs_unknown_reference.xml"),
            filename="ADDACS.xml",
            actor=None,
            today=REPORTED_ON,
        )

    assert refused.value.messages[1] == (
        "Advice 2 (40009999-01), reference: no direct debit has the reference '40009999-01'"
    )
    assert "no direct debit was changed" in refused.value.summary
    # Advice 1 was good, and still applied nothing.
    assert DirectDebitMandate.objects.get().status == MandateStatus.ACTIVE
    assert not CaseEvent.objects.filter(verb="direct_debit_bank_report").exists()
    assert not BacsReportFile.objects.exists()


@time_machine.travel(REPORTED_ON, tick=False)
def test_addacs_file_with_a_bad_advice_applies_nothing(mandate):
    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=_fixture("addacs_bad.xml"),
            filename="ADDACS.xml",
            actor=None,
            today=REPORTED_ON,
        )

    assert len(refused.value.problems) == 5
    assert DirectDebitMandate.objects.get().status == MandateStatus.ACTIVE
    assert not BacsReportFile.objects.exists()


@time_machine.travel(REPORTED_ON, tick=False)
def test_an_advice_the_rules_refuse_rolls_back_the_advices_before_it(
    mandate, second_mandate, account, team
):
    # Advice 1 cancels 40005678-01; advice 2 would reinstate 40001234-01's cancelled
    # predecessor, but the account's live instruction stands in the way.
    DirectDebitMandate.objects.filter(pk=mandate.pk).update(status=MandateStatus.CANCELLED)
    _set_up(account, team.alice)
    content = _addacs(
        {"reference": "40005678-01", "reason-code": "1"},
        {"reference": "40001234-01", "reason-code": "R"},
    )

    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=content, filename="ADDACS.xml", actor=None, today=REPORTED_ON
        )

    assert "Advice 2 (40001234-01): Direct debit 40001234-01 cannot be reinstated" in (
        refused.value.summary
    )
    second_mandate.refresh_from_db()
    assert second_mandate.status == MandateStatus.ACTIVE
    assert not CaseEvent.objects.filter(verb="direct_debit_bank_report").exists()
    assert not BacsReportFile.objects.exists()


@time_machine.travel(REPORTED_ON, tick=False)
def test_auddis_rejection_cancels_the_instruction_and_skips_the_summary_record(account, team):
    lodged = _set_up(account, team.alice)

    record = mandate_report_file_import(
        content=_fixture("auddis.xml"), filename="AUDDIS.xml", actor=None, today=REPORTED_ON
    )

    lodged.refresh_from_db()
    assert lodged.status == MandateStatus.CANCELLED
    assert lodged.status_reason == "AUDDIS 5: No account"
    assert "check the bank details" in Case.objects.get(pk=account.case_id).next_action_label
    assert (record.kind, record.advice_count) == (BacsReportFile.Kind.AUDDIS, 1)
    assert record.outcomes[0]["advice"] == 2  # the V summary record is advice 1


@time_machine.travel(REPORTED_ON, tick=False)
def test_an_auddis_lodgement_bacs_rejected_whole_applies_nothing(account, team):
    lodged = _set_up(account, team.alice)
    content = _fixture("auddis.xml").replace(b'record-type="V"', b'record-type="R"')

    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=content, filename="AUDDIS.xml", actor=None, today=REPORTED_ON
        )

    assert "Advice 1, record-type: Bacs rejected the whole lodgement file" in _messages(refused)
    lodged.refresh_from_db()
    assert lodged.status == MandateStatus.PENDING


@time_machine.travel(REPORTED_ON, tick=False)
def test_bacs_report_applied_twice_is_refused(mandate, second_mandate):
    mandate_report_file_import(
        content=_fixture("addacs.xml"), filename="ADDACS-1.xml", actor=None, today=REPORTED_ON
    )

    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=_fixture("addacs.xml"),
            filename="ADDACS-2.xml",
            actor=None,
            today=REPORTED_ON,
        )

    assert refused.value.summary == (
        "This ADDACS report was already applied on 25 November 2026 as ADDACS-1.xml; it "
        "cannot be applied twice."
    )
    assert BacsReportFile.objects.count() == 1
    assert CaseEvent.objects.filter(verb="direct_debit_bank_report").count() == 2


@time_machine.travel(REPORTED_ON, tick=False)
def test_an_arudd_report_given_as_a_report_on_instructions_is_refused(mandate):
    with pytest.raises(FileRefused) as refused:
        mandate_report_file_import(
            content=_fixture("arudd.xml"), filename="x.xml", actor=None, today=REPORTED_ON
        )

    assert "this is an ARUDD report of returned debits" in _messages(refused)


# --- The command -----------------------------------------------------------------------


@time_machine.travel(REPORTED_ON, tick=False)
def test_import_bacs_report_detects_addacs_and_prints_what_each_advice_did(
    mandate, second_mandate, capsys
):
    call_command("import_bacs_report", str(FIXTURES / "addacs.xml"))

    out = capsys.readouterr().out
    assert "ADDACS addacs.xml: applied 2 advice(s)." in out
    assert "Advice 1 (40001234-01): ADDACS C," in out and "new bank details applied" in out
    assert "Advice 2 (40005678-01): ADDACS 1, Instruction cancelled by the payer: " in out
    assert "active -> cancelled" in out
    assert "87654321" not in out


@time_machine.travel(RETURNED_ON, tick=False)
def test_import_bacs_report_detects_arudd_and_reverses_through_the_arudd_service(collected, capsys):
    call_command("import_bacs_report", str(FIXTURES / "arudd.xml"))

    assert "ARUDD arudd.xml: reversed 1 returned direct debit(s) totalling £432.50." in (
        capsys.readouterr().out
    )
    assert DirectDebitReturnFile.objects.count() == 1
    assert not BacsReportFile.objects.exists()


@time_machine.travel(REPORTED_ON, tick=False)
def test_import_bacs_report_exits_1_and_prints_each_problem(mandate, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("import_bacs_report", str(FIXTURES / "addacs_bad.xml"))

    assert refused.value.returncode == 1
    assert "no direct debit was changed: 5 problem(s)" in refused.value.args[0]
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Advice 1 (40001234-01), reason-code: is missing"
    assert len(err) == 5


@time_machine.travel(REPORTED_ON, tick=False)
def test_import_bacs_report_refuses_a_csv(tmp_path, capsys):
    path = tmp_path / "arudd.csv"
    path.write_bytes(_arudd("40001234-01,J SMITH,432.50,30/11/2026,0"))

    with pytest.raises(CommandError):
        call_command("import_bacs_report", str(path))

    assert "does not start with < as a Bacs XML report does" in capsys.readouterr().err
