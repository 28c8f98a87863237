"""The actions the engine can recommend, what kind of step each is, and who may take it.

Letters may be sent by the nightly run when the policy lists them as automatic.
Notices, court applications, warrants and evictions are significant decisions with
legal effects: the engine only ever recommends them for a person to approve
(UK GDPR Articles 22A-22D as inserted by the Data (Use and Access) Act 2025;
legal-reference.md §15).
"""

from dataclasses import dataclass
from enum import StrEnum

from arrears.models import LetterKind
from arrears.policy import RUNG_LABELS, RUNG_LABELS_BY_LADDER


class StepClass(StrEnum):
    """What kind of step an action is; guards hold some classes and not others."""

    MONITOR = "monitor"  # nothing to do to the tenant: never held
    CONTACT = "contact"  # an officer contacts the tenant about the arrears
    LETTER = "letter"  # an arrears letter
    NOTICE = "notice"  # a notice seeking possession or to quit
    COURT = "court"  # a possession claim or a referral to a court or tribunal
    ENFORCEMENT = "enforcement"  # warrants, evictions, recovering possession


ESCALATION_CLASSES = frozenset(
    {StepClass.CONTACT, StepClass.LETTER, StepClass.NOTICE, StepClass.COURT, StepClass.ENFORCEMENT}
)
LEGAL_CLASSES = frozenset({StepClass.NOTICE, StepClass.COURT, StepClass.ENFORCEMENT})


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    step: StepClass
    needs_approval: bool = False
    letter: LetterKind | None = None


def _actions(*actions: Action) -> dict[str, Action]:
    return {action.key: action for action in actions}


M, C, L, N, K, E = (
    StepClass.MONITOR,
    StepClass.CONTACT,
    StepClass.LETTER,
    StepClass.NOTICE,
    StepClass.COURT,
    StepClass.ENFORCEMENT,
)

ACTIONS: dict[str, Action] = _actions(
    Action("no_action", "No action needed", M),
    Action("monitor", "Monitor the account", M),
    Action("early_contact", "Contact the tenant about the arrears and check benefits", C),
    Action("send_letter_1", "Send arrears letter 1", L, letter=LetterKind.ARREARS_LETTER_1),
    Action(
        "send_letter_2",
        "Send arrears letter 2 with an income and expenditure offer",
        L,
        letter=LetterKind.ARREARS_LETTER_2,
    ),
    Action(
        "pre_notice_warning",
        "Send the pre-notice warning and visit",
        L,
        letter=LetterKind.PRE_NOTICE_WARNING,
    ),
    # Notices, one action per prescribed notice so the caseload can filter on them.
    Action("serve_nosp", "Serve a Notice of Seeking Possession", N, needs_approval=True),
    Action(
        "serve_flexible_termination",
        "Serve a notice seeking termination of the flexible tenancy",
        N,
        needs_approval=True,
    ),
    Action(
        "serve_notice_of_proceedings",
        "Serve a notice of proceedings (introductory tenancy)",
        N,
        needs_approval=True,
    ),
    Action("serve_s8_form_3", "Serve a section 8 notice (Form 3)", N, needs_approval=True),
    Action("serve_s8_form_3a", "Serve a section 8 notice (Form 3A)", N, needs_approval=True),
    Action("serve_notice_to_quit", "Serve a notice to quit", N, needs_approval=True),
    Action(
        "serve_notice_to_determine",
        "Serve a notice to determine the licence",
        N,
        needs_approval=True,
    ),
    Action(
        "serve_garage_notice_to_quit", "Serve a notice to quit the garage", N, needs_approval=True
    ),
    Action(
        "post_notice_contact",
        "Contact the tenant after the notice: send the Pre-Action Protocol, discuss benefits",
        C,
    ),
    Action(
        "send_pre_court_letter",
        "Send the pre-court letter (Pre-Action Protocol)",
        L,
        letter=LetterKind.PRE_ACTION_PROTOCOL,
    ),
    Action(
        "apply_for_possession",
        "Apply for a possession order (N5 and N119, or PCOL)",
        K,
        needs_approval=True,
    ),
    Action(
        "recover_possession",
        "End the licence and recover possession (no court order needed)",
        E,
        needs_approval=True,
    ),
    Action(
        "prepare_for_hearing", "Prepare for the hearing: statement and benefits to the tenant", M
    ),
    Action("record_court_outcome", "Record the court's decision", M),
    Action("monitor_order", "Monitor the court order", M),
    Action(
        "send_notice_of_default",
        "Send a notice of default (court order breached)",
        L,
        letter=LetterKind.NOTICE_OF_DEFAULT,
    ),
    Action(
        "apply_for_warrant",
        "Apply for a warrant of possession (N325 or N325A)",
        E,
        needs_approval=True,
    ),
    Action(
        "apply_to_fix_date",
        "Apply to fix a date for possession (postponed order)",
        E,
        needs_approval=True,
    ),
    Action("apply_to_restore", "Apply to restore the adjourned claim", K, needs_approval=True),
    Action(
        "apply_for_warrant_permission",
        "Ask the court's permission for a warrant (order over six years old)",
        E,
        needs_approval=True,
    ),
    Action("await_bailiff", "Wait for the bailiff's appointment", M),
    Action(
        "prepare_eviction",
        "Pre-eviction checks: safeguarding and homelessness referral",
        E,
        needs_approval=True,
    ),
    Action("check_case_data", "Check the case's court records: terms or outcome missing", M),
    Action("review_failed_letter", "Review a letter that could not be produced", M),
    Action("monitor_arrangement", "Monitor the arrangement", M),
    Action(
        "contact_about_missed_payment",
        "Contact the tenant about the missed arrangement payment",
        C,
    ),
    Action("recover_garage", "Recover the garage and the arrears", E, needs_approval=True),
    Action("service_charge_reminder", "Send a service charge reminder", C),
    Action(
        "send_formal_demand",
        "Send a formal demand with the summary of rights (s21B) and any s166 notice",
        L,
    ),
    Action(
        "refer_for_determination",
        "Refer the charges for determination (tribunal or county court) or a money claim",
        K,
        needs_approval=True,
    ),
    Action("contact_former_tenant", "Contact the former tenant about the debt", C),
    Action("contact_about_other_debt", "Contact the tenant about the other debt", C),
    Action("refer_to_debt_recovery", "Trace and refer the debt for recovery", C),
    Action("consider_write_off", "Consider writing off the debt", M, needs_approval=True),
    # What a guard asks for instead of the step it holds.
    Action("wait_breathing_space", "No arrears action during Breathing Space", M),
    Action("paused", "Paused by an officer", M),
    Action("resolve_dispute", "Resolve the dispute before escalating", C),
    Action("check_benefit_claim", "Check the progress of the benefit claim", C),
    Action("hold_review", "Hold the review of the notice of proceedings and decide it", M),
    Action("chase_benefit_evidence", "Help the tenant give the benefit claim its evidence", C),
    Action("complete_assessment", "Complete the proportionality and equality assessment", M),
    Action("review_vulnerability", "Review the vulnerability flags", M),
    Action(
        "consider_trial_extension",
        "Decide on the introductory trial period: extend it or use the secure route",
        M,
        needs_approval=True,
    ),
)


