"""Bacs as data: the reason codes the banks report, the Standard 18 record, and the
ARUDD returns report as the council's Bacs software exports it (CSV; the Bacs XML
reports are read by payments/bacs_reports.py). No database; payments/direct_debits.py
acts on what this reads.

Sources: the Bacs Direct Debit scheme rules and Service User Guide as published by
Bacs bureaux (AUDDIS, ADDACS and ARUDD reason code tables; the Standard 18 data
record of 100 characters, 106 with the processing day). Confidence: the codes and
their meanings agree across several bureaux' published tables; the actions taken on
each are the council's choice, written beside the code.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from core.money import PENNY


class MandateEffect(StrEnum):
    """What a report does to the instruction it names."""

    CANCEL = "cancel"  # no more collections; a new instruction is needed
    UPDATE = "update"  # new bank details supplied: apply them and carry on
    SUSPEND = "suspend"  # hold collections until the officer resolves it with the payer
    KEEP = "keep"  # the instruction stands
    REINSTATE = "reinstate"  # a cancelled instruction is live again


@dataclass(frozen=True)
class ReasonCode:
    code: str
    meaning: str
    effect: MandateEffect
    # What the officer is asked to do; blank when nothing is needed of them.
    officer_action: str = ""
    payer_deceased: bool = False
    # An instruction moved to a new bank is lodged there again (a new 0N).
    relodge: bool = False


def _table(*codes: ReasonCode) -> dict[str, ReasonCode]:
    return {c.code: c for c in codes}


CANCEL, UPDATE, SUSPEND, KEEP, REINSTATE = (
    MandateEffect.CANCEL,
    MandateEffect.UPDATE,
    MandateEffect.SUSPEND,
    MandateEffect.KEEP,
    MandateEffect.REINSTATE,
)
AGREE_ANOTHER_WAY = "Contact the tenant: agree another way to pay or a new direct debit"
DECEASED_ACTION = (
    "Direct debit payer reported deceased: confirm who has died before any arrears contact"
)
NEW_INSTRUCTION_NEEDED = (
    "Ask the tenant for a new direct debit: the bank gave no new account details"
)

# ADDACS: the paying bank amends or cancels an instruction after it was set up.
ADDACS: dict[str, ReasonCode] = _table(
    ReasonCode("0", "Instruction cancelled: refer to payer", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("1", "Instruction cancelled by the payer", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("2", "Payer deceased", CANCEL, DECEASED_ACTION, payer_deceased=True),
    # With the new details quoted the instruction carries on at the new bank; without
    # them, collection stops until a new instruction is given.
    ReasonCode(
        "3",
        "Account transferred to a new bank or building society",
        UPDATE,
        NEW_INSTRUCTION_NEEDED,
        relodge=True,
    ),
    ReasonCode("B", "Account closed", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("C", "Account transferred to a different branch (new details supplied)", UPDATE),
    ReasonCode(
        "D",
        "Advance notice disputed",
        SUSPEND,
        "Resolve the payer's dispute of the advance notice before the next collection",
    ),
    ReasonCode("E", "Instruction amended", UPDATE),
    ReasonCode("R", "Instruction reinstated", REINSTATE),
)

# AUDDIS: the paying bank rejects an instruction the council lodged (0N).
_CHECK_DETAILS = "The direct debit was not set up: check the bank details with the tenant"
AUDDIS: dict[str, ReasonCode] = _table(
    ReasonCode("1", "Instruction cancelled by the payer", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("2", "Payer deceased", CANCEL, DECEASED_ACTION, payer_deceased=True),
    ReasonCode("3", "Account transferred", UPDATE, NEW_INSTRUCTION_NEEDED, relodge=True),
    ReasonCode("5", "No account", CANCEL, _CHECK_DETAILS),
    ReasonCode("6", "No instruction", CANCEL, _CHECK_DETAILS),
    ReasonCode("B", "Account closed", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("C", "Account transferred to a different branch (new details supplied)", UPDATE),
    ReasonCode("F", "Invalid account type", CANCEL, _CHECK_DETAILS),
    ReasonCode("G", "Bank will not accept direct debits on the account", CANCEL, _CHECK_DETAILS),
    ReasonCode("H", "Instruction has expired", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("I", "Payer reference is not unique", CANCEL, _CHECK_DETAILS),
    ReasonCode("K", "Instruction cancelled by the bank", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("L", "Incorrect payer's account details", CANCEL, _CHECK_DETAILS),
    ReasonCode("M", "Transaction code or user status incompatible", CANCEL, _CHECK_DETAILS),
    ReasonCode("N", "Transaction disallowed at the payer's branch", CANCEL, _CHECK_DETAILS),
    ReasonCode("O", "Invalid reference", CANCEL, _CHECK_DETAILS),
    ReasonCode("P", "Payer's name not present", CANCEL, _CHECK_DETAILS),
    ReasonCode("Q", "Service user's name is blank", CANCEL, _CHECK_DETAILS),
)

# ARUDD: a collection returned unpaid. The payment is always reversed; the effect is on
# the instruction. Only "refer to payer" (usually no funds) leaves it standing and may
# be re-presented once (DIRECT_DEBIT_REPRESENTATIONS in direct_debits.py).
_RETURNED = "Contact the tenant: the direct debit was returned unpaid"
ARUDD: dict[str, ReasonCode] = _table(
    ReasonCode("0", "Refer to payer", KEEP, _RETURNED + " (refer to payer, usually no funds)"),
    ReasonCode("1", "Instruction cancelled", CANCEL, AGREE_ANOTHER_WAY),
    ReasonCode("2", "Payer deceased", CANCEL, DECEASED_ACTION, payer_deceased=True),
    ReasonCode(
        "3",
        "Account transferred",
        SUSPEND,
        "Ask the tenant for their new bank details: the account has moved",
    ),
    ReasonCode(
        "4",
        "Advance notice disputed",
        SUSPEND,
        "Resolve the payer's dispute of the advance notice before the next collection",
    ),
    ReasonCode("5", "No account (or wrong account type)", CANCEL, _CHECK_DETAILS),
    ReasonCode("6", "No instruction", CANCEL, _CHECK_DETAILS),
    ReasonCode("7", "Amount differs", SUSPEND, "Check the amount against the advance notice given"),
    ReasonCode(
        "8", "Amount not yet due", SUSPEND, "Check the collection dates against the notice given"
    ),
    ReasonCode("9", "Presentation overdue", KEEP, _RETURNED + " (presented too late)"),
    ReasonCode(
        "A",
        "Service user differs",
        SUSPEND,
        "Check the instruction names the council as the service user",
    ),
    ReasonCode("B", "Account closed", CANCEL, AGREE_ANOTHER_WAY),
)

REPORTS = {"addacs": ADDACS, "auddis": AUDDIS, "arudd": ARUDD}


def reason(report: str, code: str) -> ReasonCode:
    """The reason code in a report's table; ValueError naming the known codes if not."""
    table = REPORTS[report]
    found = table.get(code.strip().upper())
    if found is None:
        raise ValueError(
            f"{code.strip()!r} is not an {report.upper()} reason code; "
            f"the codes are {', '.join(table)}"
        )
    return found


