"""Direct debits: instructions, the day's Standard 18 file, bank reports and returns."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case, CaseEvent, Hold
from payments import bacs
from payments.direct_debits import (
    NewBankDetails,
    arudd_file_import,
    collection_date_problem,
    collection_file_make,
    due_date_collected_on,
    earliest_collection_date,
    entry_date_for,
    mandate_cancel,
    mandate_report_apply,
    mandate_set_up,
    transaction_code_for,
)
from payments.imports.services import FileRefused
from payments.models import (
    Account,
    DirectDebitCollection,
    DirectDebitFile,
    DirectDebitMandate,
    DirectDebitReturnFile,
    MandateStatus,
    PaymentMethod,
    Transaction,
    TransactionKind,
    TransactionSource,
)
from payments.selectors import accounts_out_of_balance
from tests.factories import AccountFactory, CaseFactory, TenancyFactory

pytestmark = pytest.mark.django_db

SET_UP_ON = date(2026, 11, 2)  # a Monday
FIRST_ON = date(2026, 12, 1)  # a Tuesday, 21 working days later
FILE_ON = date(2026, 11, 26)  # Thursday: three working days before 1 December


@pytest.fixture
def account(team) -> Account:
    case = CaseFactory(tenancy=TenancyFactory(property__patch=team.patch_a))
    return AccountFactory(case=case, reference="40001234")


def _set_up(account, actor, **overrides) -> DirectDebitMandate:
    values = {
        "account": account,
        "payer_name": "J Smith",
        "sort_code": "30-94-34",
        "account_number": "12345678",
        "amount": Decimal("432.50"),
        "frequency": "monthly",
        "first_collection_on": FIRST_ON,
        "actor": actor,
        "today": SET_UP_ON,
        **overrides,
    }
    return mandate_set_up(**values)


@pytest.fixture
def mandate(account, team) -> DirectDebitMandate:
    made = _set_up(account, team.alice)
    DirectDebitMandate.objects.filter(pk=made.pk).update(
        status=MandateStatus.ACTIVE, lodged_on=date(2026, 11, 3)
    )
    made.refresh_from_db()
    return made


@pytest.fixture
def collected(mandate) -> DirectDebitCollection:
    with time_machine.travel(FILE_ON):
        collection_file_make(collection_date=FIRST_ON, today=FILE_ON)
    return DirectDebitCollection.objects.get(mandate=mandate)


def _arudd(*rows: str) -> bytes:
    header = "Reference,Payer name,Amount,Original processing date,Reason code"
    return ("\n".join([header, *rows]) + "\n").encode()


# --- Rules ---------------------------------------------------------------------------


def test_a_collection_less_than_three_working_days_away_is_refused(mandate):
    # Thursday 26 November: Friday, Monday, Tuesday are the three working days.
    assert earliest_collection_date(file_made_on=FILE_ON) == date(2026, 12, 1)
    assert collection_date_problem(collection_date=date(2026, 11, 30), file_made_on=FILE_ON)

    with pytest.raises(ValidationError, match="less than 3 working days away"):
        collection_file_make(collection_date=date(2026, 11, 30), today=FILE_ON)

    assert not DirectDebitFile.objects.exists()
    assert not Transaction.objects.exists()


def test_three_working_days_skip_the_christmas_bank_holidays():
    # 25 December 2026 is a Friday; Boxing Day's holiday moves to Monday 28 December.
    assert earliest_collection_date(file_made_on=date(2026, 12, 23)) == date(2026, 12, 30)


def test_a_collection_date_on_a_bank_holiday_is_refused_naming_the_next_working_day():
    problem = collection_date_problem(
        collection_date=date(2026, 12, 28), file_made_on=date(2026, 12, 1)
    )
    assert "not a working day" in problem and "29 December 2026" in problem


def test_a_collection_due_on_a_weekend_moves_to_the_next_working_day():
    assert entry_date_for(date(2027, 5, 1)) == date(2027, 5, 4)  # Sat; Mon 3 May a holiday
    plan = {"frequency": "monthly", "first_collection_on": date(2027, 1, 1), "collection_day": 1}
    assert due_date_collected_on(**plan, collection_date=date(2027, 5, 4)) == date(2027, 5, 1)
    assert due_date_collected_on(**plan, collection_date=date(2027, 4, 30)) is None


@pytest.mark.parametrize(
    ("first", "final", "again", "code"),
    [
        (True, False, False, "01"),
        (False, False, False, "17"),
        (False, False, True, "18"),
        (False, True, False, "19"),
    ],
)
def test_the_transaction_code_says_first_regular_represented_or_final(first, final, again, code):
    assert transaction_code_for(is_first=first, is_final=final, is_representation=again) == code


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sort_code", "30-94-3", "sort code as 6 digits"),
        ("account_number", "1234567", "account number as 8 digits"),
        ("account_number", "1234567X", "account number as 8 digits"),
        ("payer_name", "A VERY LONG PAYER NAME INDEED", "18 characters or fewer"),
        ("amount", Decimal("0.00"), "more than £0"),
        ("first_collection_on", date(2026, 11, 10), "Direct Debit Guarantee"),
        ("first_collection_on", date(2026, 12, 29), "1st to the 28th"),
    ],
)
def test_a_mandate_with_bad_details_is_refused_with_a_clear_message(
    account, team, field, value, message
):
    with pytest.raises(ValidationError) as refused:
        _set_up(account, team.alice, **{field: value})
    assert message in " ".join(refused.value.message_dict[field])
    assert not DirectDebitMandate.objects.exists()


def test_an_account_has_one_live_mandate(mandate, account, team):
    with pytest.raises(ValidationError, match="already has direct debit"):
        _set_up(account, team.alice)


def test_every_officer_action_fits_the_case_next_action():
    for table in bacs.REPORTS.values():
        for code in table.values():
            assert len(code.officer_action) <= 100, code


def test_the_arudd_codes_are_the_bacs_list():
    assert {c: r.meaning for c, r in bacs.ARUDD.items()} == {
        "0": "Refer to payer",
        "1": "Instruction cancelled",
        "2": "Payer deceased",
        "3": "Account transferred",
        "4": "Advance notice disputed",
        "5": "No account (or wrong account type)",
        "6": "No instruction",
        "7": "Amount differs",
        "8": "Amount not yet due",
        "9": "Presentation overdue",
        "A": "Service user differs",
        "B": "Account closed",
    }


# --- The Standard 18 file --------------------------------------------------------------


def test_standard_18_line_is_100_characters_with_amount_in_pence(collected, settings):
    line = DirectDebitFile.objects.get().content.splitlines()[0]

    assert len(line) == 100
    assert line[0:6] == "309434"
    assert line[6:14] == "12345678"
    assert line[14] == "0"
    assert line[15:17] == "01"  # the first collection on the instruction
    assert line[17:23] == settings.DIRECT_DEBIT_ORIGINATOR_SORT_CODE
    assert line[23:31] == settings.DIRECT_DEBIT_ORIGINATOR_ACCOUNT
    assert line[35:46] == "00000043250"
    assert line[46:64] == "EASTBROOK COUNCIL "
    assert line[64:82] == "40001234-01".ljust(18)
    assert line[82:100] == "J SMITH".ljust(18)


def test_standard_18_line_of_106_characters_carries_the_processing_day():
    record = bacs.Standard18Record(
        destination_sort_code="309434",
        destination_account="12345678",
        transaction_code="17",
        originator_sort_code="000000",
        originator_account="00000000",
        amount=Decimal("5.00"),
        service_user_name="Eastbrook",
        service_user_reference="x",
        destination_account_name="y",
        processing_date=date(2026, 11, 30),
    )
    assert bacs.standard18_line(record)[100:] == " 26334"


def test_making_the_file_posts_each_collection_as_a_direct_debit_payment(collected, account):
    line = collected.transaction
    assert (line.kind, line.method, line.source) == (
        TransactionKind.PAYMENT,
        PaymentMethod.DIRECT_DEBIT,
        TransactionSource.DIRECT_DEBIT,
    )
    assert (line.amount, line.effective_date) == (Decimal("-432.50"), FIRST_ON)
    assert line.source_reference == "dd:20261201:40001234-01"
    account.refresh_from_db()
    assert account.balance == Decimal("-432.50")
    assert account.last_payment_on == FIRST_ON
    assert not accounts_out_of_balance().exists()


def test_a_date_has_one_file_so_nothing_posts_twice(collected):
    with pytest.raises(ValidationError, match="cannot be made twice"):
        collection_file_make(collection_date=FIRST_ON, today=FILE_ON)
    assert Transaction.objects.count() == 1


def test_a_pending_mandate_is_lodged_in_the_file_and_collected_only_after(account, team):
    made = _set_up(account, team.alice)

    record = collection_file_make(collection_date=date(2026, 11, 6), today=date(2026, 11, 3))

    line = record.content.splitlines()[0]
    assert (line[15:17], line[35:46]) == ("0N", "00000000000")
    made.refresh_from_db()
    assert (made.status, made.lodged_on) == (MandateStatus.ACTIVE, date(2026, 11, 3))
    assert not Transaction.objects.exists()


def test_the_second_collection_is_a_regular_one(collected):
    record = collection_file_make(collection_date=date(2027, 1, 4), today=date(2026, 12, 23))
    # 1 January is a bank holiday and 2-3 January a weekend: collected on Monday 4th.
    assert record.content.splitlines()[0][15:17] == "17"


def test_the_last_collection_before_the_end_date_is_final(account, team):
    made = _set_up(account, team.alice, ends_on=date(2027, 1, 15))
    DirectDebitMandate.objects.filter(pk=made.pk).update(
        status=MandateStatus.ACTIVE, lodged_on=date(2026, 11, 3)
    )
    collection_file_make(collection_date=FIRST_ON, today=FILE_ON)
    record = collection_file_make(collection_date=date(2027, 1, 4), today=date(2026, 12, 23))
    assert record.content.splitlines()[0][15:17] == "19"


def test_the_command_writes_the_days_file(mandate, tmp_path):
    out = tmp_path / "dd.txt"
    with time_machine.travel(FILE_ON):
        call_command("direct_debit_collections", "--date", "2026-12-01", "--out", str(out))
    assert out.read_text().splitlines()[0][64:82].strip() == "40001234-01"


# --- Returns (ARUDD) -------------------------------------------------------------------


def test_a_returned_direct_debit_reverses_exactly_its_payment(collected, account):
    with time_machine.travel(date(2026, 12, 3)):
        arudd_file_import(
            content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,0"),
            filename="arudd.csv",
            today=date(2026, 12, 3),
        )

    collected.refresh_from_db()
    reversal = collected.reversal
    assert reversal.kind == TransactionKind.REVERSAL
    assert reversal.reverses_id == collected.transaction_id
    assert reversal.amount == -collected.transaction.amount == Decimal("432.50")
    assert "ARUDD 0, Refer to payer" in reversal.description
    assert collected.return_code == "0"
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")
    assert account.last_payment_on is None
    assert not accounts_out_of_balance().exists()
    # The original payment line stands as it was.
    assert Transaction.objects.get(pk=collected.transaction_id).amount == Decimal("-432.50")


def test_a_returned_direct_debit_tells_the_officer_the_reason(collected, account):
    arudd_file_import(
        content=_arudd("40001234-01,J SMITH,432.50,30/11/2026,0"),  # the processing day
        filename="arudd.csv",
        today=date(2026, 12, 3),
    )

    case = Case.objects.get(pk=account.case_id)
    assert case.next_action == "direct_debit_arudd"
    assert "returned unpaid (refer to payer" in case.next_action_label
    assert case.next_action_due == date(2026, 12, 3)
    event = CaseEvent.objects.get(case=case, verb="direct_debit_returned")
    assert event.payload["code"] == "0" and event.payload["meaning"] == "Refer to payer"
    assert DirectDebitMandate.objects.get().status == MandateStatus.ACTIVE


def test_a_refer_to_payer_return_is_presented_once_more(collected):
    arudd_file_import(
        content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,0"),
        filename="arudd.csv",
        today=date(2026, 12, 3),
    )

    record = collection_file_make(collection_date=date(2026, 12, 8), today=date(2026, 12, 3))

    assert [line[15:17] for line in record.content.splitlines()] == ["18"]
    again = DirectDebitCollection.objects.get(collection_file=record)
    assert again.represents == collected
    assert again.transaction.amount == Decimal("-432.50")


def test_an_arudd_file_with_an_unknown_collection_posts_nothing(collected, account):
    content = _arudd(
        "40001234-01,J SMITH,432.50,01/12/2026,1",
        "40001234-01,J SMITH,99.00,01/12/2026,0",
    )

    with pytest.raises(FileRefused) as refused:
        arudd_file_import(content=content, filename="arudd.csv", today=date(2026, 12, 3))

    assert "Line 3, reference: no collection matches" in refused.value.messages[1]
    assert Transaction.objects.count() == 1
    assert not DirectDebitReturnFile.objects.exists()
    assert DirectDebitMandate.objects.get().status == MandateStatus.ACTIVE
    assert not CaseEvent.objects.filter(verb="direct_debit_returned").exists()


def test_a_return_already_reversed_is_refused(collected):
    arudd_file_import(
        content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,0"),
        filename="first.csv",
        today=date(2026, 12, 3),
    )

    with pytest.raises(FileRefused) as refused:
        arudd_file_import(
            content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,0", ""),
            filename="second.csv",
            today=date(2026, 12, 4),
        )
    assert "already returned on 3 December 2026" in " ".join(refused.value.messages)
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1


def test_an_arudd_line_with_an_unknown_reason_code_is_refused(collected):
    with pytest.raises(FileRefused) as refused:
        arudd_file_import(
            content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,Z"),
            filename="arudd.csv",
            today=date(2026, 12, 3),
        )
    assert "'Z' is not an ARUDD reason code" in " ".join(refused.value.messages)


def test_an_arudd_instruction_cancelled_return_cancels_the_mandate(collected):
    arudd_file_import(
        content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,1"),
        filename="arudd.csv",
        today=date(2026, 12, 3),
    )
    mandate = DirectDebitMandate.objects.get()
    assert mandate.status == MandateStatus.CANCELLED
    assert mandate.status_reason == "ARUDD 1: Instruction cancelled"


def test_the_arudd_command_names_each_bad_line(collected, tmp_path, capsys):
    path = tmp_path / "arudd.csv"
    path.write_bytes(_arudd("40001234-01,J SMITH,1.00,01/12/2026,0"))
    with pytest.raises(Exception, match="nothing was reversed"):
        call_command("import_arudd", str(path))
    assert "Line 2, reference: no collection matches" in capsys.readouterr().err


# --- Bank reports on instructions (ADDACS, AUDDIS) --------------------------------------


def test_addacs_payer_deceased_cancels_the_mandate_and_tells_the_officer(mandate, account):
    mandate_report_apply(report="addacs", reference="40001234-01", code="2", today=FILE_ON)

    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.CANCELLED
    assert mandate.status_reason == "ADDACS 2: Payer deceased"
    case = Case.objects.get(pk=account.case_id)
    assert case.next_action == "direct_debit_payer_deceased"
    assert "confirm who has died" in case.next_action_label
    pause = Hold.objects.get(case=case, kind=Hold.Kind.PAUSE)
    assert pause.reason == Hold.PauseReason.DECEASED
    assert pause.until == date(2026, 12, 24)
    assert CaseEvent.objects.filter(case=case, verb="direct_debit_bank_report").exists()
    assert not collection_file_make(collection_date=FIRST_ON, today=FILE_ON).content


@pytest.mark.parametrize("code", ["0", "1", "B"])
def test_addacs_cancellations_cancel_the_mandate_and_ask_for_another_way_to_pay(
    mandate, account, code
):
    mandate_report_apply(report="addacs", reference="40001234-01", code=code, today=FILE_ON)
    assert DirectDebitMandate.objects.get().status == MandateStatus.CANCELLED
    assert "agree another way to pay" in Case.objects.get(pk=account.case_id).next_action_label


def test_addacs_account_transferred_with_new_details_updates_and_relodges(mandate, account):
    mandate_report_apply(
        report="addacs",
        reference="40001234-01",
        code="3",
        today=FILE_ON,
        new_details=NewBankDetails(sort_code="20-00-00", account_number="87654321"),
    )
    mandate.refresh_from_db()
    assert (mandate.sort_code, mandate.account_number) == ("200000", "87654321")
    assert (mandate.status, mandate.lodged_on) == (MandateStatus.PENDING, None)
    assert Case.objects.get(pk=account.case_id).next_action == ""


def test_addacs_account_transferred_without_new_details_suspends_and_asks(mandate, account):
    mandate_report_apply(report="addacs", reference="40001234-01", code="3", today=FILE_ON)
    assert DirectDebitMandate.objects.get().status == MandateStatus.SUSPENDED
    assert "new direct debit" in Case.objects.get(pk=account.case_id).next_action_label


def test_addacs_new_branch_details_apply_and_collections_continue(mandate, account):
    mandate_report_apply(
        report="addacs",
        reference="40001234-01",
        code="C",
        today=FILE_ON,
        new_details=NewBankDetails(sort_code="200000", account_number="87654321"),
    )
    mandate.refresh_from_db()
    assert (mandate.status, mandate.account_number) == (MandateStatus.ACTIVE, "87654321")
    record = collection_file_make(collection_date=FIRST_ON, today=FILE_ON)
    assert record.content.startswith("20000087654321")


def test_an_auddis_rejection_cancels_the_mandate_and_asks_to_check_the_details(account, team):
    made = _set_up(account, team.alice)
    mandate_report_apply(report="auddis", reference=made.reference, code="5", today=FILE_ON)
    assert DirectDebitMandate.objects.get().status == MandateStatus.CANCELLED
    assert "check the bank details" in Case.objects.get(pk=account.case_id).next_action_label


def test_a_report_on_an_unknown_mandate_is_refused(mandate):
    with pytest.raises(ValidationError, match="No direct debit has the reference"):
        mandate_report_apply(report="addacs", reference="NOPE", code="1", today=FILE_ON)


# --- Pages -----------------------------------------------------------------------------


def test_bank_details_are_masked_on_the_page(client, team, mandate, account):
    client.force_login(team.alice)

    response = client.get(reverse("case_direct_debits", args=[account.case_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "**-**-34" in page and "****5678" in page
    assert "12345678" not in page and "309434" not in page and "30-94-34" not in page


def test_an_officer_of_another_patch_cannot_see_or_change_the_mandates(client, team, mandate):
    client.force_login(team.bob)
    case_id = mandate.account.case_id
    assert client.get(reverse("case_direct_debits", args=[case_id])).status_code == 403
    assert client.get(reverse("direct_debit_set_up", args=[case_id])).status_code == 403
    cancel = reverse("direct_debit_cancel", args=[case_id, mandate.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    assert DirectDebitMandate.objects.get().status == MandateStatus.ACTIVE


def test_an_officer_sets_up_a_direct_debit_from_the_page(client, team, account):
    client.force_login(team.alice)
    with time_machine.travel(SET_UP_ON):
        response = client.post(
            reverse("direct_debit_set_up", args=[account.case_id]),
            {
                "account": account.pk,
                "payer_name": "J Smith",
                "sort_code": "30-94-34",
                "account_number": "12345678",
                "amount": "432.50",
                "frequency": "monthly",
                "first_collection_on_day": "1",
                "first_collection_on_month": "12",
                "first_collection_on_year": "2026",
            },
        )
    assert response.status_code == 302
    made = DirectDebitMandate.objects.get()
    assert (made.amount, made.status) == (Decimal("432.50"), MandateStatus.PENDING)
    assert CaseEvent.objects.filter(verb="direct_debit_set_up", actor=team.alice).exists()


def test_an_officer_cancels_a_direct_debit(team, mandate):
    mandate_cancel(mandate=mandate, reason="Paying by card now", actor=team.alice, today=FILE_ON)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.CANCELLED
    assert not collection_file_make(collection_date=FIRST_ON, today=FILE_ON).content


def test_the_admin_shows_bank_details_masked(admin_client, mandate):
    response = admin_client.get(reverse("admin:payments_directdebitmandate_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "****5678" in page and "12345678" not in page


def test_the_timeline_says_why_a_direct_debit_came_back_without_bank_details(collected):
    from cases.timeline import describe

    arudd_file_import(
        content=_arudd("40001234-01,J SMITH,432.50,01/12/2026,0"),
        filename="arudd.csv",
        today=date(2026, 12, 3),
    )
    event = CaseEvent.objects.get(verb="direct_debit_returned")
    sentence = describe(event.verb, event.payload)
    assert sentence == (
        "Direct debit of £432.50 collected 1 December 2026 returned unpaid "
        "(ARUDD 0: Refer to payer) and reversed"
    )
    assert "12345678" not in str(event.payload) and "309434" not in str(event.payload)