# While the policy's gap before the next rung runs there is nothing to do to the tenant
# yet, but the case says which step falls due (and the caseload filters on it) rather
# than "monitor the account". Keyed by the rung's label, since a ladder may use a rung
# for something else (a leaseholder's letter 1 is the formal demand).
_DUE_LABELS = {"Pre-court": "Pre-court letter", "Court": "Possession claim"}
_RUNG_NAMES = sorted(
    {
        *RUNG_LABELS.values(),
        *(label for d in RUNG_LABELS_BY_LADDER.values() for label in d.values()),
    }
)
DUE_ACTIONS: dict[str, Action] = {
    label: Action(
        "due_" + label.lower().replace("-", "_").replace(" ", "_"),
        f"{_DUE_LABELS.get(label, label)} due",
        StepClass.MONITOR,
    )
    for label in _RUNG_NAMES
}
ACTIONS.update({a.key: a for a in DUE_ACTIONS.values()})
DUE_KEYS = frozenset(a.key for a in DUE_ACTIONS.values())
WAITING_ACTIONS = DUE_KEYS | {"monitor"}


def due_action(rung_label: str) -> str:
    """The action of a case waiting for the gap before the rung `rung_label` to pass."""
    return DUE_ACTIONS[rung_label].key


def action(key: str) -> Action:
    return ACTIONS[key]


def action_label(key: str) -> str:
    found = ACTIONS.get(key)
    return found.label if found else key.replace("_", " ").capitalize()


# The notice each notice kind is served by (notices.models.NoticeKind values).
SERVE_NOTICE_ACTION = {
    "nosp": "serve_nosp",
    "flexible_termination": "serve_flexible_termination",
    "notice_of_proceedings": "serve_notice_of_proceedings",
    "s8_form_3": "serve_s8_form_3",
    "s8_form_3a": "serve_s8_form_3a",
    "notice_to_quit": "serve_notice_to_quit",
    "notice_to_determine": "serve_notice_to_determine",
}