# --- Bank details -------------------------------------------------------------------

SORT_CODE = re.compile(r"^\d{6}$")
ACCOUNT_NUMBER = re.compile(r"^\d{8}$")
# The characters Bacs allows in names and references.
BACS_CHARACTERS = re.compile(r"^[A-Z0-9.&/\- ]*$")


def normalise_sort_code(raw: str) -> str:
    """ "12-34-56" or "12 34 56" as "123456"."""
    return re.sub(r"[\s-]", "", raw or "")


def sort_code_problem(sort_code: str) -> str | None:
    if not SORT_CODE.match(sort_code):
        return "Enter the sort code as 6 digits, like 309430"
    return None


def account_number_problem(account_number: str) -> str | None:
    if not ACCOUNT_NUMBER.match(account_number):
        return (
            "Enter the account number as 8 digits, like 00733445 (a shorter one is padded "
            "with zeros at the front, as the bank advises)"
        )
    return None


def bacs_name_problem(name: str) -> str | None:
    """A payer's name as Bacs carries it: 18 characters of letters, digits, . & / -."""
    text = (name or "").strip().upper()
    if not text:
        return "Enter the name on the bank account"
    if len(text) > 18:
        return "The name on the bank account must be 18 characters or fewer, as the bank shows it"
    if not BACS_CHARACTERS.match(text):
        return "The name on the bank account can only have letters, numbers, spaces and . & / -"
    return None


def bacs_text(value: str, width: int) -> str:
    """Upper case, Bacs characters only, cut and padded with spaces to `width`."""
    text = "".join(c if BACS_CHARACTERS.match(c) else " " for c in value.upper())
    return text[:width].ljust(width)


# --- Standard 18 --------------------------------------------------------------------

LODGE_INSTRUCTION = "0N"  # AUDDIS: a new instruction
DESTINATION_ACCOUNT_TYPE = "0"


