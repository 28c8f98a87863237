"""The Bacs reports as Bacs delivers them: XML, read into what the direct debit services
take. No database; payments/direct_debits.py acts on what this reads.

    ARUDD   BACSDocument > Data > ARUDD > Advice > OriginatingAccountRecords
            > OriginatingAccountRecord > ReturnedDebitItem (ref, transCode, returnCode,
            returnDescription, originalProcessingDate, valueOf, currency; a PayerAccount
            child), and a Totals element per originating account.
    ADDACS  BACSDocument > Data > MessagingAdvices > MessagingAdvice, record-type "A"
    AUDDIS  the same, record-type "N" or "D" for an instruction the bank rejected, "V" for
            the summary of a lodgement Bacs validated and "R" for one it rejected whole.
            Each advice: user-number, record-type, effective-date, reference, payer-name,
            payer-account-number, payer-sort-code, reason-code, and for a move of bank
            payer-new-sort-code, payer-new-account-number, payer-new-name; aosn.

Sources: the element and attribute names are those the Bacs reports carry as the
published readers of them use (for example so-sure's BacsService, which reads ADDACS and
AUDDIS by record type and ARUDD by returnCode and originalProcessingDate, dates as
YYYY-MM-DD). Confidence: the names agree across those readers; the record types "N"/"D"
for AUDDIS advices are as one reader has them and are the least certain. The reason
codes are the tables in payments/bacs.py.

The files come from outside, so they are parsed with defusedxml: a file that declares
entities or reaches for external resources is refused, never expanded.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from core.money import PENNY, format_money
from payments import bacs
from payments.bacs import ReasonCode, ReturnedDebit, ReturnProblem

XML_DATE_FORMAT = "%Y-%m-%d"
CURRENCY = "GBP"
BYTE_ORDER_MARK = b"\xef\xbb\xbf"


class ReportKind(StrEnum):
    ARUDD = "arudd"
    ADDACS = "addacs"
    AUDDIS = "auddis"


# MessagingAdvice record types (see the module docstring).
ADDACS_ADVICE = "A"
AUDDIS_ADVICES = frozenset({"N", "D"})
AUDDIS_VALIDATED = "V"  # the summary of a lodgement Bacs accepted: nothing to act on
AUDDIS_REJECTED = "R"  # Bacs rejected the whole lodgement file
RECORD_KINDS = {
    ADDACS_ADVICE: ReportKind.ADDACS,
    AUDDIS_VALIDATED: ReportKind.AUDDIS,
    AUDDIS_REJECTED: ReportKind.AUDDIS,
    **dict.fromkeys(AUDDIS_ADVICES, ReportKind.AUDDIS),
}


@dataclass(frozen=True)
class InstructionAdvice:
    """One ADDACS or AUDDIS advice on an instruction, as `mandate_report_apply` takes it."""

    index: int  # its place among the file's MessagingAdvice elements, from 1
    reference: str
    reason: ReasonCode
    effective_on: date | None = None
    new_sort_code: str = ""
    new_account_number: str = ""
    new_payer_name: str = ""

    @property
    def where(self) -> str:
        return _advice_where(self.index, self.reference)


@dataclass(frozen=True)
class BacsReport:
    kind: ReportKind | None
    returns: list[ReturnedDebit]
    advices: list[InstructionAdvice]
    problems: list[ReturnProblem]


def looks_like_xml(content: bytes) -> bool:
    """The XML reports start with "<" (after any byte order mark and white space); the
    CSV export starts with its header row."""
    return content.removeprefix(BYTE_ORDER_MARK).lstrip().startswith(b"<")


def _file_problem(field: str, reason: str) -> ReturnProblem:
    return ReturnProblem(None, field, reason)


def _local(tag: str) -> str:
    """An element's name without its namespace, so a namespaced export reads the same."""
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _advice_where(index: int, reference: str) -> str:
    return f"Advice {index}" + (f" ({reference})" if reference else "")


def _returned_where(index: int, reference: str) -> str:
    return f"Returned debit {index}" + (f" ({reference})" if reference else "")


def _parse_xml(content: bytes) -> tuple[Element | None, list[ReturnProblem]]:
    try:
        return ElementTree.fromstring(content), []
    except DefusedXmlException:
        return None, [
            _file_problem(
                "XML",
                "the file declares entities or external resources, which a Bacs report "
                "never does; it was not read",
            )
        ]
    except ParseError as exc:
        line, column = exc.position
        return None, [
            _file_problem(
                "XML",
                f"not well-formed at line {line}, column {column}: the file is cut short or "
                "is not XML",
            )
        ]


