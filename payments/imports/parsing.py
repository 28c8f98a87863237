"""Reading a whole file against its format, with every bad line named. No database.

A morning's cash file can run to a million lines, so a line must be checked in a few
microseconds: its fields are cut in one call, and each distinct date, amount and method
text is read once per file (a file repeats a handful of dates, the common rents and a
few method codes), with its value or its problem kept for the lines that repeat it."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import NamedTuple

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


class ParsedLine(NamedTuple):
    line_number: int
    amount: Decimal  # money received, more than zero
    effective_date: date
    method: PaymentMethod
    match_values: tuple[str, ...]  # in the order of FileFormat.match_fields
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
    text = raw.strip()
    try:
        return datetime.strptime(text, date_format).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the form {date_format}") from None


# A record is a line's number and its fields' raw text in the order of `fmt.fields`;
# a trailer's record has None for its fields (its raw text is kept apart).
Record = tuple[int, tuple[str, ...] | None]


def _records(text: str, fmt: FileFormat) -> tuple[list[Record], dict[int, dict], list]:
    """Every line's record, the trailers' raw text by line, and the problems of shape."""
    problems: list[LineProblem] = []
    records: list[Record] = []
    trailers: dict[int, dict[str, str]] = {}
    prefix = fmt.trailer.prefix if fmt.trailer else None
    if fmt.layout == "fixed":
        columns = list(fmt.fields.values())
        width = max(end for start, end in columns)  # type: ignore[misc]
        cut = itemgetter(*(slice(start - 1, end) for start, end in columns))  # type: ignore[misc]
        for number, line in enumerate(text.splitlines(), start=1):
            if not line or line.isspace():
                continue
            if prefix and line.startswith(prefix):
                records.append((number, None))
                trailers[number] = {"__trailer__": line}
            elif len(line) < width:
                problems.append(
                    LineProblem(number, "line", f"is {len(line)} characters; it must be {width}")
                )
            else:
                records.append((number, cut(line)))
        return records, trailers, problems
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], {}, [LineProblem(None, "header", "the file is empty")]
    header = [h.strip() for h in header]
    missing = [col for col in fmt.fields.values() if col not in header]
    if missing:
        return [], {}, [LineProblem(1, "header", f"has no column {', '.join(missing)}")]  # type: ignore[arg-type]
    cut = itemgetter(*(header.index(col) for col in fmt.fields.values()))  # type: ignore[arg-type]
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if prefix and row[0].strip().upper() == prefix:
            records.append((number, None))
            trailers[number] = {"__trailer__": "", **dict(zip(header, row, strict=False))}
        elif len(row) != len(header):
            problems.append(
                LineProblem(number, "line", f"has {len(row)} columns; the header has {len(header)}")
            )
        else:
            records.append((number, cut(row)))
    return records, trailers, problems


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


# How often a long file's checking reports how far it has gone.
PROGRESS_EVERY = 50_000


def parse_file(
    content: bytes,
    fmt: FileFormat,
    *,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> ParsedFile:
    """Check every line of a file; a file with any problem must post nothing.
    `progress`, if given, is told how many lines have been checked every
    PROGRESS_EVERY lines."""
    parsed = ParsedFile(lines=[], problems=[])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(LineProblem(None, "encoding", "the file is not UTF-8 text"))
        return parsed
    records, trailers, parsed.problems = _records(text, fmt)
    check = _LineChecker(fmt, today=today, problems=parsed.problems)
    append = parsed.lines.append
    trailer_line: int | None = None
    for done, (number, values) in enumerate(records, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        if values is None:
            if trailer_line is not None:
                parsed.problems.append(LineProblem(number, "trailer", "is a second trailer"))
            trailer_line = number
            _trailer(parsed, number, trailers[number], fmt)
            continue
        if trailer_line is not None:
            parsed.problems.append(LineProblem(number, "line", "comes after the trailer"))
        line = check(number, values)
        if line is not None:
            append(line)
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


# What a field's raw text reads as: its value, or why it cannot be read.
Reading = tuple[object, str | None]


class _LineChecker:
    """Checks one record and gives its ParsedLine, or adds its problems and gives None.

    Each distinct raw text of a date, period, amount or method is read once per file and
    its reading kept; the checks a line's reading cannot carry (a date in the future
    given today, a period ending before it starts) are made on every line."""

    def __init__(self, fmt: FileFormat, *, today: date, problems: list[LineProblem]) -> None:
        position = {name: index for index, name in enumerate(fmt.fields)}
        self.fmt = fmt
        self.today = today
        self.problems = problems
        self.dates = [(name, position[name]) for name in fmt.dates]
        self.periods = [(name, position[name]) for name in fmt.periods]
        self.amount_at = position["amount"]
        self.adjustment_at = position[fmt.adjustment_field] if fmt.adjustment_field else None
        self.method_at = position["method"] if fmt.method is None else None
        match_at = [position[name] for name in fmt.match_fields]
        cut = itemgetter(*match_at)
        # itemgetter of one position gives the value, not a tuple of one
        self.match_values = (lambda values: (cut(values),)) if len(match_at) == 1 else cut
        self.reference_at = (
            position[fmt.payment_reference_field] if fmt.payment_reference_field else None
        )
        self.both_ends = "period_from" in fmt.dates and "period_to" in fmt.dates
        self.read_dates: dict[str, Reading] = {}
        self.read_periods: dict[str, Reading] = {}
        self.read_amounts: dict[tuple[str, str], Reading] = {}
        self.read_methods: dict[str, Reading] = {}

    def __call__(self, number: int, values: tuple[str, ...]) -> ParsedLine | None:
        fmt, problems = self.fmt, self.problems
        before = len(problems)
        dates: dict[str, date] = {}
        for name, at in self.dates:
            raw = values[at]
            reading = self.read_dates.get(raw) or self.read_dates.setdefault(raw, self._date(raw))
            if reading[1] is None:
                dates[name] = reading[0]  # type: ignore[assignment]
            else:
                problems.append(LineProblem(number, name, reading[1]))
        for name, at in self.periods:
            raw = values[at]
            reading = self.read_periods.get(raw) or self.read_periods.setdefault(
                raw, self._period(raw)
            )
            if reading[1] is None:
                dates[name] = reading[0]  # type: ignore[assignment]
            else:
                problems.append(LineProblem(number, name, reading[1]))
        ends = (dates.get("period_from"), dates.get("period_to"))
        if self.both_ends and None not in ends and ends[1] < ends[0]:  # type: ignore[operator]
            problems.append(LineProblem(number, "period_to", "the period ends before it starts"))
        effective = dates.get(fmt.date_field)
        if effective is not None and effective > self.today:
            problems.append(
                LineProblem(number, fmt.date_field, f"{effective:%d/%m/%Y} is in the future")
            )
        key = (
            values[self.amount_at],
            values[self.adjustment_at] if self.adjustment_at is not None else "",
        )
        amount = self.read_amounts.get(key) or self.read_amounts.setdefault(key, self._amount(*key))
        if amount[1] is not None:
            problems.append(LineProblem(number, "amount", amount[1]))
        method: object = fmt.method
        if self.method_at is not None:
            raw = values[self.method_at]
            reading = self.read_methods.get(raw) or self.read_methods.setdefault(
                raw, self._method(raw)
            )
            method = reading[0]
            if reading[1] is not None:
                problems.append(LineProblem(number, "method", reading[1]))
        if len(problems) > before:
            return None
        return ParsedLine(
            number,
            amount[0],  # type: ignore[arg-type]
            effective,  # type: ignore[arg-type]
            method,  # type: ignore[arg-type]
            tuple([value.strip() for value in self.match_values(values)]),
            values[self.reference_at].strip()[:64] if self.reference_at is not None else "",
        )

    def _date(self, raw: str) -> Reading:
        try:
            return parse_date(raw, date_format=self.fmt.date_format), None
        except ValueError as exc:
            return None, str(exc)

    def _period(self, raw: str) -> Reading:
        parts = raw.split("-")
        try:
            if len(parts) != 2:
                raise ValueError(f"{raw.strip()!r} is not a period from-to")
            start, end = (parse_date(p, date_format=self.fmt.date_format) for p in parts)
            if end < start:
                raise ValueError("the period ends before it starts")
        except ValueError as exc:
            return None, str(exc)
        return end, None

    def _amount(self, raw: str, adjustment: str) -> Reading:
        unit = self.fmt.amount_unit
        try:
            amount = parse_amount(raw, unit=unit)
            if adjustment.strip():
                amount += parse_amount(adjustment, unit=unit)
            if amount <= 0:
                raise ValueError(f"the amount received is {format_money(amount)}; it must be more")
            if amount > MAX_LINE_AMOUNT:
                raise ValueError(
                    f"{format_money(amount)} is more than {format_money(MAX_LINE_AMOUNT)}"
                )
        except (ValueError, InvalidOperation) as exc:
            return None, str(exc)
        return amount, None

    def _method(self, raw: str) -> Reading:
        code = raw.strip().upper()
        method = self.fmt.methods.get(code)
        if method is None:
            return None, f"{code!r} is not a known method"
        return method, None
