"""Loading a file set from the housing management system: the first load builds the
council, each later set applies only what changed.

    hms_file_set_import(directory=..., today=..., dry_run=False) -> ImportReport

1. Every file is read and checked, row by row and across files (a tenancy's property, a
   tenant's tenancy, an account's tenancy, a transaction's account), and the
   transactions are staged. Any problem refuses the whole set: every bad row is
   reported with its file, line, field and reason, and nothing is applied.
2. Each row is compared with what the service last took from the HMS (a fingerprint of
   the row, kept on its link in `integrations.models`), so an unchanged row costs a
   dictionary lookup; a changed row is compared field by field with its record.
3. In one transaction: patches, properties, tenancies (each new one opens its case),
   tenants, accounts and charges are created or updated, the transactions not yet on
   the ledger are posted (integrations/hms/ledger.py), accounts the HMS closed are
   closed, and the changes an officer should see are written to each case's timeline.

The same set applied twice changes nothing the second time: every row matches its
fingerprint and every transaction is already on the ledger. A dry run does all of
step 1 and 2 inside a transaction that is rolled back, and reports what would change.
A record absent from a file is left as it is: a set may be a full snapshot or only the
rows that changed, and an end is always a date (a tenancy's end, a tenant's move).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, Patch, Property, Tenancy, Tenant, Tenure
from core.money import format_money
from integrations.hms import child, layouts
from integrations.hms.bulk import rows_insert
from integrations.hms.layouts import REFERENCE_PREFIX
from integrations.hms.ledger import Posted, Staging, posted_now
from integrations.hms.reading import (
    PROBLEMS_KEPT,
    Problems,
    Row,
    duplicate_lines,
    file_set_checksum,
    missing_files,
    read_charges,
    read_keyed,
    read_transactions,
)
from integrations.models import HmsAccount, HmsImport, HmsLink, HmsProperty, HmsTenancy, HmsTenant
from payments.models import RENT_LAWFULLY_DUE_BY_KIND, Account, AccountKind

BATCH = 2000
# Changes listed one by one in a report; the rest are counted.
SAMPLES_PER_KIND = 10


class FileSetRefused(ValidationError):
    """Nothing was applied; `problems` names each bad row, and `count` how many."""

    def __init__(self, message: str, problems: Problems) -> None:
        self.problems = problems
        self.summary = message
        super().__init__([message, *(str(p) for p in problems.kept)])


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class ImportReport:
    directory: str
    checksum: str
    dry_run: bool
    first_load: bool = False
    # Taken straight onto the empty ledger by COPY (`_first_load`), not staged first.
    straight_onto_ledger: bool = False
    counts: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    posted: Posted = field(default_factory=Posted)
    seconds: float = 0.0
    record: HmsImport | None = None

    def note(self, kind: str, text: str = "", count: int = 1) -> None:
        self.counts[kind] += count
        if text and len(self.samples[kind]) < SAMPLES_PER_KIND:
            self.samples[kind].append(text)

    @property
    def changed(self) -> bool:
        return any(self.counts.values())

    def lines(self) -> list[str]:
        rows = []
        for kind, label in CHANGE_LABELS.items():
            if self.counts[kind]:
                rows.append(f"{label}: {self.counts[kind]:,}")
                rows += [f"  {text}" for text in self.samples.get(kind, [])]
                more = self.counts[kind] - len(self.samples.get(kind, []))
                if self.samples.get(kind) and more > 0:
                    rows.append(f"  ... and {more:,} more")
        if self.posted.lines:
            verb = "to post" if self.dry_run else "posted"
            rows.append(
                f"Transactions {verb}: {self.posted.lines:,}, net {format_money(self.posted.total)}"
            )
        if self.posted.already_posted:
            rows.append(
                f"Transactions already on the ledger, skipped: {self.posted.already_posted:,}"
            )
        if not rows:
            rows.append("Nothing has changed since the last file set.")
        return rows


CHANGE_LABELS = {
    "patch_new": "New patches",
    "property_new": "New properties",
    "property_changed": "Properties changed",
    "tenancy_new": "New tenancies (each opens a case)",
    "tenancy_ended": "Tenancies ended",
    "tenancy_changed": "Tenancies changed",
    "tenant_new": "New tenants",
    "tenant_contact_changed": "Tenants' contact details changed",
    "tenant_moved_out": "Tenants moved out",
    "tenant_changed": "Tenants changed otherwise",
    "account_new": "New accounts",
    "account_changed": "Accounts changed",
    "account_closed": "Accounts closed",
    "charge_changed": "Weekly charges changed",
}


def hms_file_set_import(*, directory: Path, today: date, dry_run: bool = False) -> ImportReport:
    """Check a whole file set and apply what changed, or refuse it naming every bad row."""
    started = time.monotonic()
    directory = Path(directory)
    problems = Problems()
    for name in missing_files(directory):
        problems.add(name, 0, "", f"is missing from {directory}")
    if problems:
        _record(str(directory), "", HmsImport.Outcome.REFUSED, problems=problems)
        raise FileSetRefused(
            f"The file set in {directory} is incomplete; nothing was applied.", problems
        )
    report = ImportReport(str(directory), file_set_checksum(directory), dry_run)
    try:
        with transaction.atomic():
            _import(directory, today, report, problems)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except FileSetRefused:
        _record(str(directory), report.checksum, HmsImport.Outcome.REFUSED, problems=problems)
        raise
    report.seconds = time.monotonic() - started
    report.record = _record(
        str(directory),
        report.checksum,
        HmsImport.Outcome.DRY_RUN if dry_run else HmsImport.Outcome.APPLIED,
        report=report,
    )
    return report


def _record(directory: str, checksum: str, outcome: str, *, problems=None, report=None):
    changes = dict(report.counts) if report else {}
    if report:
        changes["transactions_posted"] = report.posted.lines
        changes["transactions_already_posted"] = report.posted.already_posted
    return HmsImport.objects.create(
        directory=directory[:500],
        checksum=checksum,
        outcome=outcome,
        finished_at=timezone.now(),
        changes=changes,
        problems=[str(p) for p in problems.kept] if problems else [],
    )


def _refuse(directory: Path, problems: Problems) -> None:
    more = problems.count - len(problems.kept)
    extra = f" (the first {PROBLEMS_KEPT} are listed)" if more > 0 else ""
    raise FileSetRefused(
        f"The file set in {directory} was refused and nothing was applied: "
        f"{problems.count:,} problem(s){extra}.",
        problems,
    )


# --------------------------------------------------------------------------- links
def _links(model: type[HmsLink], target: str) -> dict[str, tuple[int, str]]:
    """HMS id -> (the service's record id, the fingerprint last applied)."""
    return {
        hms_id: (pk, fp)
        for hms_id, pk, fp in model.objects.values_list("hms_id", f"{target}_id", "fingerprint")
    }


@dataclass
class Known:
    properties: dict[str, tuple[int, str]]
    tenancies: dict[str, tuple[int, str]]
    tenants: dict[str, tuple[int, str]]
    accounts: dict[str, tuple[int, str]]

    @classmethod
    def load(cls) -> Known:
        return cls(
            _links(HmsProperty, "property"),
            _links(HmsTenancy, "tenancy"),
            _links(HmsTenant, "tenant"),
            _links(HmsAccount, "account"),
        )


@dataclass
class FileSet:
    properties: dict[str, Row]
    tenancies: dict[str, Row]
    tenants: dict[str, Row]
    accounts: dict[str, Row]
    charges: dict[str, tuple[int, Decimal]]


# One load at a time (beat and a command run by hand): the second waits for the first.
ADVISORY_LOCK = 0x484D53  # "HMS"


def _import(directory: Path, today: date, report: ImportReport, problems: Problems) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    rejected: dict[str, set[str]] = defaultdict(set)

    def keyed(layout: layouts.Layout) -> dict[str, Row]:
        return read_keyed(directory / layout.name, layout, problems, rejected[layout.name])

    files = FileSet(
        keyed(layouts.PROPERTIES),
        keyed(layouts.TENANCIES),
        keyed(layouts.TENANTS),
        keyed(layouts.ACCOUNTS),
        read_charges(
            directory / layouts.RENT_CHARGES.name, layouts.RENT_CHARGES, problems, today=today
        ),
    )
    known = Known.load()
    report.first_load = not known.tenancies
    _check_references(files, known, problems, rejected)
    _check_service_references(files, known, problems)

    staging = Staging()
    path = directory / layouts.TRANSACTIONS.name
    if _first_load_onto_the_ledger(staging, path, report, problems):
        _first_load(directory, path, today, report, problems, files, known, staging)
        return
    closed_on = _closed_on(files)
    known_accounts = set(files.accounts) | set(known.accounts) | rejected[layouts.ACCOUNTS.name]
    if staging.postgres and path.stat().st_size > child.CHILD_ABOVE_BYTES:
        staged = child.read_transactions_in_child(
            path,
            problems,
            known=known_accounts,
            closed_on=closed_on,
            today=today,
            add_text=staging.add_any,
        )
    else:
        staged = read_transactions(
            path,
            problems,
            known_accounts=known_accounts.__contains__,
            closed_on=closed_on,
            today=today,
            sink=staging.add,
        )
    staging.analyze()
    for hms_id, first, later in staging.duplicates(PROBLEMS_KEPT):
        _given_twice(problems, hms_id, first, later)
    _unknown_reversals(staging, problems)
    if problems:
        _refuse(directory, problems)

    report.posted.already_posted = staging.mark_already_posted()
    applier = _Applier(files, known, report, today)
    applier.apply()
    if report.dry_run:
        report.posted.lines, report.posted.total, _ = staging.to_post()
        return
    report.posted = Posted(already_posted=report.posted.already_posted)
    posted = staging.post(staged=None if report.posted.already_posted else staged)
    report.posted.lines, report.posted.total = posted.lines, posted.total
    applier.close_accounts(problems)
    if problems:
        _refuse(directory, problems)
    applier.write_events()


def _closed_on(files: FileSet) -> dict[str, date]:
    """The day each account the file set closes was closed, for the reader's checks."""
    return {
        key: row.values["closed_on"]
        for key, row in files.accounts.items()
        if row.values["closed_on"] is not None
    }


def _first_load_onto_the_ledger(
    staging: Staging, path: Path, report: ImportReport, problems: Problems
) -> bool:
    """A first load of a council's history (PostgreSQL, the ledger empty, a file big
    enough for the reading child, the other files sound) goes straight onto the ledger
    by COPY, as the seed loads it, rather than through the staging table and a second
    copy of tens of millions of lines. Anything else takes the staged path."""
    return (
        staging.postgres
        and not report.dry_run
        and not problems
        and path.stat().st_size > child.CHILD_ABOVE_BYTES
        and staging.ledger_empty()
    )


def _first_load(
    directory: Path,
    path: Path,
    today: date,
    report: ImportReport,
    problems: Problems,
    files: FileSet,
    known: Known,
    staging: Staging,
) -> None:
    """The records first, so every line can name its account's id; then the reading
    child checks each transaction and writes it as the ledger's COPY text while this
    process streams it in, with the ledger's indexes and constraints dropped and built
    once afterwards. Any bad line refuses the set, and the transaction rolls back
    everything, records and ledger alike. Reversals are staged and posted last, naming
    the lines they reverse."""
    report.straight_onto_ledger = True
    applier = _Applier(files, known, report, today)
    applier.apply()
    posted_at = posted_now()
    target = child.LedgerTarget(
        account_ids=dict(applier.account_ids), posted_at=str(posted_at), prefix=REFERENCE_PREFIX
    )
    closed_on = _closed_on(files)
    with staging.ledger_indexes_dropped():
        staged = child.read_transactions_in_child(
            path,
            problems,
            known=set(target.account_ids),
            closed_on=closed_on,
            today=today,
            add_text=staging.add_any,
            ledger=target,
        )
        if problems:
            _refuse(directory, problems)
        twice = staging.ledger_duplicates(PROBLEMS_KEPT)
        if twice:
            # The unique constraint cannot be built again over them: say what else is
            # wrong with the reversals (the slow way, without the ledger's indexes) and stop.
            _reversal_problems(path, staging, problems, also_twice=twice)
            _refuse(directory, problems)
    staging.analyze()
    _reversal_problems(path, staging, problems, also_twice=[])
    if problems:
        _refuse(directory, problems)
    staging.reversals_post(posted_at)
    staging.figures_update(staged)
    report.posted = Posted(lines=staged.lines, total=staged.total)
    applier.close_accounts(problems)
    if problems:
        _refuse(directory, problems)
    applier.write_events()


def _reversal_problems(
    path: Path, staging: Staging, problems: Problems, *, also_twice: list[str]
) -> None:
    """On a first load straight onto the ledger: ids given twice (on the ledger already,
    `also_twice`, among the staged reversals, or a reversal's own id a line already has),
    each named by its first and a later line as the staged path names them, and
    reversals of lines in neither the file nor the ledger."""
    twice = set(also_twice)
    twice.update(hms_id for hms_id, _, _ in staging.duplicates(PROBLEMS_KEPT))
    twice.update(hms_id for hms_id, _ in staging.reversals_clashing(PROBLEMS_KEPT))
    for hms_id, first, later in duplicate_lines(path, sorted(twice)):
        _given_twice(problems, hms_id, first, later)
    _unknown_reversals(staging, problems)


def _given_twice(problems: Problems, hms_id: str, first: int, later: int) -> None:
    problems.add(
        layouts.TRANSACTIONS.name,
        later,
        "transaction_id",
        f"{hms_id} is given twice (first on line {first})",
    )


def _unknown_reversals(staging: Staging, problems: Problems) -> None:
    for line, reverses in staging.unknown_reversals(PROBLEMS_KEPT):
        problems.add(
            layouts.TRANSACTIONS.name,
            line,
            "reverses",
            f"transaction {reverses} is neither in the file nor on the ledger",
        )


def _check_references(
    files: FileSet, known: Known, problems: Problems, rejected: dict[str, set[str]]
) -> None:
    """Each row's parent is in this set or was loaded before (or is a row already
    reported as bad, which is not reported again through its children)."""

    def check(
        rows: dict[str, Row], layout, column: str, parents: dict, loaded: dict, parent_layout
    ):
        what = parent_layout.key.removesuffix("_id")
        for row in rows.values():
            parent = row.values[column]
            if (
                parent not in parents
                and parent not in loaded
                and parent not in rejected[parent_layout.name]
            ):
                problems.add(
                    layout.name,
                    row.line,
                    column,
                    f"{what} {parent} is in neither {parent_layout.name} nor the service",
                )

    check(
        files.tenancies,
        layouts.TENANCIES,
        "property_id",
        files.properties,
        known.properties,
        layouts.PROPERTIES,
    )
    check(
        files.tenants,
        layouts.TENANTS,
        "tenancy_id",
        files.tenancies,
        known.tenancies,
        layouts.TENANCIES,
    )
    check(
        files.accounts,
        layouts.ACCOUNTS,
        "tenancy_id",
        files.tenancies,
        known.tenancies,
        layouts.TENANCIES,
    )
    for account, (line, _) in files.charges.items():
        if account not in files.accounts and account not in known.accounts:
            if account in rejected[layouts.ACCOUNTS.name]:
                continue
            problems.add(
                layouts.RENT_CHARGES.name,
                line,
                "account_id",
                f"account {account} is in neither accounts.csv nor the service",
            )
    leads: dict[str, int] = {}
    for row in files.tenants.values():
        if row.values["is_lead"]:
            tenancy = row.values["tenancy_id"]
            if tenancy in leads:
                problems.add(
                    layouts.TENANTS.name,
                    row.line,
                    "is_lead",
                    f"tenancy {tenancy} already has a lead tenant (line {leads[tenancy]})",
                )
            else:
                leads[tenancy] = row.line
    payment_refs: dict[str, int] = {}
    for row in files.accounts.values():
        ref = row.values["payment_reference"]
        if ref in payment_refs:
            problems.add(
                layouts.ACCOUNTS.name,
                row.line,
                "payment_reference",
                f"{ref} is the reference of another account too (line {payment_refs[ref]})",
            )
        payment_refs[ref] = row.line


def _taken(model: type[models.Model], column: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), BATCH):
        found.update(
            model.objects.filter(**{f"{column}__in": values[start : start + BATCH]}).values_list(
                column, flat=True
            )
        )
    return found