def _unread(field: str, reason: str) -> BacsReport:
    return BacsReport(None, [], [], [_file_problem(field, reason)])


def read_bacs_report(content: bytes) -> BacsReport:
    """Whichever of ARUDD, ADDACS and AUDDIS the XML is, read whole: every item, and
    every problem with where it is."""
    if not looks_like_xml(content):
        return _unread(
            "XML",
            "the file does not start with < as a Bacs XML report does (an ARUDD CSV export "
            "is applied with manage.py import_arudd)",
        )
    root, problems = _parse_xml(content)
    if root is None:
        return BacsReport(None, [], [], problems)
    if _local(root.tag) != "BACSDocument":
        return _unread(
            "XML", f"the document is <{_local(root.tag)}>, not a Bacs report (<BACSDocument>)"
        )
    data = _children(root, "Data")
    arudd = [el for d in data for el in _children(d, "ARUDD")]
    messaging = [el for d in data for el in _children(d, "MessagingAdvices")]
    if arudd and not messaging:
        returns, problems = _read_arudd(arudd)
        return BacsReport(ReportKind.ARUDD, returns, [], problems)
    if messaging and not arudd:
        kind, advices, problems = _read_messaging_advices(messaging)
        return BacsReport(kind, [], advices, problems)
    found = sorted({_local(el.tag) for d in data for el in d})
    return _unread(
        "report",
        (f"it is a Bacs {', '.join(found)}" if found else "it has no report in its Data")
        + "; only ARUDD (returned debits), ADDACS and AUDDIS (MessagingAdvices) are read here",
    )


# --- ARUDD -----------------------------------------------------------------------------


def _returned_items(arudd: list[Element]) -> Iterator[tuple[Element, list[Element]]]:
    """Each originating account's record and its returned debit items, in file order."""
    for report in arudd:
        for advice in _children(report, "Advice"):
            for records in _children(advice, "OriginatingAccountRecords"):
                for record in _children(records, "OriginatingAccountRecord"):
                    yield record, _children(record, "ReturnedDebitItem")


def _pounds(raw: str) -> Decimal | None:
    if bacs.POUNDS.match(raw) and Decimal(raw) > 0:
        return Decimal(raw).quantize(PENNY)
    return None


def _xml_date(raw: str) -> date | None:
    try:
        return datetime.strptime(raw, XML_DATE_FORMAT).date()
    except ValueError:
        return None


def _read_arudd(arudd: list[Element]) -> tuple[list[ReturnedDebit], list[ReturnProblem]]:
    returns: list[ReturnedDebit] = []
    problems: list[ReturnProblem] = []
    index = 0
    for record, items in _returned_items(arudd):
        read = []
        for item in items:
            index += 1
            found = _read_returned_item(item, index, problems)
            if found is not None:
                read.append(found)
        returns += read
        problems += _totals_problems(record, items, read)
    if not index and not problems:
        problems.append(_file_problem("returned debits", "the report has no ReturnedDebitItem"))
    return returns, problems


def _read_returned_item(
    item: Element, index: int, problems: list[ReturnProblem]
) -> ReturnedDebit | None:
    attrs = {name: (value or "").strip() for name, value in item.attrib.items()}
    reference = attrs.get("ref", "").upper()
    where = _returned_where(index, reference)
    before = len(problems)

    def problem(field: str, reason: str) -> None:
        problems.append(ReturnProblem(index, field, reason, where=where))

    for name in ("ref", "valueOf", "originalProcessingDate", "returnCode"):
        if not attrs.get(name):
            problem(name, "is missing")
    amount = _pounds(attrs["valueOf"]) if attrs.get("valueOf") else None
    if attrs.get("valueOf") and amount is None:
        problem("valueOf", f"{attrs['valueOf']!r} is not an amount in pounds, like 432.50")
    processed_on = None
    if attrs.get("originalProcessingDate"):
        processed_on = _xml_date(attrs["originalProcessingDate"])
        if processed_on is None:
            problem(
                "originalProcessingDate",
                f"{attrs['originalProcessingDate']!r} is not a date like 2026-11-30",
            )
    if (attrs.get("currency") or CURRENCY).upper() != CURRENCY:
        problem("currency", f"{attrs['currency']!r}: direct debits are collected in pounds (GBP)")
    code = None
    if attrs.get("returnCode"):
        try:
            code = bacs.reason("arudd", attrs["returnCode"])
        except ValueError as exc:
            problem("returnCode", str(exc))
    if len(problems) != before:
        return None
    return ReturnedDebit(index, reference, amount, processed_on, code, where=where)  # type: ignore[arg-type]


