"""Reading a whole file against its format, with every bad line named. No database."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from core.money import PENNY, format_money
from payments.imports.formats import FileFormat
from payments.models import PaymentMethod

MAX_LINE_AMOUNT = Decimal("100000.00")
POUNDS = re.compile(r"^-?\d+(\.\d{1,2})?$")
PENCE = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class LineProblem:
    line_number: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"Line {self.line_number}" if self.line_number else "The file"
        return f"{where}, {self.field}: {self.reason}"


@dataclass(frozen=True)
class ParsedLine:
    line_number: int
    amount: Decimal  # money received, more than zero
    effective_date: date
    method: PaymentMethod
    match_values: dict[str, str]
    payment_reference: str


@dataclass
class ParsedFile:
    lines: list[ParsedLine]
    problems: list[LineProblem]
    control_total: Decimal | None = None
    control_count: int | None = None


def parse_amount(raw: str, *, unit: str) -> Decimal:
    """Pounds ("12.50") or whole pence ("1250"), as the layout says; ValueError if neither."""
    text = raw.strip().replace(",", "") if unit == "pounds" else raw.strip()
    if unit == "pence":
        if not PENCE.match(text):
            raise ValueError(f"{raw.strip()!r} is not a whole number of pence")
        return (Decimal(text) / 100).quantize(PENNY)
    if not POUNDS.match(text):
        raise ValueError(f"{raw.strip()!r} is not an amount in pounds and pence")
    return Decimal(text).quantize(PENNY)


def parse_date(raw: str, *, date_format: str) -> date:
    return _parse_date(raw.strip(), date_format)


@lru_cache(maxsize=4096)
def _parse_date(text: str, date_format: str) -> date:
    """A file's lines share a handful of dates, and strptime is most of the time spent
    reading a line, so each distinct date is read once (a ValueError is not cached)."""
    try:
        return datetime.strptime(text, date_format).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the form {date_format}") from None


def _records(text: str, fmt: FileFormat) -> tuple[list[tuple[int, dict[str, str]]], list]:
    """(line number, {field: raw value}) for each line, and the problems of shape."""
    problems: list[LineProblem] = []
    records: list[tuple[int, dict[str, str]]] = []
    if fmt.layout == "fixed":
        width = max(end for start, end in fmt.fields.values())  # type: ignore[misc]
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if fmt.trailer and line.startswith(fmt.trailer.prefix):
                records.append((number, {"__trailer__": line}))
                continue
            if len(line.rstrip("\r")) < width:
                problems.append(
                    LineProblem(number, "line", f"is {len(line)} characters; it must be {width}")
                )
                continue
            records.append(
                (number, {name: line[s - 1 : e] for name, (s, e) in fmt.fields.items()})  # type: ignore[misc]
            )
        return records, problems
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [LineProblem(None, "header", "the file is empty")]
    header = [h.strip() for h in header]
    missing = [col for col in fmt.fields.values() if col not in header]
    if missing:
        return [], [LineProblem(1, "header", f"has no column {', '.join(missing)}")]  # type: ignore[arg-type]
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if fmt.trailer and row[0].strip().upper() == fmt.trailer.prefix:
            records.append((number, {"__trailer__": "", **dict(zip(header, row, strict=False))}))
            continue
        if len(row) != len(header):
            problems.append(
                LineProblem(number, "line", f"has {len(row)} columns; the header has {len(header)}")
            )
            continue
        cells = dict(zip(header, row, strict=True))
        records.append((number, {name: cells[col] for name, col in fmt.fields.items()}))  # type: ignore[index]
    return records, problems


def _trailer(parsed: ParsedFile, number: int, raw: dict[str, str], fmt: FileFormat) -> None:
    trailer = fmt.trailer
    assert trailer is not None

    def value(spec) -> str:
        if isinstance(spec, tuple):
            return raw["__trailer__"][spec[0] - 1 : spec[1]]
        return raw.get(spec, "")

    try:
        parsed.control_total = parse_amount(value(trailer.total), unit=fmt.amount_unit)
    except ValueError as exc:
        parsed.problems.append(LineProblem(number, "control total", str(exc)))
    if trailer.count is not None:
        text = value(trailer.count).strip()
        if text.isdigit():
            parsed.control_count = int(text)
        else:
            parsed.problems.append(LineProblem(number, "line count", f"{text!r} is not a number"))


def parse_file(content: bytes, fmt: FileFormat, *, today: date) -> ParsedFile:
    """Check every line of a file; a file with any problem must post nothing."""
    parsed = ParsedFile(lines=[], problems=[])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(LineProblem(None, "encoding", "the file is not UTF-8 text"))
        return parsed
    records, parsed.problems = _records(text, fmt)
    trailer_line: int | None = None
    for number, raw in records:
        if "__trailer__" in raw:
            if trailer_line is not None:
                parsed.problems.append(LineProblem(number, "trailer", "is a second trailer"))
            trailer_line = number
            _trailer(parsed, number, raw, fmt)
            continue
        if trailer_line is not None:
            parsed.problems.append(LineProblem(number, "line", "comes after the trailer"))
        line = _line(number, raw, fmt, today=today, problems=parsed.problems)
        if line is not None:
            parsed.lines.append(line)
    if not records and not parsed.problems:
        parsed.problems.append(LineProblem(None, "lines", "the file has no payment lines"))
    if fmt.trailer and trailer_line is None:
        parsed.problems.append(
            LineProblem(None, "trailer", f"the file has no {fmt.trailer.prefix} trailer line")
        )
    _check_control(parsed, trailer_line)
    return parsed


def _check_control(parsed: ParsedFile, trailer_line: int | None) -> None:
    if parsed.problems or trailer_line is None:
        return
    total = sum((line.amount for line in parsed.lines), Decimal("0.00"))
    if parsed.control_total is not None and parsed.control_total != total:
        parsed.problems.append(
            LineProblem(
                trailer_line,
                "control total",
                f"is {format_money(parsed.control_total)} but the lines add up to "
                f"{format_money(total)}",
            )
        )
    if parsed.control_count is not None and parsed.control_count != len(parsed.lines):
        parsed.problems.append(
            LineProblem(
                trailer_line,
                "line count",
                f"is {parsed.control_count} but the file has {len(parsed.lines)} lines",
            )
        )


def _line(
    number: int, raw: dict[str, str], fmt: FileFormat, *, today: date, problems: list
) -> ParsedLine | None:
    before = len(problems)
    dates: dict[str, date] = {}
    for name in fmt.dates:
        try:
            dates[name] = parse_date(raw[name], date_format=fmt.date_format)
        except ValueError as exc:
            problems.append(LineProblem(number, name, str(exc)))
    for name in fmt.periods:
        parts = raw[name].split("-")
        try:
            if len(parts) != 2:
                raise ValueError(f"{raw[name].strip()!r} is not a period from-to")
            start, end = (parse_date(p, date_format=fmt.date_format) for p in parts)
            if end < start:
                raise ValueError("the period ends before it starts")
            dates[name] = end
        except ValueError as exc:
            problems.append(LineProblem(number, name, str(exc)))
    if (
        "period_from" in dates
        and "period_to" in dates
        and dates["period_to"] < dates["period_from"]
    ):
        problems.append(LineProblem(number, "period_to", "the period ends before it starts"))
    effective = dates.get(fmt.date_field)
    if effective is not None and effective > today:
        problems.append(
            LineProblem(number, fmt.date_field, f"{effective:%d/%m/%Y} is in the future")
        )
    amount: Decimal | None = None
    try:
        amount = parse_amount(raw["amount"], unit=fmt.amount_unit)
        if fmt.adjustment_field and raw[fmt.adjustment_field].strip():
            amount += parse_amount(raw[fmt.adjustment_field], unit=fmt.amount_unit)
        if amount <= 0:
            raise ValueError(f"the amount received is {format_money(amount)}; it must be more")
        if amount > MAX_LINE_AMOUNT:
            raise ValueError(f"{format_money(amount)} is more than {format_money(MAX_LINE_AMOUNT)}")
    except ValueError as exc:
        problems.append(LineProblem(number, "amount", str(exc)))
    method = fmt.method
    if method is None:
        code = raw["method"].strip().upper()
        method = fmt.methods.get(code)
        if method is None:
            problems.append(LineProblem(number, "method", f"{code!r} is not a known method"))
    if len(problems) > before:
        return None
    return ParsedLine(
        line_number=number,
        amount=amount,  # type: ignore[arg-type]
        effective_date=effective,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        match_values={name: raw[name].strip() for name, _ in fmt.match},
        payment_reference=raw[fmt.payment_reference_field].strip()[:64]
        if fmt.payment_reference_field
        else "",
    )