@dataclass(frozen=True)
class Standard18Record:
    destination_sort_code: str
    destination_account: str
    transaction_code: str
    originator_sort_code: str
    originator_account: str
    amount: Decimal  # pounds; 0 for an instruction
    service_user_name: str
    service_user_reference: str
    destination_account_name: str
    processing_date: date | None = None


def amount_in_pence(amount: Decimal) -> str:
    """11 digits of pence, zero-filled."""
    pence = int((amount.quantize(PENNY) * 100).to_integral_value())
    if not 0 <= pence < 10**11:
        raise ValueError(f"{amount} does not fit the 11 digits of a Standard 18 amount")
    return f"{pence:011d}"


def standard18_line(record: Standard18Record) -> str:
    """The 100-character data record (106 with the processing day as " YYDDD")."""
    line = (
        record.destination_sort_code  # 1-6
        + record.destination_account  # 7-14
        + DESTINATION_ACCOUNT_TYPE  # 15
        + record.transaction_code  # 16-17
        + record.originator_sort_code  # 18-23
        + record.originator_account  # 24-31
        + " " * 4  # 32-35 free format
        + amount_in_pence(record.amount)  # 36-46
        + bacs_text(record.service_user_name, 18)  # 47-64
        + bacs_text(record.service_user_reference, 18)  # 65-82
        + bacs_text(record.destination_account_name, 18)  # 83-100
    )
    if len(line) != 100:
        raise ValueError(f"A Standard 18 record must be 100 characters, not {len(line)}")
    if record.processing_date is not None:
        line += f" {record.processing_date:%y}{record.processing_date.timetuple().tm_yday:03d}"
    return line


# --- ARUDD --------------------------------------------------------------------------

# The ARUDD report as the council's Bacs software exports it, one returned debit a row.
ARUDD_COLUMNS = {
    "reference": "Reference",
    "amount": "Amount",
    "date": "Original processing date",
    "code": "Reason code",
}
ARUDD_DATE_FORMAT = "%d/%m/%Y"
POUNDS = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass(frozen=True)
class ReturnedDebit:
    # The CSV's line, or the XML report's item number: unique in its file either way.
    line_number: int
    reference: str
    amount: Decimal
    processed_on: date
    reason: ReasonCode
    # How a problem names it; blank for a CSV line ("Line N").
    where: str = ""

    @property
    def location(self) -> str:
        return self.where or f"Line {self.line_number}"


@dataclass(frozen=True)
class ReturnProblem:
    """A problem with one place in a Bacs report (a CSV line, an XML element) or the file."""

    line_number: int | None
    field: str
    reason: str
    # Set for the XML reports ("Returned debit 2 (40001234-01)"); "Line N" otherwise.
    where: str = ""

    def __str__(self) -> str:
        where = self.where or (f"Line {self.line_number}" if self.line_number else "The file")
        return f"{where}, {self.field}: {self.reason}"


def parse_arudd(content: bytes) -> tuple[list[ReturnedDebit], list[ReturnProblem]]:
    """Every returned debit of an ARUDD CSV, and every problem with its line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [ReturnProblem(None, "encoding", "the file is not UTF-8 text")]
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [col for col in ARUDD_COLUMNS.values() if col not in header]
    if missing:
        return [], [ReturnProblem(1, "header", f"has no column {', '.join(missing)}")]
    where = {name: header.index(col) for name, col in ARUDD_COLUMNS.items()}
    returns: list[ReturnedDebit] = []
    problems: list[ReturnProblem] = []
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(ReturnProblem(number, "line", "does not have a cell for every column"))
            continue
        cells = {name: row[i].strip() for name, i in where.items()}
        before = len(problems)
        if not cells["reference"]:
            problems.append(ReturnProblem(number, "reference", "is blank"))
        amount = None
        if POUNDS.match(cells["amount"]) and Decimal(cells["amount"]) > 0:
            amount = Decimal(cells["amount"]).quantize(PENNY)
        else:
            problems.append(
                ReturnProblem(number, "amount", f"{cells['amount']!r} is not an amount in pounds")
            )
        try:
            processed_on = datetime.strptime(cells["date"], ARUDD_DATE_FORMAT).date()
        except ValueError:
            problems.append(
                ReturnProblem(number, "date", f"{cells['date']!r} is not a date like 10/12/2026")
            )
        try:
            code = reason("arudd", cells["code"])
        except ValueError as exc:
            problems.append(ReturnProblem(number, "reason code", str(exc)))
        if len(problems) == before:
            returns.append(
                ReturnedDebit(number, cells["reference"].upper(), amount, processed_on, code)  # type: ignore[arg-type]
            )
    if not returns and not problems:
        problems.append(ReturnProblem(None, "lines", "the file has no returned debits"))
    return returns, problems