def _totals_problems(
    record: Element, items: list[Element], read: list[ReturnedDebit]
) -> list[ReturnProblem]:
    """The report's own totals for an originating account must agree with its items, as
    a payment file's trailer must: a report cut short is not half applied."""
    problems: list[ReturnProblem] = []
    for totals in _children(record, "Totals"):
        count = (totals.get("numberOf") or "").strip()
        if count and count != str(len(items)):
            problems.append(
                _file_problem(
                    "Totals numberOf",
                    f"says {count} returned debit(s) but the report has {len(items)}",
                )
            )
        value = (totals.get("valueOf") or "").strip()
        if not value:
            continue
        if not bacs.POUNDS.match(value):
            problems.append(
                _file_problem("Totals valueOf", f"{value!r} is not an amount in pounds")
            )
            continue
        stated = Decimal(value).quantize(PENNY)
        added = sum((r.amount for r in read), Decimal("0.00"))
        # Compared only when every item was read: a bad item is reported on its own.
        if len(read) == len(items) and stated != added:
            problems.append(
                _file_problem(
                    "Totals valueOf",
                    f"says {format_money(stated)} but the returned debits add up to "
                    f"{format_money(added)}",
                )
            )
    return problems


def parse_arudd_xml(content: bytes) -> tuple[list[ReturnedDebit], list[ReturnProblem]]:
    """Every returned debit of an ARUDD XML report, and every problem with where it is."""
    report = read_bacs_report(content)
    if report.kind not in (None, ReportKind.ARUDD):
        return [], [
            _file_problem(
                "report",
                f"this is an {report.kind.upper()} report on instructions, not an ARUDD "
                "report of returned debits: apply it with manage.py import_bacs_report",
            )
        ]
    return report.returns, report.problems


def read_arudd(content: bytes) -> tuple[list[ReturnedDebit], list[ReturnProblem]]:
    """An ARUDD report in either form: the Bacs XML, or the CSV the council's Bacs
    software exports. Both give the same returned debits."""
    if looks_like_xml(content):
        return parse_arudd_xml(content)
    return bacs.parse_arudd(content)


# --- ADDACS and AUDDIS ----------------------------------------------------------------


def _read_messaging_advices(
    messaging: list[Element],
) -> tuple[ReportKind | None, list[InstructionAdvice], list[ReturnProblem]]:
    elements = [el for block in messaging for el in _children(block, "MessagingAdvice")]
    problems: list[ReturnProblem] = []
    kinds: dict[ReportKind, int] = {}
    for index, element in enumerate(elements, start=1):
        record_type = (element.get("record-type") or "").strip().upper()
        reference = (element.get("reference") or "").strip().upper()
        if not record_type:
            problems.append(
                ReturnProblem(
                    index, "record-type", "is missing", where=_advice_where(index, reference)
                )
            )
        elif record_type not in RECORD_KINDS:
            problems.append(
                ReturnProblem(
                    index,
                    "record-type",
                    f"{record_type!r} is neither an ADDACS advice (A) nor an AUDDIS one "
                    "(N, D, V or R)",
                    where=_advice_where(index, reference),
                )
            )
        else:
            kinds.setdefault(RECORD_KINDS[record_type], index)
    if len(kinds) > 1:
        return (
            None,
            [],
            [
                _file_problem(
                    "record-type",
                    "the report mixes ADDACS advices (from advice "
                    f"{kinds[ReportKind.ADDACS]}) and AUDDIS ones (from advice "
                    f"{kinds[ReportKind.AUDDIS]}); a Bacs report is one or the other",
                )
            ],
        )
    kind = next(iter(kinds), None)
    if kind is None:
        if not problems:
            problems.append(_file_problem("advices", "the report has no MessagingAdvice"))
        return None, [], problems
    advices: list[InstructionAdvice] = []
    for index, element in enumerate(elements, start=1):
        record_type = (element.get("record-type") or "").strip().upper()
        if record_type == AUDDIS_VALIDATED:
            continue
        if record_type == AUDDIS_REJECTED:
            problems.append(
                ReturnProblem(
                    index,
                    "record-type",
                    "Bacs rejected the whole lodgement file (record type R), so none of its "
                    "instructions was lodged: correct and lodge them again",
                    where=_advice_where(index, ""),
                )
            )
            continue
        found = _read_advice(element, index, kind, problems)
        if found is not None:
            advices.append(found)
    if not advices and not problems:
        problems.append(
            _file_problem("advices", f"the {kind.upper()} report has no advices on instructions")
        )
    return kind, advices, problems