def _check_service_references(files: FileSet, known: Known, problems: Problems) -> None:
    """A new record's reference must not be one the service already uses for a record of
    its own: the HMS would otherwise take over a record it never made."""
    new_properties = [k for k in files.properties if k not in known.properties]
    for ref in sorted(_taken(Property, "reference", new_properties)):
        row = files.properties[ref]
        problems.add(
            layouts.PROPERTIES.name,
            row.line,
            "property_id",
            f"the service already has a property {ref} that was not loaded from the HMS",
        )
    new_tenancies = [k for k in files.tenancies if k not in known.tenancies]
    taken = _taken(Tenancy, "reference", new_tenancies) | _taken(Case, "reference", new_tenancies)
    for ref in sorted(taken):
        row = files.tenancies[ref]
        problems.add(
            layouts.TENANCIES.name,
            row.line,
            "tenancy_id",
            f"the service already has a tenancy or case {ref} not loaded from the HMS",
        )
    ours = {pk for pk, _ in known.accounts.values()}
    by_ref = {row.values["payment_reference"]: key for key, row in files.accounts.items()}
    refs = list(by_ref)
    holders: dict[str, int] = {}
    for start in range(0, len(refs), BATCH):
        holders.update(
            Account.objects.filter(reference__in=refs[start : start + BATCH]).values_list(
                "reference", "pk"
            )
        )
    for ref, pk in sorted(holders.items()):
        key = by_ref[ref]
        mine = known.accounts.get(key, (None,))[0]
        if pk != mine:
            whose = (
                "an account the HMS loaded as another account"
                if pk in ours
                else ("an account that was not loaded from the HMS")
            )
            problems.add(
                layouts.ACCOUNTS.name,
                files.accounts[key].line,
                "payment_reference",
                f"{ref} is already the reference of {whose}",
            )


