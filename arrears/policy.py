"""The escalation policy: thresholds as data, versioned, with the source of each default.

The document is plain JSON (Decimal amounts as strings) so a manager can read it on a
page, an administrator can change it through a form, and a proposed version can be
previewed from a file (`manage.py policy_preview --policy FILE`). Every setting is
declared once in `SETTINGS` with its label, bounds and source; validation, the form
and the policy page are all generated from that list.

The ladders (which rungs each tenure has, which notice it uses) are law and live in
code (`arrears/rules.py`, `arrears/ladder.py`); the numbers that decide when a case
climbs a rung are policy and live here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from arrears.models import LetterKind

# Ladders: one per tenure, plus former tenants and other debts (legal-reference.md §16).
POSSESSION_RUNGS = (
    "early_contact",
    "letter_1",
    "letter_2",
    "pre_notice",
    "notice",
    "pre_court",
    "court",
)
GARAGE_RUNGS = ("early_contact", "letter_1", "letter_2", "notice", "court")
LEASEHOLD_RUNGS = ("early_contact", "letter_1", "pre_court")
DEBT_RUNGS = ("early_contact", "pre_court")

LADDER_RUNGS: dict[str, tuple[str, ...]] = {
    "secure": POSSESSION_RUNGS,
    "introductory": POSSESSION_RUNGS,
    "flexible": POSSESSION_RUNGS,
    "non_secure_tenancy": POSSESSION_RUNGS,
    "non_secure_licence": POSSESSION_RUNGS,
    "assured": POSSESSION_RUNGS,
    "cooperative": POSSESSION_RUNGS,
    "garage": GARAGE_RUNGS,
    "leasehold": LEASEHOLD_RUNGS,
    "shared_ownership": LEASEHOLD_RUNGS,
    "former_tenant": DEBT_RUNGS,
    "other_debts": DEBT_RUNGS,
}

LADDER_LABELS = {
    "secure": "Secure tenancies",
    "introductory": "Introductory tenancies",
    "flexible": "Flexible tenancies",
    "non_secure_tenancy": "Non-secure tenancies (temporary accommodation)",
    "non_secure_licence": "Licences (temporary accommodation)",
    "assured": "Assured tenancies (council companies)",
    "cooperative": "Fully mutual co-operative",
    "garage": "Garages",
    "leasehold": "Leasehold service charges",
    "shared_ownership": "Shared ownership",
    "former_tenant": "Former tenants",
    "other_debts": "Other debts (repairs, court costs)",
}

RUNG_LABELS = {
    "early_contact": "Early contact",
    "letter_1": "Letter 1",
    "letter_2": "Letter 2",
    "pre_notice": "Pre-notice warning",
    "notice": "Notice",
    "pre_court": "Pre-court",
    "court": "Court",
}

# Rung labels where a ladder uses a rung for something else.
RUNG_LABELS_BY_LADDER = {
    "leasehold": {
        "early_contact": "Reminder",
        "letter_1": "Formal demand",
        "pre_court": "Refer for determination",
    },
    "former_tenant": {"early_contact": "Contact", "pre_court": "Refer for recovery"},
    "other_debts": {"early_contact": "Contact", "pre_court": "Refer for recovery"},
    "garage": {"notice": "Garage notice to quit", "court": "Recover the garage"},
}
RUNG_LABELS_BY_LADDER["shared_ownership"] = RUNG_LABELS_BY_LADDER["leasehold"]

LADDER_SOURCES = {
    "possession": (
        "legal-reference.md §16 suggested default ladder: letter 1 at 2 weeks, letter 2 at "
        "3-4 weeks, pre-notice warning and notice at 4 weeks (Welwyn Hatfield, Sheffield, "
        "Uttlesford), court at 8 weeks (Sheffield), the pre-court letter at least 14 days "
        "before issue; Hackney's £10 minimum for letters (peer-hackney.md §2)"
    ),
    "garage": "East Devon DC: garage notice at 4 weeks' arrears (legal-reference.md §16)",
    "leasehold": (
        "legal-reference.md §6: demand, reminder, s166/s21B demand, then determination "
        "(HA 1996 s81); forfeiture only above £350 or after 3 years (CLRA 2002 s167)"
    ),
    "debt": "legal-reference.md §13: contact, trace, recovery agency, write-off",
}


def rung_label(ladder: str, rung: str) -> str:
    return RUNG_LABELS_BY_LADDER.get(ladder, {}).get(rung, RUNG_LABELS[rung])


def _rung(weeks: str, min_amount: str, gap_days: int) -> dict[str, Any]:
    return {"weeks": weeks, "min_amount": min_amount, "gap_days": gap_days}


def _possession_ladder() -> dict[str, dict[str, Any]]:
    return {
        "early_contact": _rung("1.0", "5.00", 0),
        "letter_1": _rung("2.0", "10.00", 7),
        "letter_2": _rung("3.0", "10.00", 14),
        "pre_notice": _rung("4.0", "10.00", 14),
        "notice": _rung("4.0", "10.00", 14),
        "pre_court": _rung("8.0", "10.00", 0),
        "court": _rung("8.0", "10.00", 14),
    }


def default_document() -> dict[str, Any]:
    """The policy a new installation starts from, each figure traceable to a source."""
    ladders: dict[str, dict[str, Any]] = {
        tenure: _possession_ladder()
        for tenure, rungs in LADDER_RUNGS.items()
        if rungs == POSSESSION_RUNGS
    }
    ladders["garage"] = {
        "early_contact": _rung("1.0", "5.00", 0),
        "letter_1": _rung("2.0", "10.00", 7),
        "letter_2": _rung("3.0", "10.00", 14),
        "notice": _rung("4.0", "10.00", 14),
        "court": _rung("8.0", "10.00", 28),
    }
    leasehold = {
        "early_contact": _rung("0.0", "10.00", 0),
        "letter_1": _rung("0.0", "100.00", 28),
        "pre_court": _rung("0.0", "350.00", 42),
    }
    ladders["leasehold"] = copy.deepcopy(leasehold)
    ladders["shared_ownership"] = copy.deepcopy(leasehold)
    ladders["former_tenant"] = {
        "early_contact": _rung("0.0", "10.00", 0),
        "pre_court": _rung("0.0", "50.00", 28),
    }
    ladders["other_debts"] = {
        "early_contact": _rung("0.0", "10.00", 0),
        "pre_court": _rung("0.0", "100.00", 28),
    }
    return {
        "weeks_basis": "net",
        "automatic_letters": [
            LetterKind.ARREARS_LETTER_1.value,
            LetterKind.ARREARS_LETTER_2.value,
            LetterKind.PRE_NOTICE_WARNING.value,
            LetterKind.ARRANGEMENT_MISSED.value,
            LetterKind.ARRANGEMENT_BROKEN.value,
            LetterKind.NOTICE_OF_DEFAULT.value,
            LetterKind.PRE_ACTION_PROTOCOL.value,
            LetterKind.COURT_HEARING.value,
        ],
        "letters": {"repeat_after_days": 28},
        "messages": {"early_contact": "off"},
        "arrangements": {
            "tolerance_working_days": 5,
            "tolerance_amount": "5.00",
            "broken_after_missed_payments": "2.0",
        },
        "technical": {
            "grace_working_days": 5,
            "lag_days_weekly": 0,
            "lag_days_fortnightly": 0,
            "lag_days_four_weekly": 28,
            "lag_days_monthly": 35,
            "payment_tolerance_percent": "2.0",
        },
        "legal": {
            "assessment_max_age_days": 90,
            "hearing_preparation_days": 10,
            "breach_remedy_days": 14,
            "eviction_checks_days": 14,
            "rra_social_housing_from": None,
        },
        "former_tenants": {"write_off_below": "50.00"},
        "ladders": ladders,
    }


@dataclass(frozen=True)
class Setting:
    """One number (or choice) in the policy, with what it means and where it comes from."""

    path: tuple[str, ...]
    label: str
    kind: str  # weeks, money, days, working_days, decimal, choice, date, letters
    source: str = ""
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False

    @property
    def key(self) -> str:
        return "__".join(self.path)

    @property
    def section(self) -> str:
        return self.path[0] if self.path[0] != "ladders" else self.path[1]


def _ladder_settings() -> list[Setting]:
    settings = []
    for ladder, rungs in LADDER_RUNGS.items():
        family = (
            "garage"
            if ladder == "garage"
            else "leasehold"
            if rungs == LEASEHOLD_RUNGS
            else "debt"
            if rungs == DEBT_RUNGS
            else "possession"
        )
        for rung in rungs:
            name = rung_label(ladder, rung)
            base = ("ladders", ladder, rung)
            settings += [
                Setting(
                    (*base, "weeks"),
                    f"{name}: weeks in arrears",
                    "weeks",
                    LADDER_SOURCES[family],
                    Decimal("0"),
                    Decimal("52"),
                ),
                Setting(
                    (*base, "min_amount"),
                    f"{name}: at least this much owed",
                    "money",
                    LADDER_SOURCES[family],
                    Decimal("0"),
                    Decimal("100000"),
                ),
                Setting(
                    (*base, "gap_days"),
                    f"{name}: days after the previous stage",
                    "days",
                    LADDER_SOURCES[family],
                    0,
                    365,
                ),
            ]
    return settings


SETTINGS: tuple[Setting, ...] = (
    Setting(
        ("weeks_basis",),
        "Weeks in arrears are counted in weeks of",
        "choice",
        "legal-reference.md §16: 'weeks' means the net weekly charge after Housing Benefit; "
        "gross is the charge before benefit",
        choices=(("net", "net rent (after Housing Benefit)"), ("gross", "gross rent")),
    ),
    Setting(
        ("automatic_letters",),
        "Letters the nightly run may send without an officer",
        "letters",
        "Letters only: notices, claims and warrants always need a person (UK GDPR Art 22A-D)",
    ),
    Setting(
        ("letters", "repeat_after_days"),
        "Do not send the same letter again within (days)",
        "days",
        "Hackney did not repeat letter 1 within 3 months (peer-hackney.md §2)",
        0,
        365,
    ),
    Setting(
        ("messages", "early_contact"),
        "When the run first recommends early contact, send a reminder by",
        "choice",
        "Before letter 1: a text or email through GOV.UK Notify, to each tenant who has "
        "not opted out (notices/messaging); off unless switched on",
        choices=(
            ("off", "nothing: no automatic message"),
            ("sms", "text message"),
            ("email", "email"),
            ("preferred", "text or email, as the tenant prefers (text if no preference)"),
        ),
        optional=True,
    ),
    Setting(
        ("arrangements", "tolerance_working_days"),
        "Arrangement: working days' grace after a payment falls due",
        "working_days",
        "Local policy; Hackney used 5 calendar days (peer-hackney.md §3). Working days so a "
        "bank holiday does not count against the tenant",
        0,
        30,
    ),
    Setting(
        ("arrangements", "tolerance_amount"),
        "Arrangement: shortfall ignored up to",
        "money",
        "Local policy; Hackney's zero tolerance broke arrangements over pennies "
        "(peer-hackney.md §9)",
        Decimal("0"),
        Decimal("1000"),
    ),
    Setting(
        ("arrangements", "broken_after_missed_payments"),
        "Arrangement: broken when this many payments short",
        "decimal",
        "PAP ¶11: warn and give clear time to put a breach right before it counts as broken",
        Decimal("1"),
        Decimal("12"),
    ),
    Setting(
        ("technical", "grace_working_days"),
        "Technical arrears: working days a regular payment may be late",
        "working_days",
        "Local policy",
        0,
        30,
    ),
    Setting(
        ("technical", "lag_days_weekly"),
        "Technical arrears: days in arrears of a weekly payer",
        "days",
        "Paid in advance: only the rent since the last payment is in transit",
        0,
        60,
    ),
    Setting(
        ("technical", "lag_days_fortnightly"),
        "Technical arrears: days in arrears of a fortnightly payer",
        "days",
        "Housing Benefit is paid fortnightly in arrears for the period before (§11)",
        0,
        60,
    ),
    Setting(
        ("technical", "lag_days_four_weekly"),
        "Technical arrears: days in arrears of a four-weekly payer",
        "days",
        "Housing Benefit four-weekly in arrears; UC 'about every 28 days in arrears' (§11)",
        0,
        70,
    ),
    Setting(
        ("technical", "lag_days_monthly"),
        "Technical arrears: days in arrears of a monthly payer",
        "days",
        "UC is paid monthly in arrears, about 7 days after each assessment period; claimants "
        "'remain 4 weeks in arrears throughout their tenancy' (legal-reference.md §11, jliving)",
        0,
        70,
    ),
    Setting(
        ("technical", "payment_tolerance_percent"),
        "Technical arrears: a regular payment may be short by (per cent)",
        "decimal",
        "Local policy: rounding of monthly equivalents (weekly x charge weeks / 12, §16)",
        Decimal("0"),
        Decimal("50"),
    ),
    Setting(
        ("legal", "assessment_max_age_days"),
        "Proportionality assessment: valid for (days)",
        "days",
        "legal-reference.md §14: block progression if missing or older than a configured age",
        1,
        730,
    ),
    Setting(
        ("legal", "hearing_preparation_days"),
        "Hearing: prepare this many days before",
        "days",
        "PAP: statements and HB/UC position at least 10 days before the hearing (§8)",
        10,
        60,
    ),
    Setting(
        ("legal", "breach_remedy_days"),
        "Breach of order: days to put it right before enforcement",
        "days",
        "§16 S10: give clear time (7-14 days) after the first breach",
        7,
        60,
    ),
    Setting(
        ("legal", "eviction_checks_days"),
        "Eviction: final checks this many days before",
        "days",
        "N54 gives at least 2 weeks' notice of the eviction (§9)",
        1,
        60,
    ),
    Setting(
        ("legal", "rra_social_housing_from"),
        "Social housing assured tenancies move to Form 3A from",
        "date",
        "legal-reference.md §0: a dated switch, off until a commencement order is confirmed",
        optional=True,
    ),
    Setting(
        ("former_tenants", "write_off_below"),
        "Former tenants: consider writing off balances below",
        "money",
        "Welwyn Hatfield: under £50 written off by the line manager (§13)",
        Decimal("0"),
        Decimal("5000"),
    ),
    *_ladder_settings(),
)
SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}


class PolicyError(ValueError):
    """A policy document that cannot be used; `errors` maps setting keys to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def _get(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = document
    for part in path:
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = document
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def setting_value(document: dict[str, Any], setting: Setting) -> Any:
    return _get(document, setting.path)


def _leaf_paths(document: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(document, dict):
        paths = []
        for key, value in document.items():
            paths += _leaf_paths(value, (*prefix, str(key)))
        return paths
    return [prefix]


def _clean_value(setting: Setting, raw: Any) -> tuple[Any, str | None]:
    """The value as stored in the document, or an error message naming the setting."""
    name = setting.label
    if setting.kind in ("weeks", "money", "decimal"):
        try:
            value = Decimal(str(raw).strip().lstrip("£"))
        except (InvalidOperation, TypeError):
            return (
                raw,
                f"{name}: enter a number, like {'4.0' if setting.kind == 'weeks' else '10.00'}",
            )
        if not value.is_finite():
            return raw, f"{name}: enter a number"
        if setting.minimum is not None and value < setting.minimum:
            return raw, f"{name}: must be at least {setting.minimum}"
        if setting.maximum is not None and value > setting.maximum:
            return raw, f"{name}: must be no more than {setting.maximum}"
        places = Decimal("0.01") if setting.kind == "money" else Decimal("0.1")
        if value != value.quantize(places):
            return raw, f"{name}: use at most {2 if setting.kind == 'money' else 1} decimal places"
        return str(value.quantize(places)), None
    if setting.kind in ("days", "working_days"):
        if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
            return raw, f"{name}: enter a whole number of days"
        value = int(str(raw).strip())
        if setting.minimum is not None and value < setting.minimum:
            return raw, f"{name}: must be at least {setting.minimum}"
        if setting.maximum is not None and value > setting.maximum:
            return raw, f"{name}: must be no more than {setting.maximum}"
        return value, None
    if setting.kind == "choice":
        allowed = [value for value, _ in setting.choices]
        if raw not in allowed:
            return raw, f"{name}: choose one of {', '.join(allowed)}"
        return raw, None
    if setting.kind == "date":
        if raw in (None, ""):
            return None, None
        try:
            return date.fromisoformat(str(raw)).isoformat(), None
        except ValueError:
            return raw, f"{name}: enter a date like 2027-04-01"
    if setting.kind == "letters":
        if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
            return raw, f"{name}: give a list of letters"
        unknown = [v for v in raw if v not in LetterKind.values]
        if unknown:
            return raw, f"{name}: no such letter: {', '.join(unknown)}"
        return [v for v in LetterKind.values if v in raw], None
    raise AssertionError(setting.kind)


def validate_document(document: dict[str, Any]) -> dict[str, Any]:
    """A complete, normalised copy of the document, or PolicyError naming every problem."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if not isinstance(document, dict):
        raise PolicyError({"document": "The policy must be a JSON object"})
    known = {setting.path for setting in SETTINGS}
    for path in _leaf_paths(document):
        if path not in known and not (path and path[0] == "automatic_letters"):
            errors["__".join(path)] = f"There is no policy setting called {'.'.join(path)}"
    for setting in SETTINGS:
        try:
            raw = _get(document, setting.path)
        except KeyError:
            if setting.optional:
                _set(clean, setting.path, None)
                continue
            errors[setting.key] = f"{setting.label}: missing"
            continue
        value, error = _clean_value(setting, raw)
        if error:
            errors[setting.key] = error
        _set(clean, setting.path, value)
    if not errors:
        errors.update(_ladder_order_errors(clean))
    if errors:
        raise PolicyError(errors)
    return clean


def _ladder_order_errors(document: dict[str, Any]) -> dict[str, str]:
    """Each rung needs at least the weeks of the one before it, or the ladder cannot be climbed."""
    errors = {}
    for ladder, rungs in LADDER_RUNGS.items():
        previous = None
        for rung in rungs:
            weeks = Decimal(document["ladders"][ladder][rung]["weeks"])
            if previous is not None and weeks < previous[1]:
                key = f"ladders__{ladder}__{rung}__weeks"
                errors[key] = (
                    f"{LADDER_LABELS[ladder]}, {rung_label(ladder, rung).lower()}: weeks must be "
                    f"at least the {previous[1]} weeks of {rung_label(ladder, previous[0]).lower()}"
                )
            previous = (rung, weeks)
    return errors


def merge_documents(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` laid over it, so a proposal may name only what it changes."""
    merged = copy.deepcopy(base)

    def lay(target: dict[str, Any], source: dict[str, Any]) -> None:
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                lay(target[key], value)
            else:
                target[key] = copy.deepcopy(value)

    lay(merged, changes)
    return merged


def document_differences(
    old: dict[str, Any], new: dict[str, Any]
) -> list[tuple[Setting, Any, Any]]:
    """Settings whose value differs between two documents, in the order of SETTINGS."""
    changed = []
    for setting in SETTINGS:
        try:
            before = _get(old, setting.path)
        except KeyError:
            before = None
        try:
            after = _get(new, setting.path)
        except KeyError:
            after = None
        if before != after:
            changed.append((setting, before, after))
    return changed


# --------------------------------------------------------------------------- typed access


@dataclass(frozen=True)
class Rung:
    ladder: str
    name: str
    weeks: Decimal
    min_amount: Decimal
    gap_days: int

    @property
    def label(self) -> str:
        return rung_label(self.ladder, self.name)


@dataclass(frozen=True)
class Policy:
    """A validated policy document, parsed once into typed values for the engine."""

    version: int
    document: dict[str, Any]
    weeks_basis: str = field(init=False)
    automatic_letters: frozenset[str] = field(init=False)
    letter_repeat_days: int = field(init=False)
    early_contact_message: str = field(init=False)
    arrangement_tolerance_days: int = field(init=False)
    arrangement_tolerance_amount: Decimal = field(init=False)
    broken_after_missed_payments: Decimal = field(init=False)
    technical_grace_days: int = field(init=False)
    technical_lag_days: dict[str, int] = field(init=False)
    payment_tolerance_percent: Decimal = field(init=False)
    assessment_max_age_days: int = field(init=False)
    hearing_preparation_days: int = field(init=False)
    breach_remedy_days: int = field(init=False)
    eviction_checks_days: int = field(init=False)
    rra_social_housing_from: date | None = field(init=False)
    write_off_below: Decimal = field(init=False)
    ladders: dict[str, dict[str, Rung]] = field(init=False)

    def __post_init__(self) -> None:
        doc = self.document
        put = object.__setattr__
        put(self, "weeks_basis", doc["weeks_basis"])
        put(self, "automatic_letters", frozenset(doc["automatic_letters"]))
        put(self, "letter_repeat_days", int(doc["letters"]["repeat_after_days"]))
        put(
            self, "early_contact_message", (doc.get("messages") or {}).get("early_contact") or "off"
        )
        arrangements = doc["arrangements"]
        put(self, "arrangement_tolerance_days", int(arrangements["tolerance_working_days"]))
        put(self, "arrangement_tolerance_amount", Decimal(arrangements["tolerance_amount"]))
        put(
            self,
            "broken_after_missed_payments",
            Decimal(arrangements["broken_after_missed_payments"]),
        )
        technical = doc["technical"]
        put(self, "technical_grace_days", int(technical["grace_working_days"]))
        put(
            self,
            "technical_lag_days",
            {
                cycle: int(technical[f"lag_days_{cycle}"])
                for cycle in ("weekly", "fortnightly", "four_weekly", "monthly")
            },
        )
        put(self, "payment_tolerance_percent", Decimal(technical["payment_tolerance_percent"]))
        legal = doc["legal"]
        put(self, "assessment_max_age_days", int(legal["assessment_max_age_days"]))
        put(self, "hearing_preparation_days", int(legal["hearing_preparation_days"]))
        put(self, "breach_remedy_days", int(legal["breach_remedy_days"]))
        put(self, "eviction_checks_days", int(legal["eviction_checks_days"]))
        switch = legal.get("rra_social_housing_from")
        put(self, "rra_social_housing_from", date.fromisoformat(switch) if switch else None)
        put(self, "write_off_below", Decimal(doc["former_tenants"]["write_off_below"]))
        put(
            self,
            "ladders",
            {
                ladder: {
                    rung: Rung(
                        ladder,
                        rung,
                        Decimal(values["weeks"]),
                        Decimal(values["min_amount"]),
                        int(values["gap_days"]),
                    )
                    for rung, values in doc["ladders"][ladder].items()
                }
                for ladder in LADDER_RUNGS
            },
        )

    @classmethod
    def from_document(cls, document: dict[str, Any], *, version: int) -> Policy:
        return cls(version=version, document=validate_document(document))

    def rung(self, ladder: str, name: str) -> Rung:
        return self.ladders[ladder][name]

    def letter_is_automatic(self, letter: str | None) -> bool:
        return letter is not None and letter in self.automatic_letters


def default_policy() -> Policy:
    return Policy.from_document(default_document(), version=0)