def _read_advice(
    element: Element, index: int, kind: ReportKind, problems: list[ReturnProblem]
) -> InstructionAdvice | None:
    attrs = {name: (value or "").strip() for name, value in element.attrib.items()}
    reference = attrs.get("reference", "").upper()
    where = _advice_where(index, reference)
    before = len(problems)

    def problem(field: str, reason: str) -> None:
        problems.append(ReturnProblem(index, field, reason, where=where))

    for name in ("reference", "reason-code"):
        if not attrs.get(name):
            problem(name, "is missing")
    code = None
    if attrs.get("reason-code"):
        try:
            code = bacs.reason(kind, attrs["reason-code"])
        except ValueError as exc:
            problem("reason-code", str(exc))
    effective_on = None
    if attrs.get("effective-date"):
        effective_on = _xml_date(attrs["effective-date"])
        if effective_on is None:
            problem("effective-date", f"{attrs['effective-date']!r} is not a date like 2026-11-30")
    new_sort_code = bacs.normalise_sort_code(attrs.get("payer-new-sort-code", ""))
    new_account_number = attrs.get("payer-new-account-number", "")
    new_payer_name = attrs.get("payer-new-name", "").upper()
    problems.extend(
        ReturnProblem(index, field, reason, where=where)
        for field, reason in new_details_problems(
            sort_code=new_sort_code, account_number=new_account_number, payer_name=new_payer_name
        )
    )
    if len(problems) != before:
        return None
    return InstructionAdvice(
        index=index,
        reference=reference,
        reason=code,  # type: ignore[arg-type]
        effective_on=effective_on,
        new_sort_code=new_sort_code,
        new_account_number=new_account_number,
        new_payer_name=new_payer_name,
    )


def new_details_problems(
    *, sort_code: str, account_number: str, payer_name: str
) -> list[tuple[str, str]]:
    """The new bank details an advice quotes (ADDACS 3, C, E; AUDDIS 3, C) must be whole
    and valid, or the instruction would be collected from an account that is not there.
    An advice quoting none is fine: the reason code's rule decides what follows. (A new
    name quoted on its own is checked but not applied: `mandate_report_apply` changes
    the name only with a new account.)"""
    problems: list[tuple[str, str]] = []
    if payer_name and (message := bacs.bacs_name_problem(payer_name)):
        problems.append(("payer-new-name", f"{payer_name!r}: {message}"))
    if not (sort_code or account_number):
        return problems
    if not sort_code:
        problems.append(("payer-new-sort-code", "is missing, though a new account is quoted"))
    elif message := bacs.sort_code_problem(sort_code):
        problems.append(("payer-new-sort-code", f"{sort_code!r}: {message}"))
    if not account_number:
        problems.append(
            ("payer-new-account-number", "is missing, though a new sort code is quoted")
        )
    elif message := bacs.account_number_problem(account_number):
        problems.append(("payer-new-account-number", f"{account_number!r}: {message}"))
    return problems


def parse_instruction_report(
    content: bytes,
) -> tuple[ReportKind | None, list[InstructionAdvice], list[ReturnProblem]]:
    """Every advice of an ADDACS or AUDDIS XML report, and every problem with where it is."""
    report = read_bacs_report(content)
    if report.kind == ReportKind.ARUDD:
        return (
            ReportKind.ARUDD,
            [],
            [
                _file_problem(
                    "report",
                    "this is an ARUDD report of returned debits, not a report on "
                    "instructions: apply it with manage.py import_arudd",
                )
            ],
        )
    return report.kind, report.advices, report.problems


def report_kind(content: bytes) -> ReportKind | None:
    """Which report the XML is, if it is one (problems aside)."""
    if not looks_like_xml(content):
        return None
    return read_bacs_report(content).kind