# --------------------------------------------------------------------------- applying
def _property_fields(v: dict[str, Any], patch_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "reference": v["property_id"],
        "kind": v["kind"],
        "address_line_1": v["address_line_1"],
        "address_line_2": v["address_line_2"] or "",
        "town": v["town"],
        "postcode": v["postcode"],
        "bedrooms": v["bedrooms"],
        "patch_id": patch_ids[v["patch_code"]],
    }


def _tenancy_fields(v: dict[str, Any], property_id: int) -> dict[str, Any]:
    weekday = v["period_start_weekday"]
    return {
        "reference": v["tenancy_id"],
        "property_id": property_id,
        "tenure": v["tenure"],
        "rent_period": v["rent_period"],
        "period_start_weekday": None if weekday is None else weekday - 1,
        "period_anchor": v["period_anchor"],
        "period_start_day": v["period_start_day"],
        "start_date": v["start_date"],
        "end_date": v["end_date"],
        "trial_period_end": v["trial_period_end"],
        "fixed_term_end": v["fixed_term_end"],
        "landlord_name": v["landlord_name"] or "",
        "landlord_registered_provider": bool(v["landlord_registered_provider"]),
        "ta_duty": v["ta_duty"] or "",
    }


def _tenant_fields(v: dict[str, Any], tenancy_id: int) -> dict[str, Any]:
    return {
        "tenancy_id": tenancy_id,
        "is_lead": v["is_lead"],
        "is_tenant": v["is_tenant"],
        "title": v["title"] or "",
        "first_name": v["first_name"],
        "last_name": v["last_name"],
        "date_of_birth": v["date_of_birth"],
        "phone": v["phone"] or "",
        "mobile": v["mobile"] or "",
        "email": v["email"] or "",
        "preferred_contact": v["preferred_contact"] or Tenant.PreferredContact.PHONE,
        "language": v["language"] or "English",
        "needs_interpreter": bool(v["needs_interpreter"]),
        "preferred_format": v["preferred_format"] or Tenant.Format.STANDARD,
        "communication_needs": v["communication_needs"] or "",
        "moved_out_on": v["moved_out_on"],
    }


