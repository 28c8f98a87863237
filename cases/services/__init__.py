"""Writes to cases. Each service runs in one transaction, locks the case it changes,
records the timeline in the same transaction and refuses with a ValidationError an
officer can act on, writing nothing when it does."""

from cases.services.assessments import assessment_record
from cases.services.assignment import case_reassign, patch_cover_give, patch_cover_withdraw
from cases.services.contacts import contact_record, note_add
from cases.services.events import case_event_record
from cases.services.exports import caseload_export_finish, caseload_export_start
from cases.services.holds import (
    benefit_claim_decide,
    benefit_claim_evidence_record,
    benefit_claim_record,
    breathing_space_end,
    breathing_space_record,
    case_pause,
    dispute_record,
    dispute_resolve,
    pause_end,
)
from cases.services.income import income_expenditure_record
from cases.services.support import (
    referral_make,
    referral_outcome_record,
    vulnerability_clear,
    vulnerability_record,
)

__all__ = [
    "assessment_record",
    "benefit_claim_decide",
    "benefit_claim_evidence_record",
    "benefit_claim_record",
    "breathing_space_end",
    "breathing_space_record",
    "case_event_record",
    "case_pause",
    "case_reassign",
    "caseload_export_finish",
    "caseload_export_start",
    "contact_record",
    "dispute_record",
    "dispute_resolve",
    "income_expenditure_record",
    "note_add",
    "patch_cover_give",
    "patch_cover_withdraw",
    "pause_end",
    "referral_make",
    "referral_outcome_record",
    "vulnerability_clear",
    "vulnerability_record",
]
