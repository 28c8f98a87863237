"""File formats are data: one TOML file per layout under `layouts/`.

A layout names its fields (1-based inclusive columns for fixed width, header names for
CSV), the date format, whether amounts are pounds or pence, the transaction kind, method
and source it posts, and the order in which a line's fields find its account. Adding a
format is adding a file; no code changes.
"""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError

from payments.models import PaymentMethod, TransactionKind, TransactionSource

LAYOUTS_DIR = Path(__file__).parent / "layouts"

# How a line's field finds an account: by the tenancy reference (the rent account
# reference) to that tenancy's open rent account, by the account's own payment
# reference, or by a tenant reference (payments.TenantReference: the housing system's
# person reference, a benefit claim or DWP claimant) to the open rent account of the
# tenancy that tenant lives on. A layout lists them in the order it tries them.
MATCH_LOOKUPS = ("tenancy", "account", "tenant")


@dataclass(frozen=True)
class Trailer:
    prefix: str
    total: tuple[int, int] | str
    count: tuple[int, int] | str | None = None


@dataclass(frozen=True)
class FileFormat:
    name: str
    label: str
    layout: str  # "fixed" or "csv"
    fields: dict[str, tuple[int, int] | str]
    date_format: str
    amount_unit: str  # "pounds" or "pence"
    kind: TransactionKind
    source: TransactionSource
    date_field: str
    match: tuple[tuple[str, str], ...]
    dates: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    method: PaymentMethod | None = None
    methods: dict[str, PaymentMethod] = field(default_factory=dict)
    adjustment_field: str | None = None
    payment_reference_field: str | None = None
    trailer: Trailer | None = None

    @property
    def match_fields(self) -> tuple[str, ...]:
        """The fields the match rules read, each once, in the order the rules name them."""
        return tuple(dict.fromkeys(name for name, _ in self.match))


def _columns(value: object) -> tuple[int, int] | str:
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


def format_from_data(data: dict) -> FileFormat:
    """Build a format from a layout's data, refusing one that cannot work."""
    name = data.get("name", "?")
    try:
        layout = data["layout"]
        if layout not in ("fixed", "csv"):
            raise ValueError(f"layout must be fixed or csv, not {layout!r}")
        if data["amount_unit"] not in ("pounds", "pence"):
            raise ValueError("amount_unit must be pounds or pence")
        fields = {key: _columns(value) for key, value in data["fields"].items()}
        for required in ("amount", data["date_field"]):
            if required not in fields:
                raise ValueError(f"it has no {required} field")
        if "method" not in data and "method" not in fields:
            raise ValueError("it names neither a method nor a method field")
        match = tuple(tuple(pair) for pair in data["match"])
        for field_name, lookup in match:
            if field_name not in fields or lookup not in MATCH_LOOKUPS:
                raise ValueError(f"it cannot match by {field_name} as {lookup}")
        trailer = data.get("trailer")
        return FileFormat(
            name=data["name"],
            label=data["label"],
            layout=layout,
            fields=fields,
            date_format=data["date_format"],
            amount_unit=data["amount_unit"],
            kind=TransactionKind(data["kind"]),
            source=TransactionSource(data["source"]),
            date_field=data["date_field"],
            match=match,  # type: ignore[arg-type]
            dates=tuple(data.get("dates", ())),
            periods=tuple(data.get("periods", ())),
            method=PaymentMethod(data["method"]) if "method" in data else None,
            methods={code: PaymentMethod(m) for code, m in data.get("methods", {}).items()},
            adjustment_field=data.get("adjustment_field"),
            payment_reference_field=data.get("payment_reference_field"),
            trailer=Trailer(
                prefix=trailer["prefix"],
                total=_columns(trailer["total"]),
                count=_columns(trailer["count"]) if "count" in trailer else None,
            )
            if trailer
            else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"File format {name} is not usable: {exc}") from exc


@cache
def file_formats() -> dict[str, FileFormat]:
    """Every shipped format by name."""
    formats = {}
    for path in sorted(LAYOUTS_DIR.glob("*.toml")):
        fmt = format_from_data(tomllib.loads(path.read_text(encoding="utf-8")))
        formats[fmt.name] = fmt
    return formats


def file_format(name: str) -> FileFormat:
    try:
        return file_formats()[name]
    except KeyError:
        known = ", ".join(sorted(file_formats()))
        raise ValidationError(
            {"format": f"There is no file format called {name!r}; the formats are {known}."}
        ) from None