def _account_fields(v: dict[str, Any], tenancy_id: int, case_id: int) -> dict[str, Any]:
    return {
        "reference": v["payment_reference"],
        "tenancy_id": tenancy_id,
        "case_id": case_id,
        "kind": v["kind"],
        "rent_lawfully_due": RENT_LAWFULLY_DUE_BY_KIND[v["kind"]],
        "opened_on": v["opened_on"],
    }


def _chunks(values: list, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load(model: type[models.Model], pks: list[int], **related) -> dict[int, Any]:
    found = {}
    for chunk in _chunks(pks):
        query = model.objects.filter(pk__in=chunk)
        if related:
            query = query.select_related(*related["select"])
        found.update((obj.pk, obj) for obj in query)
    return found


def _diff(obj: models.Model, wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(obj, name), value)
        for name, value in wanted.items()
        if getattr(obj, name) != value
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class _Applier:
    """Works out and writes what changed. In a dry run only the counts are kept: the
    writes happen all the same inside the rolled-back transaction, so a dry run reports
    exactly what applying would do."""

    def __init__(self, files: FileSet, known: Known, report: ImportReport, today: date) -> None:
        self.files = files
        self.known = known
        self.report = report
        self.today = today
        self.now = timezone.now()
        self.events: list[CaseEvent] = []
        self.property_ids = {k: pk for k, (pk, _) in known.properties.items()}
        self.tenancy_ids = {k: pk for k, (pk, _) in known.tenancies.items()}
        self.account_ids = {k: pk for k, (pk, _) in known.accounts.items()}
        self.case_of_tenancy: dict[int, int] = {}
        self.closing: list[tuple[str, Row]] = []

    def _split(self, rows: dict[str, Row], links: dict[str, tuple[int, str]]):
        new, changed = [], []
        for key, row in rows.items():
            link = links.get(key)
            if link is None:
                new.append((key, row))
            elif link[1] != row.fingerprint:
                changed.append((key, row, link[0]))
        return new, changed

    def _event(self, case_id: int | None, verb: str, payload: dict[str, Any]) -> None:
        if case_id is not None:
            self.events.append(
                CaseEvent(
                    case_id=case_id, actor=None, verb=verb, payload=payload, occurred_at=self.now
                )
            )

    def _link(self, model, target: str, new: list[tuple[str, Row]], ids: list[int]) -> None:
        rows_insert(
            model,
            [
                {
                    "hms_id": key,
                    "fingerprint": row.fingerprint,
                    "synced_at": self.now,
                    f"{target}_id": pk,
                }
                for (key, row), pk in zip(new, ids, strict=True)
            ],
        )

    def _relink(self, model, items: list[tuple[str, str]]) -> None:
        for key, fp in items:
            model.objects.filter(hms_id=key).update(fingerprint=fp, synced_at=self.now)

    def apply(self) -> None:
        self._patches()
        self._properties()
        self._tenancies()
        self._tenants()
        self._accounts()
        self._charges()

    # ----------------------------------------------------------------- patches
    def _patches(self) -> None:
        codes = {
            row.values["patch_code"]: row.values["patch_name"]
            for row in self.files.properties.values()
        }
        existing = dict(Patch.objects.filter(code__in=list(codes)).values_list("code", "pk"))
        missing = [
            Patch(code=c, name=n or f"Patch {c}")
            for c, n in sorted(codes.items())
            if c not in existing
        ]
        for patch in missing:
            self.report.note("patch_new", f"{patch.code} {patch.name}")
        Patch.objects.bulk_create(missing)
        self.patch_ids = dict(Patch.objects.filter(code__in=list(codes)).values_list("code", "pk"))

    # ----------------------------------------------------------------- properties
    def _properties(self) -> None:
        new, changed = self._split(self.files.properties, self.known.properties)
        rows = [_property_fields(row.values, self.patch_ids) for _, row in new]
        ids = rows_insert(Property, rows)
        for (key, _row), fields, pk in zip(new, rows, ids, strict=True):
            self.property_ids[key] = pk
            self.report.note(
                "property_new", f"{key} {fields['address_line_1']}, {fields['postcode']}"
            )
        self._link(HmsProperty, "property", new, ids)
        objs = _load(Property, [pk for _, _, pk in changed])
        moved_patch: list[tuple[int, int, int]] = []
        for key, row, pk in changed:
            obj = objs[pk]
            diff = _diff(obj, _property_fields(row.values, self.patch_ids))
            if "patch_id" in diff:
                moved_patch.append((pk, *diff["patch_id"]))
            for name, (_, value) in diff.items():
                setattr(obj, name, value)
            if diff:
                obj.save(update_fields=list(diff))
                self.report.note("property_changed", f"{key}: {', '.join(sorted(diff))}")
        self._relink(HmsProperty, [(k, r.fingerprint) for k, r, _ in changed])
        codes = {pk: code for code, pk in self.patch_ids.items()}
        for property_id, old, new_patch in moved_patch:
            for case in Case.objects.filter(
                tenancy__property_id=property_id, status=Case.Status.OPEN
            ):
                Case.objects.filter(pk=case.pk).update(patch_id=new_patch)
                self._event(
                    case.pk,
                    "case_patch_changed",
                    {
                        "from": Patch.objects.get(pk=old).code if old else "",
                        "to": codes.get(new_patch, ""),
                        "source": "hms",
                    },
                )

    # ----------------------------------------------------------------- tenancies
    def _tenancies(self) -> None:
        new, changed = self._split(self.files.tenancies, self.known.tenancies)
        patch_of_property = (
            dict(
                Property.objects.filter(
                    pk__in=[self.property_ids[r.values["property_id"]] for _, r in new]
                ).values_list("pk", "patch_id")
            )
            if len(new) < 50_000
            else dict(Property.objects.values_list("pk", "patch_id"))
        )
        tenancies = [
            _tenancy_fields(row.values, self.property_ids[row.values["property_id"]])
            for _, row in new
        ]
        ids = rows_insert(Tenancy, tenancies)
        # Each new tenancy opens its case, on its property's patch, carrying its tenure
        # (cases.Case.tenure), from the day the tenancy started.
        case_ids = rows_insert(
            Case,
            [
                {
                    "reference": t["reference"],
                    "tenancy_id": pk,
                    "patch_id": patch_of_property[t["property_id"]],
                    "tenure": t["tenure"],
                    "opened_on": t["start_date"],
                }
                for t, pk in zip(tenancies, ids, strict=True)
            ],
        )
        for (key, _row), tenancy, pk, case_id in zip(new, tenancies, ids, case_ids, strict=True):
            self.tenancy_ids[key] = pk
            self.case_of_tenancy[pk] = case_id
            self.report.note(
                "tenancy_new",
                f"{key} ({Tenure(tenancy['tenure']).label}) from {tenancy['start_date']}",
            )
            if not self.report.first_load:
                self._event(
                    case_id,
                    "tenancy_loaded",
                    {
                        "tenancy": key,
                        "tenure": tenancy["tenure"],
                        "start_date": tenancy["start_date"].isoformat(),
                    },
                )
        self._link(HmsTenancy, "tenancy", new, ids)

        objs = _load(Tenancy, [pk for _, _, pk in changed])
        self._cases_of([pk for _, _, pk in changed])
        for key, row, pk in changed:
            obj = objs[pk]
            diff = _diff(
                obj, _tenancy_fields(row.values, self.property_ids[row.values["property_id"]])
            )
            if not diff:
                continue
            for name, (_, value) in diff.items():
                setattr(obj, name, value)
            # Tenancy.save keeps each case's copy of the tenure in step.
            obj.save(update_fields=list(diff))
            case_id = self.case_of_tenancy.get(pk)
            if "end_date" in diff and obj.end_date is not None:
                self.report.note("tenancy_ended", f"{key} on {obj.end_date}")
                self._event(
                    case_id,
                    "tenancy_ended",
                    {
                        "tenancy": key,
                        "ended_on": obj.end_date.isoformat(),
                        "source": "hms",
                    },
                )
                rest = sorted(set(diff) - {"end_date"})
            else:
                rest = sorted(diff)
            if rest:
                self.report.note("tenancy_changed", f"{key}: {', '.join(rest)}")
                self._event(
                    case_id,
                    "tenancy_details_changed",
                    {
                        "tenancy": key,
                        "changes": {n: [_plain(diff[n][0]), _plain(diff[n][1])] for n in rest},
                    },
                )
        self._relink(HmsTenancy, [(k, r.fingerprint) for k, r, _ in changed])

    def _cases_of(self, tenancy_ids: list[int]) -> None:
        wanted = [t for t in tenancy_ids if t not in self.case_of_tenancy]
        for chunk in _chunks(wanted):
            # A tenancy's first case is the one the HMS load opened (or an officer's).
            for tenancy_id, case_id in (
                Case.objects.filter(tenancy_id__in=chunk)
                .order_by("-id")
                .values_list("tenancy_id", "pk")
            ):
                self.case_of_tenancy[tenancy_id] = case_id

    # ----------------------------------------------------------------- tenants
    def _tenants(self) -> None:
        new, changed = self._split(self.files.tenants, self.known.tenants)
        # The lead tenant moves: the old lead's flag is cleared first, as the database
        # allows one lead per tenancy at a time.
        lead_of = {
            self.tenancy_ids[row.values["tenancy_id"]]: key
            for key, row in [*new, *((k, r) for k, r, _ in changed)]
            if row.values["is_lead"]
        }
        keep = {self.known.tenants[k][0] for k in lead_of.values() if k in self.known.tenants}
        for chunk in _chunks([] if self.report.first_load else list(lead_of)):
            Tenant.objects.filter(tenancy_id__in=chunk, is_lead=True).exclude(pk__in=keep).update(
                is_lead=False
            )

        people = [
            _tenant_fields(row.values, self.tenancy_ids[row.values["tenancy_id"]]) for _, row in new
        ]
        ids = rows_insert(Tenant, people)
        first_load = self.report.first_load
        self._cases_of([] if first_load else [p["tenancy_id"] for p in people])
        for (key, _), person in zip(new, people, strict=True):
            name = " ".join(
                p for p in (person["title"], person["first_name"], person["last_name"]) if p
            )
            self.report.note("tenant_new", f"{key} {name}")
            if not first_load and person["tenancy_id"] in self.known_tenancy_pks():
                self._event(
                    self.case_of_tenancy.get(person["tenancy_id"]),
                    "tenant_added",
                    {"tenant": name, "is_tenant": person["is_tenant"], "source": "hms"},
                )
        self._link(HmsTenant, "tenant", new, ids)

        objs = _load(Tenant, [pk for _, _, pk in changed])
        self._cases_of([o.tenancy_id for o in objs.values()])
        for key, row, pk in changed:
            obj = objs[pk]
            diff = _diff(
                obj, _tenant_fields(row.values, self.tenancy_ids[row.values["tenancy_id"]])
            )
            if not diff:
                continue
            for name, (_, value) in diff.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(diff))
            case_id = self.case_of_tenancy.get(obj.tenancy_id)
            contact = [n for n in layouts.CONTACT_FIELDS if n in diff]
            if contact:
                self.report.note(
                    "tenant_contact_changed", f"{key} {obj.full_name}: {', '.join(contact)}"
                )
                self._event(
                    case_id,
                    "tenant_contact_changed",
                    {
                        "tenant": obj.full_name,
                        "changes": {n: [diff[n][0], diff[n][1]] for n in contact},
                        "source": "hms",
                    },
                )
            if "moved_out_on" in diff and obj.moved_out_on is not None:
                self.report.note("tenant_moved_out", f"{key} {obj.full_name} on {obj.moved_out_on}")
                self._event(
                    case_id,
                    "tenant_moved_out",
                    {
                        "tenant": obj.full_name,
                        "moved_out_on": obj.moved_out_on.isoformat(),
                        "source": "hms",
                    },
                )
            rest = sorted(set(diff) - set(contact) - {"moved_out_on"})
            if rest:
                self.report.note("tenant_changed", f"{key}: {', '.join(rest)}")
        self._relink(HmsTenant, [(k, r.fingerprint) for k, r, _ in changed])

    def known_tenancy_pks(self) -> set[int]:
        if not hasattr(self, "_known_tenancy_pks"):
            self._known_tenancy_pks = {pk for pk, _ in self.known.tenancies.values()}
        return self._known_tenancy_pks

    # ----------------------------------------------------------------- accounts
    def _accounts(self) -> None:
        new, changed = self._split(self.files.accounts, self.known.accounts)
        self._cases_of([self.tenancy_ids[r.values["tenancy_id"]] for _, r in new])
        accounts = []
        for key, row in new:
            tenancy_id = self.tenancy_ids[row.values["tenancy_id"]]
            charge = self.files.charges.get(key)
            accounts.append(
                {
                    **_account_fields(row.values, tenancy_id, self.case_of_tenancy[tenancy_id]),
                    "status": Account.Status.OPEN,
                    "weekly_charge": charge[1] if charge else Decimal("0.00"),
                    "balance": Decimal("0.00"),
                }
            )
        ids = rows_insert(Account, accounts)
        for (key, row), account, pk in zip(new, accounts, ids, strict=True):
            self.account_ids[key] = pk
            self.report.note(
                "account_new",
                f"{key} {account['reference']} ({AccountKind(account['kind']).label})",
            )
            if row.values["closed_on"] is not None:
                self.closing.append((key, row))
        self._link(HmsAccount, "account", new, ids)

        objs = _load(Account, [pk for _, _, pk in changed])
        for key, row, pk in changed:
            obj = objs[pk]
            wanted = _account_fields(row.values, obj.tenancy_id, obj.case_id)
            diff = _diff(obj, wanted)
            if row.values["closed_on"] is not None and obj.is_open:
                self.closing.append((key, row))
            elif row.values["closed_on"] is None and not obj.is_open:
                diff["status"] = (obj.status, Account.Status.OPEN)
                diff["closed_on"] = (obj.closed_on, None)
            if not diff:
                continue
            for name, (_, value) in diff.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(diff))
            self.report.note("account_changed", f"{key}: {', '.join(sorted(diff))}")
        self._relink(HmsAccount, [(k, r.fingerprint) for k, r, _ in changed])

    def _charges(self) -> None:
        """The weekly charge in force today on each account the file charges; a new
        account took its charge when it was made."""
        new = set(self.account_ids.values()) - {pk for pk, _ in self.known.accounts.values()}
        wanted = {
            self.account_ids[k]: charge
            for k, (_, charge) in self.files.charges.items()
            if self.account_ids[k] not in new
        }
        changed = []
        for chunk in _chunks(list(wanted)):
            for account in Account.objects.filter(pk__in=chunk).only("pk", "weekly_charge"):
                if account.weekly_charge != wanted[account.pk]:
                    account.weekly_charge = wanted[account.pk]
                    changed.append(account)
        Account.objects.bulk_update(changed, ["weekly_charge"], batch_size=500)
        hms_id = {pk: key for key, pk in self.account_ids.items()}
        for account in changed[:SAMPLES_PER_KIND]:
            self.report.note(
                "charge_changed",
                f"{hms_id[account.pk]}: {format_money(account.weekly_charge)} a week",
            )
        if len(changed) > SAMPLES_PER_KIND:
            self.report.note("charge_changed", count=len(changed) - SAMPLES_PER_KIND)

    # ----------------------------------------------------------------- after posting
    def close_accounts(self, problems: Problems) -> None:
        """An account the HMS closed closes here once its lines are posted, if it owes
        nothing and is owed nothing (as payments.services.account_close requires)."""
        for key, row in self.closing:
            account = Account.objects.select_for_update().get(pk=self.account_ids[key])
            if account.balance != 0:
                problems.add(
                    layouts.ACCOUNTS.name,
                    row.line,
                    "closed_on",
                    f"account {key} is closed in the HMS but its balance after this set's "
                    f"transactions is {format_money(account.balance)}: the HMS must clear it first",
                )
                continue
            Account.objects.filter(pk=account.pk).update(
                status=Account.Status.CLOSED, closed_on=row.values["closed_on"]
            )
            self.report.note("account_closed", f"{key} on {row.values['closed_on']}")

    def write_events(self) -> None:
        CaseEvent.objects.bulk_create(self.events, batch_size=BATCH)
